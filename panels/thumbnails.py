"""Job thumbnails for the job list: one ``bpy.utils.previews`` collection, loaded lazily, freed on unregister."""

from __future__ import annotations

from pathlib import Path

import bpy.utils.previews

_collection = None
"""Blender's preview collection of job thumbnails: a registration handle, made and freed with this module's
register/unregister (Blender owns the images), so it lives here rather than in the host's state."""


def icon_for(job_id: str, path: str) -> int:
    """The icon id of a job's preview image (0 when it has none); each file is loaded once."""
    global _collection
    if not path or not Path(path).is_file():
        return 0
    if _collection is None:
        _collection = bpy.utils.previews.new()
    key = f"{job_id}:{path}"
    if key not in _collection:
        _collection.load(key, path, "IMAGE")
    return _collection[key].icon_id


def register() -> None:
    pass


def unregister() -> None:
    global _collection
    if _collection is not None:
        bpy.utils.previews.remove(_collection)
        _collection = None
