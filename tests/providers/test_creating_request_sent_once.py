"""The promises that keep a job from being paid twice, each pinned by a test of its own:

- the transport never sends a creating request (a POST not marked retryable) again after it may have reached the
  service: not when its answer times out, not when the connection drops after the request was sent;
- the engine journals SUBMITTING, on disk, before the creating request leaves (a crash from then on is looked up,
  never resent).
"""

from __future__ import annotations

import threading
import time

import pytest
from hostile_server import HostileServer

from meshsmith.jobs.engine import JobEngine
from meshsmith.jobs.records import JobRecord, JobState
from meshsmith.jobs.store import JobStore
from meshsmith.net import errors as E
from meshsmith.net.http import HttpClient
from meshsmith.providers.base import Provider


def _no_wait(delay, cancel):
    return bool(cancel is not None and cancel.is_set())


def _never_answers(stop: threading.Event):
    def route(sock, _seen):
        stop.wait(10)  # read the request, then say nothing until the test ends

    return route


def _hangs_up(sock, _seen):
    sock.close()  # the request arrived whole; the answer never comes


@pytest.mark.parametrize("retry", [None, False])
def test_a_creating_post_whose_answer_times_out_is_sent_once(retry):
    stop = threading.Event()
    with HostileServer({"/jobs": _never_answers(stop)}) as server:
        client = HttpClient(sleep=_no_wait, read_timeout=0.3)
        started = time.monotonic()
        with pytest.raises(E.TransportError):
            client.request("POST", server.url + "/jobs", service="Paid", json={"prompt": "a pot"}, retry=retry)
        stop.set()
        assert server.hits("/jobs") == 1
        assert time.monotonic() - started < 5


@pytest.mark.parametrize("retry", [None, False])
def test_a_creating_post_whose_connection_drops_after_sending_is_sent_once(retry):
    with HostileServer({"/jobs": _hangs_up}) as server:
        client = HttpClient(sleep=_no_wait)
        with pytest.raises(E.TransportError):
            client.request("POST", server.url + "/jobs", service="Paid", json={"prompt": "a pot"}, retry=retry)
        time.sleep(0.1)  # any second attempt would have arrived by now
        assert server.hits("/jobs") == 1


def test_a_read_that_times_out_is_retried_so_the_test_above_can_fail():
    # The same server and settings for a GET (safe to repeat): the transport retries it. Were the POST tests
    # unable to see a second request, this one would fail too.
    stop = threading.Event()
    with HostileServer({"/jobs": _never_answers(stop)}) as server:
        client = HttpClient(sleep=_no_wait, read_timeout=0.3, max_retries=2)
        with pytest.raises(E.TransportError):
            client.request("GET", server.url + "/jobs", service="Paid")
        stop.set()
        assert server.hits("/jobs") == 3


class _JournalWitness(Provider):
    """A provider whose creating request looks at the journal on disk, as a crash at that moment would leave it."""

    name = label = "Witness"

    def __init__(self, folder) -> None:
        super().__init__(HttpClient())
        self.folder = folder
        self.seen: list[JobState | None] = []

    def prepare(self, params, inputs):
        return params

    def submit(self, request, on_created):
        self.seen.append(next(iter(JobStore(self.folder).load().values())).state)
        raise E.TransportError("the answer was lost")

    def status(self, remote_id):
        raise AssertionError("a job whose answer was lost is never polled")


def test_submitting_is_on_disk_before_the_creating_request_leaves(tmp_path):
    engine = JobEngine(JobStore(tmp_path))
    provider = _JournalWitness(tmp_path)
    record = engine.submit(JobRecord(provider="WITNESS", output_dir=str(tmp_path / "out")), provider)
    deadline = time.monotonic() + 5
    while engine.get(record.id).state is not JobState.UNKNOWN and time.monotonic() < deadline:
        engine.wait_for_updates(0.05)
        engine.drain()
    assert provider.seen == [JobState.SUBMITTING]
    assert engine.get(record.id).state is JobState.UNKNOWN
    engine.shutdown()
