"""Meshy's Retexture and Text to Texture: texture an existing mesh, with live progress over SSE.

Follows Meshy's API reference (docs.meshy.ai: Retexture, Text to Texture, streaming) and Meshy's own clients
(meshy-cli, meshy-mcp-server), not older samples where they differ:
- Text to Texture has been renamed Retexture (``/openapi/v1/retexture``); the old endpoint is kept
  as an option because the rate-limit page still lists it;
- create answers HTTP 202 (200 is accepted too) with ``{"result": "<task id>"}``;
- every option is sent explicitly, because the documented defaults disagree
  (``enable_original_uv`` is true in one place and false in another);
- ``texture_urls`` is an array of one object; the old sample swapped the normal and roughness URLs,
  so each map is matched by its file name as well as its key, and the name wins;
- the stream is ``GET .../{id}/stream``: ``event: message`` with one-line JSON, ``event: error``;
  the terminal event carries the full task; if the stream breaks, the engine falls back to polling;
- 402 is "insufficient credits"; 429 says ``RateLimitExceeded`` or ``NoMoreConcurrentTasks``;
  a failed task carries ``task_error`` with a ``code`` such as ``model_missing_uv``.

As of December 2026 (Meshy's deprecation notes and its own clients, meshy-cli and meshy-mcp-server):
- ``meshy-5`` was retired on 2026-10-10; retexture takes ``latest`` (= Meshy 7), ``meshy-7``, ``meshy-6``,
  ``meshy-6-lite`` and ``meshy-n1``; ``remove_lighting`` is sent only to Meshy 6 and 7; N1 takes images
  only, no PBR, 2K only; Meshy 6 Lite makes 2K only;
- ``hd_texture`` is deprecated: ``texture_resolution`` (``2k``, ``4k``, ``8k``) replaces it; 8K costs 15
  credits instead of 10;
- exactly one style input is sent: ``text_style_prompt``, ``image_style_url`` or ``multiview_image_urls``
  (1 to 4 views, front first), and several views need ``ai_model: "meshy-7"`` named explicitly;
- Text to Texture is no longer routed to by Meshy's clients: a 404 or 410 when creating such a task says
  so and offers Retexture (nothing is billed, nothing is retried);
- a 401 with the public test-mode key means the test mode is unavailable, not that a key is wrong.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ...net import errors as E
from ...net.files import GLB_MAGIC, sniff_image
from ...net.http import HttpClient, parse_json
from ...net.sse import MAX_SSE_LINE_CHARS, SseLineTooLongError, SseParser
from ..base import Provider, normalise_base_url, status_from_table, validation_message
from ..channels import Channel
from ..models import AssetRef, AssetRole, JobStatus, RemoteJob
from . import PROVIDER, TEST_MODE_KEY
from .request_models import MAX_VIEWS, Endpoint, MeshyParams, MeshyRequest

SERVICE = "Meshy"
DEFAULT_BASE_URL = "https://api.meshy.ai"
"""Meshy's documented test-mode key: no credits used, canned results. Offered as a switch, never a default."""
# The mesh travels as a base64 data URI inside JSON; past this size the request is refused here
# rather than failing slowly on Meshy's side (a 100k-face mesh without textures is a few MB).
MAX_MODEL_BYTES = 40 * 1024 * 1024
MAX_STYLE_IMAGE_BYTES = 10 * 1024 * 1024
# The stream sends events as the task moves and keep-alive comments between; 90 s of silence
# means it is dead, and the engine falls back to polling.
STREAM_READ_TIMEOUT_S = 90.0
# Events arrive as they are sent; this only bounds one read.
STREAM_CHUNK_BYTES = 64 * 1024


STATUS_TABLE: dict[str, JobStatus] = {
    "PENDING": JobStatus.QUEUED,
    "IN_PROGRESS": JobStatus.RUNNING,
    "SUCCEEDED": JobStatus.SUCCEEDED,
    "FAILED": JobStatus.FAILED,
    "CANCELED": JobStatus.CANCELED,
}

TASK_ERROR_MESSAGES = {
    "model_missing_uv": "The mesh has no UV map, but 'Keep Original UVs' is on. Unwrap it (U > Smart UV Project) or turn the option off.",
    "model_insufficient_uv": "The mesh's UV map covers too little to paint on. Unwrap it again or turn 'Keep Original UVs' off.",
    "image_too_complex": "The style image is too complex. Try a simpler one.",
    "moderation_blocked": "Meshy's moderation refused the prompt or image.",
    "invalid_input": "Meshy could not use the mesh or the style input.",
    "timeout": "Meshy timed out on this task. Try again.",
    "format_conversion_failed": "Meshy could not convert the mesh. Check it exports cleanly as GLB.",
}

TEXTURE_KEYS: dict[str, Channel] = {
    "base_color": Channel.BASE_COLOR, "metallic": Channel.METALLIC, "roughness": Channel.ROUGHNESS,
    "normal": Channel.NORMAL, "emission": Channel.EMISSION,
}


def map_status(raw: str) -> JobStatus:
    return status_from_table(STATUS_TABLE, raw, SERVICE)


class _Task(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str
    status: str
    progress: float = 0
    preceding_tasks: int | None = None
    model_urls: dict[str, str] = Field(default_factory=dict)
    texture_urls: list[dict[str, str]] | None = None
    thumbnail_url: str = ""
    task_error: dict[str, Any] | None = None
    consumed_credits: float | None = None
    created_at: int = 0


def mesh_data_uri(path: Path) -> str:
    data = path.read_bytes()
    if not data.startswith(GLB_MAGIC):
        raise E.InvalidInputError("The exported mesh is not a GLB file.")
    if len(data) > MAX_MODEL_BYTES:
        raise E.InvalidInputError(
            f"The mesh is {len(data) >> 20} MB as GLB; Meshy takes up to {MAX_MODEL_BYTES >> 20} MB. Decimate it first.")
    return "data:application/octet-stream;base64," + base64.b64encode(data).decode("ascii")


def image_data_uri(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError:
        raise E.InvalidInputError(f"The style image '{path.name}' does not exist.") from None
    kind = sniff_image(data[:16])
    if kind not in ("png", "jpeg"):
        raise E.InvalidInputError(f"The style image '{path.name}' must be a PNG or JPEG.")
    if len(data) > MAX_STYLE_IMAGE_BYTES:
        raise E.InvalidInputError(f"The style image '{path.name}' is over {MAX_STYLE_IMAGE_BYTES >> 20} MB.")
    return f"data:image/{kind};base64," + base64.b64encode(data).decode("ascii")


def texture_assets(texture_urls: list[dict[str, str]] | None) -> list[AssetRef]:
    """The maps of a finished task, each keyed by the channel its file name says (the name wins over the key)."""
    from ..channels import resolve_channel

    refs = []
    for key, url in ((texture_urls or [{}])[0] or {}).items():
        if not url or key not in TEXTURE_KEYS:
            continue
        channel = resolve_channel(key, url) or TEXTURE_KEYS[key]
        refs.append(AssetRef(role=AssetRole.MAP, channel=channel, filename=f"{channel.value.lower()}.png", url=url))
    return refs


class MeshyProvider(Provider):
    """Client for Meshy's texturing endpoints, Bearer auth."""

    name = "MESHY"
    label = SERVICE
    poll_interval = 3.0
    typical_duration_s = 90.0
    supports_stream = True
    supports_lookup = PROVIDER.can_look_up  # stated once, in the registry entry

    def __init__(self, http: HttpClient, api_key: str, *, base_url: str = DEFAULT_BASE_URL,
                 poll_interval: float | None = None, endpoint: Endpoint = Endpoint.RETEXTURE) -> None:
        super().__init__(http)
        if not api_key:
            raise E.MissingKeyError(
                "No Meshy API key. Add it in Edit > Preferences > Add-ons > Meshsmith, set MESHSMITH_MESHY_API_KEY, "
                "or turn on 'Try Meshy Without Credits'.")
        E.register_secret(api_key)
        self.test_mode = api_key == TEST_MODE_KEY
        self._headers = {"Authorization": f"Bearer {api_key}"}
        self.base_url = normalise_base_url(base_url, service=SERVICE)
        self.endpoint = endpoint
        if poll_interval is not None:
            self.poll_interval = poll_interval

    @staticmethod
    def validate_params(params: Mapping[str, Any]) -> MeshyParams:
        return MeshyParams.model_validate(dict(params))

    @staticmethod
    def check_inputs(params: Mapping[str, Any], inputs: Mapping[str, str]) -> None:
        legacy = params.get("endpoint") == Endpoint.TEXT_TO_TEXTURE.value
        if not inputs.get("style_prompt") and not (not legacy and (inputs.get("style_image_path")
                                                                   or inputs.get("style_views"))):
            raise E.InvalidInputError("Describe the style to paint (or choose a style image).")
        if legacy and not inputs.get("object_prompt"):
            raise E.InvalidInputError("Text to Texture also needs a short description of the object.")

    @staticmethod
    def retexture_delivery(params: Mapping[str, Any]) -> str:
        # Keep Original UVs: the maps fit the artist's own mesh; otherwise Meshy's mesh has UVs of its own, and
        # its look is baked onto the artist's mesh.
        return "MAPS_ONTO_TARGET" if params.get("enable_original_uv", True) else "BAKE_ONTO_TARGET"

    def prepare(self, params: Mapping[str, Any], inputs: Mapping[str, str]) -> MeshyRequest:
        body: dict[str, Any] = dict(params)
        if not inputs.get("mesh_path"):
            raise E.InvalidInputError("No mesh was exported for Meshy.")
        body["model_url"] = mesh_data_uri(Path(inputs["mesh_path"]))
        body["style_prompt"] = inputs.get("style_prompt", "")
        body["object_prompt"] = inputs.get("object_prompt", "")
        if inputs.get("style_image_path"):
            body["image_style_url"] = image_data_uri(Path(inputs["style_image_path"]))
        views = [view for view in inputs.get("style_views", "").split(";") if view]
        if len(views) > MAX_VIEWS:
            raise E.InvalidInputError(f"Meshy takes at most {MAX_VIEWS} views of the object; {len(views)} were given.")
        body["multiview_image_urls"] = [image_data_uri(Path(view)) for view in views]
        try:
            request = MeshyRequest.model_validate(body)
        except ValueError as exc:
            raise E.InvalidInputError(validation_message(SERVICE, exc, PROVIDER.labels())) from None
        if not request.style_prompt and not request.image_style_url and not request.multiview_image_urls:
            raise E.InvalidInputError("Describe the style to paint (or choose a style image).")
        self.endpoint = request.endpoint
        return request

    def _url(self, suffix: str = "") -> str:
        return f"{self.base_url}{self.endpoint.path}{suffix}"

    def submit(self, request: BaseModel, on_created: Callable[[str], None]) -> RemoteJob:
        assert isinstance(request, MeshyRequest)
        self.endpoint = request.endpoint
        try:
            response = self._send("POST", self._url(), json=request.body())
        except E.HTTPStatusError as exc:
            if request.endpoint is Endpoint.TEXT_TO_TEXTURE and exc.status_code in (404, 410):
                raise E.EndpointRetiredError(
                    f"{SERVICE} no longer offers Text to Texture (HTTP {exc.status_code}); nothing was billed. "
                    "Switch the endpoint to Retexture, Meshy's current texturing endpoint, and try again.",
                    fix=E.Fix.SWITCH_TO_RETEXTURE) from None
            raise
        body = parse_json(response, service=SERVICE)
        task_id = body.get("result") if isinstance(body, dict) else None
        if not isinstance(task_id, str) or not task_id:
            raise E.BadResponseError(f"{SERVICE} accepted the task but gave no task id.")
        on_created(task_id)
        return RemoteJob(remote_id=task_id, status=JobStatus.QUEUED, raw_status="PENDING", message="Queued")

    def _send(self, method: str, url: str, **kwargs: Any):
        try:
            return self.http.request(method, url, service=SERVICE, headers=self._headers, **kwargs)
        except E.AuthenticationError as exc:
            if self.test_mode and exc.status_code == 401:
                raise E.AuthenticationError(
                    f"{SERVICE}'s test mode is unavailable right now (its public test key was refused). Turn off "
                    "'Try Meshy Without Credits' and use your own key, or try again later.", status_code=401) from None
            raise
        except E.RateLimitError as exc:
            if "NoMoreConcurrentTasks" in str(exc):
                raise E.RateLimitError(f"{SERVICE}'s queue for your account is full (too many tasks at once). "
                                       "Wait for one to finish, then try again.", retry_after=exc.retry_after) from None
            raise

    def status(self, remote_id: str) -> RemoteJob:
        response = self._send("GET", self._url(f"/{remote_id}"))
        return self.task_to_remote(parse_json(response, service=SERVICE))

    def task_to_remote(self, payload: Any) -> RemoteJob:
        try:
            task = _Task.model_validate(payload)
        except ValueError:
            raise E.BadResponseError(f"{SERVICE} sent a task without an id or status.") from None
        status = map_status(task.status)
        error = ""
        if status is JobStatus.FAILED:
            info = task.task_error or {}
            code = str(info.get("code") or "")
            reason = TASK_ERROR_MESSAGES.get(code) or E.redact(str(info.get("message") or "no reason given"))
            error = f"{SERVICE} could not texture the mesh: {reason}"
        message = "Generating"
        if status is JobStatus.QUEUED:
            message = f"Queued ({task.preceding_tasks} ahead)" if task.preceding_tasks else "Queued"
        assets: list[AssetRef] = []
        if status is JobStatus.SUCCEEDED:
            if task.model_urls.get("glb"):
                assets.append(AssetRef(role=AssetRole.MODEL, filename="model.glb", url=task.model_urls["glb"]))
            assets += texture_assets(task.texture_urls)
            if task.thumbnail_url:
                assets.append(AssetRef(role=AssetRole.PREVIEW, filename="preview.png", url=task.thumbnail_url))
            if not assets:
                raise E.BadResponseError(f"{SERVICE} finished the task but sent no files.")
        return RemoteJob(remote_id=task.id, status=status, raw_status=task.status,
                         progress=max(0.0, min(1.0, task.progress / 100)), message=message, error=error,
                         assets=tuple(assets), cost=task.consumed_credits)

    def watch(self, remote_id: str, cancel: threading.Event) -> Iterator[RemoteJob]:
        """Follow the task over SSE, yielding each state; ends after a terminal one.

        Raises ``TransportError`` when the stream breaks; the caller then polls instead.
        """
        parser = SseParser()
        try:
            with self.http.open_stream("GET", self._url(f"/{remote_id}/stream"), service=SERVICE,
                                       headers={**self._headers, "Accept": "text/event-stream"},
                                       read_timeout=STREAM_READ_TIMEOUT_S, deadline=self.max_duration_s,
                                       cancel=cancel) as stream:
                for chunk in stream.chunks(STREAM_CHUNK_BYTES):
                    if cancel.is_set():
                        return
                    for event in parser.feed(chunk):
                        remote = self._event_to_remote(event)
                        if remote is None:
                            continue
                        yield remote
                        if remote.status.is_terminal:
                            return
        except SseLineTooLongError:
            raise E.RefusedAnswerError(f"{SERVICE} sent a progress line over {MAX_SSE_LINE_CHARS >> 20} MB; "
                                       "Meshsmith refused it.") from None
        raise E.TransportError(f"The progress stream from {SERVICE} ended before the task did.")

    def _event_to_remote(self, event) -> RemoteJob | None:
        try:
            payload = json.loads(event.data) if event.data else None
        except ValueError:
            raise E.BadResponseError(f"{SERVICE} sent an unreadable progress event.") from None
        if event.event == "error":
            message = payload.get("message", "stream error") if isinstance(payload, dict) else "stream error"
            code = payload.get("status_code") if isinstance(payload, dict) else None
            if code == 404:
                raise E.NotFoundError(f"{SERVICE} does not know this task: {message}", status_code=404)
            raise E.TransportError(f"{SERVICE} reported a stream error: {E.redact(str(message))}")
        if not isinstance(payload, dict) or "status" not in payload:
            return None
        payload.setdefault("id", "")
        return self.task_to_remote(payload)

    def cancel(self, remote_id: str) -> bool:
        """Meshy has no cancel for texturing tasks; the task runs to its end on Meshy's side."""
        return False

    def find_lost_submission(self, request: BaseModel, submitted_at: float) -> RemoteJob | None:
        """Find the task a lost creating request made: newest tasks of this endpoint created since it was sent,
        with the same style text (Meshy echoes ``text_style_prompt`` / ``style_prompt`` on its tasks)."""
        assert isinstance(request, MeshyRequest)
        self.endpoint = request.endpoint
        response = self._send("GET", self._url(), params={"page_num": 1, "page_size": 50, "sort_by": "-created_at"})
        body = parse_json(response, service=SERVICE)
        wanted = request.style_prompt if not (request.image_style_url or request.multiview_image_urls) else ""
        recent = [item for item in (body if isinstance(body, list) else [])
                  if isinstance(item, dict) and isinstance(item.get("created_at"), (int, float))
                  and item["created_at"] >= (submitted_at - 60) * 1000]
        if wanted:
            matches = [item for item in recent if item.get("text_style_prompt", item.get("style_prompt", "")) == wanted]
        else:
            # A style from images: Meshy echoes no prompt. The same image URL is proof; else the one recent task
            # without a text prompt made with the same model settings (never a guess among several).
            same = [item for item in recent if request.image_style_url and item.get("image_style_url") == request.image_style_url]
            matches = same or [item for item in recent if not item.get("text_style_prompt") and not item.get("style_prompt")
                               and item.get("ai_model", request.sent_model) == request.sent_model]
            if len(matches) > 1 and not same:
                return None
        for item in matches[:1]:
            try:
                return self.task_to_remote(item)
            except E.MeshsmithError:
                return None
        return None

    def list_tasks(self, page_size: int = 20, page_num: int = 1) -> list[RemoteJob]:
        """Recent tasks of this endpoint, newest first (a bare JSON array)."""
        response = self._send("GET", self._url(), params={"page_num": page_num, "page_size": min(page_size, 50),
                                                           "sort_by": "-created_at"})
        body = parse_json(response, service=SERVICE)
        if not isinstance(body, list):
            raise E.BadResponseError(f"{SERVICE} sent a task list that is not a list.")
        tasks = []
        for item in body:  # one odd entry (an unknown status, a success without files) must not hide the rest
            try:
                tasks.append(self.task_to_remote(item))
            except E.DataError:
                continue
        return tasks

    def balance(self) -> float:
        response = self._send("GET", f"{self.base_url}/openapi/v1/balance")
        body = parse_json(response, service=SERVICE)
        try:
            return float(body["balance"])
        except (KeyError, TypeError, ValueError):
            raise E.BadResponseError(f"{SERVICE} sent a malformed balance.") from None

