"""SSE parsing: events split across reads, comments, CRLF, several data lines, the error event."""

import json

import pytest

from meshsmith.net.sse import SseParser

STREAM = (
    ": keep-alive\r\n\r\n"
    "event: message\r\ndata: {\"id\":\"t1\",\"progress\":0,\"status\":\"PENDING\"}\r\n\r\n"
    "event: message\ndata: {\"id\":\"t1\",\"progress\":50,\"status\":\"IN_PROGRESS\"}\n\n"
    "event: error\rdata: {\"status_code\":404,\"message\":\"Task not found\"}\r\r"
)


def _events(chunks):
    parser = SseParser()
    return [event for chunk in chunks for event in parser.feed(chunk)] + parser.close()


def test_whole_stream_in_one_read():
    events = _events([STREAM.encode()])
    assert [e.event for e in events] == ["message", "message", "error"]
    assert json.loads(events[1].data)["progress"] == 50
    assert json.loads(events[2].data)["message"] == "Task not found"


@pytest.mark.parametrize("size", [1, 2, 3, 7, 13])
def test_events_split_across_reads_give_the_same_result(size):
    data = STREAM.encode()
    chunks = [data[i:i + size] for i in range(0, len(data), size)]
    assert _events(chunks) == _events([data])


def test_comments_alone_make_no_event():
    assert _events([b": ping\n\n: ping\r\n\r\n"]) == []


def test_multiline_data_is_joined():
    (event,) = _events([b"data: line one\ndata: line two\n\n"])
    assert event.event == "message" and event.data == "line one\nline two"


def test_an_unfinished_event_is_held_back():
    parser = SseParser()
    assert parser.feed(b"event: message\ndata: {\"a\":1}\n") == []
    assert parser.feed(b"\n")[0].data == '{"a":1}'


def test_utf8_split_inside_a_character_is_tolerated():
    data = "data: caf\u00e9\n\n".encode()
    events = _events([data[:10], data[10:]])  # split inside the two bytes of é
    assert events[0].data == "caf\u00e9"
