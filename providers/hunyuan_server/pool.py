"""Which of the studio's Hunyuan3D servers are busy: each runs one Meshsmith job at a time (one GPU), so jobs wait
here for the next idle server, and a server that does not answer is skipped and looked at again later."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from ...net import errors as E
from ..server_states import ServerStates

RECHECK_DOWN_S = 10.0
"""A server that did not answer is skipped for this long, then tried again."""
WAIT_STEP_S = 0.5
"""How often a job waiting for a free server looks again."""


class ServerPool:
    """Which servers are busy: each runs one Meshsmith job at a time. Thread-safe; shared by every job that uses
    the same servers (``pool_for``)."""

    def __init__(self, states: ServerStates | None = None) -> None:
        """``states``: where what is learned about the servers is published (the client's memory's)."""
        self.states = states or ServerStates()
        self._lock = threading.Lock()
        self._busy: dict[str, tuple[str, float]] = {}
        """server -> (uid, deadline): '' uid while the job is being sent."""
        self._down_until: dict[str, float] = {}
        self._orphans: set[str] = set()
        """Servers still running a job nobody waits for (canceled): freed once that job is seen to end."""

    def acquire(self, servers: list[str], is_up: Callable[[str], bool], cancel: threading.Event | None,
                still_running: Callable[[str, str], bool] = lambda server, uid: True,
                say: Callable[[str], None] = lambda text: None) -> str:
        """Reserve the first idle server that answers; wait (cancel-aware, saying so) while the others are busy.
        ``still_running(server, uid)`` is asked about a canceled job's server, to free it once that job ends.
        Raises ``ServersDownError`` when none is busy and none answers: waiting would wait for nothing."""
        waiting_said = False
        while True:
            any_busy = False
            for server in servers:
                with self._lock:
                    orphan = self._busy.get(server) if server in self._orphans else None
                if orphan is not None and not still_running(server, orphan[0]):
                    self.release(server, orphan[0])
                with self._lock:
                    held = self._busy.get(server)
                    if held is not None and held[1] > time.time():
                        any_busy = True
                        continue  # running a job (a reservation never sent, or a lost job, lapses at its deadline)
                    if self._down_until.get(server, 0.0) > time.monotonic():
                        continue
                    self._busy[server] = ("", time.time() + 60.0)
                if is_up(server):
                    self.states.publish(server, busy_with="(being sent)")
                    return server
                with self._lock:
                    self._busy.pop(server, None)
                    self._down_until[server] = time.monotonic() + RECHECK_DOWN_S
            if not any_busy:
                raise ServersDownError(servers, self.states)
            if not waiting_said:
                say(f"Waiting for a free Hunyuan3D server ({len(servers)} busy or not answering)")
                waiting_said = True
            if cancel is not None and cancel.wait(WAIT_STEP_S):
                raise E.JobCanceledError("Canceled while waiting for a free Hunyuan3D server.")
            if cancel is None:
                time.sleep(WAIT_STEP_S)

    def hold(self, server: str, uid: str, deadline: float) -> None:
        with self._lock:
            self._busy[server] = (uid, deadline)
        if self.states.state_of(server).busy_with != uid:
            self.states.publish(server, busy_with=uid)

    def release(self, server: str, uid: str = "") -> None:
        """The server is free again (only if it still runs this job: another job may hold it by now)."""
        with self._lock:
            held = self._busy.get(server)
            if held is None or (uid and held[0] not in ("", uid)):
                return
            del self._busy[server]
            self._orphans.discard(server)
        self.states.publish(server, busy_with="")

    def orphan(self, server: str, uid: str) -> None:
        """Nobody waits for this server's job any more (canceled), but the server still runs it."""
        with self._lock:
            if self._busy.get(server, ("",))[0] == uid:
                self._orphans.add(server)

    def busy(self) -> dict[str, str]:
        with self._lock:
            return {server: uid for server, (uid, _deadline) in self._busy.items()}


class ServersDownError(E.ConfigurationError):
    """No listed server answers and none is busy with a job of ours: nothing was sent."""

    def __init__(self, servers: list[str], states: ServerStates) -> None:
        problems = {states.state_of(server).problem for server in servers} - {""}
        why = f" ({'; '.join(sorted(problems))[:200]})" if problems else ""
        hosts = ", ".join(urlsplit(server).netloc for server in servers) + why
        super().__init__(f"No Hunyuan3D server answers: {hosts}. Start the server (python api_server.py), "
                         "or check its address in the preferences. Nothing was sent.")
