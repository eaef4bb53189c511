"""Meshy's Retexture on its API v2, with live progress over SSE; jobs journaled on v1 are still read on v1.

Follows Meshy's API v2 reference and migration guide (docs.meshy.ai/en/api/migrate-to-v2). v1 is deprecated: no
new features after 2027-01-15, and every v1 endpoint with a v2 version stops on 2027-03-15.
- ``POST /openapi/v2/retexture`` takes ``texture_model`` (required), ``texture_prompt`` or ``texture_image_url``
  (never both), ``texture_resolution``, ``enable_pbr``/``remove_lighting`` where the model honours them, and the
  mesh as ``data:model/gltf-binary;base64,...``; any field it does not define (v1's names included) is a 400. The
  answer is the task object (200 or 202): its ``id`` names the job.
- One set of task routes: ``GET /openapi/v2/tasks/{id}``, ``.../stream`` (SSE: the task object in each
  ``data:``, whatever the event's name), ``GET /openapi/v2/tasks?type=retexture`` (a list, or an object holding
  one), ``DELETE /openapi/v2/tasks/{id}``; results under ``output``; the balance at ``/openapi/v2/balance``.
- Errors are one object read by ``code`` (``answers.explained``); 429 ``pending_task_limit_reached`` created
  nothing and waits in Meshsmith (``E.AccountBusyError``).
- The remote id of a v2 task is ``v2:<id>``; an id without that prefix was journaled on v1 and is read on v1 while
  v1 answers. When v1 no longer knows it, the job says the service switched versions and where its result may be.
- ``texture_urls`` is an array of one object; each map is matched by its file name as well as its key (an old
  sample swapped the normal and roughness URLs), and the name wins.
- The public test-mode key is not offered on v2: a 401 for it says so and sends the artist to enter a key.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ...net import errors as E
from ...net.files import GLB_MAGIC, sniff_image
from ...net.http import HttpClient, parse_json
from ...net.sse import MAX_SSE_LINE_CHARS, SseLineTooLongError, SseParser
from ..base import Provider, normalise_base_url, status_from_table, validation_message
from ..models import AssetRef, AssetRole, JobStatus, RemoteJob
from . import PROVIDER, TEST_MODE_KEY
from .answers import TEXTURE_KEYS, Task, explained, failure_reason, task_list
from .request_models import ASSET_TOOLS, MeshyParams, MeshyRequest, RemeshRequest, UvUnwrapRequest

SERVICE = "Meshy"
DEFAULT_BASE_URL = "https://api.meshy.ai"
V2 = "v2:"
"""The prefix of a v2 task's remote id (an id without it was journaled on v1)."""
# The mesh travels as a base64 data URI inside JSON (v2 takes up to 100 MB that way); past this size the request is
# refused here rather than failing slowly on Meshy's side (a 100k-face mesh without textures is a few MB).
MAX_MODEL_BYTES = 40 * 1024 * 1024
MAX_STYLE_IMAGE_BYTES = 10 * 1024 * 1024
# The stream sends events as the task moves and keep-alive comments between; 90 s of silence
# means it is dead, and the engine falls back to polling.
STREAM_READ_TIMEOUT_S = 90.0
# Events arrive as they are sent; this only bounds one read.
STREAM_CHUNK_BYTES = 64 * 1024
V1_GONE = ("Meshy switched its API to version 2 and no longer answers for this job, which was sent before the "
           "switch. If it finished, its result is in Meshy's web app (app.meshy.ai, My Assets); send the job again "
           "to texture through version 2.")

STATUS_TABLE: dict[str, JobStatus] = {
    "PENDING": JobStatus.QUEUED,
    "IN_PROGRESS": JobStatus.RUNNING,
    "SUCCEEDED": JobStatus.SUCCEEDED,
    "FAILED": JobStatus.FAILED,
    "CANCELED": JobStatus.CANCELED,
}


def map_status(raw: str) -> JobStatus:
    return status_from_table(STATUS_TABLE, raw, SERVICE)


def mesh_data_uri(path: Path) -> str:
    data = path.read_bytes()
    if not data.startswith(GLB_MAGIC):
        raise E.InvalidInputError("The exported mesh is not a GLB file.")
    if len(data) > MAX_MODEL_BYTES:
        raise E.InvalidInputError(
            f"The mesh is {len(data) >> 20} MB as GLB; Meshy takes up to {MAX_MODEL_BYTES >> 20} MB. Decimate it first.")
    return "data:model/gltf-binary;base64," + base64.b64encode(data).decode("ascii")


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
    """Client for Meshy's Retexture (API v2), Bearer auth."""

    name = "MESHY"
    label = SERVICE
    poll_interval = 3.0
    typical_duration_s = 90.0
    supports_stream = True
    supports_lookup = PROVIDER.can_look_up  # stated once, in the registry entry

    def __init__(self, http: HttpClient, api_key: str, *, base_url: str = DEFAULT_BASE_URL,
                 poll_interval: float | None = None) -> None:
        super().__init__(http)
        if not api_key:
            raise E.MissingKeyError(
                "No Meshy API key. Add it in Edit > Preferences > Add-ons > Meshsmith, or set MESHSMITH_MESHY_API_KEY.",
                fix=E.Fix.OPEN_PREFERENCES)
        E.register_secret(api_key)
        self.test_mode = api_key == TEST_MODE_KEY
        self._headers = {"Authorization": f"Bearer {api_key}"}
        self.base_url = normalise_base_url(base_url, service=SERVICE)
        if poll_interval is not None:
            self.poll_interval = poll_interval

    @staticmethod
    def validate_params(params: Mapping[str, Any]) -> BaseModel:
        """Retexture's settings, or an asset tool's (``{"tool": "REMESH", "topology": ..., ...}``)."""
        if params.get("tool") in ASSET_TOOLS:
            return _tool_request(params, "data:")
        return MeshyParams.model_validate(dict(params))

    @staticmethod
    def check_inputs(params: Mapping[str, Any], inputs: Mapping[str, str]) -> None:
        if params.get("tool") in ASSET_TOOLS:
            return
        if params.get("texture_model") == "meshy-n1" and not inputs.get("style_image_path"):
            raise E.InvalidInputError("Meshy N1 paints from a style image only: choose a style image, or Meshy 7 for "
                                      "a text style.")
        if not inputs.get("style_prompt", "").strip() and not inputs.get("style_image_path"):
            raise E.InvalidInputError("Describe the style to paint (or choose a style image).")

    @staticmethod
    def retexture_delivery(params: Mapping[str, Any]) -> str:
        # v2 keeps usable UVs by default but does not promise the artist's own: the result is baked onto them.
        return "BAKE_ONTO_TARGET"

    def prepare(self, params: Mapping[str, Any], inputs: Mapping[str, str]) -> BaseModel:
        body: dict[str, Any] = dict(params)
        if not inputs.get("mesh_path"):
            raise E.InvalidInputError("No mesh was exported for Meshy.")
        if params.get("tool") in ASSET_TOOLS:
            return _tool_request(params, mesh_data_uri(Path(inputs["mesh_path"])))
        body["model_url"] = mesh_data_uri(Path(inputs["mesh_path"]))
        body["style_prompt"] = inputs.get("style_prompt", "").strip()
        if inputs.get("style_image_path"):
            body["image_style_url"] = image_data_uri(Path(inputs["style_image_path"]))
        try:
            request = MeshyRequest.model_validate(body)
        except ValueError as exc:
            raise E.InvalidInputError(validation_message(SERVICE, exc, PROVIDER.labels())) from None
        if not request.style_prompt and not request.image_style_url:
            raise E.InvalidInputError("Describe the style to paint (or choose a style image).")
        return request

    # --- requests -----------------------------------------------------------------------------------------
    def _send(self, method: str, path: str, **kwargs: Any):
        """One request to Meshy; a v2 error answer is raised as what it means (``answers.explained``)."""
        try:
            return self.http.request(method, f"{self.base_url}{path}", service=SERVICE, headers=self._headers,
                                     **kwargs)
        except E.AuthenticationError as exc:
            if self.test_mode and exc.status_code == 401:
                raise E.AuthenticationError(
                    f"{SERVICE} no longer offers its test mode (its public test key was refused by its API v2). Turn "
                    "off 'Try Meshy Without Credits' and enter your own Meshy key in the preferences.",
                    status_code=401, fix=E.Fix.OPEN_PREFERENCES) from None
            raise explained(exc) from None
        except E.HTTPStatusError as exc:
            raise explained(exc) from None

    def submit(self, request: BaseModel, on_created: Callable[[str], None]) -> RemoteJob:
        assert isinstance(request, (MeshyRequest, RemeshRequest, UvUnwrapRequest))
        response = self._send("POST", _route(request)[0], json=request.body())
        body = parse_json(response, service=SERVICE)
        task_id = body.get("id") if isinstance(body, dict) else None
        if not isinstance(task_id, str) or not task_id:
            raise E.BadResponseError(f"{SERVICE} accepted the task but gave no task id.")
        on_created(V2 + task_id)
        return RemoteJob(remote_id=V2 + task_id, status=JobStatus.QUEUED, raw_status="PENDING", message="Queued")

    def status(self, remote_id: str) -> RemoteJob:
        if not remote_id.startswith(V2):  # journaled on v1: read there while v1 answers
            try:
                response = self._send("GET", f"/openapi/v1/retexture/{remote_id}")
            except E.NotFoundError:
                raise E.JobFailedError(V1_GONE) from None
            return self.task_to_remote(parse_json(response, service=SERVICE), v1=True)
        response = self._send("GET", f"/openapi/v2/tasks/{remote_id[len(V2):]}")
        return self.task_to_remote(parse_json(response, service=SERVICE))

    def task_to_remote(self, payload: Any, *, v1: bool = False) -> RemoteJob:
        try:
            task = Task.model_validate(payload)
        except ValueError:
            raise E.BadResponseError(f"{SERVICE} sent a task without an id or status.") from None
        status = map_status(task.status)
        error = failure_reason(task.task_error) if status is JobStatus.FAILED else ""
        message = "Generating"
        if status is JobStatus.QUEUED:
            message = f"Queued ({task.preceding_tasks} ahead)" if task.preceding_tasks else "Queued"
        assets: list[AssetRef] = []
        if status is JobStatus.SUCCEEDED:
            results = task.results
            if results.model_urls.get("glb"):
                assets.append(AssetRef(role=AssetRole.MODEL, filename="model.glb", url=results.model_urls["glb"]))
            assets += texture_assets(results.texture_urls)
            if results.thumbnail_url:
                assets.append(AssetRef(role=AssetRole.PREVIEW, filename="preview.png", url=results.thumbnail_url))
            if not assets:
                raise E.BadResponseError(f"{SERVICE} finished the task but sent no files.")
        return RemoteJob(remote_id=task.id if v1 or not task.id else V2 + task.id, status=status,
                         raw_status=task.status, progress=max(0.0, min(1.0, task.progress / 100)), message=message,
                         error=error, assets=tuple(assets), cost=task.consumed_credits)

    def watch(self, remote_id: str, cancel: threading.Event) -> Iterator[RemoteJob]:
        """Follow the task over SSE, yielding each state; ends after a terminal one.

        Raises ``TransportError`` when the stream breaks (or the job is a v1 one); the caller then polls instead.
        """
        if not remote_id.startswith(V2):
            raise E.TransportError(f"A job sent to {SERVICE} before its API v2 is followed by polling.")
        parser = SseParser()
        try:
            with self.http.open_stream("GET", f"{self.base_url}/openapi/v2/tasks/{remote_id[len(V2):]}/stream",
                                       service=SERVICE, headers={**self._headers, "Accept": "text/event-stream"},
                                       read_timeout=STREAM_READ_TIMEOUT_S, deadline=self.max_duration_s,
                                       cancel=cancel) as stream:
                for chunk in stream.chunks(STREAM_CHUNK_BYTES):
                    if cancel.is_set():
                        return
                    for event in parser.feed(chunk):
                        remote = self._event_to_remote(event, remote_id)
                        if remote is None:
                            continue
                        yield remote
                        if remote.status.is_terminal:
                            return
        except SseLineTooLongError:
            raise E.RefusedAnswerError(f"{SERVICE} sent a progress line over {MAX_SSE_LINE_CHARS >> 20} MB; "
                                       "Meshsmith refused it.") from None
        except E.HTTPStatusError as exc:
            raise explained(exc) from None
        raise E.TransportError(f"The progress stream from {SERVICE} ended before the task did.")

    def _event_to_remote(self, event, remote_id: str) -> RemoteJob | None:
        """The task object in an event's data, whatever the event is called; an error object ends the stream."""
        try:
            payload = json.loads(event.data) if event.data else None
        except ValueError:
            raise E.BadResponseError(f"{SERVICE} sent an unreadable progress event.") from None
        if not isinstance(payload, dict):
            return None
        if "status" not in payload:
            if payload.get("code") or event.event == "error":
                if payload.get("status_code") == 404 or payload.get("code") == "task_not_found":
                    raise E.NotFoundError(f"{SERVICE} does not know this task.", status_code=404)
                raise E.TransportError(f"{SERVICE} reported a stream error ({E.redact(str(payload.get('code'))[:60])}).")
            return None
        payload.setdefault("id", remote_id[len(V2):])
        return self.task_to_remote(payload)

    def cancel(self, remote_id: str) -> bool:
        """Ask Meshy to cancel a v2 task (``DELETE``); a v1 task cannot be canceled. True when Meshy agreed."""
        if not remote_id.startswith(V2):
            return False
        try:
            self._send("DELETE", f"/openapi/v2/tasks/{remote_id[len(V2):]}", retry=False)
        except E.MeshsmithError:
            return False
        return True

    def _tasks(self, kind: str = "retexture") -> list[Any]:
        response = self._send("GET", "/openapi/v2/tasks", params={"type": kind})
        items = [item for item in task_list(parse_json(response, service=SERVICE)) if isinstance(item, dict)]
        return sorted(items, key=lambda item: item.get("created_at") or 0, reverse=True)

    def find_lost_submission(self, request: BaseModel, submitted_at: float) -> RemoteJob | None:
        """Find the task a lost creating request made: a retexture task created since it was sent whose echoed input
        has the same style (its prompt, or its image), and the same texture model; never a guess among several."""
        assert isinstance(request, (MeshyRequest, RemeshRequest, UvUnwrapRequest))
        _path, kind = _route(request)
        sent = {key: value for key, value in request.body().items() if key != "model_url"}
        recent = [item for item in self._tasks(kind) if isinstance(item.get("created_at"), (int, float))
                  and item["created_at"] >= (submitted_at - 60) * 1000]
        matches = []
        for item in recent:
            echoed = item.get("input") if isinstance(item.get("input"), dict) else {}
            if all(echoed.get(key) == value for key, value in sent.items()):
                matches.append(item)
        if len(matches) != 1:
            return None
        try:
            return self.task_to_remote(matches[0])
        except E.MeshsmithError:
            return None

    def list_tasks(self, page_size: int = 20, page_num: int = 1) -> list[RemoteJob]:
        """Recent retexture tasks, newest first."""
        tasks = []
        for item in self._tasks()[(page_num - 1) * page_size: page_num * page_size]:
            try:  # one odd entry (an unknown status, a success without files) must not hide the rest
                tasks.append(self.task_to_remote(item))
            except E.DataError:
                continue
        return tasks

    def balance(self) -> float:
        response = self._send("GET", "/openapi/v2/balance")
        body = parse_json(response, service=SERVICE)
        try:
            return float(body["balance"])
        except (KeyError, TypeError, ValueError):
            raise E.BadResponseError(f"{SERVICE} sent a malformed balance.") from None


def _tool_request(params: Mapping[str, Any], model_url: str) -> BaseModel:
    """An asset tool's request from its parameters; refused in an artist's words."""
    model, _path, _kind = ASSET_TOOLS[str(params["tool"])]
    try:
        return model.model_validate({**{k: v for k, v in params.items() if k != "tool"}, "model_url": model_url})
    except ValueError as exc:
        raise E.InvalidInputError(validation_message(SERVICE, exc, PROVIDER.labels())) from None


def _route(request: BaseModel) -> tuple[str, str]:
    """(where a request is sent, its task type in the task list)."""
    for model, path, kind in ASSET_TOOLS.values():
        if isinstance(request, model):
            return path, kind
    return "/openapi/v2/retexture", "retexture"
