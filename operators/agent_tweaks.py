"""The agent's ``tweak`` tool: the Tweak Result operators on one named object (free, local, one undo step each)."""

from __future__ import annotations

from typing import Any

import bpy

from ..net import errors as E

TWEAKS: dict[str, tuple[str, ...]] = {
    "place_on_ground": (), "normalise_size": ("height",), "fix_orientation": ("up_axis",),
    "shade_auto_smooth": ("angle",), "merge_by_distance": ("distance",), "decimate": ("target_faces",),
    "pack_textures": (), "mark_asset": (), "apply_preset": ("preset",),
}
"""Each tweak (the operator ``meshsmith.<name>``) and the values it takes."""


def tweak(context, object_name: str, action: str, height: float | None = None, up_axis: str | None = None,
          angle: float | None = None, distance: float | None = None, target_faces: int | None = None,
          preset: str | None = None) -> dict[str, Any]:
    """Run one tweak on the object, as the sidebar's button runs it on a selection of that object alone."""
    if action not in TWEAKS:
        raise E.InvalidInputError(f"action must be one of {', '.join(TWEAKS)}.")
    obj = context.scene.objects.get(object_name)
    if obj is None or obj.type != "MESH":
        raise E.InvalidInputError(f"No mesh object named '{object_name}' in the scene; list_objects lists them.")
    given = {"height": height, "up_axis": up_axis, "angle": angle, "distance": distance, "target_faces": target_faces,
             "preset": preset}
    stray = sorted(name for name, value in given.items() if value is not None and name not in TWEAKS[action])
    if stray:
        raise E.InvalidInputError(f"{action} takes {', '.join(TWEAKS[action]) or 'no value'}, not {', '.join(stray)}.")
    values = {name: given[name] for name in TWEAKS[action] if given[name] is not None}
    with context.temp_override(active_object=obj, object=obj, selected_objects=[obj]):
        try:
            getattr(bpy.ops.meshsmith, action)(**values)
        except (RuntimeError, TypeError) as exc:  # the operator's own report, or a value it does not take
            raise E.InvalidInputError(str(exc).removeprefix("Error: ").strip()) from None
    return {"object": obj.name, "done": action, "faces": len(obj.data.polygons),
            "dimensions": [round(value, 4) for value in obj.dimensions]}
