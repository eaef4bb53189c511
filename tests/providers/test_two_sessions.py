"""Two Blender sessions sharing one user folder: a job belongs to the session that runs it.

Session A is a real child process (tests/providers/crash_child.py with a session id) running a Segmind job
against the sandbox; session B is an engine in this process on the same journal folder. B must leave A's
job alone while A lives (no request of its own, no change to the journal) and take it over, once, when A
is killed: one creating request in all, one model on disk, no temporary file left behind.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from meshsmith.jobs.engine import RUNNING_ELSEWHERE, JobEngine
from meshsmith.jobs.ownership import JobLocks
from meshsmith.jobs.records import JobState
from meshsmith.jobs.store import JobStore
from meshsmith.net import errors as E
from meshsmith.net.files import check_file_kind
from meshsmith.net.http import HttpClient
from meshsmith.providers.segmind.client import SegmindProvider
from meshsmith.sandbox import segmind as sim_segmind

ROOT = Path(__file__).resolve().parents[2]


def _start_session_a(sandbox, png_file, folder: Path) -> tuple[subprocess.Popen, str]:
    child = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("crash_child.py")), str(ROOT), str(folder), "SEGMIND",
         sandbox.url, str(png_file), str(folder / "out"), "session-a"],
        stdout=subprocess.PIPE, text=True)
    job_id = ""
    for line in child.stdout:
        if line.startswith("JOB "):
            job_id = line.split()[1]
        if line.startswith("STATE QUEUED") or line.startswith("STATE RUNNING"):
            break
    assert job_id
    return child, job_id


def _wait_for(engine: JobEngine, job_id: str, check, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        engine.wait_for_updates(0.1)
        engine.drain()
        record = engine.get(job_id)
        if record is not None and check(record):
            return record
    raise AssertionError(f"gave up waiting: {engine.get(job_id)}")


class _CountingProviders:
    def __init__(self, url: str) -> None:
        self.http = HttpClient()
        self.url = url

    def __call__(self, name: str):
        return SegmindProvider(self.http, sim_segmind.VALID_KEY, base_url=self.url, poll_interval=0.05)


@pytest.fixture
def slow_segmind(sandbox):
    sandbox.segmind.config.queued_polls, sandbox.segmind.config.processing_polls = 2, 1000  # A's job runs until killed
    return sandbox


def test_a_second_session_leaves_a_running_job_alone_then_takes_it_over_when_the_first_dies(slow_segmind, png_file, tmp_path):
    sandbox = slow_segmind
    child, job_id = _start_session_a(sandbox, png_file, tmp_path)
    try:
        providers = _CountingProviders(sandbox.url)
        engine_b = JobEngine(JobStore(tmp_path), locks=JobLocks(tmp_path, "session-b"))
        assert engine_b.resume(providers) == []
        shown = _wait_for(engine_b, job_id, lambda r: r.message.startswith(RUNNING_ELSEWHERE))
        assert engine_b.is_foreign(job_id) and not engine_b.owns(job_id)
        with pytest.raises(E.InvalidInputError, match="another Blender"):
            engine_b.cancel(job_id)
        with pytest.raises(E.InvalidInputError, match="another Blender"):
            engine_b.dismiss(job_id)
        time.sleep(1.0)
        assert providers.http.request_count == 0  # B sent nothing for A's job
        on_disk = JobStore(tmp_path).load()[job_id]
        assert on_disk.owner == "session-a" and not on_disk.message.startswith(RUNNING_ELSEWHERE)
        assert shown.state in (JobState.QUEUED, JobState.RUNNING)
    finally:
        child.kill()  # A crashes: the operating system drops its lock
        child.wait(10)
    sandbox.segmind.config.processing_polls = 1
    record = _wait_for(engine_b, job_id, lambda r: r.state is JobState.READY)
    assert not engine_b.is_foreign(job_id) and engine_b.owns(job_id)
    assert sandbox.segmind.creating_posts == 1
    assert JobStore(tmp_path).load()[job_id].owner == "session-b"
    model = Path(record.result_paths["MODEL"])
    check_file_kind(model, ".glb")
    assert not list(model.parent.glob("*.part"))
    engine_b.shutdown()


def test_a_ready_job_of_a_live_session_is_never_taken_and_one_it_imported_is_seen_as_imported(sandbox, png_file, tmp_path):
    providers = _CountingProviders(sandbox.url)
    engine_a = JobEngine(JobStore(tmp_path), locks=JobLocks(tmp_path, "session-a"))
    from meshsmith.jobs.records import JobRecord

    record = engine_a.submit(JobRecord(provider="SEGMIND", inputs={"image_path": str(png_file)},
                                       output_dir=str(tmp_path / "out")), providers("SEGMIND"))
    _wait_for(engine_a, record.id, lambda r: r.state is JobState.READY)

    engine_b = JobEngine(JobStore(tmp_path), locks=JobLocks(tmp_path, "session-b"))
    engine_b.resume(providers)
    assert engine_b.is_foreign(record.id) and not engine_b.owns(record.id)

    engine_a.mark_imported(record.id, ["Pot"])  # A imports: its lock goes with the IMPORTED line on disk
    assert engine_a.flush()
    assert engine_b.owns(record.id)  # now B may take it, and reads the journal again under the lock
    assert engine_b.get(record.id).state is JobState.IMPORTED
    engine_a.shutdown()
    engine_b.shutdown()


def test_a_killed_session_releases_its_locks():
    import tempfile

    folder = Path(tempfile.mkdtemp())
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; sys.path.insert(0, sys.argv[1]); import tests.conftest;"
        "from meshsmith.jobs.ownership import JobLocks; from pathlib import Path;"
        "locks = JobLocks(Path(sys.argv[2]), 'a'); assert locks.acquire('job1'); print('held', flush=True); time.sleep(60)"),
        str(ROOT), str(folder)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert holder.stdout.readline().strip() == "held"
        assert not JobLocks(folder, "b").acquire("job1")
    finally:
        holder.kill()
        holder.wait(10)
    assert JobLocks(folder, "b").acquire("job1")
