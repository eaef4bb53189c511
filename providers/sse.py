"""An incremental parser for Server-Sent Events (the text/event-stream format), as Meshy streams task progress.

Pure and byte-fed: ``feed()`` takes whatever a socket read returned (an event may be split across
reads, a line ending may be LF, CR or CRLF) and returns the events completed so far. Comment lines
(``: keep-alive``) are ignored; several ``data:`` lines of one event are joined with newlines, as
the SSE specification says.
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


class SseParser:
    def __init__(self) -> None:
        self._buffer = ""
        self._pending_cr = False
        self._event = ""
        self._data: list[str] = []
        self._id = ""
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def feed(self, chunk: bytes | str) -> list[ServerEvent]:
        """Add bytes from the stream; return the events they completed."""
        text = self._decoder.decode(chunk) if isinstance(chunk, bytes) else chunk
        if self._pending_cr and text.startswith("\n"):
            text = text[1:]  # The LF of a CRLF split across two reads.
        self._pending_cr = text.endswith("\r")
        self._buffer += text
        events: list[ServerEvent] = []
        while True:
            cut = _first_line_end(self._buffer)
            if cut is None:
                break
            line, rest = self._buffer[: cut[0]], self._buffer[cut[1]:]
            self._buffer = rest
            event = self._line(line)
            if event is not None:
                events.append(event)
        return events

    def close(self) -> list[ServerEvent]:
        """The stream ended: finish a last line and event that had no terminator."""
        events = []
        if self._buffer:
            line, self._buffer = self._buffer.rstrip("\r"), ""
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
            self._event, self._data = "", []
            return event
        if line.startswith(":"):
            return None  # a comment: keep-alive
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "event":
            self._event = value
        elif field == "data":
            self._data.append(value)
        elif field == "id":
            self._id = value
        return None


def _first_line_end(text: str) -> tuple[int, int] | None:
    """(end of line, start of next) for the first complete line, treating CRLF, LF and CR alike."""
    for index, char in enumerate(text):
        if char == "\n":
            return index, index + 1
        if char == "\r":
            if index + 1 < len(text):
                return index, index + 2 if text[index + 1] == "\n" else index + 1
            return None  # A trailing CR may be the first half of CRLF: wait for more.
    return None
