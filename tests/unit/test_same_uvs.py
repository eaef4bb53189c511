"""A returned model that kept the sent mesh's UVs is told from one with UVs of the service's making."""

from __future__ import annotations

import json
import struct

from meshsmith.jobs.same_uvs import same_uvs, uv_signature
from meshsmith.sandbox.assets import make_model_glb
from meshsmith.sandbox.repaint import repaint


def _write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _with_uvs_nudged(glb: bytes, by: float) -> bytes:
    """The same GLB with its first UV coordinate moved by ``by``."""
    length = struct.unpack_from("<I", glb, 12)[0]
    gltf = json.loads(glb[20:20 + length])
    accessor = gltf["accessors"][gltf["meshes"][0]["primitives"][0]["attributes"]["TEXCOORD_0"]]
    view = gltf["bufferViews"][accessor["bufferView"]]
    at = 20 + length + 8 + view.get("byteOffset", 0) + accessor.get("byteOffset", 0)
    data = bytearray(glb)
    u, v = struct.unpack_from("<2f", data, at)
    struct.pack_into("<2f", data, at, u + by, v)
    return bytes(data)


def test_the_same_layout_is_the_same_and_a_new_one_is_not(tmp_path):
    sent = _write(tmp_path, "sent.glb", make_model_glb(4, face_count=800, texture=False))
    assert same_uvs(sent, _write(tmp_path, "kept.glb", sent.read_bytes()))
    assert not same_uvs(sent, _write(tmp_path, "unwrapped.glb", repaint(sent.read_bytes())))


def test_a_texel_apart_is_different_and_a_rounding_error_is_not(tmp_path):
    glb = make_model_glb(4, face_count=800, texture=False)
    sent = _write(tmp_path, "sent.glb", glb)
    assert same_uvs(sent, _write(tmp_path, "float.glb", _with_uvs_nudged(glb, 1e-6)))
    assert not same_uvs(sent, _write(tmp_path, "moved.glb", _with_uvs_nudged(glb, 2 / 8192)))


def test_unreadable_or_uv_less_files_count_as_different(tmp_path):
    sent = _write(tmp_path, "sent.glb", make_model_glb(4, face_count=800, texture=False))
    assert uv_signature(_write(tmp_path, "junk.glb", b"glTF" + b"\x00" * 40)) is None
    assert not same_uvs(sent, tmp_path / "missing.glb")
    assert not same_uvs(_write(tmp_path, "junk2.glb", b"nope"), sent)
