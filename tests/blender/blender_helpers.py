"""Helpers shared by the Blender tests (imported by name: pytest puts this folder on sys.path)."""

from __future__ import annotations

import importlib
import time
from typing import Any

import bpy

from tools.blender_env import MODULE_NAME


def submodule(name: str) -> Any:
    """A module of the enabled add-on, e.g. ``submodule('host.runtime')``."""
    return importlib.import_module(f"{MODULE_NAME}.{name}")


def clean_scene() -> None:
    for collection in (bpy.data.objects, bpy.data.meshes, bpy.data.materials, bpy.data.images, bpy.data.collections):
        for item in list(collection):
            collection.remove(item)


def drain_until(runtime, condition, timeout: float = 15.0) -> None:
    """Run the add-on's main-thread tick (``runtime.drain``) until ``condition()`` holds; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)
        runtime.drain(bpy.context)
    assert condition()
