"""What Meshy's Remesh and UV Unwrap do to a mesh, as far as a client can tell: real geometry, numpy only.

Remesh returns the same shape with fewer faces (vertex clustering on a grid fine enough to stay at or under the
target face count) and no UVs; UV Unwrap returns the same surface with a UV atlas of its own (every triangle its
own cell, as ``repaint`` lays them out) and no textures.
"""

from __future__ import annotations

import numpy as np

from .assets import Geometry, build_glb
from .repaint import read_triangles, repaint


def _clustered(points: np.ndarray, low: np.ndarray, span: float, cells: int) -> tuple[np.ndarray, np.ndarray]:
    """(vertex of each corner, the distinct non-degenerate faces) when positions snap to a ``cells``³ grid."""
    keys = np.floor((points - low) / span * cells).clip(0, cells - 1).astype(np.int64)
    _unique, corner_vertex = np.unique(keys, axis=0, return_inverse=True)
    faces = corner_vertex.reshape(-1, 3)
    faces = faces[(faces[:, 0] != faces[:, 1]) & (faces[:, 1] != faces[:, 2]) & (faces[:, 0] != faces[:, 2])]
    _distinct, first = np.unique(np.sort(faces, axis=1), axis=0, return_index=True)
    return corner_vertex.reshape(-1), faces[np.sort(first)]


def remesh(glb: bytes, target_polycount: int) -> bytes:
    """The mesh of ``glb`` with at most ``target_polycount`` faces (and fewer than it had), without UVs."""
    points = read_triangles(glb).reshape(-1, 3)
    low = points.min(axis=0)
    span = float((points.max(axis=0) - low).max()) or 1.0
    best = None
    lo, hi = 2, 512
    while lo <= hi:  # the finest grid whose result stays within the target
        cells = (lo + hi) // 2
        corner_vertex, faces = _clustered(points, low, span, cells)
        if len(faces) <= target_polycount and len(faces) < len(points) // 3:
            best, lo = (cells, corner_vertex, faces), cells + 1
        else:
            hi = cells - 1
    if best is None:
        best = (2, *_clustered(points, low, span, 2))
    _cells, corner_vertex, faces = best
    count = int(corner_vertex.max()) + 1
    positions = np.zeros((count, 3))
    np.add.at(positions, corner_vertex, points)
    positions /= np.bincount(corner_vertex, minlength=count)[:, None]
    used = np.unique(faces)
    remap = np.full(count, -1)
    remap[used] = np.arange(len(used))
    positions, faces = positions[used], remap[faces]
    normals = np.zeros_like(positions)
    corners = positions[faces]
    face_normals = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    for corner in range(3):
        np.add.at(normals, faces[:, corner], face_normals)
    normals /= np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-12)
    geometry = Geometry([tuple(map(float, p)) for p in positions], [tuple(map(float, n)) for n in normals], [],
                        [int(i) for i in faces.reshape(-1)])
    return build_glb(geometry, None, name="Remeshed")


def unwrap(glb: bytes) -> bytes:
    """The surface of ``glb`` with a new UV atlas of its own (the sandbox repainter's layout)."""
    return repaint(glb)


def face_count(glb: bytes) -> int:
    return len(read_triangles(glb))
