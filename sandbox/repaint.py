"""What Hunyuan3D-Paint does to a mesh it is given, as far as a client can tell: the sandbox's repainter.

Painting a given mesh (Segmind's and the Hunyuan server's ``mesh`` input) returns *another* mesh: the
upstream server removes floaters, reduces faces and re-unwraps UVs with xatlas, so the result never has
the artist's topology or UVs. The sandbox does the same in spirit: every triangle of the given GLB gets
its own three vertices (a different vertex count) and a place of its own in a new UV atlas (different
UVs), and the base colour painted into that atlas is a known function of the surface position
(``colour_at``). A test can then bake the result back onto the original and check, through the
original's own UVs, that each point got the colour of its position.

numpy only (no bpy): the painter fills every texel of a triangle's atlas cell from the position that
texel maps to (extrapolated past the triangle's edges, so bilinear lookups near an edge stay right).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import struct

import numpy as np

from .assets import Geometry, TextureSet, build_glb, encode_png

FLAT_NORMAL = (128, 128, 255)
METALLIC, ROUGHNESS = 0.25, 0.6
PADDING_PX = 1.5
MIN_CELL_PX = 6
MAX_TEXTURE_PX = 2048


class NotAMeshError(ValueError):
    """The bytes are not a GLB with a triangle mesh the painter can read."""


def colour_at(points: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """The painted colour (linear RGB, 0.15–0.85) of glTF-space ``points`` (N×3) in a model bounded by low/high:
    red follows x, green y, blue z across the model's bounding box."""
    span = np.where(high - low > 1e-9, high - low, 1.0)
    return 0.15 + 0.7 * np.clip((points - low) / span, 0.0, 1.0)


def decode_mesh(value: str) -> bytes:
    """The GLB bytes of a ``mesh`` field sent as raw base64 (a ``data:`` prefix is refused, as upstream's decoder does)."""
    if value.startswith("data:"):
        raise NotAMeshError("mesh must be raw base64, without a data: prefix")
    try:
        glb = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise NotAMeshError("mesh is not valid base64") from None
    if glb[:4] != b"glTF":
        raise NotAMeshError("mesh is not a GLB file")
    return glb


def read_triangles(glb: bytes) -> np.ndarray:
    """The GLB's triangles in scene space (T×3×3), every node transform applied as trimesh would."""
    try:
        json_length = struct.unpack_from("<I", glb, 12)[0]
        gltf = json.loads(glb[20:20 + json_length])
        binary = glb[20 + json_length + 8:]
    except (struct.error, ValueError):
        raise NotAMeshError("mesh is not a readable GLB") from None
    triangles = []
    for node in gltf.get("nodes", []):
        if "mesh" not in node:
            continue
        matrix = _node_matrix(node)
        for primitive in gltf["meshes"][node["mesh"]]["primitives"]:
            if primitive.get("mode", 4) != 4:
                continue
            positions = _accessor(gltf, binary, primitive["attributes"]["POSITION"]).reshape(-1, 3)
            positions = positions @ matrix[:3, :3].T + matrix[:3, 3]
            if "indices" in primitive:
                indices = _accessor(gltf, binary, primitive["indices"]).astype(np.int64).reshape(-1, 3)
            else:
                indices = np.arange(len(positions)).reshape(-1, 3)
            triangles.append(positions[indices])
    if not triangles:
        raise NotAMeshError("mesh has no triangles")
    return np.concatenate(triangles)


def repaint(glb: bytes, *, offset: tuple[float, float, float] = (0.0, 0.0, 0.0)) -> bytes:
    """The painted mesh the service answers for ``glb``: new vertices, new UVs, a base colour from ``colour_at``.

    ``offset`` moves the result (a result that no longer overlaps the original, for tests)."""
    triangles = read_triangles(glb)
    low, high = triangles.reshape(-1, 3).min(axis=0), triangles.reshape(-1, 3).max(axis=0)
    count = len(triangles)
    cells = max(1, math.ceil(math.sqrt(count / 2)))  # two triangles per square cell
    size = int(min(MAX_TEXTURE_PX, max(256, 2 ** math.ceil(math.log2(cells * MIN_CELL_PX)))))
    cell_px = size / cells
    pad = PADDING_PX / cell_px
    # Each triangle's UVs: the lower-left or the upper-right half of its cell, inset by the padding.
    corner = np.array([[pad, pad], [1 - 2 * pad, pad], [pad, 1 - 2 * pad]])
    index = np.arange(count)
    cell, upper = index // 2, index % 2 == 1
    origin = np.stack([cell % cells, cell // cells], axis=1).astype(float)
    local = np.where(upper[:, None, None], 1 - corner[None], corner[None])
    uvs = (origin[:, None, :] + local) / cells  # glTF UVs: v grows downwards in the image
    image = _paint(triangles, size, cells, pad, low, high)
    normals = np.cross(triangles[:, 1] - triangles[:, 0], triangles[:, 2] - triangles[:, 0])
    normals /= np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-12)
    moved = triangles + np.asarray(offset)
    geometry = Geometry(positions=[tuple(p) for p in moved.reshape(-1, 3).tolist()],
                        normals=[tuple(n) for n in np.repeat(normals, 3, axis=0).tolist()],
                        uvs=[tuple(uv) for uv in uvs.reshape(-1, 2).tolist()],
                        indices=list(range(3 * count)))
    return build_glb(geometry, _textures(image), name="PaintedMesh")


def _paint(triangles: np.ndarray, size: int, cells: int, pad: float, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """The base colour atlas (size×size×3, 8-bit sRGB), every texel painted from the position it maps to."""
    image = np.zeros((size, size, 3), dtype=np.uint8)
    centres = (np.arange(size) + 0.5) / size * cells
    for row in range(size):  # a row at a time: memory stays small whatever the size
        fy = centres[row] - np.floor(centres[row])
        cell_y = min(int(centres[row]), cells - 1)
        cell_x = np.minimum(centres.astype(int), cells - 1)
        fx = centres - np.floor(centres)
        upper = fx + fy > 1.0
        gx, gy = np.where(upper, 1 - fx, fx), np.where(upper, 1 - fy, fy)
        u, v = (gx - pad) / (1 - 3 * pad), (gy - pad) / (1 - 3 * pad)
        triangle = 2 * (cell_y * cells + cell_x) + upper
        valid = triangle < len(triangles)
        triangle = np.minimum(triangle, len(triangles) - 1)
        corners = triangles[triangle]
        points = corners[:, 0] * (1 - u - v)[:, None] + corners[:, 1] * u[:, None] + corners[:, 2] * v[:, None]
        colour = colour_at(points, low, high)
        image[row] = np.where(valid[:, None], _to_srgb8(colour), 0)
    return image


def _textures(image: np.ndarray) -> TextureSet:
    size = image.shape[0]
    base = encode_png(size, size, [row.tobytes() for row in image])
    grey = 4
    metallic_roughness = encode_png(grey, grey, [bytes([0, round(ROUGHNESS * 255), round(METALLIC * 255)]) * grey] * grey)
    normal = encode_png(grey, grey, [bytes(FLAT_NORMAL) * grey] * grey)
    single = encode_png(grey, grey, [bytes([round(METALLIC * 255)] * 3) * grey] * grey)
    rough = encode_png(grey, grey, [bytes([round(ROUGHNESS * 255)] * 3) * grey] * grey)
    black = encode_png(grey, grey, [bytes(3 * grey)] * grey)
    return TextureSet(base_color=base, metallic_roughness=metallic_roughness, metallic=single, roughness=rough,
                      normal=normal, emission=black)


def _to_srgb8(linear: np.ndarray) -> np.ndarray:
    linear = np.clip(linear, 0.0, 1.0)
    srgb = np.where(linear <= 0.0031308, linear * 12.92, 1.055 * np.power(linear, 1 / 2.4) - 0.055)
    return np.round(srgb * 255).astype(np.uint8)


_COMPONENTS = {5120: np.int8, 5121: np.uint8, 5122: np.int16, 5123: np.uint16, 5125: np.uint32, 5126: np.float32}
_WIDTHS = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4}


def _accessor(gltf: dict, binary: bytes, index: int) -> np.ndarray:
    try:
        accessor = gltf["accessors"][index]
        view = gltf["bufferViews"][accessor["bufferView"]]
        dtype = np.dtype(_COMPONENTS[accessor["componentType"]])
        width = _WIDTHS[accessor["type"]]
        start = view.get("byteOffset", 0) + accessor.get("byteOffset", 0)
        count = accessor["count"] * width
        if view.get("byteStride") and view["byteStride"] != dtype.itemsize * width:
            raise NotAMeshError("interleaved buffers are not read by the sandbox")
        return np.frombuffer(binary, dtype=dtype, count=count, offset=start).astype(np.float64)
    except (KeyError, IndexError, ValueError, TypeError):
        raise NotAMeshError("mesh has a broken accessor") from None


def _node_matrix(node: dict) -> np.ndarray:
    if "matrix" in node:
        return np.array(node["matrix"], dtype=float).reshape(4, 4).T  # glTF stores columns
    x, y, z, w = node.get("rotation", (0.0, 0.0, 0.0, 1.0))
    rotation = np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                         [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                         [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]])
    matrix = np.eye(4)
    matrix[:3, :3] = rotation * np.asarray(node.get("scale", (1.0, 1.0, 1.0)))[None, :]
    matrix[:3, 3] = node.get("translation", (0.0, 0.0, 0.0))
    return matrix
