"""When to retry a request and how long to wait: pure functions, unit-tested with a frozen clock and seeded jitter."""

from __future__ import annotations

import random
import time
from email.utils import parsedate_to_datetime

# Reads are retried this many times: enough to ride out a short outage, few enough to report soon.
MAX_RETRIES = 4
# Backoff: 0.5 s doubling to at most 8 s, each wait jittered by up to half, so many Blender sessions
# do not hammer a recovering service in lockstep.
BACKOFF_BASE_S = 0.5
BACKOFF_CAP_S = 8.0
# Retry-After is honoured, but a server asking for more than 30 s is treated as 30 s: the job's own
# deadline and the artist's patience matter more than a conservative header.
RETRY_AFTER_CAP_S = 30.0
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


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


def parse_reset_at(value: str | None) -> float | None:
    """Seconds until an instant given as an ISO 8601 UTC time or epoch seconds (a rate-limit reset), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        instant = float(value)
    except ValueError:
        from datetime import datetime

        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        if moment.tzinfo is None:
            from datetime import UTC

            moment = moment.replace(tzinfo=UTC)  # the header's name says UTC
        instant = moment.timestamp()
    return max(0.0, instant - time.time())


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
