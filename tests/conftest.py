"""Shared test set-up: an isolated Blender user folder, the bpy-free package under the name ``meshsmith``, the sandbox.

``BLENDER_USER_RESOURCES`` is set here, before any test imports ``bpy``, so Blender never touches the
developer's own profile. bpy-free tests import ``meshsmith.providers`` etc.; Blender tests use the
add-on as Blender loads it (``bl_ext.user_default.meshsmith``), see tests/blender/conftest.py.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.blender_env import prepare_user_resources  # noqa: E402

USER_RESOURCES = prepare_user_resources(Path(tempfile.mkdtemp(prefix="meshsmith-tests-")))
# Meshsmith's own data folder (journal, results) defaults to $XDG_DATA_HOME/meshsmith: never the developer's.
os.environ["XDG_DATA_HOME"] = str(USER_RESOURCES / "xdg-data")


def _load_package_as_meshsmith() -> None:
    """Import the repository root as the package ``meshsmith`` (its __init__ imports nothing heavy)."""
    if "meshsmith" in sys.modules:
        return
    spec = importlib.util.spec_from_file_location("meshsmith", ROOT / "__init__.py", submodule_search_locations=[str(ROOT)])
    module = importlib.util.module_from_spec(spec)
    sys.modules["meshsmith"] = module
    spec.loader.exec_module(module)


_load_package_as_meshsmith()

# A provider defined only under tests/ (tests/example_provider), registered as a studio would add its own: the
# generic contract suite and every registry-driven test run over it too. The Blender tests' add-on (a separate
# import of the same files) does not have it; tests/blender/test_provider_from_tests.py mounts it there.
sys.path.insert(0, str(ROOT / "tests"))
from example_mount import mount  # noqa: E402

mount("meshsmith")


@pytest.fixture
def sandbox():
    from meshsmith.sandbox.server import Sandbox

    with Sandbox() as box:
        yield box


@pytest.fixture
def png_file(tmp_path: Path) -> Path:
    from meshsmith.sandbox.assets import make_textures

    path = tmp_path / "reference.png"
    path.write_bytes(make_textures(3, 32).base_color)
    return path


@pytest.fixture
def views(tmp_path: Path) -> list[Path]:
    """Four small distinct pictures of an object: front, left, back, right (the order multi-view models take)."""
    from meshsmith.sandbox.assets import make_textures

    paths = []
    for index, name in enumerate(("front", "left", "back", "right")):
        path = tmp_path / f"{name}.png"
        path.write_bytes(make_textures(10 + index, 32).base_color)
        paths.append(path)
    return paths
