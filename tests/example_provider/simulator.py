"""Simulator of the example service, mounted into the add-on's sandbox as ``sandbox.example``: as strict as a real
service (unknown fields refused, the key checked, a job walked through queued, running, done)."""

from __future__ import annotations

import base64
import itertools
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .assets import make_model_glb
from .wire import Request, Response

if TYPE_CHECKING:
    from .routing import Router

VALID_KEY = "sandbox-example-key"
SANDBOX_CREDENTIALS = {"api_key": VALID_KEY}
CREATE_PATH = "/example/v1/jobs"
DOWNLOAD_PATH = "/example/models/"
FIELDS = {"image": str, "detail_steps": int, "smooth": bool}


@dataclass
class ExampleConfig:
    fail_next: int = 0
    jobs: dict[str, dict] = field(default_factory=dict)


class ExampleSimulator:
    def __init__(self, sandbox: Router) -> None:
        self.sandbox = sandbox
        self.config = ExampleConfig()
        self.creating_posts = 0
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        sandbox.route("POST", CREATE_PATH, self.create)
        sandbox.route("GET", CREATE_PATH + r"/(?P<id>ex-\d+)", self.status)
        sandbox.route("GET", DOWNLOAD_PATH + r"(?P<id>ex-\d+)\.glb", self.model)

    def _refused(self, request: Request) -> Response | None:
        if request.header("authorization") != f"Bearer {VALID_KEY}":
            return Response.json({"error": "invalid key"}, 401)
        return None

    def create(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        body = request.json()
        if not isinstance(body, dict) or set(body) - set(FIELDS) or "image" not in body:
            return Response.json({"error": "unknown or missing fields"}, 400)
        if any(type(body[name]) is not kind for name, kind in FIELDS.items() if name in body):
            return Response.json({"error": "wrong field type"}, 400)
        base64.b64decode(body["image"], validate=True)
        with self._lock:
            self.creating_posts += 1
            job_id = f"ex-{next(self._ids)}"
            failed = self.config.fail_next > 0
            self.config.fail_next -= failed
            self.config.jobs[job_id] = {"polls": 0, "failed": failed, "body": body}
        return Response.json({"id": job_id})

    def status(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        job = self.config.jobs.get(request.match["id"])
        if job is None:
            return Response.json({"error": "no such job"}, 404)
        job["polls"] += 1
        if job["polls"] < 2:
            return Response.json({"status": "queued" if job["polls"] == 0 else "running"})
        if job["failed"]:
            return Response.json({"status": "failed", "error": "the example service ran out of clay"})
        return Response.json({"status": "done", "model_url": f"{self.sandbox.url}{DOWNLOAD_PATH}{request.match['id']}.glb"})

    def model(self, request: Request) -> Response:
        return Response(200, make_model_glb(7, face_count=200, texture_size=8), {"Content-Type": "model/gltf-binary"})


SIMULATOR = ExampleSimulator
