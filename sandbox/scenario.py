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
from typing import TYPE_CHECKING, Any

from .assets import build_glb, make_model_glb, make_pot, make_textures, segments_for_faces
from .repaint import repaint
from .scenario_catalog import MODELS, check_body, filler, list_entry
from .scenario_records import (  # noqa: F401 - the credentials and paths every simulator module states
    COST,
    CREATE_PATH,
    DOWNLOAD_PATH,
    MODEL_ID,
    SANDBOX_CREDENTIALS,
    STATUS_WALK,
    VALID_KEY,
    VALID_SECRET,
    ScenarioAsset,
    ScenarioConfig,
    ScenarioJob,
    cost_of,
    new_id,
    now_iso,
    safe_name,
)
from .scenario_uploads import MultipartUploads
from .wire import Request, Response

if TYPE_CHECKING:
    from .routing import Router

_SIGNING_SECRET = b"sandbox-cdn-signing"
_MAX_UPLOAD = 10 * 1024 * 1024
"""The largest image ``POST /v1/assets`` takes."""


class ScenarioSimulator:
    def __init__(self, sandbox: Router) -> None:
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
        self.model_reads = 0
        self.list_reads = 0
        self.multipart = MultipartUploads(sandbox, self._auth, self.assets)
        self.multipart_uploads = self.multipart.uploads

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
            "createdAt": now_iso(), "updatedAt": now_iso(),
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
        asset = ScenarioAsset(new_id("asset"), data, "image/png", "image", "uploaded", safe_name(name))
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
            job = ScenarioJob(new_id("job"), body, now_iso(), model=model["id"], cost=cost)
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
                "metadata": metadata, "statusHistory": [{"status": status, "date": now_iso()}],
                "billing": {"cuCost": 0 if status == "failure" else job.cost, "cuDiscount": 0},
                "createdAt": job.created, "updatedAt": now_iso()}

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
            made.append(ScenarioAsset(new_id("asset"), glb, "model/gltf-binary", "3d", "img23d", "model.glb"))
            for kind, data in (("albedo", maps.base_color), ("metallic", maps.metallic),
                               ("roughness", maps.roughness), ("normal", maps.normal)):
                kind_type = "3d-texture" if self.config.generic_texture_type else f"3d-texture-{kind}"
                made.append(ScenarioAsset(new_id("asset"), data, "image/png", "image", kind_type, f"texture_{kind}.png"))
            if self.config.generic_texture_type:
                made.append(ScenarioAsset(new_id("asset"), b"newmtl material_0\n", "text/plain", "3d", "3d-texture-mtl",
                                          "material.mtl"))
        else:
            glb = make_model_glb(seed, face_count=faces, texture=paint, texture_size=self.config.texture_size)
            made.append(ScenarioAsset(new_id("asset"), glb, "model/gltf-binary", "3d", "img23d", "model.glb"))
        preview = make_textures(seed + 1, 32).base_color
        made.append(ScenarioAsset(new_id("asset"), preview, "image/png", "image", "preview", "thumbnail.png"))
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
            made.append(ScenarioAsset(new_id("asset"), glb, "model/gltf-binary", "3d", "3d23d-texture", "model.glb"))
        elif mesh_input in self.assets:  # remesh: the same shape, fewer faces, no texture
            from .mesh_tools import remesh

            faces = int(body.get("targetPolycount", 3000))
            glb = remesh(self.assets[mesh_input].data, min(faces, self.config.max_faces))
            made.append(ScenarioAsset(new_id("asset"), glb, "model/gltf-binary", "3d", "3d23d", "remeshed.glb"))
        else:
            pbr = any(body.get(name) is True for name in ("pbr", "enablePbr")) or body.get("material") == "PBR"
            segments, rings = segments_for_faces(self.config.max_faces)
            if pbr:
                made.append(ScenarioAsset(new_id("asset"), build_glb(make_pot(seed, segments, rings), None),
                                          "model/gltf-binary", "3d", "img23d", "model.glb"))
                maps = make_textures(seed, self.config.texture_size)
                for kind, data in (("albedo", maps.base_color), ("metallic", maps.metallic),
                                   ("roughness", maps.roughness), ("normal", maps.normal)):
                    made.append(ScenarioAsset(new_id("asset"), data, "image/png", "image", f"3d-texture-{kind}",
                                              f"texture_{kind}.png"))
            else:
                made.append(ScenarioAsset(new_id("asset"), make_model_glb(seed, face_count=self.config.max_faces),
                                          "model/gltf-binary", "3d", "img23d", "model.glb"))
            if body.get("material", "All" if job.model.startswith("model_rodin") else "") == "All":
                # Rodin's default "All": a shaded mesh beside the PBR one.
                made.append(ScenarioAsset(new_id("asset"), make_model_glb(seed + 1, face_count=500),
                                          "model/gltf-binary", "3d", "img23d", "model_shaded.glb"))
        made.append(ScenarioAsset(new_id("asset"), make_textures(seed + 1, 32).base_color, "image/png", "image",
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


SIMULATOR = ScenarioSimulator
"""What ``Router.attach`` builds for this module."""
