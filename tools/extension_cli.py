"""Run Blender's own extension tool (``blender_ext.py``, shipped inside the ``bpy`` wheel) with plain Python."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path


def blender_ext_paths() -> tuple[Path, Path]:
    """(path of blender_ext.py, path of the valid tags file) inside the installed ``bpy`` wheel, found without importing bpy."""
    spec = importlib.util.find_spec("bpy")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the bpy wheel is not installed")
    package = Path(next(iter(spec.submodule_search_locations)))
    version_dir = next(p for p in sorted(package.iterdir()) if p.is_dir() and p.name[:1].isdigit() and "." in p.name)
    cli = version_dir / "scripts" / "addons_core" / "bl_pkg" / "cli" / "blender_ext.py"
    tags = version_dir / "scripts" / "modules" / "_bpy_internal" / "extensions" / "tags.py"
    return cli, tags


def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """``blender_ext.py <args>`` (with Blender's tag list for build and validate); output captured as text."""
    cli, tags = blender_ext_paths()
    extra = [f"--valid-tags={tags}"] if args and args[0] in ("build", "validate") else []
    result = subprocess.run([sys.executable, str(cli), *args, *extra], capture_output=True, text=True, timeout=300)
    if check and result.returncode != 0:
        raise RuntimeError(f"blender_ext.py {args[0]} failed:\n{result.stdout}{result.stderr}")
    return result
