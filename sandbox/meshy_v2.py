"""Meshy's API v2 on the Meshy simulator: Retexture, the task routes, the balance, one error object for everything.

As Meshy's v2 reference and migration guide state it, strict where Meshy is: v1's field names, fields v2 does not
define, a prompt and an image together, a task id and a mesh together, a mesh data URI that is not GLB/glTF, and
what Meshy N1 and Meshy 6 Lite cannot do are refused with 400 and the error object ``{type, code, message,
doc_url}``; the three 429 codes (only ``rate_limit_exceeded`` carries ``Retry-After``); 402 for an account out of
credits and for a key over its own credit limit; 403 for moderation. Answers for what the reference leaves open
are chosen to prove the client tolerant: the create answer is 202, stream events are not named ``message``, and the
task list is an object holding the list.
"""

from __future__ import annotations

import base64
import binascii
import json
import struct
import time
import uuid
from collections.abc import Iterator
from typing import Any

from .wire import Request, Response

MeshySimulator = Any
"""``meshy.MeshySimulator``, which builds these routes (named, not imported: it imports this module)."""
MeshyTask = Any
"""``meshy.MeshyTask``."""

LIMITED_KEY = "msy_sandbox_limited_0123456789"
"""A key whose own credit limit is reached while its account still has credits."""
MODERATED_WORD = "forbidden-nsfw"
"""A style prompt containing this is refused by moderation (403)."""
TEXTURE_MODELS = {"meshy-7", "meshy-n1", "meshy-6-lite"}
FIELDS = {"model_url", "input_task_id", "texture_model", "texture_prompt", "texture_image_url", "texture_resolution",
          "enable_pbr", "remove_lighting", "uv_mode"}
V1_NAMES = {"ai_model", "text_style_prompt", "image_style_url", "enable_original_uv", "hd_texture", "style_prompt",
            "object_prompt", "multiview_image_urls", "art_style", "negative_prompt", "resolution"}
MESH_URI_PREFIXES = ("data:model/gltf-binary;base64,", "data:model/gltf+json;base64,")
DOC_URL = "https://docs.meshy.ai/en/api/errors"


def glb_has_uvs(data: bytes) -> bool:
    """True when the first mesh primitive of a GLB has TEXCOORD_0."""
    try:
        length = struct.unpack_from("<I", data, 12)[0]
        gltf = json.loads(data[20:20 + length])
        return any("TEXCOORD_0" in prim.get("attributes", {}) for mesh in gltf.get("meshes", []) for prim in mesh["primitives"])
    except (struct.error, ValueError, KeyError):
        return False


def error(status: int, kind: str, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    """Meshy v2's one error object."""
    return Response.json({"type": kind, "code": code, "message": message, "doc_url": DOC_URL}, status, headers)


def refused(code: str, message: str) -> Response:
    return error(400, "invalid_request_error", code, message)


def model_source(body: dict[str, Any], *, data_only: bool) -> tuple[Response | None, bytes]:
    """The mesh a creating request names (``model_url`` or ``input_task_id``, never both), decoded when it is a data
    URI; a 400 answer when v2 refuses it. ``data_only``: the simulator needs the mesh itself (a tool remakes it)."""
    if body.get("input_task_id") and body.get("model_url"):
        return refused("parameters_conflict", "input_task_id and model_url cannot be used together"), b""
    url = body.get("model_url")
    if data_only and (not isinstance(url, str) or not url.startswith(MESH_URI_PREFIXES)):
        return refused("invalid_model_url", "model_url must be a GLB or glTF data URI here"), b""
    if not body.get("input_task_id") and not url:
        return refused("missing_parameter", "model_url or input_task_id is required"), b""
    if not (isinstance(url, str) and url.startswith("data:")):
        return None, b""
    if not url.startswith(MESH_URI_PREFIXES):
        return refused("invalid_model_url", "A data URI must hold a GLB or glTF model (model/gltf-binary)"), b""
    try:
        mesh = base64.b64decode(url.split(",", 1)[1], validate=True)
    except (binascii.Error, ValueError):
        return refused("invalid_model_url", "The data URI is not valid base64"), b""
    if not mesh.startswith(b"glTF"):
        return refused("invalid_model_url", "The model is not a GLB file"), b""
    return None, mesh


def check_retexture(body: Any) -> tuple[Response | None, bytes]:
    """What v2 Retexture refuses (a 400 answer), or None; and the decoded mesh."""
    if not isinstance(body, dict):
        return refused("invalid_body", "Request body must be a JSON object"), b""
    for name in body:
        if name in V1_NAMES:
            return refused("unknown_parameter", f"Unknown parameter '{name}' (an API v1 name; see the v2 migration "
                                                "guide)"), b""
        if name not in FIELDS:
            return refused("unknown_parameter", f"Unknown parameter '{name[:40]}'"), b""
    model = body.get("texture_model")
    if model is None:
        return refused("missing_parameter", "texture_model is required"), b""
    if model not in TEXTURE_MODELS:
        return refused("invalid_parameter", f"Invalid texture_model: {str(model)[:40]}"), b""
    if body.get("texture_prompt") and body.get("texture_image_url"):
        return refused("parameters_conflict", "texture_prompt and texture_image_url cannot be used together"), b""
    if not body.get("texture_prompt") and not body.get("texture_image_url"):
        return refused("missing_parameter", "texture_prompt or texture_image_url is required"), b""
    answer, mesh = model_source(body, data_only=False)
    if answer is not None:
        return answer, b""
    resolution = body.get("texture_resolution", "2k")
    if resolution not in ("2k", "4k", "8k"):
        return refused("invalid_parameter", "texture_resolution must be one of 2k, 4k, 8k"), b""
    if model in ("meshy-n1", "meshy-6-lite") and resolution != "2k":
        return refused("invalid_parameter", f"{model} supports 2k textures only"), b""
    if model == "meshy-n1":
        if body.get("texture_prompt"):
            return refused("invalid_parameter", "meshy-n1 takes texture_image_url only"), b""
        if body.get("enable_pbr"):
            return refused("invalid_parameter", "meshy-n1 does not support enable_pbr"), b""
        if "remove_lighting" in body:
            return refused("invalid_parameter", "meshy-n1 does not support remove_lighting"), b""
    return None, mesh


TOOL_FIELDS = {"remesh": {"model_url", "input_task_id", "topology", "target_polycount", "target_formats"},
               "uv-unwrap": {"model_url", "input_task_id"}}


def check_tool(kind: str, body: Any) -> tuple[Response | None, bytes]:
    """What v2 Remesh and UV Unwrap refuse (a 400 answer), or None; and the decoded mesh."""
    if not isinstance(body, dict):
        return refused("invalid_body", "Request body must be a JSON object"), b""
    unknown = sorted(set(body) - TOOL_FIELDS[kind])
    if unknown:
        return refused("unknown_parameter", f"Unknown parameter '{unknown[0][:40]}'"), b""
    answer, mesh = model_source(body, data_only=True)
    if answer is not None:
        return answer, b""
    if kind == "remesh":
        if body.get("topology", "triangle") not in ("quad", "triangle"):
            return refused("invalid_parameter", "topology must be quad or triangle"), b""
        count = body.get("target_polycount", 30000)
        if not isinstance(count, int) or isinstance(count, bool) or not 100 <= count <= 300000:
            return refused("invalid_parameter", "target_polycount must be between 100 and 300000"), b""
    return None, mesh


def task_object(sim: MeshySimulator, task: MeshyTask) -> dict[str, Any]:
    """A task as v2 describes it: results under ``output`` (null until done), ``expires_at`` null until done."""
    v1 = sim.task_json(task)
    done = v1["status"] in ("SUCCEEDED", "FAILED", "CANCELED")
    output = None
    if v1["status"] == "SUCCEEDED":
        output = {"model_urls": v1["model_urls"], "texture_urls": v1["texture_urls"],
                  "thumbnail_url": v1.get("thumbnail_url", "")}
    task_error = None
    if v1["status"] == "FAILED":
        task_error = {"type": "task_error", "code": task.fail_code, "message": f"Task failed: {task.fail_code}",
                      "doc_url": DOC_URL}
    return {"id": task.id, "type": task.kind, "status": v1["status"], "progress": v1["progress"],
            "preceding_tasks": v1["preceding_tasks"], "consumed_credits": v1["consumed_credits"],
            "task_error": task_error, "created_at": task.created_at, "started_at": v1["started_at"] or None,
            "finished_at": v1["finished_at"] or None, "expires_at": v1["expires_at"] if done else None,
            "input": dict(task.body), "output": output}


class MeshyV2Routes:
    """The v2 routes, sharing the simulator's tasks, files and configuration."""

    def __init__(self, sim: MeshySimulator, *, task_class: type[MeshyTask], valid_key: str, broke_key: str) -> None:
        self.sim = sim
        self.task_class, self.valid_key, self.broke_key = task_class, valid_key, broke_key
        route = sim.sandbox.route
        route("POST", r"/openapi/v2/retexture", self.create)
        route("POST", r"/openapi/v2/remesh", lambda request: self.create_tool(request, "remesh"))
        route("POST", r"/openapi/v2/uv-unwrap", lambda request: self.create_tool(request, "uv-unwrap"))
        route("GET", r"/openapi/v2/tasks", self.list)
        route("GET", r"/openapi/v2/tasks/(?P<id>[\w-]+)", self.get)
        route("DELETE", r"/openapi/v2/tasks/(?P<id>[\w-]+)", self.delete)
        route("GET", r"/openapi/v2/tasks/(?P<id>[\w-]+)/stream", self.stream)
        route("GET", r"/openapi/v2/balance", self.balance)

    def _auth(self, request: Request) -> Response | None:
        header = request.header("authorization")
        key = header[7:] if header.startswith("Bearer ") else ""
        if key == self.broke_key:
            return error(402, "payment_required", "insufficient_credits", "Insufficient credits")
        if key == LIMITED_KEY:
            return error(402, "payment_required", "api_key_credit_limit_reached", "API key credit limit reached")
        if key != self.valid_key:  # v2 knows no public test-mode key
            return error(401, "authentication_error", "invalid_api_key", "Invalid API key")
        return None

    def create(self, request: Request) -> Response:
        sim, config = self.sim, self.sim.config
        problem, body = self._opened(request)
        if problem:
            return problem
        if config.rate_limit_next > 0:
            config.rate_limit_next -= 1
            return error(429, "rate_limited", "rate_limit_exceeded", "Too many requests", {"Retry-After": "1"})
        if config.concurrent_limit_next > 0:
            config.concurrent_limit_next -= 1
            return error(429, "rate_limited", "concurrent_task_limit_reached", "Concurrent task limit reached")
        answer, mesh = check_retexture(body)
        if answer is not None:
            return answer
        if MODERATED_WORD in str(body.get("texture_prompt", "")):
            return error(403, "permission_error", "moderation_blocked_nsfw", "The prompt was blocked by moderation")
        with sim._lock:
            running = sum(1 for t in sim.tasks.values() if sim.task_json(t)["status"] in ("PENDING", "IN_PROGRESS"))
            if config.pending_limit_next > 0 or running >= config.max_concurrent:
                config.pending_limit_next = max(0, config.pending_limit_next - 1)
                return error(429, "rate_limited", "pending_task_limit_reached", "Pending task limit reached")
            task = self._made("retexture", body, mesh)
            if config.fail_next > 0:
                config.fail_next -= 1
                task.fail_code = "invalid_input"
            # The given mesh comes back with its UVs, or (a mesh without UVs) with Meshy's own.
            task.keep_uvs = config.v2_keeps_uvs and glb_has_uvs(mesh)
        return Response.json(task_object(sim, task), 202)

    def create_tool(self, request: Request, kind: str) -> Response:
        """Remesh or UV Unwrap: checked as v2 checks them, made with real geometry (``mesh_tools``)."""
        sim = self.sim
        problem, body = self._opened(request)
        if problem:
            return problem
        answer, mesh = check_tool(kind, body)
        if answer is not None:
            return answer
        from .mesh_tools import face_count

        if kind == "uv-unwrap" and face_count(mesh) > sim.config.uv_unwrap_face_limit:
            return refused("invalid_parameter", f"The model exceeds the face limit of {sim.config.uv_unwrap_face_limit} "
                                                "faces for UV unwrapping")
        with sim._lock:
            task = self._made(kind, body, mesh)
        return Response.json(task_object(sim, task), 202)

    def _opened(self, request: Request) -> tuple[Response | None, Any]:
        """(the refusal, or None; the JSON body) of a creating request: the key first, then the body."""
        problem = self._auth(request)
        if problem:
            return problem, None
        try:
            return None, request.json()
        except ValueError:
            return refused("invalid_body", "Malformed JSON"), None

    def _made(self, kind: str, body: dict[str, Any], mesh: bytes) -> MeshyTask:
        """A new v2 task remembering its request (without the mesh) and the mesh it was given. Lock held."""
        self.sim.creating_posts += 1
        task = self.task_class(str(uuid.uuid4()), kind, {k: v for k, v in body.items() if k != "model_url"},
                               int(time.time() * 1000), v2=True)
        task.repaint_source = mesh
        self.sim.tasks[task.id] = task
        return task

    def _task(self, request: Request) -> MeshyTask | None:
        task = self.sim.tasks.get(request.match["id"])
        return task if task is not None and getattr(task, "v2", False) else None

    def _named_task(self, request: Request) -> tuple[MeshyTask | None, Response | None]:
        """The v2 task a request names, or Meshy's answer instead (401 without a good key, 404 for another id)."""
        problem = self._auth(request)
        if problem:
            return None, problem
        task = self._task(request)
        if task is None:
            return None, error(404, "not_found_error", "task_not_found", "Task not found")
        return task, None

    def get(self, request: Request) -> Response:
        task, problem = self._named_task(request)
        if problem:
            return problem
        with self.sim._lock:
            task.step += 1
        return Response.json(task_object(self.sim, task))

    def delete(self, request: Request) -> Response:
        task, problem = self._named_task(request)
        if problem:
            return problem
        if task_object(self.sim, task)["status"] not in ("PENDING", "IN_PROGRESS"):
            return refused("task_not_cancelable", "The task has already finished")
        task.canceled = True
        return Response.json({})

    def list(self, request: Request) -> Response:
        problem = self._auth(request)
        if problem:
            return problem
        kind = request.query.get("type", "retexture")
        if kind not in ("retexture", "remesh", "uv-unwrap"):
            return refused("invalid_parameter", "Unknown task type")
        tasks = sorted((t for t in self.sim.tasks.values() if getattr(t, "v2", False) and t.kind == kind),
                       key=lambda t: t.created_at, reverse=True)
        return Response.json({"data": [task_object(self.sim, t) for t in tasks[:50]]})

    def stream(self, request: Request) -> Response:
        problem = self._auth(request)
        if problem:
            return problem
        self.sim.streams_opened += 1
        task = self._task(request)
        headers = {"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        if task is None:
            body = json.dumps({"type": "not_found_error", "code": "task_not_found", "message": "Task not found"})
            return Response(200, [b"event: error\r\ndata: " + body.encode() + b"\r\n\r\n"], headers)
        return Response(200, self._events(task), headers)

    def _events(self, task: MeshyTask) -> Iterator[bytes]:
        sim = self.sim
        yield b": keep-alive\r\n\r\n"
        sent = 0
        while True:
            payload = task_object(sim, task)
            terminal = payload["status"] in ("SUCCEEDED", "FAILED", "CANCELED")
            if terminal:
                sim.done_at.setdefault(task.id, time.time())
            yield b"event: task.updated\r\ndata: " + json.dumps(payload, separators=(",", ":")).encode() + b"\r\n\r\n"
            sent += 1
            if terminal or (sim.config.cut_stream_after and sent >= sim.config.cut_stream_after):
                return
            time.sleep(sim.config.stream_step_s)
            yield b": keep-alive\r\n\r\n"
            with sim._lock:
                task.step += 1

    def balance(self, request: Request) -> Response:
        problem = self._auth(request)
        if problem and problem.status == 401:
            return problem
        return Response.json({"balance": self.sim.config.balance, "monthly_credits": 1000, "permanent_credits": 0})
