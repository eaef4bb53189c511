"""An object's material versions: the original look and each retexture, switchable and removable (main thread).

Every retexture that lands on the artist's own object adds a version; the first one adds the "Original"
version too (the materials the object had). A version lists the materials of the object's slots. The
list lives on the object as a JSON custom property, so it is saved in the .blend and survives reload; the
materials of every version keep a fake user, so a version that is not shown is not lost on save. Materials
are found by a key written on them, not by name: renaming one does not break its version.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import bpy

from ..net.errors import InvalidInputError

VERSIONS_PROP = "meshsmith_material_versions"
MATERIAL_KEY_PROP = "meshsmith_version_key"


def versions(obj: bpy.types.Object) -> list[dict[str, Any]]:
    """The object's versions, original first ([] when it was never retextured). Unreadable data reads as none."""
    try:
        found = json.loads(obj.get(VERSIONS_PROP, "[]"))
    except (TypeError, ValueError):
        return []
    return [entry for entry in found if isinstance(entry, dict)] if isinstance(found, list) else []


def add_version(obj: bpy.types.Object, material: bpy.types.Material, *, provider: str, source: str, seed: Any,
                job_id: str) -> None:
    """Record ``material`` (just put on every slot) as the object's newest version; the original first if needed.

    Call it *before* assigning the material: the original is what the slots hold now."""
    found = versions(obj)
    if not found:
        found.append({"label": "Original", "materials": [_key_of(slot.material) for slot in obj.material_slots],
                      "provider": "", "source": "", "seed": "", "date": time.time(), "job_id": ""})
    found.append({"label": f"{provider.title()}: {source[:40]}" if source else provider.title(),
                  "materials": [_key_of(material)], "provider": provider, "source": source,
                  "seed": "" if seed is None else str(seed), "date": time.time(), "job_id": job_id})
    _save(obj, found)


def current(obj: bpy.types.Object) -> int:
    """The index of the version the object shows now, or -1 (the artist changed its materials since)."""
    shown = [_key_of(slot.material, create=False) for slot in obj.material_slots]
    for index, version in enumerate(versions(obj)):
        keys = version.get("materials", [])
        if keys == shown or (len(keys) == 1 and shown and all(key == keys[0] for key in shown)):
            return index
    return -1


def switch_to(obj: bpy.types.Object, index: int) -> None:
    """Show version ``index`` on the object (its materials on its slots). Raises ``InvalidInputError``."""
    found = versions(obj)
    if not 0 <= index < len(found):
        raise InvalidInputError("That material version no longer exists.")
    keys = found[index].get("materials", [])
    materials = [_material_by_key(key) for key in keys]
    if any(material is None for key, material in zip(keys, materials, strict=True) if key):
        raise InvalidInputError("A material of that version was deleted from the file; it cannot be shown.")
    if len(materials) == 1 and obj.material_slots:
        for slot in obj.material_slots:
            slot.material = materials[0]
    elif len(materials) == len(obj.material_slots):
        for slot, material in zip(obj.material_slots, materials, strict=True):
            slot.material = material
    elif not materials:  # the original had no material
        for slot in obj.material_slots:
            slot.material = None
    else:
        raise InvalidInputError("The object's material slots changed since that version; it cannot be shown.")


def remove(obj: bpy.types.Object, index: int) -> None:
    """Forget version ``index`` (not the original); its material leaves the file when nothing else uses it."""
    found = versions(obj)
    if not 1 <= index < len(found):
        raise InvalidInputError("The original version cannot be removed.")
    if current(obj) == index:
        switch_to(obj, 0)
    gone = found.pop(index)
    _save(obj, found)
    still_used = {key for version in found for key in version.get("materials", [])}
    for key in gone.get("materials", []):
        material = _material_by_key(key)
        if material is not None and key not in still_used:
            material.use_fake_user = False
            if material.users == 0:
                bpy.data.materials.remove(material)


def _save(obj: bpy.types.Object, found: list[dict[str, Any]]) -> None:
    obj[VERSIONS_PROP] = json.dumps(found)
    for version in found:
        for key in version.get("materials", []):
            material = _material_by_key(key)
            if material is not None:
                material.use_fake_user = True  # kept in the file while another version is shown


def _key_of(material: bpy.types.Material | None, *, create: bool = True) -> str:
    if material is None:
        return ""
    key = material.get(MATERIAL_KEY_PROP)
    if not isinstance(key, str) or not key:
        if not create:
            return ""
        key = uuid.uuid4().hex[:12]
        material[MATERIAL_KEY_PROP] = key
    return key


def _material_by_key(key: str) -> bpy.types.Material | None:
    if not key:
        return None
    return next((material for material in bpy.data.materials if material.get(MATERIAL_KEY_PROP) == key), None)
