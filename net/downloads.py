"""Downloading result files: streamed to a temporary file of their own, resumed with Range, checked, renamed into place.

A download is abandoned when it stays under the client's minimum rate over its window (the watchdog stops
it) and resumed from where it stopped; a file appears under its final name only complete and checked by
the signature its extension promises, so a reader (another session, the importer) never sees half a file.
"""

from __future__ import annotations

import logging
import threading
import uuid
from pathlib import Path

from . import errors as E
from .files import check_file_kind, replace_atomically, write_bytes_atomic
from .http import HttpClient
from .retry_rules import backoff_delay, is_retryable_status

log = logging.getLogger("meshsmith.http")

DEFAULT_MAX_DOWNLOAD_BYTES = 1 << 30
"""Results are meshes with textures: 100k faces and four 4K maps fit in well under 1 GiB."""


def download(
    client: HttpClient,
    url: str,
    dest: Path,
    *,
    service: str = "The file server",
    max_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES,
    cancel: threading.Event | None = None,
) -> Path:
    """Stream ``url`` to ``dest`` without credentials; resume with Range after a dropped or too slow connection.

    The file appears at ``dest`` only complete and checked (by the signature its extension
    promises); until then it is a temporary file of this call's own beside it, so two sessions
    downloading the same result never write into one file.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(f".{dest.name}.{uuid.uuid4().hex[:12]}.part")
    try:
        _download_to(client, url, part, dest.name, service=service, max_bytes=max_bytes, cancel=cancel)
        check_file_kind(part, dest.suffix.lower(), service=service, name=dest.name)
        replace_atomically(part, dest)
    finally:
        part.unlink(missing_ok=True)
    return dest

def _download_to(client: HttpClient, url: str, part: Path, name: str, *, service: str, max_bytes: int,
                 cancel: threading.Event | None) -> None:
    attempt = 0
    while True:
        attempt += 1
        have = part.stat().st_size if part.exists() else 0
        # Identity encoding: the bytes counted are the file's bytes, and Range offsets mean what they say.
        headers = {"Accept-Encoding": "identity", **({"Range": f"bytes={have}-"} if have else {})}
        try:
            with client.open_stream("GET", url, service=service, headers=headers, cancel=cancel,
                                  min_rate=client.min_download_rate, ok_statuses=frozenset({416})) as stream:
                response = stream.response
                if have and response.status_code != 206:
                    have = 0  # The server ignored Range: start over.
                if response.status_code == 416:
                    raise E.BadDownloadError("The server refused to resume the download.")
                declared = response.headers.get("Content-Length")
                if declared and declared.isdigit() and have + int(declared) > max_bytes:
                    raise E.BadDownloadError(f"The result is {int(declared) >> 20} MB, over the {max_bytes >> 20} MB limit.")
                with part.open("ab" if have else "wb") as handle:
                    written = have
                    for chunk in stream.chunks():
                        written += len(chunk)
                        if written > max_bytes:
                            raise E.BadDownloadError(f"The result is over the {max_bytes >> 20} MB limit.")
                        handle.write(chunk)
                if declared and declared.isdigit() and written != have + int(declared):
                    raise E.TransportError("The download was cut short.")
        except E.HTTPStatusError as exc:
            if exc.status_code is not None and is_retryable_status(exc.status_code) and attempt <= client.max_retries:
                client.wait_or_cancel(backoff_delay(attempt, getattr(exc, "retry_after", None)), cancel)
                continue
            raise
        except E.TransportError as exc:
            if attempt <= client.max_retries and not isinstance(exc, E.TLSError):
                log.info("download of %s: %s; retry %d", name, exc, attempt)
                client.wait_or_cancel(backoff_delay(attempt), cancel)
                continue
            raise
        return

def write_atomic(dest: Path, data: bytes, *, expect: str) -> Path:
    """Write bytes received in a response body to ``dest``, checked and atomically."""
    tmp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex[:12]}.part")
    write_bytes_atomic(tmp, data, fsync=False)
    try:
        check_file_kind(tmp, expect, name=dest.name)
        replace_atomically(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest
