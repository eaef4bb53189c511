"""One HTTP layer for every provider: timeouts, deadlines, size caps, retries for reads, no retries for paid writes.

Rules kept here so that no provider can forget them:
- every request has a connect and a read timeout, and every call a total deadline (reads 90 s, writes
  5 minutes, retries included) enforced by the watchdog in ``http_watchdog``, which also makes a
  cancel take effect within a fraction of a second, even in the middle of a read;
- every body is read with a cap on its decoded size (JSON 8 MB, error pages 64 KB, downloads 1 GiB),
  counted after decompression, so a small gzip answer cannot inflate to gigabytes;
- GETs (and downloads) are retried with capped, jittered exponential backoff on connection errors,
  408, 429 and 5xx, honouring Retry-After up to a cap; a POST is sent exactly once, because a POST
  that creates a job costs the artist money;
- only https is spoken, except to loopback; a redirect to another scheme or in a loop is refused at
  once (never retried), and credentials are never carried across a redirect to another host;
- downloads stream to a temporary file of their own in the destination folder (two Blender sessions
  never share one), are abandoned when they stay under 1 KB/s for 30 s, respect a size cap, resume with
  Range where the server allows it, are checked by signature, and are renamed into place only when complete;
- the session itself holds no credentials: providers pass their auth headers per request, so a signed
  CDN URL is always fetched without them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from . import errors as E
from .answers import error_detail, error_from_response, parse_json
from .log_redaction import install_log_redaction
from .retry_rules import (
    BACKOFF_BASE_S,
    BACKOFF_CAP_S,
    MAX_RETRIES,
    RETRY_AFTER_CAP_S,
    RETRYABLE_STATUSES,
    backoff_delay,
    is_retryable_status,
    parse_reset_at,
    parse_retry_after,
)
from .streams import Stream, broken, strip
from .urls import is_allowed_url
from .version import VERSION
from .watchdog import DEADLINE, Watch, WatchedAdapter, watching

__all__ = ["API_DEADLINE_S", "BACKOFF_BASE_S", "BACKOFF_CAP_S", "MAX_RETRIES", "RETRY_AFTER_CAP_S", "RETRYABLE_STATUSES",
           "HttpClient", "NetworkSettings", "Stream", "backoff_delay", "error_detail", "error_from_response",
           "is_retryable_status", "parse_json", "parse_reset_at", "parse_retry_after"]

log = logging.getLogger("meshsmith.http")
install_log_redaction("meshsmith.http")

# Connecting to a healthy API host takes well under a second; 10 s leaves room for slow DNS and
# corporate proxies while still failing fast when the host is unreachable.
CONNECT_TIMEOUT_S = 10.0
# Between two reads of one response; JSON APIs answer in seconds, CDN downloads keep bytes flowing.
# 60 s survives a congested link, and a stalled body is cut here rather than hanging the job.
READ_TIMEOUT_S = 60.0
# A status check or any other small JSON read is over within this, retries included, however slowly the
# server sends: a job never sits in one poll for longer, and the engine's stall rules take over.
API_DEADLINE_S = 90.0
# A write may carry a mesh as a data URI (tens of MB) over a slow uplink: it gets five minutes.
WRITE_DEADLINE_S = 300.0
# Segmind's synchronous v1 call holds the connection for the whole generation (about 40 s typical,
# several minutes at worst), so that one request gets a much longer read timeout and deadline.
SYNC_GENERATION_READ_TIMEOUT_S = 600.0
SYNC_GENERATION_DEADLINE_S = 15 * 60.0
# A download slower than 1 KB/s over 30 s is a server holding the connection, not a slow link: it is
# abandoned (and resumed with Range on the next attempt).
MIN_DOWNLOAD_RATE_BPS = 1024.0
RATE_WINDOW_S = 30.0
# The largest JSON answer any provider sends is a task list of 50 entries: a few hundred KB.
MAX_JSON_BYTES = 8 << 20
# An error page is read only for the server's own words.
MAX_ERROR_BODY_BYTES = 64 << 10
MAX_REDIRECTS = 5
USER_AGENT = f"Meshsmith/{VERSION} (Blender extension)"


@dataclass(frozen=True)
class NetworkSettings:
    """What the artist (or a studio's IT) chose for the network, from the preferences."""

    ca_bundle: str = ""
    """A PEM file of extra trusted roots, for proxies that re-sign TLS. Empty: the system's."""
    trust_env: bool = True
    """Take HTTPS_PROXY / NO_PROXY / REQUESTS_CA_BUNDLE from the environment."""


class HttpClient:
    """A requests session with Meshsmith's rules. Thread-safe for the way workers use it.

    ``cancel`` arguments are ``threading.Event``s: backoff waits on them, and the watchdog stops a read
    in progress when one is set, so a cancel takes effect within a fraction of a second.
    """

    def __init__(
        self,
        settings: NetworkSettings | None = None,
        *,
        session: requests.Session | None = None,
        max_retries: int = MAX_RETRIES,
        sleep: Callable[[float, threading.Event | None], bool] | None = None,
        read_timeout: float = READ_TIMEOUT_S,
        api_deadline: float = API_DEADLINE_S,
        write_deadline: float = WRITE_DEADLINE_S,
        min_download_rate: float = MIN_DOWNLOAD_RATE_BPS,
        rate_window: float = RATE_WINDOW_S,
    ) -> None:
        self.settings = settings or NetworkSettings()
        self.session = session or requests.Session()
        adapter = WatchedAdapter()
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.session.trust_env = self.settings.trust_env
        self.session.headers["User-Agent"] = USER_AGENT
        self.max_retries = max_retries
        self.plain_http_hosts: frozenset[str] = frozenset()
        """Hosts of the artist's own servers that may be reached over plain http (each on the local network:
        ``urls.is_local_network_host``); set by the client of a self-hosted provider for the servers listed."""
        self.read_timeout = read_timeout
        """Default seconds between two reads of a response (tests and benchmarks shorten it)."""
        self.api_deadline = api_deadline
        """Total seconds a read call may take, retries included."""
        self.write_deadline = write_deadline
        """Total seconds a write (POST, PUT...) may take."""
        self.min_download_rate = min_download_rate
        self.rate_window = rate_window
        self._sleep = sleep or _wait
        self.request_count = 0
        """How many HTTP requests this client has sent, retries included (for the benchmarks)."""

    # --- plain requests ----------------------------------------------------------------------------
    def request(
        self,
        method: str,
        url: str,
        *,
        service: str,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        retry: bool | None = None,
        read_timeout: float | None = None,
        deadline: float | None = None,
        max_body: int = MAX_JSON_BYTES,
        cancel: threading.Event | None = None,
        ok_statuses: frozenset[int] = frozenset(),
        data: bytes | None = None,
    ) -> requests.Response:
        """Send one request and return the response with its body read, raising the mapped error for an error status.

        ``data``: raw bytes to send instead of ``json`` (a part of a multipart upload).
        ``retry`` defaults to True for GET and False for everything else. Statuses in ``ok_statuses``
        are returned instead of raised (Segmind sends a FAILED job with HTTP 422). The whole call,
        retries included, ends within ``deadline`` seconds (default: ``api_deadline`` for GET,
        ``write_deadline`` otherwise); a body over ``max_body`` decoded bytes is refused.
        """
        method = method.upper()
        if retry is None:
            retry = method == "GET"
        read_timeout = self.read_timeout if read_timeout is None else read_timeout
        limit_s = deadline if deadline is not None else (self.api_deadline if method == "GET" else self.write_deadline)
        end = time.monotonic() + limit_s
        attempt = 0
        while True:
            attempt += 1
            watch = Watch(deadline=end, cancel=cancel)
            try:
                with watching(watch):
                    response = self._send(method, url, headers=headers, json=json, params=params,
                                          read_timeout=read_timeout, service=service, watch=watch, limit_s=limit_s,
                                          data=data)
                    status = response.status_code
                    passed = status < 400 or status in ok_statuses
                    self._read_body(response, watch, service, max_body if passed else MAX_ERROR_BODY_BYTES,
                                    truncate=not passed, limit_s=limit_s)
            except E.TransportError as exc:
                delay = backoff_delay(attempt)
                # A retry that could not finish before the call's deadline is not worth starting.
                if (retry and attempt <= self.max_retries and not isinstance(exc, E.TLSError)
                        and watch.reason != DEADLINE and delay < end - time.monotonic()):
                    log.info("%s %s: %s; retry %d", method, _safe_url(url), exc, attempt)
                    self.wait_or_cancel(delay, cancel)
                    continue
                raise
            if passed:
                return response
            delay = backoff_delay(attempt, parse_retry_after(response.headers.get("Retry-After")))
            if retry and is_retryable_status(status) and attempt <= self.max_retries and delay < end - time.monotonic():
                log.info("%s %s: HTTP %d; retry %d in %.1fs", method, _safe_url(url), status, attempt, delay)
                self.wait_or_cancel(delay, cancel)
                continue
            raise error_from_response(service, response)

    @contextmanager
    def open_stream(
        self,
        method: str,
        url: str,
        *,
        service: str,
        headers: Mapping[str, str] | None = None,
        read_timeout: float | None = None,
        deadline: float | None = None,
        min_rate: float | None = None,
        cancel: threading.Event | None = None,
        ok_statuses: frozenset[int] = frozenset(),
    ) -> Iterator[Stream]:
        """One request whose body the caller reads piece by piece (a download, a server-sent event stream).

        Sent once, never retried here. The watch stays armed for the whole block: ``deadline`` seconds
        in all, at least ``min_rate`` bytes a second over the client's rate window, and ``cancel``.
        An error status raises the mapped error before the block runs.
        """
        read_timeout = self.read_timeout if read_timeout is None else read_timeout
        limit_s = deadline
        watch = Watch(deadline=None if deadline is None else time.monotonic() + deadline, cancel=cancel,
                      min_rate=min_rate, window=self.rate_window)
        with watching(watch):
            response = self._send(method.upper(), url, headers=headers, json=None, params=None,
                                  read_timeout=read_timeout, service=service, watch=watch, limit_s=limit_s)
            try:
                if response.status_code >= 400 and response.status_code not in ok_statuses:
                    self._read_body(response, watch, service, MAX_ERROR_BODY_BYTES, truncate=True, limit_s=limit_s)
                    raise error_from_response(service, response)
                yield Stream(response, watch, service, limit_s)
            finally:
                response.close()

    def _send(self, method: str, url: str, *, headers: Mapping[str, str] | None, json: Any,
              params: Mapping[str, Any] | None, read_timeout: float, service: str, watch: Watch,
              limit_s: float | None, data: bytes | None = None) -> requests.Response:
        """One request up to its headers, following redirects by hand so that each hop is checked."""
        headers = dict(headers or {})
        origin = urlsplit(url).netloc
        dropped_credentials = False
        seen: set[str] = set()
        for _hop in range(MAX_REDIRECTS + 1):
            if not is_allowed_url(url, self.plain_http_hosts):
                raise E.RefusedAnswerError(
                    f"Refused to contact {_safe_url(url)}: only https is allowed (or http to this computer, or to a "
                    "server of your own on your own network).")
            if url in seen:
                raise E.RefusedAnswerError(f"{service} redirected in a loop; Meshsmith stopped following it.")
            seen.add(url)
            self.request_count += 1
            try:
                response = self.session.request(
                    method, url, headers=headers, json=json, params=params, data=data, stream=True,
                    timeout=(CONNECT_TIMEOUT_S, read_timeout), allow_redirects=False,
                    verify=self.settings.ca_bundle or True,
                )
            except requests.exceptions.SSLError as exc:
                raise E.TLSError(
                    f"Could not make a secure connection to {service}: the certificate was not trusted. "
                    "Behind a company proxy, set its CA certificate file in Meshsmith's preferences."
                ) from strip(exc)
            except (requests.exceptions.RequestException, OSError) as exc:
                raise broken(watch, service, exc, limit_s) from strip(exc)
            if response.is_redirect and "location" in response.headers:
                target = urljoin(url, response.headers["location"])
                response.close()
                if urlsplit(target).netloc != origin:
                    # Never carry credentials to another host (signed CDN URLs refuse them anyway).
                    kept = {k: v for k, v in headers.items() if k.lower() not in ("authorization", "x-api-key")}
                    dropped_credentials = dropped_credentials or len(kept) != len(headers)
                    headers = kept
                if response.status_code in (301, 302, 303) and method == "POST":
                    method, json, data = "GET", None, None
                url = target
                params = None
                continue
            response.meshsmith_credentials_dropped = dropped_credentials  # type: ignore[attr-defined]
            return response
        raise E.RefusedAnswerError(f"{service} redirected more than {MAX_REDIRECTS} times; Meshsmith stopped following it.")

    def _read_body(self, response: requests.Response, watch: Watch, service: str, limit: int, *,
                   truncate: bool, limit_s: float | None) -> None:
        """Read the whole body into ``response`` (so ``.json()``, ``.content`` work), at most ``limit`` decoded bytes.

        Over the limit: cut there when ``truncate`` (an error page), else refuse the answer.
        """
        chunks: list[bytes] = []
        total = 0
        complete = True
        try:
            for chunk in Stream(response, watch, service, limit_s).chunks():
                total += len(chunk)
                if total > limit:
                    if not truncate:
                        raise E.RefusedAnswerError(
                            f"{service} sent an answer of more than {_size(limit)} (after decompression); "
                            "Meshsmith refused it. If this persists, the service may be misbehaving.")
                    chunks.append(chunk[: len(chunk) - (total - limit)])
                    complete = False
                    break
                chunks.append(chunk)
        except E.MeshsmithError:
            response.close()
            raise
        response._content = b"".join(chunks)
        response._content_consumed = True
        if complete:
            release = getattr(response.raw, "release_conn", None)
            if release is not None and hasattr(response.raw, "read1"):
                release()
            else:
                response.raw.close()
        else:
            response.raw.close()

    def wait_or_cancel(self, delay: float, cancel: threading.Event | None) -> None:
        """Wait ``delay`` seconds; raise ``JobCanceledError`` as soon as ``cancel`` is set."""
        if self._sleep(delay, cancel):
            raise E.JobCanceledError("Canceled.")


def _size(count: int) -> str:
    return f"{count >> 20} MB" if count >= 1 << 20 else f"{count >> 10} KB"


def _wait(delay: float, cancel: threading.Event | None) -> bool:
    """Wait ``delay`` seconds; return True at once if ``cancel`` is set (never ``time.sleep``)."""
    if cancel is None:
        cancel = threading.Event()
    return cancel.wait(delay)


def _safe_url(url: str) -> str:
    """The URL without its query string: signed URLs carry signatures that do not belong in logs."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"
