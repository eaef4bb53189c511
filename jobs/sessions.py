"""Several Blender sessions on one user folder: which session runs a job, and looking after the others' jobs.

A job belongs to the session that holds its lock (``ownership.JobLocks``). A job whose lock another session
holds is shown, refreshed from the journal every few seconds, and never changed, resumed or imported here;
it is taken over when its owner lets go of it (ends it, quits or crashes). The same housekeeping thread
retries journal writes that failed (a full disk). Changes the main thread makes (imports) are journaled by
a writer thread, so the main thread never waits for a lock or a disk sync.
"""

from __future__ import annotations

import logging
import queue
import threading
import time

from ..providers import errors as E
from .records import JobRecord, JobState

log = logging.getLogger("meshsmith.jobs")

# How often jobs running in another Blender are looked at again, and failed journal writes retried.
HOUSEKEEPING_INTERVAL_S = 2.0
RUNNING_ELSEWHERE = "Running in another Blender"


class SharedSessions:
    """The session-sharing half of ``JobEngine`` (a mixin: the engine owns the state these methods use)."""

    def owns(self, job_id: str) -> bool:
        """Whether this session may change and import the job: it holds the job's lock, or can take it now.

        Taking it now is how a session adopts a READY job whose owner has gone; the journal is read again
        under the lock, so a job another session imported meanwhile is seen as imported, never imported twice.
        """
        if self.locks is None or self.locks.holds(job_id):
            return True
        if not self.locks.acquire(job_id):
            self._mark_foreign(job_id)
            return False
        self._foreign.discard(job_id)
        latest = self.journal.latest(job_id) if self.journal is not None else None
        if latest is not None and latest.updated_at >= self._require(job_id).updated_at:
            self._show(latest)
        return True

    def _require_own(self, job_id: str) -> JobRecord:
        """The job, when this session may change it; ``InvalidInputError`` when another Blender runs it."""
        record = self._require(job_id)
        if self.locks is not None and not self.locks.holds(job_id) and (
                job_id in self._foreign or not self.owns(job_id)):
            raise E.InvalidInputError("This job is running in another Blender session; change it there.")
        return record

    @property
    def _session_id(self) -> str:
        return self.locks.session_id if self.locks is not None else ""

    def _claim(self, job_id: str) -> bool:
        return self.locks is None or self.locks.acquire(job_id)

    def is_foreign(self, job_id: str) -> bool:
        """Whether another Blender session runs this job (as far as this one last looked)."""
        return job_id in self._foreign

    def _change_from_main(self, job_id: str, **changes: object) -> None:
        """A change made on the main thread: seen at once (``get`` lays it over the record), journaled by the writer.

        Only plain dict and queue operations here (atomic under the GIL): the main thread never waits for the
        engine lock (a worker holding it may be paused) nor for a disk sync. The record itself is changed only
        by the writer, under the engine lock, on top of whatever another thread stored meanwhile (a preview
        render landing as the result is imported), so no change overwrites another.
        """
        changes.setdefault("updated_at", time.time())
        merged = {**self._overlay.get(job_id, {}), **changes}
        self._overlay[job_id] = merged
        self._from_main.put((job_id, merged))
        self._updates.put(self.get(job_id))

    def _write_main_changes(self) -> None:
        """The journal writer for the main thread's changes (its own thread): applied and journaled in order."""
        while not self._closed or not self._from_main.empty():
            try:
                job_id, changes = self._from_main.get(timeout=0.2)
            except queue.Empty:
                continue
            self._writing.set()
            try:
                with self._changing():
                    current = self._jobs.get(job_id)
                    if current is not None:
                        self._store(current.model_copy(update=changes))
                if self._overlay.get(job_id) is changes:  # not if the main thread has laid a newer change since
                    del self._overlay[job_id]
            except Exception:  # the writer must outlive one bad write; the housekeeper retries journal failures
                log.exception("journaling a change from the main thread failed")
            finally:
                self._writing.clear()

    def _show(self, record: JobRecord) -> None:
        """Show a snapshot that this session did not make (another session's): in memory and the list, never journaled."""
        self._jobs[record.id] = record
        self._updates.put(record)
        self._has_updates.set()

    def _mark_foreign(self, job_id: str) -> None:
        record = self._jobs.get(job_id)
        if job_id not in self._foreign and record is not None:
            self._foreign.add(job_id)
            self._show(_elsewhere(record))
        self._wake_housekeeper()

    def _wake_housekeeper(self) -> None:
        """Make sure the housekeeping thread runs while there is something to look after."""
        with self._unjournaled_lock:
            if self._closed or self._housekeeper is not None:
                return
            self._housekeeper = threading.Thread(target=self._housekeep, daemon=True, name="meshsmith-housekeeping")
            self._housekeeper.start()

    def _housekeep(self) -> None:
        """Every few seconds: retry failed journal writes; look at jobs another session runs, take over orphans."""
        while True:
            if self._housekeeping.wait(HOUSEKEEPING_INTERVAL_S):
                return
            if self._failed_writes:
                self._write_journal()
            if self._foreign:
                try:
                    self._look_at_foreign()
                except Exception:  # housekeeping must outlive one bad look
                    log.exception("looking at jobs of other sessions failed")
            with self._unjournaled_lock:
                if self._closed or not (self._foreign or self._failed_writes):
                    self._housekeeper = None
                    return

    def _look_at_foreign(self) -> None:
        """Refresh jobs other sessions run from the journal; take over each one whose owner has let go."""
        on_disk = self.journal.load() if self.journal is not None else {}
        for job_id in list(self._foreign):
            latest = on_disk.get(job_id) or self._jobs[job_id]
            if self.locks is None or self.locks.acquire(job_id):
                self._foreign.discard(job_id)
                self._show(latest)
                self._take_over(latest)
            elif latest.updated_at > self._jobs[job_id].updated_at or latest.state is not self._jobs[job_id].state:
                self._show(_elsewhere(latest))

    def _take_over(self, record: JobRecord) -> None:
        """Carry on with a job whose owner let go of it: as a resume would (this session holds its lock now)."""
        if _ends_ownership(record):
            self.locks.release(record.id) if self.locks is not None else None
        elif record.state is JobState.PENDING:
            self._set(record.id, state=JobState.CANCELED, finished_at=self._clock(),
                      message="Not sent: the Blender that made it closed first. Nothing was charged.")
        elif record.state.is_active or record.state is JobState.UNKNOWN:
            provider = self._provider_for(record.provider) if self._provider_for is not None else None
            if provider is None:
                self._set(record.id, message=f"Waiting for a {record.provider.title()} key to resume.")
            else:
                self._start(record.id, provider)


def _ends_ownership(record: JobRecord) -> bool:
    """Whether a snapshot ends the session's hold on its job (nothing more to run or import)."""
    return record.dismissed or record.state.is_finished or (record.state is JobState.UNKNOWN and record.finished_at is not None)


def _elsewhere(record: JobRecord) -> JobRecord:
    """How this session shows a job another session runs (its own time kept, so newer lines still win)."""
    message = record.message if record.message.startswith(RUNNING_ELSEWHERE) else f"{RUNNING_ELSEWHERE}: {record.message}"
    return record.model_copy(update={"message": message[:160]})
