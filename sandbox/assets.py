"""Make real result files without Blender: PNG texture maps and a textured GLB 2.0 mesh.

Everything is generated from a seed with the standard library alone, so the sandbox, the tests and
the benchmarks never need a downloaded fixture. The mesh is a closed surface of revolution (a pot)
with normals, UVs and a PBR material: base colour (sRGB), packed metallic-roughness (glTF: green
roughness, blue metallic) and a tangent-space normal map.
"""

from __future__ import annotations

import json
import math
import random
import struct
import zlib
from dataclasses import dataclass

# --- PNG ---------------------------------------------------------------------------------------------


def encode_png(width: int, height: int, rows: list[bytes], *, channels: int = 3) -> bytes:
    """Encode 8-bit RGB (channels=3) or RGBA (4) rows as a PNG."""
    color_type = {3: 2, 4: 6, 1: 0}[channels]
    raw = b"".join(b"\x00" + row for row in rows)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")


@dataclass(frozen=True)
class TextureSet:
    """The PNG maps of one generated material."""

    base_color: bytes
    metallic_roughness: bytes
    """glTF packing: green = roughness, blue = metallic."""
    metallic: bytes
    """Metallic alone, grey (for services that send separate maps)."""
    roughness: bytes
    """Roughness alone, grey."""
    normal: bytes
    emission: bytes


def make_textures(seed: int, size: int = 256) -> TextureSet:
    """Six distinct maps for a seed: each channel has its own recognisable average colour."""
    rng = random.Random(seed)
    hue = rng.random()
    stripes = rng.randint(4, 10)
    base_rgb = _hue_to_rgb(hue)
    accent = _hue_to_rgb((hue + 0.45) % 1.0)
    base_rows, mr_rows, m_rows, r_rows, n_rows, e_rows = [], [], [], [], [], []
    for y in range(size):
        v = y / size
        band = int(v * stripes) % 2
        base, mr, met, rough, nrm, emi = (bytearray() for _ in range(6))
        for x in range(size):
            u = x / size
            checker = (int(u * stripes * 2) + int(v * stripes)) % 2
            colour = accent if band and checker else base_rgb
            shade = 0.75 + 0.25 * math.sin(u * math.tau * 3)
            base += bytes(int(c * shade) for c in colour)
            roughness = 200 if band else 90
            metallic = 230 if checker and band else 20
            mr += bytes((255, roughness, metallic))
            met += bytes((metallic,) * 3)
            rough += bytes((roughness,) * 3)
            nx = int(128 + 60 * math.sin(u * math.tau * stripes))
            n_rows_pixel = bytes((nx, 128, 235))
            nrm += n_rows_pixel
            emi += bytes((255, 120, 0)) if (checker and band and x % 16 < 2) else b"\x00\x00\x00"
        base_rows.append(bytes(base))
        mr_rows.append(bytes(mr))
        m_rows.append(bytes(met))
        r_rows.append(bytes(rough))
        n_rows.append(bytes(nrm))
        e_rows.append(bytes(emi))
    return TextureSet(
        base_color=encode_png(size, size, base_rows),
        metallic_roughness=encode_png(size, size, mr_rows),
        metallic=encode_png(size, size, m_rows),
        roughness=encode_png(size, size, r_rows),
        normal=encode_png(size, size, n_rows),
        emission=encode_png(size, size, e_rows),
    )


def _hue_to_rgb(hue: float) -> tuple[int, int, int]:
    import colorsys

    r, g, b = colorsys.hsv_to_rgb(hue, 0.65, 0.9)
    return int(r * 255), int(g * 255), int(b * 255)


# --- geometry ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Geometry:
    positions: list[tuple[float, float, float]]
    normals: list[tuple[float, float, float]]
    uvs: list[tuple[float, float]]
    indices: list[int]

    @property
    def face_count(self) -> int:
        return len(self.indices) // 3


def make_pot(seed: int, segments: int = 48, rings: int = 32, height: float = 1.0) -> Geometry:
    """A closed surface of revolution around +Y (glTF up), shaped by the seed; about 2·segments·rings faces."""
    rng = random.Random(seed)
    bulge = 0.35 + 0.15 * rng.random()
    waves = rng.randint(2, 4)
    wave_depth = 0.04 + 0.06 * rng.random()

    def radius(t: float) -> float:
        return math.sin(math.pi * t) * (bulge + wave_depth * math.sin(waves * math.pi * t))

    positions, normals, uvs, indices = [], [], [], []
    step = 1e-4
    for i in range(rings + 1):
        t = i / rings
        r = radius(t)
        y = t * height
        dr = (radius(min(1.0, t + step)) - radius(max(0.0, t - step))) / (2 * step)
        dy = height
        length = math.hypot(dr, dy) or 1.0
        # Outward normal in the profile plane: perpendicular to the tangent (dr, dy).
        n_r, n_y = dy / length, -dr / length
        for j in range(segments + 1):
            theta = j / segments * math.tau
            c, s = math.cos(theta), math.sin(theta)
            positions.append((r * c, y, r * s))
            normals.append((n_r * c, n_y, n_r * s))
            uvs.append((j / segments, 1.0 - t))
    row = segments + 1
    for i in range(rings):
        for j in range(segments):
            a, b = i * row + j, i * row + j + 1
            c, d = a + row, b + row
            indices += [a, c, b, b, c, d]
    return Geometry(positions, normals, uvs, indices)


def segments_for_faces(face_count: int) -> tuple[int, int]:
    """Segments and rings giving at least ``face_count`` triangles with a 3:2 aspect."""
    rings = max(4, int(math.sqrt(face_count / 3)))
    segments = max(6, math.ceil(face_count / (2 * rings)))
    return segments, rings


# --- GLB -------------------------------------------------------------------------------------------------


def build_glb(
    geometry: Geometry,
    textures: TextureSet | None,
    *,
    name: str = "GeneratedModel",
    include_emission: bool = False,
) -> bytes:
    """Pack a mesh and (optionally) its PBR material into a GLB 2.0 binary."""
    buffer = bytearray()
    views: list[dict] = []

    def add_view(data: bytes, target: int | None = None) -> int:
        while len(buffer) % 4:
            buffer.append(0)
        view = {"buffer": 0, "byteOffset": len(buffer), "byteLength": len(data)}
        if target is not None:
            view["target"] = target
        views.append(view)
        buffer.extend(data)
        return len(views) - 1

    pos = geometry.positions
    mins = [min(p[k] for p in pos) for k in range(3)]
    maxs = [max(p[k] for p in pos) for k in range(3)]
    accessors = [
        {"bufferView": add_view(b"".join(struct.pack("<3f", *p) for p in pos), 34962),
         "componentType": 5126, "count": len(pos), "type": "VEC3", "min": mins, "max": maxs},
        {"bufferView": add_view(b"".join(struct.pack("<3f", *n) for n in geometry.normals), 34962),
         "componentType": 5126, "count": len(pos), "type": "VEC3"},
        *([{"bufferView": add_view(b"".join(struct.pack("<2f", *uv) for uv in geometry.uvs), 34962),
            "componentType": 5126, "count": len(pos), "type": "VEC2"}] if geometry.uvs else []),
        {"bufferView": add_view(struct.pack(f"<{len(geometry.indices)}I", *geometry.indices), 34963),
         "componentType": 5125, "count": len(geometry.indices), "type": "SCALAR"},
    ]
    # A mesh without UVs (a remesher's result) has no TEXCOORD_0 at all.
    attributes = {"POSITION": 0, "NORMAL": 1, **({"TEXCOORD_0": 2} if geometry.uvs else {})}
    primitive: dict = {"attributes": attributes, "indices": len(accessors) - 1}
    gltf: dict = {
        "asset": {"version": "2.0", "generator": "Meshsmith sandbox"},
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0, "name": name}],
        "meshes": [{"name": name, "primitives": [primitive]}],
        "accessors": accessors,
        "bufferViews": views,
    }
    if textures is not None:
        images = [
            {"bufferView": add_view(textures.base_color), "mimeType": "image/png", "name": "base_color"},
            {"bufferView": add_view(textures.metallic_roughness), "mimeType": "image/png", "name": "metallic_roughness"},
            {"bufferView": add_view(textures.normal), "mimeType": "image/png", "name": "normal"},
        ]
        material: dict = {
            "name": f"{name}_Material",
            "pbrMetallicRoughness": {
                "baseColorTexture": {"index": 0},
                "metallicRoughnessTexture": {"index": 1},
                "metallicFactor": 1.0,
                "roughnessFactor": 1.0,
            },
            "normalTexture": {"index": 2},
        }
        if include_emission:
            images.append({"bufferView": add_view(textures.emission), "mimeType": "image/png", "name": "emission"})
            material["emissiveTexture"] = {"index": 3}
            material["emissiveFactor"] = [1.0, 1.0, 1.0]
        gltf["images"] = images
        gltf["samplers"] = [{"magFilter": 9729, "minFilter": 9987}]
        gltf["textures"] = [{"source": i, "sampler": 0} for i in range(len(images))]
        gltf["materials"] = [material]
        primitive["material"] = 0
    while len(buffer) % 4:
        buffer.append(0)
    gltf["buffers"] = [{"byteLength": len(buffer)}]
    json_bytes = json.dumps(gltf, separators=(",", ":")).encode("utf-8")
    json_bytes += b" " * (-len(json_bytes) % 4)
    total = 12 + 8 + len(json_bytes) + 8 + len(buffer)
    return b"".join([
        struct.pack("<4sII", b"glTF", 2, total),
        struct.pack("<I4s", len(json_bytes), b"JSON"), json_bytes,
        struct.pack("<I4s", len(buffer), b"BIN\x00"), bytes(buffer),
    ])


def make_model_glb(seed: int, *, face_count: int = 3000, texture: bool = True, texture_size: int = 256,
                   include_emission: bool = False) -> bytes:
    """A complete generated result: a seeded pot of about ``face_count`` triangles, textured or plain."""
    segments, rings = segments_for_faces(face_count)
    geometry = make_pot(seed, segments=segments, rings=rings)
    textures = make_textures(seed, texture_size) if texture else None
    return build_glb(geometry, textures, include_emission=include_emission)


def rewrite_glb_json(glb: bytes, change) -> bytes:
    """A copy of ``glb`` whose JSON chunk is ``change(json_dict)`` (edited in place), lengths recomputed.

    The sandbox's hostile-result mode and the tests build malicious results with it: image and buffer
    URIs that point outside the result's folder, lengths that lie.
    """
    json_length = struct.unpack_from("<I", glb, 12)[0]
    gltf = json.loads(glb[20:20 + json_length])
    change(gltf)
    rest = glb[20 + json_length:]
    json_bytes = json.dumps(gltf, separators=(",", ":")).encode("utf-8")
    json_bytes += b" " * (-len(json_bytes) % 4)
    total = 12 + 8 + len(json_bytes) + len(rest)
    return struct.pack("<4sII", b"glTF", 2, total) + struct.pack("<I4s", len(json_bytes), b"JSON") + json_bytes + rest


def point_image_at(path: str):
    """A ``rewrite_glb_json`` change: the first texture image is read from ``path`` instead of the GLB."""

    def change(gltf: dict) -> None:
        image = gltf["images"][0]
        image.pop("bufferView", None)
        image.pop("mimeType", None)
        image["uri"] = path

    return change
