"""Scenario's multipart upload flow as the simulator serves it: ``POST /v1/uploads`` names presigned part URLs, the
parts are PUT there without credentials, ``complete`` assembles and checks the file, and the asset exists once the
upload has been validated (a poll or two later)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .scenario_records import ScenarioAsset, new_id, safe_name
from .wire import Request, Response

if TYPE_CHECKING:
    from .routing import Router


class MultipartUploads:
    """The uploads under way on one simulated Scenario; finished files become assets in ``assets``."""

    def __init__(self, sandbox: Router, auth: Callable[[Request], Response | None],
                 assets: dict[str, ScenarioAsset]) -> None:
        self.sandbox = sandbox
        self.auth = auth
        self.assets = assets
        self.uploads: dict[str, dict[str, Any]] = {}
        sandbox.route("POST", r"/v1/uploads", self.start_upload)
        sandbox.route("PUT", r"/upload-parts/(?P<id>[\w-]+)/(?P<part>\d+)", self.put_part)
        sandbox.route("POST", r"/v1/uploads/(?P<id>[\w-]+)/action", self.upload_action)
        sandbox.route("GET", r"/v1/uploads/(?P<id>[\w-]+)", self.get_upload)

    def start_upload(self, request: Request) -> Response:
        refused = self.auth(request)
        if refused:
            return refused
        body = request.json() or {}
        if not isinstance(body, dict) or not body.get("fileName") or not isinstance(body.get("fileSize"), int):
            return Response.json({"reason": "fileName and fileSize are required"}, 400)
        if body.get("kind") not in ("3d", "image", "asset"):
            return Response.json({"reason": "kind must be one of 3d, image, asset"}, 400)
        parts = int(body.get("parts") or 1)
        upload_id = new_id("upload")
        self.uploads[upload_id] = {"body": body, "parts": {}, "status": "pending", "entityId": ""}
        return Response.json({"upload": {"id": upload_id, "status": "pending", "kind": body["kind"],
                                         "fileName": body["fileName"], "parts": [
            {"number": number, "url": f"{self.sandbox.url}/upload-parts/{upload_id}/{number}"}
            for number in range(1, parts + 1)]}})

    def put_part(self, request: Request) -> Response:
        if request.header("authorization"):  # a presigned URL: no other auth allowed
            return Response(400, b"<Error>Only one auth mechanism allowed</Error>", {})
        upload = self.uploads.get(request.match["id"])
        if upload is None:
            return Response(404, b"<Error>NoSuchUpload</Error>", {})
        upload["parts"][int(request.match["part"])] = request.body
        return Response(200, b"", {"ETag": hashlib.md5(request.body).hexdigest()})  # noqa: S324 (an ETag)

    def upload_action(self, request: Request) -> Response:
        refused = self.auth(request)
        if refused:
            return refused
        upload = self.uploads.get(request.match["id"])
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
            asset = ScenarioAsset(new_id("asset"), data, meta.get("contentType", "model/gltf-binary"), kind,
                                  "uploaded-3d" if kind == "3d" else "uploaded", safe_name(meta["fileName"]))
            self.assets[asset.id] = asset
            upload["status"], upload["entityId"], upload["polls"] = "validating", asset.id, 0
        return Response.json({"upload": {"id": request.match["id"], "status": upload["status"]}})

    def get_upload(self, request: Request) -> Response:
        refused = self.auth(request)
        if refused:
            return refused
        upload = self.uploads.get(request.match["id"])
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
