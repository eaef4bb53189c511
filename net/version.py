"""Meshsmith's version: read from blender_manifest.toml, the one place it is written. bpy-free."""

from __future__ import annotations

import tomllib
from pathlib import Path

_MANIFEST = Path(__file__).resolve().parent.parent / "blender_manifest.toml"


def _read() -> str:
    try:
        with _MANIFEST.open("rb") as handle:
            return str(tomllib.load(handle)["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "0.0.0"


VERSION = _read()
"""The version string, e.g. "1.4.2" (SemVer, as the manifest requires)."""
