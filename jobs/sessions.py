"""Several Blender sessions on one user folder: which session runs a job, and looking after the others' jobs.

A job belongs to the session that holds its lock (``ownership.JobLocks``). A job whose lock another session
holds is shown, refreshed from the store (by its key) every few seconds, and never changed, resumed or imported here;
it is taken over when its owner lets go of it (ends it, quits or crashes). The same housekeeping thread
retries journal writes that failed (a full disk).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..net import errors as E
from .book import JobBook
from .ownership import JobLocks
from .records import JobRecord, JobState

if TYPE_CHECKING:
    from ..providers.base import Provider

log = logging.getLogger("meshsmith.jobs")

# How often jobs running in another Blender are looked at again, and failed journal writes retried.
HOUSEKEEPING_INTERVAL_S = 2.0
RUNNING_ELSEWHERE = "Running in another Blender"


class SharedSessions:
    """This session's share of a user folder other Blender sessions may use too: its job locks, the jobs the
    others run, and the housekeeping thread that looks after both."""

    def __init__(self, book: JobBook, locks: JobLocks | None, start: Callable[[str, Provider], None]) -> None:
        """``locks``: this session's job locks (None: alone with its journal, as in most tests). ``start``: how
        a job taken over from a session that let go of it is run here."""
        self.book = book
        self.locks = locks
        self.start = start
        self.provider_for: Callable[[str], Provider | None] | None = None
        """How a taken-over job gets its provider (set by the engine's ``resume``)."""
        self.foreign: set[str] = set()
        """Jobs another Blender session runs: shown, never touched here."""
        self._housekeeper: threading.Thread | None = None
        self._housekeeper_lock = threading.Lock()
        self._stop = threading.Event()
        book.on_written = self.release_ended
        book.on_write_failed = self.wake_housekeeper
        if locks is not None:  # lock files of jobs that ended long ago would otherwise pile up (one per job)
            threading.Thread(target=self._tidy_locks, daemon=True, name="meshsmith-tidy-locks").start()

    def _tidy_locks(self) -> None:
        """Delete the lock files of jobs that ended long ago (its own thread: a folder of lock files is read)."""
        store = self.book.store
        try:
            self.locks.prune(store.ended if store is not None else
                             lambda ids: {i for i in ids if (r := self.book.get(i)) is not None and ends_ownership(r)})
        except OSError as exc:
            log.info("could not tidy job locks: %s", exc)

    @property
    def session_id(self) -> str:
        return self.locks.session_id if self.locks is not None else ""

    def claim(self, job_id: str) -> bool:
        """Take the job's lock for this session (always true without locks)."""
        return self.locks is None or self.locks.acquire(job_id)

    def owns(self, job_id: str) -> bool:
        """Whether this session may change and import the job: it holds the job's lock, or can take it now.

        Taking it now is how a session adopts a READY job whose owner has gone; the job is read again from the store
        (by its key) under the lock, so a job another session imported meanwhile is seen as imported, never imported
        twice.
        """
        if self.locks is None or self.locks.holds(job_id):
            return True
        if not self.locks.acquire(job_id):
            self.mark_foreign(job_id)
            return False
        self.foreign.discard(job_id)
        store = self.book.store
        latest = store.latest(job_id) if store is not None else None
        if latest is not None and latest.updated_at >= self.book.require(job_id).updated_at:
            self.book.show(latest)
        return True

    def require_own(self, job_id: str) -> JobRecord:
        """The job, when this session may change it; ``InvalidInputError`` when another Blender runs it."""
        record = self.book.require(job_id)
        if self.locks is not None and not self.locks.holds(job_id) and (
                job_id in self.foreign or not self.owns(job_id)):
            raise E.InvalidInputError("This job is running in another Blender session; change it there.")
        return record

    def is_foreign(self, job_id: str) -> bool:
        """Whether another Blender session runs this job (as far as this one last looked)."""
        return job_id in self.foreign

    def mark_foreign(self, job_id: str) -> None:
        record = self.book.records.get(job_id)
        if job_id not in self.foreign and record is not None:
            self.foreign.add(job_id)
            self.book.show(elsewhere(record))
        self.wake_housekeeper()

    def release_ended(self, written: list[JobRecord]) -> None:
        """Let go of the jobs whose records on disk end this session's hold on them."""
        if self.locks is not None:
            for record in written:
                if ends_ownership(record):
                    self.locks.release(record.id)

    def wake_housekeeper(self) -> None:
        """Make sure the housekeeping thread runs while there is something to look after."""
        with self._housekeeper_lock:
            if self._stop.is_set() or self._housekeeper is not None:
                return
            self._housekeeper = threading.Thread(target=self._housekeep, daemon=True, name="meshsmith-housekeeping")
            self._housekeeper.start()

    def close(self) -> None:
        """Stop the housekeeping and let go of every job this session holds."""
        self._stop.set()
        if self.locks is not None:
            self.locks.release_all()

    def _housekeep(self) -> None:
        """Every few seconds: retry failed journal writes; look at jobs another session runs, take over orphans."""
        while True:
            if self._stop.wait(HOUSEKEEPING_INTERVAL_S):
                return
            if self.book.failed_writes:
                self.book.write_journal()
            if self.foreign:
                try:
                    self._look_at_foreign()
                except Exception:  # housekeeping must outlive one bad look
                    log.exception("looking at jobs of other sessions failed")
            with self._housekeeper_lock:
                if self._stop.is_set() or not (self.foreign or self.book.failed_writes):
                    self._housekeeper = None
                    return

    def _look_at_foreign(self) -> None:
        """Refresh jobs other sessions run from the store (each by its key); take over each one whose owner has let go."""
        foreign = list(self.foreign)
        on_disk = self.book.store.latest_many(foreign) if self.book.store is not None else {}
        records = self.book.records
        for job_id in foreign:
            if job_id not in records:
                self.foreign.discard(job_id)
                continue
            latest = on_disk.get(job_id) or records[job_id]
            if self.locks is None or self.locks.acquire(job_id):
                self.foreign.discard(job_id)
                self.book.show(latest)
                self._take_over(latest)
            elif latest.updated_at > records[job_id].updated_at or latest.state is not records[job_id].state:
                self.book.show(elsewhere(latest))

    def _take_over(self, record: JobRecord) -> None:
        """Carry on with a job whose owner let go of it: as a resume would (this session holds its lock now)."""
        if ends_ownership(record):
            self.locks.release(record.id) if self.locks is not None else None
        elif record.state is JobState.PENDING:
            self.book.set(record.id, state=JobState.CANCELED, finished_at=self.book.clock(),
                          message="Not sent: the Blender that made it closed first. Nothing was charged.")
        elif record.state.is_active or record.state is JobState.UNKNOWN:
            provider = self.provider_for(record.provider) if self.provider_for is not None else None
            if provider is None:
                self.book.set(record.id, message=f"Waiting for a {record.provider.title()} key to resume.")
            else:
                self.start(record.id, provider)


def ends_ownership(record: JobRecord) -> bool:
    """Whether a record ends the session's hold on its job (nothing more to run or import)."""
    return record.dismissed or record.state.is_finished or (record.state is JobState.UNKNOWN and record.finished_at is not None)


def elsewhere(record: JobRecord) -> JobRecord:
    """How this session shows a job another session runs (its own time kept, so newer lines still win)."""
    message = record.message if record.message.startswith(RUNNING_ELSEWHERE) else f"{RUNNING_ELSEWHERE}: {record.message}"
    return record.model_copy(update={"message": message[:160]})
