"""The job journal: a small file outside any .blend that remembers every job across crashes and restarts.

Format: JSON Lines, one complete ``JobRecord`` per line; the last readable line for an id wins. Each
change is appended and fsync'd, so a crash loses at most the line being written, and the reader
skips a torn line without losing any earlier one. When the file has grown well past the number of
jobs it holds, it is compacted: the latest snapshots are written to a temporary file, fsync'd and
renamed over the journal in one step. Records never hold keys (``JobRecord`` has no field for one).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path

from ..providers.files import write_bytes_atomic
from .records import JobRecord

log = logging.getLogger("meshsmith.journal")

JOURNAL_NAME = "jobs.jsonl"
# Compact when the file holds this many lines beyond one per job: rare enough to cost nothing,
# often enough that the file stays small (a job writes about ten lines in its life).
COMPACT_SLACK_LINES = 500


class Journal:
    """Thread-safe append-only store of job records in ``folder/jobs.jsonl``."""

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / JOURNAL_NAME
        self._lock = threading.Lock()
        self._lines = 0
        self.skipped_lines = 0
        """Lines that could not be read at the last load (a torn write, a hand edit)."""

    def load(self) -> dict[str, JobRecord]:
        """Every job's latest readable snapshot, oldest first."""
        records: dict[str, JobRecord] = {}
        self.skipped_lines = 0
        self._lines = 0
        with self._lock:
            try:
                text = self.path.read_text(encoding="utf-8", errors="replace")
            except FileNotFoundError:
                return records
        for line in text.splitlines():
            if not line.strip():
                continue
            self._lines += 1
            try:
                record = JobRecord.model_validate(json.loads(line))
            except ValueError:
                self.skipped_lines += 1
                continue
            records.pop(record.id, None)
            records[record.id] = record
        if self.skipped_lines:
            log.warning("journal: skipped %d unreadable line(s) in %s", self.skipped_lines, self.path)
        return dict(sorted(records.items(), key=lambda item: item[1].created_at))

    def append(self, record: JobRecord) -> None:
        """Record one snapshot durably before returning."""
        self.append_many([record])

    def append_many(self, records: list[JobRecord]) -> None:
        """Record snapshots, in order, durably before returning: one write and one sync for all of them."""
        data = "".join(record.model_dump_json() + "\n" for record in records).encode("utf-8")
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a+b") as handle:
                handle.seek(0, os.SEEK_END)
                if handle.tell() > 0:
                    # A torn last line from a crash must not swallow this record: start a fresh line.
                    handle.seek(-1, os.SEEK_END)
                    if handle.read(1) != b"\n":
                        handle.write(b"\n")
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            self._lines += len(records)

    def needs_compaction(self, job_count: int) -> bool:
        return self._lines > job_count + COMPACT_SLACK_LINES

    def compact(self, records: dict[str, JobRecord]) -> None:
        """Replace the file with one line per job, atomically."""
        data = "".join(record.model_dump_json() + "\n" for record in records.values()).encode("utf-8")
        with self._lock:
            write_bytes_atomic(self.path, data)
            self._lines = len(records)
