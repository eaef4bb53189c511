"""The Segmind client against the sandbox over real HTTP on loopback."""

from __future__ import annotations

import time

import pytest

from meshsmith.jobs.engine import JobEngine
from meshsmith.jobs.records import JobRecord, JobState
from meshsmith.jobs.store import JobStore
from meshsmith.net import errors as E
from meshsmith.net.files import check_glb_header
from meshsmith.net.http import HttpClient
from meshsmith.providers.models import JobStatus
from meshsmith.providers.segmind.client import SegmindProvider
from meshsmith.sandbox.segmind import BROKE_KEY, VALID_KEY


def _no_wait(delay, cancel):
    return False


@pytest.fixture
def client(sandbox):
    return SegmindProvider(HttpClient(sleep=_no_wait), VALID_KEY, base_url=sandbox.url, poll_interval=0)


def _run(provider, png_file, **params):
    request = provider.prepare(params, {"image_path": str(png_file)})
    created = []
    job = provider.submit(request, created.append)
    for _ in range(20):
        if job.status.is_terminal:
            break
        job = provider.status(job.remote_id)
    return job, created, request


def test_queue_job_walks_to_a_glb(client, sandbox, png_file, tmp_path):
    job, created, request = _run(client, png_file)
    assert job.status is JobStatus.SUCCEEDED and created == [job.remote_id]
    path = client.download(job.assets[0], tmp_path / "model.glb")
    data = path.read_bytes()
    check_glb_header(data[:12], len(data))
    body = sandbox.segmind.config.jobs[job.remote_id].body
    assert body["seed"] == request.seed and body["octree_resolution"] == "256"
    assert sandbox.segmind.creating_posts == 1


def test_the_glb_download_carries_no_key(client, sandbox, png_file, tmp_path):
    job, _, _ = _run(client, png_file)
    client.download(job.assets[0], tmp_path / "model.glb")
    (_, _, headers), = sandbox.requests_matching("GET", "/meshes/")
    assert "x-api-key" not in headers and "authorization" not in headers


@pytest.mark.parametrize("answer", ["json", "glb"])
def test_sync_api_accepts_both_answers(client, sandbox, png_file, tmp_path, answer):
    sandbox.segmind.config.v1_answer = answer
    job, created, _ = _run(client, png_file, api_mode="SYNC")
    assert job.status is JobStatus.SUCCEEDED and created[0].startswith("sync-")
    asset = job.assets[0]
    assert (asset.inline is not None) is (answer == "glb")
    path = client.download(asset, tmp_path / "model.glb")
    check_glb_header(path.read_bytes()[:12], path.stat().st_size)
    assert client.remaining_credits == pytest.approx(9.25)


def test_failed_job_sent_with_422_is_a_job_failure(client, sandbox, png_file):
    sandbox.segmind.config.fail_next = 1
    job, _, _ = _run(client, png_file)
    assert job.status is JobStatus.FAILED and "Prediction failed" in job.error


def test_wrong_key_is_an_authentication_error_without_the_key(sandbox, png_file):
    provider = SegmindProvider(HttpClient(sleep=_no_wait), "wrong-key-1234567890", base_url=sandbox.url)
    with pytest.raises(E.AuthenticationError) as caught:
        _run(provider, png_file)
    assert "wrong-key-1234567890" not in str(caught.value)
    assert "Preferences" in str(caught.value)


def test_no_credits_is_406_with_a_plain_text_body_and_reads_as_credits(sandbox, png_file):
    import requests

    raw = requests.post(f"{sandbox.url}/v2/hunyuan-3d-2", json={"image": "x"}, headers={"x-api-key": BROKE_KEY})
    assert raw.status_code == 406 and raw.headers["Content-Type"].startswith("text/plain")
    assert raw.text == "Insufficient credits"
    provider = SegmindProvider(HttpClient(sleep=_no_wait), BROKE_KEY, base_url=sandbox.url)
    with pytest.raises(E.InsufficientCreditsError, match="not enough credits"):
        _run(provider, png_file)


def _post(sandbox, body: object, *, raw: bytes | None = None):
    import requests

    return requests.post(f"{sandbox.url}/v2/hunyuan-3d-2", json=None if raw is not None else body, data=raw,
                         headers={"x-api-key": VALID_KEY, "Content-Type": "application/json"}, timeout=10)


@pytest.mark.parametrize(("body", "says"), [
    ({"image": "iVBORw0KGgo=", "seeed": 3}, "Unknown parameter: seeed"),  # a misspelt name is refused, not ignored
    ({"image": "not base64 at all!"}, "neither a URL nor valid base64"),
    ({"image": "aGVsbG8gd29ybGQ="}, "not a PNG, JPEG or WebP"),  # base64 of text
    ({"image": ["x"]}, "image must be a string"),
    ({"image": "iVBORw0KGgo=", "face_count": 10}, "face_count"),
])
def test_the_simulator_refuses_a_bad_request_with_400_as_segmind_does(sandbox, body, says):
    answer = _post(sandbox, body)
    assert answer.status_code == 400 and says in answer.json()["error"]
    assert sandbox.segmind.creating_posts == 0


def test_a_malformed_body_is_400_and_a_good_one_is_accepted(sandbox, png_file):
    import base64

    assert _post(sandbox, None, raw=b"{not json").status_code == 400
    good = _post(sandbox, {"image": base64.b64encode(png_file.read_bytes()).decode(), "seed": 3})
    assert good.status_code == 200 and sandbox.segmind.creating_posts == 1


def test_invalid_parameters_are_a_bad_request(client, sandbox, png_file):
    request = client.prepare({}, {"image_path": str(png_file)})
    object.__setattr__(request, "face_count", 10)  # bypass our own check to see the server's
    with pytest.raises(E.BadRequestError, match="face_count"):
        client.submit(request, lambda rid: None)


def test_429_on_the_creating_post_is_not_retried(client, sandbox, png_file):
    sandbox.arm("retry_after", path_contains="/v2/hunyuan-3d-2", method="POST", retry_after=1)
    with pytest.raises(E.RateLimitError) as caught:
        _run(client, png_file)
    assert caught.value.retry_after == 1.0
    assert len(sandbox.requests_matching("POST", "/v2/hunyuan-3d-2")) == 1


def test_a_500_while_polling_is_retried(client, sandbox, png_file):
    sandbox.arm("status", path_contains="/status", status=500, count=2)
    job, _, _ = _run(client, png_file)
    assert job.status is JobStatus.SUCCEEDED


def test_a_500_on_the_creating_post_is_a_server_error(client, sandbox, png_file):
    sandbox.arm("status", path_contains="/v2/hunyuan-3d-2", method="POST", status=500)
    with pytest.raises(E.ServerError):
        _run(client, png_file)


def test_a_malformed_body_is_a_bad_response(client, sandbox, png_file):
    sandbox.arm("malformed_json", path_contains="/v2/hunyuan-3d-2", method="POST")
    with pytest.raises(E.BadResponseError):
        _run(client, png_file)


def test_unknown_request_id_is_a_job_segmind_no_longer_knows(client):
    # Segmind answers an unknown and an expired request alike (404 "Request <id> not found").
    with pytest.raises(E.JobFailedError, match="no longer has a record"):
        client.status("no-such-request")


def test_credits_endpoint(client):
    assert client.credits() == pytest.approx(9.5)


def test_non_image_input_is_refused_before_sending(client, sandbox, tmp_path):
    fake = tmp_path / "photo.png"
    fake.write_text("not an image")
    with pytest.raises(E.InvalidInputError):
        client.prepare({}, {"image_path": str(fake)})
    assert sandbox.segmind.creating_posts == 0


def test_engine_marks_a_lost_answer_unknown_with_one_creating_post(sandbox, png_file, tmp_path):
    sandbox.arm("lose_answer", path_contains="/v2/hunyuan-3d-2", method="POST")
    provider = SegmindProvider(HttpClient(sleep=_no_wait), VALID_KEY, base_url=sandbox.url, poll_interval=0)
    engine = JobEngine(JobStore(tmp_path))
    record = engine.submit(JobRecord(provider="SEGMIND", inputs={"image_path": str(png_file)},
                                     output_dir=str(tmp_path / "out")), provider)
    deadline = time.monotonic() + 10
    while engine.get(record.id).state is not JobState.UNKNOWN and time.monotonic() < deadline:
        engine.wait_for_updates(0.05)
        engine.drain()
    assert engine.get(record.id).state is JobState.UNKNOWN
    assert sandbox.segmind.creating_posts == 1


def test_journal_never_holds_the_key(sandbox, png_file, tmp_path):
    provider = SegmindProvider(HttpClient(sleep=_no_wait), VALID_KEY, base_url=sandbox.url, poll_interval=0)
    engine = JobEngine(JobStore(tmp_path))
    record = engine.submit(JobRecord(provider="SEGMIND", inputs={"image_path": str(png_file)},
                                     output_dir=str(tmp_path / "out")), provider)
    deadline = time.monotonic() + 10
    while engine.get(record.id).state is not JobState.READY and time.monotonic() < deadline:
        engine.wait_for_updates(0.05)
        engine.drain()
    assert engine.get(record.id).state is JobState.READY
    stored = engine.store.files()
    assert stored and all(VALID_KEY.encode() not in path.read_bytes() for path in stored)


# --- December 2026: what Segmind's answers mean --------------------------------------------------------------------
def test_a_request_without_a_json_content_type_is_refused_as_segmind_does(sandbox):
    client = HttpClient(sleep=_no_wait)
    with pytest.raises(E.BadRequestError, match="refused the request's format.*Content-Type") as caught:
        client.request("POST", f"{sandbox.url}/v2/hunyuan-3d-2", service="Segmind",
                       headers={"x-api-key": VALID_KEY, "Content-Type": "text/plain"}, json=None)
    assert "credits" not in str(caught.value) and sandbox.segmind.creating_posts == 0
    assert isinstance(E.error_for_status("Segmind", 406, "Not enough credits"), E.InsufficientCreditsError)
    spend = E.error_for_status("Segmind", 406, "Team spend limit exceeded")
    assert "spend limit" in str(spend) and "Top up" not in str(spend)


def test_a_retired_model_is_410_and_billed_nothing():
    error = E.error_for_status("Segmind", 410, "Model hunyuan-3d-2 has been deprecated")
    assert isinstance(error, E.GoneError) and "retired" in str(error) and "nothing was billed" in str(error)


def test_429_names_when_the_window_resets(sandbox, png_file):
    sandbox.segmind.config.rate_limit_next, sandbox.segmind.config.rate_limit_reset_s = 1, 20.0
    client = SegmindProvider(HttpClient(sleep=_no_wait), VALID_KEY, base_url=sandbox.url, poll_interval=0)
    with pytest.raises(E.RateLimitError) as caught:
        client.submit(client.prepare({}, {"image_path": str(png_file)}), lambda rid: None)
    assert 17.0 <= caught.value.retry_after <= 20.0  # from x-rate-limit-reset-at-utc, not Retry-After


def _run_in_engine(sandbox, png_file, tmp_path, until: set[JobState], *, max_retries: int = 4, timeout: float = 20.0):
    """A Segmind job through a real engine with its journal in ``tmp_path``: (engine, the record once in ``until``)."""
    provider = SegmindProvider(HttpClient(sleep=_no_wait, max_retries=max_retries), VALID_KEY, base_url=sandbox.url,
                               poll_interval=0)
    engine = JobEngine(JobStore(tmp_path))
    record = engine.submit(JobRecord(provider="SEGMIND", inputs={"image_path": str(png_file)},
                                     output_dir=str(tmp_path / "out")), provider)
    deadline = time.monotonic() + timeout
    while engine.get(record.id).state not in until and time.monotonic() < deadline:
        engine.wait_for_updates(0.05)
        engine.drain()
    return engine, engine.get(record.id)


def test_the_engine_sends_a_rate_limited_creating_request_again_and_makes_one_job(sandbox, png_file, tmp_path):
    sandbox.segmind.config.rate_limit_next, sandbox.segmind.config.rate_limit_reset_s = 2, 0.2
    _engine, record = _run_in_engine(sandbox, png_file, tmp_path, {JobState.READY})
    assert record.state is JobState.READY
    assert len(sandbox.requests_matching("POST", "/v2/hunyuan-3d-2")) == 3 and sandbox.segmind.creating_posts == 1


def test_a_job_whose_record_expired_says_so_plainly(client, sandbox, png_file):
    sandbox.segmind.config.record_ttl_s = 0.0
    job = client.submit(client.prepare({}, {"image_path": str(png_file)}), lambda rid: None)
    with pytest.raises(E.JobFailedError, match="no longer has a record of this job.*about an hour"):
        client.status(job.remote_id)


def test_a_download_resumed_after_the_record_expired_uses_the_output_url_it_had(sandbox, png_file, tmp_path):
    sandbox.arm("drop", path_contains="/meshes/", count=1)  # the first download breaks: the engine is "closed" then
    engine, record = _run_in_engine(sandbox, png_file, tmp_path, {JobState.FAILED, JobState.READY}, max_retries=0)
    engine.shutdown()
    on_disk = JobStore(tmp_path).load()[record.id]
    assert on_disk.downloads and on_disk.downloads[0]["url"].endswith(".glb")
    # As if Blender had closed in the middle of the download and come back two hours later:
    JobStore(tmp_path).append(on_disk.evolve(state=JobState.DOWNLOADING, error=""))
    sandbox.segmind.config.record_ttl_s = 0.0
    restarted = JobEngine(JobStore(tmp_path))
    restarted.resume(lambda name: SegmindProvider(HttpClient(sleep=_no_wait), VALID_KEY, base_url=sandbox.url,
                                                  poll_interval=0))
    deadline = time.monotonic() + 20
    while restarted.get(record.id).state not in (JobState.READY, JobState.FAILED) and time.monotonic() < deadline:
        restarted.wait_for_updates(0.05)
        restarted.drain()
    done = restarted.get(record.id)
    assert done.state is JobState.READY and done.downloads == [], done.error
    check_glb_header(open(done.result_paths["MODEL"], "rb").read(12), len(open(done.result_paths["MODEL"], "rb").read()))
