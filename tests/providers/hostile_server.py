"""A loopback server that answers as an attacker would: byte by byte, endlessly, inflated, in loops.

Each route is a function that gets the request line, headers and body and writes raw bytes to the socket
itself, so a test controls every byte and every pause (the sandbox's simulators answer like the real
services; this one answers like a hostile or broken one).
"""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]


Route = Callable[[socket.socket, Seen], None]


@dataclass
class HostileServer:
    routes: dict[str, Route] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)

    def __enter__(self) -> HostileServer:
        owner = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                data = b""
                while b"\r\n\r\n" not in data:
                    piece = self.request.recv(65536)
                    if not piece:
                        return
                    data += piece
                head, _, rest = data.partition(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path, _version = lines[0].split(" ", 2)
                headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
                length = int(headers.get("content-length", "0") or 0)
                while len(rest) < length:
                    piece = self.request.recv(65536)
                    if not piece:
                        break
                    rest += piece
                seen = Seen(method, path, headers)
                owner.seen.append(seen)
                route = owner.routes.get(path.split("?")[0])
                try:
                    if route is None:
                        self.request.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    else:
                        route(self.request, seen)
                except OSError:
                    pass  # the client hung up: that is the point of most routes

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def hits(self, path: str) -> int:
        return sum(1 for seen in self.seen if seen.path.split("?")[0] == path)


def drip(sock: socket.socket, data: bytes, every: float, stop: threading.Event | None = None) -> None:
    """Send ``data`` one byte at a time, ``every`` seconds apart (until the client hangs up)."""
    for index in range(len(data)):
        if stop is not None and stop.is_set():
            return
        sock.sendall(data[index:index + 1])
        time.sleep(every)


def answer(sock: socket.socket, status: str, body: bytes, headers: dict[str, str] | None = None) -> None:
    head = f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n"
    head += "".join(f"{key}: {value}\r\n" for key, value in (headers or {}).items())
    sock.sendall(head.encode("latin-1") + b"\r\n" + body)
