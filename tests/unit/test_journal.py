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
