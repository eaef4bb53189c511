"""The sandbox's HTTP machinery: a small server on loopback that routes requests to handlers, with switchable faults.

Each simulator registers routes (method, path pattern, handler). Handlers get a ``Request`` and return
a ``Response``; a response body may be bytes or an iterator of byte chunks (for SSE and slow bodies).
Faults are armed on ``Sandbox.faults`` (or over HTTP at ``POST /_sandbox/faults``) and fire before
routing, so every simulated endpoint can be broken the same way.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .wire import Handler, Request, Response

__all__ = ["FAULT_KINDS", "Fault", "Handler", "Request", "Response", "Router"]




@dataclass
class Fault:
    """One armed fault: fires on the next ``count`` requests whose method and path match."""

    kind: str
    """drop | status | retry_after | malformed_json | stall | truncate | lose_answer | corrupt | unknown_status"""
    count: int = 1
    path_contains: str = ""
    method: str = ""
    status: int = 500
    retry_after: float = 1.0
    stall_s: float = 30.0
    answer_contains: str = ""
    """Fire only on an answer whose body holds this text (a self-hosted server's status answer that carries the
    model, among the polls on the same path); the handler runs first."""

    def matches(self, request: Request) -> bool:
        query = "&".join(f"{key}={value}" for key, value in request.query.items())
        target = f"{request.path}?{query}" if query else request.path
        return (not self.method or self.method == request.method) and self.path_contains in target


RECENT_BODIES = 32
"""How many request bodies the sandbox keeps for tests to look at (uploads can be megabytes each)."""
FAULT_KINDS = ("drop", "status", "retry_after", "malformed_json", "stall", "truncate", "lose_answer", "corrupt",
               "unknown_status")


class Router:
    """Serves routes on ``127.0.0.1`` in a background thread, with faults armed on it. Use as a context manager or
    start()/stop(). The simulators register their routes on it; ``server.Sandbox`` assembles them."""

    def __init__(self, port: int = 0, *, host: str = "127.0.0.1", fast: bool = True) -> None:
        self.host = host
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self.faults: list[Fault] = []
        self.request_log: list[tuple[str, str, dict[str, str]]] = []
        self.recent_bodies: deque[tuple[str, str, bytes]] = deque(maxlen=RECENT_BODIES)
        """(method, path, body) of the last requests that had a body: what tests check a request carried."""
        """Every request as (method, path with query, headers): tests inspect what was sent."""
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None
        self.fast = fast
        """Fast mode walks jobs through their states in a few polls; slow mode takes real seconds."""
        self.simulators: dict[str, Any] = {}
        """The simulators on this server, by the name of the module that defines each (``attach``)."""
        self.route("POST", r"/_sandbox/faults", self._arm_fault_over_http)
        self.route("GET", r"/_sandbox/health", lambda request: Response.json({"ok": True}))
        self.route("GET", r"/ping", lambda request: Response.json({"ok": True}))
        self.route("GET", r"/_sandbox/redirect", self._redirect)
        self.route("GET", r"/_sandbox/big\.glb", self._big_glb)
        self.route("GET", r"/_sandbox/echo-headers", lambda request: Response.json(request.headers))

    # --- lifecycle -----------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> Router:
        self._thread = threading.Thread(target=self._server.serve_forever, name="meshsmith-sandbox", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Router:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- routing -------------------------------------------------------------------------------------
    def attach(self, module: ModuleType) -> Any:
        """The simulator that ``module`` defines (its ``SIMULATOR`` class, built with this server), started on first
        use: a provider's simulator is served here without this server naming it."""
        with self._lock:
            found = self.simulators.get(module.__name__)
        if found is None:
            found = module.SIMULATOR(self)
            with self._lock:
                found = self.simulators.setdefault(module.__name__, found)
        return found

    def route(self, method: str, pattern: str, handler: Handler) -> None:
        self._routes.append((method, re.compile(pattern + r"$"), handler))

    def arm(self, kind: str, **options: Any) -> Fault:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; known: {', '.join(FAULT_KINDS)}")
        fault = Fault(kind=kind, **options)
        with self._lock:
            self.faults.append(fault)
        return fault

    def requests_matching(self, method: str, path_contains: str) -> list[tuple[str, str, dict[str, str]]]:
        return [entry for entry in self.request_log if entry[0] == method and path_contains in entry[1]]

    def _big_glb(self, request: Request) -> Response:
        """``/_sandbox/big.glb?size=N``: a valid GLB of N bytes, streamed in 1 MiB pieces (never held whole)."""
        import struct

        size = int(request.query.get("size", str(200 * 1024 * 1024)))
        json_chunk = b'{"asset":{"version":"2.0"}}    '
        bin_length = size - 12 - 8 - len(json_chunk) - 8
        head = (struct.pack("<4sII", b"glTF", 2, size) + struct.pack("<I4s", len(json_chunk), b"JSON") + json_chunk
                + struct.pack("<I4s", bin_length, b"BIN\x00"))

        def pieces():
            yield head
            left, block = bin_length, bytes(1 << 20)
            while left > 0:
                yield block[: min(left, len(block))]
                left -= len(block)

        return Response(200, pieces(), {"Content-Type": "model/gltf-binary", "Content-Length": str(size)})

    def _redirect(self, request: Request) -> Response:
        """``/_sandbox/redirect?to=URL``: a 302 to anywhere, for testing what clients follow."""
        return Response(302, b"", {"Location": request.query.get("to", "/"), "Content-Length": "0"})

    def _arm_fault_over_http(self, request: Request) -> Response:
        body = request.json() or {}
        self.arm(body.pop("kind"), **body)
        return Response.json({"armed": True})

    def _take_fault(self, request: Request) -> Fault | None:
        if request.path.startswith("/_sandbox/"):
            return None
        with self._lock:
            for fault in self.faults:
                if fault.count > 0 and not fault.answer_contains and fault.matches(request):
                    fault.count -= 1
                    return fault
        return None

    def _take_answer_fault(self, request: Request, response: Response) -> Fault | None:
        if not isinstance(response.body, bytes):
            return None
        with self._lock:
            for fault in self.faults:
                if (fault.count > 0 and fault.answer_contains and fault.matches(request)
                        and fault.answer_contains.encode() in response.body):
                    fault.count -= 1
                    return fault
        return None

    def dispatch(self, request: Request) -> Response:
        for method, pattern, handler in self._routes:
            if method == request.method:
                match = pattern.match(request.path)
                if match:
                    request.match = match
                    return handler(request)
        return Response.json({"error": "Not Found", "message": "Not Found", "reason": "Not Found"}, 404)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        sandbox = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - BaseHTTPRequestHandler's name
                pass

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                request = Request(self.command, parts.path, {k: v[-1] for k, v in parse_qs(parts.query).items()}, headers, body)
                with sandbox._lock:
                    sandbox.request_log.append((self.command, self.path, headers))
                    if body:
                        sandbox.recent_bodies.append((self.command, parts.path, body))
                fault = sandbox._take_fault(request)
                if fault is not None and fault.kind == "drop":
                    self._drop()
                    return
                if fault is not None and fault.kind in ("status", "retry_after"):
                    extra = {"Retry-After": f"{fault.retry_after:g}"} if fault.kind == "retry_after" else {}
                    status = 429 if fault.kind == "retry_after" else fault.status
                    self._send(Response.json({"error": "Injected fault", "message": "Injected fault", "reason": "Injected fault"}, status, extra))
                    return
                response = sandbox.dispatch(request)
                if fault is None:
                    fault = sandbox._take_answer_fault(request, response)
                    if fault is not None and fault.kind == "drop":
                        self._drop()
                        return
                    if fault is not None and fault.kind in ("status", "retry_after"):
                        self._send(Response.json({"error": "Injected fault"}, fault.status))
                        return
                if fault is not None and fault.kind == "lose_answer":
                    # The handler ran (the job exists) but the answer never arrives.
                    self._drop()
                    return
                if fault is not None and fault.kind == "corrupt" and isinstance(response.body, bytes):
                    response = Response(response.status, _corrupted(response.body), response.headers)
                if fault is not None and fault.kind == "unknown_status":
                    response = _with_unknown_status(response)
                if fault is not None and fault.kind == "malformed_json":
                    response = Response(response.status, b'{"status": "QUEUED", "trunc', {"Content-Type": "application/json"})
                if fault is not None and fault.kind == "stall":
                    response = Response(response.status, _stalled(response.body, fault.stall_s), response.headers)
                if fault is not None and fault.kind == "truncate":
                    data = response.body if isinstance(response.body, bytes) else b"".join(response.body)
                    self._send_truncated(response, data)
                    return
                self._send(_ranged(request, response))

            def _drop(self) -> None:
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

            def _send(self, response: Response) -> None:
                try:
                    self.send_response(response.status)
                    for key, value in response.headers.items():
                        self.send_header(key, value)
                    if isinstance(response.body, bytes):
                        self.send_header("Content-Length", str(len(response.body)))
                        self.end_headers()
                        self.wfile.write(response.body)
                    else:
                        # Streamed body (SSE, stalls): no length, close when done.
                        self.send_header("Connection", "close")
                        self.end_headers()
                        for chunk in response.body:
                            self.wfile.write(chunk)
                            self.wfile.flush()
                        self.close_connection = True
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

            def _send_truncated(self, response: Response, data: bytes) -> None:
                self.send_response(response.status)
                for key, value in response.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data[: max(1, len(data) // 2)])
                self.wfile.flush()
                self._drop()

            do_GET = do_POST = do_PUT = do_DELETE = _serve

        return _Handler


def _ranged(request: Request, response: Response) -> Response:
    """Honour ``Range: bytes=N-`` on a whole-body 200, as CDNs do, so clients can resume."""
    spec = request.header("range")
    if request.method != "GET" or response.status != 200 or not isinstance(response.body, bytes) or not spec.startswith("bytes="):
        return response
    start_text, _, end_text = spec[6:].partition("-")
    if not start_text.isdigit() or end_text:
        return response
    start, total = int(start_text), len(response.body)
    if start >= total:
        return Response(416, b"", {"Content-Range": f"bytes */{total}"})
    headers = {**response.headers, "Content-Range": f"bytes {start}-{total - 1}/{total}", "Accept-Ranges": "bytes"}
    return Response(206, response.body[start:], headers)


def _corrupted(body: bytes) -> bytes:
    """Same length, wrong bytes: a cache or proxy that mangled the file (inside a JSON answer that carries the
    model as base64, the model's own first bytes)."""
    marker = b'"model_base64": "'
    at = body.find(marker)
    if at >= 0:
        start = at + len(marker)
        return body[:start] + b"AAAAAAAA" + body[start + 8:]
    return b"\x00JUNK" + body[5:]


def _with_unknown_status(response: Response) -> Response:
    """The same JSON answer (or event stream) with its status word replaced by one no documentation lists."""
    if not isinstance(response.body, bytes):
        pattern = re.compile(rb'"status":\s*"[A-Za-z_-]+"')
        events = (pattern.sub(b'"status":"MYSTERY_STATE"', chunk) for chunk in response.body)
        return Response(response.status, events, response.headers)
    try:
        payload = json.loads(response.body)
    except ValueError:
        return response
    target = payload.get("job", payload) if isinstance(payload, dict) else None
    if isinstance(target, dict) and "status" in target:
        target["status"] = "MYSTERY_STATE"
    return Response(response.status, json.dumps(payload).encode(), response.headers)


def _stalled(body: bytes | Iterable[bytes], seconds: float) -> Iterator[bytes]:
    data = body if isinstance(body, bytes) else b"".join(body)
    yield data[: len(data) // 2]
    time.sleep(seconds)
    yield data[len(data) // 2 :]
