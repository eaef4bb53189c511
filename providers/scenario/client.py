"""Hunyuan 3D 2.1 on Scenario (custom-model endpoint): upload, job, poll, download; PBR results.

Follows Scenario's API reference (docs.scenario.com: assets, custom generation, jobs) and the client in Scenario's
own Blender plugin, not the getting-started guide where the two differ:
- the real job statuses are ``pending, queued, warming-up, in-progress, finalizing, success,
  failure, canceled``; the guide's ``processing`` and ``failed`` are accepted too, and anything
  else fails loudly with its raw value (clients that wait for ``failed`` poll forever);
- ``progress`` is a 0–1 fraction;
- the host is ``api.cloud.scenario.com`` (the guide's polling example uses another host);
- the failure reason is ``job.metadata.error`` (plus ``metadata.hint``), not ``job.error``;
- a finished job's ``metadata.assetIds`` may name several assets (the GLB, previews, separate texture
  maps): each is fetched and picked by its mimeType, kind or metadata.type;
- asset URLs are signed CDN URLs: downloaded without the Authorization header, query untouched;
- ``?dryRun=true`` answers HTTP 269 with ``creativeUnitsCost``: an estimate that spends nothing;
- cancel is best effort: most generation jobs refuse it (400 "Cannot cancel this type of job").

As of December 2026: a dry run prices the complete body, so the cost estimate uploads the image first
(an upload is free) and sends the same body the job will; the job reuses that upload when the image has
not changed. Uploads are retried like reads and never make a job "unknown": only the creating request
can. Separate maps come typed ``3d-texture-albedo`` / ``-metallic`` / ``-normal`` / ``-roughness`` or just
``3d-texture`` (then the file name says which map). A base URL typed with ``/v1`` or an API path after it
is cut back to the host.
"""

from __future__ import annotations

import base64
import hashlib
import random
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ...net import errors as E
from ...net.http import HttpClient, parse_json
from ..base import Provider, normalise_base_url, status_from_table
from ..memory import BoundedMemo
from ..models import AssetRef, AssetRole, JobStatus, RemoteJob
from . import PROVIDER, catalog
from .catalog_client import CatalogRequest, ScenarioCatalogClient, is_catalog_job
from .images import image_data_url
from .results import ResultAsset, asset_role, result_filename

SERVICE = "Scenario"
DEFAULT_BASE_URL = "https://api.cloud.scenario.com"
MODEL_ID = "model_hunyuan-3d-v2-1"
MAX_SEED = 2_147_483_647
# POST /v1/assets takes images up to about 6 MB; larger files need the multipart upload flow.
DRY_RUN_STATUS = 269

STATUS_TABLE: dict[str, JobStatus] = {
    "pending": JobStatus.QUEUED,
    "queued": JobStatus.QUEUED,
    "warming-up": JobStatus.QUEUED,
    "in-progress": JobStatus.RUNNING,
    "processing": JobStatus.RUNNING,  # the guide's word
    "finalizing": JobStatus.RUNNING,
    "success": JobStatus.SUCCEEDED,
    "failure": JobStatus.FAILED,
    "failed": JobStatus.FAILED,  # the guide's word
    "canceled": JobStatus.CANCELED,
}

_STATUS_MESSAGES = {
    "pending": "Waiting", "queued": "Queued", "warming-up": "Starting a worker", "in-progress": "Generating",
    "processing": "Generating", "finalizing": "Finalizing",
}

MAX_REMEMBERED_UPLOADS = 32
"""Uploads remembered by (server, project, image digest), so the estimate's upload serves the job that follows.
Small and bounded; an asset id is not a secret."""


def map_status(raw: str) -> JobStatus:
    return status_from_table(STATUS_TABLE, raw, SERVICE)


class ScenarioParams(BaseModel):
    """The tunable inputs of ``model_hunyuan-3d-v2-1`` with their documented defaults and ranges."""

    model_config = ConfigDict(extra="forbid")

    paint: bool = True
    """Paint PBR textures onto the mesh."""
    steps: int = Field(30, ge=10, le=100)
    """Generation steps (affects cost)."""
    guidance_scale: float = Field(5.0, ge=1.0, le=10.0)
    """How closely the shape follows the image."""
    target_face_num: int = Field(40000, ge=100, le=1_000_000)
    """Target faces of the mesh (affects cost)."""
    seed: int = Field(-1, ge=-1, le=MAX_SEED)
    """-1 picks a random seed in the client, which is then sent and recorded."""

    def body(self, image_asset_id: str | None) -> dict[str, Any]:
        """The JSON body in Scenario's camelCase."""
        body: dict[str, Any] = {"paint": self.paint, "steps": self.steps, "guidanceScale": self.guidance_scale,
                                "targetFaceNum": self.target_face_num}
        if self.seed >= 0:
            body["seed"] = self.seed
        if image_asset_id:
            body["image"] = image_asset_id
        return body


class ScenarioRequest(ScenarioParams):
    image_name: str = "reference.png"
    image_data_url: str = Field("", repr=False)
    """The input image as a data URL; uploaded as an asset just before the job is created."""
    image_asset_id: str = ""
    """The uploaded image's asset id, once ``stage`` has uploaded it."""

    def with_seed_resolved(self, rng: random.Random | None = None) -> ScenarioRequest:
        if self.seed != -1:
            return self
        return self.model_copy(update={"seed": (rng or random.SystemRandom()).randint(0, MAX_SEED)})


def _model_and_body(request: BaseModel) -> tuple[str, dict[str, Any]]:
    """The model id and JSON body of a staged request."""
    if isinstance(request, CatalogRequest):
        assert request.body is not None, "stage() builds a catalog job's body"
        return catalog.checked_model_id(request.model_id), request.body
    assert isinstance(request, ScenarioRequest)
    return MODEL_ID, request.body(request.image_asset_id)


class _Job(BaseModel):
    model_config = ConfigDict(extra="ignore")
    jobId: str
    status: str
    progress: float | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    billing: dict[str, Any] | None = None
    createdAt: str | None = None
    jobType: str | None = None


class ScenarioProvider(ScenarioCatalogClient, Provider):
    """Client for Scenario's custom-model endpoint: Hunyuan 3D 2.1 from the sidebar's settings, and any 3D model
    of the catalog from its own schema (``scenario_models.py``)."""

    name = "SCENARIO"
    label = SERVICE
    poll_interval = 3.0
    typical_duration_s = 120.0
    supports_lookup = PROVIDER.can_look_up  # stated once, in the registry entry

    def __init__(self, http: HttpClient, api_key: str, api_secret: str, *, project_id: str = "",
                 base_url: str = DEFAULT_BASE_URL, poll_interval: float | None = None) -> None:
        super().__init__(http)
        if not api_key or not api_secret:
            raise E.MissingKeyError(
                "No Scenario API key and secret. Add them in Edit > Preferences > Add-ons > Meshsmith, or set "
                "MESHSMITH_SCENARIO_API_KEY and MESHSMITH_SCENARIO_API_SECRET.")
        token = base64.b64encode(f"{api_key}:{api_secret}".encode()).decode("ascii")
        for secret in (api_key, api_secret, token):
            E.register_secret(secret)
        self._headers = {"Authorization": f"Basic {token}"}
        self._query = {"projectId": project_id} if project_id else {}
        # "https://api.cloud.scenario.com/v1" or a whole API path pasted: the host is what is meant.
        self.base_url = re.sub(r"/v1(/.*)?$", "", normalise_base_url(base_url, service=SERVICE)) + "/v1"
        if poll_interval is not None:
            self.poll_interval = poll_interval

    # --- preparing -----------------------------------------------------------------------------------------
    @staticmethod
    def validate_params(params: Mapping[str, Any]) -> ScenarioParams | None:
        if is_catalog_job(params):
            return None  # checked against the model's own schema (catalog_values.check_values)
        return ScenarioParams.model_validate(dict(params))

    @staticmethod
    def retexture_delivery(params: Mapping[str, Any]) -> str:
        """A catalog retexture model repaints (and re-unwraps) the mesh: baked onto the artist's object. A remesh model
        (Meshy Remesh, Hunyuan's) makes a new version of the object with its look baked on, as Meshy's own Remesh
        does; any other mesh tool comes in beside the original. The original is hidden, never deleted."""
        from .catalog import REMESH, RETEXTURE, CatalogModel

        model = CatalogModel(id=str(params.get("model", "")), capabilities=("3d23d",))
        if RETEXTURE in model.tasks:
            return "BAKE_ONTO_TARGET"
        return "NEW_VERSION" if REMESH in model.tasks else "BESIDE_TARGET"

    def prepare(self, params: Mapping[str, Any], inputs: Mapping[str, str]) -> ScenarioRequest | CatalogRequest:
        if is_catalog_job(params):
            return self.prepare_catalog(params, inputs)
        body = dict(params)
        if inputs.get("image_path"):
            workdir = Path(inputs["work_dir"]) if inputs.get("work_dir") else None
            body["image_name"], body["image_data_url"] = image_data_url(Path(inputs["image_path"]), workdir,
                                                                        inputs.get("blender_binary", ""))
        else:
            raise E.InvalidInputError("Scenario's Hunyuan 3D 2.1 needs a reference image.")
        return ScenarioRequest.model_validate(body).with_seed_resolved()

    def _get(self, path: str, **params: Any) -> Any:
        response = self.http.request("GET", f"{self.base_url}{path}", service=SERVICE, headers=self._headers,
                                     params={**self._query, **params})
        return parse_json(response, service=SERVICE)

    # --- the job -------------------------------------------------------------------------------------------------
    def upload_image(self, name: str, data_url: str) -> str:
        """Upload the reference image as an asset and return its id (``POST /v1/assets``).

        An upload creates nothing that is billed, so it is retried like a read; an image this session has
        already uploaded to this server is not sent again.
        """
        key = (self.base_url, self._query.get("projectId", ""), hashlib.sha256(data_url.encode("ascii")).hexdigest())
        uploads = self.remembered("uploads", lambda: BoundedMemo(MAX_REMEMBERED_UPLOADS))
        known = uploads.get(key)
        if known:
            try:
                self._get(f"/assets/{known}")  # still there? (a read: cheaper than sending the image again)
                return known
            except E.NotFoundError:
                uploads.forget(key)
        response = self.http.request("POST", f"{self.base_url}/assets", service=SERVICE, headers=self._headers,
                                     params=self._query, json={"image": data_url, "name": name}, retry=True)
        body = parse_json(response, service=SERVICE)
        asset = body.get("asset", body) if isinstance(body, dict) else None
        if not isinstance(asset, dict) or not asset.get("id"):
            raise E.BadResponseError(f"{SERVICE} accepted the image but gave no asset id.")
        uploads.put(key, str(asset["id"]))
        return str(asset["id"])

    def stage(self, request: BaseModel, cancel: Any = None, say: Callable[[str], None] = lambda text: None
              ) -> ScenarioRequest | CatalogRequest:
        """Upload the input files (before the job is journaled as being sent: a failure here bills nothing)."""
        if isinstance(request, CatalogRequest):
            return self.stage_catalog(request, cancel, say)
        assert isinstance(request, ScenarioRequest)
        if request.image_asset_id:
            return request
        return request.model_copy(update={"image_asset_id": self.upload_image(request.image_name, request.image_data_url)})

    def estimate(self, params: Mapping[str, Any], inputs: Mapping[str, str]) -> float:
        """The cost in creative units of a job with these parameters and this image (``?dryRun=true``: nothing
        is spent). Scenario prices the complete body, so the image is uploaded first, as the job will."""
        request = self.stage(self.prepare(params, inputs))
        model_id, body = _model_and_body(request)
        response = self.http.request("POST", f"{self.base_url}/generate/custom/{model_id}", service=SERVICE,
                                     headers=self._headers, params={**self._query, "dryRun": "true"},
                                     json=body, ok_statuses=frozenset({DRY_RUN_STATUS}))
        body = parse_json(response, service=SERVICE)
        try:
            return float(body["creativeUnitsCost"])
        except (KeyError, TypeError, ValueError):
            raise E.BadResponseError(f"{SERVICE} gave no cost estimate.") from None

    def submit(self, request: BaseModel, on_created: Callable[[str], None]) -> RemoteJob:
        request = self.stage(request)  # staged already by the engine; kept for direct callers
        model_id, body = _model_and_body(request)
        response = self.http.request("POST", f"{self.base_url}/generate/custom/{model_id}", service=SERVICE,
                                     headers=self._headers, params=self._query, json=body)
        body = parse_json(response, service=SERVICE)
        try:
            job = _Job.model_validate(body["job"])
        except (KeyError, TypeError, ValueError):
            raise E.BadResponseError(f"{SERVICE} accepted the job but its answer had no job id.") from None
        on_created(job.jobId)
        cost = body.get("creativeUnitsCost")
        return self._remote(job, cost=float(cost) if isinstance(cost, (int, float)) else None)

    def status(self, remote_id: str) -> RemoteJob:
        body = self._get(f"/jobs/{remote_id}")
        try:
            job = _Job.model_validate(body["job"])
        except (KeyError, TypeError, ValueError):
            raise E.BadResponseError(f"{SERVICE} sent a job without a status.") from None
        remote = self._remote(job)
        if remote.status is JobStatus.SUCCEEDED:
            return remote.model_copy(update={"assets": self._result_assets(job)})
        return remote

    def _remote(self, job: _Job, cost: float | None = None) -> RemoteJob:
        status = map_status(job.status)
        if cost is None and job.billing and isinstance(job.billing.get("cuCost"), (int, float)):
            cost = float(job.billing["cuCost"])
        error = ""
        if status is JobStatus.FAILED:
            reason = E.redact(str(job.metadata.get("error") or "no reason given"))
            hint = E.redact(str(job.metadata.get("hint") or ""))
            error = f"{SERVICE} could not generate the model: {reason}." + (f" Hint: {hint}" if hint else "")
        progress = job.progress if job.progress is None or job.progress <= 1 else job.progress / 100
        return RemoteJob(remote_id=job.jobId, status=status, raw_status=job.status, progress=progress,
                         message=_STATUS_MESSAGES.get(job.status, job.status), error=error, cost=cost)

    def _result_assets(self, job: _Job) -> tuple[AssetRef, ...]:
        asset_ids = job.metadata.get("assetIds") or []
        refs: list[AssetRef] = []
        shaded: set[str] = set()
        for asset_id in asset_ids:
            body = self._get(f"/assets/{asset_id}")
            try:
                asset = ResultAsset.model_validate(body.get("asset", body))
            except (AttributeError, ValueError):
                raise E.BadResponseError(f"{SERVICE} sent a malformed asset record.") from None
            kind = asset_role(asset)
            if kind is None or not asset.url:
                continue
            role, channel = kind
            refs.append(AssetRef(role=role, channel=channel, filename=result_filename(role, channel, asset), url=asset.url,
                                 remote_id=asset.id))
            if role is AssetRole.MODEL and "shaded" in str(asset.metadata.get("name") or asset.url).lower():
                shaded.add(asset.id)
        # Several meshes (Rodin's "All" material: a shaded one beside the PBR one): the PBR mesh is the model,
        # the others are kept beside it under names of their own. Never by position: the order varies.
        models = sorted((ref for ref in refs if ref.role is AssetRole.MODEL), key=lambda ref: ref.remote_id in shaded)
        refs = [ref for ref in refs if ref.role is not AssetRole.MODEL] + models[:1] + [
            ref.model_copy(update={"filename": f"model_{ref.remote_id[-8:]}.glb"}) for ref in models[1:]]
        if not any(ref.role is AssetRole.MODEL for ref in refs):
            raise E.BadResponseError(f"{SERVICE} finished the job but none of its {len(asset_ids)} results is a 3D model.")
        return tuple(refs)

    def cancel(self, remote_id: str) -> bool:
        """Ask Scenario to cancel; most generation jobs refuse, which is reported as False."""
        try:
            self.http.request("POST", f"{self.base_url}/jobs/{remote_id}/action", service=SERVICE,
                              headers=self._headers, params=self._query, json={"action": "cancel"})
        except E.HTTPStatusError:
            return False
        return True

    def find_lost_submission(self, request: BaseModel, submitted_at: float) -> RemoteJob | None:
        """Find the job a lost creating request made: same model, created after it was sent, same inputs and seed."""
        since = datetime.fromtimestamp(submitted_at - 60, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        body = self._get("/jobs", createdAfter=since, pageSize=100)
        files: set[str] = set()
        if isinstance(request, CatalogRequest):
            # After a restart the request is rebuilt unstaged: its values (checked, not uploaded again) and which
            # file inputs it had identify it; an empty description would match any job, so it matches none.
            if request.body is not None:
                wanted = request.body
            else:
                _model, wanted, named = self.checked_body(request)
                files = set(named)
            if not wanted and not files:
                return None
        else:
            assert isinstance(request, ScenarioRequest)
            wanted = request.body(None)
        for raw in (body.get("jobs") or []) if isinstance(body, dict) else []:
            try:
                job = _Job.model_validate(raw)
            except ValueError:
                continue
            sent = job.metadata.get("input") or {}
            if all(sent.get(key) == value for key, value in wanted.items()) and files <= set(sent):
                return self.status(job.jobId)
        return None
