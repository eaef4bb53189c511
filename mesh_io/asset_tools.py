"""Bring a Remesh or UV Unwrap result in as a new version of the artist's object, keeping its look (main thread).

- Remesh: the new mesh (as the bake unwrapped it) comes in at the object's place with a material made from the
  object's look baked onto it (``jobs/baking.bake_job``); the object's other data is not carried over.
- UV Unwrap: a copy of the object (its mesh, modifiers and materials) gets the returned UV layout as a new UV map
  (moved over surface to surface, so the returned mesh may split or reorder vertices), made active for rendering;
  its old UV maps stay, and the materials keep reading the map they read before, so the look does not change.
Either way the original is hidden, never deleted, and the family's versions switch both ways
(``object_versions``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import bpy

from ..net.errors import ImportFailedError
from ..providers.channels import Channel
from .importer import TAG_PREFIX, import_glb, tag_value
from .materials import assign_material, build_material_from_maps
from .object_versions import add_object_version

NEW_UV_MAP = "Meshy UV"


def add_remeshed_version(original: bpy.types.Object, model: Path, maps: Mapping[Channel, Path], *, name: str,
                         label: str, tags: Mapping[str, Any]) -> bpy.types.Object:
    """The remeshed mesh at ``original``'s place (``model`` is in the object's own space), wearing the baked maps."""
    objects = import_glb(model, name=name, tags=tags, matrix=original.matrix_world.copy())
    version = objects[0]
    if maps:
        uv_map = version.data.uv_layers.active.name if version.data.uv_layers.active else ""
        assign_material(version, build_material_from_maps(f"{name} look", dict(maps), uv_map=uv_map))
    _same_collections(version, original)
    add_object_version(original, version, label)
    return version


def add_unwrapped_version(original: bpy.types.Object, result: Path, *, name: str, label: str,
                          tags: Mapping[str, Any]) -> bpy.types.Object:
    """A copy of ``original`` with the UV layout of ``result`` (the returned GLB, placed as it says) added."""
    version = original.copy()
    version.data = original.data.copy()
    version.name = name
    for collection in original.users_collection:
        collection.objects.link(version)
    for key, value in tags.items():
        if isinstance(value, (str, int, float, bool)):
            version[TAG_PREFIX + key] = tag_value(value)
    old_render_map = next((uv.name for uv in version.data.uv_layers if uv.active_render), "")
    source = _imported(result)
    try:
        _transfer_uvs(version, source)
    finally:
        _remove(source)
    new_map = version.data.uv_layers[NEW_UV_MAP]
    new_map.active_render = True
    version.data.uv_layers.active = new_map
    if old_render_map:
        _pin_uv_map(version, old_render_map)
    add_object_version(original, version, label)
    return version


def _imported(result: Path) -> bpy.types.Object:
    before = set(bpy.data.objects)
    try:
        bpy.ops.import_scene.gltf(filepath=str(result))
    except RuntimeError as exc:
        raise ImportFailedError(f"Blender could not read the unwrapped model: {str(exc).strip().splitlines()[-1]}") \
            from None
    new = [obj for obj in bpy.data.objects if obj not in before]
    meshes = [obj for obj in new if obj.type == "MESH" and obj.data.uv_layers]
    for obj in new:
        if obj not in meshes[:1]:
            bpy.data.objects.remove(obj)
    if not meshes:
        raise ImportFailedError("The unwrapped model came back without a mesh with UVs.")
    return meshes[0]


def _transfer_uvs(version: bpy.types.Object, source: bpy.types.Object) -> None:
    """The source's UVs onto a new UV map of ``version``, by nearest surface point (Blender's Data Transfer)."""
    target_map = version.data.uv_layers.new(name=NEW_UV_MAP)
    if target_map is None:
        raise ImportFailedError(f"'{version.name}' has the most UV maps a mesh can have; remove one, then import.")
    version.data.uv_layers.active = target_map
    modifier = version.modifiers.new("Meshsmith UV", "DATA_TRANSFER")
    modifier.object = source
    modifier.use_object_transform = True
    modifier.use_loop_data = True
    modifier.data_types_loops = {"UV"}
    modifier.loop_mapping = "POLYINTERP_NEAREST"
    source.data.uv_layers.active.name = NEW_UV_MAP  # matched by name: the returned map into the new one
    modifier.layers_uv_select_src = NEW_UV_MAP
    modifier.layers_uv_select_dst = "NAME"
    view_layer = bpy.context.view_layer
    try:
        with bpy.context.temp_override(object=version, active_object=version, selected_objects=[version],
                                       view_layer=view_layer):
            bpy.ops.object.modifier_move_to_index(modifier=modifier.name, index=0)
            bpy.ops.object.modifier_apply(modifier=modifier.name)
    except RuntimeError as exc:
        version.modifiers.remove(modifier)
        raise ImportFailedError(f"Blender could not move the new UV map onto '{version.name}': "
                                f"{str(exc).strip().splitlines()[-1]}") from None


def _pin_uv_map(version: bpy.types.Object, uv_map: str) -> None:
    """Every image texture of the object's materials that read the render UV map reads ``uv_map`` by name."""
    for slot in version.material_slots:
        material = slot.material
        if material is None or material.node_tree is None:
            continue
        tree = material.node_tree
        for node in list(tree.nodes):
            if node.type == "TEX_IMAGE" and not node.inputs["Vector"].is_linked:
                reader = tree.nodes.new("ShaderNodeUVMap")
                reader.uv_map = uv_map
                reader.location = (node.location.x - 200, node.location.y)
                tree.links.new(reader.outputs["UV"], node.inputs["Vector"])


def _same_collections(version: bpy.types.Object, original: bpy.types.Object) -> None:
    for collection in list(version.users_collection):
        collection.objects.unlink(version)
    for collection in original.users_collection:
        collection.objects.link(version)


def _remove(obj: bpy.types.Object) -> None:
    mesh = obj.data
    materials = [slot.material for slot in obj.material_slots if slot.material is not None]
    bpy.data.objects.remove(obj)
    if mesh is not None and mesh.users == 0:
        bpy.data.meshes.remove(mesh)
    for material in materials:
        if material.users == 0:
            bpy.data.materials.remove(material)
