"""Simulate Hunyuan3D-2 on Segmind: v1 (JSON or GLB answer), the v2 queue, errors and the credits header.

Behaviour follows Segmind's API reference, as the client in providers/segmind/client.py sums it up. Keys: ``VALID_KEY``
works, ``BROKE_KEY`` is a real account without credits (406 with a plain-text body), anything else is refused (401).
A malformed body, an unknown parameter or an image that does not decode is refused with 400 (Segmind's 422 is a v2 job
that failed).
"""

from __future__ import annotations

import base64
import binascii
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .assets import make_model_glb
from .repaint import NotAMeshError, decode_mesh, repaint
from .wire import Request, Response

if TYPE_CHECKING:
    from .routing import Router

VALID_KEY = "sandbox-segmind-key"
SANDBOX_CREDENTIALS = {"api_key": VALID_KEY}
"""What the add-on passes to the client when the sandbox is on (client constructor keywords)."""
CREATE_PATH = "/v2/hunyuan-3d-2"
"""Where the request that creates (and bills) a job goes: faults aimed at it test the never-pay-twice rules."""
DOWNLOAD_PATH = "/meshes/"
"""Where result files are served from."""
BROKE_KEY = "sandbox-segmind-broke-key"
COST_PER_JOB = 0.25


KNOWN_FIELDS = frozenset({"image", "text", "mesh", "seed", "octree_resolution", "num_inference_steps",
                          "guidance_scale", "face_count", "texture"})
"""The parameters Segmind's hunyuan-3d-2 takes (its model page)."""


def _image_problem(value: Any) -> str | None:
    """Why Segmind could not read ``image``: it takes an http(s) address or base64 of a PNG, JPEG or WebP."""
    if not isinstance(value, str):
        return "image must be a string"
    if value.startswith(("https://", "http://")):
        return None
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return "image is neither a URL nor valid base64"
    if not (data.startswith(b"\x89PNG") or data.startswith(b"\xff\xd8") or data[8:12] == b"WEBP"):
        return "image is not a PNG, JPEG or WebP image"
    return None

@dataclass
class SegmindJob:
    request_id: str
    body: dict[str, Any]
    polls: int = 0
    fail_with: str | None = None
    glb: bytes | None = None
    created: float = field(default_factory=time.time)


@dataclass
class SegmindConfig:
    """Switches tests and the demo turn."""

    v1_answer: str = "json"
    """'json': ``{"output": url}``; 'glb': the GLB bytes in the body."""
    queued_polls: int = 1
    """Status polls answered QUEUED before PROCESSING."""
    processing_polls: int = 2
    """Status polls answered PROCESSING before COMPLETED."""
    fail_next: int = 0
    """The next N created jobs end FAILED."""
    max_faces: int = 6000
    """Generated meshes are capped at this many faces to keep the sandbox quick."""
    texture_size: int = 256
    credits: float = 9.5
    complete_after_s: float | None = None
    """When set, jobs finish this many seconds after creation (wall clock) instead of after a number of polls."""
    record_ttl_s: float | None = None
    """When set, request records vanish this many seconds after creation (Segmind keeps them about an hour); the
    output files stay."""
    rate_limit_next: int = 0
    """The next N creating requests are refused with 429 and ``x-rate-limit-reset-at-utc`` (nothing is created)."""
    rate_limit_reset_s: float = 1.0
    result_glb: bytes | None = None
    """When set, every job answers these bytes as its model (hostile-result tests: a GLB pointing outside itself)."""
    repaint_offset: tuple[float, float, float] = (0.0, 0.0, 0.0)
    """Moves a painted mesh away from where it was given (a result that does not overlap the original)."""
    jobs: dict[str, SegmindJob] = field(default_factory=dict)


class SegmindSimulator:
    def __init__(self, sandbox: Router) -> None:
        self.sandbox = sandbox
        self.config = SegmindConfig()
        self.creating_posts = 0
        """Requests that created (and billed) a job: never more than one per job."""
        self._lock = threading.Lock()
        sandbox.route("POST", r"/v1/hunyuan-3d-2", self.run_sync)
        sandbox.route("POST", r"/v2/hunyuan-3d-2", self.submit)
        sandbox.route("GET", r"/v2/requests/(?P<id>[\w-]+)/status", self.status)
        sandbox.route("GET", r"/v2/requests/(?P<id>[\w-]+)", self.result)
        sandbox.route("GET", r"/v1/requests/(?P<id>[\w-]+)", self.result)
        sandbox.route("GET", r"/meshes/(?P<id>[\w-]+)\.glb", self.mesh)
        sandbox.route("GET", r"/v1/get-user-credits", self.credits)

    # --- helpers ----------------------------------------------------------------------------------------
    def _auth(self, request: Request) -> Response | None:
        key = request.header("x-api-key")
        if key == BROKE_KEY:  # Segmind's credit refusal is plain text, not JSON
            return Response(406, b"Insufficient credits", {"Content-Type": "text/plain; charset=utf-8"})
        if key != VALID_KEY:
            return Response.json({"error": "Invalid API key"}, 401)
        return None

    def _credit_headers(self) -> dict[str, str]:
        return {"x-remaining-credits": f"{self.config.credits:.4f}"}

    @staticmethod
    def validate(body: Any) -> str | None:
        """The validation error Segmind would give (answered with 400), or None. Segmind checks the body against
        the model's parameters: a name it does not know is refused, and ``image`` must be an address or base64
        that decodes to an image."""
        if not isinstance(body, dict):
            return "Request body must be a JSON object"
        unknown = sorted(set(body) - KNOWN_FIELDS)
        if unknown:
            return f"Unknown parameter: {unknown[0][:40]}"
        if not body.get("image") and not body.get("text"):
            return "image is required"
        if body.get("image") is not None:
            problem = _image_problem(body["image"])
            if problem:
                return problem
        checks = [
            ("num_inference_steps", 20, 50), ("guidance_scale", 1, 15),
            ("seed", -1, 999_999_999_999_999), ("face_count", 5000, 100000),
        ]
        for name, low, high in checks:
            if name in body:
                value = body[name]
                if not isinstance(value, (int, float)) or isinstance(value, bool) or not low <= value <= high:
                    return f"{name} must be between {low} and {high}"
        if "octree_resolution" in body and str(body["octree_resolution"]) not in ("256", "384", "512"):
            return "octree_resolution must be one of 256, 384, 512"
        if "texture" in body and not isinstance(body["texture"], bool):
            return "texture must be a boolean"
        if "mesh" in body:
            if not isinstance(body["mesh"], str):
                return "mesh must be a string"
            try:
                decode_mesh(body["mesh"])
            except NotAMeshError as exc:
                return str(exc)
        return None

    def _create(self, request: Request) -> tuple[SegmindJob | None, Response | None]:
        refused = self._auth(request)
        if refused:
            return None, refused
        if request.header("content-type").split(";")[0].strip().lower() != "application/json":
            # Segmind's 406 covers this as well as missing credits and a team spend limit.
            return None, Response.json({"error": "Invalid Content-Type: expected application/json"}, 406)
        if self.config.rate_limit_next > 0:
            self.config.rate_limit_next -= 1
            reset = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + self.config.rate_limit_reset_s))
            return None, Response.json({"error": "Rate limit exceeded"}, 429, {"x-rate-limit-reset-at-utc": reset})
        try:
            body = request.json()
        except ValueError:
            return None, Response.json({"error": "Invalid JSON body"}, 400)
        problem = self.validate(body)
        if problem:  # Segmind answers a bad request with 400; its 422 is a v2 job that failed
            return None, Response.json({"error": problem}, 400)
        with self._lock:
            self.creating_posts += 1
            self.config.credits = max(0.0, self.config.credits - COST_PER_JOB)
            job = SegmindJob(request_id=str(uuid.uuid4()), body=body)
            if self.config.fail_next > 0:
                self.config.fail_next -= 1
                job.fail_with = "Prediction failed"
            self.config.jobs[job.request_id] = job
        return job, None

    def _glb(self, job: SegmindJob) -> bytes:
        if job.glb is None and self.config.result_glb is not None:
            job.glb = self.config.result_glb
        if job.glb is None and job.body.get("mesh"):  # paint the given mesh: new vertices, new UVs
            job.glb = repaint(decode_mesh(job.body["mesh"]), offset=self.config.repaint_offset)
        if job.glb is None:
            body = job.body
            seed = int(body.get("seed", 0)) if int(body.get("seed", -1)) >= 0 else 7
            faces = min(int(body.get("face_count", 40000)), self.config.max_faces)
            job.glb = make_model_glb(seed, face_count=faces, texture=bool(body.get("texture", True)),
                                     texture_size=self.config.texture_size)
        return job.glb

    # --- routes ---------------------------------------------------------------------------------------------
    def run_sync(self, request: Request) -> Response:
        job, refused = self._create(request)
        if refused:
            return refused
        assert job is not None
        if job.fail_with:
            return Response.json({"error": job.fail_with}, 500)
        if self.config.v1_answer == "glb":
            return Response(200, self._glb(job), {"Content-Type": "model/gltf-binary", **self._credit_headers()})
        url = f"{self.sandbox.url}/meshes/{job.request_id}.glb"
        return Response.json({"output": url, "outputs": 0, "status": "success"}, headers=self._credit_headers())

    def submit(self, request: Request) -> Response:
        job, refused = self._create(request)
        if refused:
            return refused
        assert job is not None
        base = self.sandbox.url
        rid = job.request_id
        return Response.json({
            "request_id": rid, "status": "QUEUED",
            "poll_url": f"{base}/v1/requests/{rid}",
            "status_url": f"{base}/v2/requests/{rid}/status",
            "response_url": f"{base}/v2/requests/{rid}",
        }, headers=self._credit_headers())

    def _job_state(self, job: SegmindJob) -> str:
        if self.config.complete_after_s is not None:
            elapsed = time.time() - job.created
            if elapsed >= self.config.complete_after_s:
                return "FAILED" if job.fail_with else "COMPLETED"
            return "QUEUED" if elapsed < self.config.complete_after_s / 4 else "PROCESSING"
        if job.polls <= self.config.queued_polls:
            return "QUEUED"
        if job.polls <= self.config.queued_polls + self.config.processing_polls:
            return "PROCESSING"
        return "FAILED" if job.fail_with else "COMPLETED"

    def _record(self, request: Request) -> SegmindJob | None:
        """The request record, unless it has expired (the output file outlives it)."""
        job = self.config.jobs.get(request.match["id"])
        if job is not None and self.config.record_ttl_s is not None and time.time() - job.created > self.config.record_ttl_s:
            return None
        return job

    def status(self, request: Request) -> Response:
        refused = self._auth(request)
        if refused:
            return refused
        job = self._record(request)
        if job is None:
            return Response.json({"error": f"Request {request.match['id']} not found"}, 404)
        with self._lock:
            job.polls += 1
            state = self._job_state(job)
        if state == "FAILED":
            return Response.json({"status": "FAILED", "error": job.fail_with}, 422)
        metrics = {"inference_time": 13.06} if state == "COMPLETED" else {}
        return Response.json({"status": state, "request_id": job.request_id, "metrics": metrics})

    def result(self, request: Request) -> Response:
        refused = self._auth(request)
        if refused:
            return refused
        job = self._record(request)
        if job is None:
            return Response.json({"error": f"Request {request.match['id']} not found"}, 404)
        state = self._job_state(job)
        if state == "FAILED":
            return Response.json({"status": "FAILED", "error": job.fail_with}, 422)
        if state != "COMPLETED":
            return Response.json({"status": state, "error": None, "metrics": {}, "output": None})
        return Response.json({"status": "COMPLETED", "error": None, "metrics": {"inference_time": 36.9},
                              "output": f"{self.sandbox.url}/meshes/{job.request_id}.glb"})

    def mesh(self, request: Request) -> Response:
        # Like S3: no auth needed, and an Authorization header would be ignored.
        job = self.config.jobs.get(request.match["id"])
        if job is None:
            return Response(404, b"<Error><Code>NoSuchKey</Code></Error>", {"Content-Type": "application/xml"})
        return Response(200, self._glb(job), {"Content-Type": "model/gltf-binary"})

    def credits(self, request: Request) -> Response:
        refused = self._auth(request)
        if refused and refused.status == 401:
            return refused
        return Response.json({"credits": self.config.credits, "free-credits": 0.0})


SIMULATOR = SegmindSimulator
"""What ``Router.attach`` builds for this module."""
