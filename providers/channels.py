"""Which PBR channel a texture file is, from its name and the key a service sent it under. Pure and unit-tested.

Services name maps by suffix (Meshy: ``texture_0_normal.png``; Scenario asset types
``3d-texture-roughness``). Where the key a service used and the file name disagree, the name wins:
Meshy's old docs swapped the normal and roughness URLs (the Text to Texture sample response in Meshy's API reference).
"""

from __future__ import annotations

import re
from enum import Enum


class Channel(str, Enum):
    BASE_COLOR = "BASE_COLOR"
    METALLIC = "METALLIC"
    ROUGHNESS = "ROUGHNESS"
    METALLIC_ROUGHNESS = "METALLIC_ROUGHNESS"
    NORMAL = "NORMAL"
    EMISSION = "EMISSION"

    @property
    def is_color(self) -> bool:
        """Colour data is sRGB; every other channel is data (Non-Color)."""
        return self in (Channel.BASE_COLOR, Channel.EMISSION)


# Order matters: the packed and more specific names are tried before their parts.
_PATTERNS: list[tuple[Channel, re.Pattern[str]]] = [
    (Channel.METALLIC_ROUGHNESS, re.compile(r"(metallic[_-]?roughness|metal[_-]?rough|\borm\b|_orm\b|_arm\b)")),
    (Channel.NORMAL, re.compile(r"(normal|_nrm\b|_nor\b|_n\b)")),
    (Channel.ROUGHNESS, re.compile(r"(roughness|_rough\b)")),
    (Channel.METALLIC, re.compile(r"(metallic|metalness|_metal\b)")),
    (Channel.EMISSION, re.compile(r"(emission|emissive|_emit\b)")),
    (Channel.BASE_COLOR, re.compile(r"(base[_-]?colou?r|albedo|diffuse|_color\b|_col\b|basecolor)")),
]

_KEYS = {
    "base_color": Channel.BASE_COLOR, "basecolor": Channel.BASE_COLOR, "albedo": Channel.BASE_COLOR,
    "metallic": Channel.METALLIC, "roughness": Channel.ROUGHNESS, "normal": Channel.NORMAL,
    "emission": Channel.EMISSION, "metallic_roughness": Channel.METALLIC_ROUGHNESS,
}


def channel_from_filename(name: str) -> Channel | None:
    """The channel a file name announces, or None when it says nothing (``texture_0.png``)."""
    stem = name.rsplit("/", 1)[-1].split("?", 1)[0].rsplit(".", 1)[0].lower()
    for channel, pattern in _PATTERNS:
        if pattern.search(stem):
            return channel
    return None


def channel_from_key(key: str) -> Channel | None:
    return _KEYS.get(key.lower().replace("-", "_").replace("3d_texture_", ""))


def resolve_channel(key: str, filename: str) -> Channel | None:
    """The channel for a map the service sent under ``key`` with file name ``filename``.

    The file name wins when it names a channel; an unnamed file (Meshy's base colour is plain
    ``texture_0.png``) takes the key's channel.
    """
    return channel_from_filename(filename) or channel_from_key(key)
