"""Bound every HTTP exchange in time, whatever the server does: a total deadline, a minimum rate, and cancel.

``requests`` only offers a timeout between two socket reads, so a server that sends one byte a second
(during the headers or the body) holds a call forever, and a blocked read cannot see a cancel. Here each
exchange runs under a ``Watch``: the thread that makes the call registers it, the sockets the call uses
are attached to it as they are opened or reused (by the connection classes below, mounted on the
session with ``WatchedAdapter``), and one watchdog thread checks every armed watch a few times a second.
When a watch's deadline passes, its rate stays too low for its window, or its cancel event is set, the
watchdog shuts the socket down; the blocked read in the calling thread then fails at once, and the
caller turns ``Watch.reason`` into the right error.

The watchdog never touches Blender data (it runs in its own thread) and takes no lock that the main
thread waits on: watches are registered and dropped by worker threads.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

# How often the watchdog looks at armed watches: cancel takes effect within this (well under a second).
IDLE_EXIT_S = 5.0
"""A watchdog thread with nothing to watch for this long ends (a new request starts another)."""
CHECK_INTERVAL_S = 0.2

CANCELED = "canceled"
DEADLINE = "deadline"
TOO_SLOW = "too slow"


class Watch:
    """The limits of one HTTP exchange and what it has received so far.

    ``deadline`` is a ``time.monotonic()`` instant (None: no total limit). ``min_rate`` bytes per second,
    measured over the last ``window`` seconds, is the slowest a body may arrive (None: no rate limit).
    ``reason`` is set (once) when the watchdog stopped the exchange.
    """

    __slots__ = ("deadline", "cancel", "min_rate", "window", "started", "received", "reason", "_sockets", "_samples")

    def __init__(self, *, deadline: float | None = None, cancel: threading.Event | None = None,
                 min_rate: float | None = None, window: float = 30.0) -> None:
        self.deadline = deadline
        self.cancel = cancel
        self.min_rate = min_rate
        self.window = window
        self.started = time.monotonic()
        self.received = 0
        self.reason = ""
        self._sockets: list[socket.socket] = []
        self._samples: deque[tuple[float, int]] = deque([(self.started, 0)])

    def attach(self, sock: Any) -> None:
        """Remember a socket this exchange uses (called from the calling thread by the connection classes)."""
        if sock is not None and sock not in self._sockets:
            self._sockets.append(sock)
        if self.reason:  # stopped before the socket existed: stop it now
            _shut(sock)

    def progress(self, count: int) -> None:
        """Count body bytes received (the caller's reading loop)."""
        self.received += count

    def verdict(self, now: float) -> str:
        """Why this exchange must stop now, or ''. Called by the watchdog thread only."""
        if self.cancel is not None and self.cancel.is_set():
            return CANCELED
        if self.deadline is not None and now >= self.deadline:
            return DEADLINE
        if self.min_rate is not None:
            horizon = now - self.window
            samples = self._samples
            samples.append((now, self.received))
            while len(samples) > 1 and samples[1][0] <= horizon:
                samples.popleft()
            since, received_then = samples[0]
            if since <= horizon and self.received - received_then < self.min_rate * (now - since):
                return TOO_SLOW
        return ""

    def stop(self, reason: str) -> None:
        if not self.reason:
            self.reason = reason
        for sock in list(self._sockets):
            _shut(sock)


def _shut(sock: Any) -> None:
    """Make every blocked read on ``sock`` fail now (``shutdown`` wakes a reader in another thread; ``close`` may not)."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except (OSError, AttributeError, ValueError):
        pass


class _Watchdog:
    """One daemon thread for the whole process, started when a watch is armed and ended once none has been armed for
    ``IDLE_EXIT_S`` (or at ``stop``): no thread outlives the work, nor the add-on when Blender disables it."""

    def __init__(self) -> None:
        self._watches: set[Watch] = set()
        self._wake = threading.Event()
        self._pace = threading.Event()  # set only by ``stop``: its wait is the watchdog's tick
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def add(self, watch: Watch) -> None:
        self._watches.add(watch)
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._pace.clear()
                self._thread = threading.Thread(target=self._run, daemon=True, name="meshsmith-http-watchdog")
                self._thread.start()
        self._wake.set()

    def discard(self, watch: Watch) -> None:
        self._watches.discard(watch)

    def stop(self, timeout: float = 1.0) -> None:
        """End the thread now (the add-on is being disabled); a later watch starts a new one."""
        with self._start_lock:
            thread, self._thread = self._thread, None
            self._pace.set()
            self._wake.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _run(self) -> None:
        while not self._pace.is_set():
            if not self._watches:
                self._wake.clear()
                if not self._wake.wait(IDLE_EXIT_S) and not self._watches:
                    with self._start_lock:
                        if not self._watches:  # nothing armed meanwhile: end; ``add`` starts a new thread
                            if self._thread is threading.current_thread():
                                self._thread = None
                            return
                continue
            now = time.monotonic()
            for watch in list(self._watches):
                if watch.reason:
                    continue
                reason = watch.verdict(now)
                if reason:
                    watch.stop(reason)
            self._pace.wait(CHECK_INTERVAL_S)


_WATCHDOG = _Watchdog()


def stop_watchdog() -> None:
    """End the watchdog's thread (the add-on is being disabled); a later request starts it again."""
    _WATCHDOG.stop()
_current = threading.local()


@contextmanager
def watching(watch: Watch) -> Iterator[Watch]:
    """Arm ``watch`` for the exchanges this thread makes inside the block."""
    previous = getattr(_current, "watch", None)
    _current.watch = watch
    _WATCHDOG.add(watch)
    try:
        yield watch
    finally:
        _WATCHDOG.discard(watch)
        _current.watch = previous


def _attach_current(sock: Any) -> None:
    watch = getattr(_current, "watch", None)
    if watch is not None:
        watch.attach(sock)


class _WatchedMixin:
    """Connection classes that hand their socket to the calling thread's watch, when connected and when reused."""

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        _attach_current(self.sock)  # type: ignore[attr-defined]

    def putrequest(self, *args: Any, **kwargs: Any) -> Any:
        _attach_current(getattr(self, "sock", None))
        return super().putrequest(*args, **kwargs)  # type: ignore[misc]


class _WatchedHTTPConnection(_WatchedMixin, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_WatchedMixin, HTTPSConnection):
    pass


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


def _use_watched_pools(manager: Any) -> Any:
    manager.pool_classes_by_scheme = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}
    return manager


class WatchedAdapter(HTTPAdapter):
    """A requests adapter whose connections (direct or through a proxy) report their sockets to the watch."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        _use_watched_pools(self.poolmanager)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        fresh = proxy not in self.proxy_manager
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if fresh and not proxy.lower().startswith("socks"):
            _use_watched_pools(manager)
        return manager


def read_some(raw: Any, size: int) -> bytes:
    """Up to ``size`` decoded body bytes, returning as soon as one socket read gave some (b'' at the end).

    Reading what has arrived, rather than waiting for ``size`` bytes, lets the caller count progress
    as it happens. urllib3 2 has ``read1``; urllib3 1.26 (Blender 4.2) reads through http.client's
    ``read1`` when the body is not compressed, and in small compressed pieces when it is.
    """
    read1 = getattr(raw, "read1", None)
    if read1 is not None:
        return read1(size, decode_content=True)
    encoding = (raw.headers.get("content-encoding") or "identity").strip().lower()
    if encoding == "identity" and getattr(raw, "_fp", None) is not None and hasattr(raw._fp, "read1"):
        return raw._fp.read1(size)
    return raw.read(min(size, 8192), decode_content=True)
