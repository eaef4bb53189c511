"""The host's one state object, ``HOST``: everything the Blender side holds between ticks, in one place.

No other Blender-side module keeps mutable state of its own. Owners: ``runtime`` (the engine, the job list's
backlog, the session's jobs), ``connections`` (the sandbox it starts), ``catalog.state`` (the catalog in memory).
Any thread may queue a callable with ``apply_on_main_thread``; only the tick (``runtime.drain``) runs them.
A plain class: a dataclass would be generated while Blender registers the add-on, which costs start-up time.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..providers.memory import ProviderMemory
from .joblist import JobListMirror

if TYPE_CHECKING:  # the engine, pydantic and requests load on first use, not at register()
    from ..jobs.engine import JobEngine
    from ..jobs.records import JobRecord
    from ..sandbox.server import Sandbox


class CatalogMemory:
    """A model catalog as the host holds it: swapped whole by the main thread, read by drawing without a lock."""

    def __init__(self) -> None:
        self.current: Any = None
        """The catalog last loaded (``providers.scenario.catalog.Catalog``), or None."""
        self.started: set[str] = set()
        """Background work under way ('cache', 'list', 'details:<id>'): each starts at most once at a time."""
        self.lock = threading.Lock()
        """Guards ``started`` only: held for a set operation, never while waiting on anything."""
        self.problem = ""
        """Why the last refresh failed ('' when it did not)."""


class AgentSession:
    """What agents did through agent access in this session: quotes given, paid jobs started, jobs waiting for the
    artist's approval. Read and changed on the main thread only (the bridge runs every call there)."""

    def __init__(self) -> None:
        self.quotes: dict[str, Any] = {}
        """Quotes by id (``operators.agent_spending.Quote``): what was priced, when, and the job that used it."""
        self.paid_jobs = 0
        """Paid jobs agents started in this session (the cap counts these)."""
        self.max_paid_jobs: int | None = None
        """The cap set for a headless Blender (``--max-paid-jobs``); None: the preference's."""
        self.waiting: dict[str, Any] = {}
        """Jobs over the cap, waiting for the artist's Allow or Deny, by job id (``agent_spending.Waiting``)."""
        self.denied: dict[str, str] = {}
        """Jobs the artist denied, by job id: their label (``get_job`` reports them)."""
        self.started: list[str] = []
        """Every job an agent started in this session, oldest first."""


class HostState:
    """Everything the host holds, reset by ``runtime.close_engine`` and ``connections.stop_sandbox``."""

    def __init__(self) -> None:
        self.engine: JobEngine | None = None
        self.mirror = JobListMirror()
        """The sidebar's job list, kept in step with the engine."""
        self.sandbox: Sandbox | None = None
        self.session_jobs: set[str] = set()
        """Jobs submitted in this session by an operator: they import when ready whatever the preference says."""
        self.side_results: deque[Callable[[], None]] = deque()
        """Small results of background look-ups (balances), applied on the main thread by ``runtime.drain``."""
        self.backlog: dict[str, JobRecord] = {}
        """The latest update of each job not yet applied to the job list, in the order they came."""
        self.catalog = CatalogMemory()
        self.provider_memory = ProviderMemory()
        """What the clients this host makes remember between jobs (uploads made, busy servers); new per engine."""
        self.agent_bridge: Any = None
        """The loopback bridge agents reach this Blender through, while agent access is on (``agent.AgentBridge``;
        typed loosely: the state module is imported at register, the bridge's HTTP server only when it is used)."""
        self.agent = AgentSession()
        self.agent_dispatch: Callable[[str, dict], dict] | None = None
        """How a call from an agent is carried out (``operators.agent_tools.dispatch``, set when operators register:
        the host starts the bridge, the operators' layer knows the tools)."""


HOST = HostState()


def apply_on_main_thread(apply: Callable[[], None]) -> None:
    """Queue ``apply`` for the next tick (any thread; deque appends are atomic)."""
    HOST.side_results.append(apply)


def log():
    """Meshsmith's logger; ``logging`` loads on first use, not while the add-on registers (it is not cheap)."""
    import logging

    return logging.getLogger("meshsmith")
