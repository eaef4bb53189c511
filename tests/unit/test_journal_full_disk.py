"""A journal that cannot be written (the disk is full) is said, retried, and holds automatic imports back.

The full disk is real: the journal file is replaced by a link to /dev/full, whose every write fails with
ENOSPC, as a full disk's does.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from test_engine import ScriptedProvider, _wait

from meshsmith.jobs import sessions
from meshsmith.jobs.engine import JobEngine
from meshsmith.jobs.journal import Journal
from meshsmith.jobs.records import JobRecord, JobState

pytestmark = pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")


def test_a_full_disk_is_said_retried_and_recovered(tmp_path, monkeypatch):
    monkeypatch.setattr(sessions, "HOUSEKEEPING_INTERVAL_S", 0.2)
    engine = JobEngine(Journal(tmp_path))
    journal_path = tmp_path / "jobs.jsonl"
    journal_path.symlink_to("/dev/full")  # from now on every journal write fails with "No space left on device"
    record = engine.submit(JobRecord(provider="FAKE", output_dir=str(tmp_path / "out")), ScriptedProvider())
    done = _wait(engine, record.id, {JobState.READY})
    assert "cannot write its job record" in engine.journal_error and "No space left" in engine.journal_error
    assert done.state is JobState.READY  # the job itself goes on; only its record waits

    journal_path.unlink()  # space again: the next retry writes the latest state of every job
    deadline = time.monotonic() + 5
    while engine.journal_error and time.monotonic() < deadline:
        time.sleep(0.05)
    assert engine.journal_error == ""
    assert Journal(tmp_path).load()[record.id].state is JobState.READY
    engine.shutdown()


def test_a_write_that_fails_leaves_no_torn_line(tmp_path):
    journal = Journal(tmp_path)
    journal.append(JobRecord(id="a", provider="FAKE"))
    good = journal.path.read_bytes()
    real_fsync = os.fsync

    def failing_fsync(fd):
        raise OSError(28, "No space left on device")

    os.fsync = failing_fsync
    try:
        with pytest.raises(OSError):
            journal.append(JobRecord(id="b", provider="FAKE"))
    finally:
        os.fsync = real_fsync
    assert journal.path.read_bytes() == good
    assert list(Path(tmp_path).glob("*.tmp")) == []
