"""Import a result GLB into the scene: find exactly what the importer made, place it, name it, tag it.

Runs on the main thread only. The new objects are found by diffing ``bpy.data.objects`` before and
after Blender's own glTF importer, moved into a "Meshsmith" collection, placed at the 3D cursor,
selected with the largest mesh active, and tagged with where they came from (never a secret).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import bpy

from ..net.errors import ImportFailedError
from .materials import normalise_material

COLLECTION_NAME = "Meshsmith"
TAG_PREFIX = "meshsmith_"
# Parameters recorded on the object; anything else in a job's params (never a key) is skipped.
_TAG_TYPES = (str, int, float, bool)


def object_name_for(prompt: str, image_path: str, fallback: str = "Generated") -> str:
    """A readable object name from the prompt, else the image's file name."""
    source = prompt.strip() or (Path(image_path).stem if image_path else "") or fallback
    words = re.sub(r"[^\w\s-]", "", source).split()
    return " ".join(words[:6])[:48] or fallback


def importer_reason(exc: BaseException) -> str:
    """The last meaningful line of an importer error, never its traceback (which names files and paths)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith(("Traceback", "File ", "^", "~"))] or ["unknown error"]
    reason = lines[-1]
    reason = reason.split(": ", 1)[1] if reason.startswith(("Error: ", "RuntimeError: ")) else reason
    return reason[:200]


def _ensure_collection(scene: bpy.types.Scene) -> bpy.types.Collection:
    collection = bpy.data.collections.get(COLLECTION_NAME)
    if collection is None:
        collection = bpy.data.collections.new(COLLECTION_NAME)
    if collection.name not in scene.collection.children:
        scene.collection.children.link(collection)
    return collection


def _gltf_options() -> dict[str, Any]:
    """Importer options valid on every supported Blender (4.2 lacks some of 4.5's)."""
    wanted = {"import_shading": "NORMALS", "merge_vertices": False, "import_select_created_objects": True,
              "import_scene_as_collection": False}
    available = bpy.ops.import_scene.gltf.get_rna_type().properties.keys()
    return {key: value for key, value in wanted.items() if key in available}


def tag_value(value: str | int | float | bool) -> str | int | float | bool:
    """A value a custom property can hold: Blender's integer properties are 32-bit, so a larger integer (a seed
    up to 2³²−1) is kept as text."""
    if isinstance(value, int) and not isinstance(value, bool) and not -2 ** 31 <= value < 2 ** 31:
        return str(value)
    return value


def import_glb(
    filepath: Path,
    *,
    name: str,
    tags: Mapping[str, Any],
    context: bpy.types.Context | None = None,
    matrix: Any = None,
) -> list[bpy.types.Object]:
    """Import ``filepath`` and return the new objects, the main (largest) mesh first.

    Root objects go to the 3D cursor, or take ``matrix`` as their world matrix when one is given.
    """
    context = context or bpy.context
    scene = context.scene
    if context.view_layer.objects.active is not None and context.view_layer.objects.active.mode != "OBJECT":
        bpy.ops.object.mode_set(mode="OBJECT")
    before = set(bpy.data.objects)
    try:
        result = bpy.ops.import_scene.gltf(filepath=str(filepath), **_gltf_options())
    except RuntimeError as exc:
        raise ImportFailedError(f"Blender could not import the model: {importer_reason(exc)}") from None
    if "FINISHED" not in result:
        raise ImportFailedError("Blender's glTF importer did not finish.")
    new = [obj for obj in bpy.data.objects if obj not in before]
    if not new:
        raise ImportFailedError("The model file held no objects.")

    collection = _ensure_collection(scene)
    for obj in new:
        for owner in list(obj.users_collection):
            owner.objects.unlink(obj)
        collection.objects.link(obj)
    cursor = scene.cursor.location.copy()
    for obj in new:
        if obj.parent is None:
            if matrix is not None:
                obj.matrix_world = matrix
            else:
                obj.location = obj.location + cursor

    meshes = [obj for obj in new if obj.type == "MESH"]
    main = max(meshes, key=lambda obj: len(obj.data.polygons)) if meshes else new[0]
    main.name = name
    for obj in context.view_layer.objects:
        obj.select_set(False)
    for obj in new:
        if obj.name in context.view_layer.objects:
            obj.select_set(True)
    context.view_layer.objects.active = main

    for obj in new:
        for key, value in tags.items():
            if isinstance(value, _TAG_TYPES):
                obj[TAG_PREFIX + key] = tag_value(value)
    seen = set()
    for obj in meshes:
        for slot in obj.material_slots:
            if slot.material is not None and slot.material not in seen:
                seen.add(slot.material)
                normalise_material(slot.material)
    return [main] + [obj for obj in new if obj is not main]
