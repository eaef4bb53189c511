"""Tweak tools for imported results: ground, size, orientation, smoothing, clean-up, decimation, packing, asset marking.

Each function changes one object (its mesh data where needed) and returns a short summary; the
operators in operators/tweaks.py wrap them as undoable steps, and the post-import presets chain them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import bmesh
import bpy
from mathutils import Matrix, Vector

from ..net.errors import InvalidInputError

ASSET_PREVIEW_PROP = "meshsmith_asset_preview"
"""The picture an asset's preview was last set from (a file path; nothing secret)."""
UP_AXES = {"+Y": Vector((0, 1, 0)), "-Y": Vector((0, -1, 0)), "+X": Vector((1, 0, 0)), "-X": Vector((-1, 0, 0)),
           "-Z": Vector((0, 0, -1)), "+Z": Vector((0, 0, 1))}


def _mesh(obj: bpy.types.Object | None) -> bpy.types.Object:
    if obj is None or obj.type != "MESH":
        raise InvalidInputError("Select a mesh object.")
    return obj


def world_bounds(obj: bpy.types.Object) -> tuple[Vector, Vector]:
    bpy.context.view_layer.update()  # matrix_world is stale after a location/scale change until an update
    corners = [obj.matrix_world @ Vector(corner) for corner in obj.bound_box]
    low = Vector((min(c.x for c in corners), min(c.y for c in corners), min(c.z for c in corners)))
    high = Vector((max(c.x for c in corners), max(c.y for c in corners), max(c.z for c in corners)))
    return low, high


def set_origin_bottom_center(obj: bpy.types.Object) -> None:
    """Move the origin to the bottom centre of the mesh's bounds, keeping the mesh where it is."""
    _mesh(obj)
    coords = [Vector(corner) for corner in obj.bound_box]
    low_z = min(c.z for c in coords)
    centre = Vector((sum(c.x for c in coords) / 8, sum(c.y for c in coords) / 8, low_z))
    obj.data.transform(Matrix.Translation(-centre))
    obj.matrix_world = obj.matrix_world @ Matrix.Translation(centre)


def place_on_ground(obj: bpy.types.Object, cursor: Vector) -> str:
    """Origin at the bottom centre, then the object stands on the 3D cursor."""
    obj.parent = None
    set_origin_bottom_center(obj)
    low, high = world_bounds(obj)
    bottom = Vector(((low.x + high.x) / 2, (low.y + high.y) / 2, low.z))
    obj.location += cursor - bottom
    return f"Placed on the ground at {tuple(round(v, 3) for v in cursor)}"


def normalise_height(obj: bpy.types.Object, height: float) -> str:
    """Scale uniformly so the object is ``height`` metres tall, and apply the scale."""
    if height <= 0:
        raise InvalidInputError("The target height must be above zero.")
    low, high = world_bounds(_mesh(obj))
    current = high.z - low.z
    if current <= 1e-9:
        raise InvalidInputError(f"'{obj.name}' has no height to scale.")
    factor = height / current
    obj.scale = obj.scale * factor
    apply_transform(obj, location=False, rotation=False, scale=True)
    return f"Scaled by {factor:.4g} to {height:g} m"


def apply_transform(obj: bpy.types.Object, *, location: bool, rotation: bool, scale: bool) -> None:
    """Bake the chosen parts of the object's transform into its mesh (like Ctrl+A, without operators)."""
    loc, rot, scl = obj.matrix_basis.decompose()
    bake = Matrix.Identity(4)
    if location:
        bake = Matrix.Translation(loc) @ bake
    if rotation:
        bake = bake @ rot.to_matrix().to_4x4()
    if scale:
        bake = bake @ Matrix.Diagonal(scl.to_4d())
    obj.data.transform(bake)
    keep_loc = Vector() if location else loc
    keep_rot = Matrix.Identity(4) if rotation else rot.to_matrix().to_4x4()
    keep_scale = Matrix.Identity(4) if scale else Matrix.Diagonal(scl.to_4d())
    obj.matrix_basis = Matrix.Translation(keep_loc) @ keep_rot @ keep_scale


def fix_orientation(obj: bpy.types.Object, up_axis: str) -> str:
    """Rotate the mesh so its ``up_axis`` (as it was modelled) points up (+Z), and apply the rotation."""
    _mesh(obj)
    source = UP_AXES[up_axis]
    rotation = source.rotation_difference(Vector((0, 0, 1))).to_matrix().to_4x4()
    obj.data.transform(rotation)
    return f"Turned {up_axis} up"


def shade_auto_smooth(obj: bpy.types.Object, angle_degrees: float = 30.0) -> str:
    """Smooth shading with sharp edges kept above ``angle_degrees``."""
    mesh = _mesh(obj).data
    if hasattr(mesh, "set_sharp_from_angle"):  # 4.1+
        mesh.shade_smooth()
        mesh.set_sharp_from_angle(angle=math.radians(angle_degrees))
    else:
        for polygon in mesh.polygons:
            polygon.use_smooth = True
    return f"Auto smooth at {angle_degrees:g}°"


def merge_by_distance(obj: bpy.types.Object, distance: float = 1e-4) -> str:
    """Merge vertices closer than ``distance`` (generated meshes often have split seams)."""
    mesh = _mesh(obj).data
    bm = bmesh.new()
    bm.from_mesh(mesh)
    before = len(bm.verts)
    bmesh.ops.remove_doubles(bm, verts=bm.verts, dist=distance)
    removed = before - len(bm.verts)
    bm.to_mesh(mesh)
    bm.free()
    mesh.update()
    return f"Merged {removed} vertices"


def decimate_to(obj: bpy.types.Object, target_faces: int) -> str:
    """Reduce the mesh to about ``target_faces`` triangles with a collapse decimation, applied."""
    obj = _mesh(obj)
    current = sum(len(p.vertices) - 2 for p in obj.data.polygons)
    if target_faces <= 0:
        raise InvalidInputError("The target face count must be above zero.")
    if current <= target_faces:
        return f"Already {current} faces"
    modifier = obj.modifiers.new("Meshsmith Decimate", "DECIMATE")
    modifier.decimate_type = "COLLAPSE"
    modifier.ratio = target_faces / current
    depsgraph = bpy.context.evaluated_depsgraph_get()
    evaluated = obj.evaluated_get(depsgraph)
    new_mesh = bpy.data.meshes.new_from_object(evaluated, preserve_all_data_layers=True, depsgraph=depsgraph)
    obj.modifiers.remove(modifier)
    old = obj.data
    obj.data = new_mesh
    new_mesh.name = old.name
    if old.users == 0:
        bpy.data.meshes.remove(old)
    return f"Decimated from {current} to {len(new_mesh.polygons)} faces"


def object_images(obj: bpy.types.Object) -> list[bpy.types.Image]:
    images = []
    for slot in obj.material_slots:
        if slot.material is not None and slot.material.node_tree is not None:
            for node in slot.material.node_tree.nodes:
                if node.type == "TEX_IMAGE" and node.image is not None and node.image not in images:
                    images.append(node.image)
    return images


def pack_textures(obj: bpy.types.Object) -> str:
    """Pack every texture the object's materials use into the .blend, so the file travels alone."""
    packed = 0
    for image in object_images(_mesh(obj)):
        if image.packed_file is None and image.source == "FILE":
            image.pack()
            packed += 1
    return f"Packed {packed} texture(s)"


def mark_as_asset(obj: bpy.types.Object, metadata: Mapping[str, Any], preview: Path | None = None) -> str:
    """Mark the object as an asset with the generation metadata in its description and tags.

    ``preview``: a picture of the model (the service's preview or Meshsmith's render) for the Asset
    Browser. Without one, Blender renders a preview when there is a UI to render it with.
    """
    obj.asset_mark()
    data = obj.asset_data
    lines = [f"{key}: {value}" for key, value in metadata.items() if value not in ("", None)]
    data.description = "Generated with Meshsmith. " + "; ".join(lines)
    existing = {tag.name for tag in data.tags}
    for tag in ["Meshsmith", *(str(metadata[key]) for key in ("provider",) if metadata.get(key))]:
        if tag not in existing:
            data.tags.new(tag)
    for key in ("seed", "job_id"):
        if metadata.get(key) not in ("", None):
            name = f"{key}:{metadata[key]}"
            if name not in existing:
                data.tags.new(name)
    if preview is not None and preview.is_file():
        set_asset_preview(obj, preview)
    elif not bpy.app.background:
        try:
            obj.asset_generate_preview()
        except RuntimeError:
            pass  # no window to render with yet; the Asset Browser makes one later
    return "Marked as asset"


def set_asset_preview(obj: bpy.types.Object, picture: Path) -> None:
    """Use an image file as the asset's preview (kept in the .blend); remembered so it is tried once.

    A picture Blender cannot load leaves the preview as it was: a preview is never worth an error.
    """
    obj[ASSET_PREVIEW_PROP] = str(picture)
    try:
        with bpy.context.temp_override(id=obj):
            bpy.ops.ed.lib_id_load_custom_preview(filepath=str(picture))
    except RuntimeError as exc:
        import logging  # only here: logging is not loaded while the add-on registers

        logging.getLogger("meshsmith").warning("could not use %s as the preview of %s: %s", picture.name, obj.name, exc)


def generation_metadata(obj: bpy.types.Object) -> dict[str, Any]:
    """What the import recorded on the object (provider, prompt, seed, job id, cost)."""
    keys = ("provider", "prompt", "seed", "job_id", "remote_id", "cost")
    return {key: obj.get(f"meshsmith_{key}", "") for key in keys}


PRESETS: dict[str, list[tuple[str, dict]]] = {
    "GAME": [("merge", {}), ("ground", {}), ("height", {"height": 1.8}), ("decimate", {"faces": 10000}),
             ("smooth", {}), ("pack", {})],
    "FILM": [("ground", {}), ("smooth", {}), ("pack", {}), ("asset", {})],
    "PRINT": [("merge", {}), ("ground", {}), ("height", {"height": 0.1})],
}


def apply_preset(obj: bpy.types.Object, preset: str, cursor: Vector, preview: Path | None = None) -> list[str]:
    """Run a preset's steps in order; returns what each did. ``preview``: for marking as an asset."""
    steps = {
        "merge": lambda o, **k: merge_by_distance(o),
        "ground": lambda o, **k: place_on_ground(o, cursor),
        "height": lambda o, height: normalise_height(o, height),
        "decimate": lambda o, faces: decimate_to(o, faces),
        "smooth": lambda o, **k: shade_auto_smooth(o),
        "pack": lambda o, **k: pack_textures(o),
        "asset": lambda o, **k: mark_as_asset(o, generation_metadata(o), preview),
    }
    return [steps[name](obj, **options) for name, options in PRESETS.get(preset, [])]


def meshes(objects: Iterable[bpy.types.Object]) -> list[bpy.types.Object]:
    return [obj for obj in objects if obj is not None and obj.type == "MESH"]
