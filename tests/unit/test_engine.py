"""The job engine with a scripted provider: states, cancel at once, lost answers, restarts."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from pydantic import BaseModel

from meshsmith.jobs.engine import JobEngine, estimated_progress, poll_interval
from meshsmith.jobs.records import JobRecord, JobState
from meshsmith.jobs.store import JobStore
from meshsmith.net import errors as E
from meshsmith.net.http import HttpClient
from meshsmith.providers.base import Provider
from meshsmith.providers.models import AssetRef, AssetRole, JobStatus, RemoteJob
from meshsmith.sandbox.assets import make_model_glb

GLB = make_model_glb(1, face_count=200, texture=False)


class _Request(BaseModel):
    seed: int = 5


class ScriptedProvider(Provider):
    """Answers from a script; counts creating requests."""

    name, label, poll_interval, typical_duration_s = "FAKE", "Fake", 0.0, 1.0

    def __init__(self, statuses=(JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.SUCCEEDED), *, submit_error=None,
                 block: threading.Event | None = None):
        super().__init__(HttpClient())
        self.statuses = list(statuses)
        self.submits = 0
        self.submit_error = submit_error
        self.block = block
        self.canceled: list[str] = []

    def prepare(self, params, inputs):
        return _Request()

    def submit(self, request, on_created):
        self.submits += 1
        if self.submit_error:
            raise self.submit_error
        on_created("remote-1")
        return RemoteJob(remote_id="remote-1", status=JobStatus.QUEUED)

    def status(self, remote_id):
        if self.block is not None:
            self.block.wait(5)
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        assets = (AssetRef(role=AssetRole.MODEL, filename="model.glb", inline=GLB),) if status is JobStatus.SUCCEEDED else ()
        return RemoteJob(remote_id=remote_id, status=status, assets=assets, error="boom" if status is JobStatus.FAILED else "")

    def cancel(self, remote_id):
        self.canceled.append(remote_id)
        return True


def _wait(engine: JobEngine, job_id: str, states, timeout=5.0) -> JobRecord:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        engine.wait_for_updates(0.05)
        engine.drain()
        record = engine.get(job_id)
        if record.state in states:
            return record
    raise AssertionError(f"job stuck in {engine.get(job_id).state}")


def _job(tmp_path: Path) -> JobRecord:
    return JobRecord(provider="FAKE", output_dir=str(tmp_path / "out"))


def test_a_job_walks_to_ready_with_its_file_on_disk(tmp_path):
    engine = JobEngine(JobStore(tmp_path))
    provider = ScriptedProvider()
    record = engine.submit(_job(tmp_path), provider)
    done = _wait(engine, record.id, {JobState.READY})
    assert Path(done.result_paths["MODEL"]).read_bytes() == GLB
    assert done.remote_id == "remote-1" and done.seed == 5 and provider.submits == 1
    seen = [r.state for r in JobStore(tmp_path).load().values()]
    assert seen == [JobState.READY]


def test_a_failed_job_carries_the_service_reason(tmp_path):
    engine = JobEngine()
    record = engine.submit(_job(tmp_path), ScriptedProvider((JobStatus.RUNNING, JobStatus.FAILED)))
    done = _wait(engine, record.id, {JobState.FAILED})
    assert done.error == "boom"


def test_cancel_stops_at_once_even_while_a_request_hangs(tmp_path):
    block = threading.Event()
    engine = JobEngine()
    provider = ScriptedProvider(block=block)
    record = engine.submit(_job(tmp_path), provider)
    _wait(engine, record.id, {JobState.QUEUED})
    started = time.monotonic()
    engine.cancel(record.id, provider)
    assert engine.get(record.id).state is JobState.CANCELED
    assert time.monotonic() - started < 1.0  # at once, not after the 5 s the request hangs
    block.set()
    time.sleep(0.2)
    engine.drain()
    assert engine.get(record.id).state is JobState.CANCELED
    assert provider.canceled == ["remote-1"]


def test_a_lost_creating_answer_becomes_unknown_and_is_never_resent(tmp_path):
    engine = JobEngine(JobStore(tmp_path))
    provider = ScriptedProvider(submit_error=E.TransportError("connection dropped"))
    record = engine.submit(_job(tmp_path), provider)
    done = _wait(engine, record.id, {JobState.UNKNOWN})
    assert "may be billed" in done.error
    # A new engine (a restart) looks the job up but never sends it again.
    engine.shutdown()
    restarted = JobEngine(JobStore(tmp_path))
    restarted.resume(lambda name: provider)
    _wait(restarted, record.id, {JobState.UNKNOWN})
    time.sleep(0.1)
    assert provider.submits == 1


def test_a_refused_request_fails_without_unknown(tmp_path):
    engine = JobEngine()
    record = engine.submit(_job(tmp_path), ScriptedProvider(submit_error=E.error_for_status("Fake", 401)))
    done = _wait(engine, record.id, {JobState.FAILED})
    assert done.fix == "OPEN_PREFERENCES"


def test_restart_mid_poll_resumes_from_the_journal_with_one_submit(tmp_path):
    block = threading.Event()
    provider = ScriptedProvider(block=block)
    engine = JobEngine(JobStore(tmp_path))
    record = engine.submit(_job(tmp_path), provider)
    _wait(engine, record.id, {JobState.QUEUED})
    engine.shutdown(timeout=0.1)  # Blender closes mid-poll
    block.set()
    restarted = JobEngine(JobStore(tmp_path))
    assert restarted.get(record.id).remote_id == "remote-1"
    resumed = restarted.resume(lambda name: provider)
    assert [r.id for r in resumed] == [record.id]
    assert _wait(restarted, record.id, {JobState.READY}).result_paths
    assert provider.submits == 1


def test_jobs_never_sent_are_closed_on_restart(tmp_path):
    journal = JobStore(tmp_path)
    journal.append(JobRecord(id="never", provider="FAKE", state=JobState.PENDING))
    engine = JobEngine(JobStore(tmp_path))
    engine.resume(lambda name: ScriptedProvider())
    assert engine.get("never").state is JobState.CANCELED
    assert "Nothing was charged" in engine.get("never").message


def test_imported_and_dismissed_jobs_are_not_resumed(tmp_path):
    journal = JobStore(tmp_path)
    journal.append(JobRecord(id="done", provider="FAKE", state=JobState.IMPORTED, remote_id="r"))
    engine = JobEngine(JobStore(tmp_path))
    assert engine.resume(lambda name: ScriptedProvider()) == []


def test_poll_schedule_slows_down_for_long_jobs():
    assert poll_interval(2.0, 10) == 2.0
    assert poll_interval(2.0, 120) == 4.0
    assert poll_interval(2.0, 3600) == 8.0


@pytest.mark.parametrize("elapsed", [0, 10, 40, 400, 4000])
def test_estimated_progress_never_reaches_one(elapsed):
    assert 0 <= estimated_progress(elapsed, 40) <= 0.95


class _SlowJournal(JobStore):
    """A journal on a slow disk: every sync takes half a second."""

    def append_many(self, records):
        time.sleep(0.5)
        super().append_many(records)


def test_reading_jobs_never_waits_for_the_journal_disk(tmp_path):
    engine = JobEngine(_SlowJournal(tmp_path))
    record = JobRecord(provider="FAKE", state=JobState.READY)
    engine.book.records[record.id] = record
    writer = threading.Thread(target=engine.book.set, args=(record.id,), kwargs={"message": "slow write"})
    writer.start()
    time.sleep(0.1)  # the writer is inside its disk sync now
    started = time.monotonic()
    assert engine.get(record.id).message == "slow write"  # the new snapshot is visible at once
    engine.has_active_jobs()
    engine.jobs()
    engine.drain()
    assert time.monotonic() - started < 0.2
    writer.join()


def test_every_change_is_on_disk_when_the_call_returns_even_with_many_writers(tmp_path):
    journal = JobStore(tmp_path)
    engine = JobEngine(journal)
    records = [JobRecord(provider="FAKE", state=JobState.RUNNING) for _ in range(8)]
    for record in records:
        engine.book.records[record.id] = record
    problems = []

    def writer(record: JobRecord) -> None:
        for step in range(10):
            engine.book.set(record.id, message=f"step {step}")
            on_disk = JobStore(tmp_path).load()[record.id]  # what a crash right now would leave
            if on_disk.message != f"step {step}":
                problems.append((record.id, step, on_disk.message))

    threads = [threading.Thread(target=writer, args=(record,)) for record in records]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert problems == []
    assert {r.message for r in JobStore(tmp_path).load().values()} == {"step 9"}


def test_marking_an_import_waits_for_no_lock_and_no_disk_sync(tmp_path):
    engine = JobEngine(JobStore(tmp_path))
    record = engine.submit(_job(tmp_path), ScriptedProvider())
    _wait(engine, record.id, {JobState.READY})
    held = threading.Event()
    release = threading.Event()

    def busy_worker():  # a worker paused while it holds the engine lock and the journal
        with engine.book.lock, engine.book.journal_lock:
            held.set()
            release.wait(5)

    threading.Thread(target=busy_worker, daemon=True).start()
    held.wait(5)
    started = time.perf_counter()
    engine.mark_imported(record.id, ["Pot"])  # the main thread, in the tick
    took = time.perf_counter() - started
    assert engine.get(record.id).state is JobState.IMPORTED
    assert JobStore(tmp_path).load()[record.id].state is JobState.READY  # not yet written: the writer waits, not us
    release.set()
    assert took < 0.05 and engine.flush()
    assert JobStore(tmp_path).load()[record.id].state is JobState.IMPORTED


def test_an_import_and_a_preview_landing_at_the_same_moment_both_stay(tmp_path):
    engine = JobEngine(JobStore(tmp_path))
    record = engine.submit(_job(tmp_path), ScriptedProvider())
    _wait(engine, record.id, {JobState.READY})
    picture = tmp_path / "render.png"
    in_window, imported = threading.Event(), threading.Event()
    keep = engine.book.keep

    def slow_keep(snapshot):  # the preview thread has read the READY record and is about to store it
        if snapshot.result_paths.get("PREVIEW") == str(picture) and not imported.is_set():
            in_window.set()
            imported.wait(5)
        keep(snapshot)

    engine.book.keep = slow_keep
    landing = threading.Thread(target=engine.worker.preview_rendered, args=(record.id, picture), daemon=True)
    landing.start()
    in_window.wait(5)
    engine.mark_imported(record.id, ["Pot"])  # the main thread records the import right then
    imported.set()
    landing.join(5)
    assert engine.flush()
    for seen in (engine.get(record.id), JobStore(tmp_path).load()[record.id]):
        assert seen.state is JobState.IMPORTED and seen.result_paths.get("PREVIEW") == str(picture)
