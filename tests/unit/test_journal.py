"""The journal survives torn writes and compacts atomically; it never holds a key."""

from meshsmith.jobs.journal import COMPACT_SLACK_LINES, Journal
from meshsmith.jobs.records import JobRecord, JobState


def _record(i: int, **changes) -> JobRecord:
    return JobRecord(id=f"job{i}", provider="SEGMIND", params={"seed": i}, **changes)


def test_round_trip_keeps_the_latest_snapshot(tmp_path):
    journal = Journal(tmp_path)
    first = _record(1)
    journal.append(first)
    journal.append(first.evolve(state=JobState.RUNNING, remote_id="r1"))
    journal.append(_record(2))
    loaded = Journal(tmp_path).load()
    assert list(loaded) == ["job1", "job2"]
    assert loaded["job1"].state is JobState.RUNNING and loaded["job1"].remote_id == "r1"


def test_a_write_cut_off_midway_loses_nothing_earlier(tmp_path):
    journal = Journal(tmp_path)
    journal.append(_record(1, remote_id="r1", state=JobState.RUNNING))
    journal.append(_record(2, remote_id="r2", state=JobState.QUEUED))
    # Simulate a crash in the middle of writing the next line.
    line = _record(1, state=JobState.READY).model_dump_json()
    with journal.path.open("ab") as handle:
        handle.write(line[: len(line) // 2].encode())
    reread = Journal(tmp_path)
    loaded = reread.load()
    assert reread.skipped_lines == 1
    assert loaded["job1"].state is JobState.RUNNING and loaded["job2"].remote_id == "r2"
    # Writing after the torn line must not glue the new record onto it.
    reread.append(_record(3))
    assert set(Journal(tmp_path).load()) == {"job1", "job2", "job3"}


def test_compaction_writes_one_line_per_job(tmp_path):
    journal = Journal(tmp_path)
    record = _record(1)
    for step in range(COMPACT_SLACK_LINES + 5):
        record = record.evolve(progress=step / 1000)
        journal.append(record)
    assert journal.needs_compaction(1)
    journal.compact()
    assert journal.path.read_text().count("\n") == 1
    assert Journal(tmp_path).load()["job1"].progress == record.progress
    assert not list(tmp_path.glob("*.tmp"))


def test_missing_journal_is_empty(tmp_path):
    assert Journal(tmp_path / "nowhere").load() == {}


def test_a_journal_that_is_a_folder_is_moved_aside_and_said_once(tmp_path):
    (tmp_path / "jobs.jsonl").mkdir()
    journal = Journal(tmp_path)
    assert journal.load() == {}
    assert "it is a folder" in journal.problem and "moved to jobs.jsonl.broken-" in journal.problem
    journal.append(_record(1))  # and it works again
    assert list(Journal(tmp_path).load()) == ["job1"]
    assert [p.is_dir() for p in tmp_path.glob("jobs.jsonl.broken-*")] == [True]


def test_a_line_nested_thousands_deep_is_skipped_and_a_copy_is_kept(tmp_path):
    journal = Journal(tmp_path)
    journal.append(_record(1))
    with journal.path.open("a") as handle:
        handle.write('{"id": "x", "provider": ' + "[" * 100000 + "]" * 100000 + "}\n")
    journal.append(_record(2))
    reread = Journal(tmp_path)
    assert list(reread.load()) == ["job1", "job2"]
    assert reread.skipped_lines == 1 and "1 unreadable line(s)" in reread.problem
    copies = list(tmp_path.glob("jobs.jsonl.broken-*"))
    assert len(copies) == 1 and copies[0].read_bytes() == journal.path.read_bytes()
    reread.load()  # said and copied once per session, not at every look
    assert len(list(tmp_path.glob("jobs.jsonl.broken-*"))) == 1


def test_compaction_keeps_lines_another_session_wrote(tmp_path):
    ours, theirs = Journal(tmp_path), Journal(tmp_path)
    ours.append(_record(1))
    theirs.append(_record(2, state=JobState.RUNNING))  # another Blender on the same folder
    ours.compact()
    loaded = Journal(tmp_path).load()
    assert set(loaded) == {"job1", "job2"} and loaded["job2"].state is JobState.RUNNING


def test_lock_files_of_jobs_that_ended_long_ago_are_tidied_and_held_ones_never(tmp_path):
    import os
    import time

    from meshsmith.jobs.ownership import JobLocks

    other, ours = JobLocks(tmp_path, "other"), JobLocks(tmp_path, "ours")
    for job_id in ("old_done", "old_held", "recent_done", "old_running"):
        assert ours.acquire(job_id)
        ours.release(job_id)
    assert other.acquire("old_held")  # another session still holds this one
    week_ago = time.time() - 8 * 24 * 3600
    for job_id in ("old_done", "old_held", "old_running"):
        os.utime(tmp_path / "locks" / f"{job_id}.lock", (week_ago, week_ago))
    removed = ours.prune({"old_done", "old_held", "recent_done"})
    assert removed == 1
    assert sorted(p.stem for p in (tmp_path / "locks").glob("*.lock")) == ["old_held", "old_running", "recent_done"]
    assert other.holds("old_held") and not ours.acquire("old_held")


def test_a_line_of_a_hundred_megabytes_is_skipped_and_reported_without_being_held(tmp_path):
    import tracemalloc

    journal = Journal(tmp_path)
    kept = JobRecord(provider="SEGMIND", label="kept")
    journal.append_many([kept])
    with open(journal.path, "ab") as handle:
        block = b"x" * (1 << 20)
        handle.write(b'{"id": "')
        for _ in range(100):
            handle.write(block)
        handle.write(b'"}\n')
    after = JobRecord(provider="SEGMIND", label="after")
    journal.append_many([after])
    tracemalloc.start()
    loaded = Journal(tmp_path)
    records = loaded.load()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert [record.label for record in records.values()] == ["kept", "after"]
    assert loaded.skipped_lines == 1 and "1 unreadable line" in loaded.problem
    assert peak < 20 << 20  # the 100 MB line was read past, never held
