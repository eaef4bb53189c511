"""Export one object, alone, to a GLB for a texturing service: modifiers applied, UVs kept, nothing else.

Runs on the main thread. The artist's selection and active object are restored afterwards, so the
export leaves no trace in the scene.
"""

from __future__ import annotations

from pathlib import Path

import bpy

from ..net.errors import InvalidInputError

# Above this the upload is refused before anything is sent (Meshy takes the mesh as a data URI).
MAX_EXPORT_BYTES = 40 * 1024 * 1024


def check_mesh(obj: bpy.types.Object | None, *, require_uvs: bool) -> None:
    """Refuse what cannot be textured, with what to do about it."""
    if obj is None:
        raise InvalidInputError("Select the mesh object to retexture.")
    if obj.type != "MESH":
        raise InvalidInputError(f"'{obj.name}' is a {obj.type.lower()}, not a mesh. Select a mesh object.")
    if len(obj.data.polygons) == 0:
        raise InvalidInputError(f"'{obj.name}' has no faces to texture.")
    if require_uvs and not obj.data.uv_layers:
        raise InvalidInputError(
            f"'{obj.name}' has no UV map, but 'Keep Original UVs' is on. Unwrap it (U > Smart UV Project) or turn the option off.")


def _export_options() -> dict:
    wanted = {
        "export_format": "GLB", "use_selection": True, "export_apply": True, "export_texcoords": True,
        "export_normals": True, "export_materials": "NONE", "export_animations": False, "export_cameras": False,
        "export_lights": False, "export_extras": False, "export_yup": True, "export_skins": False,
        "export_morph": False, "export_attributes": False,
    }
    available = bpy.ops.export_scene.gltf.get_rna_type().properties.keys()
    return {key: value for key, value in wanted.items() if key in available}


def export_object_glb(obj: bpy.types.Object, dest: Path, *, require_uvs: bool,
                      max_bytes: int | None = None) -> Path:
    """Write ``obj`` alone to ``dest`` (GLB) and return the path. Raises ``InvalidInputError``."""
    max_bytes = max_bytes or MAX_EXPORT_BYTES
    check_mesh(obj, require_uvs=require_uvs)
    context = bpy.context
    view_layer = context.view_layer
    if obj.name not in view_layer.objects:
        raise InvalidInputError(f"'{obj.name}' is not in the current view layer.")
    selected = [o for o in view_layer.objects if o.select_get()]
    active = view_layer.objects.active
    hidden = obj.hide_get()
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        if active is not None and active.mode != "OBJECT":
            bpy.ops.object.mode_set(mode="OBJECT")
        obj.hide_set(False)
        for other in selected:
            other.select_set(False)
        obj.select_set(True)
        view_layer.objects.active = obj
        result = bpy.ops.export_scene.gltf(filepath=str(dest), **_export_options())
    finally:
        obj.select_set(False)
        obj.hide_set(hidden)
        for other in selected:
            if other.name in view_layer.objects:
                other.select_set(True)
        view_layer.objects.active = active
    if "FINISHED" not in result or not dest.is_file():
        raise InvalidInputError(f"Blender could not export '{obj.name}' to GLB.")
    size = dest.stat().st_size
    if size > max_bytes:
        dest.unlink()
        raise InvalidInputError(
            f"'{obj.name}' is {size >> 20} MB as GLB; the limit is {max_bytes >> 20} MB. Decimate it first.")
    return dest
