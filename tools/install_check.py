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
    # Meshsmith's data folder at its default place (here inside the throw-away folder): it must outlive the uninstall.
    os.environ.pop("MESHSMITH_USER_DIR", None)
    os.environ["XDG_DATA_HOME"] = os.environ["APPDATA"] = str(user / "data")

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

    import urllib3

    results["blender"] = bpy.app.version_string
    results["requests"] = requests.__version__  # read inside this Blender, not echoed from a pin
    results["urllib3"] = urllib3.__version__
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

    def raise_error(exc):
        raise exc

    def enable():
        """Through addon_utils, as the Preferences checkbox does, with any error raised rather than printed."""
        addon_utils.disable(MODULE, default_set=True, handle_error=raise_error)
        loaded = addon_utils.enable(MODULE, default_set=True, handle_error=raise_error)
        assert loaded is not None, "addon_utils.enable returned nothing"
        assert MODULE in bpy.context.preferences.addons and hasattr(bpy.types.Scene, "meshsmith")
        assert bpy.ops.meshsmith.generate.idname() == "MESHSMITH_OT_generate"

    def use_sandbox():
        module("host.preferences").get().use_sandbox = True

    def base_color_image(material):
        bsdf = next(node for node in material.node_tree.nodes if node.type == "BSDF_PRINCIPLED")
        link = bsdf.inputs["Base Color"].links[0]
        node = link.from_node
        assert node.type == "TEX_IMAGE", f"Base Color is fed by {node.type}, not an image"
        image = node.image
        assert image is not None and image.size[0] > 0 and image.size[1] > 0, "the base colour image has no pixels"
        assert len(image.pixels) == image.size[0] * image.size[1] * image.channels
        return image

    def generate():
        image = user / "reference.png"
        image.write_bytes(module("sandbox.assets").make_textures(4, 64).base_color)
        before = set(bpy.data.objects)
        assert bpy.ops.meshsmith.generate(provider="SEGMIND", image_path=str(image)) == {"FINISHED"}
        new = [obj for obj in bpy.data.objects if obj not in before]
        obj = bpy.context.active_object
        assert obj in new and obj.type == "MESH" and len(obj.data.polygons) > 100
        assert obj["meshsmith_provider"] == "SEGMIND" and "Meshsmith" in [c.name for c in obj.users_collection]
        assert base_color_image(obj.material_slots[0].material).colorspace_settings.name == "sRGB"

    def retexture():
        bpy.ops.mesh.primitive_cube_add(location=(3, 0, 0))
        cube = bpy.context.active_object
        vertices = [tuple(v.co) for v in cube.data.vertices]
        assert bpy.ops.meshsmith.retexture(provider="MESHY", style_prompt="bronze") == {"FINISHED"}
        material = cube.material_slots[0].material
        assert "Meshy" in material.name and base_color_image(material) is not None
        assert [tuple(v.co) for v in cube.data.vertices] == vertices, "the artist's mesh changed"

    def disable():
        addon_utils.disable(MODULE, default_set=True, handle_error=raise_error)
        assert not hasattr(bpy.types.Scene, "meshsmith")
        assert MODULE not in bpy.context.preferences.addons

    def enable_again():
        addon_utils.enable(MODULE, default_set=True, handle_error=raise_error)
        use_sandbox()  # the preferences went with the disable
        image = user / "reference.png"
        assert bpy.ops.meshsmith.generate(provider="SEGMIND", image_path=str(image)) == {"FINISHED"}, "an operator after re-enable"

    def bundled_wheel_folders():
        local = Path(bpy.utils.user_resource("EXTENSIONS", path=".local"))
        return [p for p in local.rglob("*") if p.is_dir() and p.name.startswith(("pydantic", "pydantic_core"))]

    def uninstall():
        assert bundled_wheel_folders(), "the bundled wheels were not where Blender installs them"
        repo = next(r for r in bpy.context.preferences.extensions.repos if r.module == "user_default")
        result = bpy.ops.extensions.package_uninstall(repo_directory=repo.directory, pkg_id=EXTENSION)
        assert "FINISHED" in result, result
        assert MODULE not in bpy.context.preferences.addons
        assert not (Path(repo.directory) / EXTENSION).exists(), "the extension's folder is still there"
        assert not hasattr(bpy.types.Scene, "meshsmith"), "the scene property group is still registered"
        if bpy.app.version >= (4, 2, 1):
            assert bundled_wheel_folders() == [], "the bundled wheels were left behind"
        # Blender 4.2.0 itself keeps an uninstalled extension's wheels (its wheel sync skips when no extension is
        # enabled); later 4.2 releases remove them at once.
        data = user / "data" / ("Meshsmith" if sys.platform == "win32" else "meshsmith")
        assert (data / "jobs.db").is_file(), "uninstalling took the job store with it"
        assert list((data / "results").glob("*/model.glb")), "uninstalling took the results the artist paid for"

    if step("install", install):
        step("enable", enable)
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
