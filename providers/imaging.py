"""Shrink a reference image to the resolution the model actually uses before it is uploaded.

Hunyuan3D (2.0 on Segmind, 2.1 on Scenario) conditions on the image at 518 px (its DINOv2 encoder's
input size), so an 8K photo carries about 240 times the pixels the model will ever look at. Sending
at most 518 px on the longer side keeps uploads small and fast without changing what the model sees.

Called from the worker thread. The image's size is read from its header (PNG, JPEG, WebP) without
decoding; only a larger image is decoded, and that happens in a child process (the Blender binary in
Blender; this Python with the ``bpy`` wheel elsewhere), using Blender's ``imbuf``. Decoding in-process
would hold Python's global lock for a second or more on an 8K photo and freeze Blender's Python UI;
waiting on a child process does not. If the child cannot run, the file is sent as it is.
"""

from __future__ import annotations

import struct
from pathlib import Path

from .blender_process import blender_command, run_blender

HUNYUAN_INPUT_PX = 518
# Decoding and resizing an 8K photo takes about a second; a child that takes far longer is stuck.
SHRINK_TIMEOUT_S = 120.0

_CHILD = """
import sys
args = sys.argv[sys.argv.index('--') + 1:] if '--' in sys.argv else sys.argv[1:]
source, target, side = args[0], args[1], int(args[2])
import imbuf
image = imbuf.load(source)
width, height = image.size
scale = side / max(width, height)
image.resize((max(1, round(width * scale)), max(1, round(height * scale))), method='BILINEAR')
imbuf.write(image, filepath=target)
"""


def image_size(path: Path) -> tuple[int, int] | None:
    """(width, height) from a PNG, JPEG or WebP header, without decoding; None when it cannot tell."""
    try:
        with path.open("rb") as handle:
            head = handle.read(32)
            if head.startswith(b"\x89PNG\r\n\x1a\n"):
                return struct.unpack(">II", head[16:24])
            if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
                if head[12:16] == b"VP8X":
                    w = int.from_bytes(head[24:27], "little") + 1
                    h = int.from_bytes(head[27:30], "little") + 1
                    return w, h
                return None
            if head.startswith(b"\xff\xd8"):
                handle.seek(2)
                while True:
                    marker = handle.read(4)
                    if len(marker) < 4 or marker[0] != 0xFF:
                        return None
                    kind, length = marker[1], struct.unpack(">H", marker[2:4])[0]
                    if kind in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
                        height, width = struct.unpack(">HH", handle.read(5)[1:5])
                        return width, height
                    handle.seek(length - 2, 1)
    except (OSError, struct.error):
        return None
    return None


def shrink_for_upload(path: Path, max_side: int, workdir: Path, blender_binary: str = "") -> Path:
    """``path`` itself when it is small enough (or cannot be shrunk), else a shrunk copy in ``workdir``."""
    size = image_size(path)
    if size is not None and max(size) <= max_side:
        return path
    workdir.mkdir(parents=True, exist_ok=True)
    target = workdir / f"upload_{max_side}px{path.suffix.lower()}"
    command = blender_command(blender_binary, [str(path), str(target), str(max_side)], code=_CHILD)
    if not run_blender(command, timeout_s=SHRINK_TIMEOUT_S):
        return path
    return target if target.is_file() and target.stat().st_size > 0 else path
