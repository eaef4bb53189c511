"""The shape of the house: the bpy-free packages never import bpy and run where bpy does not exist; no module imports
another in a circle; the top-level packages stack in at most eight levels.

pyproject.toml's import-linter contracts state the layers (``lint-imports``, run by the test command); these tests
compute the module graph themselves, so a circle inside one package (which a layers contract does not see) fails
here too."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BPY_FREE = ("providers", "jobs", "sandbox", "net")


BLENDER_MODULES = {"bpy", "mathutils", "bmesh", "addon_utils", "bpy_extras", "gpu", "blf", "idprop", "aud"}


def _module_name(path: Path, root: Path = ROOT) -> str:
    """'providers.meshy' for providers/meshy.py, 'providers' for providers/__init__.py, 'runtime' for runtime.py."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, root: Path = ROOT) -> tuple[set[str], set[str]]:
    """(external top-level modules, modules of this add-on) that ``path`` imports, anywhere in it (lazy imports too).

    Relative imports are resolved: ``from .. import runtime`` in providers/meshy.py is the add-on's ``runtime``.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _module_name(path, root).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    external, internal = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            external.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                external.add((node.module or "").split(".")[0])
                continue
            base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
            stem = ".".join(part for part in (".".join(base), node.module or "") if part)
            internal.add(stem)
            internal.update(f"{stem}.{alias.name}" if stem else alias.name for alias in node.names)
    return external, internal


def _graph(root: Path = ROOT) -> dict[str, tuple[set[str], set[str]]]:
    skip = {"tests", "tools", "bench", ".venv", "build", "dist"}
    files = [p for p in root.rglob("*.py") if not (set(p.relative_to(root).parts) & skip)
             and not p.relative_to(root).parts[0].startswith(".")]
    return {_module_name(p, root): _imports(p, root) for p in files}


def bpy_offenders(root: Path = ROOT) -> dict[str, list[str]]:
    """Each module under providers/, jobs/ and sandbox/ that reaches a Blender module, with the path it takes."""
    graph = _graph(root)
    offenders = {}
    for start in sorted(name for name in graph if name.split(".")[0] in BPY_FREE):
        seen, queue = {start: [start]}, [start]
        while queue:
            current = queue.pop(0)
            external, internal = graph.get(current, (set(), set()))
            if external & BLENDER_MODULES:
                offenders[start] = seen[current] + sorted(external & BLENDER_MODULES)
                break
            for target in internal:
                if target in graph and target not in seen:
                    seen[target] = seen[current] + [target]
                    queue.append(target)
    return offenders


def test_bpy_free_packages_reach_no_blender_module_even_through_relative_imports():
    assert bpy_offenders() == {}


def test_the_boundary_check_sees_a_relative_import_of_a_blender_module(tmp_path):
    # The mutation the boundary must catch: a bpy-free module importing the add-on's runtime (which imports bpy).
    for name in ("__init__.py", "runtime.py", "providers/__init__.py", "providers/meshy.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / "__init__.py").write_text("")
    (tmp_path / "runtime.py").write_text("import bpy\n")
    (tmp_path / "providers" / "__init__.py").write_text('"""Clients."""\n')
    (tmp_path / "providers" / "meshy.py").write_text("def f():\n    from .. import runtime\n")
    assert bpy_offenders(tmp_path) == {"providers.meshy": ["providers.meshy", "runtime", "bpy"]}


def test_every_bpy_free_module_imports_with_bpy_blocked():
    modules = sorted(name for name in _graph() if name.split(".")[0] in BPY_FREE and not name.endswith("__main__"))
    assert len(modules) > 30
    script = f"""
import sys, importlib, importlib.util
for name in {sorted(BLENDER_MODULES)!r}:
    sys.modules[name] = None  # any import of Blender now raises ImportError
spec = importlib.util.spec_from_file_location('meshsmith', r'{ROOT / "__init__.py"}', submodule_search_locations=[r'{ROOT}'])
module = importlib.util.module_from_spec(spec); sys.modules['meshsmith'] = module; spec.loader.exec_module(module)
for name in {modules!r}:
    importlib.import_module('meshsmith.' + name)
print('ok')
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "ok", result.stderr


def _cycles(graph: dict[str, tuple[set[str], set[str]]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), each sorted."""
    edges = {name: sorted(target for target in internal if target in graph and target != name)
             for name, (_external, internal) in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for name in sorted(edges):
        if name not in index:
            visit(name)
    return found


def _top_level_heights(graph: dict[str, tuple[set[str], set[str]]]) -> dict[str, int]:
    """Each top-level package (a root module counts as its own) with its height: 1 for one that imports no other."""
    def top(name: str) -> str:
        return name.split(".")[0] or "__init__"

    edges: dict[str, set[str]] = {}
    for name, (_external, internal) in graph.items():
        edges.setdefault(top(name), set()).update(top(t) for t in internal if t in graph and top(t) != top(name))
    heights: dict[str, int] = {}

    def height(box: str, path: tuple[str, ...] = ()) -> int:
        assert box not in path, f"top-level packages import each other in a circle: {' -> '.join((*path, box))}"
        if box not in heights:
            heights[box] = 1 + max((height(t, (*path, box)) for t in edges.get(box, ())), default=0)
        return heights[box]

    for box in edges:
        height(box)
    return heights


def test_no_module_imports_another_in_a_circle():
    assert _cycles(_graph()) == []


def test_the_circle_check_sees_a_circle_through_lazy_relative_imports(tmp_path):
    for name in ("__init__.py", "host/__init__.py", "host/a.py", "host/b.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    (tmp_path / "host" / "a.py").write_text("from . import b\n")
    (tmp_path / "host" / "b.py").write_text("def f():\n    from .a import x\n")
    assert _cycles(_graph(tmp_path)) == [["host.a", "host.b"]]


def test_the_packages_stack_at_most_eight_levels_and_none_imports_upward():
    heights = _top_level_heights(_graph())
    assert max(heights.values()) <= 8, heights
    assert heights["net"] == 1 and heights["__init__"] == max(heights.values())


def test_only_the_wiring_module_lives_at_the_root():
    assert sorted(path.name for path in ROOT.glob("*.py")) == ["__init__.py"]


def test_no_shipped_module_is_longer_than_400_lines():
    skip = {"tests", "tools", "bench", ".venv", "build", "dist", "out"}
    tables = {"i18n/translations.py"}  # translation tables: one line per string, not logic
    long = {str(p.relative_to(ROOT)): n for p in ROOT.rglob("*.py")
            if not (set(p.relative_to(ROOT).parts) & skip) and not p.relative_to(ROOT).parts[0].startswith(".")
            and str(p.relative_to(ROOT)) not in tables and (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert long == {}


def test_every_package_states_its_contract():
    for package in ("providers", "jobs", "sandbox", "mesh_io", "operators", "panels", "host", "net", "scripting",
                    "i18n", "host/catalog", "providers/segmind", "providers/scenario", "providers/meshy",
                    "providers/hunyuan_server"):
        doc = ast.get_docstring(ast.parse((ROOT / package / "__init__.py").read_text()))
        assert doc and len(doc.splitlines()) <= 2, package
