"""The job store: every job by its key, the working set through indexes, a 0.1 journal taken over once (nothing in it
lost, what cannot be read skipped and said), a broken store moved aside; it never holds a key."""

from __future__ import annotations

import os
import sqlite3
import threading
import time

from meshsmith.jobs.legacy_journal import MIGRATED_SUFFIX
from meshsmith.jobs.ownership import JobLocks
from meshsmith.jobs.records import JobRecord, JobState
from meshsmith.jobs.store import JobQuery, JobStore


def _record(i: int, **changes) -> JobRecord:
    changes.setdefault("created_at", 1_000_000.0 + i)
    changes.setdefault("id", f"job{i}")
    return JobRecord(provider="SEGMIND", params={"seed": i}, **changes)


def _journal(tmp_path, lines: list[str]) -> None:
    (tmp_path / "jobs.jsonl").write_text("".join(line + "\n" for line in lines))


def test_round_trip_keeps_the_latest_snapshot(tmp_path):
    store = JobStore(tmp_path)
    first = _record(1)
    store.append(first)
    store.append(first.evolve(state=JobState.RUNNING, remote_id="r1"))
    store.append(_record(2))
    loaded = JobStore(tmp_path).load()
    assert list(loaded) == ["job1", "job2"]
    assert loaded["job1"].state is JobState.RUNNING and loaded["job1"].remote_id == "r1"
    assert store.latest("job1").remote_id == "r1" and store.latest("nothing") is None
    assert store.find_remote("SEGMIND", "r1").id == "job1"


def test_a_missing_folder_is_an_empty_store(tmp_path):
    assert JobStore(tmp_path / "nowhere").load() == {}


def test_the_working_set_is_every_unfinished_job_and_the_newest_others(tmp_path):
    store = JobStore(tmp_path)
    store.append_many([_record(i, state=JobState.IMPORTED) for i in range(100)])
    store.append_many([_record(100, state=JobState.RUNNING, created_at=1.0),  # old, but unfinished
                       _record(101, state=JobState.READY, created_at=2.0),
                       _record(102, state=JobState.UNKNOWN, created_at=3.0),
                       _record(103, state=JobState.IMPORTED, dismissed=True)])
    working = store.working_set(10)
    assert list(working)[:3] == ["job100", "job101", "job102"]  # oldest first
    assert set(working) == {"job100", "job101", "job102", *(f"job{i}" for i in range(90, 100))}


def test_find_searches_by_words_provider_state_and_date_newest_first(tmp_path):
    store = JobStore(tmp_path)
    store.append_many([
        _record(1, label="red clay pot", state=JobState.IMPORTED),
        _record(2, label="blue pot", state=JobState.FAILED, remote_id="abc-123"),
        _record(3, label="red chair", state=JobState.IMPORTED, dismissed=True),
        JobRecord(id="job4", provider="MESHY", label="red pot 100%_off", created_at=1_000_004.0),
    ])
    ids = lambda query: [r.id for r in store.find(query)]  # noqa: E731
    assert ids(JobQuery()) == ["job4", "job2", "job1"]  # dismissed left out, newest first
    assert ids(JobQuery(text="red pot")) == ["job4", "job1"]
    assert ids(JobQuery(text="RED", include_dismissed=True)) == ["job4", "job3", "job1"]
    assert ids(JobQuery(text="100%_")) == ["job4"] and ids(JobQuery(text="%")) == ["job4"]  # wildcards are literal
    assert ids(JobQuery(text="abc-1")) == ["job2"] and ids(JobQuery(text="job1")) == ["job1"]
    assert ids(JobQuery(provider="MESHY")) == ["job4"]
    assert ids(JobQuery(states=("FAILED", "UNKNOWN"))) == ["job2"]
    assert ids(JobQuery(since=1_000_002.0, until=1_000_004.0)) == ["job2"]
    assert ids(JobQuery(limit=1, offset=1)) == ["job2"] and ids(JobQuery(order="oldest", limit=1)) == ["job1"]
    assert store.count(JobQuery(text="pot")) == 3 and store.count() == 4


def test_a_0_1_journal_is_taken_over_once_and_kept_as_a_backup(tmp_path):
    first = _record(1, state=JobState.RUNNING, remote_id="r1")
    lines = [first.model_dump_json(), _record(2).model_dump_json(),
             first.evolve(state=JobState.IMPORTED).model_dump_json(),  # a later line of job1 wins
             '{"id": "torn", "provid',  # a crash mid-line
             '{"id": "x", "provider": ' + "[" * 100000 + "]" * 100000 + "}"]  # nested too deep to read
    _journal(tmp_path, lines)
    store = JobStore(tmp_path)
    loaded = store.load()
    assert list(loaded) == ["job1", "job2"] and loaded["job1"].state is JobState.IMPORTED
    assert store.migrated == 3 and store.skipped_lines == 2
    assert "skipped 2 unreadable line(s)" in store.problem and f"jobs.jsonl{MIGRATED_SUFFIX}" in store.problem
    backup = tmp_path / f"jobs.jsonl{MIGRATED_SUFFIX}"
    assert backup.read_text() == "".join(line + "\n" for line in lines)  # kept as it was
    assert not (tmp_path / "jobs.jsonl").exists()
    store.append(_record(1, state=JobState.FAILED))
    _journal(tmp_path, [first.model_dump_json()])  # a stray 0.1 journal appearing later is not read over newer jobs
    again = JobStore(tmp_path)
    assert again.migrated == 0 and again.latest("job1").state is JobState.FAILED
    assert backup.read_text() == "".join(line + "\n" for line in lines)  # and the backup of the real one stays


def test_two_sessions_starting_at_once_take_the_journal_over_once(tmp_path):
    _journal(tmp_path, [_record(i).model_dump_json() for i in range(2000)])
    stores: list[JobStore] = []
    threads = [threading.Thread(target=lambda: stores.append(JobStore(tmp_path))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(store.migrated for store in stores) == [0, 2000]
    assert stores[0].count() == 2000


def test_a_line_of_a_hundred_megabytes_is_skipped_and_reported_without_being_held(tmp_path):
    import tracemalloc

    with open(tmp_path / "jobs.jsonl", "wb") as handle:
        handle.write(JobRecord(provider="SEGMIND", label="kept", created_at=1.0).model_dump_json().encode() + b"\n")
        block = b"x" * (1 << 20)
        handle.write(b'{"id": "')
        for _ in range(100):
            handle.write(block)
        handle.write(b'"}\n')
        handle.write(JobRecord(provider="SEGMIND", label="after", created_at=2.0).model_dump_json().encode() + b"\n")
    tracemalloc.start()
    store = JobStore(tmp_path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert [record.label for record in store.load().values()] == ["kept", "after"]
    assert store.skipped_lines == 1 and "1 unreadable line" in store.problem
    assert peak < 20 << 20  # the 100 MB line was read past, never held


def test_a_store_that_is_not_a_database_is_moved_aside_and_said(tmp_path):
    (tmp_path / "jobs.db").write_bytes(b"this is not a database" * 100)
    store = JobStore(tmp_path)
    assert store.load() == {}
    assert "moved to jobs.db.broken-" in store.problem
    store.append(_record(1))  # and it works again
    assert list(JobStore(tmp_path).load()) == ["job1"]
    assert [p.read_bytes()[:22] for p in tmp_path.glob("jobs.db.broken-*")] == [b"this is not a database"]


def test_a_store_that_is_a_folder_is_moved_aside(tmp_path):
    (tmp_path / "jobs.db").mkdir()
    store = JobStore(tmp_path)
    store.append(_record(1))
    assert "it is a folder" in store.problem and list(JobStore(tmp_path).load()) == ["job1"]


def test_a_read_never_waits_for_a_write_in_progress(tmp_path):
    store = JobStore(tmp_path)
    store.append(_record(1))
    other = sqlite3.connect(tmp_path / "jobs.db", isolation_level=None)  # another Blender, mid-write
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE jobs SET label = 'uncommitted'")
    started = time.monotonic()
    assert store.latest("job1").label == ""  # the committed record, at once
    assert time.monotonic() - started < 0.5
    other.execute("ROLLBACK")
    other.close()


def test_lock_files_of_jobs_that_ended_long_ago_are_tidied_and_held_ones_never(tmp_path):
    store = JobStore(tmp_path)
    store.append_many([_record(1, id="old_done", state=JobState.IMPORTED),
                       _record(2, id="old_held", state=JobState.FAILED),
                       _record(3, id="recent_done", state=JobState.IMPORTED),
                       _record(4, id="old_running", state=JobState.RUNNING)])
    other, ours = JobLocks(tmp_path, "other"), JobLocks(tmp_path, "ours")
    for job_id in ("old_done", "old_held", "recent_done", "old_running", "old_unknown_to_the_store"):
        assert ours.acquire(job_id)
        ours.release(job_id)
    assert other.acquire("old_held")  # another session still holds this one
    week_ago = time.time() - 8 * 24 * 3600
    for job_id in ("old_done", "old_held", "old_running", "old_unknown_to_the_store"):
        os.utime(tmp_path / "locks" / f"{job_id}.lock", (week_ago, week_ago))
    asked: list[list[str]] = []
    removed = ours.prune(lambda ids: asked.append(sorted(ids)) or store.ended(ids))
    assert removed == 1
    assert asked == [["old_done", "old_held", "old_running", "old_unknown_to_the_store"]]  # only the old files
    assert sorted(p.stem for p in (tmp_path / "locks").glob("*.lock")) == [
        "old_held", "old_running", "old_unknown_to_the_store", "recent_done"]
    assert other.holds("old_held") and not ours.acquire("old_held")


def test_an_engine_holds_a_bounded_working_set_and_finds_any_old_job_by_its_key(tmp_path):
    from meshsmith.jobs import book
    from meshsmith.jobs.engine import JobEngine

    store = JobStore(tmp_path)
    store.append_many([_record(i, state=JobState.IMPORTED) for i in range(2000)])
    store.append(_record(5000, state=JobState.READY, created_at=1.0))  # old, but waiting to be imported
    engine = JobEngine(JobStore(tmp_path))
    try:
        held = engine.book.records
        assert len(held) == book.WORKING_SET + 1 and "job5000" in held and "job0" not in held
        old = engine.get("job3")  # outside the working set: read by its key, and now held
        assert old is not None and old.label == "" and "job3" in held
        for i in range(1000):  # the artist acts on many old jobs: they join, then leave again
            engine.book.set(f"job{i}", message="looked at")
        assert len(held) <= book.WORKING_SET + book.TRIM_SLACK + 1 and "job5000" in held
        assert JobStore(tmp_path).latest("job0").message == "looked at"  # left memory, kept in the store
        engine.dismiss("job7")  # an old job the list shows on a later page
        assert engine.flush()
        assert JobStore(tmp_path).latest("job7").dismissed
        found, total = engine.find(JobQuery(limit=5))
        assert total == 2000  # 2,001 jobs, one dismissed
        assert [r.id for r in found] == ["job1999", "job1998", "job1997", "job1996", "job1995"]
        assert found[0] is held.get("job1999", found[0])  # a job held in memory is shown as held
    finally:
        engine.shutdown()
