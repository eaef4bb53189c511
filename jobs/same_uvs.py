"""Whether a returned model still has the UVs of the mesh that was sent: then its maps fit the artist's object as
they are, and the bake onto the object's own UVs (the path for a result with UVs of the service's making) is skipped.

Read from the GLBs themselves (worker thread, no Blender): the ``TEXCOORD_0`` of every primitive, as a sorted
multiset of coordinates rounded to 1/8192 (a 8K texel), so a service that reorders or re-indexes vertices but keeps
the layout still counts as keeping it. Anything unreadable counts as different (the bake is the safe path).
"""

from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path

MAX_UV_VERTICES = 2_000_000
"""Past this many UV coordinates the comparison is not attempted (the bake handles any size)."""
_FLOAT, _VEC2 = 5126, "VEC2"


def uv_signature(path: Path) -> tuple[int, str] | None:
    """(how many UV coordinates, a digest of them sorted and rounded), or None when the GLB has none or cannot be
    read as expected."""
    try:
        data = path.read_bytes()
        json_length, kind = struct.unpack_from("<I4s", data, 12)
        if data[:4] != b"glTF" or kind != b"JSON":
            return None
        gltf = json.loads(data[20:20 + json_length])
        bin_start = 20 + json_length + 8
        accessors, views = gltf.get("accessors", []), gltf.get("bufferViews", [])
        coordinates: list[tuple[int, int]] = []
        for mesh in gltf.get("meshes", []):
            for primitive in mesh.get("primitives", []):
                index = primitive.get("attributes", {}).get("TEXCOORD_0")
                if index is None:
                    return None
                accessor = accessors[index]
                if accessor.get("componentType") != _FLOAT or accessor.get("type") != _VEC2:
                    return None
                count = int(accessor["count"])
                if len(coordinates) + count > MAX_UV_VERTICES:
                    return None
                view = views[accessor["bufferView"]]
                if view.get("buffer", 0) != 0:
                    return None
                start = bin_start + int(view.get("byteOffset", 0)) + int(accessor.get("byteOffset", 0))
                stride = int(view.get("byteStride", 8))
                if start + stride * (count - 1) + 8 > len(data):
                    return None
                for at in range(start, start + stride * count, stride):
                    u, v = struct.unpack_from("<2f", data, at)
                    coordinates.append((round(u * 8192), round(v * 8192)))
    except (OSError, ValueError, KeyError, IndexError, TypeError, struct.error):
        return None
    if not coordinates:
        return None
    coordinates.sort()
    digest = hashlib.sha256(struct.pack(f"<{2 * len(coordinates)}i", *(n for pair in coordinates for n in pair)))
    return len(coordinates), digest.hexdigest()


def same_uvs(sent: Path, returned: Path) -> bool:
    """True when ``returned`` carries exactly the UV layout of ``sent`` (see the module's note)."""
    mine = uv_signature(sent)
    return mine is not None and mine == uv_signature(returned)


def kept_the_uvs(sent: str, result_paths: dict[str, str]) -> bool:
    """True when a job's results hold separate maps and a model with the UVs of the mesh it sent (``sent``)."""
    model = result_paths.get("MODEL")
    maps = [role for role in result_paths if role not in ("MODEL", "PREVIEW")]
    return bool(sent and model and maps) and same_uvs(Path(sent), Path(model))
