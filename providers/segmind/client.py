"""Hunyuan3D-2 on Segmind: image (and optional text) to a textured GLB.

Follows Segmind's API reference (the hunyuan-3d-2 endpoint, the v2 queue and request APIs), not the model page
where the two differ:
- the async queue ``POST /v2/hunyuan-3d-2`` is the default, so every job has a remote id (the
  ``request_id``) that survives a restart; status and result are read from ``/v2/requests/{id}``;
- the synchronous ``POST /v1/hunyuan-3d-2`` is kept as an option; it answers either JSON whose
  ``output`` is the GLB's URL or the GLB bytes themselves, and both are accepted;
- a FAILED queue job is sent with HTTP 422 and a ``{"status": "FAILED"}`` body, so the body is read
  before the status code is treated as an error;
- "not enough credits" is HTTP 406, not 402;
- ``octree_resolution`` is sent as a string, as the official example does;
- (December 2026) 406 has three causes (no JSON content type, not enough credits, a team spend limit) and
  the message says which; 410 is a retired model; 429 carries ``x-rate-limit-reset-at-utc``; request
  records expire after about an hour, long before the outputs (about 7 days), so a job resumed later says
  so plainly (the engine keeps the output URL once it is known and downloads from it).
Status and result URLs are built from the configured base URL, never taken from a response, so the
key is only ever sent to the host the artist configured.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable, Mapping
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_serializer, field_validator, model_validator

from ...net import errors as E
from ...net.downloads import DEFAULT_MAX_DOWNLOAD_BYTES
from ...net.files import GLB_MAGIC
from ...net.http import (
    SYNC_GENERATION_DEADLINE_S,
    SYNC_GENERATION_READ_TIMEOUT_S,
    HttpClient,
    parse_json,
)
from ..base import Provider, normalise_base_url, status_from_table
from ..models import AssetRef, AssetRole, JobStatus, RemoteJob
from ..raw_base64 import encode_image_file, encode_mesh_file
from . import PROVIDER

SERVICE = "Segmind"
DEFAULT_BASE_URL = "https://api.segmind.com"
MODEL_SLUG = "hunyuan-3d-2"
MAX_SEED = 999_999_999_999_999
# Seeds Meshsmith picks itself stay below 2**31 so that Blender's 32-bit IntProperty can hold them
# and "Regenerate with this seed" round-trips exactly.
RANDOM_SEED_CEILING = 2**31 - 1
# Segmind's gateway rejects very large JSON bodies. Images are shrunk to the model's 518 px first, so
# only an image that cannot be shrunk here (outside Blender) and is still this large is refused.
MAX_IMAGE_BYTES = 15 * 1024 * 1024
MAX_PROMPT_CHARS = 1024


class OctreeResolution(int, Enum):
    LOW = 256
    MEDIUM = 384
    HIGH = 512


class ApiMode(str, Enum):
    QUEUE = "QUEUE"
    """``POST /v2/...`` then poll: every job has a remote id and survives a restart (default)."""
    SYNC = "SYNC"
    """``POST /v1/...`` that holds the connection until the mesh is ready."""


class SegmindParams(BaseModel):
    """The tunable parameters of a Hunyuan3D-2 job, with the documented defaults and ranges."""

    model_config = ConfigDict(extra="forbid")

    octree_resolution: OctreeResolution = OctreeResolution.LOW
    """Voxel resolution of the shape: higher is finer and slower."""
    num_inference_steps: int = Field(30, ge=20, le=50)
    """Diffusion steps (affects price)."""
    guidance_scale: float = Field(5.5, ge=1.0, le=15.0)
    """How strongly the shape follows the image."""
    seed: int = Field(-1, ge=-1, le=MAX_SEED)
    """-1 picks a random seed in the client, which is then sent and recorded."""
    face_count: int = Field(40000, ge=5000, le=100000)
    """Maximum faces of the textured mesh (used when ``texture`` is on)."""
    texture: bool = True
    """Paint a texture onto the generated mesh."""
    api_mode: ApiMode = Field(ApiMode.QUEUE, exclude=True)
    """Which Segmind API to use; not part of the request body."""

    @field_validator("octree_resolution", mode="before")
    @classmethod
    def _octree_from_text(cls, value: Any) -> Any:
        return int(value) if isinstance(value, str) and value.isdigit() else value


class SegmindRequest(SegmindParams):
    """The full request body of ``POST /v1|v2/hunyuan-3d-2``."""

    image: str | None = Field(None, repr=False)
    """The input image as base64 (without a data: prefix) or an https URL."""
    text: str | None = Field(None, max_length=MAX_PROMPT_CHARS)
    """Optional prompt; the model is conditioned on the image first."""
    mesh: str | None = Field(None, repr=False)
    """A GLB to paint instead of generating a shape, as raw base64 (as ``image``). Segmind's documentation:
    "GLB file, only needed if modifying existing mesh". The painted result has new UVs and fewer faces."""

    @model_validator(mode="after")
    def _needs_input(self) -> SegmindRequest:
        if not self.image and not self.text:
            raise ValueError("an image (or at least a prompt) is required")
        return self

    @field_serializer("octree_resolution")
    def _octree_as_string(self, value: OctreeResolution) -> str:
        return str(int(value))

    def with_seed_resolved(self, rng: random.Random | None = None) -> SegmindRequest:
        """A copy whose seed is concrete: -1 becomes a seed chosen here, so the result records it."""
        if self.seed != -1:
            return self
        return self.model_copy(update={"seed": (rng or random.SystemRandom()).randint(0, RANDOM_SEED_CEILING)})


# One table maps Segmind's queue statuses to ours; anything else fails loudly with its raw value.
STATUS_TABLE: dict[str, JobStatus] = {
    "QUEUED": JobStatus.QUEUED,
    "PROCESSING": JobStatus.RUNNING,
    "COMPLETED": JobStatus.SUCCEEDED,
    "FAILED": JobStatus.FAILED,
}


def map_status(raw: str) -> JobStatus:
    return status_from_table(STATUS_TABLE, raw.upper() if isinstance(raw, str) else raw, SERVICE)


class _QueueAnswer(BaseModel):
    model_config = ConfigDict(extra="ignore")
    request_id: str
    status: str = "QUEUED"


class _StatusAnswer(BaseModel):
    model_config = ConfigDict(extra="ignore")
    status: str
    error: str | None = None
    output: Any = None


def _workdir(inputs: Mapping[str, str]) -> Path | None:
    """Where a shrunk upload copy may be written: the job's own folder, when the caller gave one."""
    return Path(inputs["work_dir"]) if inputs.get("work_dir") else None


def output_urls(output: Any) -> list[str]:
    """The URLs in a Segmind ``output`` value: a URL, a list of URLs, a dict of them, or a JSON string of either."""
    if isinstance(output, str):
        text = output.strip()
        if text.startswith(("[", "{")):
            try:
                return output_urls(json.loads(text))
            except ValueError:
                return []
        return [text] if text.startswith(("http://", "https://")) else []
    if isinstance(output, list):
        return [url for item in output for url in output_urls(item)]
    if isinstance(output, dict):
        return [url for key in ("url", "glb", "mesh", "output", "download_url") if key in output for url in output_urls(output[key])]
    return []


MAX_MESH_BYTES = 40 * 1024 * 1024
"""The largest GLB sent to be painted (as base64 in the JSON body, about 53 MB)."""


class SegmindProvider(Provider):
    """Client for Hunyuan3D-2 on Segmind. ``base_url`` is the host only; the API paths are appended."""

    name = "SEGMIND"
    label = SERVICE
    poll_interval = 2.0
    typical_duration_s = 40.0
    supports_lookup = PROVIDER.can_look_up  # stated once, in the registry entry (Segmind lists no jobs)

    def __init__(self, http: HttpClient, api_key: str, *, base_url: str = DEFAULT_BASE_URL, poll_interval: float | None = None) -> None:
        super().__init__(http)
        if not api_key:
            raise E.MissingKeyError(
                "No Segmind API key. Add it in Edit > Preferences > Add-ons > Meshsmith, or set MESHSMITH_SEGMIND_API_KEY."
            )
        E.register_secret(api_key)
        self._headers = {"x-api-key": api_key}
        self.base_url = normalise_base_url(base_url, service=SERVICE)
        if poll_interval is not None:
            self.poll_interval = poll_interval
        self.remaining_credits: float | None = None

    # --- preparing ------------------------------------------------------------------------------------
    @staticmethod
    def validate_params(params: Mapping[str, Any]) -> SegmindParams:
        """Check the tunable parameters (main thread, before anything is sent)."""
        return SegmindParams.model_validate(dict(params))

    @staticmethod
    def check_inputs(params: Mapping[str, Any], inputs: Mapping[str, str]) -> None:
        if "mesh_path" in inputs or inputs.get("route") == "RETEXTURE":
            if not inputs.get("image_path"):
                raise E.InvalidInputError("Choose a reference image of the look to paint (Hunyuan3D-Paint paints "
                                          "from an image).")

    @staticmethod
    def retexture_delivery(params: Mapping[str, Any]) -> str:
        # Hunyuan3D-Paint re-unwraps and reduces the mesh it paints: its maps fit only its own mesh.
        return "BAKE_ONTO_TARGET"

    def prepare(self, params: Mapping[str, Any], inputs: Mapping[str, str]) -> SegmindRequest:
        """Build the request from parameters and input files (worker thread: reads the image and the mesh)."""
        body = dict(params)
        if inputs.get("mesh_path"):
            body["mesh"] = encode_mesh_file(Path(inputs["mesh_path"]), max_bytes=MAX_MESH_BYTES, service=SERVICE)
            body["texture"] = True  # painting is the point of sending a mesh
        if inputs.get("image_path"):
            body["image"] = encode_image_file(Path(inputs["image_path"]), max_bytes=MAX_IMAGE_BYTES, workdir=_workdir(inputs),
                                              blender_binary=inputs.get("blender_binary", ""))
        if inputs.get("prompt"):
            body["text"] = inputs["prompt"]
        return SegmindRequest.model_validate(body).with_seed_resolved()

    # --- the job ----------------------------------------------------------------------------------------
    def submit(self, request: BaseModel, on_created: Callable[[str], None]) -> RemoteJob:
        assert isinstance(request, SegmindRequest)
        body = request.model_dump(mode="json", exclude_none=True)
        if request.api_mode is ApiMode.SYNC:
            return self._run_sync(body, on_created)
        response = self.http.request("POST", f"{self.base_url}/v2/{MODEL_SLUG}", service=SERVICE,
                                     headers=self._headers, json=body)
        self._note_credits(response.headers)
        try:
            answer = _QueueAnswer.model_validate(parse_json(response, service=SERVICE))
        except ValueError as exc:
            raise E.BadResponseError(f"{SERVICE} accepted the job but its answer had no request id.") from exc
        on_created(answer.request_id)
        return RemoteJob(remote_id=answer.request_id, status=map_status(answer.status), raw_status=answer.status,
                         message="Queued", remaining_credits=self.remaining_credits)

    def _run_sync(self, body: dict[str, Any], on_created: Callable[[str], None]) -> RemoteJob:
        remote_id = f"sync-{uuid.uuid4().hex[:12]}"
        on_created(remote_id)
        response = self.http.request("POST", f"{self.base_url}/v1/{MODEL_SLUG}", service=SERVICE,
                                     headers={**self._headers, "Accept": "application/json, model/gltf-binary"},
                                     json=body, read_timeout=SYNC_GENERATION_READ_TIMEOUT_S,
                                     deadline=SYNC_GENERATION_DEADLINE_S, max_body=DEFAULT_MAX_DOWNLOAD_BYTES)
        self._note_credits(response.headers)
        content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        content = response.content
        if content.startswith(GLB_MAGIC) or content_type in ("model/gltf-binary", "application/octet-stream"):
            asset = AssetRef(role=AssetRole.MODEL, filename="model.glb", inline=content)
        else:
            answer = parse_json(response, service=SERVICE)
            urls = output_urls(answer.get("output") if isinstance(answer, dict) else None)
            if not urls:
                raise E.BadResponseError(f"{SERVICE} finished but its answer held no model.")
            asset = AssetRef(role=AssetRole.MODEL, filename="model.glb", url=urls[0])
        return RemoteJob(remote_id=remote_id, status=JobStatus.SUCCEEDED, raw_status="COMPLETED", progress=1.0,
                         assets=(asset,), remaining_credits=self.remaining_credits)

    def status(self, remote_id: str) -> RemoteJob:
        if remote_id.startswith("sync-"):
            raise E.JobFailedError("This job used Segmind's synchronous API, whose result cannot be fetched again. Generate again.")
        try:
            response = self.http.request("GET", f"{self.base_url}/v2/requests/{remote_id}/status", service=SERVICE,
                                         headers=self._headers, ok_statuses=frozenset({422}))
        except E.NotFoundError:
            raise E.JobFailedError(
                f"{SERVICE} no longer has a record of this job: it keeps request records for about an hour, and the "
                "result was not fetched in that time. It cannot be fetched now; Generate again.") from None
        answer = self._parse_status(response)
        status = map_status(answer.status)
        if status is JobStatus.SUCCEEDED:
            return self._result(remote_id)
        if status is JobStatus.FAILED:
            return RemoteJob(remote_id=remote_id, status=status, raw_status=answer.status,
                             error=_failure_text(answer.error))
        return RemoteJob(remote_id=remote_id, status=status, raw_status=answer.status,
                         message="Queued" if status is JobStatus.QUEUED else "Generating")

    def _result(self, remote_id: str) -> RemoteJob:
        response = self.http.request("GET", f"{self.base_url}/v2/requests/{remote_id}", service=SERVICE,
                                     headers=self._headers, ok_statuses=frozenset({422}))
        answer = self._parse_status(response)
        if map_status(answer.status) is JobStatus.FAILED:
            return RemoteJob(remote_id=remote_id, status=JobStatus.FAILED, raw_status=answer.status, error=_failure_text(answer.error))
        urls = output_urls(answer.output)
        if not urls:
            raise E.BadResponseError(f"{SERVICE} reports the job done but gave no model to download.")
        return RemoteJob(remote_id=remote_id, status=JobStatus.SUCCEEDED, raw_status=answer.status, progress=1.0,
                         assets=(AssetRef(role=AssetRole.MODEL, filename="model.glb", url=urls[0]),))

    def _parse_status(self, response: Any) -> _StatusAnswer:
        body = parse_json(response, service=SERVICE)
        if response.status_code == 422 and not (isinstance(body, dict) and str(body.get("status", "")).upper() == "FAILED"):
            # A 422 that is not a FAILED job is a real validation error.
            from ...net.http import error_from_response

            raise error_from_response(SERVICE, response)
        try:
            return _StatusAnswer.model_validate(body)
        except ValueError:
            raise E.BadResponseError(f"{SERVICE} sent a job status without a 'status' field.") from None

    # --- account ----------------------------------------------------------------------------------------
    def credits(self) -> float:
        """The account balance from ``GET /v1/get-user-credits`` (paid plus free credits)."""
        response = self.http.request("GET", f"{self.base_url}/v1/get-user-credits", service=SERVICE, headers=self._headers)
        body = parse_json(response, service=SERVICE)
        if not isinstance(body, dict):
            raise E.BadResponseError(f"{SERVICE} sent a malformed credits answer.")
        try:
            total = float(body.get("credits", 0.0)) + float(body.get("free-credits", 0.0))
        except (TypeError, ValueError):
            raise E.BadResponseError(f"{SERVICE} sent a malformed credits answer.") from None
        self.remaining_credits = total
        return total

    def _note_credits(self, headers: Mapping[str, str]) -> None:
        value = headers.get("x-remaining-credits")
        if value is not None:
            try:
                self.remaining_credits = float(value)
            except ValueError:
                pass


def _failure_text(error: str | None) -> str:
    detail = E.redact((error or "").strip()) or "no reason given"
    return f"{SERVICE} could not generate the model: {detail}. Try another image or seed."
