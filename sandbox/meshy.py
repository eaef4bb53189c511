"""Simulate Meshy's texturing API: API v2 (``meshy_v2.py``: Retexture, tasks, balance) and API v1 (Retexture and
Text to Texture, kept for jobs journaled before v2, and switched off by ``v1_off`` as Meshy does on 2027-03-15), the
SSE stream, and real PNG maps that differ per channel.

Behaviour follows Meshy's API reference, as the client in providers/meshy/client.py sums it up. The stream uses CRLF
line ends and keep-alive comments; it can be cut in the middle (``cut_stream_after``) to prove the client
falls back to polling. ``swap_normal_roughness`` reproduces the old docs' swapped texture URLs.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .assets import make_model_glb, make_textures
from .meshy_v2 import MeshyV2Routes, error, glb_has_uvs
from .repaint import repaint
from .wire import Request, Response

if TYPE_CHECKING:
    from .routing import Router

VALID_KEY = "msy_sandbox_key_0123456789"
SANDBOX_CREDENTIALS = {"api_key": VALID_KEY}
"""What the add-on passes to the client when the sandbox is on (client constructor keywords)."""
CREATE_PATH = "/openapi/v2/retexture"
"""Where the request that creates (and bills) a job goes: faults aimed at it test the never-pay-twice rules."""
DOWNLOAD_PATH = "/meshy-assets/"
"""Where result files are served from."""
BROKE_KEY = "msy_sandbox_broke_0123456789"
TEST_MODE_KEY = "msy_dummy_api_key_for_test_mode_12345678"
ENDPOINTS = {"retexture": "retexture", "text-to-texture": "text-to-texture"}
COST = 10
COST_8K = 15
TOOL_COST = 5
"""Remesh and UV Unwrap."""
RETEXTURE_MODELS = {"latest", "meshy-7", "meshy-6", "meshy-6-lite", "meshy-n1"}
RETIRED_MODELS = {"meshy-5", "meshy-4", "meshy-t1"}
ART_STYLES = {"realistic", "fake-3d-cartoon", "japanese-anime", "cartoon-line-art", "realistic-hand-drawn",
              "fake-3d-hand-drawn", "oriental-comic-ink"}
_STEPS = [("PENDING", 0, 2), ("PENDING", 0, 1), ("PENDING", 0, 0), ("IN_PROGRESS", 10, 0), ("IN_PROGRESS", 45, 0),
          ("IN_PROGRESS", 80, 0), ("IN_PROGRESS", 95, 0), ("SUCCEEDED", 100, 0)]


@dataclass
class MeshyTask:
    id: str
    kind: str
    body: dict[str, Any]
    created_at: int
    step: int = 0
    fail_code: str = ""
    files: dict[str, bytes] = field(default_factory=dict)
    repaint_source: bytes = b""
    """The given mesh, when Meshy makes its own UVs (v2; v1 with ``enable_original_uv: false``): the result is that
    mesh with new UVs and vertices, as Meshy's is."""
    v2: bool = False
    """Created through API v2 (read on the v2 task routes only)."""
    keep_uvs: bool = False
    """The result is the given mesh with its own UVs (v2's default "keeps usable UVs")."""
    canceled: bool = False


@dataclass
class MeshyConfig:
    fail_next: int = 0
    max_concurrent: int = 10
    cut_stream_after: int = 0
    """Events after which the stream ends abruptly (0: never)."""
    swap_normal_roughness: bool = False
    stream_step_s: float = 0.02
    texture_size: int = 128
    balance: int = 1000
    text_to_texture_gone: bool = False
    """Text to Texture answers 404, as it may once Meshy removes it."""
    test_mode_unavailable: bool = False
    """The public test-mode key is refused with 401 (one report, September 2026)."""
    rate_limit_next: int = 0
    """The next N creating requests are refused with 429 RateLimitExceeded (nothing is created)."""
    odd_list_entries: bool = False
    """The task list carries an entry with an unknown status and a success without any file."""
    v1_off: bool = False
    """Every v1 route answers 404 ``route_not_found``, as on and after 2027-03-15."""
    pending_limit_next: int = 0
    """The next N v2 creating requests answer 429 ``pending_task_limit_reached`` (nothing is created)."""
    v2_keeps_uvs: bool = True
    """A v2 result keeps the UVs of the mesh it was sent (v2's default); False: Meshy's own UVs, as a result of a
    mesh whose UVs Meshy could not use."""
    uv_unwrap_face_limit: int = 200_000
    """UV Unwrap refuses a mesh with more faces (400, naming the limit)."""
    concurrent_limit_next: int = 0
    """The next N v2 creating requests answer 429 ``concurrent_task_limit_reached`` (an unlimited plan out of
    credits)."""


class MeshySimulator:
    def __init__(self, sandbox: Router) -> None:
        self.sandbox = sandbox
        self.config = MeshyConfig()
        self.tasks: dict[str, MeshyTask] = {}
        self.creating_posts = 0
        self.streams_opened = 0
        self.done_at: dict[str, float] = {}
        """Wall-clock time each task's terminal event was sent on its stream (for latency benchmarks)."""
        self._lock = threading.Lock()
        for path, kind in ENDPOINTS.items():
            sandbox.route("POST", rf"/openapi/v1/{path}", self._v1(lambda r, k=kind: self.create(r, k)))
            sandbox.route("GET", rf"/openapi/v1/{path}", self._v1(lambda r, k=kind: self.list(r, k)))
            sandbox.route("GET", rf"/openapi/v1/{path}/(?P<id>[\w-]+)", self._v1(lambda r, k=kind: self.get(r, k)))
            sandbox.route("GET", rf"/openapi/v1/{path}/(?P<id>[\w-]+)/stream",
                          self._v1(lambda r, k=kind: self.stream(r, k)))
        sandbox.route("GET", r"/openapi/v1/balance", self._v1(self.balance))
        self.v2 = MeshyV2Routes(self, task_class=MeshyTask, valid_key=VALID_KEY, broke_key=BROKE_KEY)
        sandbox.route("GET", r"/meshy-assets/(?P<id>[\w-]+)/(?P<name>[\w.-]+)", self.asset)

    # --- helpers -----------------------------------------------------------------------------------------
    def _v1(self, handler):
        """A v1 route, answering 404 once v1 is switched off."""
        def route(request: Request) -> Response:
            if self.config.v1_off:
                return error(404, "not_found_error", "route_not_found", "API v1 is no longer available; use v2")
            return handler(request)
        return route

    def _auth(self, request: Request) -> tuple[str, Response | None]:
        header = request.header("authorization")
        key = header[7:] if header.startswith("Bearer ") else ""
        if key == BROKE_KEY:
            return key, Response.json({"message": "Insufficient credits"}, 402, {"x-api-version": "2"})
        if key not in (VALID_KEY, TEST_MODE_KEY) or (key == TEST_MODE_KEY and self.config.test_mode_unavailable):
            return key, Response.json({"message": "Invalid API key"}, 401, {"x-api-version": "2"})
        return key, None

    def _url(self, task: MeshyTask, name: str) -> str:
        return f"{self.sandbox.url}/meshy-assets/{task.id}/{name}?Expires={int(time.time()) + 259200}"

    def task_json(self, task: MeshyTask, *, brief: bool = False) -> dict[str, Any]:
        status, progress, ahead = _STEPS[min(task.step, len(_STEPS) - 1)]
        if task.fail_code and status == "SUCCEEDED":
            status = "FAILED"
        if task.canceled and status in ("PENDING", "IN_PROGRESS"):
            status = "CANCELED"
        if brief and status in ("PENDING", "IN_PROGRESS"):
            return {"id": task.id, "progress": progress, "status": status}
        data: dict[str, Any] = {
            "id": task.id, "type": task.kind, "status": status, "progress": progress, "preceding_tasks": ahead,
            "created_at": task.created_at, "started_at": task.created_at + 1000 if status != "PENDING" else 0,
            "finished_at": task.created_at + 30000 if status in ("SUCCEEDED", "FAILED") else 0,
            "expires_at": task.created_at + 259200000, "model_urls": {}, "texture_urls": [],
            "task_error": {"message": ""},
            "consumed_credits": 0 if status in ("FAILED", "CANCELED") else (COST_8K if task.body.get("texture_resolution") == "8k" else COST),
            "text_style_prompt": task.body.get("text_style_prompt", ""), "image_style_url": task.body.get("image_style_url", ""),
            "ai_model": task.body.get("ai_model", ""),
            "style_prompt": task.body.get("style_prompt", ""), "object_prompt": task.body.get("object_prompt", ""),
        }
        if status == "SUCCEEDED":
            self._ensure_files(task)
            data["model_urls"] = {"glb": self._url(task, "model.glb")}
            maps = {"base_color": "texture_0.png", "metallic": "texture_0_metallic.png",
                    "roughness": "texture_0_roughness.png", "normal": "texture_0_normal.png"}
            if task.body.get("enable_pbr"):
                maps["emission"] = "texture_0_emission.png"
            else:
                maps = {"base_color": maps["base_color"]}
            if self.config.swap_normal_roughness and "normal" in maps:
                maps["normal"], maps["roughness"] = maps["roughness"], maps["normal"]
            data["texture_urls"] = [{key: self._url(task, name) for key, name in maps.items()}]
            data["thumbnail_url"] = self._url(task, "preview.png")
            if task.kind in ("remesh", "uv-unwrap"):  # a mesh alone
                data["texture_urls"] = []
        if task.kind in ("remesh", "uv-unwrap") and status not in ("FAILED", "CANCELED"):
            data["consumed_credits"] = TOOL_COST
        if status == "FAILED":
            data["task_error"] = {"type": "invalid_input", "code": task.fail_code, "message": f"Task failed: {task.fail_code}"}
        return data

    def _ensure_files(self, task: MeshyTask) -> None:
        if task.files:
            return
        seed = abs(hash(task.id)) % 10_000
        maps = make_textures(seed, self.config.texture_size)
        if task.kind in ("remesh", "uv-unwrap"):
            from .mesh_tools import remesh, unwrap

            task.files = {"model.glb": remesh(task.repaint_source, int(task.body.get("target_polycount", 30000)))
                          if task.kind == "remesh" else unwrap(task.repaint_source),
                          "preview.png": make_textures(seed + 1, 32).base_color}
            return
        if task.repaint_source and task.keep_uvs:
            model = task.repaint_source
        elif task.repaint_source:
            model = repaint(task.repaint_source)
        else:
            model = make_model_glb(seed, face_count=2000, texture_size=self.config.texture_size)
        task.files = {
            "model.glb": model,
            "texture_0.png": maps.base_color, "texture_0_metallic.png": maps.metallic,
            "texture_0_roughness.png": maps.roughness, "texture_0_normal.png": maps.normal,
            "texture_0_emission.png": maps.emission, "preview.png": make_textures(seed + 1, 32).base_color,
        }

    @staticmethod
    def validate(kind: str, body: Any) -> tuple[str | None, bytes]:
        if not isinstance(body, dict):
            return "Request body must be a JSON object", b""
        url = body.get("model_url", "")
        if not isinstance(url, str) or not url:
            return "model_url is required", b""
        model = b""
        if url.startswith("data:"):
            try:
                model = base64.b64decode(url.split(",", 1)[1], validate=True)
            except (ValueError, IndexError):
                return "Invalid data URI", b""
            if not model.startswith(b"glTF"):
                return "Invalid model file extension: only .glb, .gltf, .obj, .fbx, .stl are supported", b""
        prompts = ("object_prompt", "style_prompt", "negative_prompt") if kind == "text-to-texture" else ("text_style_prompt",)
        for name in prompts:
            if len(str(body.get(name, ""))) > 600:
                return f"{name} must be at most 600 characters", b""
        if kind == "text-to-texture" and not (body.get("object_prompt") and body.get("style_prompt")):
            return "object_prompt and style_prompt are required", b""
        if kind == "retexture":
            problem = MeshySimulator.validate_retexture(body)
            if problem:
                return problem, b""
        elif body.get("art_style", "realistic") not in ART_STYLES:
            return f"art_style must be one of {', '.join(sorted(ART_STYLES))}", b""
        return None, model

    @staticmethod
    def validate_retexture(body: dict[str, Any]) -> str | None:
        """What Meshy's Retexture refuses (December 2026)."""
        styles = [name for name in ("text_style_prompt", "image_style_url", "multiview_image_urls") if body.get(name)]
        if len(styles) != 1:
            return "Exactly one of text_style_prompt, image_style_url or multiview_image_urls is required"
        model = body.get("ai_model", "latest")
        if model in RETIRED_MODELS:
            return f"{model} has been retired. Use latest, meshy-7, meshy-6, meshy-6-lite or meshy-n1"
        if model not in RETEXTURE_MODELS:
            return f"Invalid ai_model: {model}"
        resolution = body.get("texture_resolution", "2k")
        if resolution not in ("2k", "4k", "8k"):
            return "texture_resolution must be one of 2k, 4k, 8k"
        if model in ("meshy-6-lite", "meshy-n1") and resolution != "2k":
            return f"{model} supports 2k textures only"
        if "multiview_image_urls" in styles:
            views = body["multiview_image_urls"]
            if not isinstance(views, list) or not 1 <= len(views) <= 4:
                return "multiview_image_urls takes 1 to 4 images"
            if model not in ("meshy-7", "meshy-n1"):
                return "multiview_image_urls requires ai_model meshy-7"
        if model == "meshy-n1":
            if "text_style_prompt" in styles:
                return "meshy-n1 does not accept text_style_prompt"
            if body.get("enable_pbr"):
                return "meshy-n1 does not support enable_pbr"
            if "remove_lighting" in body:
                return "meshy-n1 does not support remove_lighting"
        return None

    # --- routes ----------------------------------------------------------------------------------------------
    def create(self, request: Request, kind: str) -> Response:
        _key, refused = self._auth(request)
        if refused:
            return refused
        if kind == "text-to-texture" and self.config.text_to_texture_gone:
            return Response.json({"message": "Not Found"}, 404)
        try:
            body = request.json()
        except ValueError:
            return Response.json({"message": "Malformed JSON"}, 400)
        if self.config.rate_limit_next > 0:
            self.config.rate_limit_next -= 1
            return Response.json({"message": "RateLimitExceeded"}, 429, {"Retry-After": "1"})
        problem, model = self.validate(kind, body)
        if problem:
            return Response.json({"message": problem}, 400)
        with self._lock:
            active = sum(1 for t in self.tasks.values() if _STEPS[min(t.step, len(_STEPS) - 1)][0] != "SUCCEEDED")
            if active >= self.config.max_concurrent:
                return Response.json({"message": "NoMoreConcurrentTasks"}, 429)
            self.creating_posts += 1
            task = MeshyTask(str(uuid.uuid4()), kind, {k: v for k, v in body.items() if k != "model_url"},
                             int(time.time() * 1000))
            if body.get("enable_original_uv") and model and not glb_has_uvs(model):
                task.fail_code = "model_missing_uv"
            elif self.config.fail_next > 0:
                self.config.fail_next -= 1
                task.fail_code = "invalid_input"
            if body.get("enable_original_uv") is False and model:
                task.repaint_source = model
            self.tasks[task.id] = task
        return Response.json({"result": task.id}, 202, {"x-api-version": "2"})

    def _task(self, request: Request, kind: str) -> MeshyTask | None:
        task = self.tasks.get(request.match["id"])
        return task if task is not None and task.kind == kind and not task.v2 else None

    def get(self, request: Request, kind: str) -> Response:
        _key, refused = self._auth(request)
        if refused:
            return refused
        task = self._task(request, kind)
        if task is None:
            return Response.json({"message": "Task not found"}, 404)
        with self._lock:
            task.step += 1
        return Response.json(self.task_json(task))

    def stream(self, request: Request, kind: str) -> Response:
        _key, refused = self._auth(request)
        if refused:
            return refused
        self.streams_opened += 1
        task = self._task(request, kind)
        headers = {"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        if task is None:
            return Response(200, [b'event: error\r\ndata: {"status_code":404,"message":"Task not found"}\r\n\r\n'], headers)
        return Response(200, self._events(task), headers)

    def _events(self, task: MeshyTask) -> Iterator[bytes]:
        yield b": keep-alive\r\n\r\n"
        sent = 0
        while True:
            payload = self.task_json(task, brief=True)
            if payload["status"] in ("SUCCEEDED", "FAILED", "CANCELED"):
                self.done_at.setdefault(task.id, time.time())
            yield b"event: message\r\ndata: " + json.dumps(payload, separators=(",", ":")).encode() + b"\r\n\r\n"
            sent += 1
            if payload["status"] in ("SUCCEEDED", "FAILED", "CANCELED"):
                return
            if self.config.cut_stream_after and sent >= self.config.cut_stream_after:
                return  # the connection just ends, mid-task
            time.sleep(self.config.stream_step_s)
            yield b": keep-alive\r\n\r\n"
            with self._lock:
                task.step += 1

    def list(self, request: Request, kind: str) -> Response:
        _key, refused = self._auth(request)
        if refused:
            return refused
        size = int(request.query.get("page_size", "10"))
        if not 1 <= size <= 50:
            return Response.json({"message": "page_size must be between 1 and 50"}, 400)
        page = max(int(request.query.get("page_num", "1")), 1)
        tasks = [t for t in self.tasks.values() if t.kind == kind and not t.v2]
        tasks.sort(key=lambda t: t.created_at, reverse=request.query.get("sort_by", "-created_at").startswith("-"))
        chosen = [self.task_json(t) for t in tasks[(page - 1) * size: page * size]]
        if self.config.odd_list_entries:
            now = int(time.time() * 1000)
            chosen[:0] = [{"id": str(uuid.uuid4()), "status": "ARCHIVED", "progress": 100, "created_at": now},
                          {"id": str(uuid.uuid4()), "status": "SUCCEEDED", "progress": 100, "created_at": now,
                           "model_urls": {}, "texture_urls": []}]
        return Response.json(chosen)

    def balance(self, request: Request) -> Response:
        _key, refused = self._auth(request)
        if refused and refused.status == 401:
            return refused
        return Response.json({"balance": self.config.balance})

    def asset(self, request: Request) -> Response:
        task = self.tasks.get(request.match["id"])
        data = task.files.get(request.match["name"]) if task else None
        if data is None:
            return Response(404, b"Not found", {"Content-Type": "text/plain"})
        mime = "model/gltf-binary" if request.match["name"].endswith(".glb") else "image/png"
        return Response(200, data, {"Content-Type": mime})


SIMULATOR = MeshySimulator
"""What ``Router.attach`` builds for this module."""
