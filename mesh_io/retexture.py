"""Put a texturing result onto the artist's own mesh, non-destructively.

With the original UVs kept (or once a result with a mesh of its own has been baked onto the original's
UVs), the returned maps are wired onto a NEW material on the ORIGINAL object, recorded as a material version;
the previous materials stay in the file (kept with a fake user) and one undo step brings them back.
Without them, the returned GLB comes in as a new object at the original's transform and the
original is hidden, never deleted.
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


def apply_maps_to_object(obj: bpy.types.Object, maps: Mapping[Channel, Path], *, name: str,
                         tags: Mapping[str, Any], uv_map: str = "") -> bpy.types.Material:
    """A new PBR material from ``maps`` on every slot of ``obj``, recorded as a new material version; the old
    materials are kept in the file. ``uv_map``: the UV map the maps were made for (a bake)."""
    from .versions import add_version

    if Channel.BASE_COLOR not in maps:
        raise ImportFailedError("The texturing result has no base colour map.")
    for slot in obj.material_slots:
        if slot.material is not None:
            slot.material.use_fake_user = True  # keep it in the file after it loses its last user
    material = build_material_from_maps(name, dict(maps), uv_map=uv_map)
    add_version(obj, material, provider=str(tags.get("provider", "")), source=str(tags.get("prompt", "")),
                seed=tags.get("seed"), job_id=str(tags.get("job_id", "")))
    assign_material(obj, material)
    for key, value in tags.items():
        if isinstance(value, (str, int, float, bool)):
            material[TAG_PREFIX + key] = tag_value(value)
            obj[TAG_PREFIX + "retexture_" + key] = tag_value(value)
    return material


def import_beside(original: bpy.types.Object, glb: Path, *, name: str, tags: Mapping[str, Any]) -> list[bpy.types.Object]:
    """Import the returned model as a new object at the original's transform and hide the original."""
    objects = import_glb(glb, name=name, tags=tags, matrix=original.matrix_world.copy())
    original.hide_set(True)
    original.hide_render = True
    return objects
