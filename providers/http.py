"""One HTTP layer for every provider: timeouts, retries for reads, no retries for paid writes, safe downloads.

Rules kept here so that no provider can forget them:
- every request has a connect and a read timeout;
- GETs (and downloads) are retried with capped, jittered exponential backoff on connection errors,
  408, 429 and 5xx, honouring Retry-After up to a cap; a POST is sent exactly once, because a POST
  that creates a job costs the artist money;
- only https is spoken, except to loopback; a redirect to another scheme is refused, and credentials
  are never carried across a redirect to another host;
- downloads stream to a temporary file in the destination folder, respect a size cap, resume with
  Range where the server allows it, are checked by signature, and are renamed into place only when
  complete;
- the session itself holds no credentials: providers pass their auth headers per request, so a signed
  CDN URL is always fetched without them.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from ..version import VERSION
from . import errors as E
from .files import check_file_kind, replace_atomically, write_bytes_atomic
from .log_redaction import install_log_redaction
from .urls import is_allowed_url

log = logging.getLogger("meshsmith.http")
install_log_redaction("meshsmith.http")

# Connecting to a healthy API host takes well under a second; 10 s leaves room for slow DNS and
# corporate proxies while still failing fast when the host is unreachable.
CONNECT_TIMEOUT_S = 10.0
# Between two reads of one response; JSON APIs answer in seconds, CDN downloads keep bytes flowing.
# 60 s survives a congested link, and a stalled body is cut here rather than hanging the job.
READ_TIMEOUT_S = 60.0
# Segmind's synchronous v1 call holds the connection for the whole generation (about 40 s typical,
# several minutes at worst), so that one request gets a much longer read timeout.
SYNC_GENERATION_READ_TIMEOUT_S = 600.0
# Reads are retried this many times: enough to ride out a short outage, few enough to report soon.
MAX_RETRIES = 4
# Backoff: 0.5 s doubling to at most 8 s, each wait jittered by up to half, so many Blender sessions
# do not hammer a recovering service in lockstep.
BACKOFF_BASE_S = 0.5
BACKOFF_CAP_S = 8.0
# Retry-After is honoured, but a server asking for more than 30 s is treated as 30 s: the job's own
# deadline and the artist's patience matter more than a conservative header.
RETRY_AFTER_CAP_S = 30.0
# Results are meshes with textures: 100k faces and four 4K maps fit in well under 1 GiB.
DEFAULT_MAX_DOWNLOAD_BYTES = 1 << 30
# Streamed in 1 MiB chunks: few Python-level iterations, little memory.
CHUNK_BYTES = 1 << 20
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
MAX_REDIRECTS = 5
USER_AGENT = f"Meshsmith/{VERSION} (Blender extension)"


@dataclass(frozen=True)
class NetworkSettings:
    """What the artist (or a studio's IT) chose for the network, from the preferences."""

    ca_bundle: str = ""
    """A PEM file of extra trusted roots, for proxies that re-sign TLS. Empty: the system's."""
    trust_env: bool = True
    """Take HTTPS_PROXY / NO_PROXY / REQUESTS_CA_BUNDLE from the environment."""


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def backoff_delay(attempt: int, retry_after: float | None = None, *, rng: random.Random | None = None) -> float:
    """Seconds to wait before retry number ``attempt`` (1-based).

    Retry-After, when given, wins (capped); otherwise capped exponential backoff with jitter.
    """
    if retry_after is not None:
        return min(retry_after, RETRY_AFTER_CAP_S)
    base = min(BACKOFF_CAP_S, BACKOFF_BASE_S * (2 ** (attempt - 1)))
    return base * (0.5 + 0.5 * (rng or random).random())


def is_retryable_status(status_code: int) -> bool:
    return status_code in RETRYABLE_STATUSES


class HttpClient:
    """A requests session with Meshsmith's rules. Thread-safe for the way workers use it.

    ``cancel`` arguments are ``threading.Event``s: backoff waits on them, so cancel interrupts a wait at
    once, and a download checks them between chunks.
    """

    def __init__(
        self,
        settings: NetworkSettings | None = None,
        *,
        session: requests.Session | None = None,
        max_retries: int = MAX_RETRIES,
        sleep: Callable[[float, threading.Event | None], bool] | None = None,
        read_timeout: float = READ_TIMEOUT_S,
    ) -> None:
        self.settings = settings or NetworkSettings()
        self.session = session or requests.Session()
        self.session.trust_env = self.settings.trust_env
        self.session.headers["User-Agent"] = USER_AGENT
        self.max_retries = max_retries
        self.read_timeout = read_timeout
        """Default seconds between two reads of a response (tests and benchmarks shorten it)."""
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
        stream: bool = False,
        cancel: threading.Event | None = None,
        ok_statuses: frozenset[int] = frozenset(),
    ) -> requests.Response:
        """Send one request and return the response, raising the mapped error for an error status.

        ``retry`` defaults to True for GET and False for everything else. Statuses in ``ok_statuses``
        are returned instead of raised (Segmind sends a FAILED job with HTTP 422).
        """
        method = method.upper()
        if retry is None:
            retry = method == "GET"
        read_timeout = self.read_timeout if read_timeout is None else read_timeout
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._send(method, url, headers=headers, json=json, params=params,
                                      read_timeout=read_timeout, stream=stream, service=service)
            except E.TransportError as exc:
                if retry and attempt <= self.max_retries and not isinstance(exc, E.TLSError):
                    log.info("%s %s: %s; retry %d", method, _safe_url(url), exc, attempt)
                    self._wait_or_cancel(backoff_delay(attempt), cancel)
                    continue
                raise
            status = response.status_code
            if status < 400 or status in ok_statuses:
                return response
            if retry and is_retryable_status(status) and attempt <= self.max_retries:
                delay = backoff_delay(attempt, parse_retry_after(response.headers.get("Retry-After")))
                log.info("%s %s: HTTP %d; retry %d in %.1fs", method, _safe_url(url), status, attempt, delay)
                response.close()
                self._wait_or_cancel(delay, cancel)
                continue
            raise error_from_response(service, response)

    def _send(self, method: str, url: str, *, headers: Mapping[str, str] | None, json: Any,
              params: Mapping[str, Any] | None, read_timeout: float, stream: bool, service: str) -> requests.Response:
        """One request, following redirects by hand so that each hop is checked."""
        headers = dict(headers or {})
        origin = urlsplit(url).netloc
        for _hop in range(MAX_REDIRECTS + 1):
            if not is_allowed_url(url):
                raise E.TransportError(f"Refused to contact {_safe_url(url)}: only https is allowed (or http to this computer).")
            self.request_count += 1
            try:
                response = self.session.request(
                    method, url, headers=headers, json=json, params=params, stream=stream,
                    timeout=(CONNECT_TIMEOUT_S, read_timeout), allow_redirects=False,
                    verify=self.settings.ca_bundle or True,
                )
            except requests.exceptions.SSLError as exc:
                raise E.TLSError(
                    f"Could not make a secure connection to {service}: the certificate was not trusted. "
                    "Behind a company proxy, set its CA certificate file in Meshsmith's preferences."
                ) from _strip(exc)
            except (requests.exceptions.ConnectTimeout, requests.exceptions.ReadTimeout) as exc:
                raise E.RequestTimeoutError(f"{service} did not answer in time. Check your connection and try again.") from _strip(exc)
            except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
                raise E.TransportError(f"Could not reach {service}: the connection failed or was dropped. Check your connection and try again.") from _strip(exc)
            if response.is_redirect and "location" in response.headers:
                target = urljoin(url, response.headers["location"])
                response.close()
                if urlsplit(target).netloc != origin:
                    # Never carry credentials to another host (signed CDN URLs refuse them anyway).
                    headers = {k: v for k, v in headers.items() if k.lower() not in ("authorization", "x-api-key")}
                if response.status_code in (301, 302, 303) and method == "POST":
                    method, json = "GET", None
                url = target
                params = None
                continue
            return response
        raise E.TransportError(f"{service} redirected too many times.")

    def _wait_or_cancel(self, delay: float, cancel: threading.Event | None) -> None:
        if self._sleep(delay, cancel):
            raise E.JobCanceledError("Canceled.")

    # --- files ---------------------------------------------------------------------------------------
    def download(
        self,
        url: str,
        dest: Path,
        *,
        service: str = "The file server",
        max_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES,
        cancel: threading.Event | None = None,
    ) -> Path:
        """Stream ``url`` to ``dest`` without credentials; resume with Range after a dropped connection.

        The file appears at ``dest`` only complete and checked (by the signature its extension
        promises); a partial file lives beside it as ``dest.part`` until then.
        """
        dest.parent.mkdir(parents=True, exist_ok=True)
        part = dest.with_name(dest.name + ".part")
        part.unlink(missing_ok=True)
        attempt = 0
        while True:
            attempt += 1
            have = part.stat().st_size if part.exists() else 0
            headers = {"Range": f"bytes={have}-"} if have else {}
            try:
                response = self.request("GET", url, service=service, headers=headers, stream=True,
                                        cancel=cancel, ok_statuses=frozenset({416}))
                with response:
                    if have and response.status_code != 206:
                        have = 0  # The server ignored Range: start over.
                    if response.status_code == 416:
                        raise E.BadDownloadError("The server refused to resume the download.")
                    declared = response.headers.get("Content-Length")
                    if declared and declared.isdigit() and have + int(declared) > max_bytes:
                        raise E.BadDownloadError(f"The result is {int(declared) >> 20} MB, over the {max_bytes >> 20} MB limit.")
                    with part.open("ab" if have else "wb") as handle:
                        written = have
                        for chunk in response.iter_content(CHUNK_BYTES):
                            if cancel is not None and cancel.is_set():
                                raise E.JobCanceledError("Canceled.")
                            written += len(chunk)
                            if written > max_bytes:
                                raise E.BadDownloadError(f"The result is over the {max_bytes >> 20} MB limit.")
                            handle.write(chunk)
                    if declared and declared.isdigit() and written != have + int(declared):
                        raise E.TransportError("The download was cut short.")
            except (E.TransportError, requests.exceptions.RequestException) as exc:
                if attempt <= self.max_retries:
                    self._wait_or_cancel(backoff_delay(attempt), cancel)
                    continue
                part.unlink(missing_ok=True)
                if isinstance(exc, E.MeshsmithError):
                    raise
                raise E.TransportError(f"The download from {service} broke off. Try again.") from _strip(exc)
            except BaseException:
                part.unlink(missing_ok=True)
                raise
            break
        try:
            check_file_kind(part, dest.suffix.lower())
        except E.BadDownloadError:
            part.unlink(missing_ok=True)
            raise
        replace_atomically(part, dest)
        return dest

    def write_atomic(self, dest: Path, data: bytes, *, expect: str) -> Path:
        """Write bytes received in a response body to ``dest``, checked and atomically."""
        tmp = dest.with_name(dest.name + ".part")
        write_bytes_atomic(tmp, data, fsync=False)
        try:
            check_file_kind(tmp, expect)
        except E.BadDownloadError:
            tmp.unlink(missing_ok=True)
            raise
        replace_atomically(tmp, dest)
        return dest


def _wait(delay: float, cancel: threading.Event | None) -> bool:
    """Wait ``delay`` seconds; return True at once if ``cancel`` is set (never ``time.sleep``)."""
    if cancel is None:
        cancel = threading.Event()
    return cancel.wait(delay)


def _safe_url(url: str) -> str:
    """The URL without its query string: signed URLs carry signatures that do not belong in logs."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _strip(exc: BaseException) -> None:
    """Exceptions from requests print URLs and headers; keep them out of our chain (return None)."""
    log.debug("transport error: %s", E.redact(f"{type(exc).__name__}: {exc}"))
    return None


def error_detail(response: requests.Response) -> str:
    """The server's own words from an error body: {"error"|"message"|"reason"|"detail": ...} or plain text."""
    try:
        body = response.json()
    except ValueError:
        text = (response.text or "").strip()
        return E.redact(text[:200]) if text and "<html" not in text.lower() else ""
    if isinstance(body, dict):
        for key in ("error", "message", "reason", "detail"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return E.redact(value[:300])
    return ""


def error_from_response(service: str, response: requests.Response) -> E.HTTPStatusError:
    """Build the mapped error for an error response (reads the body for the server's words)."""
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    if retry_after is None and response.status_code == 429:
        try:
            body = response.json()
            if isinstance(body, dict) and isinstance(body.get("remainingSeconds"), (int, float)):
                retry_after = float(body["remainingSeconds"])
        except ValueError:
            pass
    return E.error_for_status(service, response.status_code, error_detail(response), retry_after=retry_after)


def parse_json(response: requests.Response, *, service: str) -> Any:
    """The response body as JSON, or ``BadResponseError`` with an artist-facing message."""
    try:
        return response.json()
    except ValueError:
        raise E.BadResponseError(f"{service} sent an answer that is not valid JSON. Try again; if it persists, the service may have changed.") from None
