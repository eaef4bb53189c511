"""Simulate Scenario's REST API: Basic auth, asset upload (JSON for images, the multipart ``/v1/uploads`` flow
for meshes), the model catalog (paged list, details with input schemas; ``scenario_catalog.py``), each body
checked against its model's schema, dry run (HTTP 269) priced per model and settings, the full status walk,
several result assets (GLB, preview, separate texture maps, in varying order; Rodin's two meshes), signed CDN
URLs that refuse an Authorization header, the job list, and a cancel that is refused.

Behaviour follows Scenario's API reference, as the client in providers/scenario.py sums it up.
"""

from __future__ import annotations

import base64
import hashlib
import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .assets import build_glb, make_model_glb, make_pot, make_textures, segments_for_faces
from .repaint import repaint
from .scenario_catalog import MODELS, check_body, filler, list_entry
from .wire import Request, Response

if TYPE_CHECKING:
    from .server import Sandbox

VALID_KEY = "sandbox-scenario-key"
VALID_SECRET = "sandbox-scenario-secret"
SANDBOX_CREDENTIALS = {"api_key": VALID_KEY, "api_secret": VALID_SECRET}
"""What the add-on passes to the client when the sandbox is on (client constructor keywords)."""
CREATE_PATH = "/generate/custom"
"""Where the request that creates (and bills) a job goes: faults aimed at it test the never-pay-twice rules."""
DOWNLOAD_PATH = "/cdn/"
"""Where result files are served from."""
MODEL_ID = "model_hunyuan-3d-v2-1"
COST = 20
# The status walk a job goes through, one step per poll.
STATUS_WALK = ["queued", "warming-up", "in-progress", "in-progress", "finalizing", "success"]
_SIGNING_SECRET = b"sandbox-cdn-signing"
_MAX_UPLOAD = 10 * 1024 * 1024


BASE_COSTS = {"model_tripo-v3-1-image-to-3d": 30, "model_meshy-7-txt23d": 20, "model_meshy-7-img23d": 25,
              "model_hunyuan-3d-pro-3-1-multiview": 120, "model_rodin-hyper3d-v2-5": 50,
              "model_meshy-7-retexture": 10, "model_meshy-remesh": 5}


def cost_of(model_id: str, body: dict[str, Any]) -> int:
    """What a job costs in the sandbox: a price per model, more for the settings that cost more."""
    if model_id == MODEL_ID:
        return COST
    extra = {"extreme": 20, "detailed": 10, "8k": 15, "4k": 5, "Gen-2.5-High": 25}
    return BASE_COSTS.get(model_id, 15) + sum(extra.get(value, 0) for value in body.values() if isinstance(value, str))


def _id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:22]}"


def _safe_name(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "._-" else "_" for c in str(name))[:64]
    return cleaned or "upload.png"


def _now_iso(offset: float = 0.0) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() + offset))


@dataclass
class ScenarioAsset:
    id: str
    data: bytes
    mime: str
    kind: str
    type: str
    name: str


@dataclass
class ScenarioJob:
    id: str
    inputs: dict[str, Any]
    created: str
    polls: int = 0
    fail: bool = False
    asset_ids: list[str] = field(default_factory=list)
    model: str = MODEL_ID
    cost: int = COST


@dataclass
class ScenarioConfig:
    separate_maps: bool = False
    """Return an untextured GLB plus separate albedo/metallic/roughness/normal assets."""
    fail_next: int = 0
    max_faces: int = 6000
    texture_size: int = 256
    unknown_status_next: int = 0
    """The next N status answers carry a status word Scenario does not document."""
    url_ttl_s: float = 3600.0
    """Lifetime of signed CDN URLs; 0 makes every URL already expired."""
    rate_limit_next: int = 0
    """The next N creating requests are refused with 429 and ``remainingSeconds`` (nothing is created)."""
    rate_limit_seconds: float = 1.0
    generic_texture_type: bool = False
    """Separate maps typed plain ``3d-texture`` (the file name says which map) and an ``.mtl`` asset beside them."""
    fail_uploads: int = 0
    """The next N image uploads answer 503."""
    catalog_filler: int = 0
    """Plain image-to-3D models added to the catalog (a catalog the size of the real one)."""
    catalog_page_size: int = 4
    """The most models a list page holds, whatever the client asks (so paging is always exercised)."""
    repeat_token: bool = False
    """The list hands out the same page token for ever (a client must stop, not loop)."""


class ScenarioSimulator:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.config = ScenarioConfig()
        self.assets: dict[str, ScenarioAsset] = {}
        self.jobs: dict[str, ScenarioJob] = {}
        self.creating_posts = 0
        self.dry_runs = 0
        self.uploads = 0
        self._lock = threading.Lock()
        sandbox.route("POST", r"/v1/assets", self.upload)
        sandbox.route("GET", r"/v1/assets/(?P<id>[\w-]+)", self.get_asset)
        sandbox.route("POST", r"/v1/generate/custom/(?P<model>[\w.-]+)", self.generate)
        sandbox.route("GET", r"/v1/jobs", self.list_jobs)
        sandbox.route("GET", r"/v1/jobs/(?P<id>[\w-]+)", self.get_job)
        sandbox.route("POST", r"/v1/jobs/(?P<id>[\w-]+)/action", self.action)
        sandbox.route("GET", r"/cdn/(?P<id>[\w-]+)/(?P<name>[\w.-]+)", self.cdn)
        sandbox.route("GET", r"/v1/models", self.list_models)
        sandbox.route("GET", r"/v1/models/(?P<id>[\w.-]+)", self.get_model)
        sandbox.route("POST", r"/v1/uploads", self.start_upload)
        sandbox.route("PUT", r"/upload-parts/(?P<id>[\w-]+)/(?P<part>\d+)", self.put_part)
        sandbox.route("POST", r"/v1/uploads/(?P<id>[\w-]+)/action", self.upload_action)
        sandbox.route("GET", r"/v1/uploads/(?P<id>[\w-]+)", self.get_upload)
        self.model_reads = 0
        self.list_reads = 0
        self.multipart_uploads: dict[str, dict[str, Any]] = {}

    # --- auth and signing ---------------------------------------------------------------------------------
    def _auth(self, request: Request) -> Response | None:
        expected = "Basic " + base64.b64encode(f"{VALID_KEY}:{VALID_SECRET}".encode()).decode()
        if request.header("authorization") != expected:
            return Response.json({"reason": "Unauthorized", "traceId": uuid.uuid4().hex}, 401)
        return None

    def _sign(self, asset_id: str, expires: int) -> str:
        return hashlib.sha256(_SIGNING_SECRET + f"{asset_id}:{expires}".encode()).hexdigest()[:32]

    def signed_url(self, asset: ScenarioAsset) -> str:
        expires = int(time.time() + self.config.url_ttl_s)
        policy = base64.urlsafe_b64encode(f'{{"exp":{expires}}}'.encode()).decode().rstrip("=")
        return (f"{self.sandbox.url}/cdn/{asset.id}/{asset.name}?Policy={policy}&Expires={expires}"
                f"&Key-Pair-Id=KSANDBOX&Signature={self._sign(asset.id, expires)}")

    def _record(self, asset: ScenarioAsset) -> dict[str, Any]:
        return {
            "id": asset.id, "url": self.signed_url(asset), "mimeType": asset.mime, "kind": asset.kind,
            "source": "img23d" if asset.kind == "3d" else "uploaded", "status": "success", "privacy": "private",
            "authorId": "user_sandbox", "ownerId": "proj_sandbox", "collectionIds": [], "tags": [], "editCapabilities": [],
            "createdAt": _now_iso(), "updatedAt": _now_iso(),
            "metadata": {"kind": asset.kind, "type": asset.type, "modelId": MODEL_ID, "name": asset.name},
            "properties": {"size": len(asset.data)},
        }

    # --- routes ---------------------------------------------------------------------------------------------
    def upload(self, request: Request) -> Response:
        refused = self._auth(request)
        if refused:
            return refused
        if len(request.body) > _MAX_UPLOAD:
            return Response.json({"reason": "Payload too large"}, 413)
        if self.config.fail_uploads > 0:
            self.config.fail_uploads -= 1
            return Response.json({"reason": "Service Unavailable"}, 503)
        self.uploads += 1
        try:
            body = request.json()
            image = body["image"]
            name = body["name"]
        except (ValueError, KeyError, TypeError):
            return Response.json({"reason": "image and name are required"}, 400)
        encoded = image.split(",", 1)[1] if image.startswith("data:") else image
        try:
            data = base64.b64decode(encoded, validate=True)
        except ValueError:
            return Response.json({"reason": "image must be base64"}, 400)
        asset = ScenarioAsset(_id("asset"), data, "image/png", "image", "uploaded", _safe_name(name))
        self.assets[asset.id] = asset
        return Response.json({"asset": self._record(asset)})

    def get_asset(self, request: Request) -> Response:
        refused = self._auth(request)
        if refused:
            return refused
        asset = self.assets.get(request.match["id"])
        if asset is None:
            return Response.json({"reason": "Asset not found"}, 404)
        return Response.json({"asset": self._record(asset)})

    INPUTS = {"image", "paint", "steps", "guidanceScale", "targetFaceNum", "seed"}
    """model_hunyuan-3d-v2-1's inputs, in Scenario's camelCase: anything else (snake_case included) is refused."""

    @classmethod
    def validate(cls, body: Any) -> str | None:
        if not isinstance(body, dict):
            return "body must be an object"
        unknown = sorted(set(body) - cls.INPUTS)
        if unknown:
            return f"Unknown input(s) for {MODEL_ID}: {', '.join(unknown)}"
        checks = [("steps", 10, 100), ("guidanceScale", 1, 10), ("targetFaceNum", 100, 1_000_000), ("seed", 0, 2_147_483_647)]
        for name, low, high in checks:
            if name in body and (not isinstance(body[name], (int, float)) or not low <= body[name] <= high):
                return f"{name} must be between {low} and {high}"
        if "paint" in body and not isinstance(body["paint"], bool):
            return "paint must be a boolean"
        return None

    def generate(self, request: Request) -> Response:
        refused = self._auth(request)
        if refused:
            return refused
        model = self.catalog().get(request.match["model"])
        if model is None:
            return Response.json({"reason": f"Model {request.match['model']} not found"}, 404)
        try:
            body = request.json()
        except ValueError:
            return Response.json({"reason": "invalid JSON"}, 400)
        if model["id"] == MODEL_ID:
            problem = self.validate(body)
            # A dry run checks the complete body like a real job: the image is required there too.
            if problem is None and body.get("image") not in self.assets:
                problem = "image must be the id of an uploaded asset"
        else:
            problem = check_body(model, body, {key: asset.kind for key, asset in self.assets.items()})
        if problem:
            return Response.json({"reason": problem}, 400)
        cost = cost_of(model["id"], body)
        if request.query.get("dryRun") in ("true", "api"):
            self.dry_runs += 1
            return Response.json({"creativeUnitsCost": cost, "creativeUnitsDiscount": 0,
                                  "costDetails": {"custom-generation": cost}}, 269)
        if self.config.rate_limit_next > 0:
            self.config.rate_limit_next -= 1
            return Response.json({"reason": "Too many requests", "remainingSeconds": self.config.rate_limit_seconds}, 429)
        with self._lock:
            self.creating_posts += 1
            job = ScenarioJob(_id("job"), body, _now_iso(), model=model["id"], cost=cost)
            if self.config.fail_next > 0:
                self.config.fail_next -= 1
                job.fail = True
            self.jobs[job.id] = job
        return Response.json({"job": self._job_record(job, "queued"), "creativeUnitsCost": cost,
                              "creativeUnitsDiscount": 0, "costDetails": {"custom-generation": cost}})

    def _status(self, job: ScenarioJob) -> str:
        step = min(job.polls, len(STATUS_WALK) - 1)
        status = STATUS_WALK[step]
        if job.fail and status in ("finalizing", "success"):
            return "failure"
        return status

    def _job_record(self, job: ScenarioJob, status: str) -> dict[str, Any]:
        progress = {"queued": 0.0, "warming-up": 0.05, "in-progress": 0.1 + 0.4 * min(job.polls, 3) / 3,
                    "finalizing": 0.9, "success": 1.0, "failure": 0.3}.get(status, 0.0)
        metadata: dict[str, Any] = {"input": job.inputs}
        if status == "success":
            metadata["assetIds"] = self._results(job)
        if status == "failure":
            metadata["error"] = "Generation failed: invalid input image"
            metadata["hint"] = "Use a single object on a plain background"
        return {"jobId": job.id, "jobType": "custom", "status": status, "progress": progress,
                "metadata": metadata, "statusHistory": [{"status": status, "date": _now_iso()}],
                "billing": {"cuCost": 0 if status == "failure" else job.cost, "cuDiscount": 0},
                "createdAt": job.created, "updatedAt": _now_iso()}

    def _results(self, job: ScenarioJob) -> list[str]:
        if job.asset_ids:
            return job.asset_ids
        if job.model != MODEL_ID:
            made = self._catalog_results(job)
            for asset in made:
                self.assets[asset.id] = asset
            job.asset_ids = [asset.id for asset in made]
            return job.asset_ids
        seed = int(job.inputs.get("seed", 1))
        faces = min(int(job.inputs.get("targetFaceNum", 40000)), self.config.max_faces)
        paint = bool(job.inputs.get("paint", True))
        made: list[ScenarioAsset] = []
        if self.config.separate_maps and paint:
            segments, rings = segments_for_faces(faces)
            glb = build_glb(make_pot(seed, segments, rings), None)
            maps = make_textures(seed, self.config.texture_size)
            made.append(ScenarioAsset(_id("asset"), glb, "model/gltf-binary", "3d", "img23d", "model.glb"))
            for kind, data in (("albedo", maps.base_color), ("metallic", maps.metallic),
                               ("roughness", maps.roughness), ("normal", maps.normal)):
                kind_type = "3d-texture" if self.config.generic_texture_type else f"3d-texture-{kind}"
                made.append(ScenarioAsset(_id("asset"), data, "image/png", "image", kind_type, f"texture_{kind}.png"))
            if self.config.generic_texture_type:
                made.append(ScenarioAsset(_id("asset"), b"newmtl material_0\n", "text/plain", "3d", "3d-texture-mtl",
                                          "material.mtl"))
        else:
            glb = make_model_glb(seed, face_count=faces, texture=paint, texture_size=self.config.texture_size)
            made.append(ScenarioAsset(_id("asset"), glb, "model/gltf-binary", "3d", "img23d", "model.glb"))
        preview = make_textures(seed + 1, 32).base_color
        made.append(ScenarioAsset(_id("asset"), preview, "image/png", "image", "preview", "thumbnail.png"))
        for asset in made:
            self.assets[asset.id] = asset
        job.asset_ids = [asset.id for asset in made]
        return job.asset_ids

    def _catalog_results(self, job: ScenarioJob) -> list[ScenarioAsset]:
        """A catalog model's result: the GLB, separate maps when the model was asked for PBR, in an order that
        varies from job to job (clients must pick by kind and type, never by position)."""
        body = job.inputs
        seed = int(hashlib.sha256(job.id.encode()).hexdigest()[:6], 16)
        made: list[ScenarioAsset] = []
        mesh_input = next((body[name] for name in ("model", "mesh") if isinstance(body.get(name), str)), None)
        if job.model.endswith("retexture") and mesh_input in self.assets:
            glb = repaint(self.assets[mesh_input].data)  # the artist's mesh, re-unwrapped and painted
            made.append(ScenarioAsset(_id("asset"), glb, "model/gltf-binary", "3d", "3d23d-texture", "model.glb"))
        elif mesh_input in self.assets:  # remesh: the same shape, fewer faces, no texture
            faces = int(body.get("targetPolycount", 3000))
            glb = make_model_glb(seed, face_count=min(faces, self.config.max_faces), texture=False)
            made.append(ScenarioAsset(_id("asset"), glb, "model/gltf-binary", "3d", "3d23d", "remeshed.glb"))
        else:
            pbr = any(body.get(name) is True for name in ("pbr", "enablePbr")) or body.get("material") == "PBR"
            segments, rings = segments_for_faces(self.config.max_faces)
            if pbr:
                made.append(ScenarioAsset(_id("asset"), build_glb(make_pot(seed, segments, rings), None),
                                          "model/gltf-binary", "3d", "img23d", "model.glb"))
                maps = make_textures(seed, self.config.texture_size)
                for kind, data in (("albedo", maps.base_color), ("metallic", maps.metallic),
                                   ("roughness", maps.roughness), ("normal", maps.normal)):
                    made.append(ScenarioAsset(_id("asset"), data, "image/png", "image", f"3d-texture-{kind}",
                                              f"texture_{kind}.png"))
            else:
                made.append(ScenarioAsset(_id("asset"), make_model_glb(seed, face_count=self.config.max_faces),
                                          "model/gltf-binary", "3d", "img23d", "model.glb"))
            if body.get("material", "All" if job.model.startswith("model_rodin") else "") == "All":
                # Rodin's default "All": a shaded mesh beside the PBR one.
                made.append(ScenarioAsset(_id("asset"), make_model_glb(seed + 1, face_count=500),
                                          "model/gltf-binary", "3d", "img23d", "model_shaded.glb"))
        made.append(ScenarioAsset(_id("asset"), make_textures(seed + 1, 32).base_color, "image/png", "image",
                                  "preview", "thumbnail.png"))
        order = random.Random(seed)
        order.shuffle(made)
        return made

    # --- the catalog and multipart uploads ----------------------------------------------------------------
    def catalog(self) -> dict[str, dict[str, Any]]:
        models = MODELS + filler(self.config.catalog_filler)
        return {model["id"]: model for model in models}

    def list_models(self, request: Request) -> Response:
        refused = self._auth(request)
        if refused:
            return refused
        self.list_reads += 1
        models = list(self.catalog().values())
        size = min(int(request.query.get("pageSize", "50")), self.config.catalog_page_size, 100)
        start = int(request.query.get("paginationToken", "0") or 0) if not self.config.repeat_token else 0
        page = models[start:start + size]
        nxt = start + size
        token = "page-0" if self.config.repeat_token else (str(nxt) if nxt < len(models) else "")
        if self.config.repeat_token:
            token = "1"
        return Response.json({"models": [list_entry(model) for model in page], "nextPaginationToken": token})

    def get_model(self, request: Request) -> Response:
        refused = self._auth(request)
        if refused:
            return refused
        self.model_reads += 1
        model = self.catalog().get(request.match["id"])
        if model is None:
            return Response.json({"reason": "Model not found"}, 404)
        return Response.json({"model": {**list_entry(model), **model}})

    def start_upload(self, request: Request) -> Response:
        refused = self._auth(request)
        if refused:
            return refused
        body = request.json() or {}
        if not isinstance(body, dict) or not body.get("fileName") or not isinstance(body.get("fileSize"), int):
            return Response.json({"reason": "fileName and fileSize are required"}, 400)
        if body.get("kind") not in ("3d", "image", "asset"):
            return Response.json({"reason": "kind must be one of 3d, image, asset"}, 400)
        parts = int(body.get("parts") or 1)
        upload_id = _id("upload")
        self.multipart_uploads[upload_id] = {"body": body, "parts": {}, "status": "pending", "entityId": ""}
        return Response.json({"upload": {"id": upload_id, "status": "pending", "kind": body["kind"],
                                         "fileName": body["fileName"], "parts": [
            {"number": number, "url": f"{self.sandbox.url}/upload-parts/{upload_id}/{number}"}
            for number in range(1, parts + 1)]}})

    def put_part(self, request: Request) -> Response:
        if request.header("authorization"):  # a presigned URL: no other auth allowed
            return Response(400, b"<Error>Only one auth mechanism allowed</Error>", {})
        upload = self.multipart_uploads.get(request.match["id"])
        if upload is None:
            return Response(404, b"<Error>NoSuchUpload</Error>", {})
        upload["parts"][int(request.match["part"])] = request.body
        return Response(200, b"", {"ETag": hashlib.md5(request.body).hexdigest()})  # noqa: S324 (an ETag)

    def upload_action(self, request: Request) -> Response:
        refused = self._auth(request)
        if refused:
            return refused
        upload = self.multipart_uploads.get(request.match["id"])
        if upload is None:
            return Response.json({"reason": "Upload not found"}, 404)
        if (request.json() or {}).get("action") != "complete":
            return Response.json({"reason": "unknown action"}, 400)
        data = b"".join(upload["parts"][number] for number in sorted(upload["parts"]))
        meta = upload["body"]
        if len(data) != meta["fileSize"]:
            upload["status"] = "failed"
            upload["errorMessage"] = f"expected {meta['fileSize']} bytes, got {len(data)}"
            return Response.json({"upload": {"id": request.match["id"], "status": "failed",
                                             "errorMessage": upload["errorMessage"]}})
        kind = "3d" if meta["kind"] == "3d" else "image"
        if kind == "3d" and data[:4] != b"glTF":
            upload["status"], upload["errorMessage"] = "failed", "not a GLB file"
        else:
            asset = ScenarioAsset(_id("asset"), data, meta.get("contentType", "model/gltf-binary"), kind,
                                  "uploaded-3d" if kind == "3d" else "uploaded", _safe_name(meta["fileName"]))
            self.assets[asset.id] = asset
            upload["status"], upload["entityId"], upload["polls"] = "validating", asset.id, 0
        return Response.json({"upload": {"id": request.match["id"], "status": upload["status"]}})

    def get_upload(self, request: Request) -> Response:
        refused = self._auth(request)
        if refused:
            return refused
        upload = self.multipart_uploads.get(request.match["id"])
        if upload is None:
            return Response.json({"reason": "Upload not found"}, 404)
        record: dict[str, Any] = {"id": request.match["id"], "status": upload["status"]}
        if upload["status"] == "validating":
            upload["polls"] += 1
            if upload["polls"] >= 2:  # the asset exists only once validated
                upload["status"] = "complete"
                record["status"] = "complete"
                record["entityId"] = upload["entityId"]
        elif upload["status"] == "complete":
            record["entityId"] = upload["entityId"]
        elif upload["status"] == "failed":
            record["errorMessage"] = upload.get("errorMessage", "")
        return Response.json({"upload": record})

    def get_job(self, request: Request) -> Response:
        refused = self._auth(request)
        if refused:
            return refused
        job = self.jobs.get(request.match["id"])
        if job is None:
            return Response.json({"reason": "Job not found"}, 404)
        with self._lock:
            job.polls += 1
            status = self._status(job)
            if self.config.unknown_status_next > 0:
                self.config.unknown_status_next -= 1
                status = "paused-for-maintenance"
        return Response.json({"job": self._job_record(job, status)})

    def list_jobs(self, request: Request) -> Response:
        refused = self._auth(request)
        if refused:
            return refused
        after = request.query.get("createdAfter", "")
        size = min(int(request.query.get("pageSize", "50")), 200)
        jobs = [self._job_record(job, self._status(job)) for job in self.jobs.values() if job.created >= after]
        return Response.json({"jobs": jobs[-size:]})

    def action(self, request: Request) -> Response:
        refused = self._auth(request)
        if refused:
            return refused
        return Response.json({"reason": "Cannot cancel this type of job"}, 400)

    def cdn(self, request: Request) -> Response:
        # Like CloudFront signed URLs: an Authorization header is refused, the signature must match.
        if request.header("authorization"):
            return Response(400, b"<Error>Only one auth mechanism allowed</Error>", {"Content-Type": "application/xml"})
        asset = self.assets.get(request.match["id"])
        expires = request.query.get("Expires", "0")
        if asset is None or not expires.isdigit() or request.query.get("Signature") != self._sign(asset.id, int(expires)):
            return Response(403, b"<Error>AccessDenied</Error>", {"Content-Type": "application/xml"})
        if int(expires) < time.time():
            return Response(403, b"<Error>Request has expired</Error>", {"Content-Type": "application/xml"})
        return Response(200, asset.data, {"Content-Type": asset.mime})
