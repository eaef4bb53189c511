"""Reference images as Scenario takes them: checked, shrunk to the model's input size, sent as data URLs."""

from __future__ import annotations

import base64
from pathlib import Path

from ...net import errors as E
from ...net.files import sniff_image
from ..imaging import HUNYUAN_INPUT_PX, shrink_for_upload

MAX_IMAGE_BYTES = 6 * 1024 * 1024
"""The largest image Scenario's asset upload takes."""


def image_data_url(path: Path, workdir: Path | None = None, blender_binary: str = "",
                   max_side: int = HUNYUAN_INPUT_PX) -> tuple[str, str]:
    """(file name, data URL) of a checked input image, shrunk to the model's input size. Raises ``InvalidInputError``."""
    name = path.name
    if workdir is not None and path.is_file():
        path = shrink_for_upload(path, max_side, workdir, blender_binary)
    try:
        data = path.read_bytes()
    except OSError:
        raise E.InvalidInputError(f"The image file '{path.name}' does not exist or cannot be read.") from None
    if not data:
        raise E.InvalidInputError(f"The image file '{path.name}' is empty.")
    if len(data) > MAX_IMAGE_BYTES:
        raise E.InvalidInputError(
            f"The image '{path.name}' is {len(data) >> 20} MB; Scenario takes images up to {MAX_IMAGE_BYTES >> 20} MB. Save a smaller copy.")
    kind = sniff_image(data[:16])
    if kind is None:
        raise E.InvalidInputError(f"'{path.name}' is not a PNG, JPEG or WebP image.")
    return name, f"data:image/{kind};base64,{base64.b64encode(data).decode('ascii')}"
