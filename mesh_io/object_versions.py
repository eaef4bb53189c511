"""An object's geometry versions: the artist's object and what Remesh and UV Unwrap made of it (main thread).

A tool's result comes in as an object of its own at the original's place; the version shown is visible and
renders, every other version of the same object is hidden (never deleted), so switching is one click either way
and one undo step. Versions know each other by a family id written on each (the original's), so renaming any of
them keeps the family; each carries what made it ("Original", "Remeshed: 8,000 quads", "UV unwrapped").
"""

from __future__ import annotations

import uuid

import bpy

FAMILY_PROP = "meshsmith_version_family"
LABEL_PROP = "meshsmith_version_label"
ORDER_PROP = "meshsmith_version_order"


def family_of(obj: bpy.types.Object) -> str:
    return str(obj.get(FAMILY_PROP, ""))


def add_object_version(original: bpy.types.Object, version: bpy.types.Object, label: str) -> None:
    """Make ``version`` the newest version of ``original``'s family (starting the family if needed) and show it."""
    family = family_of(original)
    if not family:
        family = uuid.uuid4().hex
        original[FAMILY_PROP], original[LABEL_PROP], original[ORDER_PROP] = family, "Original", 0
    members = object_versions(original)
    version[FAMILY_PROP], version[LABEL_PROP] = family, label
    version[ORDER_PROP] = max(int(obj.get(ORDER_PROP, 0)) for obj in members) + 1
    show_version(version)


def object_versions(obj: bpy.types.Object) -> list[bpy.types.Object]:
    """The versions of ``obj``'s family in this file, oldest first ([] when it has none)."""
    family = family_of(obj)
    if not family:
        return []
    return sorted((other for other in bpy.data.objects if other.get(FAMILY_PROP) == family),
                  key=lambda other: int(other.get(ORDER_PROP, 0)))


def show_version(obj: bpy.types.Object) -> None:
    """Show ``obj`` (visible, rendered, selected and active) and hide the family's other versions."""
    view_layer = bpy.context.view_layer
    for other in object_versions(obj):
        if other is not obj:
            if other.name in view_layer.objects:
                other.hide_set(True)
            other.hide_render = True
    if obj.name in view_layer.objects:
        obj.hide_set(False)
    obj.hide_render = False
    if obj.name in view_layer.objects:
        for other in view_layer.objects:
            other.select_set(False)
        obj.select_set(True)
        view_layer.objects.active = obj
