"""The one HTTP layer: TLS and custom CA bundles, redirects, resumed downloads, size caps, retries, log redaction."""

from __future__ import annotations

import http.server
import logging
import ssl
import subprocess
import threading

import pytest

from meshsmith.net import errors as E
from meshsmith.net.downloads import download
from meshsmith.net.http import HttpClient, NetworkSettings
from meshsmith.net.log_redaction import install_log_redaction


def _no_wait(delay, cancel):
    return False


class _Recorder:
    def __init__(self):
        self.delays = []

    def __call__(self, delay, cancel):
        self.delays.append(delay)
        return False


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    """An HTTPS server on loopback with a self-signed certificate made here with openssl."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = b'{"ok": true}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"https://127.0.0.1:{server.server_address[1]}", cert
    server.shutdown()


def test_an_untrusted_certificate_says_how_to_fix_it(tls_server):
    url, _cert = tls_server
    client = HttpClient(NetworkSettings(trust_env=False), sleep=_no_wait)
    with pytest.raises(E.TLSError, match="CA certificate file in Meshsmith's preferences"):
        client.request("GET", url + "/x", service="Segmind")


def test_a_custom_ca_bundle_makes_it_work(tls_server):
    url, cert = tls_server
    client = HttpClient(NetworkSettings(ca_bundle=str(cert), trust_env=False))
    assert client.request("GET", url + "/x", service="Segmind").json() == {"ok": True}


def test_proxies_come_from_the_environment_unless_turned_off():
    assert HttpClient().session.trust_env is True
    assert HttpClient(NetworkSettings(trust_env=False)).session.trust_env is False


def test_a_redirect_to_plain_http_elsewhere_is_refused_at_once(sandbox):
    sleeps = _Recorder()
    client = HttpClient(sleep=sleeps)
    with pytest.raises(E.RefusedAnswerError, match="only https"):
        client.request("GET", f"{sandbox.url}/_sandbox/redirect?to=http://example.com/x", service="Test")
    assert sleeps.delays == [] and len(sandbox.requests_matching("GET", "/_sandbox/redirect")) == 1


def test_a_redirect_to_a_local_file_is_refused_at_once_not_retried(sandbox):
    sleeps = _Recorder()
    with pytest.raises(E.RefusedAnswerError, match="only https"):
        HttpClient(sleep=sleeps).request("GET", f"{sandbox.url}/_sandbox/redirect?to=file:///etc/passwd", service="Test")
    assert sleeps.delays == [] and len(sandbox.requests_matching("GET", "/_sandbox/redirect")) == 1


def test_credentials_are_not_carried_to_another_host(sandbox):
    client = HttpClient(sleep=_no_wait)
    target = f"http://localhost:{sandbox.port}/_sandbox/echo-headers"
    answer = client.request("GET", f"{sandbox.url}/_sandbox/redirect?to={target}", service="Test",
                            headers={"x-api-key": "secret-key-1", "Authorization": "Bearer abc"}).json()
    assert "x-api-key" not in answer and "authorization" not in answer


def test_plain_http_to_the_internet_is_never_sent():
    with pytest.raises(E.RefusedAnswerError, match="only https"):
        HttpClient(sleep=_no_wait).request("GET", "http://example.com/", service="Test")


def test_a_download_cut_short_resumes_with_range(sandbox, tmp_path, monkeypatch):
    from meshsmith.net import streams

    monkeypatch.setattr(streams, "CHUNK_BYTES", 4096)  # small reads, so the part before the cut is on disk
    sandbox.segmind.config.jobs.clear()
    from meshsmith.sandbox.segmind import SegmindJob

    sandbox.segmind.config.jobs["abc"] = SegmindJob("abc", {"seed": 3, "face_count": 5000})
    sandbox.arm("truncate", path_contains="/meshes/")
    path = download(HttpClient(sleep=_no_wait), f"{sandbox.url}/meshes/abc.glb", tmp_path / "model.glb")
    assert path.read_bytes() == sandbox.segmind._glb(sandbox.segmind.config.jobs["abc"])
    ranged = [headers for _, p, headers in sandbox.request_log if "/meshes/" in p and "range" in headers]
    assert ranged and ranged[0]["range"].startswith("bytes=")
    assert not list(tmp_path.glob("*.part"))


def test_a_download_over_the_size_cap_is_refused_and_leaves_nothing(sandbox, tmp_path):
    from meshsmith.sandbox.segmind import SegmindJob

    sandbox.segmind.config.jobs["big"] = SegmindJob("big", {"seed": 3})
    with pytest.raises(E.BadDownloadError, match="limit"):
        download(HttpClient(sleep=_no_wait), f"{sandbox.url}/meshes/big.glb", tmp_path / "model.glb", max_bytes=1000)
    assert list(tmp_path.iterdir()) == []


def test_a_corrupt_glb_never_reaches_its_final_name(sandbox, tmp_path):
    from meshsmith.sandbox.segmind import SegmindJob

    sandbox.segmind.config.jobs["bad"] = SegmindJob("bad", {"seed": 3}, glb=b"glTF" + b"\x00" * 40)
    with pytest.raises(E.BadDownloadError):
        download(HttpClient(sleep=_no_wait), f"{sandbox.url}/meshes/bad.glb", tmp_path / "model.glb")
    assert not (tmp_path / "model.glb").exists()


def test_gets_honour_retry_after_and_posts_are_never_retried(sandbox):
    sleeps = _Recorder()
    client = HttpClient(sleep=sleeps)
    sandbox.arm("retry_after", path_contains="/ping", retry_after=2, count=2)
    assert client.request("GET", f"{sandbox.url}/ping", service="Test").json() == {"ok": True}
    assert sleeps.delays == [2.0, 2.0]
    sandbox.arm("status", path_contains="/v2/hunyuan-3d-2", status=503, count=5)
    with pytest.raises(E.ServerError):
        client.request("POST", f"{sandbox.url}/v2/hunyuan-3d-2", service="Segmind", json={})
    assert len(sandbox.requests_matching("POST", "/v2/hunyuan-3d-2")) == 1


def test_retries_give_up_after_a_bounded_number(sandbox):
    sleeps = _Recorder()
    sandbox.arm("status", path_contains="/ping", status=502, count=100)
    with pytest.raises(E.ServerError):
        HttpClient(sleep=sleeps).request("GET", f"{sandbox.url}/ping", service="Test")
    assert len(sleeps.delays) == 4 and max(sleeps.delays) <= 8


def test_cancel_interrupts_a_backoff_wait(sandbox):
    event = threading.Event()
    event.set()
    sandbox.arm("status", path_contains="/ping", status=503, count=3)
    with pytest.raises(E.JobCanceledError):
        HttpClient().request("GET", f"{sandbox.url}/ping", service="Test", cancel=event)


def test_a_stalled_body_times_out_instead_of_hanging(sandbox):
    sandbox.arm("stall", path_contains="/ping", stall_s=5, count=1)
    client = HttpClient(sleep=_no_wait, read_timeout=0.5, max_retries=0)
    with pytest.raises(E.TransportError):
        client.request("GET", f"{sandbox.url}/ping", service="Test").json()


def test_credentials_are_redacted_in_logs(caplog):
    install_log_redaction("meshsmith.http")
    with caplog.at_level(logging.DEBUG, logger="meshsmith.http"):
        logging.getLogger("meshsmith.http").warning("sent headers %s", {"x-api-key": "SG_live_0123456789", "Authorization": "Basic dXNlcjpwYXNz"})
    assert "SG_live_0123456789" not in caplog.text and "dXNlcjpwYXNz" not in caplog.text


def test_the_standalone_sandbox_prints_a_working_address_for_every_service():
    # `tools/dev.py sandbox` runs `python -m sandbox`: every address it prints must answer as that service.
    import os
    import re
    import subprocess
    import sys
    from pathlib import Path

    import requests

    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen([sys.executable, "-m", "sandbox", "--port", "0"], cwd=root, stdout=subprocess.PIPE,
                               text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        lines = [process.stdout.readline() for _ in range(6)]
        printed = dict(re.findall(r"(MESHSMITH_[A-Z_]+)=(\S+)", "".join(lines)))
        assert {"MESHSMITH_SEGMIND_BASE_URL", "MESHSMITH_SCENARIO_BASE_URL", "MESHSMITH_MESHY_BASE_URL",
                "MESHSMITH_HUNYUAN_SERVERS"} <= set(printed)
        # A server's status route answers under the printed base (the sandbox's own root would say Not Found).
        status = requests.get(printed["MESHSMITH_HUNYUAN_SERVERS"] + "/status/0123456789abcdef", timeout=5)
        assert status.status_code == 200 and "status" in status.json(), status.text
        balance = requests.get(printed["MESHSMITH_SEGMIND_BASE_URL"] + "/v1/get-user-credits", timeout=5,
                               headers={"x-api-key": printed["MESHSMITH_SEGMIND_API_KEY"]})
        assert balance.status_code == 200
    finally:
        process.terminate()
        process.wait(10)
