"""Check a downloaded glTF/GLB before Blender sees it: it may read nothing outside its job's folder.

Blender's glTF importer opens whatever file a ``uri`` names (an absolute path, ``../../config/userpref.blend``,
``/dev/zero``) and packs images into the .blend. A result file is written by a server, so every byte of
it is hostile until checked here:
- a GLB's header, chunk lengths and chunk types must agree with the file's size;
- its JSON must be readable, not too large and not nested absurdly deep;
- every ``uri`` anywhere in the JSON must be a ``data:`` URI, or, where the caller allows it, the plain
  name (no folder, no ``..``, after percent-decoding as the importer does) of a regular file that
  Meshsmith itself downloaded into the job's folder;
- every buffer's declared ``byteLength`` must fit in the bytes that back it, and every buffer view in
  its buffer;
- every image must say its size in its header, and be at most ``image_size.MAX_IMAGE_SIDE`` on a side.
A failure raises ``RefusedAnswerError`` naming the service; nothing is imported.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from .errors import RefusedAnswerError
from .image_size import HEADER_BYTES, check_image_size

GLB_HEADER = struct.Struct("<4sII")
CHUNK_HEADER = struct.Struct("<I4s")
CHUNK_JSON = b"JSON"
CHUNK_BIN = b"BIN\x00"
# A glTF's JSON describes the scene; even 100k-face models with dozens of materials stay far below this.
MAX_JSON_BYTES = 64 << 20
# Nesting deeper than this is no glTF any exporter writes; a hostile file nests thousands deep.
MAX_DEPTH = 64
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_. -]{0,127}")


def check_model_file(path: Path, *, service: str, sidecars: frozenset[str] = frozenset()) -> None:
    """Refuse ``path`` (a .glb or .gltf) unless everything it references is inside it, or is one of ``sidecars``.

    ``sidecars`` are plain file names that Meshsmith downloaded into ``path``'s own folder for this job.
    """
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            if path.suffix.lower() == ".gltf":
                document, bin_length, bin_offset = _read_json(handle.read(MAX_JSON_BYTES + 1), service), 0, 0
            else:
                document, bin_length, bin_offset = _read_glb(handle, size, service)
            _check_uris(document, path.parent, sidecars, service)
            _check_buffers(document, bin_length, path.parent, service)
            _check_images(document, handle, bin_offset, path.parent, service)
    except OSError as exc:
        raise RefusedAnswerError(f"The model from {service} could not be read ({exc.strerror}).") from None


def texture_count(path: Path, *, service: str) -> int:
    """How many textures a checked .glb or .gltf declares (0: the model came back bare)."""
    try:
        with path.open("rb") as handle:
            if path.suffix.lower() == ".gltf":
                document = _read_json(handle.read(MAX_JSON_BYTES + 1), service)
            else:
                document = _read_glb(handle, path.stat().st_size, service)[0]
    except OSError as exc:
        raise RefusedAnswerError(f"The model from {service} could not be read ({exc.strerror}).") from None
    return len(_list(document, "textures", service))


def _refuse(service: str, why: str) -> RefusedAnswerError:
    return RefusedAnswerError(f"{service} sent a model that Meshsmith refused: {why}. Nothing was imported.")


def _read_glb(handle: Any, size: int, service: str) -> tuple[dict[str, Any], int, int]:
    """The JSON document, the BIN chunk's length and where it starts in a GLB, every declared length checked
    against ``size``."""
    head = handle.read(GLB_HEADER.size)
    if len(head) < GLB_HEADER.size:
        raise _refuse(service, "the file is too short to be a GLB")
    magic, version, declared = GLB_HEADER.unpack(head)
    if magic != b"glTF" or version != 2:
        raise _refuse(service, "it is not a glTF 2.0 binary file")
    if declared != size:
        raise _refuse(service, f"it declares {declared} bytes but has {size}")
    offset, document, bin_length, bin_offset = GLB_HEADER.size, None, 0, 0
    while offset < size:
        chunk_head = handle.read(CHUNK_HEADER.size)
        if len(chunk_head) < CHUNK_HEADER.size:
            raise _refuse(service, "a chunk header is cut short")
        length, kind = CHUNK_HEADER.unpack(chunk_head)
        offset += CHUNK_HEADER.size
        if length > size - offset:
            raise _refuse(service, f"a chunk declares {length} bytes, more than the file holds")
        if document is None:
            if kind != CHUNK_JSON:
                raise _refuse(service, "its first chunk is not JSON")
            if length > MAX_JSON_BYTES:
                raise _refuse(service, f"its description is over {MAX_JSON_BYTES >> 20} MB")
            document = _read_json(handle.read(length), service)
        else:
            if kind == CHUNK_BIN and bin_length == 0:
                bin_length, bin_offset = length, offset
            handle.seek(length, 1)
        offset += length
    if document is None:
        raise _refuse(service, "it has no JSON chunk")
    return document, bin_length, bin_offset


def _read_json(data: bytes, service: str) -> dict[str, Any]:
    if len(data) > MAX_JSON_BYTES:
        raise _refuse(service, f"its description is over {MAX_JSON_BYTES >> 20} MB")
    try:
        document = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):
        raise _refuse(service, "its description is not valid JSON") from None
    if not isinstance(document, dict):
        raise _refuse(service, "its description is not a glTF object")
    return document


def _uris(node: Any, service: str) -> Iterator[Any]:
    """Every value of a ``uri`` key anywhere in the document (images, buffers and any extension's).

    Walked with a stack, not recursion, and refused past ``MAX_DEPTH`` levels.
    """
    stack = [(node, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _refuse(service, "its description is nested too deeply")
        if isinstance(item, dict):
            for key, value in item.items():
                if key == "uri":
                    yield value
                elif isinstance(value, (dict, list)):
                    stack.append((value, depth + 1))
        elif isinstance(item, list):
            stack.extend((value, depth + 1) for value in item if isinstance(value, (dict, list)))


def _check_uris(document: dict[str, Any], folder: Path, sidecars: frozenset[str], service: str) -> None:
    for uri in _uris(document, service):
        if not isinstance(uri, str):
            raise _refuse(service, "a file reference is not text")
        if uri[:5].lower() == "data:":
            continue
        name = unquote(uri)  # the importer decodes %2e%2e%2f to ../ before opening: judge what it would open
        shown = name[:80]
        if not _PLAIN_NAME.fullmatch(name) or name in (".", "..") or ".." in name:
            raise _refuse(service, f"it points at a file outside its own folder ('{shown}')")
        candidate = folder / name
        if name not in sidecars or candidate.is_symlink() or not candidate.is_file():
            raise _refuse(service, f"it points at a file Meshsmith did not download for it ('{shown}')")


def _buffer_sizes(document: dict[str, Any], bin_length: int, folder: Path, service: str) -> list[int]:
    """How many bytes back each buffer: the GLB's BIN chunk, a data URI's payload, or a side file."""
    sizes = []
    for index, buffer in enumerate(_list(document, "buffers", service)):
        if not isinstance(buffer, dict):
            raise _refuse(service, "a buffer is malformed")
        declared = buffer.get("byteLength")
        if not isinstance(declared, int) or isinstance(declared, bool) or declared < 0:
            raise _refuse(service, "a buffer has no valid length")
        uri = buffer.get("uri")
        if uri is None:
            if index != 0:
                raise _refuse(service, "a buffer other than the first has no source")
            available = bin_length
        elif uri[:5].lower() == "data:":
            payload = uri.partition(",")[2]
            available = len(payload) * 3 // 4 if ";base64" in uri[: uri.find(",") + 1].lower() else len(unquote(payload))
        else:
            available = (folder / unquote(uri)).stat().st_size
        if declared > available:
            raise _refuse(service, f"a buffer declares {declared} bytes but only {available} back it")
        sizes.append(declared)
    return sizes


def _check_buffers(document: dict[str, Any], bin_length: int, folder: Path, service: str) -> None:
    sizes = _buffer_sizes(document, bin_length, folder, service)
    for view in _list(document, "bufferViews", service):
        if not isinstance(view, dict):
            raise _refuse(service, "a buffer view is malformed")
        buffer, offset, length = view.get("buffer"), view.get("byteOffset", 0), view.get("byteLength")
        if not all(isinstance(value, int) and not isinstance(value, bool) for value in (buffer, offset, length)):
            raise _refuse(service, "a buffer view has no valid buffer, offset or length")
        if not 0 <= buffer < len(sizes) or offset < 0 or length < 0 or offset + length > sizes[buffer]:
            raise _refuse(service, "a buffer view reaches past the end of its buffer")


def _check_images(document: dict[str, Any], handle: Any, bin_offset: int, folder: Path, service: str) -> None:
    """Each image's size from its first bytes, wherever they are (run after the buffers are checked)."""
    buffers, views = _list(document, "buffers", service), _list(document, "bufferViews", service)
    for number, image in enumerate(_list(document, "images", service), start=1):
        if not isinstance(image, dict):
            raise _refuse(service, "an image is malformed")
        what = f"a texture (image {number})"
        if isinstance(image.get("uri"), str):
            head = _head_of(image["uri"], 0, HEADER_BYTES, handle, bin_offset, folder, service)
        elif isinstance(image.get("bufferView"), int) and 0 <= image["bufferView"] < len(views):
            view = views[image["bufferView"]]
            source = buffers[view["buffer"]].get("uri")
            head = _head_of(source, view.get("byteOffset", 0), min(view["byteLength"], HEADER_BYTES), handle,
                            bin_offset, folder, service)
        else:
            raise _refuse(service, f"image {number} has no source")
        check_image_size(head, what=what, service=service)


def _head_of(uri: str | None, offset: int, length: int, handle: Any, bin_offset: int, folder: Path,
             service: str) -> bytes:
    """``length`` bytes from ``offset`` of a GLB's BIN chunk (``uri`` None), a data URI or a checked side file."""
    if uri is None:
        handle.seek(bin_offset + offset)
        return handle.read(length)
    if uri[:5].lower() == "data:":
        meta, _, payload = uri.partition(",")
        if ";base64" not in meta.lower():
            return unquote(payload).encode("latin-1", "replace")[offset:offset + length]
        start = offset // 3 * 4
        try:
            data = base64.b64decode(payload[start:start + (length // 3 + 2) * 4])
        except (binascii.Error, ValueError):
            raise _refuse(service, "an embedded file is not valid base64") from None
        return data[offset % 3:offset % 3 + length]
    with (folder / unquote(uri)).open("rb") as side:
        side.seek(offset)
        return side.read(length)


def _list(document: dict[str, Any], key: str, service: str) -> list[Any]:
    value = document.get(key, [])
    if not isinstance(value, list):
        raise _refuse(service, f"its '{key}' is not a list")
    return value
