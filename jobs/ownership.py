"""Which Blender session runs a job: one advisory file lock per job, held for as long as the session runs it.

Two Blender sessions may share one user folder (two windows of the same Blender version, a render
farm node beside an artist's session). Both read the same journal, and without this both would resume,
download and import the same job: one deleting the other's files, the model imported twice or lost.

A session that starts or resumes a job first takes the job's lock (``locks/<job id>.lock`` beside the
journal, an exclusive, non-blocking ``flock``; ``msvcrt.locking`` on Windows). It keeps the lock while
the job is unfinished in its hands (through READY, until the result is imported or the job ends) and
lets it go when the job ends, when the engine shuts down, and, because the operating system drops
such locks with the process, when Blender crashes or is killed. A session that cannot take a job's
lock leaves the job alone and shows it as running in another Blender; it tries again now and then,
and takes the job over only once the owner has let go.

Locks on one file taken through two separate opens exclude each other even inside one process, so
two engines in one test process behave as two sessions would.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

LOCK_FOLDER = "locks"
_JOB_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")

if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(handle: IO[bytes]) -> bool:
        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

else:
    import fcntl

    def _try_lock(handle: IO[bytes]) -> bool:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            return False


class JobLocks:
    """The job locks of one session. Thread-safe; cheap when a lock is already held here."""

    def __init__(self, folder: Path, session_id: str) -> None:
        self.folder = Path(folder) / LOCK_FOLDER
        self.session_id = session_id
        """This session's id, recorded in the lock file and on the jobs it runs."""
        self._held: dict[str, IO[bytes]] = {}
        self._lock = threading.Lock()

    def acquire(self, job_id: str) -> bool:
        """Take the job's lock for this session. False when another session holds it (or it cannot be made)."""
        if not _JOB_ID.fullmatch(job_id):
            return False
        with self._lock:
            if job_id in self._held:
                return True
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                handle = open(self.folder / f"{job_id}.lock", "a+b")  # noqa: SIM115 - held open while owned
            except OSError:
                return False
            if not _try_lock(handle):
                handle.close()
                return False
            try:
                handle.truncate(0)
                handle.write(f"{self.session_id} {os.getpid()}\n".encode("ascii"))
                handle.flush()
            except OSError:
                pass  # the note is for people; the lock is what counts
            self._held[job_id] = handle
            return True

    def holds(self, job_id: str) -> bool:
        return job_id in self._held

    def release(self, job_id: str) -> None:
        """Let the job go (closing the file drops the lock). The lock file stays: deleting it would race a taker."""
        with self._lock:
            handle = self._held.pop(job_id, None)
        if handle is not None:
            handle.close()

    def prune(self, ended: Callable[[list[str]], set[str]], older_than_s: float = 7 * 24 * 3600.0) -> int:
        """Delete the lock files of jobs that have ended (``ended`` says which of the ids given to it have), untouched
        for ``older_than_s``; returns how many went.

        Each file is deleted while its lock is held, so a session holding it is never robbed. A job that has ended
        is never taken again, so a session opening the file a moment later (creating a fresh one) takes nothing
        anyone else holds.
        """
        removed = 0
        cutoff = time.time() - older_than_s
        old: dict[str, Path] = {}
        for path in self.folder.glob("*.lock") if self.folder.is_dir() else ():
            try:
                if path.stat().st_mtime <= cutoff:
                    old[path.stem] = path
            except OSError:
                continue
        finished = ended(list(old)) if old else set()
        for job_id, path in old.items():
            if job_id not in finished or not self.acquire(job_id):
                continue
            try:
                path.unlink()
                removed += 1
            except OSError:
                pass
            finally:
                self.release(job_id)
        return removed

    def release_all(self) -> None:
        with self._lock:
            handles, self._held = list(self._held.values()), {}
        for handle in handles:
            handle.close()
