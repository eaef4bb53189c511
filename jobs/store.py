"""The job store: every job Meshsmith ever ran, in one SQLite file outside any .blend (``jobs.db``).

Why SQLite: Python's own ``sqlite3`` (Blender's Python ships it, no wheel to bundle) gives what a studio's
100,000 jobs need and the 0.1 JSON-lines journal could not: a job looked up by its key instead of re-reading the
whole file, the unfinished jobs and the newest page found through indexes instead of parsing everything at
start-up, a change made durable by one transaction instead of an append plus a hand-made compaction, and several
Blender sessions sharing the file safely (SQLite's own locks). WAL mode lets a reader (the main thread) read while
a writer commits, without waiting for it. A commit is synced to disk before it returns (``synchronous=FULL``), so
a change is on disk when the call that made it returns, as the journal's was. WAL needs a local disk: a user
folder on a network share is not supported (SQLite's own advice).

Each row is a job's latest record (the JSON of ``JobRecord``) beside the columns it is found by: id, dates, state,
provider, label, remote id, whether it is dismissed, whether it is unfinished ("open"). Records never hold keys.

Meshsmith 0.1's journal (``jobs.jsonl``) beside the store is taken over at the first start (``legacy_journal``):
its jobs are copied in one transaction, and the file is renamed ``jobs.jsonl.0.1-backup`` and kept. Lines that
cannot be read are skipped and said in ``problem``.

What cannot be opened never stops Meshsmith: a store that is not a database (or is a folder) is moved aside as
``jobs.db.broken-<time>`` and a new one is started; ``problem`` says so in one sentence for the interface.

Threads: writes go through one connection, one write at a time (``_write_lock``; the main thread never writes).
Reads take an idle connection from a pool, or open one, so a read never waits for a Python lock another thread
holds, nor for a write (WAL), and the number of open files stays that of the threads reading at once. Writes raise
``StoreWriteError`` (an ``OSError``) when the disk refuses them; the caller keeps the records and retries.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import legacy_journal
from .records import JobRecord, JobState

log = logging.getLogger("meshsmith.store")

STORE_NAME = "jobs.db"
SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 30.0
"""How long a write waits for another Blender's write to the same store (a commit takes milliseconds)."""
_OPEN_STATES = (JobState.UNKNOWN, JobState.READY)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    state TEXT NOT NULL,
    provider TEXT NOT NULL,
    label TEXT NOT NULL,
    remote_id TEXT NOT NULL,
    dismissed INTEGER NOT NULL,
    open INTEGER NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_by_date ON jobs (created_at);
CREATE INDEX IF NOT EXISTS jobs_by_remote_id ON jobs (provider, remote_id);
CREATE INDEX IF NOT EXISTS jobs_open ON jobs (open) WHERE open = 1;
-- Counting a state's jobs reads this index alone.
CREATE INDEX IF NOT EXISTS jobs_in_state ON jobs (state, dismissed, created_at);
-- Every column the job list filters and searches by, in one narrow index: a page, a count or a search reads it
-- instead of the records themselves (a search of 100,000 jobs reads megabytes, not the whole store).
CREATE INDEX IF NOT EXISTS jobs_listing ON jobs (dismissed, created_at, provider, state, label, remote_id, id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
_COLUMNS = "id, created_at, updated_at, state, provider, label, remote_id, dismissed, open, record"


class StoreWriteError(OSError):
    """The store refused a write (disk full, read-only, locked too long): nothing of it was kept."""


def is_open(record: JobRecord) -> bool:
    """Whether a job is unfinished: running, ready to import, or of unknown outcome (and not dismissed)."""
    return not record.dismissed and (record.state.is_active or record.state in _OPEN_STATES)


@dataclass(frozen=True)
class JobQuery:
    """Which jobs to find, newest first. Empty fields match everything."""

    text: str = ""
    """Words in the label (the prompt or image name), or the start of the job's or the service's id."""
    provider: str = ""
    states: tuple[str, ...] = ()
    since: float | None = None
    """Made at or after this time (seconds since the epoch)."""
    until: float | None = None
    """Made before this time."""
    include_dismissed: bool = False
    limit: int = 50
    offset: int = 0
    order: str = field(default="newest")
    """'newest' first or 'oldest' first."""

    def matches(self, record: JobRecord) -> bool:
        """Whether ``record`` is one this query finds (as ``where`` does in SQL; ASCII letters match either case)."""
        label, remote_id = record.label.lower(), record.remote_id.lower()
        return ((self.include_dismissed or not record.dismissed)
                and (not self.provider or record.provider == self.provider)
                and (not self.states or record.state.value in self.states)
                and (self.since is None or record.created_at >= self.since)
                and (self.until is None or record.created_at < self.until)
                and all(w in label or record.id.lower().startswith(w) or w in remote_id for w in self.text.lower().split()))

    def where(self) -> tuple[str, list[object]]:
        clauses: list[str] = []
        args: list[object] = []
        if not self.include_dismissed:
            clauses.append("dismissed = 0")
        if self.provider:
            clauses.append("provider = ?")
            args.append(self.provider)
        if self.states:
            clauses.append(f"state IN ({', '.join('?' * len(self.states))})")
            args.extend(self.states)
        if self.since is not None:
            clauses.append("created_at >= ?")
            args.append(self.since)
        if self.until is not None:
            clauses.append("created_at < ?")
            args.append(self.until)
        for word in self.text.split():
            pattern = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            clauses.append("(label LIKE ? ESCAPE '\\' OR id LIKE ? ESCAPE '\\' OR remote_id LIKE ? ESCAPE '\\')")
            args.extend([f"%{pattern}%", f"{pattern}%", f"%{pattern}%"])
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", args


class JobStore:
    """Thread- and process-safe store of job records in ``folder/jobs.db``."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.path = self.folder / STORE_NAME
        self.problem = ""
        """One sentence for the artist when the store or the 0.1 journal could not be read as it was ('' when all is
        well)."""
        self.skipped_lines = 0
        """Lines of a 0.1 journal that could not be read when it was taken over."""
        self.migrated = 0
        """Jobs taken over from a 0.1 journal by this session."""
        self._idle: list[sqlite3.Connection] = []
        """Read connections nobody uses now (list appends and pops are atomic: no lock needed)."""
        self._writer: sqlite3.Connection | None = None
        self._write_lock = threading.Lock()
        """Held around a write: one writer per store object (SQLite keeps other processes out)."""
        self._open()

    # --- opening -------------------------------------------------------------------------------------------------
    def _open(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            self._prepare()
        except sqlite3.DatabaseError as exc:
            self.close()
            self._move_aside(f"{exc}")
            self._prepare()
        self._take_over_journal()

    def _prepare(self) -> None:
        if self.path.is_dir():
            raise sqlite3.DatabaseError("it is a folder, not a file")
        with self._write_lock:
            db = self._write_db()
            if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                with _transaction(db):
                    for statement in filter(str.strip, _SCHEMA.split(";")):
                        db.execute(statement)
                    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")  # a commit is on disk when it returns, WAL or not
        return db

    def _write_db(self) -> sqlite3.Connection:
        """The writing connection (caller holds ``_write_lock``)."""
        if self._writer is None:
            self._writer = self._connect()
        return self._writer

    def _move_aside(self, why: str) -> None:
        aside = self.path.with_name(f"{self.path.name}.broken-{int(time.time())}")
        try:
            os.replace(self.path, aside)
            for suffix in ("-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            self.problem = (f"Meshsmith's job record {self.path} could not be used ({why}); it was moved to {aside.name} "
                            "and a new one was started.")
        except OSError as exc:
            self.problem = f"Meshsmith's job record {self.path} cannot be used ({why}) nor moved aside ({exc.strerror})."
            raise
        finally:
            log.error("job store: %s", self.problem)

    def _take_over_journal(self) -> None:
        """Copy a 0.1 journal's jobs in (once, whichever Blender gets there first), then keep the file as a backup."""
        journal = self.folder / legacy_journal.JOURNAL_NAME
        if not journal.is_file():
            return
        reading = legacy_journal.JournalReading()
        took = False
        with self._write_lock, _transaction(self._write_db()) as db:
            if db.execute("SELECT 1 FROM meta WHERE key = 'journal_taken'").fetchone() is None:
                took = True
                with open(journal, "rb") as handle:
                    batch: list[JobRecord] = []
                    for record in legacy_journal.read_records(handle, reading):
                        batch.append(record)
                        if len(batch) >= 1000:
                            self.migrated += self._put(db, batch)
                            batch = []
                    self.migrated += self._put(db, batch)
                db.execute("INSERT INTO meta VALUES ('journal_taken', ?)", (str(time.time()),))
        if not took:  # another session took it over (and keeps its backup): a journal written since is left alone
            return
        backup = journal.with_name(journal.name + legacy_journal.MIGRATED_SUFFIX)
        try:
            os.replace(journal, backup)
        except OSError as exc:
            log.warning("job store: could not rename the 0.1 journal: %s", exc)
        self.skipped_lines = reading.unreadable
        if reading.unreadable:
            self.problem = (f"Meshsmith skipped {reading.unreadable} unreadable line(s) of its 0.1 job record; the file "
                            f"was kept as {backup.name}.")
            log.warning("job store: %s", self.problem)
        if self.migrated:
            log.info("job store: took %d job record(s) over from %s", self.migrated, journal)

    # --- writing -------------------------------------------------------------------------------------------------
    def append(self, record: JobRecord) -> None:
        self.append_many([record])

    def append_many(self, records: list[JobRecord]) -> None:
        """Keep each record as its job's latest, in order, in one transaction, on disk before returning.

        Raises ``StoreWriteError`` when the store refuses (disk full, read-only): nothing of it was kept.
        """
        if not records:
            return
        try:
            with self._write_lock, _transaction(self._write_db()) as db:
                self._put(db, records)
        except sqlite3.Error as exc:
            raise StoreWriteError(28 if "full" in str(exc) else 5, str(exc)) from exc

    @staticmethod
    def _put(db: sqlite3.Connection, records: Iterable[JobRecord]) -> int:
        rows = [(r.id, r.created_at, r.updated_at, r.state.value, r.provider, r.label, r.remote_id, int(r.dismissed),
                 int(is_open(r)), r.model_dump_json()) for r in records]
        db.executemany(f"INSERT OR REPLACE INTO jobs ({_COLUMNS}) VALUES ({', '.join('?' * 10)})", rows)
        return len(rows)

    # --- reading (by key or through an index; never the whole store) --------------------------------------------
    def latest(self, job_id: str) -> JobRecord | None:
        """The job's record on disk now (another session may have written it)."""
        rows = self._read("SELECT record FROM jobs WHERE id = ?", (job_id,))
        return _record(rows[0][0]) if rows else None

    def latest_many(self, job_ids: Iterable[str]) -> dict[str, JobRecord]:
        ids = list(job_ids)
        found: dict[str, JobRecord] = {}
        for start in range(0, len(ids), 500):  # SQLite's limit on parameters is far above 500
            chunk = ids[start:start + 500]
            for (text,) in self._read(f"SELECT record FROM jobs WHERE id IN ({', '.join('?' * len(chunk))})", chunk):
                record = _record(text)
                if record is not None:
                    found[record.id] = record
        return found

    def find_remote(self, provider: str, remote_id: str) -> JobRecord | None:
        rows = self._read("SELECT record FROM jobs WHERE provider = ? AND remote_id = ? LIMIT 1", (provider, remote_id))
        return _record(rows[0][0]) if rows else None

    def working_set(self, recent: int) -> dict[str, JobRecord]:
        """The jobs a session starts with, oldest first: every unfinished one and the ``recent`` newest others."""
        rows = self._read("SELECT record FROM jobs WHERE open = 1", ())
        rows += self._read("SELECT record FROM jobs WHERE dismissed = 0 ORDER BY created_at DESC LIMIT ?", (recent,))
        records = {record.id: record for record in filter(None, (_record(text) for (text,) in rows))}
        return dict(sorted(records.items(), key=lambda item: item[1].created_at))

    def find(self, query: JobQuery) -> list[JobRecord]:
        """The jobs ``query`` matches (one page of them: ``limit`` and ``offset``)."""
        return list(self.each(query))

    def each(self, query: JobQuery) -> Iterator[JobRecord]:
        """The jobs ``query`` matches, one at a time (``limit=-1``: all of them, never all in memory at once)."""
        where, args = query.where()
        order = "DESC" if query.order == "newest" else "ASC"
        with self._reader() as db:
            try:
                cursor = db.execute(f"SELECT record FROM jobs{where} ORDER BY created_at {order} LIMIT ? OFFSET ?",
                                    (*args, query.limit, query.offset))
            except sqlite3.Error as exc:
                self._read_failed(exc)
                return
            for (text,) in cursor:
                record = _record(text)
                if record is not None:
                    yield record

    def count(self, query: JobQuery | None = None, *, up_to: int | None = None) -> int:
        """How many jobs ``query`` matches (every job without one); at most ``up_to`` when given, which keeps the
        count of a long history as quick as a page (the list says "10,000+")."""
        where, args = (query or JobQuery(include_dismissed=True)).where()
        if up_to is None:
            rows = self._read(f"SELECT COUNT(*) FROM jobs{where}", args)
        else:
            rows = self._read(f"SELECT COUNT(*) FROM (SELECT 1 FROM jobs{where} LIMIT ?)", (*args, up_to))
        return int(rows[0][0]) if rows else 0

    def ended(self, job_ids: Iterable[str]) -> set[str]:
        """Which of these jobs are in the store and have ended (nothing left to run or import)."""
        found = self.latest_many(job_ids)
        return {job_id for job_id, record in found.items() if not is_open(record)}

    def every_job(self, *, newest_first: bool = False) -> Iterator[JobRecord]:
        """Every job, dismissed ones included, one at a time (tools, tests): never all of them in memory."""
        return self.each(JobQuery(include_dismissed=True, limit=-1, order="newest" if newest_first else "oldest"))

    def load(self) -> dict[str, JobRecord]:
        """Every job by id, oldest first: for tools and tests only (Meshsmith itself never reads the whole store)."""
        return {record.id: record for record in self.every_job()}

    def _read(self, sql: str, args: Iterable[object]) -> list[tuple]:
        with self._reader() as db:
            try:
                return db.execute(sql, tuple(args)).fetchall()
            except sqlite3.Error as exc:
                self._read_failed(exc)
                return []

    @contextmanager
    def _reader(self) -> Iterator[sqlite3.Connection]:
        """An idle read connection, or a new one; given back afterwards."""
        try:
            db = self._idle.pop()
        except IndexError:
            db = self._connect()
        try:
            yield db
        finally:
            self._idle.append(db)

    def _read_failed(self, exc: sqlite3.Error) -> None:
        self.problem = f"Meshsmith could not read its job record {self.path} ({exc}); some jobs may not be listed."
        log.error("job store: %s", self.problem)

    def files(self) -> list[Path]:
        """The store's files on disk (the database and its write-ahead log), for checks that nothing secret is in them."""
        return [path for path in (self.path, Path(f"{self.path}-wal")) if path.is_file()]

    def close(self) -> None:
        """Close every thread's connection (the engine's shutdown, tests)."""
        with self._write_lock:
            connections, self._idle = [*self._idle, *filter(None, [self._writer])], []
            self._writer = None
        for db in connections:
            try:
                db.close()
            except sqlite3.Error:
                pass


@contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on error: one writer at a time, across processes too."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
        db.execute("COMMIT")  # may fail too (the disk filled up while syncing): rolled back below
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def _record(text: str) -> JobRecord | None:
    try:
        return JobRecord.model_validate_json(text)
    except ValueError:
        log.warning("job store: a record could not be read and is left out")
        return None
