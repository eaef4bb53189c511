"""A job store that cannot be written (the disk is full) is said, retried, and holds automatic imports back.

The full disk is SQLite's own: the store is capped at the pages it has (``PRAGMA max_page_count``), so the next
write that needs a page fails with "database or disk is full", as it does when the disk itself is full.
"""

from __future__ import annotations

import time

from test_engine import ScriptedProvider, _wait

from meshsmith.jobs import sessions
from meshsmith.jobs.engine import JobEngine
from meshsmith.jobs.records import JobRecord, JobState
from meshsmith.jobs.store import JobStore, StoreWriteError


class _FillableStore(JobStore):
    """A store whose disk can be filled and emptied again."""

    full = False

    def _connect(self):
        db = super()._connect()
        if self.full:
            pages = db.execute("PRAGMA page_count").fetchone()[0]
            db.execute(f"PRAGMA max_page_count = {pages}")
        return db

    def fill(self, full: bool) -> None:
        self.close()  # every connection is made again, capped or not
        self.full = full


def test_a_full_disk_is_said_retried_and_recovered(tmp_path, monkeypatch):
    monkeypatch.setattr(sessions, "HOUSEKEEPING_INTERVAL_S", 0.2)
    store = _FillableStore(tmp_path)
    engine = JobEngine(store)
    store.fill(True)  # from now on every write that needs room fails
    big = "x" * 50_000  # each record needs pages of its own
    record = engine.submit(JobRecord(provider="FAKE", label=big, output_dir=str(tmp_path / "out")), ScriptedProvider())
    done = _wait(engine, record.id, {JobState.READY})
    assert "cannot write its job record" in engine.journal_error and "full" in engine.journal_error
    assert done.state is JobState.READY  # the job itself goes on; only its record waits

    store.fill(False)  # room again: the next retry writes the latest state of every job
    deadline = time.monotonic() + 5
    while engine.journal_error and time.monotonic() < deadline:
        time.sleep(0.05)
    assert engine.journal_error == ""
    assert JobStore(tmp_path).load()[record.id].state is JobState.READY
    engine.shutdown()


def test_a_write_that_fails_keeps_nothing_of_itself(tmp_path):
    store = _FillableStore(tmp_path)
    store.append(JobRecord(id="a", provider="FAKE"))
    store.fill(True)
    try:
        store.append_many([JobRecord(id="a", provider="FAKE", label="changed"),
                           JobRecord(id="b", provider="FAKE", label="y" * 100_000)])
    except StoreWriteError as exc:
        assert exc.errno == 28 and "full" in exc.strerror
    else:
        raise AssertionError("the write should have failed")
    store.fill(False)
    loaded = JobStore(tmp_path).load()
    assert list(loaded) == ["a"] and loaded["a"].label == ""  # all of the transaction or nothing
    store.append(JobRecord(id="c", provider="FAKE"))  # and the store works again
    assert set(JobStore(tmp_path).load()) == {"a", "c"}
