"""The job engine: one worker thread per active job, a journal of every change, and a queue of updates.

This module holds the engine's state and its main-thread API; the worker threads' side is ``worker.py``
and the sharing of one user folder between Blender sessions is ``sessions.py``.

Threading rules (the worker side MUST NOT touch bpy or Blender data):
1. Workers never import or call ``bpy``; every path they need was resolved on the main thread and
   sits in the ``JobRecord``.
2. Workers change a job only through ``_commit``, which writes the new snapshot to the journal and
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
import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..providers import errors as E
from ..providers.base import Provider
from ..providers.log_redaction import install_log_redaction
from .journal import Journal
from .ownership import JobLocks
from .records import JobRecord, JobState
from .sessions import RUNNING_ELSEWHERE, SharedSessions, _ends_ownership
from .thumbnails import PreviewRenderer
from .worker import JobWorker, _Stop, estimated_progress, poll_interval

__all__ = ["RUNNING_ELSEWHERE", "JobEngine", "estimated_progress", "poll_interval"]

log = logging.getLogger("meshsmith.jobs")
install_log_redaction("meshsmith.jobs")


class JobEngine(JobWorker, SharedSessions):
    """Owns every job of this Blender session. Thread-safe; bpy-free."""

    def __init__(self, journal: Journal | None = None, *, clock: Callable[[], float] = time.time,
                 preview_script: Path | None = None, blender_binary: str = "", locks: JobLocks | None = None,
                 bake_script: Path | None = None) -> None:
        """``preview_script``: the Blender script that renders previews for jobs that ask for one
        (``JobRecord.render_preview``); None renders none. ``blender_binary``: the Blender to run it in.
        ``locks``: this session's job locks (None: this engine is alone with its journal, as in most tests)."""
        self.journal = journal
        self.locks = locks
        self.bake_script = bake_script
        """The Blender script that bakes results onto the artist's object (``Delivery.BAKE_ONTO_TARGET``)."""
        self.blender_binary = blender_binary
        self._foreign: set[str] = set()
        """Jobs another Blender session runs: shown, never touched here."""
        self._failed_writes: dict[str, JobRecord] = {}
        """The latest unjournaled snapshot of each job whose journal write failed, in order, for the retry."""
        self.journal_error = ""
        """Why the journal cannot be written ('' when every change is on disk)."""
        self._provider_for: Callable[[str], Provider | None] | None = None
        self._housekeeper: threading.Thread | None = None
        self._housekeeping = threading.Event()
        self._from_main: queue.SimpleQueue[tuple[str, dict]] = queue.SimpleQueue()
        """Changes the main thread made (imports), applied and journaled by ``_writer`` so that it never waits."""
        self._overlay: dict[str, dict] = {}
        """Those changes, laid over the records until the writer has applied them (what ``get`` shows)."""
        self._writing = threading.Event()  # set while the writer holds a change it has not journaled yet
        self._clock = clock
        self._previews = (PreviewRenderer(preview_script, self._preview_rendered, blender_binary=blender_binary)
                          if preview_script is not None else None)
        self._lock = threading.RLock()
        self._jobs: dict[str, JobRecord] = {}
        self._cancel: dict[str, threading.Event] = {}
        self._threads: dict[str, threading.Thread] = {}
        self._updates: queue.SimpleQueue[JobRecord] = queue.SimpleQueue()
        self._has_updates = threading.Event()
        self._unjournaled: list[JobRecord] = []
        self._unjournaled_lock = threading.Lock()  # a leaf: nothing else is taken while it is held
        self._journal_lock = threading.Lock()
        self._closed = False
        if journal is not None:
            self._jobs.update(journal.load())
        self._writer = threading.Thread(target=self._write_main_changes, daemon=True, name="meshsmith-journal-writer")
        self._writer.start()
        if locks is not None:  # lock files of jobs that ended long ago would otherwise pile up (one per job)
            try:
                locks.prune({job_id for job_id, record in self._jobs.items() if _ends_ownership(record)})
            except OSError as exc:
                log.info("could not tidy job locks: %s", exc)

    # --- main-thread API -----------------------------------------------------------------------------
    # Reads take no lock: records are immutable and each read below is one C-level dict operation,
    # atomic under the GIL. A main thread that waited on the engine lock could wait for a worker that
    # Python's scheduler has just paused, for a whole switch interval (5 ms): a dropped frame.
    def jobs(self) -> list[JobRecord]:
        """All known jobs, oldest first."""
        if not self._overlay:
            return list(self._jobs.values())
        return [record for record in map(self.get, list(self._jobs)) if record is not None]

    def get(self, job_id: str) -> JobRecord | None:
        """The job as this session sees it now, the main thread's changes not yet journaled included."""
        changes = self._overlay.get(job_id)  # read before the record: the writer stores, then drops the overlay
        record = self._jobs.get(job_id)
        if changes is None or record is None:
            return record
        return record.model_copy(update=changes)

    def submit(self, record: JobRecord, provider: Provider) -> JobRecord:
        """Journal a new job and start its worker. Returns the journaled snapshot."""
        if not self._claim(record.id):
            raise E.InvalidInputError("Another Blender session holds this job.")
        with self._changing():
            if record.id in self._jobs:
                raise ValueError(f"job {record.id} exists already")
            record = record.evolve(state=JobState.PENDING, message="Preparing", owner=self._session_id)
            self._store(record)
        self._start(record.id, provider)
        return record

    def adopt(self, record: JobRecord, provider: Provider) -> JobRecord | None:
        """Take in a job created elsewhere (another machine, the service's website, before a lost journal).

        The record must carry its ``remote_id``; nothing is sent to create anything. Returns None when
        that remote job is already known here.
        """
        if not record.remote_id:
            raise ValueError("an adopted job needs its remote id")
        if not self._claim(record.id):
            return None
        with self._changing():
            if any(r.provider == record.provider and r.remote_id == record.remote_id for r in self._jobs.values()):
                return None
            record = record.evolve(state=JobState.QUEUED, message="Fetching from the service", owner=self._session_id)
            self._store(record)
        self._start(record.id, provider)
        return record

    def resume(self, provider_for: Callable[[str], Provider | None]) -> list[JobRecord]:
        """Re-attach every unfinished job from the journal (after a restart or file load).

        Jobs never sent are closed as not sent (nothing was charged); jobs whose creating answer
        was lost are looked up, never resent. Returns the jobs that were re-attached.
        """
        self._provider_for = provider_for
        resumed = []
        for record in self.jobs():
            if record.id in self._threads and self._threads[record.id].is_alive():
                continue
            if not (record.state.is_active or record.state in (JobState.UNKNOWN, JobState.READY)) or record.dismissed:
                continue
            if not self._claim(record.id):
                self._mark_foreign(record.id)
                continue
            if record.state is JobState.READY:
                continue  # held for this session's import; nothing to run
            if record.state is JobState.PENDING:
                self._set(record.id, state=JobState.CANCELED, message="Not sent: Blender closed first. Nothing was charged.",
                          finished_at=self._clock())
                continue
            if record.state.is_active or record.state is JobState.UNKNOWN:
                provider = provider_for(record.provider)
                if provider is None:
                    self._set(record.id, message=f"Waiting for a {record.provider.title()} key to resume.")
                    continue
                self._start(record.id, provider)
                resumed.append(record)
        return resumed

    def retry_fetch(self, job_id: str, provider: Provider) -> None:
        """Poll again a job that failed here (network, deadline) but may have finished remotely."""
        record = self._require_own(job_id)
        if not record.remote_id:
            raise E.InvalidInputError("This job was never accepted by the service; there is nothing to fetch.")
        self._set(job_id, state=JobState.QUEUED, error="", recoverable=False, message="Checking again", finished_at=None)
        self._start(job_id, provider)

    def rerun(self, job_id: str, provider: Provider, *, seed: int | None = None) -> JobRecord:
        """Send a job's inputs and parameters again as a new job: the same seed (Regenerate) or another
        (Variations: ``seed=-1`` picks a new random one). The old job stays as it is."""
        old = self._require(job_id)
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
        self._require_own(job_id)
        fresh = self.rerun(job_id, provider)
        self.dismiss(job_id)
        return fresh

    def cancel(self, job_id: str, provider: Provider | None = None) -> None:
        """Stop a job now. The service is asked to cancel too, best effort, in the background."""
        record = self._require_own(job_id)
        if not record.state.is_active and record.state is not JobState.UNKNOWN:
            return
        event = self._cancel.get(job_id)
        if event is not None:
            event.set()
        note = "Canceled." if not record.remote_id else "Canceled here; the service may still bill a job it had started."
        self._set(job_id, state=JobState.CANCELED, message=note, finished_at=self._clock())
        if provider is not None and record.remote_id:
            threading.Thread(target=self._cancel_remote, args=(provider, record.remote_id), daemon=True,
                             name=f"meshsmith-cancel-{job_id[:8]}").start()

    def mark_imported(self, job_id: str, object_names: list[str]) -> None:
        """The main thread imported the job (no lock taken, no disk sync waited for: the writer journals it)."""
        self._require_own(job_id)
        self._change_from_main(job_id, state=JobState.IMPORTED, imported_objects=object_names, progress=1.0,
                               message="Imported", finished_at=self._clock())

    def mark_import_failed(self, job_id: str, error: E.MeshsmithError) -> None:
        """The files are fine but Blender could not import them: keep READY so Import can be tried again."""
        self._change_from_main(job_id, state=JobState.READY, error=str(error), fix=error.fix.value,
                               message="Import failed")

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until the main thread's changes are journaled (tests, shutdown). True when they are."""
        deadline = time.monotonic() + timeout
        while (not self._from_main.empty() or self._writing.is_set()) and time.monotonic() < deadline:
            self._housekeeping.wait(0.01)
        return self._from_main.empty() and not self._writing.is_set()

    def dismiss(self, job_id: str) -> None:
        """Hide a job from the list (it stays in the journal as history); an active job is canceled first."""
        record = self._require_own(job_id)
        if record.state.is_active:
            self.cancel(job_id)
        self._set(job_id, dismissed=True)

    def drain(self) -> list[JobRecord]:
        """Take every queued update (main thread). Returns the latest snapshot of each changed job."""
        latest: dict[str, JobRecord] = {}
        # No lock is taken here, not even the wake-up event's: a worker that Python pauses while it holds
        # that lock would make this tick wait for it, up to a switch interval (5 ms). ``wait_for_updates``
        # clears the event instead.
        while True:
            try:
                record = self._updates.get_nowait()
            except queue.Empty:
                break
            latest[record.id] = record
        return list(latest.values())

    def wait_for_updates(self, timeout: float) -> bool:
        """Block until an update is queued or ``timeout`` passes (background mode, tests).

        Returns at once while updates wait in the queue: a waiting loop takes them with ``drain()``.
        """
        if not self._updates.empty():
            return True
        self._has_updates.clear()
        if not self._updates.empty():  # queued between the first look and the clear: its set() came before
            return True
        return self._has_updates.wait(timeout)

    def has_active_jobs(self) -> bool:
        return any(record.state.is_active for record in tuple(self._jobs.values()))  # a snapshot: no lock

    def shutdown(self, timeout: float = 2.0) -> None:
        """Stop every worker (unregister, tests). Jobs stay as journaled, so a later engine resumes them."""
        self.flush(timeout)
        self._closed = True
        self._housekeeping.set()
        for event in list(self._cancel.values()):
            event.set()
        if self._previews is not None:
            self._previews.close()
        deadline = time.monotonic() + timeout
        for thread in list(self._threads.values()):
            thread.join(max(0.0, deadline - time.monotonic()))
        self._write_journal()  # a last try for writes that failed
        if self.locks is not None:
            self.locks.release_all()

    # --- internals -----------------------------------------------------------------------------------------
    def _require(self, job_id: str) -> JobRecord:
        record = self.get(job_id)
        if record is None:
            raise KeyError(job_id)
        return record

    @contextmanager
    def _changing(self) -> Iterator[None]:
        """Hold the engine lock while a change is made; journal it after letting the lock go, before returning.

        Every change goes through here, so a change is on disk when the call that made it returns (the
        SUBMITTING line before the creating request leaves). The disk sync happens outside the engine
        lock so that no other thread waits on a disk while it wants a record.
        """
        try:
            with self._lock:
                yield
        finally:
            self._write_journal()

    def _store(self, record: JobRecord) -> None:
        """Keep a snapshot and queue it for the journal and the main thread (caller is inside ``_changing``)."""
        self._jobs[record.id] = record
        with self._unjournaled_lock:
            self._unjournaled.append(record)

    def _write_journal(self) -> None:
        """Write every queued snapshot, in order, with one sync, then hand them to the main thread.

        Whoever holds the journal lock writes what is queued then; a thread that finds its line already
        taken knows it is on disk, because the writer that took it synced before letting the lock go.
        The main thread hears of a change only once it is on disk, in the order the changes were made.
        """
        with self._journal_lock:
            with self._unjournaled_lock:
                pending, self._unjournaled = self._unjournaled, []
            if not pending and not self._failed_writes:
                return
            written = self._journal_write(pending)
            for record in pending:
                self._updates.put(record)
            if pending:
                self._has_updates.set()
        if self.locks is not None:
            for record in written:
                if _ends_ownership(record):
                    self.locks.release(record.id)

    def _journal_write(self, pending: list[JobRecord]) -> list[JobRecord]:
        """Append ``pending`` after any earlier failed writes (caller holds the journal lock).

        Returns the snapshots now on disk. A failure keeps the latest snapshot of each job for the next
        try and says so in ``journal_error``; the in-memory state and the interface go on regardless.
        """
        if self.journal is None:
            return pending
        backlog = dict(self._failed_writes)
        for record in pending:
            backlog.pop(record.id, None)
            backlog[record.id] = record
        records = list(backlog.values())
        try:
            self.journal.append_many(records)
        except OSError as exc:
            self._failed_writes = backlog
            self.journal_error = (f"Meshsmith cannot write its job record ({exc.strerror or exc}). Free some disk space; "
                                  "results are not imported by themselves until it can.")
            log.error("journal write failed: %s", exc)
            self._wake_housekeeper()
            return []
        self._failed_writes = {}
        if self.journal_error:
            self.journal_error = ""
            for record in records:  # tell the main thread the warning is over
                self._updates.put(record)
        try:
            if self.journal.needs_compaction(len(self._jobs)):
                self.journal.compact()
        except OSError as exc:
            log.warning("journal compaction failed: %s", exc)
        return records

    def _set(self, job_id: str, **changes: object) -> JobRecord:
        with self._changing():
            record = self._jobs[job_id].evolve(**changes)
            self._store(record)
        return record

    def _commit(self, job_id: str, event: threading.Event, **changes: object) -> JobRecord:
        """A worker's change. Dropped (and the worker stopped through ``_Stop``) once the job has been canceled."""
        with self._changing():
            if event.is_set() or self._jobs[job_id].state is JobState.CANCELED:
                raise _Stop()
            record = self._jobs[job_id].evolve(**changes)
            self._store(record)
        return record

    def _start(self, job_id: str, provider: Provider) -> None:
        if self._closed:
            return
        if not self._claim(job_id):
            self._mark_foreign(job_id)
            return
        if self._session_id and self._jobs[job_id].owner != self._session_id:
            self._set(job_id, owner=self._session_id)
        event = threading.Event()
        self._cancel[job_id] = event
        thread = threading.Thread(target=self._work, args=(job_id, provider, event), daemon=True,
                                  name=f"meshsmith-job-{job_id[:8]}")
        self._threads[job_id] = thread
        thread.start()

    # --- the worker ------------------------------------------------------------------------------------------
