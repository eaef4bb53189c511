"""What provider clients remember between jobs (uploads already made, which self-hosted servers are busy), owned by
whoever creates the clients.

The Blender host holds one ``ProviderMemory`` for its session (``host.state.HOST.provider_memory``) and hands it to
every client it makes, so the jobs of one Blender share it; a client made without one (a test, a script) gets one
of its own, so two engines in one process never share a cache by accident.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from .server_states import ServerStates

T = TypeVar("T")


class ProviderMemory:
    """Named objects made on first use and then shared by every client given this memory. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, Any] = {}
        self.server_states = ServerStates()
        """What this session learned about the artist's own servers (the preferences draw it)."""
        self.spool_dir: Path | None = None
        """Where a result that arrives inside a status answer waits for its job's download step (the host puts it
        beside the results, on the same disk); None: the system's temporary folder."""

    def get(self, key: str, make: Callable[[], T]) -> T:
        """The object under ``key``, made by ``make`` the first time it is asked for."""
        with self._lock:
            if key not in self._items:
                self._items[key] = make()
            return self._items[key]


class BoundedMemo:
    """A small thread-safe map that forgets its oldest entry past ``limit`` entries."""

    def __init__(self, limit: int) -> None:
        self._lock = threading.Lock()
        self._items: dict[Any, Any] = {}
        self.limit = limit

    def get(self, key: Any) -> Any:
        with self._lock:
            return self._items.get(key)

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            self._items.pop(key, None)
            if len(self._items) >= self.limit:
                self._items.pop(next(iter(self._items)))
            self._items[key] = value

    def forget(self, key: Any) -> None:
        with self._lock:
            self._items.pop(key, None)
