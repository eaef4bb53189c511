"""The two worlds: providers/, jobs/ and sandbox/ never import bpy, and run where bpy does not exist."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BPY_FREE = ("providers", "jobs", "sandbox")


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


def test_every_package_states_its_contract():
    for package in ("providers", "jobs", "sandbox", "mesh_io", "operators", "panels"):
        doc = ast.get_docstring(ast.parse((ROOT / package / "__init__.py").read_text()))
        assert doc and len(doc.splitlines()) == 1, package
