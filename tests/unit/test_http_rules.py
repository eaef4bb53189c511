"""Retry predicates and backoff with a frozen random source, URL rules, Retry-After parsing, output URL parsing."""

import random

import pytest

from meshsmith.net import http
from meshsmith.net.errors import InvalidInputError
from meshsmith.providers.base import is_loopback_host, normalise_base_url
from meshsmith.providers.segmind.client import output_urls


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_retryable_statuses(status):
    assert http.is_retryable_status(status)


@pytest.mark.parametrize("status", [400, 401, 402, 403, 404, 405, 406, 422])
def test_client_errors_are_not_retried(status):
    assert not http.is_retryable_status(status)


def test_backoff_grows_is_capped_and_jittered():
    rng = random.Random(0)
    delays = [http.backoff_delay(attempt, rng=rng) for attempt in range(1, 12)]
    assert all(0 < d <= http.BACKOFF_CAP_S for d in delays)
    assert delays[3] > delays[0]
    assert max(delays) > http.BACKOFF_CAP_S / 2


def test_retry_after_wins_but_is_capped():
    assert http.backoff_delay(1, 2.5) == 2.5
    assert http.backoff_delay(1, 3600) == http.RETRY_AFTER_CAP_S


@pytest.mark.parametrize(("value", "expected"), [("3", 3.0), ("0.5", 0.5), ("", None), (None, None), ("soon", None)])
def test_parse_retry_after(value, expected):
    assert http.parse_retry_after(value) == expected


def test_parse_retry_after_http_date_in_the_past_is_zero():
    assert http.parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


@pytest.mark.parametrize(("url", "allowed"), [
    ("https://api.segmind.com/v1/x", True), ("http://127.0.0.1:8000/x", True), ("http://localhost/x", True),
    ("http://[::1]:80/x", True), ("http://api.segmind.com/v1/x", False), ("ftp://127.0.0.1/x", False),
    ("file:///etc/passwd", False), ("http://10.0.0.1/x", False),
])
def test_only_https_or_loopback(url, allowed):
    assert http.is_allowed_url(url) is allowed


def test_loopback_hosts():
    assert is_loopback_host("127.0.0.5") and is_loopback_host("localhost") and not is_loopback_host("example.com")


def test_base_url_is_normalised_and_checked():
    assert normalise_base_url("https://api.segmind.com/ ", service="S") == "https://api.segmind.com"
    assert normalise_base_url("http://127.0.0.1:9000", service="S") == "http://127.0.0.1:9000"
    for bad in ("api.segmind.com", "http://api.segmind.com", "ftp://x"):
        with pytest.raises(InvalidInputError):
            normalise_base_url(bad, service="S")


@pytest.mark.parametrize(("output", "urls"), [
    ("https://x/a.glb", ["https://x/a.glb"]),
    (["https://x/a.glb", "https://x/b.png"], ["https://x/a.glb", "https://x/b.png"]),
    ('{"url": "https://x/a.glb"}', ["https://x/a.glb"]),
    ({"glb": "https://x/a.glb"}, ["https://x/a.glb"]),
    ("ok", []), (None, []), (3, []),
])
def test_output_urls(output, urls):
    assert output_urls(output) == urls


@pytest.mark.parametrize(("host", "local"), [
    ("localhost", True), ("127.0.0.1", True), ("::1", True), ("gpu-box", True), ("hunyuan.local", True),
    ("render.lan", True), ("box.home.arpa", True), ("10.1.2.3", True), ("172.16.0.9", True), ("192.168.0.2", True),
    ("169.254.1.1", True), ("fd12::1", True), ("fe80::1", True),
    ("93.184.216.34", False), ("8.8.8.8", False), ("gpu.example.com", False), ("2606:4700::1111", False), ("", False),
])
def test_what_counts_as_the_studios_own_network(host, local):
    from meshsmith.net.urls import is_local_network_host

    assert is_local_network_host(host) is local


def test_plain_http_is_allowed_only_to_listed_local_hosts():
    from meshsmith.net.urls import is_allowed_url

    assert is_allowed_url("http://127.0.0.1:8765/x") and is_allowed_url("https://api.example.com/x")
    assert not is_allowed_url("http://gpu-box:8081/x")
    assert is_allowed_url("http://gpu-box:8081/x", frozenset({"gpu-box"}))
    assert not is_allowed_url("http://gpu.example.com/x", frozenset({"gpu.example.com"}))  # listed, but public
    assert not is_allowed_url("file:///etc/passwd", frozenset({""}))
