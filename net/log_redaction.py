"""Keep credentials out of log lines: a logging filter that passes every record through ``errors.redact``.

Its own module so that the error tree does not load ``logging`` when the add-on registers; the
modules that log from worker threads (the HTTP layer, the job engine) install it as they load.
"""

from __future__ import annotations

import logging

from .errors import redact


class RedactingFilter(logging.Filter):
    """Scrubs credentials from every record of the loggers it is attached to (message and arguments)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True
        record.msg, record.args = redact(message), None
        return True


def install_log_redaction(logger_name: str = "meshsmith") -> None:
    """Attach ``RedactingFilter`` to Meshsmith's logger and its handlers (idempotent)."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())
