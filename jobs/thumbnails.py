"""A thumbnail for a job that came without a preview: the model's own base-colour texture, taken out of the GLB.

bpy-free and cheap (reads the GLB's JSON chunk and copies one image's bytes), so it runs in the worker
right after the download and the main thread only loads a small file.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

from ..providers.files import write_bytes_atomic

_EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp"}


def base_color_image(glb: bytes) -> tuple[bytes, str] | None:
    """(image bytes, mime type) of the first material's base-colour texture, or of the first image; None if none."""
    try:
        magic, _version, _length = struct.unpack_from("<4sII", glb, 0)
        json_length, json_type = struct.unpack_from("<I4s", glb, 12)
        if magic != b"glTF" or json_type != b"JSON":
            return None
        gltf = json.loads(glb[20:20 + json_length])
        bin_start = 20 + json_length + 8
        images = gltf.get("images") or []
        if not images:
            return None
        index = 0
        materials = gltf.get("materials") or []
        texture = (materials[0].get("pbrMetallicRoughness", {}).get("baseColorTexture") if materials else None)
        if texture is not None:
            index = gltf["textures"][texture["index"]]["source"]
        image = images[index]
        view = gltf["bufferViews"][image["bufferView"]]
        offset = bin_start + view.get("byteOffset", 0)
        return glb[offset:offset + view["byteLength"]], image.get("mimeType", "image/png")
    except (struct.error, ValueError, KeyError, IndexError, TypeError):
        return None


def write_thumbnail(glb_path: Path, folder: Path) -> Path | None:
    """Save the model's base-colour texture beside it as preview.<ext>; None when the GLB has no image."""
    found = base_color_image(glb_path.read_bytes())
    if found is None:
        return None
    data, mime = found
    return write_bytes_atomic(folder / f"preview{_EXTENSIONS.get(mime, '.png')}", data, fsync=False)
