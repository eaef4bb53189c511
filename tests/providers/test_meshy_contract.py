"""The Meshy client against the sandbox over real HTTP: create (202), poll, SSE stream, list, balance, errors."""

from __future__ import annotations

import threading
import time

import pytest

from meshsmith.jobs.engine import JobEngine
from meshsmith.jobs.records import JobKind, JobRecord, JobState
from meshsmith.net import errors as E
from meshsmith.net.http import HttpClient
from meshsmith.providers.meshy.client import STATUS_TABLE, MeshyProvider, MeshyRequest, map_status
from meshsmith.providers.models import JobStatus
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
    for key in ("ai_model", "enable_original_uv", "enable_pbr", "texture_resolution", "remove_lighting", "text_style_prompt"):
        assert key in body
    assert "hd_texture" not in body  # deprecated: texture_resolution replaces it
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
    roles = {asset.key: asset.url for asset in done.assets}
    assert {"MODEL", "BASE_COLOR", "METALLIC", "ROUGHNESS", "NORMAL", "EMISSION", "PREVIEW"} <= set(roles)
    assert roles["NORMAL"].split("?")[0].endswith("_normal.png") and done.cost == 10


def test_swapped_keys_are_caught_by_the_file_name(client, sandbox, mesh_file):
    sandbox.meshy.config.swap_normal_roughness = True
    job = client.submit(client.prepare({}, _inputs(mesh_file)), lambda rid: None)
    roles = {asset.key: asset.url for asset in _poll(client, job.remote_id).assets}
    assert roles["NORMAL"].split("?")[0].endswith("texture_0_normal.png")
    assert roles["ROUGHNESS"].split("?")[0].endswith("texture_0_roughness.png")


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
    with pytest.raises(E.InvalidInputError, match="at most 600 characters"):
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


# --- December 2026: current models, texture resolution, views, retired endpoints --------------------------------
@pytest.mark.parametrize("resolution", ["2k", "4k", "8k"])
def test_texture_resolution_is_sent_and_8k_costs_15(client, sandbox, mesh_file, resolution):
    request = client.prepare({"texture_resolution": resolution, "ai_model": "meshy-7"}, _inputs(mesh_file))
    job = client.submit(request, lambda rid: None)
    body = sandbox.meshy.tasks[job.remote_id].body
    assert body["texture_resolution"] == resolution and body["ai_model"] == "meshy-7" and "hd_texture" not in body
    assert _poll(client, job.remote_id).cost == (15 if resolution == "8k" else 10)


def test_meshy_5_is_retired_and_refused_with_the_date(client, mesh_file):
    with pytest.raises(E.InvalidInputError, match="meshy-5 was retired by Meshy on 2026-10-10"):
        client.prepare({"ai_model": "meshy-5"}, _inputs(mesh_file))


def test_the_strict_sandbox_refuses_meshy_5_as_the_service_does(client, sandbox, mesh_file):
    request = client.prepare({}, _inputs(mesh_file))
    body = {**request.body(), "ai_model": "meshy-5"}
    with pytest.raises(E.BadRequestError, match="retired"):
        client.http.request("POST", f"{sandbox.url}/openapi/v1/retexture", service="Meshy",
                            headers={"Authorization": f"Bearer {VALID_KEY}"}, json=body)


@pytest.mark.parametrize("model", ["meshy-6-lite", "meshy-n1"])
def test_2k_only_models_refuse_4k_before_anything_is_sent(client, sandbox, mesh_file, model):
    with pytest.raises(E.InvalidInputError, match="2K textures only"):
        client.prepare({"ai_model": model, "texture_resolution": "4k"}, _inputs(mesh_file, style_image_path=""))
    assert sandbox.meshy.creating_posts == 0


def test_remove_lighting_is_sent_only_to_models_that_take_it(client, sandbox, mesh_file, png_file):
    six = client.prepare({"ai_model": "meshy-6"}, _inputs(mesh_file)).body()
    lite = client.prepare({"ai_model": "meshy-6-lite"}, _inputs(mesh_file)).body()
    n1 = client.prepare({"ai_model": "meshy-n1", "enable_pbr": True},
                        _inputs(mesh_file, style_prompt="", style_image_path=str(png_file))).body()
    assert six["remove_lighting"] is True and "remove_lighting" not in lite and "remove_lighting" not in n1
    assert n1["enable_pbr"] is False and "text_style_prompt" not in n1  # N1: images only, no PBR
    job = client.submit(client.prepare({"ai_model": "meshy-n1"}, _inputs(mesh_file, style_prompt="",
                                                                          style_image_path=str(png_file))), lambda rid: None)
    assert sandbox.meshy.tasks[job.remote_id].body["ai_model"] == "meshy-n1"


def test_n1_refuses_a_text_style(client, mesh_file):
    with pytest.raises(E.InvalidInputError, match="images only"):
        client.prepare({"ai_model": "meshy-n1"}, _inputs(mesh_file))


def test_several_views_name_meshy_7_explicitly_and_are_the_only_style_sent(client, sandbox, mesh_file, png_file, tmp_path):
    views = ";".join(str(png_file) for _ in range(3))
    request = client.prepare({"ai_model": "latest"}, _inputs(mesh_file, style_views=views, style_image_path=str(png_file)))
    job = client.submit(request, lambda rid: None)
    body = sandbox.meshy.tasks[job.remote_id].body
    assert body["ai_model"] == "meshy-7"  # Meshy refuses "latest" (and no model) with several views
    assert len(body["multiview_image_urls"]) == 3 and body["multiview_image_urls"][0].startswith("data:image/png;base64,")
    assert "image_style_url" not in body and "text_style_prompt" not in body
    with pytest.raises(E.InvalidInputError, match="several views needs Meshy 7 or Meshy N1"):
        client.prepare({"ai_model": "meshy-6"}, _inputs(mesh_file, style_views=views))
    with pytest.raises(E.InvalidInputError, match="at most 4 views"):
        client.prepare({"ai_model": "meshy-7"}, _inputs(mesh_file, style_views=";".join([str(png_file)] * 5)))


def test_text_to_texture_gone_says_so_and_points_to_retexture_without_retrying(sandbox, mesh_file):
    sandbox.meshy.config.text_to_texture_gone = True
    sleeps = []
    provider = MeshyProvider(HttpClient(sleep=lambda d, c: sleeps.append(d) or False), VALID_KEY, base_url=sandbox.url,
                             poll_interval=0)
    request = provider.prepare({"endpoint": "TEXT_TO_TEXTURE"}, _inputs(mesh_file, object_prompt="a crate"))
    with pytest.raises(E.EndpointRetiredError, match="no longer offers Text to Texture.*Retexture") as caught:
        provider.submit(request, lambda rid: None)
    assert caught.value.fix is E.Fix.SWITCH_TO_RETEXTURE and "nothing was billed" in str(caught.value)
    assert sleeps == [] and len(sandbox.requests_matching("POST", "/text-to-texture")) == 1


def test_the_task_list_survives_odd_entries(client, sandbox, mesh_file):
    client.submit(client.prepare({}, _inputs(mesh_file)), lambda rid: None)
    sandbox.meshy.config.odd_list_entries = True
    tasks = client.list_tasks()
    assert len(tasks) == 1 and tasks[0].remote_id in sandbox.meshy.tasks


def test_a_lost_retexture_with_a_style_image_is_found_again(client, sandbox, mesh_file, png_file):
    request = client.prepare({}, _inputs(mesh_file, style_prompt="", style_image_path=str(png_file)))
    sent_at = time.time()
    job = client.submit(request, lambda rid: None)
    found = client.find_lost_submission(request, sent_at)
    assert found is not None and found.remote_id == job.remote_id


def test_a_401_with_the_test_key_says_test_mode_is_unavailable(sandbox, mesh_file):
    sandbox.meshy.config.test_mode_unavailable = True
    provider = MeshyProvider(HttpClient(sleep=_no_wait), TEST_MODE_KEY, base_url=sandbox.url, poll_interval=0)
    with pytest.raises(E.AuthenticationError, match="test mode is unavailable") as caught:
        provider.submit(provider.prepare({}, _inputs(mesh_file)), lambda rid: None)
    assert "refused the API key" not in str(caught.value)


def test_a_page_size_over_50_is_refused_by_the_strict_sandbox(client, sandbox):
    with pytest.raises(E.BadRequestError, match="page_size"):
        client.http.request("GET", f"{sandbox.url}/openapi/v1/retexture", service="Meshy",
                            headers={"Authorization": f"Bearer {VALID_KEY}"}, params={"page_size": 51})
    assert client.list_tasks(page_size=80) == []  # the client caps it at 50
