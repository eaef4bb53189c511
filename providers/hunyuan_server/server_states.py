"""What Meshsmith last learned about each self-hosted server: reachable, which version, busy with a job.

Written by the worker threads that use the servers (``hunyuan_server.ServerPool``) and by the preferences'
Test button; read by the preferences while they draw. Readers never wait: every change replaces the whole
mapping (one reference assignment, atomic in Python), so a reader sees either the old or the new one.
Nothing here is saved: the state is this session's knowledge, and says when it was learned.
"""

from __future__ import annotations

import threading
import time

from ..light_record import LightRecord


class ServerState(LightRecord):
    """One server as last seen. ``reachable`` is None until something asked it."""

    url: str
    reachable: bool | None = None
    version: str = ""
    """'2.0' or '2.1' (from ``/health``: 2.0 has none), '' while unknown."""
    busy_with: str = ""
    """The job this Blender session runs there ('' when idle for this session; other clients are not seen)."""
    problem: str = ""
    """Why it did not answer, in the artist's words."""
    checked_at: float = 0.0
    """When it last answered or failed to (epoch seconds)."""

    def changed(self, **changes: object) -> ServerState:
        return ServerState(**{**{name: getattr(self, name) for name in self._fields}, **changes})


_states: dict[str, ServerState] = {}
_write_lock = threading.Lock()
"""Serialises writers (worker threads); readers never take it."""


def state_of(url: str) -> ServerState:
    """The last known state of ``url`` (never waits)."""
    return _states.get(url) or ServerState(url)


def publish(url: str, **changes: object) -> ServerState:
    """Record what was just learned about ``url`` (any thread)."""
    global _states
    with _write_lock:
        state = (_states.get(url) or ServerState(url)).changed(**changes)
        if "reachable" in changes:
            state = state.changed(checked_at=time.time())
        _states = {**_states, url: state}
        return state


def forget_all() -> None:
    """Drop everything learned (tests; a new session starts blank anyway)."""
    global _states
    with _write_lock:
        _states = {}
