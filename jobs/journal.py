"""The job journal: a small file outside any .blend that remembers every job across crashes and restarts.

Format: JSON Lines, one complete ``JobRecord`` per line; the last readable line for an id wins. Each
change is appended and fsync'd, so a crash loses at most the line being written, and the reader
skips a torn line without losing any earlier one. When the file has grown well past the number of
jobs it holds, it is compacted: the file is read again, the last line of each job is written to a
temporary file, fsync'd and renamed over the journal in one step. Records never hold keys
(``JobRecord`` has no field for one).

Several Blender sessions may share one journal (one user folder). Every append and every compaction
holds an exclusive lock on ``jobs.jsonl.lock`` (a separate file, because compaction replaces the
journal itself), and compaction works from what is on disk, never from one session's memory, so no
session's lines are lost to another's.

What cannot be read never stops Meshsmith: an unreadable line is skipped (a copy of the file is kept
once, beside it, as ``jobs.jsonl.broken-<time>``), a journal that is not a file is moved aside, and
``problem`` says so in one sentence for the interface.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..net.files import write_bytes_atomic
from .records import JobRecord

log = logging.getLogger("meshsmith.journal")

JOURNAL_NAME = "jobs.jsonl"
LOCK_SUFFIX = ".lock"
# Compact when the file holds this many lines beyond one per job: rare enough to cost nothing,
# often enough that the file stays small (a job writes about ten lines in its life).
COMPACT_SLACK_LINES = 500
MAX_LINE_BYTES = 1 << 20
"""A job's line is a few kilobytes; a longer one (a hand-edited or hostile file) is skipped, never held whole."""
READ_PIECE_BYTES = 1 << 16

if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock_file(handle) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)

    def _unlock_file(handle) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock_file(handle) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)

    def _unlock_file(handle) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class Journal:
    """Thread- and process-safe append-only store of job records in ``folder/jobs.jsonl``."""

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / JOURNAL_NAME
        self._lock = threading.Lock()
        self._lines = 0
        self.skipped_lines = 0
        """Lines that could not be read at the last load (a torn write, a hand edit, one too long to read)."""
        self.overlong_lines = 0
        """Of those, the lines over ``MAX_LINE_BYTES`` (read past, never held)."""
        self.problem = ""
        """One sentence for the artist when the journal could not be read as it was ('' when all is well)."""
        self._kept_copy = False

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        """This thread and no other process writes the journal inside the block."""
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path.with_name(self.path.name + LOCK_SUFFIX), "a+b") as handle:
                _lock_file(handle)
                try:
                    yield
                finally:
                    _unlock_file(handle)

    def load(self) -> dict[str, JobRecord]:
        """Every job's latest readable snapshot, oldest first."""
        records: dict[str, JobRecord] = {}
        self.skipped_lines = 0
        self._lines = 0
        lines = self._read_lines()
        self.skipped_lines = self.overlong_lines
        for line in lines:
            if not line.strip():
                continue
            self._lines += 1
            record = _parse(line)
            if record is None:
                self.skipped_lines += 1
                continue
            records.pop(record.id, None)
            records[record.id] = record
        if self.skipped_lines:
            self._keep_broken_copy(f"{self.skipped_lines} unreadable line(s)")
        return dict(sorted(records.items(), key=lambda item: item[1].created_at))

    def latest(self, job_id: str) -> JobRecord | None:
        """The job's last readable line on disk now (another session may have written it)."""
        return self.load().get(job_id)

    def _read_lines(self) -> list[str]:
        """The journal's lines; a line over ``MAX_LINE_BYTES`` is left out (read past, never held whole) and counted
        in ``overlong_lines``."""
        self.overlong_lines = 0
        with self._lock:
            try:
                with open(self.path, "rb") as handle:
                    lines, self.overlong_lines = _bounded_lines(handle)
                return [line.decode("utf-8", errors="replace") for line in lines]
            except FileNotFoundError:
                return []
            except IsADirectoryError:
                self._move_aside("it is a folder, not a file")
                return []
            except OSError as exc:
                self.problem = f"Meshsmith could not read its job record {self.path} ({exc.strerror}); earlier jobs are not listed."
                log.error("journal: %s", self.problem)
                return []

    def _move_aside(self, why: str) -> None:
        aside = self.path.with_name(f"{self.path.name}.broken-{int(time.time())}")
        try:
            os.replace(self.path, aside)
            self.problem = f"Meshsmith's job record {self.path} could not be used ({why}); it was moved to {aside.name}."
        except OSError as exc:
            self.problem = f"Meshsmith's job record {self.path} cannot be used ({why}) nor moved aside ({exc.strerror})."
        log.error("journal: %s", self.problem)

    def _keep_broken_copy(self, why: str) -> None:
        """Keep the file as it was, once per session, before compaction drops what could not be read."""
        if self._kept_copy:
            return
        self._kept_copy = True
        copy = self.path.with_name(f"{self.path.name}.broken-{int(time.time())}")
        try:
            shutil.copyfile(self.path, copy)
            self.problem = f"Meshsmith skipped {why} in its job record; a copy of the file was kept as {copy.name}."
        except OSError:
            self.problem = f"Meshsmith skipped {why} in its job record."
        log.warning("journal: %s", self.problem)

    def append(self, record: JobRecord) -> None:
        """Record one snapshot durably before returning."""
        self.append_many([record])

    def append_many(self, records: list[JobRecord]) -> None:
        """Record snapshots, in order, durably before returning: one write and one sync for all of them.

        Raises ``OSError`` when the disk refuses (full, read-only): the caller keeps the records and retries.
        """
        data = "".join(record.model_dump_json() + "\n" for record in records).encode("utf-8")
        with self._exclusive():
            with self.path.open("a+b") as handle:
                handle.seek(0, os.SEEK_END)
                start = handle.tell()
                try:
                    if start > 0:
                        # A torn last line from a crash must not swallow this record: start a fresh line.
                        handle.seek(-1, os.SEEK_END)
                        if handle.read(1) != b"\n":
                            handle.write(b"\n")
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
                except OSError:
                    # A half-written append (disk full) would leave a torn line for the next load: cut it off.
                    try:
                        handle.truncate(start)
                    except OSError:
                        pass
                    raise
            self._lines += len(records)

    def needs_compaction(self, job_count: int) -> bool:
        return self._lines > job_count + COMPACT_SLACK_LINES

    def compact(self) -> None:
        """Replace the file with the last readable line of each job, atomically, from what is on disk now."""
        with self._exclusive():
            try:
                with open(self.path, "rb") as handle:
                    lines = [line.decode("utf-8", errors="replace") for line in _bounded_lines(handle)[0]]
            except OSError:
                return
            latest: dict[str, str] = {}
            for line in lines:
                record = _parse(line) if line.strip() else None
                if record is not None:
                    latest.pop(record.id, None)
                    latest[record.id] = line
            write_bytes_atomic(self.path, "".join(line + "\n" for line in latest.values()).encode("utf-8"))
            self._lines = len(latest)


def _bounded_lines(handle) -> tuple[list[bytes], int]:
    """(the lines of a binary file up to ``MAX_LINE_BYTES`` each, how many longer ones were read past)."""
    lines: list[bytes] = []
    overlong = 0
    pending = b""
    skipping = False
    while True:
        piece = handle.read(READ_PIECE_BYTES)
        if not piece:
            break
        parts = (pending + piece).split(b"\n")
        pending = parts.pop()
        for part in parts:
            if skipping:
                skipping = False  # the end of the overlong line: the next one is read again
            elif len(part) <= MAX_LINE_BYTES:
                lines.append(part)
            else:
                overlong += 1
        if len(pending) > MAX_LINE_BYTES:
            if not skipping:
                overlong += 1
            pending, skipping = b"", True
    if pending and not skipping:
        lines.append(pending)
    return lines, overlong


def _parse(line: str) -> JobRecord | None:
    """One journal line as a record, or None when it cannot be read (torn, hand-edited, absurdly nested)."""
    try:
        return JobRecord.model_validate(json.loads(line))
    except (ValueError, RecursionError):
        return None
