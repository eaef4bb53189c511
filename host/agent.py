"""Agent access: the loopback bridge through which Meshsmith's MCP server (``meshsmith_mcp``) reaches this Blender.

Off unless the artist turns on Agent Access in the preferences, or a headless Blender is started for an agent.
Then a listener on 127.0.0.1 (a port the system picks) takes one kind of request, ``POST /call`` with a JSON body
``{"tool": ..., "arguments": {...}}`` and the token, and answers JSON. The token (random, 256 bits) and the port are
written to ``agent.json`` in Meshsmith's user folder, readable by the user only; the MCP server finds them there.

Refused before anything is read: a ``Host`` other than the loopback address and this port (401/403: DNS rebinding),
any ``Origin`` header (a web page in a browser), a missing or wrong token, a body over ``MAX_BODY_BYTES`` or one
that takes longer than ``READ_TIMEOUT_S`` to arrive, anything but ``POST /call``.

Threads: the listener's threads never touch Blender data. Each call is queued for the main thread (the host's
main-thread queue, which the tick runs) and the listener's thread waits for the answer, never the main thread. A
call the main thread has not started within ``CALL_TIMEOUT_S`` is withdrawn, so it never runs after its caller gave
up (a paid job is never started for an agent that was told the call failed).
"""

from __future__ import annotations

import atexit
import hmac
import json
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from ..net import errors as E
from .state import HOST, apply_on_main_thread

log = logging.getLogger("meshsmith.agent")

ACCESS_FILE = "agent.json"
"""In Meshsmith's user folder: the port and token of the running bridge (the user's eyes only)."""
MAX_BODY_BYTES = 64 * 1024
"""A call's arguments are a few hundred bytes (paths, a prompt); a larger body is not a call."""
READ_TIMEOUT_S = 5.0
"""A local client sends its whole request at once; one that trickles is dropped."""
CALL_TIMEOUT_S = 30.0
"""How long a call waits for the main thread (a modal dialog, a long import) before it is withdrawn."""
CONNECTED_FOR_S = 60.0
"""An agent counts as connected for this long after its last call (the sidebar says so)."""

Dispatch = Callable[[str, dict[str, Any]], dict[str, Any]]


class AgentBridge:
    """The running listener and what the sidebar shows about the agent using it."""

    def __init__(self, dispatch: Dispatch, token: str, access_file: Path | None) -> None:
        self.dispatch = dispatch
        self.token = token
        self.access_file = access_file
        self.calls = 0
        self.last_call_at = 0.0
        self.last_tool = ""
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.bridge = self  # type: ignore[attr-defined]
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.25},
                                       daemon=True, name="meshsmith-agent-bridge")

    @property
    def connected(self) -> bool:
        return self.calls > 0 and time.time() - self.last_call_at < CONNECTED_FOR_S

    def call(self, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
        """Run a tool on the main thread and wait for its answer (the listener's thread)."""
        done = threading.Event()
        box: dict[str, Any] = {}

        def run() -> None:
            if box.setdefault("state", "started") != "started":
                return  # withdrawn: its caller was told it failed
            try:
                box["answer"] = self.dispatch(tool, arguments)
            except Exception:  # a tool that breaks must not take the tick down; the agent hears it failed
                log.exception("agent tool %s failed", tool)
                box["answer"] = {"ok": False, "error": "Meshsmith could not complete this call; see Blender's log."}
            finally:
                self.calls += 1
                self.last_call_at, self.last_tool = time.time(), tool
                done.set()

        apply_on_main_thread(run)
        if not done.wait(CALL_TIMEOUT_S) and box.setdefault("state", "withdrawn") == "withdrawn":
            return {"ok": False, "error": "Blender did not answer within 30 s (a dialog open, or a long import). "
                                          "Nothing was done; try again."}
        done.wait()  # it started just as it was about to be withdrawn: its answer comes
        answer = box["answer"]
        if "later" in answer:  # the part that waits on a service (a price): here, never on the main thread
            try:
                return {"ok": True, "result": answer["later"]()}
            except E.MeshsmithError as exc:
                return {"ok": False, "error": str(exc), "fix": exc.fix.value}
        return answer


class _Handler(BaseHTTPRequestHandler):
    server_version = "Meshsmith"
    protocol_version = "HTTP/1.1"
    timeout = READ_TIMEOUT_S  # the socket's: a request that trickles is dropped

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        bridge: AgentBridge = self.server.bridge  # type: ignore[attr-defined]
        refusal = _refusal(self.headers, self.path, bridge)
        if refusal is not None:
            return self._answer(*refusal)
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            return self._answer(411, "A call needs a Content-Length.")
        if not 0 < length <= MAX_BODY_BYTES:
            return self._answer(413, f"A call's body is at most {MAX_BODY_BYTES} bytes.")
        try:
            body = self.rfile.read(length)
        except TimeoutError:
            return self._answer(408, "The call's body did not arrive in time.")
        try:
            request = json.loads(body)
            tool, arguments = request["tool"], request.get("arguments") or {}
            if not isinstance(tool, str) or not isinstance(arguments, dict):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            return self._answer(400, 'A call is {"tool": name, "arguments": {...}}.')
        self._send(200, bridge.call(tool, arguments))

    def do_GET(self) -> None:  # noqa: N802
        self._answer(405, "Only POST /call.")

    do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET  # noqa: N815

    def _answer(self, status: int, error: str) -> None:
        self._send(status, {"ok": False, "error": error})
        self.close_connection = True

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the agent went away: nothing to tell it

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
        log.debug("agent bridge: " + format, *args)  # never to stderr, which an MCP client may read


def _refusal(headers, path: str, bridge: AgentBridge) -> tuple[int, str] | None:
    """Why a request is refused before its body is read, or None."""
    if path != "/call":
        return 404, "Only POST /call."
    if headers.get("Host", "") not in (f"127.0.0.1:{bridge.port}", f"localhost:{bridge.port}"):
        return 403, "Only local clients may call (the Host must be this computer's loopback address)."
    if "Origin" in headers:
        return 403, "Web pages may not call Meshsmith."
    if not hmac.compare_digest(headers.get("Authorization", "").encode("utf-8", "replace"),
                               f"Bearer {bridge.token}".encode()):
        return 401, "A call needs the token from Meshsmith's agent.json."
    return None


def follow_preference(wanted: bool, folder: Path) -> None:
    """Open or close the artist's bridge as Agent Access is turned on or off (the timer asks every second). A bridge
    started for a headless agent (no access file) is not the preference's to close."""
    bridge = HOST.agent_bridge
    if wanted and bridge is None and HOST.agent_dispatch is not None:
        start(HOST.agent_dispatch, folder)
    elif not wanted and bridge is not None and bridge.access_file is not None:
        stop()


def start(dispatch: Dispatch, folder: Path | None, *, token: str = "") -> AgentBridge:
    """Start the bridge (stopping any running one) and write its access file into ``folder`` (None: write none)."""
    stop()
    access = Path(folder) / ACCESS_FILE if folder is not None else None
    bridge = AgentBridge(dispatch, token or secrets.token_urlsafe(32), access)
    if access is not None:
        access.parent.mkdir(parents=True, exist_ok=True)
        data = json.dumps({"port": bridge.port, "token": bridge.token, "pid": os.getpid()}).encode()
        access.unlink(missing_ok=True)  # a file made by someone else keeps its mode: never write into one
        handle = os.open(access, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
    bridge.thread.start()
    HOST.agent_bridge = bridge
    atexit.register(_remove_access_file, bridge)  # Blender quitting: the socket closes with it, the file must go too
    log.info("agent access on 127.0.0.1:%d", bridge.port)
    return bridge


def stop() -> None:
    """Close the bridge and remove its access file (quit, unregister, the preference turned off)."""
    bridge, HOST.agent_bridge = HOST.agent_bridge, None
    if bridge is None:
        return

    def close() -> None:  # shutdown() waits for the listener's next poll: not on the main thread
        bridge.server.shutdown()
        bridge.server.server_close()

    threading.Thread(target=close, daemon=True, name="meshsmith-agent-bridge-close").start()
    _remove_access_file(bridge)
    atexit.unregister(_remove_access_file)


def _remove_access_file(bridge: AgentBridge) -> None:
    """Remove the bridge's access file, unless another Blender has written its own there since."""
    if bridge.access_file is None:
        return
    try:
        if json.loads(bridge.access_file.read_text()).get("token") == bridge.token:
            bridge.access_file.unlink()
    except (OSError, ValueError):
        pass
