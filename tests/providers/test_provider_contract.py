"""The contract every registered provider keeps, run against its own simulator over real HTTP on loopback.

A provider gets these tests by being registered (providers/registry.py) with a simulator that defines
``SIMULATOR``, ``SANDBOX_CREDENTIALS``, ``CREATE_PATH`` and ``DOWNLOAD_PATH``: credentials refused, a job walked to a result on
disk, a failure in the service's words, cancel, resume after a restart with one creating request, a lost
creating answer (found again where the service lists its jobs, the provider's own advice where it cannot), and no key in
the journal or the job's files.
"""

from __future__ import annotations

import importlib
import json
import time
from pathlib import Path

import pytest

from meshsmith.jobs.engine import JobEngine
from meshsmith.jobs.records import JobKind, JobRecord, JobState
from meshsmith.jobs.store import JobStore
from meshsmith.net import errors as E
from meshsmith.net.http import HttpClient
from meshsmith.providers import registry, schema
from meshsmith.providers.models import JobStatus
from meshsmith.sandbox.assets import make_model_glb

PROVIDERS = sorted(registry.PROVIDERS)


def _no_wait(delay, cancel):
    return bool(cancel is not None and cancel.is_set())


def _simulated(provider_id: str):
    return importlib.import_module(registry.info(provider_id).simulator)


def _client(provider_id: str, sandbox, **credentials):
    sandbox.attach(_simulated(provider_id))  # served on this sandbox from now on, as the add-on's sandbox does
    creds = {**_simulated(provider_id).SANDBOX_CREDENTIALS, **credentials}
    base_url = sandbox.url + getattr(_simulated(provider_id), "SANDBOX_BASE_PATH", "")
    return registry.client_class(provider_id)(HttpClient(sleep=_no_wait), base_url=base_url, poll_interval=0.05, **creds)


def _record(provider_id: str, png_file: Path, tmp_path: Path) -> JobRecord:
    info = registry.info(provider_id)
    if info.generates:
        inputs, kind = {"image_path": str(png_file), "work_dir": str(tmp_path / "work")}, JobKind.GENERATE
    else:
        mesh = tmp_path / "mesh.glb"
        mesh.write_bytes(make_model_glb(2, face_count=300, texture=False))
        inputs, kind = {"mesh_path": str(mesh), "style_prompt": "weathered bronze"}, JobKind.RETEXTURE
    params = dict(getattr(_simulated(provider_id), "CONTRACT_PARAMS", {}))
    return JobRecord(provider=provider_id, kind=kind, inputs=inputs, params=params, output_dir=str(tmp_path / "out"))


def _wait(engine: JobEngine, job_id: str, until, timeout: float = 30.0) -> JobRecord:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        engine.wait_for_updates(0.05)
        engine.drain()
        record = engine.get(job_id)
        if until(record):
            return record
    raise AssertionError(f"gave up waiting: {engine.get(job_id)}")


def _simulator(sandbox, provider_id: str):
    return sandbox.attach(_simulated(provider_id))


@pytest.mark.parametrize("provider_id", PROVIDERS)
def test_every_provider_is_fully_registered(provider_id):
    info = registry.info(provider_id)
    assert info.client and info.credentials and info.missing_key
    assert info.default_base_url.startswith("https://") or (info.self_hosted and not info.default_base_url)
    assert info.generates or info.retextures
    client = registry.client_class(provider_id)
    assert callable(getattr(client, "validate_params", None))
    assert client.name == provider_id and client.supports_lookup == info.can_look_up  # the client reads it from the entry
    simulated = _simulated(provider_id)
    assert set(simulated.SANDBOX_CREDENTIALS) <= {credential.name for credential in info.credentials}
    assert simulated.CREATE_PATH and simulated.DOWNLOAD_PATH


@pytest.mark.parametrize("provider_id", PROVIDERS)
def test_wrong_credentials_are_refused_as_such(provider_id, sandbox, png_file, tmp_path):
    if not _simulated(provider_id).SANDBOX_CREDENTIALS:
        pytest.skip("the service takes no credentials (a self-hosted server)")
    wrong = {name: "wrong-credential-0000" for name in _simulated(provider_id).SANDBOX_CREDENTIALS}
    client = _client(provider_id, sandbox, **wrong)
    request = client.prepare({}, _record(provider_id, png_file, tmp_path).inputs)
    with pytest.raises(E.AuthenticationError):
        client.submit(client.stage(request), lambda remote_id: None)
    assert _simulator(sandbox, provider_id).creating_posts == 0


@pytest.mark.parametrize("provider_id", PROVIDERS)
def test_a_job_walks_to_its_result_on_disk_and_no_key_lands_anywhere(provider_id, sandbox, png_file, tmp_path):
    engine = JobEngine(JobStore(tmp_path))
    record = engine.submit(_record(provider_id, png_file, tmp_path), _client(provider_id, sandbox))
    done = _wait(engine, record.id, lambda r: r.state in (JobState.READY, JobState.FAILED))
    assert done.state is JobState.READY, done.error
    assert done.remote_id and done.result_paths and all(Path(p).is_file() for p in done.result_paths.values())
    assert _simulator(sandbox, provider_id).creating_posts == 1
    stored = engine.store.files()  # the database and its write-ahead log, before shutdown folds one into the other
    secrets = [value.encode() for value in _simulated(provider_id).SANDBOX_CREDENTIALS.values()]
    for path in [*stored, *Path(done.output_dir).iterdir()]:
        data = path.read_bytes()
        assert not [secret for secret in secrets if secret in data], path.name
    engine.shutdown()


@pytest.mark.parametrize("provider_id", PROVIDERS)
def test_a_failure_carries_the_services_words(provider_id, sandbox, png_file, tmp_path):
    _simulator(sandbox, provider_id).config.fail_next = 1
    engine = JobEngine()
    record = engine.submit(_record(provider_id, png_file, tmp_path), _client(provider_id, sandbox))
    done = _wait(engine, record.id, lambda r: r.state in (JobState.READY, JobState.FAILED))
    names = (registry.info(provider_id).label, registry.client_class(provider_id).label)
    assert done.state is JobState.FAILED and any(name in done.error for name in names), done.error
    engine.shutdown()


@pytest.mark.parametrize("provider_id", PROVIDERS)
def test_cancel_stops_the_job_at_once(provider_id, sandbox, png_file, tmp_path):
    sandbox.arm("stall", path_contains=_simulated(provider_id).DOWNLOAD_PATH, stall_s=5.0, count=99)
    engine = JobEngine()
    record = engine.submit(_record(provider_id, png_file, tmp_path), _client(provider_id, sandbox))
    _wait(engine, record.id, lambda r: r.state is JobState.DOWNLOADING)
    started = time.monotonic()
    engine.cancel(record.id)
    assert engine.get(record.id).state is JobState.CANCELED and time.monotonic() - started < 1.0
    assert _simulator(sandbox, provider_id).creating_posts == 1
    engine.shutdown(timeout=0.5)


@pytest.mark.parametrize("provider_id", PROVIDERS)
def test_a_restart_mid_job_resumes_it_with_one_creating_request(provider_id, sandbox, png_file, tmp_path):
    sandbox.arm("stall", path_contains=_simulated(provider_id).DOWNLOAD_PATH, stall_s=3.0, count=1)
    engine = JobEngine(JobStore(tmp_path))
    record = engine.submit(_record(provider_id, png_file, tmp_path), _client(provider_id, sandbox))
    _wait(engine, record.id, lambda r: r.state is JobState.DOWNLOADING)
    engine.shutdown(timeout=0.2)  # Blender closes mid-download
    restarted = JobEngine(JobStore(tmp_path))
    restarted.resume(lambda name: _client(name, sandbox))
    done = _wait(restarted, record.id, lambda r: r.state in (JobState.READY, JobState.FAILED))
    assert done.state is JobState.READY, done.error
    assert _simulator(sandbox, provider_id).creating_posts == 1
    restarted.shutdown()


@pytest.mark.parametrize("provider_id", PROVIDERS)
def test_a_lost_creating_answer_is_never_sent_again(provider_id, sandbox, png_file, tmp_path):
    sandbox.arm("lose_answer", path_contains=_simulated(provider_id).CREATE_PATH, method="POST")
    engine = JobEngine(JobStore(tmp_path))
    record = engine.submit(_record(provider_id, png_file, tmp_path), _client(provider_id, sandbox))
    done = _wait(engine, record.id, lambda r: r.state in (JobState.READY, JobState.FAILED)
                 or (r.state is JobState.UNKNOWN and r.finished_at is not None))
    if registry.info(provider_id).can_look_up:
        assert done.state is JobState.READY, done.error  # found in the service's job list
    else:
        client = _client(provider_id, sandbox)
        assert done.state is JobState.UNKNOWN and client.lost_answer_advice("X").split("X, ", 1)[1] in done.error
        assert "did not send it again" in done.error
    assert _simulator(sandbox, provider_id).creating_posts == 1
    engine.shutdown()


def _another_value(param: schema.Param, current):
    """A valid value of ``param`` other than ``current``, to see it travel."""
    if param.kind == "bool":
        return not current
    if param.kind == "enum":
        return next(choice.id for choice in param.choices if choice.id != current)
    if param.kind == "text":
        return "no rust, no dents"
    low = param.min if param.min is not None else current - 1
    value = low if low != current else current + 1
    if param.kind == "float":
        return round((param.min + param.max) / 2 + 0.25, 4) if param.max is not None else float(value)
    return 0 if current == -1 else int(value)  # a seed: -1 means random, 0 is a concrete seed


def _settings_to_try(info: registry.ProviderInfo):
    """(param, values) for every setting that lands in the request: the defaults, with the setting's own
    conditions met (a legacy-endpoint option is tried on the legacy endpoint) and its value changed."""
    for param in info.settings:
        if not param.sent or not param.field:
            continue
        values = schema.defaults(info.settings)
        for name, allowed in param.when:
            values[name] = allowed[0]
        if not schema.shown(param, values):
            continue
        values[param.name] = _another_value(param, values[param.name])
        yield param, values


@pytest.mark.parametrize("provider_id", PROVIDERS)
def test_every_setting_reaches_the_request_under_its_documented_name(provider_id, sandbox, png_file, tmp_path):
    info = registry.info(provider_id)
    tried = []
    for param, values in _settings_to_try(info):
        client = _client(provider_id, sandbox)
        params = schema.collect(info.settings, values)
        client.validate_params(params)
        inputs = {**_record(provider_id, png_file, tmp_path).inputs, "object_prompt": "a crate"}
        client.check_inputs(params, inputs)
        remote = client.submit(client.stage(client.prepare(params, inputs)), lambda remote_id: None)
        # The creating request is the last thing submit sends (uploads, if any, went before it).
        body = json.loads(next(body for method, _path, body in reversed(sandbox.recent_bodies) if method == "POST"))
        for _ in range(200):  # walk the job to its end: a service that runs one job at a time is free again
            if remote.status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
                break
            time.sleep(0.05)
            remote = client.status(remote.remote_id)
        assert param.field in body, f"{param.name} never reached the request"
        assert body[param.field] == values[param.name], f"{param.name}: sent {body[param.field]!r}"
        tried.append(param.name)
    # Each setting the schema says the request carries was tried: none slipped past by being skipped.
    assert len(tried) == len([p for p in info.settings if p.sent and p.field]), sorted(tried)
