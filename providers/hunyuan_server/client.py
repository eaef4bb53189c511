"""Client for self-hosted Hunyuan3D servers (Tencent's ``api_server.py``, Hunyuan3D-2 and -2.1): one or many.

The servers' real behaviour shapes everything here (see ``sandbox/hunyuan_server.py`` for the simulator):
- Jobs go through ``POST /send`` then ``GET /status/{uid}``; never ``/generate``, which blocks the server
  (and would block a worker with no way to cancel it).
- A server runs every job it is sent at once on its one GPU, so each server gets one job at a time: jobs wait
  in Meshsmith (``ServerPool``) for the next idle server; a server that does not answer is skipped and
  looked at again later.
- A failed job never says so: its status stays ``processing`` (or ``texturing`` on 2.1) for ever, and a uid
  the server forgot after a restart says ``processing`` too. Each job therefore carries its own deadline
  (``timeout_s``), after which it fails with a message that sends the artist to the server's log; its server
  is then free again.
- Images (and meshes) travel as raw base64 (a ``data:`` prefix breaks the server's decoder); the finished
  model comes back as base64 inside the status answer, which is decoded to disk as it arrives, never held
  whole in memory.
- 2.1 is told from 2.0 by ``/health`` (2.0 has none); 2.1 ignores every field but the image and cannot
  paint a given mesh.
- The servers have no keys: an optional bearer token is sent for a reverse proxy in front. Plain ``http://``
  is accepted for the servers the artist listed (studio networks), and no other service's key ever goes there.

The remote id is ``<uid>@<deadline>@<server>``: a job resumed after Blender restarts knows where it runs and
when to give up.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import random
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field

from ...net import errors as E
from ...net.http import MAX_RETRIES, HttpClient, Stream, backoff_delay, parse_json
from ..base import Provider, validation_message
from ..models import AssetRef, AssetRole, JobStatus, RemoteJob
from ..raw_base64 import encode_image_file, encode_mesh_file
from ..server_states import ServerState
from . import PROVIDER, SERVICE
from .addresses import server_urls, split_remote_id
from .pool import ServerPool
from .status_answer import STATUS_HEAD_BYTES, CutShortError, decode_model, model_url, status_of, transfer_seconds

# Tencent's server states no limits; these keep one request body within what a studio network sends in seconds
# (the same as Segmind's for the same model).
MAX_IMAGE_BYTES = 15 * 1024 * 1024
MAX_MESH_BYTES = 40 * 1024 * 1024
MAX_MODEL_BYTES = 1024 * 1024 * 1024
"""A decoded model larger than this is refused (a 100k-face textured GLB is tens of MB)."""
MAX_SEED = 2 ** 32 - 1
log = logging.getLogger("meshsmith.hunyuan_server")


LIMITS_21 = {"octree_resolution": (64, 512), "num_inference_steps": (1, 20), "guidance_scale": (0.1, 20.0),
             "seed": (0, MAX_SEED), "face_count": (1000, 100000)}
"""What Hunyuan3D-2.1's request model accepts (it answers 422 past these). 2.0 checks nothing: its full models run
30 to 50 steps. The settings' ranges are the widest either version takes; a job is checked against the version
of the server it goes to (``stage``)."""


class HunyuanServerParams(BaseModel):
    """The job's parameters, in the server's own names, within the widest ranges any version takes."""

    model_config = ConfigDict(extra="forbid")

    octree_resolution: int = Field(256, ge=64, le=512)
    num_inference_steps: int = Field(5, ge=1, le=100)
    guidance_scale: float = Field(5.0, ge=0.1, le=20.0)
    seed: int = Field(-1, ge=-1, le=MAX_SEED)
    face_count: int = Field(40000, ge=1000, le=100000)
    texture: bool = True
    timeout_s: int = Field(900, ge=10, le=4 * 3600, exclude=True)
    """Meshsmith's deadline for the job, not sent."""


class HunyuanServerRequest(HunyuanServerParams):
    image: str = Field(repr=False)
    """Raw base64 of the reference image (no data: prefix)."""
    mesh: str | None = Field(None, repr=False)
    """Raw base64 of a GLB to paint instead of making a shape (2.0 servers only)."""
    server: str = ""
    """The server chosen for the job (set by ``stage``)."""

    def body(self) -> dict[str, Any]:
        body = self.model_dump(exclude={"server", "mesh"}, exclude_none=True)
        body["type"] = "glb"
        if self.mesh:
            body["mesh"] = self.mesh
            body["texture"] = True
        return body


class HunyuanServerProvider(Provider):
    """Client for one or more self-hosted Hunyuan3D servers. ``base_url``: their base URLs, comma-separated."""

    name = "HUNYUAN_SERVER"
    label = "Hunyuan3D server"
    poll_interval = 2.0
    typical_duration_s = 90.0
    max_duration_s = 5 * 3600.0  # each job's own deadline (timeout_s) ends it first
    supports_lookup = PROVIDER.can_look_up  # stated once, in the registry entry

    def __init__(self, http: HttpClient, token: str = "", *, base_url: str = "", poll_interval: float | None = None,
                 pool: ServerPool | None = None, server_tokens: Mapping[str, str] | None = None) -> None:
        """``token``: sent to every server without one of its own in ``server_tokens`` (base URL -> token)."""
        super().__init__(http)
        self.servers = server_urls(base_url)
        # The artist listed these servers: plain http to them is allowed (each is on the local network, checked above).
        http.plain_http_hosts = http.plain_http_hosts | {
            (urlsplit(server).hostname or "").lower() for server in self.servers if server.startswith("http://")}
        self._token = token
        self._server_tokens = {url.rstrip("/"): value for url, value in (server_tokens or {}).items() if value}
        for secret in (token, *self._server_tokens.values()):
            if secret:
                E.register_secret(secret)
        self._pool = pool
        if poll_interval is not None:
            self.poll_interval = poll_interval


    @property
    def pool(self) -> ServerPool:
        """Which servers are busy: shared by every client with this memory (a server is one GPU, whichever list
        reaches it); a pool given to the constructor wins."""
        return self._pool or self.remembered("pool", lambda: ServerPool(self.shared.server_states))

    def _headers(self, server: str) -> dict[str, str]:
        """The bearer token for a reverse proxy in front of ``server``, if any (never another service's key)."""
        token = self._server_tokens.get(server, self._token)
        return {"Authorization": f"Bearer {token}"} if token else {}

    # --- preparing ------------------------------------------------------------------------------------
    @staticmethod
    def validate_params(params: Mapping[str, Any]) -> HunyuanServerParams:
        return HunyuanServerParams.model_validate(dict(params))

    @staticmethod
    def check_inputs(params: Mapping[str, Any], inputs: Mapping[str, str]) -> None:
        if not inputs.get("image_path"):
            raise E.InvalidInputError("Choose a reference image of the look to paint.")

    @staticmethod
    def retexture_delivery(params: Mapping[str, Any]) -> str:
        return "BAKE_ONTO_TARGET"  # the server re-unwraps and reduces the mesh it paints

    def lost_answer_risk(self) -> str:
        return "The server may be running the job (nothing is billed on your own server)"

    def lost_answer_advice(self, lead: str) -> str:
        return (f"{lead}, so the server may be running the job (nothing is billed on your own server). The server "
                "cannot be asked for its jobs, so Meshsmith did not send it again: once the server is free, Submit "
                "Again or Dismiss.")

    def prepare(self, params: Mapping[str, Any], inputs: Mapping[str, str]) -> HunyuanServerRequest:
        body: dict[str, Any] = dict(params)
        if not inputs.get("image_path"):
            raise E.InvalidInputError("Choose a reference image first.")
        work_dir = Path(inputs["work_dir"]) if inputs.get("work_dir") else None
        body["image"] = encode_image_file(Path(inputs["image_path"]), max_bytes=MAX_IMAGE_BYTES, workdir=work_dir,
                                          blender_binary=inputs.get("blender_binary", ""))
        if inputs.get("mesh_path"):
            body["mesh"] = encode_mesh_file(Path(inputs["mesh_path"]), max_bytes=MAX_MESH_BYTES, service=SERVICE)
        if body.get("seed", -1) == -1:
            body["seed"] = random.SystemRandom().randint(0, MAX_SEED)
        try:
            return HunyuanServerRequest.model_validate(body)
        except ValueError as exc:
            raise E.InvalidInputError(validation_message(SERVICE, exc, PROVIDER.labels())) from None

    def stage(self, request: Any, cancel: Any = None, say: Callable[[str], None] = lambda text: None
              ) -> HunyuanServerRequest:
        """Wait for an idle server and reserve it (nothing is sent yet)."""
        assert isinstance(request, HunyuanServerRequest)
        server = self.pool.acquire(self.servers, self._answers, cancel, self._still_running, say)
        if request.mesh and self.pool.states.state_of(server).version == "2.1":
            self.pool.release(server)
            raise E.InvalidInputError(f"The Hunyuan3D server at {server} runs Hunyuan3D-2.1, which cannot paint a "
                                      "given mesh. Retexture through a 2.0 server.")
        if self.pool.states.state_of(server).version == "2.1":
            for name, (low, high) in LIMITS_21.items():
                value = getattr(request, name)
                if not low <= value <= high:  # the 2.1 server would refuse it: say so before anything is sent
                    self.pool.release(server)
                    raise E.InvalidInputError(
                        f"Your Hunyuan3D-2.1 server at {urlsplit(server).netloc} takes {PROVIDER.labels()[name]} from "
                        f"{low:g} to {high:g}; this job asks for {value:g}. Change it, or send the job to a 2.0 server.")
        return request.model_copy(update={"server": server})

    def probe(self, server: str) -> ServerState:
        """Ask ``server`` whether it answers and which version it runs (``/health``: 2.0 has none); the answer is
        published for the preferences. Never raises for a server that does not answer: the state says why."""
        try:
            response = self.http.request("GET", f"{server}/health", service=SERVICE, headers=self._headers(server),
                                         retry=False, deadline=5.0, ok_statuses=frozenset({404}))
        except E.MeshsmithError as exc:
            return self.pool.states.publish(server, reachable=False, problem=str(exc)[:160])
        told = response.status_code == 200  # 2.1 answers /health; 2.0 has no such route (404), so it is assumed
        return self.pool.states.publish(server, reachable=True, problem="", version="2.1" if told else "2.0",
                                        version_assumed=not told)

    def _answers(self, server: str) -> bool:
        return bool(self.probe(server).reachable)

    # --- the job ----------------------------------------------------------------------------------------
    def submit(self, request: BaseModel, on_created: Callable[[str], None]) -> RemoteJob:
        assert isinstance(request, HunyuanServerRequest)
        server = request.server or self.stage(request).server
        try:
            response = self.http.request("POST", f"{server}/send", service=SERVICE, headers=self._headers(server),
                                         json=request.body(), retry=False)
            answer = parse_json(response, service=SERVICE)
            uid = answer.get("uid", "") if isinstance(answer, dict) else ""
            if not isinstance(uid, str) or not uid:
                raise E.BadResponseError(f"{SERVICE} at {server} did not name the job it started.")
            if not re.fullmatch(r"[\w-]{1,64}", uid):
                raise E.BadResponseError(f"{SERVICE} at {server} named the job it started '{uid[:40]}', which is not "
                                         "a job id Meshsmith accepts (only letters, digits, '_' and '-').")
        except BaseException:
            self.pool.release(server)
            raise
        deadline = time.time() + request.timeout_s
        self.pool.hold(server, uid, deadline)
        remote_id = f"{uid}@{deadline:.0f}@{server}"
        on_created(remote_id)
        return RemoteJob(remote_id=remote_id, status=JobStatus.RUNNING, raw_status="processing",
                         message=self._where(server))

    def status(self, remote_id: str) -> RemoteJob:
        uid, deadline, server = split_remote_id(remote_id)
        if server not in self.servers:  # the list changed since: nothing (no token, no request) goes to that address
            error = E.JobFailedError(
                f"This job ran on {urlsplit(server).netloc or server[:60]}, which is no longer one of your Hunyuan3D "
                "servers: Meshsmith sent it nothing. Add it back in the preferences (Hunyuan3D Servers), then Retry "
                "Fetch.", fix=E.Fix.OPEN_PREFERENCES)
            error.recoverable = True  # type: ignore[attr-defined]
            raise error
        self.pool.hold(server, uid, deadline)
        if time.time() > deadline:
            self.pool.release(server, uid)
            return RemoteJob(remote_id=remote_id, status=JobStatus.FAILED, raw_status="processing", error=(
                f"{SERVICE} at {server} gave no result in time: its job failed, or the server restarted and forgot "
                "it (the server never reports either). Look at the server's log; the server is free again."
                + ("" if self.pool.states.state_of(server).version == "2.1" else
                   " A Hunyuan3D-2.0 server asked for a texture fails this way unless it was started with "
                   "--enable_tex.")))
        raw, message = self._read_status(server, uid, deadline)
        if raw == "completed":
            return RemoteJob(remote_id=remote_id, status=JobStatus.SUCCEEDED, raw_status=raw, progress=1.0,
                             assets=(AssetRef(role=AssetRole.MODEL, filename="model.glb",
                                              url=model_url(server, uid, deadline)),))
        if raw == "error":
            self.pool.release(server, uid)
            return RemoteJob(remote_id=remote_id, status=JobStatus.FAILED, raw_status=raw,
                             error=f"{SERVICE} at {server} failed the job: {message or 'no reason given'}.")
        if raw not in ("processing", "texturing"):
            raise E.UnknownStatusError(f"{SERVICE} reported an unknown job status '{raw[:40]}'.")
        where = self._where(server)
        return RemoteJob(remote_id=remote_id, status=JobStatus.RUNNING, raw_status=raw,
                         message=f"Painting on {where}" if raw == "texturing" else f"Working on {where}")

    def _where(self, server: str) -> str:
        version = self.pool.states.state_of(server).version
        host = urlsplit(server).netloc
        return f"{host} (2.1: uses the image only)" if version == "2.1" else host

    def _read_status(self, server: str, uid: str, deadline: float | None = None) -> tuple[str, str]:
        """The status word (and message) of a job. A short answer is read whole and parsed; a long one (a finished
        model follows the status) as far as ``STATUS_HEAD_BYTES``. Given the job's ``deadline``, a finished model
        is taken from this same answer (the server sends it whole with every ``completed``) into the spool, where
        ``download`` finds it: the model crosses the network once."""
        head, ended = b"", True
        with self.http.open_stream("GET", f"{server}/status/{uid}", service=SERVICE, headers=self._headers(server),
                                   deadline=self.http.api_deadline) as stream:
            chunks = stream.chunks()
            for chunk in chunks:
                head += chunk
                if len(head) >= STATUS_HEAD_BYTES:
                    ended = False
                    break
            raw, message = status_of(head, ended, server)
            if raw == "completed" and deadline is not None:
                self.pool.release(server, uid)
                stream.allow(transfer_seconds(deadline, time.time()))
                self._spool_model(server, uid, itertools.chain((head,), chunks if not ended else ()), stream)
        return raw, message

    def _spool_model(self, server: str, uid: str, chunks: Iterator[bytes], stream: Stream) -> None:
        """Decode the model that follows a ``completed`` into the spool. A broken transfer leaves nothing there (the
        download step reads it again); a model that is refused, or the job's time limit, ends the job."""
        try:
            decode_model(chunks, self._spooled(server, uid), max_bytes=MAX_MODEL_BYTES)
        except (CutShortError, E.TransportError) as exc:
            if stream.stopped_by_deadline:
                raise _too_late(server) from None
            log.info("%s: the model broke off inside the status answer (%s); the download step reads it again",
                     SERVICE, exc)

    def _spooled(self, server: str, uid: str) -> Path:
        spool = self.shared.spool_dir or Path(tempfile.gettempdir()) / "meshsmith-incoming"
        name = hashlib.sha256(f"{server}/{uid}".encode()).hexdigest()[:32]
        return spool / f"{self.name.lower()}-{name}.glb"

    def _still_running(self, server: str, uid: str) -> bool:
        try:
            return self._read_status(server, uid)[0] in ("processing", "texturing")
        except E.MeshsmithError:
            return True  # unknown: the reservation lapses at the job's deadline

    def result_warning(self, params: Mapping[str, Any], model: Path) -> str:
        """A texture asked for (or a mesh to paint) and a model without one: a 2.0 server started without
        ``--enable_tex``, or painting that failed on the server; the bare model is still imported."""
        if not params.get("texture", True):
            return ""
        from ...net.gltf_guard import texture_count

        if texture_count(model, service=SERVICE):
            return ""
        return ("The server sent the model without a texture: a Hunyuan3D-2.0 server paints only when started "
                "with --enable_tex, and a failed painting step leaves the model bare (see the server's log). "
                "The untextured model was imported.")

    @staticmethod
    def ran_on(remote_id: str) -> str:
        return remote_id.split("@", 2)[2] if remote_id.count("@") >= 2 else ""

    def cancel(self, remote_id: str) -> bool:
        """The server cannot stop a job: its GPU stays busy until the job ends, so the server stays reserved until
        that job is seen to end (or reaches its deadline). Returns False: nothing was stopped there."""
        uid, _deadline, server = split_remote_id(remote_id)
        self.pool.orphan(server, uid)
        return False

    def download(self, asset: AssetRef, dest: Path, *, cancel: Any = None) -> Path:
        """The model taken from the ``completed`` answer (see ``_read_status``) is moved to ``dest``. Otherwise (after
        a restart, or a transfer that broke) the status answer's ``model_base64`` is decoded to ``dest`` as it
        arrives (atomic; bounded in bytes and by the job's time limit). A connection lost or a body cut short is
        fetched again from the start (the server keeps the result until it restarts); a model that is not a GLB
        is refused at once."""
        if not asset.url or "/status/" not in asset.url:
            return super().download(asset, dest, cancel=cancel)
        server, _, rest = asset.url.partition("/status/")
        spooled = self._spooled(server, rest.partition("?")[0])
        if spooled.is_file():
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(spooled, dest)
            return dest
        for attempt in range(1, MAX_RETRIES + 2):
            try:
                return self._download_once(asset.url, dest, cancel)
            except (E.TransportError, CutShortError):
                if attempt > MAX_RETRIES or cancel is None:
                    raise
                if cancel.wait(backoff_delay(attempt)):
                    raise E.JobCanceledError("Canceled while downloading the model.") from None
        raise AssertionError("unreachable")

    def _download_once(self, url: str, dest: Path, cancel: Any) -> Path:
        server = url.split("/status/", 1)[0]
        with self.http.open_stream("GET", url.partition("#")[0], service=SERVICE, headers=self._headers(server),
                                   cancel=cancel, min_rate=1024,
                                   deadline=transfer_seconds(url, time.time())) as stream:
            try:
                return decode_model(stream.chunks(), dest, max_bytes=MAX_MODEL_BYTES)
            except E.TransportError:
                if stream.stopped_by_deadline:
                    raise _too_late(server) from None
                raise


def _too_late(server: str) -> E.JobTimeoutError:
    error = E.JobTimeoutError(
        f"{SERVICE} at {urlsplit(server).netloc or server[:60]} was still sending the model when the job's time limit "
        "ran out. Raise Time Limit (s) if the model is large or the network slow, then Retry Fetch.")
    error.recoverable = True  # type: ignore[attr-defined]
    return error
