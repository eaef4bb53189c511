"""The pixel size of a result's image, read from its header, and the limit that keeps import and bake bounded.

Blender unpacks every image it imports (and the bake renders into several of them): a 16384 x 16384 texture is
a gigabyte in memory before anything is drawn. The services Meshsmith reaches make textures of 4K at most, so
a result image over ``MAX_IMAGE_SIDE`` on a side is refused before Blender sees it. Only the header is read:
PNG's IHDR, JPEG's start-of-frame, WebP's VP8/VP8L/VP8X chunk.
"""

from __future__ import annotations

import struct

from .errors import RefusedAnswerError

MAX_IMAGE_SIDE = 8192
"""The largest width or height accepted (8K: twice the largest texture any service here makes)."""
HEADER_BYTES = 1 << 20
"""How much of an image is read to find its size (a JPEG's metadata may come before its frame header)."""
_JPEG_FRAMES = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def image_dimensions(head: bytes) -> tuple[int, int] | None:
    """(width, height) from the first bytes of a PNG, JPEG or WebP; None when they do not say."""
    if head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR" and len(head) >= 24:
        return struct.unpack(">II", head[16:24])
    if head[:2] == b"\xff\xd8":
        return _jpeg_dimensions(head)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _webp_dimensions(head)
    return None


def _jpeg_dimensions(head: bytes) -> tuple[int, int] | None:
    offset = 2
    while offset + 4 <= len(head):
        if head[offset] != 0xFF:
            return None
        marker = head[offset + 1]
        if marker == 0xFF:  # fill byte
            offset += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            offset += 2
            continue
        (length,) = struct.unpack(">H", head[offset + 2:offset + 4])
        if marker in _JPEG_FRAMES:
            if offset + 9 > len(head):
                return None
            height, width = struct.unpack(">HH", head[offset + 5:offset + 9])
            return width, height
        if length < 2:
            return None
        offset += 2 + length
    return None


def _webp_dimensions(head: bytes) -> tuple[int, int] | None:
    kind = head[12:16]
    if kind == b"VP8 " and len(head) >= 30:
        width, height = struct.unpack("<HH", head[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if kind == b"VP8L" and len(head) >= 25:
        bits = int.from_bytes(head[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if kind == b"VP8X" and len(head) >= 30:
        return int.from_bytes(head[24:27], "little") + 1, int.from_bytes(head[27:30], "little") + 1
    return None


def check_image_size(head: bytes, *, what: str, service: str) -> None:
    """Refuse an image whose header says it is over ``MAX_IMAGE_SIDE`` on a side, or does not say its size."""
    size = image_dimensions(head)
    if size is None:
        raise RefusedAnswerError(f"{service} sent {what} whose size Meshsmith cannot read (not a PNG, JPEG or WebP "
                                 "image). Nothing was imported.")
    width, height = size
    if width > MAX_IMAGE_SIDE or height > MAX_IMAGE_SIDE:
        raise RefusedAnswerError(
            f"{service} sent {what} of {width} x {height} pixels; Meshsmith takes up to {MAX_IMAGE_SIDE} on a side, "
            "so that importing and baking it cannot exhaust this computer's memory. Nothing was imported; ask the "
            "service for a lower texture resolution.")
