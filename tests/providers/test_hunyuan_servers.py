"""Self-hosted Hunyuan3D servers against their simulators (real HTTP on loopback, real worker threads):
one job per server at a time, a dead server skipped, failures the server never reports ended by the job's
deadline, a server that restarts mid-job, 2.1's painting stage and its limits, the model decoded to disk."""

from __future__ import annotations

import base64
import socket
import time
from pathlib import Path

import pytest

from meshsmith.jobs.engine import JobEngine
from meshsmith.jobs.records import JobKind, JobRecord, JobState
from meshsmith.net import errors as E
from meshsmith.net.http import HttpClient
from meshsmith.net.urls import is_allowed_url
from meshsmith.providers.hunyuan_server.client import HunyuanServerProvider
from meshsmith.providers.hunyuan_server.pool import ServerPool
from meshsmith.providers.hunyuan_server.status_answer import Base64Field
from meshsmith.sandbox.assets import make_model_glb


def _client(servers: list[str], pool: ServerPool | None = None) -> HunyuanServerProvider:
    return HunyuanServerProvider(HttpClient(), base_url=", ".join(servers), poll_interval=0.05,
                                 pool=pool or ServerPool())


def _record(png_file: Path, tmp_path: Path, **params) -> JobRecord:
    return JobRecord(provider="HUNYUAN_SERVER", kind=JobKind.GENERATE, params={"timeout_s": 10, **params},
                     inputs={"image_path": str(png_file), "work_dir": str(tmp_path / "work")},
                     output_dir=str(tmp_path / "out"))


def _wait_all(engine: JobEngine, ids: list[str], timeout: float = 40.0) -> list[JobRecord]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        engine.wait_for_updates(0.05)
        engine.drain()
        records = [engine.get(job_id) for job_id in ids]
        if all(not record.state.is_active for record in records):
            return records
    raise AssertionError([engine.get(job_id).state for job_id in ids])


def _settled_unknown(engine: JobEngine, job_id: str, timeout: float = 20.0) -> JobRecord:
    """The job once it is UNKNOWN for good (looked for, or not lookable, and said so)."""
    deadline = time.monotonic() + timeout
    while not (engine.get(job_id).state is JobState.UNKNOWN and engine.get(job_id).finished_at) \
            and time.monotonic() < deadline:
        engine.wait_for_updates(0.05)
        engine.drain()
    return engine.get(job_id)


def _closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_three_servers_share_five_jobs_and_none_ever_runs_two(sandbox, png_file, tmp_path):
    servers = [sandbox.hunyuan_server, sandbox.add_hunyuan_server(enable_tex=True),
               sandbox.add_hunyuan_server("2.1")]
    for server in servers:
        server.config.seconds = 0.6
    pool = ServerPool()
    engine = JobEngine()
    ids = [engine.submit(_record(png_file, tmp_path / str(n)), _client([s.url for s in servers], pool)).id
           for n in range(5)]
    records = _wait_all(engine, ids)
    assert [record.state for record in records] == [JobState.READY] * 5, [r.error for r in records]
    assert all(Path(record.result_paths["MODEL"]).read_bytes()[:4] == b"glTF" for record in records)
    assert [server.max_running for server in servers] == [1, 1, 1]  # never two jobs at once on one GPU
    assert sum(server.creating_posts for server in servers) == 5 and all(s.creating_posts for s in servers)
    # The job list can say where each job ran.
    assert {record.remote_id.rsplit("@", 1)[1] for record in records} == {server.url for server in servers}
    engine.shutdown()


def test_a_dead_server_is_skipped(sandbox, png_file, tmp_path):
    engine = JobEngine()
    client = _client([_closed_port_url(), sandbox.hunyuan_server.url])
    record = engine.submit(_record(png_file, tmp_path), client)
    (done,) = _wait_all(engine, [record.id])
    assert done.state is JobState.READY and done.remote_id.endswith(sandbox.hunyuan_server.url)
    engine.shutdown()


def test_a_failure_the_server_never_reports_ends_at_the_deadline_and_frees_the_server(sandbox, png_file, tmp_path):
    sandbox.hunyuan_server.config.fail_next = 1
    pool = ServerPool()
    engine = JobEngine()
    started = time.monotonic()
    ids = [engine.submit(_record(png_file, tmp_path / name), _client([sandbox.hunyuan_server.url], pool)).id
           for name in "ab"]
    # Whichever reached the server first fails silently there; the other waits for the server.
    first, second = sorted(_wait_all(engine, ids), key=lambda record: record.state is not JobState.FAILED)
    assert first.state is JobState.FAILED and 10 <= time.monotonic() - started < 25
    assert "gave no result in time" in first.error and "server's log" in first.error
    assert second.state is JobState.READY  # it waited for the server, then ran
    assert sandbox.hunyuan_server.max_running == 1
    engine.shutdown()


def test_a_server_restarted_mid_job_forgets_it_and_the_job_says_so_at_its_deadline(sandbox, png_file, tmp_path):
    sandbox.hunyuan_server.config.seconds = 30.0
    engine = JobEngine()
    record = engine.submit(_record(png_file, tmp_path), _client([sandbox.hunyuan_server.url]))
    deadline = time.monotonic() + 10
    while engine.get(record.id).state is not JobState.RUNNING and time.monotonic() < deadline:
        engine.wait_for_updates(0.05)
        engine.drain()
    sandbox.hunyuan_server.restart()  # its cache is wiped: the uid now reads "processing" for ever
    (done,) = _wait_all(engine, [record.id])
    assert done.state is JobState.FAILED and "restarted" in done.error
    engine.shutdown()


def test_a_2_1_server_paints_reports_it_and_is_used_for_the_image_only(sandbox, png_file, tmp_path):
    server = sandbox.add_hunyuan_server("2.1", seconds=1.0)
    engine = JobEngine()
    record = engine.submit(_record(png_file, tmp_path), _client([server.url]))
    seen = set()
    deadline = time.monotonic() + 20
    while engine.get(record.id).state.is_active and time.monotonic() < deadline:
        engine.wait_for_updates(0.05)
        engine.drain()
        seen.add(engine.get(record.id).message)
    assert engine.get(record.id).state is JobState.READY
    assert any(message.startswith("Painting on") and "uses the image only" in message for message in seen), seen
    body = sandbox.hunyuan_servers[-1].jobs[next(iter(server.jobs))].body
    assert not body["image"].startswith("data:") and base64.b64decode(body["image"])[:4] == b"\x89PNG"
    engine.shutdown()


def test_a_2_1_server_cannot_paint_a_given_mesh_and_says_so(sandbox, png_file, tmp_path):
    server = sandbox.add_hunyuan_server("2.1")
    client = _client([server.url])
    mesh = tmp_path / "mesh.glb"
    mesh.write_bytes(make_model_glb(1, face_count=200, texture=False))
    request = client.prepare({"timeout_s": 10}, {"image_path": str(png_file), "mesh_path": str(mesh)})
    with pytest.raises(E.InvalidInputError, match="cannot paint a given mesh"):
        client.stage(request)
    assert server.creating_posts == 0


def test_a_2_0_server_paints_a_given_mesh(sandbox, png_file, tmp_path):
    engine = JobEngine()
    mesh = tmp_path / "mesh.glb"
    mesh.write_bytes(make_model_glb(1, face_count=200, texture=False))
    record = _record(png_file, tmp_path).evolve(kind=JobKind.RETEXTURE, inputs={
        "image_path": str(png_file), "mesh_path": str(mesh), "work_dir": str(tmp_path / "work")})
    record = engine.submit(record, _client([sandbox.hunyuan_server.url]))
    (done,) = _wait_all(engine, [record.id])
    assert done.state is JobState.READY
    body = next(iter(sandbox.hunyuan_server.jobs.values())).body
    assert body["texture"] is True and base64.b64decode(body["mesh"])[:4] == b"glTF"
    engine.shutdown()


def test_cancel_leaves_the_server_reserved_until_its_job_ends(sandbox, png_file, tmp_path):
    sandbox.hunyuan_server.config.seconds = 1.5
    pool = ServerPool()
    engine = JobEngine()
    client = _client([sandbox.hunyuan_server.url], pool)
    first = engine.submit(_record(png_file, tmp_path / "a"), client)
    while engine.get(first.id).state is not JobState.RUNNING:
        engine.wait_for_updates(0.05)
        engine.drain()
    engine.cancel(first.id, client)  # as the Cancel button does: the service is told (this one cannot stop it)
    canceled_at = time.monotonic()
    second = engine.submit(_record(png_file, tmp_path / "b"), _client([sandbox.hunyuan_server.url], pool))
    (done,) = _wait_all(engine, [second.id])
    assert done.state is JobState.READY and sandbox.hunyuan_server.max_running == 1
    # It waited for the canceled job to end on the server (1.5 s), not for that job's 10 s deadline.
    assert time.monotonic() - canceled_at < 6
    engine.shutdown()


@pytest.mark.parametrize("piece", [1, 3, 7, 4096])
def test_the_model_is_decoded_from_the_status_answer_piece_by_piece(piece):
    model = make_model_glb(3, face_count=500)
    escaped = base64.b64encode(model).replace(b"/", b"\\/")  # a JSON encoder may escape '/'; pieces split it
    assert b"\\/" in escaped
    body = b'{"status": "completed", "model_base64": "' + escaped + b'"}'
    decoder, out = Base64Field(), b""
    for start in range(0, len(body), piece):
        out += b"".join(decoder.feed(body[start:start + piece]))
    out += decoder.finish()
    assert out == model


def test_a_cut_off_model_is_refused():
    decoder = Base64Field()
    decoder.feed(b'{"status": "completed", "model_base64": "' + base64.b64encode(b"glTF" * 100)[:50])
    with pytest.raises(E.BadDownloadError, match="stopped sending"):
        decoder.finish()


def test_when_no_server_answers_the_job_fails_at_once_and_says_where_to_look(png_file, tmp_path):
    dead = [_closed_port_url(), _closed_port_url()]
    engine = JobEngine()
    started = time.monotonic()
    client = _client(dead)
    record = engine.submit(_record(png_file, tmp_path), client)
    (done,) = _wait_all(engine, [record.id])
    assert done.state is JobState.FAILED and time.monotonic() - started < 8  # not a wait for servers that are down
    assert "No Hunyuan3D server answers" in done.error and "Nothing was sent" in done.error
    assert all(url.split("//")[1] in done.error for url in dead)
    assert done.fix == "OPEN_PREFERENCES"
    states = client.pool.states
    assert states.state_of(dead[0]).reachable is False and states.state_of(dead[0]).problem
    engine.shutdown()


def test_a_job_waiting_for_a_busy_server_says_so_and_the_states_follow_the_jobs(sandbox, png_file, tmp_path):
    server = sandbox.hunyuan_server
    server.config.seconds = 1.0
    pool, engine = ServerPool(), JobEngine()
    ids = [engine.submit(_record(png_file, tmp_path / name), _client([server.url], pool)).id for name in "ab"]
    messages: dict[str, set[str]] = {job_id: set() for job_id in ids}
    busy_seen = set()
    deadline = time.monotonic() + 20
    while any(engine.get(job_id).state.is_active for job_id in ids) and time.monotonic() < deadline:
        engine.wait_for_updates(0.02)
        engine.drain()
        for job_id in ids:
            messages[job_id].add(engine.get(job_id).message)
        busy_seen.add(pool.states.state_of(server.url).busy_with)
    assert [engine.get(job_id).state for job_id in ids] == [JobState.READY] * 2
    assert any(any(m.startswith("Waiting for a free Hunyuan3D server") for m in seen) for seen in messages.values())
    uids = set(server.jobs)
    assert uids <= busy_seen  # each job's uid was shown as what the server is busy with
    state = pool.states.state_of(server.url)
    assert state.reachable is True and state.version == "2.0" and state.busy_with == "" and state.checked_at
    engine.shutdown()


def test_each_server_gets_its_own_token_and_no_other(sandbox, png_file, tmp_path):
    first, second = sandbox.hunyuan_server, sandbox.add_hunyuan_server(enable_tex=True)
    client = HunyuanServerProvider(HttpClient(), "default-token-123", base_url=f"{first.url}, {second.url}",
                                   pool=ServerPool(), server_tokens={second.url + "/": "own-token-456"})
    for server in (first.url, second.url):
        client.probe(server)
    sent = {path.split("/health")[0]: headers.get("authorization") for method, path, headers in sandbox.request_log
            if path.endswith("/health")}
    assert sent == {"/hunyuan/0": "Bearer default-token-123", "/hunyuan/1": "Bearer own-token-456"}
    assert "own-token-456" not in E.redact("token own-token-456")  # registered as a secret: never in a message


def test_a_2_1_server_that_could_not_paint_sends_the_bare_model_and_the_job_says_so(sandbox, png_file, tmp_path):
    server = sandbox.add_hunyuan_server("2.1", paint_bare_next=1)
    engine = JobEngine()
    record = engine.submit(_record(png_file, tmp_path), _client([server.url]))
    (done,) = _wait_all(engine, [record.id])
    assert done.state is JobState.READY and Path(done.result_paths["MODEL"]).read_bytes()[:4] == b"glTF"
    assert "without a texture" in done.warning and "--enable_tex" in done.warning
    second = engine.submit(_record(png_file, tmp_path / "b"), _client([server.url]))
    (textured,) = _wait_all(engine, [second.id])
    assert textured.state is JobState.READY and textured.warning == ""  # only the bare one is flagged
    untextured_asked = engine.submit(_record(png_file, tmp_path / "c", texture=False), _client([server.url]))
    (plain,) = _wait_all(engine, [untextured_asked.id])
    assert plain.warning == ""  # no texture asked: nothing missing
    engine.shutdown()


def test_a_2_0_server_without_enable_tex_is_named_when_its_job_never_ends(sandbox, png_file, tmp_path):
    server = sandbox.add_hunyuan_server(enable_tex=False)
    engine = JobEngine()
    record = engine.submit(_record(png_file, tmp_path, texture=True), _client([server.url]))
    (done,) = _wait_all(engine, [record.id])
    assert done.state is JobState.FAILED and "--enable_tex" in done.error and "server's log" in done.error
    engine.shutdown()


def test_which_server_ran_a_job_is_read_from_its_id():
    assert HunyuanServerProvider.ran_on("abc-1@1700000000@http://gpu-box:8081") == "http://gpu-box:8081"
    assert HunyuanServerProvider.ran_on("no-server-here") == ""


def test_a_lost_creating_answer_on_the_studios_own_server_is_never_called_billed(sandbox, png_file, tmp_path):
    sandbox.arm("lose_answer", path_contains="/send", method="POST")
    engine = JobEngine()
    record = engine.submit(_record(png_file, tmp_path), _client([sandbox.hunyuan_server.url]))
    done = _settled_unknown(engine, record.id)
    assert done.state is JobState.UNKNOWN and "nothing is billed on your own server" in done.error
    assert "may be billed" not in done.error and "account" not in done.error
    engine.shutdown()


def test_a_job_named_with_path_characters_is_refused_as_such_not_as_lost(sandbox, png_file, tmp_path):
    sandbox.hunyuan_server.config.uid_next = "../../etc/passwd"
    engine = JobEngine()
    record = engine.submit(_record(png_file, tmp_path), _client([sandbox.hunyuan_server.url]))
    done = _settled_unknown(engine, record.id)
    assert done.state is JobState.UNKNOWN and "which is not a job id Meshsmith accepts" in done.error
    assert "answered the creating request in a way Meshsmith cannot use" in done.error and "was lost" not in done.error
    assert sandbox.hunyuan_server.creating_posts == 1 and not [line for line in sandbox.request_log if "etc" in line[1]]
    engine.shutdown()


def test_a_resumed_job_whose_server_left_the_list_sends_that_server_nothing(sandbox, png_file, tmp_path):
    from meshsmith.jobs.store import JobStore

    first, second = sandbox.hunyuan_server, sandbox.add_hunyuan_server(enable_tex=True)
    first.config.seconds = 3.0
    engine = JobEngine(JobStore(tmp_path / "journal"))
    record = engine.submit(_record(png_file, tmp_path), HunyuanServerProvider(
        HttpClient(), "studio-token-789", base_url=first.url, poll_interval=0.05, pool=ServerPool()))
    while not engine.get(record.id).remote_id:
        engine.wait_for_updates(0.05)
        engine.drain()
    engine.shutdown(timeout=0.2)  # Blender closes; the artist then takes the first server off the list
    before = len(sandbox.request_log)
    restarted = JobEngine(JobStore(tmp_path / "journal"))
    restarted.resume(lambda name: HunyuanServerProvider(HttpClient(), "studio-token-789", base_url=second.url,
                                                        poll_interval=0.05, pool=ServerPool()))
    (done,) = _wait_all(restarted, [record.id])
    assert done.state is JobState.FAILED and "no longer one of your Hunyuan3D servers" in done.error
    assert done.fix == "OPEN_PREFERENCES" and done.recoverable
    assert sandbox.request_log[before:] == []  # not a poll, not a token: nothing went to the old server
    restarted.shutdown()


@pytest.mark.parametrize("address", ["http://gpu-box:8081", "http://10.0.0.12:8081", "http://192.168.1.20:8081",
                                     "http://hunyuan.local:8081", "http://[fd00::12]:8081", "http://169.254.3.4:8081"])
def test_a_server_on_the_studios_network_is_reached_over_plain_http(address):
    client = HunyuanServerProvider(HttpClient(), base_url=address, pool=ServerPool())
    assert client.servers == [address]
    # The transport's own rule lets it through (judged without sending anything: tests reach only loopback).
    assert is_allowed_url(address + "/health", client.http.plain_http_hosts)
    assert not is_allowed_url(address + "/health")  # for every other client, plain http there stays refused


@pytest.mark.parametrize("address", ["http://93.184.216.34:8081", "http://gpu.example.com:8081", "http://8.8.8.8"])
def test_plain_http_to_a_public_address_is_refused_before_anything_is_sent(address):
    with pytest.raises(E.InvalidInputError, match="not on your own network"):
        HunyuanServerProvider(HttpClient(), base_url=address, pool=ServerPool())
    # and a listed private host does not open plain http to anything else (refused before any connection)
    client = HunyuanServerProvider(HttpClient(), base_url="http://gpu-box:8081", pool=ServerPool())
    assert not is_allowed_url(address + "/health", client.http.plain_http_hosts)
    with pytest.raises(E.RefusedAnswerError, match="only https is allowed"):
        client.http.request("GET", address + "/health", service="Hunyuan3D server")


def test_each_version_is_held_to_its_own_limits(sandbox, png_file, tmp_path):
    # 2.0 checks nothing and its full models run 30-50 steps; 2.1 takes at most 20. Fifty steps go to a 2.0 server
    # as asked, and are refused before anything is sent to a 2.1 server, naming that server's version.
    old, new = sandbox.hunyuan_server, sandbox.add_hunyuan_server("2.1", seconds=0.2)
    engine = JobEngine()
    sent = engine.submit(_record(png_file, tmp_path / "a", num_inference_steps=50), _client([old.url]))
    refused = engine.submit(_record(png_file, tmp_path / "b", num_inference_steps=50), _client([new.url]))
    done, failed = _wait_all(engine, [sent.id, refused.id])
    assert done.state is JobState.READY and next(iter(old.jobs.values())).body["num_inference_steps"] == 50
    assert failed.state is JobState.FAILED and "Hunyuan3D-2.1 server" in failed.error
    assert "takes Steps from 1 to 20; this job asks for 50" in failed.error and new.creating_posts == 0
    engine.shutdown()


def test_the_finished_model_crosses_the_network_once(sandbox, png_file, tmp_path):
    server = sandbox.hunyuan_server
    engine = JobEngine()
    record = engine.submit(_record(png_file, tmp_path), _client([server.url]))
    (done,) = _wait_all(engine, [record.id])
    assert done.state is JobState.READY, done.error
    assert Path(done.result_paths["MODEL"]).read_bytes()[:4] == b"glTF"
    assert server.completed_answers == 1  # taken from the status answer that said it was done, never fetched again
    engine.shutdown()


def test_a_model_whose_transfer_broke_in_the_status_answer_is_read_again(sandbox, png_file, tmp_path, monkeypatch):
    from meshsmith.providers.hunyuan_server import client as client_module

    calls = []
    real = client_module.decode_model

    def breaks_once(chunks, dest, *, max_bytes):
        if not calls:
            calls.append(dest)
            next(iter(chunks))
            raise client_module.CutShortError("cut")
        return real(chunks, dest, max_bytes=max_bytes)

    monkeypatch.setattr(client_module, "decode_model", breaks_once)
    engine = JobEngine()
    record = engine.submit(_record(png_file, tmp_path), _client([sandbox.hunyuan_server.url]))
    (done,) = _wait_all(engine, [record.id])
    assert done.state is JobState.READY, done.error
    assert sandbox.hunyuan_server.completed_answers == 2 and not calls[0].exists()
    engine.shutdown()


@pytest.mark.parametrize(("tail", "message"), [
    ("text", "sent no model"),
    ("backslashes", "not valid base64"),
    ("base64", "time limit ran out"),
])
def test_a_completed_answer_that_never_ends_ends_the_job_in_bounded_time_and_bytes(
        sandbox, png_file, tmp_path, monkeypatch, tail, message):
    from meshsmith.providers.hunyuan_server import status_answer

    monkeypatch.setattr(status_answer, "MIN_TRANSFER_S", 3.0)
    server = sandbox.hunyuan_server
    server.config.endless_completed = tail
    engine = JobEngine()
    started = time.monotonic()
    record = engine.submit(_record(png_file, tmp_path), _client([server.url]))
    (done,) = _wait_all(engine, [record.id], timeout=60)
    assert done.state is JobState.FAILED and message in done.error, done.error
    # The job's time limit is 10 s: the model's transfer counts inside it (plus MIN_TRANSFER_S when late).
    assert time.monotonic() - started < 30
    assert not list((tmp_path / "out").glob("*.glb"))
    engine.shutdown()


def test_a_model_over_the_size_limit_is_refused_as_it_arrives(sandbox, png_file, tmp_path, monkeypatch):
    from meshsmith.providers.hunyuan_server import client as client_module

    monkeypatch.setattr(client_module, "MAX_MODEL_BYTES", 1 << 20)
    sandbox.hunyuan_server.config.endless_completed = "base64"
    engine = JobEngine()
    started = time.monotonic()
    record = engine.submit(_record(png_file, tmp_path), _client([sandbox.hunyuan_server.url]))
    (done,) = _wait_all(engine, [record.id], timeout=60)
    assert done.state is JobState.FAILED and "over 1 MB" in done.error, done.error
    assert time.monotonic() - started < 8
    engine.shutdown()


def _send(server, body, version):
    import requests

    return requests.post(f"{server.url}/send", json=body, timeout=10)


@pytest.mark.parametrize(("body", "kind"), [
    ({"image": ["x"]}, "string_type"),
    ({"image": "aGk=", "seed": 5.5}, "int_from_float"),
    ({"image": "aGk=", "num_inference_steps": None}, "int_type"),
    ({"image": "aGk=", "octree_resolution": "big"}, "int_parsing"),
    ({"image": "aGk=", "num_inference_steps": 50}, "less_than_equal"),
    ({"seed": 3}, "missing"),
])
def test_a_2_1_server_refuses_what_its_request_model_refuses_with_fastapis_422(sandbox, body, kind):
    server = sandbox.add_hunyuan_server("2.1")
    answer = _send(server, body, "2.1")
    assert answer.status_code == 422 and [item["type"] for item in answer.json()["detail"]] == [kind]
    assert answer.json()["detail"][0]["loc"][0] == "body" and server.creating_posts == 0


def test_a_2_1_server_converts_what_pydantic_converts(sandbox):
    server = sandbox.add_hunyuan_server("2.1")
    assert _send(server, {"image": "aGk=", "seed": 5.0, "texture": "yes"}, "2.1").status_code == 200


def test_a_2_0_server_checks_nothing_and_a_job_without_an_image_never_ends(sandbox):
    server = sandbox.hunyuan_server  # 2.0: no request model, no ranges
    answer = _send(server, {"num_inference_steps": 50, "seed": -5}, "2.0")
    assert answer.status_code == 200 and server.creating_posts == 1
    import requests

    time.sleep(server.config.seconds + 0.2)
    status = requests.get(f"{server.url}/status/{answer.json()['uid']}", timeout=10).json()
    assert status == {"status": "processing"}  # for ever: the job's thread died unseen
