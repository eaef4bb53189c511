"""Load this source tree into a headless Blender (the ``bpy`` wheel) as a real extension.

Used by the demo and the tests. ``prepare_user_resources`` must run before ``import bpy``: Blender
reads ``BLENDER_USER_RESOURCES`` once, at start-up, which keeps preferences, extensions and the
journal of a run inside a throw-away folder instead of the developer's own Blender profile.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
EXTENSION_ID = "meshsmith"
REPO_NAME = "user_default"
MODULE_NAME = f"bl_ext.{REPO_NAME}.{EXTENSION_ID}"
_SKIP = {".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache", "out", "build", "dist", "tests", "tools", "bench"}


def prepare_user_resources(folder: Path) -> Path:
    """Point Blender at ``folder`` for its user resources and place this add-on in its user extension repository."""
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["BLENDER_USER_RESOURCES"] = str(folder)
    repo = folder / "extensions" / REPO_NAME
    repo.mkdir(parents=True, exist_ok=True)
    target = repo / EXTENSION_ID
    if not target.exists():
        try:
            target.symlink_to(REPO_ROOT, target_is_directory=True)
        except OSError:  # Windows without symlink rights: copy the add-on's own files.
            shutil.copytree(REPO_ROOT, target, ignore=lambda _dir, names: [n for n in names if n in _SKIP])
    return folder


def enable_addon(*, online: bool = True):
    """Enable the add-on in the running Blender and return its module. Call after ``prepare_user_resources``."""
    import addon_utils
    import bpy

    bpy.context.preferences.system.use_online_access = online
    module = addon_utils.enable(MODULE_NAME, default_set=True, handle_error=_raise)
    if module is None:
        raise RuntimeError(f"could not enable {MODULE_NAME}")
    return module


def disable_addon() -> None:
    import addon_utils

    addon_utils.disable(MODULE_NAME, default_set=True, handle_error=_raise)


def _raise(exc: BaseException) -> None:
    raise exc
