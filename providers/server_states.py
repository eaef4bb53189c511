"""What Meshsmith last learned about each of the artist's own servers: reachable, which version, busy with a job.

Kept in the ``ProviderMemory`` the host owns (``memory.server_states``): written by the worker threads that use the
servers (a self-hosted provider's pool) and by the preferences' Test button; read by the preferences and the
sidebar while they draw. Readers never wait: every change replaces the whole mapping (one reference assignment,
atomic in Python), so a reader sees either the old or the new one. Nothing here is saved: the state is this
session's knowledge, and says when it was learned.
"""

from __future__ import annotations

import threading
import time

from .light_record import LightRecord


class ServerState(LightRecord):
    """One server as last seen. ``reachable`` is None until something asked it."""

    url: str
    reachable: bool | None = None
    version: str = ""
    """'2.0' or '2.1' (from ``/health``: 2.0 has none), '' while unknown."""
    version_assumed: bool = False
    """The version was not told but assumed (a server without ``/health`` is taken for 2.0)."""
    busy_with: str = ""
    """The job this Blender session runs there ('' when idle for this session; other clients are not seen)."""
    problem: str = ""
    """Why it did not answer, in the artist's words."""
    checked_at: float = 0.0
    """When it last answered or failed to (epoch seconds)."""

    def changed(self, **changes: object) -> ServerState:
        return ServerState(**{**{name: getattr(self, name) for name in self._fields}, **changes})


class ServerStates:
    """The states of every server this session has used or asked, by base URL. Thread-safe."""

    def __init__(self) -> None:
        self._states: dict[str, ServerState] = {}
        self._write_lock = threading.Lock()
        """Serialises writers (worker threads); readers never take it."""

    def state_of(self, url: str) -> ServerState:
        """The last known state of ``url`` (never waits)."""
        return self._states.get(url) or ServerState(url)

    def publish(self, url: str, **changes: object) -> ServerState:
        """Record what was just learned about ``url`` (any thread)."""
        with self._write_lock:
            state = (self._states.get(url) or ServerState(url)).changed(**changes)
            if "reachable" in changes:
                state = state.changed(checked_at=time.time())
            self._states = {**self._states, url: state}
            return state
