"""The two worlds: providers/, jobs/ and sandbox/ never import bpy, and run where bpy does not exist."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BPY_FREE = ("providers", "jobs", "sandbox")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_bpy_free_packages_do_not_import_blender():
    offenders = [str(path.relative_to(ROOT)) for package in BPY_FREE for path in (ROOT / package).rglob("*.py")
                 if _imports(path) & {"bpy", "mathutils", "bmesh", "addon_utils", "bpy_extras"}]
    assert offenders == []


def test_bpy_free_packages_import_with_bpy_blocked():
    script = f"""
import sys, importlib.util
sys.modules['bpy'] = None  # any 'import bpy' now raises ImportError
spec = importlib.util.spec_from_file_location('meshsmith', r'{ROOT / "__init__.py"}', submodule_search_locations=[r'{ROOT}'])
module = importlib.util.module_from_spec(spec); sys.modules['meshsmith'] = module; spec.loader.exec_module(module)
import meshsmith.providers.segmind, meshsmith.jobs.engine, meshsmith.jobs.journal, meshsmith.sandbox.server
import meshsmith.providers.channels
print('ok')
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "ok", result.stderr


def test_every_package_states_its_contract():
    for package in ("providers", "jobs", "sandbox", "mesh_io", "operators", "panels"):
        doc = ast.get_docstring(ast.parse((ROOT / package / "__init__.py").read_text()))
        assert doc and len(doc.splitlines()) == 1, package
