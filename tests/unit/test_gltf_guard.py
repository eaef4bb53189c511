"""A result model may reference nothing outside its own folder, and its declared lengths must be true."""

from __future__ import annotations

import base64
import struct

import pytest

from meshsmith.net import errors as E
from meshsmith.net.gltf_guard import check_model_file
from meshsmith.net.image_size import MAX_IMAGE_SIDE, image_dimensions
from meshsmith.sandbox.assets import encode_png, make_model_glb, point_image_at, rewrite_glb_json


def _png(width: int, height: int) -> bytes:
    return encode_png(width, height, [b"\x80" * (width * 3)] * height)


def _png_header(width: int, height: int) -> bytes:
    """A PNG's signature and header chunk only: what the size check reads (no 16k image is ever built)."""
    return _png(1, 1)[:16] + struct.pack(">II", width, height) + _png(1, 1)[24:]


@pytest.fixture(scope="module")
def glb() -> bytes:
    return make_model_glb(3, face_count=500, texture_size=16)


def _write(tmp_path, data: bytes, name: str = "model.glb"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_generated_result_passes(tmp_path, glb):
    check_model_file(_write(tmp_path, glb), service="Segmind")


@pytest.mark.parametrize("uri", [
    "/etc/passwd",
    "../../../../../../config/userpref.blend",
    "..%2f..%2fconfig%2fuserpref.blend",  # the importer percent-decodes before opening
    "%2e%2e/secret.png",
    "file:///etc/passwd",
    "http://example.com/texture.png",
    "/dev/zero",
    "C:\\Users\\artist\\AppData\\userpref.blend",
    "sub/texture.png",
    ".hidden.png",
])
def test_an_image_uri_outside_the_folder_is_refused(tmp_path, glb, uri):
    path = _write(tmp_path, rewrite_glb_json(glb, point_image_at(uri)))
    with pytest.raises(E.RefusedAnswerError, match="Segmind sent a model that Meshsmith refused.*Nothing was imported"):
        check_model_file(path, service="Segmind")


def test_a_buffer_uri_pointing_at_a_device_is_refused(tmp_path, glb):
    def change(gltf):
        gltf["buffers"][0]["uri"] = "/dev/zero"

    with pytest.raises(E.RefusedAnswerError, match="outside its own folder"):
        check_model_file(_write(tmp_path, rewrite_glb_json(glb, change)), service="Meshy")


def test_a_uri_hidden_in_an_extension_is_found_too(tmp_path, glb):
    def change(gltf):
        gltf.setdefault("extensions", {})["EXT_whatever"] = {"deep": [{"uri": "/home/artist/.ssh/id_rsa"}]}

    with pytest.raises(E.RefusedAnswerError):
        check_model_file(_write(tmp_path, rewrite_glb_json(glb, change)), service="Scenario")


def test_a_side_file_the_job_downloaded_is_allowed_but_no_other(tmp_path, glb):
    (tmp_path / "base_color.png").write_bytes(_png(4, 4))
    path = _write(tmp_path, rewrite_glb_json(glb, point_image_at("base_color.png")))
    check_model_file(path, service="Scenario", sidecars=frozenset({"base_color.png"}))
    with pytest.raises(E.RefusedAnswerError, match="did not download"):
        check_model_file(path, service="Scenario")


def test_a_side_file_that_is_a_link_is_refused(tmp_path, glb):
    secret = tmp_path.parent / "secret.txt"
    secret.write_text("key")
    (tmp_path / "base_color.png").symlink_to(secret)
    path = _write(tmp_path, rewrite_glb_json(glb, point_image_at("base_color.png")))
    with pytest.raises(E.RefusedAnswerError):
        check_model_file(path, service="Scenario", sidecars=frozenset({"base_color.png"}))


def test_data_uris_are_fine(tmp_path, glb):
    png = _png(4, 4)
    path = _write(tmp_path, rewrite_glb_json(glb, point_image_at("data:image/png;base64," + base64.b64encode(png).decode())))
    check_model_file(path, service="Meshy")


def test_a_buffer_longer_than_the_bin_chunk_is_refused(tmp_path, glb):
    def change(gltf):
        gltf["buffers"][0]["byteLength"] = 10**12

    with pytest.raises(E.RefusedAnswerError, match="buffer declares"):
        check_model_file(_write(tmp_path, rewrite_glb_json(glb, change)), service="Segmind")


def test_a_buffer_view_past_its_buffer_is_refused(tmp_path, glb):
    def change(gltf):
        gltf["bufferViews"][0]["byteOffset"] = gltf["buffers"][0]["byteLength"]

    with pytest.raises(E.RefusedAnswerError, match="past the end"):
        check_model_file(_write(tmp_path, rewrite_glb_json(glb, change)), service="Segmind")


def test_a_chunk_longer_than_the_file_is_refused(tmp_path, glb):
    json_length = struct.unpack_from("<I", glb, 12)[0]
    bin_header = 20 + json_length
    lying = glb[:bin_header] + struct.pack("<I", 10**9) + glb[bin_header + 4:]
    with pytest.raises(E.RefusedAnswerError, match="more than the file holds"):
        check_model_file(_write(tmp_path, lying), service="Segmind")


def test_a_header_that_lies_about_the_length_is_refused(tmp_path, glb):
    with pytest.raises(E.RefusedAnswerError, match="declares"):
        check_model_file(_write(tmp_path, glb + b"\x00" * 8), service="Segmind")


def test_json_nested_deeper_than_any_exporter_writes_is_refused(tmp_path, glb):
    def change(gltf):
        node: dict = {}
        gltf["extras"] = node
        for _ in range(200):
            node["a"] = {}
            node = node["a"]

    with pytest.raises(E.RefusedAnswerError, match="nested too deeply"):
        check_model_file(_write(tmp_path, rewrite_glb_json(glb, change)), service="Segmind")


def test_json_nested_thousands_deep_is_refused_not_a_crash(tmp_path):
    path = tmp_path / "model.gltf"
    path.write_text('{"asset": {"version": "2.0"}, "extras": ' + "[" * 100000 + "]" * 100000 + "}")
    with pytest.raises(E.RefusedAnswerError, match="not valid JSON"):
        check_model_file(path, service="Segmind")


def test_a_gltf_text_file_is_checked_the_same_way(tmp_path):
    path = tmp_path / "model.gltf"
    path.write_text('{"asset": {"version": "2.0"}, "buffers": [{"uri": "../../etc/passwd", "byteLength": 4}]}')
    with pytest.raises(E.RefusedAnswerError):
        check_model_file(path, service="Scenario")


# The guard stands on its own: even a caller that lists a hostile name among the files it downloaded (the download
# check would never let such a name through) gets a refusal, so breaking either check alone is caught.
@pytest.mark.parametrize("uri", [
    "..",
    "../secret.png",
    "..%2fsecret.png",
    "/etc/passwd",
    "C:\\Windows\\win.ini",
    "textures/../../secret.png",
])
def test_a_path_out_of_the_folder_is_refused_even_when_the_caller_lists_it_as_downloaded(tmp_path, glb, uri):
    job = tmp_path / "job"
    job.mkdir()
    (tmp_path / "secret.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    path = _write(job, rewrite_glb_json(glb, point_image_at(uri)))
    with pytest.raises(E.RefusedAnswerError, match="outside its own folder"):
        check_model_file(path, service="Scenario", sidecars=frozenset({uri, uri.replace("%2f", "/")}))


def test_a_folder_is_refused_even_when_the_caller_lists_it_as_downloaded(tmp_path, glb):
    (tmp_path / "textures").mkdir()
    path = _write(tmp_path, rewrite_glb_json(glb, point_image_at("textures")))
    with pytest.raises(E.RefusedAnswerError, match="did not download"):
        check_model_file(path, service="Scenario", sidecars=frozenset({"textures"}))


@pytest.mark.parametrize(("width", "height"), [(16384, 16384), (MAX_IMAGE_SIDE + 1, 64), (64, 100_000)])
def test_a_texture_over_the_pixel_limit_is_refused_before_blender_sees_it(tmp_path, glb, width, height):
    embedded = _png_header(width, height)
    uri = "data:image/png;base64," + base64.b64encode(embedded).decode()
    with pytest.raises(E.RefusedAnswerError, match=f"{width} x {height} pixels"):
        check_model_file(_write(tmp_path, rewrite_glb_json(glb, point_image_at(uri))), service="Meshy")
    (tmp_path / "base_color.png").write_bytes(embedded)
    with pytest.raises(E.RefusedAnswerError, match="up to 8192 on a side"):
        check_model_file(_write(tmp_path, rewrite_glb_json(glb, point_image_at("base_color.png"))), service="Meshy",
                         sidecars=frozenset({"base_color.png"}))


def test_a_texture_inside_the_glb_is_measured_where_it_lies(tmp_path):
    """The generated GLB keeps its texture in the BIN chunk: its header is read there."""
    check_model_file(_write(tmp_path, make_model_glb(3, face_count=500, texture_size=MAX_IMAGE_SIDE // 64)),
                     service="Segmind")
    big = bytearray(make_model_glb(3, face_count=500, texture_size=16))
    at = bytes(big).index(b"IHDR") + 4
    big[at:at + 8] = struct.pack(">II", 16384, 16384)
    with pytest.raises(E.RefusedAnswerError, match="16384 x 16384"):
        check_model_file(_write(tmp_path, bytes(big)), service="Segmind")


def test_an_image_whose_size_cannot_be_read_is_refused(tmp_path, glb):
    uri = "data:image/png;base64," + base64.b64encode(b"not an image at all").decode()
    with pytest.raises(E.RefusedAnswerError, match="cannot read"):
        check_model_file(_write(tmp_path, rewrite_glb_json(glb, point_image_at(uri))), service="Meshy")


def test_sizes_are_read_from_png_jpeg_and_webp_headers():
    jpeg = (b"\xff\xd8" + b"\xff\xe1" + struct.pack(">H", 18) + b"Exif\x00\x00" + b"\x00" * 10
            + b"\xff\xc0" + struct.pack(">HBHH", 17, 8, 3000, 4000) + b"\x03")
    vp8 = b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 10 + struct.pack("<HH", 640, 480)
    bits = (1023) | (767 << 14)
    vp8l = b"RIFF\x00\x00\x00\x00WEBPVP8L" + b"\x00" * 5 + bits.to_bytes(4, "little")
    vp8x = b"RIFF\x00\x00\x00\x00WEBPVP8X" + b"\x00" * 8 + (9999).to_bytes(3, "little") + (99).to_bytes(3, "little")
    assert image_dimensions(_png(7, 5)) == (7, 5)
    assert image_dimensions(jpeg) == (4000, 3000)
    assert image_dimensions(vp8) == (640, 480)
    assert image_dimensions(vp8l) == (1024, 768)
    assert image_dimensions(vp8x) == (10000, 100)
    assert image_dimensions(b"GIF89a") is None
