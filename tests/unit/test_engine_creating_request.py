"""The creating request: a 429 proves nothing was made, so it is sent again; a lost answer is looked for over a window."""

from __future__ import annotations

import threading
import time

import pytest
from test_engine import ScriptedProvider, _wait

from meshsmith.jobs import worker
from meshsmith.jobs.engine import JobEngine
from meshsmith.jobs.records import JobRecord, JobState
from meshsmith.jobs.store import JobStore
from meshsmith.net import errors as E
from meshsmith.providers.models import JobStatus, RemoteJob


class RateLimitedProvider(ScriptedProvider):
    """Answers 429 to the first ``limited`` creating requests (nothing is created), then creates the job."""

    def __init__(self, limited: int, retry_after: float | None = 0.05):
        super().__init__()
        self.limited = limited
        self.retry_after = retry_after
        self.created = 0

    def submit(self, request, on_created):
        self.submits += 1
        if self.submits <= self.limited:
            raise E.RateLimitError("Fake is rate limiting this account", retry_after=self.retry_after)
        self.created += 1
        on_created("remote-1")
        return RemoteJob(remote_id="remote-1", status=JobStatus.QUEUED)


def test_a_429_on_the_creating_request_is_waited_out_and_sent_again(tmp_path):
    engine = JobEngine(JobStore(tmp_path))
    provider = RateLimitedProvider(limited=2)
    record = engine.submit(JobRecord(provider="FAKE", output_dir=str(tmp_path / "out")), provider)
    done = _wait(engine, record.id, {JobState.READY})
    assert provider.submits == 3 and provider.created == 1 and done.remote_id == "remote-1"


def test_the_wait_honours_the_service_and_a_cap(tmp_path, monkeypatch):
    monkeypatch.setattr(worker, "CREATE_RETRY_CAP_S", 0.2)
    engine = JobEngine()
    provider = RateLimitedProvider(limited=1, retry_after=3600.0)  # an absurd hint is capped
    started = time.monotonic()
    record = engine.submit(JobRecord(provider="FAKE", output_dir=str(tmp_path / "out")), provider)
    _wait(engine, record.id, {JobState.READY})
    assert time.monotonic() - started < 3.0


def test_rate_limited_too_long_ends_as_a_failure_that_made_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(worker, "CREATE_RATE_LIMIT_RETRIES", 2)
    engine = JobEngine()
    provider = RateLimitedProvider(limited=99)
    record = engine.submit(JobRecord(provider="FAKE", output_dir=str(tmp_path / "out")), provider)
    done = _wait(engine, record.id, {JobState.FAILED, JobState.UNKNOWN})
    assert done.state is JobState.FAILED and provider.submits == 3 and provider.created == 0


def test_cancel_during_the_wait_stops_at_once(tmp_path):
    engine = JobEngine()
    provider = RateLimitedProvider(limited=1, retry_after=30.0)
    record = engine.submit(JobRecord(provider="FAKE", output_dir=str(tmp_path / "out")), provider)
    _wait(engine, record.id, {JobState.SUBMITTING})
    deadline = time.monotonic() + 5
    while "rate limit" not in engine.get(record.id).message and time.monotonic() < deadline:
        engine.wait_for_updates(0.05)
        engine.drain()
    engine.cancel(record.id)
    time.sleep(0.2)
    assert engine.get(record.id).state is JobState.CANCELED and provider.submits == 1


class LateListingProvider(ScriptedProvider):
    """Loses the creating answer; the job shows up in the service's job list only on the third look."""

    supports_lookup = True

    def __init__(self, listed_after: int):
        super().__init__()
        self.listed_after = listed_after
        self.lookups = 0

    def submit(self, request, on_created):
        self.submits += 1
        raise E.TransportError("connection dropped after sending")

    def find_lost_submission(self, request, submitted_at):
        self.lookups += 1
        if self.lookups < self.listed_after:
            return None
        return RemoteJob(remote_id="remote-1", status=JobStatus.RUNNING)


def test_a_lost_answer_is_looked_for_until_the_job_is_listed(tmp_path, monkeypatch):
    monkeypatch.setattr(worker, "RECONCILE_STEP_S", 0.05)
    engine = JobEngine(JobStore(tmp_path))
    provider = LateListingProvider(listed_after=3)
    record = engine.submit(JobRecord(provider="FAKE", output_dir=str(tmp_path / "out")), provider)
    done = _wait(engine, record.id, {JobState.READY, JobState.FAILED})
    assert done.state is JobState.READY and provider.lookups == 3 and provider.submits == 1


def test_not_found_within_the_window_says_resubmitting_is_safe(tmp_path, monkeypatch):
    monkeypatch.setattr(worker, "RECONCILE_STEP_S", 0.05)
    monkeypatch.setattr(worker, "RECONCILE_WINDOW_S", 0.3)
    engine = JobEngine()
    provider = LateListingProvider(listed_after=10**6)
    record = engine.submit(JobRecord(provider="FAKE", output_dir=str(tmp_path / "out")), provider)
    deadline = time.monotonic() + 5
    while engine.get(record.id).finished_at is None and time.monotonic() < deadline:
        engine.wait_for_updates(0.05)
        engine.drain()
    done = engine.get(record.id)
    assert done.state is JobState.UNKNOWN and "Submit Again is safe" in done.error and provider.lookups >= 3


def test_a_service_that_cannot_be_asked_keeps_may_be_billed_at_once(tmp_path):
    engine = JobEngine()
    provider = ScriptedProvider(submit_error=E.TransportError("connection dropped"))
    record = engine.submit(JobRecord(provider="FAKE", output_dir=str(tmp_path / "out")), provider)
    done = _wait(engine, record.id, {JobState.UNKNOWN})
    deadline = time.monotonic() + 2
    while done.finished_at is None and time.monotonic() < deadline:
        engine.wait_for_updates(0.05)
        engine.drain()
        done = engine.get(record.id)
    assert done.finished_at is not None and "may be billed" in done.error and "cannot be asked" in done.error


def test_an_upload_that_fails_is_a_plain_failure_never_unknown(tmp_path):
    class FailingUpload(ScriptedProvider):
        def stage(self, request, cancel=None, say=None):
            raise E.TransportError("Could not reach Fake")

    engine = JobEngine()
    provider = FailingUpload()
    record = engine.submit(JobRecord(provider="FAKE", output_dir=str(tmp_path / "out")), provider)
    done = _wait(engine, record.id, {JobState.FAILED, JobState.UNKNOWN})
    assert done.state is JobState.FAILED and "Nothing was created or billed" in done.error and provider.submits == 0


@pytest.fixture(autouse=True)
def _no_leftover_threads():
    yield
    for thread in threading.enumerate():
        if thread.name.startswith("meshsmith-job-"):
            thread.join(1.0)
