"""An incremental parser for Server-Sent Events (the text/event-stream format), as Meshy streams task progress.

Pure and byte-fed: ``feed()`` takes whatever a socket read returned (an event may be split across
reads, a line ending may be LF, CR or CRLF) and returns the events completed so far. Comment lines
(``: keep-alive``) are ignored; several ``data:`` lines of one event are joined with newlines, as
the SSE specification says.

Hostile streams are bounded: parsing is linear in the bytes received (the unfinished line is kept as a
list of pieces and only the new piece is searched for a line end), and a line longer than
``MAX_SSE_LINE_CHARS`` raises ``SseLineTooLongError`` instead of growing without limit.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass


@dataclass(frozen=True)
class ServerEvent:
    event: str
    """The ``event:`` field; "message" when the server sent none."""
    data: str
    id: str = ""


# Meshy's events are one-line JSON task objects of a few KB; a megabyte is far beyond any real one.
MAX_SSE_LINE_CHARS = 1 << 20


class SseLineTooLongError(ValueError):
    """A line of the stream grew past ``MAX_SSE_LINE_CHARS`` without ending."""


class SseParser:
    def __init__(self, max_line: int = MAX_SSE_LINE_CHARS) -> None:
        self._pieces: list[str] = []
        """The unfinished line so far, in the pieces it arrived in (joined once, when it ends)."""
        self._pending_length = 0
        self._pending_cr = False
        self._max_line = max_line
        self._event = ""
        self._data: list[str] = []
        self._data_length = 0
        self._id = ""
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def feed(self, chunk: bytes | str) -> list[ServerEvent]:
        """Add bytes from the stream; return the events they completed. Raises ``SseLineTooLongError``."""
        text = self._decoder.decode(chunk) if isinstance(chunk, bytes) else chunk
        if self._pending_cr and text.startswith("\n"):
            text = text[1:]  # The LF of a CRLF split across two reads.
        self._pending_cr = False
        events: list[ServerEvent] = []
        size = len(text)
        pos = 0
        next_lf = text.find("\n")
        next_cr = text.find("\r")
        while True:
            # Each search starts where the last one stopped and is repeated only once passed: linear overall.
            if 0 <= next_lf < pos:
                next_lf = text.find("\n", pos)
            if 0 <= next_cr < pos:
                next_cr = text.find("\r", pos)
            ends = [index for index in (next_lf, next_cr) if index >= 0]
            if not ends:
                break
            end = min(ends)
            after = end + 1
            if text[end] == "\r":
                if after < size and text[after] == "\n":
                    after += 1
                elif after == size:
                    self._pending_cr = True  # the LF of this CRLF may open the next read
            piece = text[pos:end]
            line = "".join(self._pieces) + piece if self._pieces else piece
            self._pieces, self._pending_length = [], 0
            self._check_length(len(line))
            event = self._line(line)
            if event is not None:
                events.append(event)
            pos = after
        if pos < size:
            self._pieces.append(text[pos:])
            self._pending_length += size - pos
            self._check_length(self._pending_length)
        return events

    def _check_length(self, length: int) -> None:
        if length > self._max_line or self._data_length > self._max_line:
            raise SseLineTooLongError(f"a server-sent event line or event over {self._max_line} characters")

    def close(self) -> list[ServerEvent]:
        """The stream ended: finish a last line and event that had no terminator."""
        events = []
        if self._pieces:
            line, self._pieces, self._pending_length = "".join(self._pieces).rstrip("\r"), [], 0
            event = self._line(line)
            if event is not None:
                events.append(event)
        event = self._line("")
        if event is not None:
            events.append(event)
        return events

    def _line(self, line: str) -> ServerEvent | None:
        if line == "":
            if not self._data and not self._event:
                return None
            event = ServerEvent(self._event or "message", "\n".join(self._data), self._id)
            self._event, self._data, self._data_length = "", [], 0
            return event
        if line.startswith(":"):
            return None  # a comment: keep-alive
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "event":
            self._event = value
        elif field == "data":
            self._data.append(value)
            self._data_length += len(value) + 1
            self._check_length(0)
        elif field == "id":
            self._id = value
        return None
