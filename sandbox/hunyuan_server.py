"""Simulate Tencent's own Hunyuan3D servers (``api_server.py`` of Hunyuan3D-2 and Hunyuan3D-2.1), quirks included.

Several servers live on one sandbox, each under ``/hunyuan/<n>`` (its base URL). What they do, as the
upstream code does it: no authentication; raw base64 in and out (a ``data:`` prefix breaks the decoder,
which fails the job silently); ``/send`` starts the job in a thread and answers ``{"uid"}``; ``/status/<uid>``
says ``processing`` (also for a failed job and for a uid it never heard of), ``texturing`` on 2.1 while it
paints, then ``completed`` with ``model_base64``; ``/generate`` blocks and answers the GLB, or the
"NETWORK ERROR DUE TO HIGH TRAFFIC" 404 on any failure; ``/health`` exists only on 2.1; 2.1 validates
ranges (FastAPI's 422) and then ignores every field but the image; 2.0 paints a given ``mesh`` and needs
``--enable_tex`` for ``texture: true``; a restart wipes every job. 2.0 checks no request at all (a job without an
image is accepted and stays ``processing`` for ever); 2.1 answers 422 for what its request model refuses. Every server runs all the jobs it is
sent at once: ``max_running`` records the most it ever ran together, for the one-job-per-server tests.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, ValidationError

from .assets import make_model_glb
from .repaint import NotAMeshError, decode_mesh, repaint
from .wire import Request, Response

if TYPE_CHECKING:
    from .routing import Router

SANDBOX_CREDENTIALS: dict[str, str] = {}
"""The servers take no key (a reverse proxy in front may ask for a token)."""
SANDBOX_BASE_PATH = "/hunyuan/0"
"""The built-in sandbox's first server: its base URL is the sandbox's URL plus this."""
CREATE_PATH = "/send"
DOWNLOAD_PATH = "download=model"
"""The client fetches the finished model from the status address with this query (the server ignores it), so a
fault can tell the download from the polls."""
CONTRACT_PARAMS = {"timeout_s": 10}
"""A failed job is only ever known by its deadline: the contract suite's failure test waits this long."""
HIGH_TRAFFIC = "**NETWORK ERROR DUE TO HIGH TRAFFIC. PLEASE REGENERATE OR REFRESH THIS PAGE.**"
RANGES_21 = {"seed": (0, 2 ** 32 - 1), "octree_resolution": (64, 512), "num_inference_steps": (1, 20),
             "guidance_scale": (0.1, 20.0), "num_chunks": (1000, 20000), "face_count": (1000, 100000)}


@dataclass
class ServerJob:
    uid: str
    body: dict[str, Any]
    started: float = field(default_factory=time.monotonic)
    stuck_in: str = ""
    """'processing' or 'texturing': a failure the server never reports (the job stays there for ever)."""
    bare: bool = False
    """2.1: painting failed and the worker caught it: the job completes with the untextured mesh."""
    glb: bytes | None = None


@dataclass
class ServerConfig:
    version: str = "2.0"
    enable_tex: bool = False
    """2.0 only: started with ``--enable_tex`` (else ``texture: true`` fails the job, silently)."""
    seconds: float = 0.3
    """How long a job takes (2.1: half shape, half paint)."""
    fail_next: int = 0
    """The next N jobs fail in the shape stage: ``processing`` for ever."""
    paint_fail_next: int = 0
    """2.1: the next N jobs fail while painting: ``texturing`` for ever (``/generate`` answers the bare mesh)."""
    paint_bare_next: int = 0
    """2.1: the next N jobs' painting fails in a way the worker catches: they complete with the bare mesh."""
    uid_next: str = ""
    """The next job's answer names it with this uid instead of a fresh one (a hostile or broken server)."""
    endless_completed: str = ""
    """A hostile server: ``completed`` followed by an endless body: 'text' (no model key), 'backslashes' (an
    endless run of ``\\`` inside the model's string) or 'base64' (a model that never ends, about 3 MB a second)."""


def _endless(head: bytes, piece: bytes, pause: float) -> Iterator[bytes]:
    yield head
    while True:
        time.sleep(pause)
        yield piece


class GenerationRequest21(BaseModel):
    """2.1's request model (``api_models.py``), validated as its FastAPI server validates it (pydantic 2, lax)."""

    image: str
    remove_background: bool = True
    texture: bool = False
    seed: int = Field(1234, ge=RANGES_21["seed"][0], le=RANGES_21["seed"][1])
    octree_resolution: int = Field(256, ge=RANGES_21["octree_resolution"][0], le=RANGES_21["octree_resolution"][1])
    num_inference_steps: int = Field(5, ge=RANGES_21["num_inference_steps"][0], le=RANGES_21["num_inference_steps"][1])
    guidance_scale: float = Field(5.0, ge=RANGES_21["guidance_scale"][0], le=RANGES_21["guidance_scale"][1])
    num_chunks: int = Field(8000, ge=RANGES_21["num_chunks"][0], le=RANGES_21["num_chunks"][1])
    face_count: int = Field(40000, ge=RANGES_21["face_count"][0], le=RANGES_21["face_count"][1])


def request_model_21_problems(body: Any) -> list[dict[str, Any]]:
    """FastAPI's 422 ``detail`` list for ``body`` against 2.1's request model; [] when it is valid."""
    try:
        GenerationRequest21.model_validate(body)
    except ValidationError as exc:
        return [{"type": error["type"], "loc": ["body", *error["loc"]], "msg": error["msg"]}
                for error in exc.errors(include_url=False)]
    return []


class HunyuanServerSimulator:
    """One server, under ``/hunyuan/<index>`` on the sandbox."""

    def __init__(self, sandbox: Router, index: int, version: str = "2.0", **config: Any) -> None:
        self.sandbox = sandbox
        self.index = index
        self.config = ServerConfig(version=version, **config)
        self.jobs: dict[str, ServerJob] = {}
        self.creating_posts = 0
        self.max_running = 0
        self.completed_answers = 0
        """How many ``completed`` answers (each carries the whole model) this server has sent."""
        self._lock = threading.Lock()
        prefix = f"/hunyuan/{index}"
        sandbox.route("POST", prefix + r"/send", self.send)
        sandbox.route("POST", prefix + r"/generate", self.generate)
        sandbox.route("GET", prefix + r"/status/(?P<uid>[^/]+)", self.status)
        sandbox.route("GET", prefix + r"/health", self.health)

    @property
    def url(self) -> str:
        return f"{self.sandbox.url}/hunyuan/{self.index}"

    def restart(self) -> None:
        """The server process restarts: every job it knew is gone (a uid it is asked about says ``processing``)."""
        with self._lock:
            self.jobs.clear()

    def running(self) -> int:
        """Jobs using the GPU now (a failed job's thread has died, though its status says otherwise)."""
        now = time.monotonic()
        return sum(1 for job in self.jobs.values() if not job.stuck_in and now - job.started < self.config.seconds)

    # --- routes --------------------------------------------------------------------------------------------
    def send(self, request: Request) -> Response:
        body, refused = self._body(request)
        if refused is not None:
            return refused
        with self._lock:
            self.creating_posts += 1
            job = ServerJob(str(uuid.uuid4()), body)
            failure = self._failure(body)
            job.stuck_in, job.bare = ("", True) if failure == "bare" else (failure, False)
            self.jobs[job.uid] = job
            self.max_running = max(self.max_running, self.running())
            named, self.config.uid_next = self.config.uid_next or job.uid, ""
        return Response.json({"uid": named})

    def generate(self, request: Request) -> Response:
        body, refused = self._body(request)
        if refused is not None:
            return refused
        failure = self._failure(body)
        if failure == "processing":
            return Response.json({"text": HIGH_TRAFFIC, "error_code": 1}, 404)
        time.sleep(min(self.config.seconds, 2.0))
        job = ServerJob("generate", body, stuck_in="")
        return Response(200, self._model(job, textured=failure not in ("texturing", "bare")),
                        {"Content-Type": "model/gltf-binary"})

    def status(self, request: Request) -> Response:
        with self._lock:
            job = self.jobs.get(request.match["uid"])
        if job is None:  # upstream answers an unknown uid as if it were still working
            return Response.json({"status": "processing"})
        elapsed = time.monotonic() - job.started
        if job.stuck_in:
            return Response.json({"status": job.stuck_in})
        if elapsed < self.config.seconds:
            painting = self.config.version == "2.1" and elapsed > self.config.seconds / 2
            return Response.json({"status": "texturing" if painting else "processing"})
        with self._lock:
            self.completed_answers += 1
        headers = {"Content-Type": "application/json"}
        if self.config.endless_completed:
            tail = self.config.endless_completed
            head = b'{"status": "completed"' + (b"" if tail == "text" else b', "model_base64": "Z2xURg')
            piece = {"text": b" " * 65536, "backslashes": b"\\" * 32768}.get(tail, b"QUFB" * 16384)
            return Response(200, _endless(head, piece, 0.02 if tail == "base64" else 0.0), headers)
        encoded = base64.b64encode(self._model(job, textured=not job.bare)).decode("ascii")
        return Response(200, json.dumps({"status": "completed", "model_base64": encoded}).encode(), headers)

    def health(self, request: Request) -> Response:
        if self.config.version != "2.1":
            return Response.json({"detail": "Not Found"}, 404)
        return Response.json({"status": "healthy", "worker_id": f"w{self.index:05d}"})

    # --- behaviour -----------------------------------------------------------------------------------------
    def _body(self, request: Request) -> tuple[dict[str, Any], Response | None]:
        """2.0 reads the JSON and checks nothing (whatever is wrong kills the job's thread unseen); 2.1 checks it
        against its request model as FastAPI does (422 with pydantic's error list)."""
        try:
            body = request.json()
        except ValueError:
            return {}, Response.json({"detail": "Internal Server Error"}, 500)
        if self.config.version != "2.1":
            return body if isinstance(body, dict) else {}, None
        problems = request_model_21_problems(body)
        if problems:
            return {}, Response.json({"detail": problems}, 422)
        return body, None

    def _failure(self, body: dict[str, Any]) -> str:
        """Where a job with this body gets stuck ('' when it succeeds; 'bare' when it completes unpainted), as the
        upstream server fails it."""
        try:
            if not base64.b64decode(str(body.get("image", "")), validate=True):
                return "processing"  # no image at all: the thread dies unseen
        except (binascii.Error, ValueError):  # a data: prefix: the thread dies unseen
            return "processing"
        if self.config.version == "2.0":
            if body.get("texture") and not self.config.enable_tex:
                return "processing"
            if body.get("mesh"):
                try:
                    decode_mesh(str(body["mesh"]))
                except NotAMeshError:
                    return "processing"
        if self.config.fail_next > 0:
            self.config.fail_next -= 1
            return "processing"
        if self.config.version == "2.1" and self.config.paint_fail_next > 0:
            self.config.paint_fail_next -= 1
            return "texturing"
        if self.config.version == "2.1" and self.config.paint_bare_next > 0:
            self.config.paint_bare_next -= 1
            return "bare"
        return ""

    def _model(self, job: ServerJob, *, textured: bool) -> bytes:
        if job.glb is None:
            body = job.body
            if self.config.version == "2.0" and body.get("mesh"):
                job.glb = repaint(decode_mesh(str(body["mesh"])))
            else:
                # 2.1 always paints (and ignores the fields); 2.0 paints only when asked.
                texture = textured and (self.config.version == "2.1" or bool(body.get("texture")))
                seed = int(body.get("seed", 1234)) if self.config.version == "2.0" else 1234
                job.glb = make_model_glb(seed % 10_000, face_count=min(int(body.get("face_count", 40000)), 3000),
                                         texture=texture)
        return job.glb


def SIMULATOR(sandbox: Router) -> HunyuanServerSimulator:  # noqa: N802 - the name every simulator module states
    """The built-in sandbox's own server: Hunyuan3D-2.0 with ``--enable_tex`` (``Sandbox.add_hunyuan_server``
    starts others)."""
    return HunyuanServerSimulator(sandbox, 0, "2.0", enable_tex=True)
