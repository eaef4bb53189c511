"""The Meshy client against the sandbox over real HTTP: create (202), poll, SSE stream, list, balance, errors."""

from __future__ import annotations

import threading
import time

import pytest

from meshsmith.jobs.engine import JobEngine
from meshsmith.jobs.records import JobKind, JobRecord, JobState
from meshsmith.providers import errors as E
from meshsmith.providers.http import HttpClient
from meshsmith.providers.meshy import STATUS_TABLE, MeshyProvider, MeshyRequest, map_status
from meshsmith.providers.models import AssetRole, JobStatus
from meshsmith.sandbox.assets import build_glb, make_model_glb, make_pot
from meshsmith.sandbox.meshy import BROKE_KEY, TEST_MODE_KEY, VALID_KEY


def _no_wait(delay, cancel):
    return False


@pytest.fixture
def client(sandbox):
    return MeshyProvider(HttpClient(sleep=_no_wait), VALID_KEY, base_url=sandbox.url, poll_interval=0)


@pytest.fixture
def mesh_file(tmp_path):
    path = tmp_path / "mesh.glb"
    path.write_bytes(make_model_glb(2, face_count=500, texture=False))
    return path


def _inputs(mesh_file, **extra):
    return {"mesh_path": str(mesh_file), "style_prompt": "weathered bronze", **extra}


def _poll(provider, remote_id):
    for _ in range(30):
        job = provider.status(remote_id)
        if job.status.is_terminal:
            return job
    raise AssertionError("never finished")


def test_status_table_and_unknown_status():
    assert set(STATUS_TABLE) == {"PENDING", "IN_PROGRESS", "SUCCEEDED", "FAILED", "CANCELED"}
    assert map_status("IN_PROGRESS") is JobStatus.RUNNING
    with pytest.raises(E.UnknownStatusError, match="EXPIRED"):
        map_status("EXPIRED")


def test_retexture_sends_every_option_explicitly(client, sandbox, mesh_file):
    request = client.prepare({"enable_original_uv": True}, _inputs(mesh_file))
    job = client.submit(request, lambda rid: None)
    body = sandbox.meshy.tasks[job.remote_id].body
    for key in ("ai_model", "enable_original_uv", "enable_pbr", "hd_texture", "remove_lighting", "text_style_prompt"):
        assert key in body
    assert body["enable_pbr"] is True and body["enable_original_uv"] is True


def test_text_to_texture_sends_its_own_fields(client, sandbox, mesh_file):
    request = client.prepare({"endpoint": "TEXT_TO_TEXTURE", "art_style": "japanese-anime", "resolution": "2048"},
                             _inputs(mesh_file, object_prompt="a helmet"))
    job = client.submit(request, lambda rid: None)
    body = sandbox.meshy.tasks[job.remote_id].body
    assert sandbox.meshy.tasks[job.remote_id].kind == "text-to-texture"
    assert (body["object_prompt"], body["art_style"], body["resolution"]) == ("a helmet", "japanese-anime", "2048")
    assert _poll(client, job.remote_id).status is JobStatus.SUCCEEDED


def test_polling_walks_to_success_with_maps_mapped_by_name(client, sandbox, mesh_file):
    job = client.submit(client.prepare({}, _inputs(mesh_file)), lambda rid: None)
    done = _poll(client, job.remote_id)
    roles = {asset.role: asset.url for asset in done.assets}
    assert {AssetRole.MODEL, AssetRole.BASE_COLOR, AssetRole.METALLIC, AssetRole.ROUGHNESS, AssetRole.NORMAL,
            AssetRole.EMISSION, AssetRole.PREVIEW} <= set(roles)
    assert roles[AssetRole.NORMAL].split("?")[0].endswith("_normal.png") and done.cost == 10


def test_swapped_keys_are_caught_by_the_file_name(client, sandbox, mesh_file):
    sandbox.meshy.config.swap_normal_roughness = True
    job = client.submit(client.prepare({}, _inputs(mesh_file)), lambda rid: None)
    roles = {asset.role: asset.url for asset in _poll(client, job.remote_id).assets}
    assert roles[AssetRole.NORMAL].split("?")[0].endswith("texture_0_normal.png")
    assert roles[AssetRole.ROUGHNESS].split("?")[0].endswith("texture_0_roughness.png")


def test_stream_follows_the_task_to_the_end(client, sandbox, mesh_file):
    job = client.submit(client.prepare({}, _inputs(mesh_file)), lambda rid: None)
    states = list(client.watch(job.remote_id, threading.Event()))
    assert states[0].status is JobStatus.QUEUED and states[-1].status is JobStatus.SUCCEEDED
    assert any(s.status is JobStatus.RUNNING and 0 < s.progress < 1 for s in states)
    assert states[-1].assets


def test_a_cut_stream_raises_so_the_engine_can_poll(client, sandbox, mesh_file):
    sandbox.meshy.config.cut_stream_after = 3
    job = client.submit(client.prepare({}, _inputs(mesh_file)), lambda rid: None)
    with pytest.raises(E.TransportError):
        list(client.watch(job.remote_id, threading.Event()))


def test_stream_error_event_for_an_unknown_task(client):
    with pytest.raises(E.NotFoundError):
        list(client.watch("no-such-task", threading.Event()))


def test_engine_falls_back_to_polling_when_the_stream_breaks(sandbox, mesh_file, tmp_path):
    sandbox.meshy.config.cut_stream_after = 2
    provider = MeshyProvider(HttpClient(sleep=_no_wait), VALID_KEY, base_url=sandbox.url, poll_interval=0.01)
    engine = JobEngine()
    record = engine.submit(JobRecord(provider="MESHY", kind=JobKind.RETEXTURE, inputs=_inputs(mesh_file),
                                     output_dir=str(tmp_path / "out")), provider)
    deadline = time.monotonic() + 15
    while engine.get(record.id).state not in (JobState.READY, JobState.FAILED) and time.monotonic() < deadline:
        engine.wait_for_updates(0.05)
        engine.drain()
    done = engine.get(record.id)
    assert done.state is JobState.READY, done.error
    assert {"BASE_COLOR", "NORMAL", "ROUGHNESS", "METALLIC"} <= set(done.result_paths)
    assert sandbox.meshy.streams_opened == 1 and sandbox.meshy.creating_posts == 1


def test_missing_uvs_with_original_uvs_requested_fail_with_their_own_message(client, sandbox, tmp_path):
    geometry = make_pot(1, 12, 6)
    no_uv = tmp_path / "no_uv.glb"
    data = build_glb(geometry, None)
    # Drop TEXCOORD_0 from the JSON chunk, keeping the lengths valid (pad with spaces).
    import json
    import struct

    length = struct.unpack_from("<I", data, 12)[0]
    gltf = json.loads(data[20:20 + length])
    del gltf["meshes"][0]["primitives"][0]["attributes"]["TEXCOORD_0"]
    chunk = json.dumps(gltf).encode().ljust(length, b" ")
    no_uv.write_bytes(data[:20] + chunk + data[20 + length:])
    job = client.submit(client.prepare({"enable_original_uv": True}, _inputs(no_uv)), lambda rid: None)
    done = _poll(client, job.remote_id)
    assert done.status is JobStatus.FAILED and "no UV map" in done.error


def test_insufficient_credits_is_402(sandbox, mesh_file):
    provider = MeshyProvider(HttpClient(sleep=_no_wait), BROKE_KEY, base_url=sandbox.url)
    with pytest.raises(E.InsufficientCreditsError):
        provider.submit(provider.prepare({}, _inputs(mesh_file)), lambda rid: None)


def test_full_queue_has_its_own_message(client, sandbox, mesh_file):
    sandbox.meshy.config.max_concurrent = 0
    with pytest.raises(E.RateLimitError, match="queue for your account is full"):
        client.submit(client.prepare({}, _inputs(mesh_file)), lambda rid: None)


def test_a_non_glb_model_is_a_bad_request(client, tmp_path):
    with pytest.raises(E.BadRequestError):
        request = MeshyRequest(model_url="data:application/octet-stream;base64,aGVsbG8=", style_prompt="x")
        client.submit(request, lambda rid: None)


def test_prompt_over_600_characters_is_refused_here(client, mesh_file):
    with pytest.raises(ValueError):
        client.prepare({}, _inputs(mesh_file, style_prompt="x" * 601))


def test_no_style_is_refused_here(client, mesh_file):
    with pytest.raises(E.InvalidInputError, match="style"):
        client.prepare({}, {"mesh_path": str(mesh_file)})


def test_list_and_balance(client, sandbox, mesh_file):
    for _ in range(3):
        client.submit(client.prepare({}, _inputs(mesh_file)), lambda rid: None)
    tasks = client.list_tasks(page_size=2)
    assert len(tasks) == 2
    assert client.balance() == 1000


def test_test_mode_key_works(sandbox, mesh_file):
    provider = MeshyProvider(HttpClient(sleep=_no_wait), TEST_MODE_KEY, base_url=sandbox.url)
    job = provider.submit(provider.prepare({}, _inputs(mesh_file)), lambda rid: None)
    assert job.remote_id


def test_texture_downloads_carry_no_key(client, sandbox, mesh_file, tmp_path):
    job = client.submit(client.prepare({}, _inputs(mesh_file)), lambda rid: None)
    for asset in _poll(client, job.remote_id).assets:
        client.download(asset, tmp_path / asset.filename)
    for _, _, headers in sandbox.requests_matching("GET", "/meshy-assets/"):
        assert "authorization" not in headers
