"""The one error tree of Meshsmith: every failure an artist can meet, with a message and, where one exists, the fix.

Rooted in ``MeshsmithError``. "The request failed" (``RequestError`` and its children) and "the job
failed" (``JobError``) are different branches, as replicate keeps ``ReplicateError`` apart from
``ModelError``. HTTP status codes are mapped to classes in exactly one function, ``error_for_status``.
Messages never contain a key: providers build them from status codes and server text only, and
``redact`` scrubs anything that looks like a credential before it reaches a message or a log.
"""

from __future__ import annotations

import functools
import re
from enum import Enum


class Fix(str, Enum):
    """What the panel offers next to an error so the artist can act on it at once."""

    NONE = "NONE"
    OPEN_PREFERENCES = "OPEN_PREFERENCES"
    ENABLE_ONLINE_ACCESS = "ENABLE_ONLINE_ACCESS"
    TOP_UP_CREDITS = "TOP_UP_CREDITS"
    RETRY_LATER = "RETRY_LATER"
    CHECK_INPUT = "CHECK_INPUT"


class MeshsmithError(Exception):
    """Base of every Meshsmith error. ``str(error)`` is the artist-facing message."""

    fix: Fix = Fix.NONE

    def __init__(self, message: str, *, fix: Fix | None = None) -> None:
        super().__init__(redact(message))
        if fix is not None:
            self.fix = fix

    @property
    def message(self) -> str:
        return str(self)


# --- Configuration: the request never left the machine -------------------------------------------
class ConfigurationError(MeshsmithError):
    """Something on this machine must change first (a key, a setting, an input)."""

    fix = Fix.OPEN_PREFERENCES


class MissingKeyError(ConfigurationError):
    """No API key is set for the chosen provider."""


class OfflineError(ConfigurationError):
    """Blender's "Allow Online Access" is off."""

    fix = Fix.ENABLE_ONLINE_ACCESS


class EndpointRetiredError(ConfigurationError):
    """The service no longer offers the endpoint the settings name (nothing was created or billed)."""


class InvalidInputError(ConfigurationError):
    """The image, prompt, mesh or a parameter cannot be sent as it is."""

    fix = Fix.CHECK_INPUT


class UnknownModelError(InvalidInputError):
    """The service has no model by the id asked for (a catalog model named in a script or on the command line)."""


# --- Request: the service could not be reached or refused the request ----------------------------
class RequestError(MeshsmithError):
    """A request to the service failed. The job may or may not exist remotely."""

    status_code: int | None = None

    def __init__(self, message: str, *, status_code: int | None = None, fix: Fix | None = None) -> None:
        super().__init__(message, fix=fix)
        self.status_code = status_code


class TransportError(RequestError):
    """The connection failed, timed out or broke off."""

    fix = Fix.RETRY_LATER


class RequestTimeoutError(TransportError):
    """The server did not answer in time."""


class TLSError(TransportError):
    """The TLS handshake failed: usually a corporate proxy that re-signs traffic."""

    fix = Fix.OPEN_PREFERENCES


class HTTPStatusError(RequestError):
    """The service answered with an HTTP error status."""

    code: str = ""
    """The service's own error code, when its error body names one (Meshy v2's ``code``), else ''."""
    error_type: str = ""
    """The service's error category, when its error body names one (Meshy v2's ``type``), else ''."""
    detail: str = ""
    """The service's own words from the error body (redacted), for telling causes apart; not for showing raw."""


class BadRequestError(HTTPStatusError):
    """The service rejected the parameters (HTTP 400 or 422)."""

    fix = Fix.CHECK_INPUT


class AuthenticationError(HTTPStatusError):
    """The key was refused (HTTP 401 or 403)."""

    fix = Fix.OPEN_PREFERENCES


class NotFoundError(HTTPStatusError):
    """The endpoint or the job does not exist (HTTP 404)."""


class MethodNotAllowedError(HTTPStatusError):
    """The endpoint exists but not for this method (HTTP 405): the service's API has changed."""


class GoneError(HTTPStatusError):
    """The service retired what was asked for (HTTP 410): nothing was created or billed."""


class InsufficientCreditsError(HTTPStatusError):
    """The account has no credits left (Segmind 406, Meshy 402)."""

    fix = Fix.TOP_UP_CREDITS


class RateLimitError(HTTPStatusError):
    """Too many requests or too many jobs at once (HTTP 429)."""

    fix = Fix.RETRY_LATER

    def __init__(self, message: str, *, status_code: int | None = 429, retry_after: float | None = None) -> None:
        super().__init__(message, status_code=status_code)
        self.retry_after = retry_after


class AccountBusyError(RateLimitError):
    """Nothing was created because too many of the account's own jobs are running: send again once one has ended,
    for up to ``patience_s`` seconds (the engine says so in the job list, with the time it gives up)."""

    def __init__(self, message: str, *, patience_s: float = 1800.0, retry_after: float | None = None) -> None:
        super().__init__(message, retry_after=retry_after)
        self.patience_s = patience_s


class ServerError(HTTPStatusError):
    """The service itself failed (HTTP 5xx)."""

    fix = Fix.RETRY_LATER


# --- Job outcome: the request worked, the job did not --------------------------------------------
class JobError(MeshsmithError):
    """The job was accepted but did not produce a result."""


class JobFailedError(JobError):
    """The service reports that the job failed."""

    fix = Fix.CHECK_INPUT


class JobCanceledError(JobError):
    """The job was canceled, here or on the service."""


class JobTimeoutError(JobError):
    """The job ran past its deadline or stopped making progress."""

    fix = Fix.RETRY_LATER


class SubmissionUnknownError(JobError):
    """The creating request was sent but its answer was lost or unusable: the job may exist and may be billed."""

    def __init__(self, message: str, *, lead: str = "", **kwargs: object) -> None:
        super().__init__(message, **kwargs)
        self.lead = lead
        """What happened to the answer, as the start of a sentence ("The answer from Segmind ... was lost")."""


# --- Data: the answer or the download cannot be used ---------------------------------------------
class DataError(MeshsmithError):
    """The service answered with something that cannot be used."""


class BadResponseError(DataError):
    """A response body was malformed or missing a field we need."""


class UnknownStatusError(BadResponseError):
    """The service reported a job status this version of Meshsmith does not know."""


class BadDownloadError(DataError):
    """A downloaded file is truncated, too large or not what it claims to be."""


class RefusedAnswerError(DataError):
    """The service answered with something Meshsmith refuses outright and never retries: a redirect to a
    local file or in a loop, a body over its size cap, a result file that points outside its job's folder."""


# --- Blender side ---------------------------------------------------------------------------------
class ImportFailedError(MeshsmithError):
    """Blender could not import the result."""


class BakeFailedError(ImportFailedError):
    """The result could not be baked onto the artist's object (the result itself is kept)."""


_STATUS_MESSAGES: dict[int, tuple[type[HTTPStatusError], str]] = {
    400: (BadRequestError, "{service} rejected the request: {detail}"),
    401: (AuthenticationError, "{service} refused the API key. Check it in Edit > Preferences > Add-ons > Meshsmith."),
    402: (InsufficientCreditsError, "Your {service} account has run out of credits. Top up, then try again."),
    403: (AuthenticationError, "{service} refused access: {detail}. Check the key and its project or plan."),
    404: (NotFoundError, "{service} does not know this address or job: {detail}"),
    405: (MethodNotAllowedError, "{service} refused the request method; its API may have changed. Update Meshsmith."),
    406: (InsufficientCreditsError, "Your {service} account has not enough credits for this job. Top up, then try again."),
    408: (RequestTimeoutError, "{service} timed out waiting for the request. Try again."),
    413: (BadRequestError, "{service} says the upload is too large. Use a smaller image or mesh."),
    422: (BadRequestError, "{service} could not process the parameters: {detail}"),
    429: (RateLimitError, "{service} is rate limiting this account: {detail}. Meshsmith will wait and retry reads; try submitting later."),
}


def error_for_status(
    service: str, status_code: int, detail: str = "", *, retry_after: float | None = None
) -> HTTPStatusError:
    """Map an HTTP error status to the matching error class with an artist-facing message.

    ``detail`` is the server's own text (already redacted by the caller's body parser); it is quoted,
    never trusted as a format string.
    """
    detail = (detail or "no details given").strip().rstrip(".")
    if status_code == 406 and _names_content_type(detail):
        cls, message = BadRequestError, (f"{service} refused the request's format ({detail}). Meshsmith may need an "
                                         "update; nothing was billed.")
    elif status_code == 406 and _names_spend_limit(detail):
        cls, message = InsufficientCreditsError, (f"Your {service} team has reached its spend limit ({detail}). Ask "
                                                  "the team's owner to raise it; nothing was billed.")
    elif status_code == 410:
        cls, message = GoneError, (f"{service} has retired this model or endpoint ({detail}); nothing was billed. "
                                   "Meshsmith may need an update.")
    elif status_code in _STATUS_MESSAGES:
        cls, template = _STATUS_MESSAGES[status_code]
        message = template.format(service=service, detail=detail)
    elif 500 <= status_code < 600:
        cls, message = ServerError, f"{service} had a server error (HTTP {status_code}): {detail}. Try again later."
    else:
        cls, message = HTTPStatusError, f"{service} answered HTTP {status_code}: {detail}"
    if cls is RateLimitError:
        return RateLimitError(message, status_code=status_code, retry_after=retry_after)
    return cls(message, status_code=status_code)


def _names_content_type(detail: str) -> bool:
    """Segmind's 406 for a request without ``Content-Type: application/json`` names the type, not credits."""
    text = detail.lower()
    return "content-type" in text or "content type" in text or "application/json" in text


def _names_spend_limit(detail: str) -> bool:
    """Segmind's 406 for a team over its spend limit."""
    text = detail.lower()
    return "spend limit" in text or "spending limit" in text or "limit exceeded" in text


# Patterns of credentials that must never reach a message or a log line.
_REDACTION_PATTERNS = [
    (r"(?i)(authorization\s*[:=]\s*)(basic|bearer)\s+[A-Za-z0-9._~+/=-]+", r"\1\2 [redacted]"),
    (r"(?i)\b(basic|bearer)\s+[A-Za-z0-9._~+/=-]{8,}", r"\1 [redacted]"),
    (r"(?i)(x-api-key['\"]?\s*[:=]\s*['\"]?)[^'\"\s,}]+", r"\1[redacted]"),
    (r"(?i)(api[_-]?(key|secret)['\"]?\s*[:=]\s*['\"]?)[^'\"\s,}]+", r"\1[redacted]"),
    (r"\bmsy[-_][A-Za-z0-9_]{8,}", "msy_[redacted]"),
    (r"(https?://)[^/\s:@]+:[^/\s@]+@", r"\1[redacted]@"),
]

_registered_secrets: set[str] = set()
"""Every key this process has used, redacted from every message and log line: process-wide on purpose (a log
line can come from any thread or engine), and it only ever grows."""


@functools.cache
def _redactions() -> list[tuple[re.Pattern[str], str]]:
    # Compiled on first use: this module is imported when the add-on registers, and that must stay quick.
    return [(re.compile(pattern), replacement) for pattern, replacement in _REDACTION_PATTERNS]


def register_secret(value: str | None) -> None:
    """Remember a secret so ``redact`` removes it verbatim wherever it appears.

    Only secrets of eight characters or more are remembered, so that short, common strings are not
    blanked out of unrelated text.
    """
    if value and len(value) >= 8:
        _registered_secrets.add(value)


def redact(text: str) -> str:
    """Remove credentials from ``text``: known secrets verbatim, and anything shaped like one."""
    for secret in _registered_secrets:
        if secret in text:
            text = text.replace(secret, "[redacted]")
    for pattern, replacement in _redactions():
        text = pattern.sub(replacement, text)
    return text
