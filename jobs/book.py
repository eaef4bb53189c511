"""The job book: the working set of jobs, the store that keeps every job, and the updates the main thread drains.

The book holds in memory only the working set: every unfinished job, the newest finished ones (``WORKING_SET``)
and any job this session touched; the store (``store.JobStore``) keeps every job ever run, found by its key.
Jobs that ended leave memory again once the working set grows past its bound (``trim``), so memory stays flat
however many jobs the store holds; ``get`` reads a job that is not in memory from the store, by its key.

Shared by the engine's parts (``engine.JobEngine`` owns one; its ``worker`` and ``sessions`` parts change jobs only
through it). Thread-safe; bpy-free.

- Every change goes through ``changing()``: made under the book's lock, stored ("journaled") after the lock is let go and
  before the call returns, so a change is on disk when the call that made it returns (the SUBMITTING line
  before the creating request leaves). The disk sync happens outside the lock: no thread waits on a disk while
  it wants a record. The main thread hears of a change only once it is on disk, in the order it was made.
- Reads take no lock: records are immutable and each read is one dict operation, atomic under the GIL. A main
  thread that waited on the lock could wait for a worker Python has just paused, for a switch interval (5 ms).
- Changes the main thread makes (imports) are laid over the records at once and journaled by a writer thread of
  the book's own, so the main thread never waits for the lock or a disk sync.
- A journal write that fails (disk full) is kept, retried with every later write (and by the sessions'
  housekeeping), and said in ``journal_error`` until it succeeds.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from .records import JobRecord, JobState
from .store import JobStore, is_open

log = logging.getLogger("meshsmith.jobs")

WORKING_SET = 200
"""How many of the newest finished jobs a session keeps in memory beside the unfinished ones (the job list's
first pages); older ones are read from the store when asked for."""
TRIM_SLACK = 200
"""How far past its bound the working set may grow before the jobs that ended leave memory (a trim sorts it)."""


class Stopped(Exception):
    """The job was canceled while a worker changed it: the worker unwinds quietly."""


class JobBook:
    """The records of every job of one engine, and their journal."""

    def __init__(self, store: JobStore | None, *, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        """Where every job is kept (None: in memory only, as in some tests). Journaling a change means storing it."""
        self.clock = clock
        self.lock = threading.RLock()
        """Held while a record is changed; never while the disk is written or waited for."""
        self.records: dict[str, JobRecord] = {}
        """Each job's latest record (read without the lock; changed only inside ``changing``)."""
        self.journal_error = ""
        """Why the journal cannot be written ('' when every change is on disk)."""
        self.failed_writes: dict[str, JobRecord] = {}
        """The latest unjournaled record of each job whose journal write failed, in order, for the retry."""
        self.on_written: Callable[[list[JobRecord]], None] = lambda records: None
        """Told of the records a write put on disk (the sessions let go of jobs that ended)."""
        self.on_write_failed: Callable[[], None] = lambda: None
        """Told when a journal write failed (the sessions' housekeeping retries it)."""
        self.closed = False
        self._updates: queue.SimpleQueue[JobRecord] = queue.SimpleQueue()
        self._has_updates = threading.Event()
        self._unjournaled: list[JobRecord] = []
        self._unjournaled_lock = threading.Lock()  # a leaf: nothing else is taken while it is held
        self.journal_lock = threading.Lock()
        """Held while records are written to the journal (one writer at a time, in order)."""
        self._from_main: queue.SimpleQueue[tuple[str, dict]] = queue.SimpleQueue()
        self._overlay: dict[str, dict] = {}
        """The main thread's changes, laid over the records until the writer has applied them (what ``get`` shows)."""
        self._writing = threading.Event()  # set while the writer holds a change it has not journaled yet
        if store is not None:
            self.records.update(store.working_set(WORKING_SET))
        self._trim_at = len(self.records) + TRIM_SLACK
        self._writer = threading.Thread(target=self._write_main_changes, daemon=True, name="meshsmith-journal-writer")
        self._writer.start()

    # --- reading (any thread, no lock) ---------------------------------------------------------------------------
    def get(self, job_id: str) -> JobRecord | None:
        """The job as this session sees it now, the main thread's changes not yet journaled included.

        A job outside the working set is read from the store by its key and joins the working set (an old job the
        artist acts on: Import Again, Dismiss)."""
        changes = self._overlay.get(job_id)  # read before the record: the writer stores, then drops the overlay
        record = self.records.get(job_id)
        if record is None and self.store is not None:
            stored = self.store.latest(job_id)
            # setdefault: a worker cannot hold a job that is not in memory, but another reader may have put it there
            record = self.records.setdefault(job_id, stored) if stored is not None else None
        if changes is None or record is None:
            return record
        return record.model_copy(update=changes)

    def all(self) -> list[JobRecord]:
        """Every job of the working set, oldest first (the store holds the others)."""
        if not self._overlay:
            return list(self.records.values())
        return [record for record in map(self.get, list(self.records)) if record is not None]

    def require(self, job_id: str) -> JobRecord:
        record = self.get(job_id)
        if record is None:
            raise KeyError(job_id)
        return record

    # --- changing (worker threads; the main thread through ``change_from_main``) ----------------------------------
    @contextmanager
    def changing(self) -> Iterator[None]:
        """Hold the lock while a change is made; journal it after letting the lock go, before returning."""
        try:
            with self.lock:
                yield
        finally:
            self.write_journal()

    def keep(self, record: JobRecord) -> None:
        """Keep a record and queue it for the journal and the main thread (caller is inside ``changing``)."""
        self.records[record.id] = record
        with self._unjournaled_lock:
            self._unjournaled.append(record)

    def set(self, job_id: str, **changes: object) -> JobRecord:
        with self.changing():
            record = self.current(job_id).evolve(**changes)
            self.keep(record)
        return record

    def current(self, job_id: str) -> JobRecord:
        """The job's record for a change (caller is inside ``changing``); ``KeyError`` for a job nobody knows."""
        record = self.held_or_stored(job_id)
        if record is None:
            raise KeyError(job_id)
        return record

    def held_or_stored(self, job_id: str) -> JobRecord | None:
        """The job's record from memory, or from the store for a job that has left the working set."""
        record = self.records.get(job_id)
        if record is None and self.store is not None:
            record = self.store.latest(job_id)
        return record

    def commit(self, job_id: str, cancel: threading.Event, **changes: object) -> JobRecord:
        """A worker's change. Dropped (and ``Stopped`` raised) once the job has been canceled."""
        with self.changing():
            if cancel.is_set() or self.records[job_id].state is JobState.CANCELED:
                raise Stopped()
            record = self.records[job_id].evolve(**changes)
            self.keep(record)
        return record

    def show(self, record: JobRecord) -> None:
        """Show a record this session did not make (another session's): in memory and the list, never journaled."""
        self.records[record.id] = record
        self._updates.put(record)
        self._has_updates.set()

    def change_from_main(self, job_id: str, **changes: object) -> None:
        """A change made on the main thread: seen at once (``get`` lays it over the record), journaled by the writer.

        Only plain dict and queue operations here (atomic under the GIL): the main thread never waits for the
        lock (a worker holding it may be paused) nor for a disk sync. The record itself is changed only by the
        writer, under the lock, on top of whatever another thread stored meanwhile (a preview render landing as
        the result is imported), so no change overwrites another.
        """
        changes.setdefault("updated_at", time.time())
        merged = {**self._overlay.get(job_id, {}), **changes}
        self._overlay[job_id] = merged
        self._from_main.put((job_id, merged))
        self._updates.put(self.get(job_id))

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until the main thread's changes are journaled (tests, shutdown). True when they are."""
        deadline = time.monotonic() + timeout
        while (not self._from_main.empty() or self._writing.is_set()) and time.monotonic() < deadline:
            time.sleep(0.01)
        return self._from_main.empty() and not self._writing.is_set()

    # --- the journal -----------------------------------------------------------------------------------------------
    def write_journal(self) -> None:
        """Write every queued record, in order, with one sync, then hand them to the main thread.

        Whoever holds the journal lock writes what is queued then; a thread that finds its line already taken
        knows it is on disk, because the writer that took it synced before letting the lock go.
        """
        with self.journal_lock:
            with self._unjournaled_lock:
                pending, self._unjournaled = self._unjournaled, []
            if not pending and not self.failed_writes:
                return
            written = self._journal_write(pending)
            for record in pending:
                self._updates.put(record)
            if pending:
                self._has_updates.set()
        if written:
            self.on_written(written)

    def _journal_write(self, pending: list[JobRecord]) -> list[JobRecord]:
        """Append ``pending`` after any earlier failed writes (caller holds ``journal_lock``); the records now on
        disk. A failure keeps the latest record of each job for the next try and says so in ``journal_error``."""
        if self.store is None:
            return pending
        backlog = dict(self.failed_writes)
        for record in pending:
            backlog.pop(record.id, None)
            backlog[record.id] = record
        records = list(backlog.values())
        try:
            self.store.append_many(records)
        except OSError as exc:
            self.failed_writes = backlog
            self.journal_error = (f"Meshsmith cannot write its job record ({exc.strerror or exc}). Free some disk space; "
                                  "results are not imported by themselves until it can.")
            log.error("journal write failed: %s", exc)
            self.on_write_failed()
            return []
        self.failed_writes = {}
        if self.journal_error:
            self.journal_error = ""
            for record in records:  # tell the main thread the warning is over
                self._updates.put(record)
        if len(self.records) > self._trim_at:
            self.trim()
        return records

    def trim(self) -> None:
        """Let jobs that ended leave memory, oldest first, until the working set is back to its bound (the store
        keeps them). A job with a change of the main thread's still waiting, or one this session holds open, stays."""
        ended = [r for r in tuple(self.records.values()) if not is_open(r) and r.id not in self._overlay]
        ended.sort(key=lambda record: record.updated_at)
        for record in ended[:max(0, len(ended) - WORKING_SET)]:
            if self.records.get(record.id) is record:  # not if it changed meanwhile
                self.records.pop(record.id, None)
        self._trim_at = len(self.records) + TRIM_SLACK

    def _write_main_changes(self) -> None:
        """The journal writer for the main thread's changes (its own thread): applied and journaled in order."""
        while not self.closed or not self._from_main.empty():
            try:
                job_id, changes = self._from_main.get(timeout=0.2)
            except queue.Empty:
                continue
            self._writing.set()
            try:
                with self.changing():
                    try:
                        current = self.current(job_id)
                    except KeyError:
                        current = None
                    if current is not None:
                        self.keep(current.model_copy(update=changes))
                if self._overlay.get(job_id) is changes:  # not if the main thread has laid a newer change since
                    del self._overlay[job_id]
            except Exception:  # the writer must outlive one bad write; the housekeeping retries journal failures
                log.exception("journaling a change from the main thread failed")
            finally:
                self._writing.clear()

    # --- the main thread's side ------------------------------------------------------------------------------------
    def drain(self) -> list[JobRecord]:
        """Take every queued update (main thread). Returns the latest record of each changed job."""
        latest: dict[str, JobRecord] = {}
        # No lock is taken here, not even the wake-up event's: a worker that Python pauses while it holds that
        # lock would make this tick wait for it, up to a switch interval (5 ms). ``wait_for_updates`` clears it.
        while True:
            try:
                record = self._updates.get_nowait()
            except queue.Empty:
                break
            latest[record.id] = record
        return list(latest.values())

    def wait_for_updates(self, timeout: float) -> bool:
        """Block until an update is queued or ``timeout`` passes (background mode, tests); at once while updates
        wait in the queue."""
        if not self._updates.empty():
            return True
        self._has_updates.clear()
        if not self._updates.empty():  # queued between the first look and the clear: its set() came before
            return True
        return self._has_updates.wait(timeout)
