"""Answers an attacker (or a broken proxy) would send: each is bounded in time and size and ends clearly.

The server here is hostile_server.HostileServer on loopback: it controls every byte and every pause.
Limits are shortened through HttpClient's own settings (the same code paths, smaller numbers).
"""

from __future__ import annotations

import gzip
import threading
import time
import tracemalloc

import pytest
from hostile_server import HostileServer, answer, drip

from meshsmith.net import errors as E
from meshsmith.net.downloads import download
from meshsmith.net.http import HttpClient
from meshsmith.net.sse import SseLineTooLongError, SseParser

GLB_HEAD = b"glTF"


def _no_wait(delay, cancel):
    return bool(cancel is not None and cancel.is_set())


def _client(**kwargs) -> HttpClient:
    kwargs.setdefault("sleep", _no_wait)
    return HttpClient(**kwargs)


def test_a_status_answer_sent_one_byte_a_second_ends_at_the_call_deadline():
    def slow_body(sock, _seen):
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n")
        drip(sock, b"{" + b" " * 98 + b"}", 0.3)

    with HostileServer({"/status": slow_body}) as server:
        started = time.monotonic()
        with pytest.raises(E.RequestTimeoutError, match="within 2 seconds"):
            _client(api_deadline=2.0).request("GET", server.url + "/status", service="Segmind")
        took = time.monotonic() - started
    # Every byte arrives well inside the 60 s read timeout: only the total deadline can stop this.
    assert 1.9 < took < 3.5


def test_headers_sent_one_byte_at_a_time_end_at_the_deadline_too():
    def slow_headers(sock, _seen):
        drip(sock, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Padding: " + b"a" * 200 + b"\r\n\r\n{}", 0.2)

    with HostileServer({"/status": slow_headers}) as server:
        started = time.monotonic()
        with pytest.raises(E.RequestTimeoutError):
            _client(api_deadline=1.5).request("GET", server.url + "/status", service="Scenario")
        assert time.monotonic() - started < 3.0


def test_the_deadline_covers_retries_as_well():
    def broken(sock, _seen):
        answer(sock, "503 Service Unavailable", b"{}")

    with HostileServer({"/status": broken}) as server:
        started = time.monotonic()
        with pytest.raises(E.ServerError):  # real backoff waits (0.5 s doubling), cut short by the 1 s deadline
            _client(api_deadline=1.0, sleep=None).request("GET", server.url + "/status", service="Meshy")
        assert time.monotonic() - started < 1.6
        assert server.hits("/status") < 5


def test_cancel_stops_a_dripping_read_within_a_second():
    stop = threading.Event()

    def slow_body(sock, _seen):
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
        drip(sock, b"x" * 1000, 0.1, stop)

    cancel = threading.Event()
    with HostileServer({"/status": slow_body}) as server:
        threading.Timer(0.5, cancel.set).start()
        started = time.monotonic()
        with pytest.raises(E.JobCanceledError):
            _client().request("GET", server.url + "/status", service="Segmind", cancel=cancel)
        took = time.monotonic() - started
        stop.set()
    assert took < 1.5


def test_a_download_below_the_minimum_rate_is_abandoned_then_resumed():
    body = GLB_HEAD + b"\x02\x00\x00\x00" + (4000).to_bytes(4, "little") + b"\x00" * 3988
    calls = []

    def trickle_then_fast(sock, seen):
        calls.append(seen.headers.get("range", ""))
        if len(calls) == 1:  # first: 100 bytes quickly, then a byte every 0.2 s (5 B/s, far below the floor)
            sock.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body[:100])
            drip(sock, body[100:], 0.2)
        else:  # the retry resumes where the first stopped
            start = int(seen.headers["range"].split("=")[1].rstrip("-"))
            part = body[start:]
            sock.sendall(f"HTTP/1.1 206 Partial Content\r\nContent-Length: {len(part)}\r\n\r\n".encode() + part)

    with HostileServer({"/model.glb": trickle_then_fast}) as server, _tmp() as folder:
        started = time.monotonic()
        path = download(_client(rate_window=1.0, min_download_rate=1024), server.url + "/model.glb", folder / "model.glb")
        assert path.read_bytes() == body
        assert time.monotonic() - started < 4.0
    assert calls[0] == "" and calls[1].startswith("bytes=") and int(calls[1][6:-1]) >= 100


def test_a_download_that_stays_too_slow_ends_with_a_clear_error_and_leaves_nothing():
    stop = threading.Event()

    def trickle(sock, _seen):
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
        drip(sock, b"x" * 100000, 0.05, stop)

    with HostileServer({"/model.glb": trickle}) as server, _tmp() as folder:
        with pytest.raises(E.RequestTimeoutError, match="too slow"):
            download(_client(rate_window=0.6, max_retries=1), server.url + "/model.glb", folder / "model.glb")
        stop.set()
        assert list(folder.iterdir()) == []


def test_a_gzip_bomb_is_refused_without_inflating_it():
    bomb = gzip.compress(b"\x00" * (256 << 20), compresslevel=9)  # ~250 KB on the wire, 256 MB inflated
    assert len(bomb) < 1 << 20

    def inflate(sock, _seen):
        answer(sock, "200 OK", bomb, {"Content-Type": "application/json", "Content-Encoding": "gzip"})

    with HostileServer({"/status": inflate}) as server:
        tracemalloc.start()
        try:
            with pytest.raises(E.RefusedAnswerError, match="more than 8 MB"):
                _client().request("GET", server.url + "/status", service="Scenario")
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert server.hits("/status") == 1  # refused, never retried
    assert peak < 48 << 20


def test_an_error_page_of_any_size_is_cut_to_a_few_kilobytes():
    def huge_error(sock, _seen):
        answer(sock, "400 Bad Request", b'{"error": "' + b"x" * (5 << 20) + b'"}', {"Content-Type": "application/json"})

    with HostileServer({"/job": huge_error}) as server:
        with pytest.raises(E.BadRequestError) as caught:
            _client().request("POST", server.url + "/job", service="Meshy", json={})
    assert len(str(caught.value)) < 1000


def test_json_nested_thousands_deep_is_refused_not_a_crash():
    def nested(sock, _seen):
        answer(sock, "200 OK", b"[" * 100000 + b"]" * 100000, {"Content-Type": "application/json"})

    from meshsmith.net.http import parse_json

    with HostileServer({"/status": nested}) as server:
        response = _client().request("GET", server.url + "/status", service="Segmind")
        with pytest.raises(E.RefusedAnswerError, match="nested too deeply"):
            parse_json(response, service="Segmind")


def test_a_redirect_loop_is_refused_at_once():
    def loop(sock, _seen):
        answer(sock, "302 Found", b"", {"Location": "/a"})

    with HostileServer({"/a": loop}) as server:
        sleeps = []
        with pytest.raises(E.RefusedAnswerError, match="loop"):
            _client(sleep=lambda d, c: sleeps.append(d) or False).request("GET", server.url + "/a", service="Meshy")
        assert server.hits("/a") == 1 and sleeps == []


def test_a_key_dropped_on_a_cross_host_redirect_is_not_called_a_wrong_key():
    with HostileServer({}) as other:
        other.routes["/login"] = lambda sock, _seen: answer(sock, "401 Unauthorized", b'{"error": "who are you"}')
        port = other.url.rsplit(":", 1)[1]

        def bounce(sock, _seen):
            answer(sock, "302 Found", b"", {"Location": f"http://localhost:{port}/login"})

        with HostileServer({"/v2/requests/x": bounce}) as server:
            with pytest.raises(E.AuthenticationError) as caught:
                _client().request("GET", server.url + "/v2/requests/x", service="Segmind",
                                  headers={"x-api-key": "SG_0123456789abcdef"})
        assert "x-api-key" not in other.seen[0].headers
    message = str(caught.value)
    assert "refused the API key" not in message and "never sends your key to another server" in message


def test_an_sse_line_without_end_is_refused_in_linear_time():
    parser = SseParser()
    piece = b"data: " + b"a" * 1018
    started = time.thread_time()
    with pytest.raises(SseLineTooLongError):
        for _ in range(4096):  # 4 MB in 1 KB reads, never a line end
            parser.feed(piece)
    # Before the fix this was quadratic (19 s of CPU for 4 MB); linear parsing reaches the cap in milliseconds.
    assert time.thread_time() - started < 0.5


def _parse_seconds(count: int) -> float:
    events = b"".join(b"data: %d\n\n" % n for n in range(count))
    parser = SseParser()
    started = time.thread_time()  # this thread's CPU only: other tests' threads do not count
    assert len(parser.feed(events)) == count
    return time.thread_time() - started


def test_many_short_lines_in_one_read_parse_in_linear_time():
    small = min(_parse_seconds(25000) for _ in range(3))
    large = min(_parse_seconds(100000) for _ in range(3))
    assert large < 8 * small  # four times the lines: about four times the time (quadratic would be sixteen)


def test_an_sse_event_of_many_data_lines_is_capped_as_well():
    parser = SseParser(max_line=10000)
    with pytest.raises(SseLineTooLongError):
        parser.feed(b"data: xxxxxxxxxx\n" * 2000)


def test_two_downloads_of_one_file_never_share_a_temporary_file():
    body = GLB_HEAD + b"\x02\x00\x00\x00" + (60012).to_bytes(4, "little") + b"\x01" * 60000
    gate = threading.Barrier(2)

    def slow_half(sock, _seen):
        sock.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body[:30000])
        gate.wait(5)  # both downloads are half-way, each in its own temporary file
        time.sleep(0.2)
        sock.sendall(body[30000:])

    with HostileServer({"/model.glb": slow_half}) as server, _tmp() as folder:
        results = []

        def fetch():
            results.append(download(_client(), server.url + "/model.glb", folder / "model.glb").read_bytes())

        threads = [threading.Thread(target=fetch) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        assert results == [body, body]
        assert sorted(p.name for p in folder.iterdir()) == ["model.glb"]


class _tmp:
    """A temporary folder as a context manager (tests above also use the server's context)."""

    def __enter__(self):
        import tempfile
        from pathlib import Path

        self._dir = tempfile.TemporaryDirectory()
        return Path(self._dir.name)

    def __exit__(self, *exc):
        self._dir.cleanup()
