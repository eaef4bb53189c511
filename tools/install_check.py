"""Install a built Meshsmith zip into a Blender (the ``bpy`` wheel in this interpreter) and use it, step by step.

Run by tools/install_matrix.py inside a virtual environment holding only a ``bpy`` wheel and the
requests/urllib3/numpy that Blender release ships: pydantic must come from the zip or nowhere.
Prints one JSON object: each step's result ("ok" or the error), plus the versions seen.

    python tools/install_check.py path/to/meshsmith-<version>-linux_x64.zip
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import traceback
from pathlib import Path

EXTENSION = "meshsmith"
MODULE = f"bl_ext.user_default.{EXTENSION}"


def main(zip_path: str) -> dict:
    results: dict[str, str] = {}
    user = Path(tempfile.mkdtemp(prefix="meshsmith-install-"))
    os.environ["BLENDER_USER_RESOURCES"] = str(user)
    os.environ["MESHSMITH_USER_DIR"] = str(user / "meshsmith-data")

    def step(name, action):
        try:
            action()
            results[name] = "ok"
        except Exception as exc:  # every step reports, none stops the report
            results[name] = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"
            return False
        return True

    def pydantic_absent():
        try:
            import pydantic  # noqa: F401
        except ImportError:
            return
        raise AssertionError("pydantic is importable before the extension is installed: this check would prove nothing")

    step("pydantic absent before install", pydantic_absent)
    import bpy  # noqa: I001 - bpy first: it puts Blender's own modules (addon_utils) on the path
    import addon_utils
    import requests

    results["blender"] = bpy.app.version_string
    results["requests"] = requests.__version__
    bpy.context.preferences.system.use_online_access = True

    def install():
        result = bpy.ops.extensions.package_install_files(filepath=zip_path, repo="user_default", enable_on_install=True)
        assert "FINISHED" in result, result
        assert MODULE in bpy.context.preferences.addons, "not enabled after install"
        import pydantic

        assert str(user) in pydantic.__file__, f"pydantic came from {pydantic.__file__}, not the extension's wheels"
        results["pydantic"] = pydantic.VERSION

    def module(name):
        import importlib

        return importlib.import_module(f"{MODULE}.{name}")

    def use_sandbox():
        module("preferences").get().use_sandbox = True

    def generate():
        image = user / "reference.png"
        image.write_bytes(module("sandbox.assets").make_textures(4, 64).base_color)
        assert bpy.ops.meshsmith.generate(provider="SEGMIND", image_path=str(image)) == {"FINISHED"}
        obj = bpy.context.active_object
        assert obj["meshsmith_provider"] == "SEGMIND" and obj.material_slots[0].material is not None

    def retexture():
        bpy.ops.mesh.primitive_cube_add(location=(3, 0, 0))
        cube = bpy.context.active_object
        assert bpy.ops.meshsmith.retexture(provider="MESHY", style_prompt="bronze") == {"FINISHED"}
        assert "Meshy" in cube.material_slots[0].material.name

    def disable():
        addon_utils.disable(MODULE, default_set=True)
        assert not hasattr(bpy.types.Scene, "meshsmith")

    def enable_again():
        addon_utils.enable(MODULE, default_set=True)
        assert hasattr(bpy.types.Scene, "meshsmith") and hasattr(bpy.ops.meshsmith, "generate")

    def uninstall():
        repo = next(r for r in bpy.context.preferences.extensions.repos if r.module == "user_default")
        result = bpy.ops.extensions.package_uninstall(repo_directory=repo.directory, pkg_id=EXTENSION)
        assert "FINISHED" in result, result
        assert MODULE not in bpy.context.preferences.addons
        assert not (Path(repo.directory) / EXTENSION).exists()

    if step("install", install):
        step("enable", lambda: None)
        use_sandbox()
        step("generate", generate)
        step("retexture", retexture)
        step("disable", disable)
        step("re-enable", enable_again)
        step("uninstall", uninstall)
    return results


if __name__ == "__main__":
    print("MESHSMITH-INSTALL-RESULT " + json.dumps(main(sys.argv[1])), flush=True)
    sys.stdout.flush()
    os._exit(0)  # bpy 4.5 has been seen to hang at interpreter exit
