"""Reading a service's answer: JSON bodies, and the mapped error for an error status with the service's own words."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests

from . import errors as E
from .retry_rules import parse_reset_at, parse_retry_after


def error_detail(response: requests.Response) -> str:
    """The server's own words from an error body: {"error"|"message"|"reason"|"detail": ...} or plain text."""
    try:
        body = response.json()
    except (ValueError, RecursionError):
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
    if response.status_code in (401, 403) and getattr(response, "meshsmith_credentials_dropped", False):
        host = urlsplit(response.url or "").hostname or "another server"
        return E.AuthenticationError(
            f"{service} sent the request on to {host}, which refused it: Meshsmith never sends your key to another "
            "server. Your key was not checked; if this persists, the service's address may be wrong.",
            status_code=response.status_code)
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    if retry_after is None and response.status_code == 429:
        # Segmind says when its window resets instead of how long to wait.
        retry_after = parse_reset_at(response.headers.get("x-rate-limit-reset-at-utc"))
    if retry_after is None and response.status_code == 429:
        try:
            body = response.json()
            if isinstance(body, dict) and isinstance(body.get("remainingSeconds"), (int, float)):
                retry_after = float(body["remainingSeconds"])
        except (ValueError, RecursionError):
            pass
    detail = error_detail(response)
    error = E.error_for_status(service, response.status_code, detail, retry_after=retry_after)
    error.code, error.error_type = error_code(response)
    error.detail = detail
    return error


def error_code(response: requests.Response) -> tuple[str, str]:
    """(code, type) from an error body of the form ``{"type", "code", "message", ...}`` (each '' when absent)."""
    try:
        body = response.json()
    except (ValueError, RecursionError):
        return "", ""
    if not isinstance(body, dict):
        return "", ""
    found = [body.get(key) for key in ("code", "type")]
    return tuple(value[:80] if isinstance(value, str) and value.isascii() else "" for value in found)  # type: ignore[return-value]


def parse_json(response: requests.Response, *, service: str) -> Any:
    """The response body as JSON, or ``BadResponseError`` with an artist-facing message."""
    try:
        return response.json()
    except RecursionError:
        raise E.RefusedAnswerError(f"{service} sent an answer nested too deeply to read; Meshsmith refused it.") from None
    except ValueError:
        raise E.BadResponseError(f"{service} sent an answer that is not valid JSON. Try again; if it persists, the service may have changed.") from None
