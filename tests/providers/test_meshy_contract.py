"""The Meshy client against the sandbox over real HTTP, on Meshy's API v2 with v1 switched off (as on 2027-03-15):
create, poll, SSE stream, lookup, cancel, balance, every error by its code, and jobs journaled on v1."""

from __future__ import annotations

import base64
import threading
import time

import pytest
import requests

from meshsmith.jobs.engine import JobEngine
from meshsmith.jobs.records import JobKind, JobRecord, JobState
from meshsmith.net import errors as E
from meshsmith.net.http import HttpClient
from meshsmith.providers.meshy.client import STATUS_TABLE, V2, MeshyProvider, map_status
from meshsmith.providers.models import JobStatus
from meshsmith.sandbox.assets import make_model_glb
from meshsmith.sandbox.meshy import BROKE_KEY, TEST_MODE_KEY, VALID_KEY
from meshsmith.sandbox.meshy_v2 import FIELDS, LIMITED_KEY, MODERATED_WORD, V1_NAMES


def _no_wait(delay, cancel):
    return False


@pytest.fixture(autouse=True)
def v1_switched_off(sandbox):
    sandbox.meshy.config.v1_off = True


def _client(sandbox, key=VALID_KEY, poll=0.0):
    return MeshyProvider(HttpClient(sleep=_no_wait), key, base_url=sandbox.url, poll_interval=poll)


@pytest.fixture
def client(sandbox):
    return _client(sandbox)


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


def _task(sandbox, remote_id):
    return sandbox.meshy.tasks[remote_id.removeprefix(V2)]


def _engine_run(sandbox, provider, mesh_file, tmp_path, timeout=20.0, **inputs):
    engine = JobEngine()
    record = engine.submit(JobRecord(provider="MESHY", kind=JobKind.RETEXTURE, inputs=_inputs(mesh_file, **inputs),
                                     output_dir=str(tmp_path / "out")), provider)
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not (engine.get(record.id).state in (JobState.READY, JobState.FAILED) or (
            engine.get(record.id).state is JobState.UNKNOWN and engine.get(record.id).finished_at)):
        engine.wait_for_updates(0.05)
        engine.drain()
        seen.append(engine.get(record.id).message)
    done = engine.get(record.id)
    engine.shutdown()
    return done, seen


def test_status_table_and_unknown_status():
    assert set(STATUS_TABLE) == {"PENDING", "IN_PROGRESS", "SUCCEEDED", "FAILED", "CANCELED"}
    assert map_status("IN_PROGRESS") is JobStatus.RUNNING
    with pytest.raises(E.UnknownStatusError, match="EXPIRED"):
        map_status("EXPIRED")


def test_a_text_style_is_sent_with_v2_names_only(client, sandbox, mesh_file):
    job = client.submit(client.prepare({}, _inputs(mesh_file)), lambda rid: None)
    assert job.remote_id.startswith(V2)
    body = _task(sandbox, job.remote_id).body
    assert set(body) <= FIELDS and not set(body) & V1_NAMES
    assert body["texture_model"] == "meshy-7" and body["texture_prompt"] == "weathered bronze"
    assert "texture_image_url" not in body and "uv_mode" not in body
    assert (body["enable_pbr"], body["remove_lighting"], body["texture_resolution"]) == (True, True, "2k")
    sent = sandbox.recent_bodies[-1][2]
    assert b'"model_url": "data:model/gltf-binary;base64,' in sent or b'"model_url":"data:model/gltf-binary' in sent


def test_an_image_style_is_sent_as_texture_image_url_never_with_a_prompt(client, sandbox, mesh_file, png_file):
    job = client.submit(client.prepare({}, _inputs(mesh_file, style_image_path=str(png_file))), lambda rid: None)
    body = _task(sandbox, job.remote_id).body
    assert body["texture_image_url"].startswith("data:image/png;base64,") and "texture_prompt" not in body


def test_polling_walks_to_success_with_results_read_from_output(client, sandbox, mesh_file):
    job = client.submit(client.prepare({}, _inputs(mesh_file)), lambda rid: None)
    done = _poll(client, job.remote_id)
    roles = {asset.key: asset.url for asset in done.assets}
    assert {"MODEL", "BASE_COLOR", "METALLIC", "ROUGHNESS", "NORMAL", "PREVIEW"} <= set(roles)
    assert roles["NORMAL"].split("?")[0].endswith("_normal.png") and done.cost == 10
    assert done.remote_id == job.remote_id


def test_swapped_keys_are_caught_by_the_file_name(client, sandbox, mesh_file):
    sandbox.meshy.config.swap_normal_roughness = True
    job = client.submit(client.prepare({}, _inputs(mesh_file)), lambda rid: None)
    roles = {asset.key: asset.url for asset in _poll(client, job.remote_id).assets}
    assert roles["NORMAL"].split("?")[0].endswith("texture_0_normal.png")
    assert roles["ROUGHNESS"].split("?")[0].endswith("texture_0_roughness.png")


def test_the_stream_is_followed_whatever_its_events_are_called(client, sandbox, mesh_file):
    job = client.submit(client.prepare({}, _inputs(mesh_file)), lambda rid: None)
    states = list(client.watch(job.remote_id, threading.Event()))
    assert states[0].status is JobStatus.QUEUED and states[-1].status is JobStatus.SUCCEEDED
    assert any(s.status is JobStatus.RUNNING and 0 < s.progress < 1 for s in states)
    assert states[-1].assets and all(s.remote_id == job.remote_id for s in states)


def test_a_cut_stream_raises_and_the_engine_polls(sandbox, mesh_file, tmp_path):
    sandbox.meshy.config.cut_stream_after = 2
    done, _seen = _engine_run(sandbox, _client(sandbox, poll=0.01), mesh_file, tmp_path)
    assert done.state is JobState.READY, done.error
    assert {"BASE_COLOR", "NORMAL", "ROUGHNESS", "METALLIC"} <= set(done.result_paths)
    assert sandbox.meshy.streams_opened == 1 and sandbox.meshy.creating_posts == 1


def test_an_unknown_task_on_the_stream_is_not_found(client):
    with pytest.raises(E.NotFoundError):
        list(client.watch(V2 + "no-such-task", threading.Event()))


def test_a_lost_creating_answer_is_found_in_the_task_list_and_finishes(sandbox, mesh_file, tmp_path):
    sandbox.arm("lose_answer", path_contains="/openapi/v2/retexture", method="POST", count=1)
    done, _seen = _engine_run(sandbox, _client(sandbox, poll=0.01), mesh_file, tmp_path, timeout=40)
    assert done.state is JobState.READY, (done.state, done.error, done.message)
    assert sandbox.meshy.creating_posts == 1 and done.remote_id.startswith(V2)


def test_a_pending_task_limit_keeps_the_job_queued_in_meshsmith_then_sends_it(sandbox, mesh_file, tmp_path,
                                                                             monkeypatch):
    from meshsmith.providers.meshy import answers

    monkeypatch.setattr(answers.E.AccountBusyError, "__init__", _quick_busy(answers.E.AccountBusyError.__init__))
    sandbox.meshy.config.pending_limit_next = 2
    done, seen = _engine_run(sandbox, _client(sandbox, poll=0.01), mesh_file, tmp_path, timeout=30)
    assert done.state is JobState.READY, done.error
    waiting = [text for text in seen if text.startswith("Queued in Meshsmith")]
    assert waiting and "Too many of your Meshy tasks" in waiting[0] and "(until " in waiting[0]
    assert sandbox.meshy.creating_posts == 1


def _quick_busy(original):
    def init(self, message, *, patience_s=1800.0, retry_after=None):
        original(self, message, patience_s=patience_s, retry_after=0.2)  # the test does not wait 30 s a turn
    return init


def test_a_pending_task_limit_that_never_clears_gives_up_at_its_deadline(sandbox, mesh_file, tmp_path, monkeypatch):
    from meshsmith.providers.meshy import answers

    monkeypatch.setattr(answers, "PENDING_LIMIT_PATIENCE_S", 1.0)
    monkeypatch.setattr(answers.E.AccountBusyError, "__init__", _quick_busy(answers.E.AccountBusyError.__init__))
    sandbox.meshy.config.pending_limit_next = 1000
    done, _seen = _engine_run(sandbox, _client(sandbox, poll=0.01), mesh_file, tmp_path, timeout=30)
    assert done.state is JobState.FAILED and "stopped; nothing was sent or billed" in done.error
    assert sandbox.meshy.creating_posts == 0


def test_a_rate_limited_creating_request_waits_for_retry_after_and_makes_one_task(sandbox, mesh_file, tmp_path):
    sandbox.meshy.config.rate_limit_next = 1
    done, _seen = _engine_run(sandbox, _client(sandbox, poll=0.01), mesh_file, tmp_path)
    assert done.state is JobState.READY and sandbox.meshy.creating_posts == 1


@pytest.mark.parametrize(("setup", "error", "says"), [
    (lambda s: setattr(s.meshy.config, "concurrent_limit_next", 1), E.InsufficientCreditsError,
     "plan has run out of credits"),
    (lambda s: None, E.BadRequestError, "moderation refused"),
])
def test_refusals_are_read_by_their_code(client, sandbox, mesh_file, setup, error, says):
    setup(sandbox)
    prompt = MODERATED_WORD if error is E.BadRequestError else "bronze"
    with pytest.raises(error, match=says):
        client.submit(client.prepare({}, _inputs(mesh_file, style_prompt=prompt)), lambda rid: None)
    assert sandbox.meshy.creating_posts == 0


@pytest.mark.parametrize(("key", "says"), [(BROKE_KEY, "account has run out of credits"),
                                           (LIMITED_KEY, "reached the credit limit set for it")])
def test_402_tells_an_empty_account_from_a_keys_own_limit(sandbox, mesh_file, key, says):
    client = _client(sandbox, key)
    with pytest.raises(E.InsufficientCreditsError, match=says):
        client.submit(client.prepare({}, _inputs(mesh_file)), lambda rid: None)


def test_a_refused_request_is_said_by_its_code_never_with_the_validators_text(client, sandbox, mesh_file):
    request = client.prepare({}, _inputs(mesh_file))
    object.__setattr__(request, "image_style_url", "data:image/png;base64,iVBORw0KGgo=")  # both styles: a conflict
    body = request.body()
    body["texture_prompt"] = "bronze"
    with pytest.raises(E.BadRequestError) as caught:
        client._send("POST", "/openapi/v2/retexture", json=body)
    assert "parameters_conflict" in str(caught.value) and "cannot be used together" not in str(caught.value)


def test_cancel_deletes_the_task(client, sandbox, mesh_file):
    job = client.submit(client.prepare({}, _inputs(mesh_file)), lambda rid: None)
    assert client.cancel(job.remote_id) is True
    assert client.status(job.remote_id).status is JobStatus.CANCELED
    assert sandbox.requests_matching("DELETE", "/openapi/v2/tasks/")


def test_list_and_balance_on_v2(client, sandbox, mesh_file):
    job = client.submit(client.prepare({}, _inputs(mesh_file)), lambda rid: None)
    assert [task.remote_id for task in client.list_tasks()] == [job.remote_id]
    sandbox.meshy.config.balance = 432
    assert client.balance() == 432.0
    assert sandbox.requests_matching("GET", "/openapi/v2/balance")


@pytest.mark.parametrize(("params", "inputs", "says"), [
    ({"texture_model": "meshy-n1"}, {}, "paints from a style image only"),
    ({"texture_model": "meshy-6-lite", "texture_resolution": "4k"}, {}, "makes 2K textures only"),
    ({"texture_model": "meshy-n1", "texture_resolution": "8k"}, {"image": True}, "makes 2K textures only"),
    ({"texture_model": "meshy-5"}, {}, "no texture model 'meshy-5'"),
])
def test_what_a_model_cannot_do_is_refused_before_anything_is_sent(client, sandbox, mesh_file, png_file, params,
                                                                   inputs, says):
    extra = {"style_image_path": str(png_file)} if inputs.get("image") else {}
    with pytest.raises(E.InvalidInputError, match=says) as caught:
        client.prepare(params, _inputs(mesh_file, **extra))
    assert "Value error" not in str(caught.value) and sandbox.meshy.creating_posts == 0


def test_meshy_n1_with_an_image_sends_what_n1_takes_and_the_strict_sandbox_accepts_it(client, sandbox, mesh_file,
                                                                                      png_file):
    request = client.prepare({"texture_model": "meshy-n1"}, _inputs(mesh_file, style_prompt="",
                                                                     style_image_path=str(png_file)))
    job = client.submit(request, lambda rid: None)
    body = _task(sandbox, job.remote_id).body
    assert "enable_pbr" not in body and "remove_lighting" not in body and "texture_prompt" not in body
    assert _poll(client, job.remote_id).status is JobStatus.SUCCEEDED


@pytest.mark.parametrize(("change", "code"), [
    ({"ai_model": "meshy-7"}, "unknown_parameter"),
    ({"text_style_prompt": "x"}, "unknown_parameter"),
    ({"enable_original_uv": True}, "unknown_parameter"),
    ({"target_polycount": 3}, "unknown_parameter"),
    ({"texture_image_url": "data:image/png;base64,iVBORw0KGgo="}, "parameters_conflict"),
    ({"input_task_id": "abc"}, "parameters_conflict"),
    ({"model_url": "data:application/octet-stream;base64,Z2xURg=="}, "invalid_model_url"),
    ({"texture_model": None}, "missing_parameter"),
])
def test_the_simulator_refuses_what_v2_refuses(sandbox, change, code):
    body = {"model_url": "data:model/gltf-binary;base64," + base64.b64encode(make_model_glb(1, face_count=200)).decode(),
            "texture_model": "meshy-7", "texture_prompt": "bronze", **change}
    body = {key: value for key, value in body.items() if value is not None}
    answer = requests.post(f"{sandbox.url}/openapi/v2/retexture", json=body,
                           headers={"Authorization": f"Bearer {VALID_KEY}"}, timeout=10)
    assert answer.status_code == 400 and answer.json()["code"] == code
    assert set(answer.json()) == {"type", "code", "message", "doc_url"} and sandbox.meshy.creating_posts == 0


def _v1_task(sandbox, mesh_file) -> str:
    """A task made through v1, as a job journaled before the upgrade has one (v1 still on)."""
    sandbox.meshy.config.v1_off = False
    answer = requests.post(f"{sandbox.url}/openapi/v1/retexture", timeout=10, headers={
        "Authorization": f"Bearer {VALID_KEY}"}, json={
        "model_url": "data:application/octet-stream;base64," + base64.b64encode(mesh_file.read_bytes()).decode(),
        "ai_model": "meshy-7", "text_style_prompt": "bronze", "enable_original_uv": False})
    assert answer.status_code == 202
    return answer.json()["result"]


def test_a_job_journaled_on_v1_is_still_read_on_v1_while_v1_answers(client, sandbox, mesh_file):
    task_id = _v1_task(sandbox, mesh_file)
    done = _poll(client, task_id)
    assert done.status is JobStatus.SUCCEEDED and done.remote_id == task_id and done.assets
    assert sandbox.requests_matching("GET", f"/openapi/v1/retexture/{task_id}")


def test_a_job_journaled_on_v1_ends_with_where_its_result_may_be_once_v1_is_gone(sandbox, mesh_file, tmp_path):
    task_id = _v1_task(sandbox, mesh_file)
    sandbox.meshy.config.v1_off = True
    from meshsmith.jobs.store import JobStore

    journal = JobStore(tmp_path / "journal")
    engine = JobEngine(journal)
    record = JobRecord(provider="MESHY", kind=JobKind.RETEXTURE, inputs=_inputs(mesh_file), remote_id=task_id,
                       state=JobState.RUNNING, output_dir=str(tmp_path / "out"), submitted_at=time.time())
    engine.book.keep(record)
    engine.shutdown()
    engine = JobEngine(JobStore(tmp_path / "journal"))
    engine.resume(lambda name: _client(sandbox, poll=0.01))
    deadline = time.monotonic() + 20
    while engine.get(record.id).state is not JobState.FAILED and time.monotonic() < deadline:
        engine.wait_for_updates(0.05)
        engine.drain()
    done = engine.get(record.id)
    engine.shutdown()
    assert done.state is JobState.FAILED and "switched its API to version 2" in done.error
    assert "app.meshy.ai" in done.error and sandbox.meshy.creating_posts == 1  # the v1 one, before the upgrade


def test_the_test_mode_key_refused_by_v2_says_test_mode_is_gone_and_points_to_a_key(sandbox, mesh_file):
    client = _client(sandbox, TEST_MODE_KEY)
    with pytest.raises(E.AuthenticationError, match="no longer offers its test mode") as caught:
        client.submit(client.prepare({}, _inputs(mesh_file)), lambda rid: None)
    assert caught.value.fix is E.Fix.OPEN_PREFERENCES


def test_texture_downloads_carry_no_key(client, sandbox, mesh_file, tmp_path):
    job = client.submit(client.prepare({}, _inputs(mesh_file)), lambda rid: None)
    for asset in _poll(client, job.remote_id).assets:
        client.download(asset, tmp_path / asset.filename)
    downloads = sandbox.requests_matching("GET", "/meshy-assets/")
    assert downloads and all("authorization" not in headers for _m, _p, headers in downloads)


@pytest.mark.parametrize(("resolution", "cost"), [("2k", 10), ("4k", 10), ("8k", 15)])
def test_texture_resolution_is_sent_and_8k_costs_15(client, sandbox, mesh_file, resolution, cost):
    job = client.submit(client.prepare({"texture_resolution": resolution}, _inputs(mesh_file)), lambda rid: None)
    assert _task(sandbox, job.remote_id).body["texture_resolution"] == resolution
    assert _poll(client, job.remote_id).cost == cost


def test_a_failed_task_says_why_in_an_artists_words(client, sandbox, mesh_file):
    sandbox.meshy.config.fail_next = 1
    job = client.submit(client.prepare({}, _inputs(mesh_file)), lambda rid: None)
    done = _poll(client, job.remote_id)
    assert done.status is JobStatus.FAILED and done.error == "Meshy could not use the mesh or the style input."


def _faces(path_or_bytes) -> int:
    from meshsmith.sandbox.mesh_tools import face_count

    return face_count(path_or_bytes if isinstance(path_or_bytes, bytes) else path_or_bytes.read_bytes())


def test_remesh_returns_the_shape_with_fewer_faces_for_5_credits(client, sandbox, tmp_path):
    mesh = tmp_path / "dense.glb"
    mesh.write_bytes(make_model_glb(5, face_count=3000, texture=False))
    request = client.prepare({"tool": "REMESH", "topology": "quad", "target_polycount": 800}, {"mesh_path": str(mesh)})
    job = client.submit(request, lambda rid: None)
    task = _task(sandbox, job.remote_id)
    assert task.kind == "remesh" and task.body == {"topology": "quad", "target_polycount": 800}
    done = _poll(client, job.remote_id)
    assert done.status is JobStatus.SUCCEEDED and done.cost == 5 and [a.key for a in done.assets] == ["MODEL", "PREVIEW"]
    result = tmp_path / "remeshed.glb"
    client.download(done.assets[0], result)
    assert 100 <= _faces(result) <= 800 < _faces(mesh)


def test_uv_unwrap_returns_the_surface_with_new_uvs(client, sandbox, mesh_file, tmp_path):
    from meshsmith.jobs.same_uvs import uv_signature

    job = client.submit(client.prepare({"tool": "UV_UNWRAP"}, {"mesh_path": str(mesh_file)}), lambda rid: None)
    assert _task(sandbox, job.remote_id).kind == "uv-unwrap" and _task(sandbox, job.remote_id).body == {}
    done = _poll(client, job.remote_id)
    result = tmp_path / "unwrapped.glb"
    client.download(done.assets[0], result)
    assert done.cost == 5 and uv_signature(result) not in (None, uv_signature(mesh_file))
    assert _faces(result) == _faces(mesh_file)


def test_a_mesh_over_uv_unwraps_face_limit_is_told_to_remesh_first(client, sandbox, mesh_file):
    sandbox.meshy.config.uv_unwrap_face_limit = 100
    with pytest.raises(E.InvalidInputError, match=r"more faces than Meshy's limit for this \(100\): remesh it first"):
        client.submit(client.prepare({"tool": "UV_UNWRAP"}, {"mesh_path": str(mesh_file)}), lambda rid: None)
    assert sandbox.meshy.creating_posts == 0


@pytest.mark.parametrize(("params", "says"), [
    ({"tool": "REMESH", "topology": "hex"}, "quad or triangle"),
    ({"tool": "REMESH", "target_polycount": 50}, "100"),
    ({"tool": "REMESH", "target_polycount": 300_001}, "300000"),
])
def test_remesh_settings_meshy_refuses_are_refused_here(client, mesh_file, params, says):
    with pytest.raises(E.InvalidInputError, match=says):
        client.prepare(params, {"mesh_path": str(mesh_file)})


def test_a_lost_remesh_answer_is_found_in_the_remesh_task_list(client, sandbox, mesh_file):
    request = client.prepare({"tool": "REMESH", "topology": "triangle", "target_polycount": 400},
                             {"mesh_path": str(mesh_file)})
    sandbox.arm("lose_answer", path_contains="/openapi/v2/remesh", method="POST", count=1)
    submitted = time.time()
    with pytest.raises(E.TransportError):
        client.submit(request, lambda rid: None)
    found = client.find_lost_submission(request, submitted)
    assert found is not None and found.remote_id.startswith(V2) and sandbox.meshy.creating_posts == 1
    assert sandbox.requests_matching("GET", "/openapi/v2/tasks?type=remesh")
