"""Check downloaded and uploaded files by their bytes, and write files so that no reader sees half of one."""

from __future__ import annotations

import os
import re
import struct
import tempfile
from pathlib import Path

from .errors import BadDownloadError
from .image_size import HEADER_BYTES, check_image_size

GLB_MAGIC = b"glTF"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
WEBP_RIFF = b"RIFF"


def sniff_image(head: bytes) -> str | None:
    """Return 'png', 'jpeg' or 'webp' from a file's first bytes, or None when it is none of them."""
    if head.startswith(PNG_SIGNATURE):
        return "png"
    if head.startswith(JPEG_SIGNATURE):
        return "jpeg"
    if head.startswith(WEBP_RIFF) and head[8:12] == b"WEBP":
        return "webp"
    return None


def image_is_complete(data_tail: bytes, kind: str) -> bool:
    """True when an image file ends as its format requires (PNG: the IEND chunk; JPEG: the EOI marker)."""
    if kind == "png":
        return data_tail.endswith(b"IEND\xaeB`\x82")
    if kind == "jpeg":
        return data_tail.rstrip(b"\x00").endswith(b"\xff\xd9")
    return True


def check_image_bytes(head: bytes, tail: bytes, name: str) -> str:
    """The image kind of a file from its first and last bytes; raises ``BadDownloadError`` if it is not a whole image."""
    kind = sniff_image(head)
    if kind is None:
        raise BadDownloadError(f"'{name}' is not a PNG, JPEG or WebP image.")
    if not image_is_complete(tail, kind):
        raise BadDownloadError(f"'{name}' is cut short (the file ends before the image does).")
    return kind


def check_glb_header(head: bytes, file_length: int) -> None:
    """Raise ``BadDownloadError`` unless ``head`` starts a GLB 2.0 whose declared length is ``file_length``.

    A GLB header is 12 bytes: magic ``glTF``, version (uint32, 2), total length (uint32).
    """
    if len(head) < 12 or head[:4] != GLB_MAGIC:
        raise BadDownloadError("The downloaded model is not a GLB file (wrong signature).")
    version, declared = struct.unpack_from("<II", head, 4)
    if version != 2:
        raise BadDownloadError(f"The downloaded model is glTF version {version}; only version 2 can be imported.")
    if declared != file_length:
        raise BadDownloadError(
            f"The downloaded model is truncated or padded: it declares {declared} bytes but has {file_length}."
        )


def check_file_kind(path: Path, expect: str, *, service: str = "The service", name: str = "") -> None:
    """Check a finished file against the kind its extension promises (.glb, .png, .jpg, .jpeg, .webp); an image
    must also be within ``image_size.MAX_IMAGE_SIDE`` pixels on a side (``RefusedAnswerError`` otherwise).
    ``name``: the file's name for messages (``path`` may be a temporary file's)."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(HEADER_BYTES)
    if expect == ".glb":
        check_glb_header(head[:16], size)
    elif expect in (".png", ".jpg", ".jpeg", ".webp"):
        with path.open("rb") as handle:
            handle.seek(max(0, size - 16))
            tail = handle.read(16)
        check_image_bytes(head[:16], tail, path.name)
        check_image_size(head, what=f"an image ({name or path.name})", service=service)


_UNSAFE_NAME_CHARS = re.compile(r"[^A-Za-z0-9._-]")


def safe_filename(name: str, fallback: str = "file") -> str:
    """A name that stays inside the folder it is joined to, whatever a server put in it.

    Anything but letters, digits, dot, dash and underscore becomes an underscore, leading dots go (no
    ``..``, no hidden files), and the length is capped; the extension survives when it was plain.
    """
    cleaned = _UNSAFE_NAME_CHARS.sub("_", name).lstrip(".")[-100:].lstrip(".")
    return cleaned or fallback


def replace_atomically(tmp: Path, dest: Path) -> None:
    """Move a complete temporary file into place in one step (same folder, so ``os.replace`` is atomic)."""
    os.replace(tmp, dest)


def write_bytes_atomic(dest: Path, data: bytes, *, fsync: bool = True) -> Path:
    """Write ``data`` to ``dest`` through a temporary file in the same folder, then rename it into place."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if fsync:
                handle.flush()
                os.fsync(handle.fileno())
        replace_atomically(Path(tmp_name), dest)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return dest
