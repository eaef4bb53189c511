"""File checks by signature, atomic writes, and the generated fixtures themselves."""

import struct

import pytest

from meshsmith.net.errors import BadDownloadError
from meshsmith.net.files import check_file_kind, check_glb_header, sniff_image, write_bytes_atomic
from meshsmith.sandbox.assets import make_model_glb, make_pot, make_textures, segments_for_faces


def test_generated_glb_is_valid_and_textured():
    data = make_model_glb(1, face_count=2000)
    check_glb_header(data[:12], len(data))
    json_length = struct.unpack_from("<I", data, 12)[0]
    import json

    gltf = json.loads(data[20:20 + json_length])
    assert len(gltf["images"]) == 3 and gltf["materials"][0]["normalTexture"] == {"index": 2}
    assert set(gltf["meshes"][0]["primitives"][0]["attributes"]) == {"POSITION", "NORMAL", "TEXCOORD_0"}


def test_face_count_is_honoured():
    segments, rings = segments_for_faces(10000)
    assert make_pot(0, segments, rings).face_count >= 10000


def test_texture_maps_differ_per_channel():
    maps = make_textures(2, 16)
    blobs = [maps.base_color, maps.metallic, maps.roughness, maps.normal, maps.emission, maps.metallic_roughness]
    assert len(set(blobs)) == len(blobs)
    assert all(sniff_image(blob[:16]) == "png" for blob in blobs)


@pytest.mark.parametrize(("head", "length", "message"), [
    (b"PK\x03\x04" + b"\x00" * 8, 12, "signature"),
    (b"glTF" + struct.pack("<II", 1, 12), 12, "version"),
    (b"glTF" + struct.pack("<II", 2, 100), 50, "truncated"),
])
def test_bad_glb_headers_are_refused(head, length, message):
    with pytest.raises(BadDownloadError, match=message):
        check_glb_header(head, length)


def test_sniff_image():
    assert sniff_image(b"\xff\xd8\xff\xe0") == "jpeg"
    assert sniff_image(b"RIFF\x00\x00\x00\x00WEBP") == "webp"
    assert sniff_image(b"<html>") is None


def test_check_file_kind_refuses_html_saved_as_png(tmp_path):
    path = tmp_path / "map.png"
    path.write_bytes(b"<html>denied</html>")
    with pytest.raises(BadDownloadError):
        check_file_kind(path, ".png")


def test_a_downloaded_map_over_the_pixel_limit_is_refused_and_one_within_passes(tmp_path):
    from meshsmith.net.errors import RefusedAnswerError
    from meshsmith.sandbox.assets import encode_png

    small = encode_png(2, 2, [b"\x00" * 6] * 2)
    path = tmp_path / "roughness.png"
    path.write_bytes(small)
    check_file_kind(path, ".png", service="Meshy")
    path.write_bytes(small[:16] + struct.pack(">II", 16384, 16384) + small[24:])
    with pytest.raises(RefusedAnswerError, match=r"Meshy sent an image \(roughness.png\) of 16384 x 16384 pixels"):
        check_file_kind(path, ".png", service="Meshy")


def test_atomic_write_leaves_no_temporary_files(tmp_path):
    write_bytes_atomic(tmp_path / "a.bin", b"123")
    assert [p.name for p in tmp_path.iterdir()] == ["a.bin"]


def test_image_size_from_headers_without_decoding(tmp_path):
    import struct as _struct

    from meshsmith.providers.imaging import image_size

    png = tmp_path / "a.png"
    png.write_bytes(make_textures(1, 16).base_color)
    assert image_size(png) == (16, 16)
    jpeg = tmp_path / "b.jpg"
    sof = b"\xff\xc0" + _struct.pack(">HBHHB", 17, 8, 345, 518, 3) + bytes(9)
    jpeg.write_bytes(b"\xff\xd8" + b"\xff\xe0" + _struct.pack(">H", 16) + bytes(14) + sof + b"\xff\xd9")
    assert image_size(jpeg) == (518, 345)
    assert image_size(tmp_path / "missing.png") is None


def test_a_small_image_is_sent_as_it_is(tmp_path):
    from meshsmith.providers.imaging import shrink_for_upload

    png = tmp_path / "a.png"
    png.write_bytes(make_textures(1, 16).base_color)
    assert shrink_for_upload(png, 518, tmp_path / "work") == png
