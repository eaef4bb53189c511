"""The Scenario client against the sandbox over real HTTP: upload, dry run, status walk, assets, signed URLs."""

from __future__ import annotations

import pytest

from meshsmith.net import errors as E
from meshsmith.net.files import check_glb_header
from meshsmith.net.http import HttpClient
from meshsmith.providers.models import AssetRole, JobStatus
from meshsmith.providers.scenario.client import STATUS_TABLE, ScenarioParams, ScenarioProvider, map_status
from meshsmith.sandbox.scenario import VALID_KEY, VALID_SECRET


def _no_wait(delay, cancel):
    return False


@pytest.fixture
def client(sandbox):
    return ScenarioProvider(HttpClient(sleep=_no_wait), VALID_KEY, VALID_SECRET, project_id="proj_1",
                            base_url=sandbox.url, poll_interval=0)


def _run(provider, png_file, **params):
    request = provider.prepare(params, {"image_path": str(png_file)})
    created = []
    job = provider.submit(request, created.append)
    walk = [job.raw_status]
    for _ in range(30):
        if job.status.is_terminal:
            break
        job = provider.status(job.remote_id)
        walk.append(job.raw_status)
    return job, created, walk


@pytest.mark.parametrize(("raw", "status"), [
    ("pending", JobStatus.QUEUED), ("queued", JobStatus.QUEUED), ("warming-up", JobStatus.QUEUED),
    ("in-progress", JobStatus.RUNNING), ("finalizing", JobStatus.RUNNING), ("success", JobStatus.SUCCEEDED),
    ("failure", JobStatus.FAILED), ("canceled", JobStatus.CANCELED),
    ("processing", JobStatus.RUNNING), ("failed", JobStatus.FAILED),
])
def test_every_status_value(raw, status):
    assert map_status(raw) is status


def test_the_table_holds_the_real_vocabulary_and_the_guides_words():
    real = {"pending", "queued", "warming-up", "in-progress", "finalizing", "success", "failure", "canceled"}
    assert set(STATUS_TABLE) == real | {"processing", "failed"}


@pytest.mark.parametrize("raw", ["completed", "SUCCESS", "error", ""])
def test_unknown_status_fails_loudly(raw):
    with pytest.raises(E.UnknownStatusError, match=f"'{raw}'"):
        map_status(raw)


@pytest.mark.parametrize(("field", "low", "high"), [("steps", 10, 100), ("guidance_scale", 1, 10),
                                                     ("target_face_num", 100, 1_000_000), ("seed", -1, 2_147_483_647)])
def test_parameter_bounds(field, low, high):
    ScenarioParams(**{field: low})
    ScenarioParams(**{field: high})
    with pytest.raises(ValueError):
        ScenarioParams(**{field: low - 1})
    with pytest.raises(ValueError):
        ScenarioParams(**{field: high + 1})


def test_a_job_walks_every_status_and_returns_the_glb(client, sandbox, png_file, tmp_path):
    job, created, walk = _run(client, png_file)
    assert walk[0] == "queued" and "warming-up" in walk and "in-progress" in walk and "finalizing" in walk
    assert job.status is JobStatus.SUCCEEDED and created == [job.remote_id] and job.cost == 20
    roles = [asset.role for asset in job.assets]
    assert roles.count(AssetRole.MODEL) == 1 and AssetRole.PREVIEW in roles
    model = next(asset for asset in job.assets if asset.role is AssetRole.MODEL)
    path = client.download(model, tmp_path / model.filename)
    check_glb_header(path.read_bytes()[:12], path.stat().st_size)
    assert sandbox.scenario.creating_posts == 1


def test_upload_is_json_with_a_data_url_and_project_id(client, sandbox, png_file):
    _run(client, png_file)
    (method, path, headers), = sandbox.requests_matching("POST", "/v1/assets")
    assert "projectId=proj_1" in path and headers["content-type"] == "application/json"
    asset = next(a for a in sandbox.scenario.assets.values() if a.type == "uploaded")
    assert asset.data == png_file.read_bytes()


def test_job_body_uses_the_asset_id_and_camel_case(client, sandbox, png_file):
    job, _, _ = _run(client, png_file, steps=40, guidance_scale=7.5, target_face_num=20000, seed=99, paint=True)
    inputs = sandbox.scenario.jobs[job.remote_id].inputs
    assert inputs["image"].startswith("asset_")
    assert (inputs["steps"], inputs["guidanceScale"], inputs["targetFaceNum"], inputs["seed"], inputs["paint"]) == (40, 7.5, 20000, 99, True)


def test_signed_downloads_never_carry_credentials_nor_touch_the_query(client, sandbox, png_file, tmp_path):
    job, _, _ = _run(client, png_file)
    for asset in job.assets:
        client.download(asset, tmp_path / asset.filename)
    cdn = sandbox.requests_matching("GET", "/cdn/")
    assert len(cdn) == len(job.assets)
    for (_, path, headers), asset in zip(cdn, job.assets):
        assert "authorization" not in headers
        assert path == asset.url.split(str(sandbox.port), 1)[1]


def test_separate_texture_assets_are_picked_by_type(client, sandbox, png_file):
    sandbox.scenario.config.separate_maps = True
    job, _, _ = _run(client, png_file)
    roles = {asset.key for asset in job.assets}
    assert {"MODEL", "BASE_COLOR", "METALLIC", "ROUGHNESS", "NORMAL"} <= roles
    assert {asset.role for asset in job.assets if asset.channel is not None} == {AssetRole.MAP}


def test_a_failure_shows_error_and_hint(client, sandbox, png_file):
    sandbox.scenario.config.fail_next = 1
    job, _, _ = _run(client, png_file)
    assert job.status is JobStatus.FAILED
    assert "invalid input image" in job.error and "plain background" in job.error


def test_an_unknown_status_fails_loudly_over_http(client, sandbox, png_file):
    sandbox.scenario.config.unknown_status_next = 1
    with pytest.raises(E.UnknownStatusError, match="paused-for-maintenance"):
        _run(client, png_file)


def test_dry_run_estimates_with_the_complete_body_without_spending(client, sandbox, png_file):
    assert client.estimate({"steps": 30}, {"image_path": str(png_file)}) == 20
    assert sandbox.scenario.dry_runs == 1 and sandbox.scenario.creating_posts == 0 and sandbox.scenario.uploads == 1
    dry = sandbox.requests_matching("POST", "/generate/custom")[-1]
    assert "dryRun=true" in dry[1]


def test_the_job_after_an_estimate_reuses_its_upload(client, sandbox, png_file):
    client.estimate({"steps": 30}, {"image_path": str(png_file)})
    job, _created, _walk = _run(client, png_file, steps=30)
    assert job.status is JobStatus.SUCCEEDED and sandbox.scenario.uploads == 1


def test_the_strict_sandbox_refuses_a_dry_run_without_an_image(client, sandbox):
    with pytest.raises(E.BadRequestError, match="image must be the id of an uploaded asset"):
        client.http.request("POST", f"{client.base_url}/generate/custom/model_hunyuan-3d-v2-1", service="Scenario",
                            headers=client._headers, params={"dryRun": "true"}, json={"steps": 30})


def test_the_strict_sandbox_refuses_snake_case_and_unknown_inputs(client, sandbox, png_file):
    asset = client.stage(client.prepare({}, {"image_path": str(png_file)})).image_asset_id
    for body in ({"image": asset, "guidance_scale": 5.0}, {"image": asset, "colour": "red"}):
        with pytest.raises(E.BadRequestError, match="Unknown input"):
            client.http.request("POST", f"{client.base_url}/generate/custom/model_hunyuan-3d-v2-1", service="Scenario",
                                headers=client._headers, json=body)
    assert sandbox.scenario.creating_posts == 0


def test_an_upload_that_fails_once_is_retried_like_a_read(client, sandbox, png_file):
    sandbox.scenario.config.fail_uploads = 1
    job, _created, _walk = _run(client, png_file)
    assert job.status is JobStatus.SUCCEEDED and len(sandbox.requests_matching("POST", "/v1/assets")) == 2


@pytest.mark.parametrize("typed", ["https://{host}/v1", "https://{host}/v1/", "https://{host}/v1/generate/custom/model_x"])
def test_a_base_url_with_the_api_path_is_not_doubled(typed):
    provider = ScenarioProvider(HttpClient(), VALID_KEY, VALID_SECRET, base_url=typed.format(host="api.cloud.scenario.com"))
    assert provider.base_url == "https://api.cloud.scenario.com/v1"


def test_plain_3d_texture_maps_are_maps_and_an_mtl_is_not(client, sandbox, png_file):
    sandbox.scenario.config.separate_maps = True
    sandbox.scenario.config.generic_texture_type = True
    job, _created, _walk = _run(client, png_file)
    roles = sorted(asset.key for asset in job.assets)
    assert roles == ["BASE_COLOR", "METALLIC", "MODEL", "NORMAL", "PREVIEW", "ROUGHNESS"]


def test_cancel_is_refused_and_says_so(client, sandbox, png_file):
    request = client.prepare({}, {"image_path": str(png_file)})
    job = client.submit(request, lambda rid: None)
    assert client.cancel(job.remote_id) is False


def test_wrong_secret_is_an_authentication_error(sandbox, png_file):
    provider = ScenarioProvider(HttpClient(sleep=_no_wait), VALID_KEY, "wrong-secret-123", base_url=sandbox.url)
    with pytest.raises(E.AuthenticationError) as caught:
        _run(provider, png_file)
    assert "wrong-secret-123" not in str(caught.value)


def test_missing_secret_is_refused_before_sending():
    with pytest.raises(E.MissingKeyError):
        ScenarioProvider(HttpClient(), VALID_KEY, "")


def test_a_lost_submission_is_found_in_the_job_list(client, sandbox, png_file):
    request = client.prepare({"seed": 4242}, {"image_path": str(png_file)})
    created = client.submit(request, lambda rid: None)
    found = client.find_lost_submission(request, submitted_at=__import__("time").time())
    assert found is not None and found.remote_id == created.remote_id


def test_a_lost_submission_that_never_arrived_is_not_found(client, sandbox, png_file):
    request = client.prepare({"seed": 4243}, {"image_path": str(png_file)})
    assert client.find_lost_submission(request, submitted_at=__import__("time").time()) is None


def test_oversized_image_is_refused_before_upload(client, sandbox, tmp_path):
    big = tmp_path / "big.png"
    big.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * (7 * 1024 * 1024))
    with pytest.raises(E.InvalidInputError, match="MB"):
        client.prepare({}, {"image_path": str(big)})
