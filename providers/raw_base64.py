"""Images and meshes as raw base64 text (no ``data:`` prefix), as Hunyuan3D's API takes them: on Segmind and on
Tencent's own ``api_server.py``. Each caller passes its service's own limits."""

from __future__ import annotations

import base64
from pathlib import Path

from ..net import errors as E
from ..net.files import sniff_image
from .imaging import HUNYUAN_INPUT_PX, shrink_for_upload


def encode_image_file(path: Path, *, max_bytes: int, workdir: Path | None = None, blender_binary: str = "") -> str:
    """Read, check and shrink (to the model's input size) an input image; return it as base64 text.

    Raises ``InvalidInputError``.
    """
    try:
        size = path.stat().st_size
    except OSError:
        raise E.InvalidInputError(f"The image file '{path.name}' does not exist or cannot be read.") from None
    if size == 0:
        raise E.InvalidInputError(f"The image file '{path.name}' is empty.")
    if workdir is not None:
        path = shrink_for_upload(path, HUNYUAN_INPUT_PX, workdir, blender_binary)
        size = path.stat().st_size
    if size > max_bytes:
        raise E.InvalidInputError(
            f"The image file '{path.name}' is {size >> 20} MB; the limit is {max_bytes >> 20} MB. Save a smaller copy."
        )
    data = path.read_bytes()
    if sniff_image(data[:16]) is None:
        raise E.InvalidInputError(f"'{path.name}' is not a PNG, JPEG or WebP image.")
    return base64.b64encode(data).decode("ascii")


def encode_mesh_file(path: Path, *, max_bytes: int, service: str) -> str:
    """A GLB file as raw base64 (no ``data:`` prefix). Raises ``InvalidInputError`` for a missing, huge or non-GLB file."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise E.InvalidInputError(f"The mesh is {size >> 20} MB as GLB; {service} takes at most "
                                      f"{max_bytes >> 20} MB. Decimate it first.")
        data = path.read_bytes()
    except OSError:
        raise E.InvalidInputError(f"The exported mesh '{path.name}' cannot be read.") from None
    if data[:4] != b"glTF":
        raise E.InvalidInputError(f"'{path.name}' is not a GLB file.")
    return base64.b64encode(data).decode("ascii")
