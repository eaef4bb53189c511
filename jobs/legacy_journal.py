"""Reading Meshsmith 0.1's job journal (``jobs.jsonl``), once, to take its jobs into the job store.

0.1 kept one complete ``JobRecord`` per line, appended at every change; the last readable line of a job wins. A
line that cannot be read (torn by a crash, hand-edited, nested thousands deep, longer than ``MAX_LINE_BYTES``) is
skipped and counted, never fatal, and never held whole in memory. The file is read as a stream: a 100,000-job
journal is never in memory at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from .records import JobRecord

JOURNAL_NAME = "jobs.jsonl"
"""0.1's journal, in the same user folder as the store."""
MIGRATED_SUFFIX = ".0.1-backup"
"""What the journal is renamed to once its jobs are in the store: kept, never read again."""
MAX_LINE_BYTES = 1 << 20
"""A job's line is a few kilobytes; a longer one (a hand-edited or hostile file) is skipped, never held whole."""
READ_PIECE_BYTES = 1 << 16


@dataclass
class JournalReading:
    """What reading a journal found besides its records."""

    unreadable: int = 0
    """Lines skipped: torn, not a job, or over ``MAX_LINE_BYTES``."""


def read_records(handle: BinaryIO, reading: JournalReading) -> Iterator[JobRecord]:
    """Every readable line of a 0.1 journal as a record, in file order (a job's later lines after its earlier ones)."""
    for line in bounded_lines(handle, reading):
        if not line.strip():
            continue
        record = parse(line)
        if record is None:
            reading.unreadable += 1
        else:
            yield record


def bounded_lines(handle: BinaryIO, reading: JournalReading) -> Iterator[bytes]:
    """The lines of a binary file, each up to ``MAX_LINE_BYTES``; longer ones are read past and counted."""
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
                yield part
            else:
                reading.unreadable += 1
        if len(pending) > MAX_LINE_BYTES:
            if not skipping:
                reading.unreadable += 1
            pending, skipping = b"", True
    if pending and not skipping:
        yield pending


def parse(line: bytes | str) -> JobRecord | None:
    """One journal line as a record, or None when it cannot be read (torn, hand-edited, absurdly nested)."""
    try:
        return JobRecord.model_validate(json.loads(line))
    except (ValueError, RecursionError):
        return None
