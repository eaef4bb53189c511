"""A response body read piece by piece under its watch (see ``HttpClient.open_stream``), and the error an
exchange that broke is reported as."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import requests
import urllib3

from . import errors as E
from .watchdog import CANCELED, DEADLINE, Watch, read_some

log = logging.getLogger("meshsmith.http")

CHUNK_BYTES = 1 << 20
"""Streamed in pieces of up to 1 MiB: few Python-level iterations, little memory."""


class Stream:
    """A response whose body is read piece by piece under its watch (see ``HttpClient.open_stream``)."""

    def __init__(self, response: requests.Response, watch: Watch, service: str, limit_s: float | None) -> None:
        self.response = response
        self._watch = watch
        self._service = service
        self._limit_s = limit_s

    def allow(self, seconds: float) -> None:
        """Give the rest of this exchange ``seconds`` from now, whatever its deadline was (a status answer that
        turns out to carry a whole model gets the time a transfer takes)."""
        self._limit_s = seconds
        self._watch.deadline = time.monotonic() + seconds

    @property
    def stopped_by_deadline(self) -> bool:
        """True when the watchdog ended this exchange because its deadline passed."""
        return self._watch.reason == DEADLINE

    def chunks(self, size: int | None = None) -> Iterator[bytes]:
        """The body as it arrives (each piece at most ``size`` bytes, ``CHUNK_BYTES`` when None); ends with the body."""
        size = size or CHUNK_BYTES
        raw = self.response.raw
        while True:
            try:
                chunk = read_some(raw, size)
            except Exception as exc:  # urllib3 and http.client raise several kinds when a body breaks
                raise broken(self._watch, self._service, exc, self._limit_s) from strip(exc)
            if not chunk:
                if self._watch.reason:  # the watchdog shut the socket: an end that is not the body's end
                    raise broken(self._watch, self._service, EOFError(), self._limit_s)
                return
            self._watch.progress(len(chunk))
            yield chunk


def broken(watch: Watch, service: str, exc: BaseException, limit_s: float | None) -> E.MeshsmithError:
    """The error for an exchange that broke: the watchdog's reason when it stopped it, else the transport's."""
    if watch.reason == CANCELED:
        return E.JobCanceledError("Canceled.")
    if watch.reason == DEADLINE:
        return E.RequestTimeoutError(
            f"{service} did not finish answering within {limit_s or 0:.0f} seconds. Check your connection and try again.")
    if watch.reason:
        return E.RequestTimeoutError(
            f"The transfer from {service} was too slow (under {(watch.min_rate or 0) / 1024:.0f} KB/s for "
            f"{watch.window:.0f} seconds); Meshsmith will try again.")
    if isinstance(exc, (requests.exceptions.Timeout, urllib3.exceptions.TimeoutError, TimeoutError)):
        return E.RequestTimeoutError(f"{service} did not answer in time. Check your connection and try again.")
    return E.TransportError(f"Could not reach {service}: the connection failed or was dropped. Check your connection and try again.")


def strip(exc: BaseException) -> None:
    """Exceptions from requests print URLs and headers; keep them out of our chain (return None)."""
    log.debug("transport error: %s", E.redact(f"{type(exc).__name__}: {exc}"))
    return None
