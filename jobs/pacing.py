"""A job's pace: how often it is polled as it ages, the progress shown when the service reports none, and how its
thread yields the CPU to Blender's interface."""

from __future__ import annotations

import os
import sys
import threading

# Polls slow down as a job ages: quick feedback for short jobs, few requests for long ones.
POLL_SCHEDULE = ((60.0, 1.0), (300.0, 2.0), (float("inf"), 4.0))

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
