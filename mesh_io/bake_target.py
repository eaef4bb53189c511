"""Get the artist's object ready to receive a bake (main thread, at submit): checked, given UVs if it has none,
and its final shape written to a small .blend that the background bake reads.

The bake runs later in another Blender process, so it gets a copy of the object as it is now: the mesh
with its modifiers applied (the shape that renders), its world transform, and the UV map the result is
baked into (the active render UV map). The artist's object is not changed, except that an object with no
UV map gets one named "Meshsmith" (Smart UV Project), since maps need UVs to land on.
"""

from __future__ import annotations

from pathlib import Path

import bpy

from ..net.errors import InvalidInputError

BAKE_UV_MAP = "Meshsmith"
TARGET_FILE = "bake_target.blend"
TARGET_OBJECT = "MeshsmithBakeTarget"
RESOLUTIONS = ("1024", "2048", "4096")


def check_bakeable(obj: bpy.types.Object, context: bpy.types.Context) -> None:
    """Refuse an object the bake cannot use, with what to do about it."""
    if obj.data.shape_keys is not None:
        raise InvalidInputError(f"'{obj.name}' has shape keys; the bake needs one fixed shape. Apply or remove the "
                                "shape keys (on a copy, if you need them), then retexture that.")
    evaluated = obj.evaluated_get(context.evaluated_depsgraph_get())
    try:
        mesh = evaluated.to_mesh()
    except RuntimeError:
        mesh = None
    try:
        if mesh is None or len(mesh.polygons) == 0:
            raise InvalidInputError(f"The modifiers of '{obj.name}' leave no faces to bake onto. Check the "
                                    "modifier stack (or apply it), then retexture again.")
    finally:
        evaluated.to_mesh_clear()


def ensure_uv_map(obj: bpy.types.Object, context: bpy.types.Context) -> str:
    """The name of the UV map the bake goes into: the active render one, or a new "Meshsmith" one (Smart UV
    Project) when the object has none. Only that UV map is added; selection and everything else stay as they were."""
    layers = obj.data.uv_layers
    if layers:
        return next((layer.name for layer in layers if layer.active_render), layers.active.name)
    mesh = obj.data
    selection = {kind: [item.select for item in items] for kind, items in
                 (("v", mesh.vertices), ("e", mesh.edges), ("f", mesh.polygons))}
    layer = layers.new(name=BAKE_UV_MAP)
    layers.active = layer
    layer.active_render = True
    name = layer.name  # read now: leaving edit mode below replaces the mesh's layers (and this reference)
    view_layer = context.view_layer
    active = view_layer.objects.active
    view_layer.objects.active = obj
    try:
        with context.temp_override(active_object=obj, object=obj, selected_objects=[obj],
                                   selected_editable_objects=[obj]):
            bpy.ops.object.mode_set(mode="EDIT")
            bpy.ops.mesh.select_all(action="SELECT")
            bpy.ops.uv.smart_project(island_margin=0.002)
            bpy.ops.object.mode_set(mode="OBJECT")
    finally:
        view_layer.objects.active = active
    for kind, items in (("v", mesh.vertices), ("e", mesh.edges), ("f", mesh.polygons)):
        items.foreach_set("select", selection[kind])
    mesh.update()
    return name


def prepare_bake_target(context: bpy.types.Context, obj: bpy.types.Object, job_dir: Path,
                        resolution: str) -> dict[str, str]:
    """Check ``obj``, give it UVs if needed, write its final shape to ``job_dir``; the job's bake inputs."""
    check_bakeable(obj, context)
    uv_map = ensure_uv_map(obj, context)
    depsgraph = context.evaluated_depsgraph_get()
    mesh = bpy.data.meshes.new_from_object(obj.evaluated_get(depsgraph), preserve_all_data_layers=True,
                                           depsgraph=depsgraph)
    copy = bpy.data.objects.new(TARGET_OBJECT, mesh)
    copy.matrix_world = obj.matrix_world.copy()
    if uv_map in mesh.uv_layers:
        mesh.uv_layers.active = mesh.uv_layers[uv_map]
    job_dir.mkdir(parents=True, exist_ok=True)
    target = job_dir / TARGET_FILE
    try:
        mesh.materials.clear()  # the bake gives it a material of its own; the artist's are not needed there
        bpy.data.libraries.write(str(target), {copy}, fake_user=True)
    finally:
        bpy.data.objects.remove(copy)
        bpy.data.meshes.remove(mesh)
    return {"bake_target": str(target), "bake_uv_map": uv_map,
            "bake_resolution": resolution if resolution in RESOLUTIONS else "2048"}


SOURCE_FILE = "bake_source.blend"
SOURCE_OBJECT = "MeshsmithBakeSource"


def write_bake_source(context: bpy.types.Context, obj: bpy.types.Object, job_dir: Path) -> str:
    """The object as it renders (modifiers applied, world transform) *with its materials*, for a remesh's bake of its
    look onto the new mesh; the file's path. Image files are referenced by absolute path (packed ones stay packed)."""
    check_bakeable(obj, context)
    depsgraph = context.evaluated_depsgraph_get()
    mesh = bpy.data.meshes.new_from_object(obj.evaluated_get(depsgraph), preserve_all_data_layers=True,
                                           depsgraph=depsgraph)
    copy = bpy.data.objects.new(SOURCE_OBJECT, mesh)
    copy.matrix_world = obj.matrix_world.copy()
    job_dir.mkdir(parents=True, exist_ok=True)
    source = job_dir / SOURCE_FILE
    try:
        bpy.data.libraries.write(str(source), {copy}, fake_user=True, path_remap="ABSOLUTE")
    finally:
        bpy.data.objects.remove(copy)
        bpy.data.meshes.remove(mesh)
    return str(source)
