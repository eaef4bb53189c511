"""The job engine: one worker thread per active job, a journal of every change, and a queue of updates.

The engine is made of three parts it owns, each with its own module and a small public interface:
``book.JobBook`` (the working set of records, the store that keeps them, the updates for the main thread), ``worker.JobWorker`` (what a job's
thread does) and ``sessions.SharedSessions`` (job locks, other Blenders' jobs, housekeeping). This module holds the
main-thread API and the threads.

Threading rules (the worker side MUST NOT touch bpy or Blender data):
1. Workers never import or call ``bpy``; every path they need was resolved on the main thread and
   sits in the ``JobRecord``.
2. Workers change a job only through ``JobBook.commit``, which writes the new snapshot to the journal and
   puts it on the update queue. The main thread learns of changes only by ``drain()``ing that queue
   of immutable snapshots.
3. Cancel is a ``threading.Event`` per job; workers wait on it (``event.wait(interval)``), never
   ``time.sleep``. ``cancel()`` marks the job CANCELED at once, and anything its worker reports
   afterwards is ignored.
4. The main thread is the only writer of Blender data: importing a READY job happens there, after
   which it calls ``mark_imported``.

A job belongs to the session that runs it (``ownership.JobLocks``): a job whose lock another Blender
session holds is shown, refreshed from the journal now and then, and never changed, resumed or imported
here; it is taken over only when its owner has let go of it (ended, quit or crashed).

A journal write that fails (disk full) is kept and retried with every later write and every few
seconds; until it succeeds ``journal_error`` says so, and results are not imported by themselves.

A creating request is sent at most once per job, ever: the job is journaled as SUBMITTING before the
request leaves, and a job found SUBMITTING without a remote id after a restart, or whose answer was
lost, becomes UNKNOWN and is looked up, never resent, unless the artist explicitly submits again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from ..net import errors as E
from ..net.log_redaction import install_log_redaction
from ..providers.base import Provider
from .book import JobBook
from .ownership import JobLocks
from .pacing import estimated_progress, poll_interval
from .records import JobRecord, JobState
from .sessions import RUNNING_ELSEWHERE, SharedSessions
from .store import JobQuery, JobStore
from .thumbnails import PreviewRenderer
from .worker import JobWorker

__all__ = ["RUNNING_ELSEWHERE", "JobEngine", "estimated_progress", "poll_interval"]

log = logging.getLogger("meshsmith.jobs")
install_log_redaction("meshsmith.jobs")


class JobEngine:
    """Owns every job of this Blender session. Thread-safe; bpy-free."""

    def __init__(self, store: JobStore | None = None, *, clock: Callable[[], float] = time.time,
                 preview_script: Path | None = None, blender_binary: str = "", locks: JobLocks | None = None,
                 bake_script: Path | None = None) -> None:
        """``preview_script``: the Blender script that renders previews for jobs that ask for one
        (``JobRecord.render_preview``); None renders none. ``blender_binary``: the Blender to run it in.
        ``locks``: this session's job locks (None: this engine is alone with its store, as in most tests)."""
        self.book = JobBook(store, clock=clock)
        self.worker = JobWorker(self.book, bake_script=bake_script, blender_binary=blender_binary)
        if preview_script is not None:
            self.worker.previews = PreviewRenderer(preview_script, self.worker.preview_rendered,
                                                   blender_binary=blender_binary)
        self.sessions = SharedSessions(self.book, locks, self._start)
        self._cancel: dict[str, threading.Event] = {}
        self._threads: dict[str, threading.Thread] = {}

    @property
    def store(self) -> JobStore | None:
        return self.book.store

    @property
    def locks(self) -> JobLocks | None:
        return self.sessions.locks

    @property
    def journal_error(self) -> str:
        """Why the journal cannot be written ('' when every change is on disk)."""
        return self.book.journal_error

    # --- main-thread API -----------------------------------------------------------------------------
    def jobs(self) -> list[JobRecord]:
        """The working set, oldest first: every unfinished job and the newest others (no lock taken: see ``JobBook``)."""
        return self.book.all()

    def find(self, query: JobQuery, *, count_up_to: int | None = None) -> tuple[list[JobRecord], int]:
        """A page of the jobs ``query`` matches, newest first, as this session sees them, and how many match in all
        (at most ``count_up_to``, when given).

        Read from the store through its indexes (the whole history, not only the working set); a job of the working
        set is shown as it is in memory (a change not stored yet included)."""
        if self.store is None:
            return self._find_in_memory(query, count_up_to)
        found = self.store.find(query)
        records = [self.book.get(r.id) if r.id in self.book.records else r for r in found]
        return records, self.store.count(query, up_to=count_up_to)

    def _find_in_memory(self, query: JobQuery, count_up_to: int | None) -> tuple[list[JobRecord], int]:
        matching = [record for record in reversed(self.jobs()) if query.matches(record)]
        if query.order != "newest":
            matching.reverse()
        return matching[query.offset:query.offset + query.limit], min(len(matching), count_up_to or len(matching))

    def get(self, job_id: str) -> JobRecord | None:
        """The job as this session sees it now, the main thread's changes not yet journaled included."""
        return self.book.get(job_id)

    def owns(self, job_id: str) -> bool:
        """Whether this session may change and import the job (see ``SharedSessions.owns``)."""
        return self.sessions.owns(job_id)

    def is_foreign(self, job_id: str) -> bool:
        """Whether another Blender session runs this job (as far as this one last looked)."""
        return self.sessions.is_foreign(job_id)

    def submit(self, record: JobRecord, provider: Provider) -> JobRecord:
        """Journal a new job and start its worker. Returns the journaled snapshot."""
        if not self.sessions.claim(record.id):
            raise E.InvalidInputError("Another Blender session holds this job.")
        with self.book.changing():
            if record.id in self.book.records:
                raise ValueError(f"job {record.id} exists already")
            record = record.evolve(state=JobState.PENDING, message="Preparing", owner=self.sessions.session_id)
            self.book.keep(record)
        self._start(record.id, provider)
        return record

    def adopt(self, record: JobRecord, provider: Provider) -> JobRecord | None:
        """Take in a job created elsewhere (another machine, the service's website, before a lost journal).

        The record must carry its ``remote_id``; nothing is sent to create anything. Returns None when
        that remote job is already known here.
        """
        if not record.remote_id:
            raise ValueError("an adopted job needs its remote id")
        if not self.sessions.claim(record.id):
            return None
        with self.book.changing():
            if (self.store is not None and self.store.find_remote(record.provider, record.remote_id) is not None) or any(
                    r.provider == record.provider and r.remote_id == record.remote_id for r in self.book.records.values()):
                return None
            record = record.evolve(state=JobState.QUEUED, message="Fetching from the service",
                                   owner=self.sessions.session_id)
            self.book.keep(record)
        self._start(record.id, provider)
        return record

    def resume(self, provider_for: Callable[[str], Provider | None]) -> list[JobRecord]:
        """Re-attach every unfinished job from the journal (after a restart or file load).

        Jobs never sent are closed as not sent (nothing was charged); jobs whose creating answer
        was lost are looked up, never resent. Returns the jobs that were re-attached.
        """
        self.sessions.provider_for = provider_for
        resumed = []
        for record in self.jobs():
            if record.id in self._threads and self._threads[record.id].is_alive():
                continue
            if not (record.state.is_active or record.state in (JobState.UNKNOWN, JobState.READY)) or record.dismissed:
                continue
            if not self.sessions.claim(record.id):
                self.sessions.mark_foreign(record.id)
                continue
            if record.state is JobState.READY:
                continue  # held for this session's import; nothing to run
            if record.state is JobState.PENDING:
                self.book.set(record.id, state=JobState.CANCELED,
                              message="Not sent: Blender closed first. Nothing was charged.", finished_at=self.book.clock())
                continue
            provider = provider_for(record.provider)
            if provider is None:
                self.book.set(record.id, message=f"Waiting for a {record.provider.title()} key to resume.")
                continue
            self._start(record.id, provider)
            resumed.append(record)
        return resumed

    def retry_fetch(self, job_id: str, provider: Provider) -> None:
        """Poll again a job that failed here (network, deadline) but may have finished remotely."""
        record = self.sessions.require_own(job_id)
        if not record.remote_id:
            raise E.InvalidInputError("This job was never accepted by the service; there is nothing to fetch.")
        self.book.set(job_id, state=JobState.QUEUED, error="", recoverable=False, message="Checking again", finished_at=None)
        self._start(job_id, provider)

    def rerun(self, job_id: str, provider: Provider, *, seed: int | None = None) -> JobRecord:
        """Send a job's inputs and parameters again as a new job: the same seed (Regenerate) or another
        (Variations: ``seed=-1`` picks a new random one). The old job stays as it is."""
        old = self.book.require(job_id)
        params = dict(old.params)
        if seed is not None and "seed" in params:
            params["seed"] = seed
        fresh = JobRecord(provider=old.provider, kind=old.kind, label=old.label, params=params, inputs=old.inputs,
                          delivery=old.delivery, target_uid=old.target_uid, target_file=old.target_file,
                          target_object=old.target_object, auto_import=old.auto_import,
                          render_preview=old.render_preview)
        fresh = fresh.evolve(output_dir=str(Path(old.output_dir).parent / fresh.id))
        return self.submit(fresh, provider)

    def submit_again(self, job_id: str, provider: Provider) -> JobRecord:
        """The artist's explicit choice to send an UNKNOWN or failed job again, as a new job (may be billed)."""
        self.sessions.require_own(job_id)
        fresh = self.rerun(job_id, provider)
        self.dismiss(job_id)
        return fresh

    def cancel(self, job_id: str, provider: Provider | None = None) -> None:
        """Stop a job now. The service is asked to cancel too, best effort, in the background."""
        record = self.sessions.require_own(job_id)
        if not record.state.is_active and record.state is not JobState.UNKNOWN:
            return
        event = self._cancel.get(job_id)
        if event is not None:
            event.set()
        note = "Canceled." if not record.remote_id else "Canceled here; the service may still bill a job it had started."
        self.book.set(job_id, state=JobState.CANCELED, message=note, finished_at=self.book.clock())
        if provider is not None and record.remote_id:
            threading.Thread(target=self.worker.cancel_remote, args=(provider, record.remote_id), daemon=True,
                             name=f"meshsmith-cancel-{job_id[:8]}").start()

    def mark_imported(self, job_id: str, object_names: list[str]) -> None:
        """The main thread imported the job (no lock taken, no disk sync waited for: the writer journals it)."""
        self.sessions.require_own(job_id)
        self.book.change_from_main(job_id, state=JobState.IMPORTED, imported_objects=object_names, progress=1.0,
                               message="Imported", finished_at=self.book.clock())

    def mark_import_failed(self, job_id: str, error: E.MeshsmithError) -> None:
        """The files are fine but Blender could not import them: keep READY so Import can be tried again."""
        self.book.change_from_main(job_id, state=JobState.READY, error=str(error), fix=error.fix.value,
                               message="Import failed")

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until the main thread's changes are journaled (tests, shutdown). True when they are."""
        return self.book.flush(timeout)

    def dismiss(self, job_id: str) -> None:
        """Hide a job from the list (it stays in the journal as history); an active job is canceled first."""
        record = self.sessions.require_own(job_id)
        if record.state.is_active:
            self.cancel(job_id)
            self.book.set(job_id, dismissed=True)
        else:  # the common case, from the job list: no lock waited for, no disk sync on the main thread
            self.book.change_from_main(job_id, dismissed=True)

    def drain(self) -> list[JobRecord]:
        """Take every queued update (main thread). Returns the latest snapshot of each changed job."""
        return self.book.drain()

    def wait_for_updates(self, timeout: float) -> bool:
        """Block until an update is queued or ``timeout`` passes (background mode, tests)."""
        return self.book.wait_for_updates(timeout)

    def has_active_jobs(self) -> bool:
        return any(record.state.is_active for record in tuple(self.book.records.values()))  # a snapshot: no lock

    def shutdown(self, timeout: float = 2.0) -> None:
        """Stop every worker (unregister, tests). Jobs stay as journaled, so a later engine resumes them."""
        self.book.flush(timeout)
        self.book.closed = True
        for event in list(self._cancel.values()):
            event.set()
        if self.worker.previews is not None:
            self.worker.previews.close()
        deadline = time.monotonic() + timeout
        for thread in list(self._threads.values()):
            thread.join(max(0.0, deadline - time.monotonic()))
        self.book.write_journal()  # a last try for writes that failed
        self.sessions.close()
        if self.store is not None:
            self.store.close()

    # --- threads ---------------------------------------------------------------------------------------------
    def _start(self, job_id: str, provider: Provider) -> None:
        if self.book.closed:
            return
        if not self.sessions.claim(job_id):
            self.sessions.mark_foreign(job_id)
            return
        if self.sessions.session_id and self.book.records[job_id].owner != self.sessions.session_id:
            self.book.set(job_id, owner=self.sessions.session_id)
        event = threading.Event()
        self._cancel[job_id] = event
        thread = threading.Thread(target=self.worker.work, args=(job_id, provider, event), daemon=True,
                                  name=f"meshsmith-job-{job_id[:8]}")
        self._threads[job_id] = thread
        thread.start()
