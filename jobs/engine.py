"""The job engine: one worker thread per active job, a journal of every change, and a queue of updates.

Threading rules (the worker side of this module MUST NOT touch bpy or Blender data):
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
import os
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..providers import errors as E
from ..providers.base import Provider
from ..providers.files import safe_filename
from ..providers.gltf_guard import check_model_file
from ..providers.log_redaction import install_log_redaction
from ..providers.models import AssetRef, AssetRole, JobStatus, RemoteJob
from .journal import Journal
from .ownership import JobLocks
from .records import JobRecord, JobState
from .thumbnails import PreviewRenderer, write_thumbnail

log = logging.getLogger("meshsmith.jobs")
install_log_redaction("meshsmith.jobs")

# Polls slow down as a job ages: quick feedback for short jobs, few requests for long ones.
POLL_SCHEDULE = ((60.0, 1.0), (300.0, 2.0), (float("inf"), 4.0))
# A job whose status could not be read for this long (the HTTP layer already retried each poll)
# stops and says so, rather than spinning silently; it keeps its remote id and can be resumed.
STALL_LIMIT_S = 5 * 60.0
# A garbled status answer (a proxy hiccup) is tolerated this many times in a row before the job fails.
MAX_BAD_ANSWERS = 3
# A 429 on the creating request proves the service made nothing: it is sent again after the wait the answer
# asks for (capped), this many times, so a batch of fifty images does not fail on a busy minute.
CREATE_RATE_LIMIT_RETRIES = 5
CREATE_RETRY_CAP_S = 60.0
# A job whose creating answer was lost is looked for in the service's job list for this long (a new job may
# take a moment to be listed), every so many seconds, before Meshsmith says it was not found.
RECONCILE_WINDOW_S = 90.0
RECONCILE_STEP_S = 10.0
# How often jobs running in another Blender are looked at again, and failed journal writes retried.
HOUSEKEEPING_INTERVAL_S = 2.0
RUNNING_ELSEWHERE = "Running in another Blender"

_REMOTE_TO_LOCAL = {
    JobStatus.QUEUED: JobState.QUEUED,
    JobStatus.RUNNING: JobState.RUNNING,
}


WORKER_NICENESS = 5
"""How much lower than Blender's own threads a worker asks the OS to run (Linux; elsewhere nothing changes)."""


def lower_thread_priority() -> None:
    """Let the calling thread yield the CPU to Blender's main thread when both want it.

    On Linux a thread has its own nice value, so this touches only the worker; when the machine's cores
    are busy, the artist's interface is scheduled first and a job only waits a little longer.
    """
    if sys.platform.startswith("linux"):
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(),
                           os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) + WORKER_NICENESS)
        except OSError:
            pass


def poll_interval(base: float, elapsed: float) -> float:
    """Seconds until the next status poll for a job that has run ``elapsed`` seconds."""
    for limit, factor in POLL_SCHEDULE:
        if elapsed < limit:
            return base * factor
    return base * POLL_SCHEDULE[-1][1]


def estimated_progress(elapsed: float, typical: float) -> float:
    """A progress fraction from elapsed time when the service reports none: approaches 0.95, never 1."""
    if typical <= 0:
        return 0.0
    return min(0.95, 0.95 * (1.0 - pow(2.0, -elapsed / typical * 1.5)))


class JobEngine:
    """Owns every job of this Blender session. Thread-safe; bpy-free."""

    def __init__(self, journal: Journal | None = None, *, clock: Callable[[], float] = time.time,
                 preview_script: Path | None = None, blender_binary: str = "", locks: JobLocks | None = None) -> None:
        """``preview_script``: the Blender script that renders previews for jobs that ask for one
        (``JobRecord.render_preview``); None renders none. ``blender_binary``: the Blender to run it in.
        ``locks``: this session's job locks (None: this engine is alone with its journal, as in most tests)."""
        self.journal = journal
        self.locks = locks
        self._foreign: set[str] = set()
        """Jobs another Blender session runs: shown, never touched here."""
        self._failed_writes: dict[str, JobRecord] = {}
        """The latest unjournaled snapshot of each job whose journal write failed, in order, for the retry."""
        self.journal_error = ""
        """Why the journal cannot be written ('' when every change is on disk)."""
        self._provider_for: Callable[[str], Provider | None] | None = None
        self._housekeeper: threading.Thread | None = None
        self._housekeeping = threading.Event()
        self._from_main: queue.SimpleQueue[JobRecord] = queue.SimpleQueue()
        """Changes the main thread made (imports), journaled by ``_writer`` so that the main thread never waits."""
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

    # --- main-thread API -----------------------------------------------------------------------------
    # Reads take no lock: records are immutable and each read below is one C-level dict operation,
    # atomic under the GIL. A main thread that waited on the engine lock could wait for a worker that
    # Python's scheduler has just paused, for a whole switch interval (5 ms): a dropped frame.
    def jobs(self) -> list[JobRecord]:
        """All known jobs, oldest first."""
        return list(self._jobs.values())

    def get(self, job_id: str) -> JobRecord | None:
        return self._jobs.get(job_id)

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

    def _change_from_main(self, job_id: str, **changes: object) -> None:
        """A change made on the main thread: in memory and on the job list at once, journaled by the writer thread.

        Only plain dict and queue operations here (atomic under the GIL): the main thread never waits for the
        engine lock (a worker holding it may be paused) nor for a disk sync.
        """
        record = self._jobs[job_id].evolve(**changes)
        self._jobs[job_id] = record
        self._from_main.put(record)
        self._updates.put(record)

    def _write_main_changes(self) -> None:
        """The journal writer for the main thread's changes (its own thread): journaled in the order made."""
        while not self._closed or not self._from_main.empty():
            try:
                record = self._from_main.get(timeout=0.2)
            except queue.Empty:
                continue
            self._writing.set()
            try:
                with self._changing():
                    self._store(self._jobs.get(record.id) or record)
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

    def _cancel_remote(self, provider: Provider, remote_id: str) -> None:
        try:
            provider.cancel(remote_id)
        except E.MeshsmithError as exc:
            log.info("remote cancel refused: %s", exc)

    # --- the worker ------------------------------------------------------------------------------------------
    def _work(self, job_id: str, provider: Provider, event: threading.Event) -> None:
        """Run one job to READY (or a terminal state). Runs in a worker thread: no bpy here."""
        lower_thread_priority()
        try:
            record = self._require(job_id)
            if not record.remote_id:
                if record.state in (JobState.SUBMITTING, JobState.UNKNOWN):
                    remote = self._reconcile(job_id, provider, event)
                else:
                    try:
                        remote = self._submit(job_id, provider, event)
                    except E.SubmissionUnknownError as exc:
                        # Never resend: look the job up on the service instead, right away.
                        self._commit(job_id, event, state=JobState.UNKNOWN, error=str(exc), message="Answer lost")
                        remote = self._reconcile(job_id, provider, event)
                if remote is None:
                    return
            elif record.state is JobState.DOWNLOADING and record.downloads:
                # The service said it was done before the restart: fetch the files from the addresses it gave.
                remote = RemoteJob(remote_id=record.remote_id, status=JobStatus.SUCCEEDED, assets=tuple(
                    AssetRef(role=AssetRole(item["role"]), filename=item["filename"], url=item["url"])
                    for item in record.downloads))
            else:
                remote = self._poll(job_id, provider, event, first=None)
            if remote.status is not JobStatus.SUCCEEDED:
                remote = self._poll(job_id, provider, event, first=remote)
            self._download(job_id, provider, event, remote)
        except _Stop:
            pass
        except E.MeshsmithError as exc:
            self._fail(job_id, event, exc)
        except Exception as exc:  # A bug must still end the job visibly, never hang it.
            log.exception("job %s crashed", job_id)
            self._fail(job_id, event, E.MeshsmithError(f"Internal error: {type(exc).__name__}: {exc}"))

    def _submit(self, job_id: str, provider: Provider, event: threading.Event) -> RemoteJob:
        record = self._require(job_id)
        request = provider.prepare(record.params, record.inputs)
        seed = getattr(request, "seed", None)  # made concrete by prepare() when the artist asked for a random one
        try:
            request = provider.stage(request, event)  # uploads: free, retried, never a job that "may exist"
        except E.TransportError as exc:
            raise E.TransportError(f"Could not upload the inputs to {provider.label} ({exc}). Nothing was created "
                                   "or billed; Submit Again is safe.") from None
        # Journaled before the request leaves: a crash from here on is reconciled, never resent.
        self._commit(job_id, event, state=JobState.SUBMITTING, message=f"Sending to {provider.label}",
                     params={**record.params, **({"seed": seed} if seed is not None else {})},
                     seed=seed if isinstance(seed, int) else record.seed, submitted_at=self._clock())

        def on_created(remote_id: str) -> None:
            with self._changing():
                record_now = self._jobs[job_id]
                self._store(record_now.evolve(remote_id=remote_id))

        try:
            remote = self._create(job_id, provider, request, on_created, event)
        except (E.TransportError, E.BadResponseError, E.RefusedAnswerError) as exc:
            record = self._require(job_id)
            if record.remote_id:
                raise
            # The request may have reached the service: the job may exist and may be billed.
            raise E.SubmissionUnknownError(
                f"The answer from {provider.label} was lost ({exc}). The job may exist and may be billed; "
                "Meshsmith will not send it again by itself."
            ) from None
        self._commit(job_id, event, cost=remote.cost if remote.cost is not None else self._require(job_id).cost)
        return remote

    def _create(self, job_id: str, provider: Provider, request: object, on_created: Callable[[str], None],
                event: threading.Event) -> RemoteJob:
        """The creating request; sent again only after a 429, which proves the service made nothing."""
        attempt = 0
        while True:
            try:
                return provider.submit(request, on_created)
            except E.RateLimitError as exc:
                attempt += 1
                if self._require(job_id).remote_id or attempt > CREATE_RATE_LIMIT_RETRIES:
                    raise
                delay = min(exc.retry_after if exc.retry_after is not None else 5.0 * 2 ** (attempt - 1), CREATE_RETRY_CAP_S)
                self._commit(job_id, event, message=f"{provider.label} is busy (rate limit); sending again in {delay:.0f} s")
                if event.wait(delay):
                    raise _Stop() from None

    def _reconcile(self, job_id: str, provider: Provider, event: threading.Event) -> RemoteJob | None:
        """Find the job a lost creating request made, by asking the service for a while; never resend."""
        record = self._require(job_id)
        self._commit(job_id, event, state=JobState.UNKNOWN, message=f"Looking for the job on {provider.label}",
                     finished_at=None)
        give_up_at = self._clock() + (RECONCILE_WINDOW_S if provider.supports_lookup else 0.0)
        while True:
            try:
                request = provider.prepare(record.params, record.inputs)
                found = provider.find_lost_submission(request, record.submitted_at or record.created_at)
            except E.MeshsmithError as exc:
                log.info("reconcile %s failed: %s", job_id, exc)
                found = None
            if found is not None or self._clock() >= give_up_at:
                break
            if event.wait(RECONCILE_STEP_S):
                raise _Stop()
        if found is None:
            if provider.supports_lookup:
                error = (f"The answer from {provider.label} to the creating request was lost, and the job is not in "
                         f"{provider.label}'s job list after {int(RECONCILE_WINDOW_S)} seconds of looking: it was most "
                         "likely never created, so Submit Again is safe. If you see it on your account, Dismiss instead.")
            else:
                error = (f"The answer from {provider.label} to the creating request was lost, so the job may exist and "
                         f"may be billed. {provider.label} cannot be asked for its jobs, so Meshsmith did not send it "
                         f"again. Check your {provider.label} account, then Submit Again or Dismiss.")
            self._commit(job_id, event, state=JobState.UNKNOWN, finished_at=self._clock(),
                         message="Not found on the service. Check the service, then Submit Again or Dismiss.",
                         error=error)
            return None
        self._commit(job_id, event, remote_id=found.remote_id, state=_REMOTE_TO_LOCAL.get(found.status, JobState.RUNNING),
                     error="", message="Found the job on the service")
        return found

    def _watch(self, job_id: str, provider: Provider, event: threading.Event) -> RemoteJob | None:
        """Follow a job over the provider's stream. None when the stream broke: the caller polls instead."""
        started = self._require(job_id).submitted_at or self._clock()
        try:
            for remote in provider.watch(self._require(job_id).remote_id, event):
                if remote.status.is_terminal:
                    return remote
                self._commit(job_id, event, state=_REMOTE_TO_LOCAL[remote.status],
                             progress=round(remote.progress if remote.progress is not None else
                                            estimated_progress(self._clock() - started, provider.typical_duration_s), 3),
                             message=remote.message or remote.status.value.title(),
                             cost=remote.cost if remote.cost is not None else self._require(job_id).cost)
        except E.UnknownStatusError:
            raise  # not a broken stream: the service speaks a word we do not know, polling would not help
        except (E.TransportError, E.BadResponseError, E.ServerError, E.RateLimitError) as exc:
            log.info("stream for %s broke (%s); polling instead", job_id, exc)
            if event.is_set():
                raise _Stop() from None
            self._commit(job_id, event, message="Live progress lost; checking by polling")
        return None

    def _poll(self, job_id: str, provider: Provider, event: threading.Event, first: RemoteJob | None) -> RemoteJob:
        record = self._require(job_id)
        started = record.submitted_at or self._clock()
        remote = first
        if getattr(provider, "supports_stream", False) and (remote is None or not remote.status.is_terminal):
            streamed = self._watch(job_id, provider, event)
            if streamed is not None:
                remote = streamed
            elif event.is_set():
                raise _Stop()
        last_ok = self._clock()
        bad_answers = 0
        while True:
            if remote is not None:
                if remote.status is JobStatus.SUCCEEDED:
                    return remote
                if remote.status is JobStatus.FAILED:
                    raise E.JobFailedError(remote.error or f"{provider.label} reports that the job failed.")
                if remote.status is JobStatus.CANCELED:
                    raise E.JobCanceledError(f"{provider.label} canceled the job.")
                elapsed = self._clock() - started
                progress = remote.progress if remote.progress is not None else estimated_progress(elapsed, provider.typical_duration_s)
                self._commit(job_id, event, state=_REMOTE_TO_LOCAL[remote.status], progress=round(progress, 3),
                             message=remote.message or remote.status.value.title(),
                             cost=remote.cost if remote.cost is not None else self._require(job_id).cost)
            elapsed = self._clock() - started
            if elapsed > provider.max_duration_s:
                raise _recoverable(E.JobTimeoutError(
                    f"{provider.label} has not finished after {int(elapsed // 60)} minutes. Meshsmith stopped waiting; "
                    "use Retry Fetch to check again."))
            if event.wait(poll_interval(provider.poll_interval, elapsed)):
                raise _Stop()
            try:
                remote = provider.status(self._require(job_id).remote_id)
                last_ok, bad_answers = self._clock(), 0
            except E.UnknownStatusError:
                raise
            except E.BadResponseError as exc:
                bad_answers += 1
                if bad_answers > MAX_BAD_ANSWERS:
                    raise _recoverable(exc) from None
                self._commit(job_id, event, message=f"Unreadable answer, asking again: {exc}")
                remote = None
            except (E.TransportError, E.ServerError, E.RateLimitError) as exc:
                if self._clock() - last_ok > STALL_LIMIT_S:
                    raise _recoverable(E.JobTimeoutError(
                        f"Lost contact with {provider.label} for {int(STALL_LIMIT_S // 60)} minutes ({exc}). "
                        "Use Retry Fetch to check again.")) from None
                self._commit(job_id, event, message=f"Connection problem, retrying: {exc}")
                remote = None

    def _download(self, job_id: str, provider: Provider, event: threading.Event, remote: RemoteJob) -> None:
        record = self._require(job_id)
        downloads = [{"role": asset.role.value, "filename": asset.filename, "url": asset.url}
                     for asset in remote.assets if asset.url]
        self._commit(job_id, event, state=JobState.DOWNLOADING, progress=max(record.progress, 0.96), downloads=downloads,
                     message="Downloading the result", cost=remote.cost if remote.cost is not None else record.cost)
        paths: dict[str, str] = {}
        # The model and maps first; previews last, and a broken preview never costs the artist the model.
        wanted = sorted(remote.assets, key=lambda asset: asset.role is AssetRole.PREVIEW)
        for asset in wanted:
            try:
                path = self._download_one(provider, record, asset, event)
            except E.BadDownloadError:
                if asset.role is AssetRole.PREVIEW:
                    continue
                raise
            if event.is_set():
                raise _Stop()
            paths[asset.role.value if asset.role.value not in paths else path.name] = str(path)
        if AssetRole.MODEL.value not in paths and record.kind.value == "GENERATE":
            raise E.BadResponseError(f"{provider.label} finished the job but sent no model.")
        if AssetRole.MODEL.value in paths:
            model = Path(paths[AssetRole.MODEL.value])
            sidecars = frozenset(Path(path).name for role, path in paths.items() if role != AssetRole.MODEL.value)
            try:
                check_model_file(model, service=provider.label, sidecars=sidecars)
            except E.RefusedAnswerError:
                model.unlink(missing_ok=True)  # never importable later, by Import Again or another session
                raise
        render = AssetRole.PREVIEW.value not in paths and AssetRole.MODEL.value in paths
        if render:  # the texture now, so the history has a picture at once; the render replaces it later
            thumbnail = write_thumbnail(Path(paths[AssetRole.MODEL.value]), Path(record.output_dir))
            if thumbnail is not None:
                paths[AssetRole.PREVIEW.value] = str(thumbnail)
        self._commit(job_id, event, state=JobState.READY, result_paths=paths, progress=1.0, downloads=[],
                     message="Ready to import", error="")
        if render and record.render_preview and self._previews is not None:
            self._previews.request(job_id, Path(paths[AssetRole.MODEL.value]), Path(record.output_dir))

    def _preview_rendered(self, job_id: str, path: Path) -> None:
        """The preview renderer's callback (its own thread): the render becomes the job's preview."""
        with self._changing():
            record = self._jobs.get(job_id)
            if record is not None and not self._closed:
                self._store(record.evolve(result_paths={**record.result_paths, AssetRole.PREVIEW.value: str(path)}))

    @staticmethod
    def _download_one(provider: Provider, record: JobRecord, asset, event: threading.Event) -> Path:
        """One file: a mangled file is fetched once more; an expired signed URL is replaced by a fresh one, once."""
        dest = Path(record.output_dir) / safe_filename(asset.filename)  # the name may come from the server
        try:
            try:
                return provider.download(asset, dest, cancel=event)
            except E.BadDownloadError:
                if asset.role is AssetRole.PREVIEW:
                    raise
                return provider.download(asset, dest, cancel=event)  # may have been a proxy's doing
        except E.HTTPStatusError as exc:
            if exc.status_code not in (403, 404, 410):
                raise
            fresh = {a.filename: a for a in provider.status(record.remote_id).assets}
            if asset.filename not in fresh:
                raise
            return provider.download(fresh[asset.filename], dest, cancel=event)

    def _fail(self, job_id: str, event: threading.Event, error: E.MeshsmithError) -> None:
        if event.is_set():
            return
        if isinstance(error, E.SubmissionUnknownError):
            state = JobState.UNKNOWN
        elif isinstance(error, E.JobCanceledError):
            state = JobState.CANCELED
        else:
            state = JobState.FAILED
        with self._changing():
            if self._jobs[job_id].state is JobState.CANCELED:
                return
            self._store(self._jobs[job_id].evolve(
                state=state, error=str(error), fix=error.fix.value, message=str(error)[:120],
                recoverable=bool(getattr(error, "recoverable", False)), finished_at=self._clock()))


def _ends_ownership(record: JobRecord) -> bool:
    """Whether a snapshot ends the session's hold on its job (nothing more to run or import)."""
    return record.dismissed or record.state.is_finished or (record.state is JobState.UNKNOWN and record.finished_at is not None)


def _elsewhere(record: JobRecord) -> JobRecord:
    """How this session shows a job another session runs (its own time kept, so newer lines still win)."""
    message = record.message if record.message.startswith(RUNNING_ELSEWHERE) else f"{RUNNING_ELSEWHERE}: {record.message}"
    return record.model_copy(update={"message": message[:160]})


class _Stop(Exception):
    """Internal: the job was canceled; the worker unwinds quietly."""


def _recoverable(error: E.MeshsmithError) -> E.MeshsmithError:
    error.recoverable = True  # type: ignore[attr-defined]
    return error
