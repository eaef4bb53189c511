"""Any 3D model of Scenario's catalog through the custom-model endpoint: the catalog and model details from the
API, the job body built from the model's own schema, every file input uploaded first.

``ScenarioCatalogClient`` is mixed into ``ScenarioProvider`` (``scenario.py``), which keeps the job flow
(create, poll, results, lost answers) shared by every model. What is particular to the catalog:
- ``fetch_catalog``: the list, page by page (a repeated page token ends the loop), 3D models only;
- ``model_details``: ``GET /v1/models/{id}`` (remembered for this session: a job needs its schema);
- a job's values are checked against the schema before any file is uploaded (``catalog_values.check_values``);
- images go up as assets (``POST /v1/assets``, JSON with a data URL; shrunk to at most 2048 px); meshes and
  images too large for that go through the multipart ``POST /v1/uploads`` flow (create, PUT each part to
  its presigned URL without our credentials, complete, wait for the asset id). Uploads are free and retried;
- Rodin is asked for ``material: "PBR"`` unless the artist chose (its default answers two meshes).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ...net import errors as E
from ...net.http import parse_json
from ..memory import BoundedMemo
from . import catalog, catalog_values
from .images import MAX_IMAGE_BYTES, image_data_url

CATALOG_IMAGE_PX = 2048
"""Reference images for the catalog's models are sent at most this large (Scenario's assets take ~6 MB)."""
PART_BYTES = 32 * 1024 * 1024
"""Multipart upload part size (Scenario's own plugin uses 32 MiB)."""
MAX_UPLOAD_BYTES = 512 * 1024 * 1024
UPLOAD_WAIT_S = 120.0
MAX_REMEMBERED_MODELS = 64
"""Models whose details a client's memory keeps (a job needs its model's schema; the catalog lists up to 2000)."""


class CatalogRequest(BaseModel):
    """A job on any catalog model: what the artist chose, then (after ``stage``) the body to send."""

    model_config = ConfigDict(extra="forbid")

    model_id: str
    values: dict[str, Any] = Field(default_factory=dict)
    """Input values by the model's own names; file inputs may be named here with local paths."""
    prompt: str = ""
    """The sidebar's or the script's prompt, for the model's prompt input."""
    image_paths: list[str] = Field(default_factory=list)
    images_from_sidebar: bool = False
    """The images were the sidebar's, not named for this job: a model without image inputs does without them."""
    mesh_path: str = ""
    work_dir: str = ""
    blender_binary: str = ""
    body: dict[str, Any] | None = None
    """The complete body with asset ids, once staged."""


def is_catalog_job(params: Mapping[str, Any]) -> bool:
    """Whether job parameters name a catalog model (the Hunyuan 3D 2.1 settings have no ``model``)."""
    return bool(params.get("model")) and params.get("model") != catalog.DEFAULT_MODEL


class ScenarioCatalogClient:
    """The catalog half of the Scenario client (needs ``http``, ``base_url``, ``_headers``, ``_query``, ``_get``,
    ``upload_image`` from ``ScenarioProvider``)."""

    http: Any
    base_url: str
    _headers: dict[str, str]
    _query: dict[str, str]

    def _get(self, path: str, **params: Any) -> Any:  # provided by ScenarioProvider
        raise NotImplementedError

    def upload_image(self, name: str, data_url: str) -> str:  # provided by ScenarioProvider
        raise NotImplementedError

    # --- the catalog --------------------------------------------------------------------------------------
    def fetch_catalog(self, cancel: threading.Event | None = None) -> catalog.Catalog:
        """Every public 3D model, all pages (``GET /v1/models``); details are fetched per model when needed."""
        found: dict[str, catalog.CatalogModel] = {}
        token, seen = "", set()
        for _page in range(catalog.MAX_PAGES):
            if cancel is not None and cancel.is_set():
                raise E.JobCanceledError("Catalog refresh canceled.")
            query = {"privacy": "public", "status": "trained", "pageSize": 100}
            if token:
                query["paginationToken"] = token
            token = catalog.merge_page(found, self._get("/models", **query))
            if not token or token in seen:
                break
            seen.add(token)
        return catalog.Catalog(found.values(), time.time())

    def model_details(self, model_id: str) -> catalog.CatalogModel:
        """A model with its inputs (``GET /v1/models/{id}``), remembered for this session."""
        model_id = catalog.checked_model_id(model_id)
        key = (self.base_url, model_id)
        details = self.remembered("model details", lambda: BoundedMemo(MAX_REMEMBERED_MODELS))
        known = details.get(key)
        if known is not None:
            return known
        try:
            raw = self._get(f"/models/{model_id}")
        except E.NotFoundError:
            raise E.UnknownModelError(f"Scenario has no model '{model_id[:80]}'. Refresh the catalog and choose "
                                      "another.") from None
        model = catalog.parse_model(raw)
        if model is None or model.inputs is None:
            raise E.BadResponseError(f"Scenario described the model '{model_id[:80]}' without readable inputs.")
        details.put(key, model)
        return model

    # --- a job --------------------------------------------------------------------------------------------
    def prepare_catalog(self, params: Mapping[str, Any], inputs: Mapping[str, str]) -> CatalogRequest:
        values = params.get("inputs") or {}
        if not isinstance(values, dict):
            raise E.InvalidInputError("The model's inputs must be a JSON object of input names and values.")
        images = [part for part in (inputs.get("image_path") or "").split(";") if part.strip()]
        return CatalogRequest(model_id=str(params["model"]), values=values, prompt=inputs.get("prompt", ""),
                              image_paths=images, images_from_sidebar=inputs.get("image_from_sidebar") == "1",
                              mesh_path=inputs.get("mesh_path", ""),
                              work_dir=inputs.get("work_dir", ""), blender_binary=inputs.get("blender_binary", ""))

    def checked_body(self, request: CatalogRequest) -> tuple[catalog.CatalogModel, dict[str, Any], dict[str, list[str]]]:
        """(model, checked values, files by input) for a request; raises ``InvalidInputError`` before any upload."""
        model = self.model_details(request.model_id)
        if model.successor:
            raise E.InvalidInputError(f"Scenario retired {model.title}; use {model.successor} instead.")
        checked, files = catalog_values.job_values(model, request.values, prompt=request.prompt, images=request.image_paths,
                                            images_from_sidebar=request.images_from_sidebar,
                                            mesh_path=request.mesh_path)
        return model, checked, files

    def stage_catalog(self, request: CatalogRequest, cancel: Any = None,
                      say: Callable[[str], None] = lambda text: None) -> CatalogRequest:
        """Check the job against the model's schema, then upload every file input and build the body."""
        if request.body is not None:
            return request
        model, body, files = self.checked_body(request)
        for name, paths in files.items():
            for path in paths:
                if not Path(path).is_file():
                    item = model.input(name)
                    raise E.InvalidInputError(f"{item.title if item else name}: the file '{path}' does not exist.")
        ids: dict[str, list[str]] = {}
        for name, paths in files.items():
            item = model.input(name)
            assert item is not None
            say(f"Uploading {item.title}")
            ids[name] = [self.upload_path(Path(path), item.kind or "image", request, index)
                         for index, path in enumerate(paths)]
            body[name] = ids[name] if item.type == "file_array" else ids[name][0]
        return request.model_copy(update={"body": body})

    def upload_path(self, path: Path, kind: str, request: CatalogRequest, index: int = 0) -> str:
        """Upload one local file for a file input and return its asset id."""
        if kind == "image":
            workdir = Path(request.work_dir) / f"upload_{index}" if request.work_dir else None
            if path.stat().st_size <= MAX_IMAGE_BYTES or workdir is not None:
                try:
                    name, data_url = image_data_url(path, workdir, request.blender_binary, max_side=CATALOG_IMAGE_PX)
                    return self.upload_image(name, data_url)
                except E.InvalidInputError:
                    if path.stat().st_size <= MAX_IMAGE_BYTES:
                        raise
        return self.upload_file(path, kind)

    def upload_file(self, path: Path, kind: str) -> str:
        """The multipart upload (``POST /v1/uploads``): parts PUT to presigned URLs, then completed; waits for the
        asset id. Free, so each step is retried; a failure names the file."""
        size = path.stat().st_size
        if size > MAX_UPLOAD_BYTES:
            raise E.InvalidInputError(f"'{path.name}' is {size >> 20} MB; Scenario uploads are limited here to "
                                      f"{MAX_UPLOAD_BYTES >> 20} MB.")
        parts = max(1, math.ceil(size / PART_BYTES))
        content_type = "model/gltf-binary" if kind == "3d" else "image/png"
        answer = parse_json(self.http.request(
            "POST", f"{self.base_url}/uploads", service="Scenario", headers=self._headers, params=self._query,
            json={"fileName": path.name[:120], "fileSize": size, "contentType": content_type, "kind": kind,
                  "parts": parts}, retry=True), service="Scenario")
        upload = answer.get("upload") if isinstance(answer, dict) else None
        if not isinstance(upload, dict) or not isinstance(upload.get("id"), str) or not isinstance(
                upload.get("parts"), list) or len(upload["parts"]) != parts:
            raise E.BadResponseError("Scenario did not open the upload as asked.")
        upload_id = upload["id"]
        with path.open("rb") as handle:
            for part in sorted(upload["parts"], key=lambda item: item.get("number", 0) if isinstance(item, dict) else 0):
                url = part.get("url") if isinstance(part, dict) else None
                if not isinstance(url, str):
                    raise E.BadResponseError("Scenario gave an upload part without an address.")
                # A presigned URL carries its own authorisation: our credentials never go there.
                self.http.request("PUT", url, service="Scenario", data=handle.read(PART_BYTES),
                                  headers={"Content-Type": content_type}, retry=True)
        self.http.request("POST", f"{self.base_url}/uploads/{upload_id}/action", service="Scenario",
                          headers=self._headers, params=self._query, json={"action": "complete"}, retry=True)
        deadline, pause = time.monotonic() + UPLOAD_WAIT_S, 0.2
        while time.monotonic() < deadline:
            record = self._get(f"/uploads/{upload_id}")
            record = record.get("upload", record) if isinstance(record, dict) else {}
            status = record.get("status") if isinstance(record, dict) else None
            if status == "failed":
                reason = E.redact(str(record.get("errorMessage") or "no reason given"))[:200]
                raise E.InvalidInputError(f"Scenario refused the upload of '{path.name}': {reason}.")
            entity = record.get("entityId") if isinstance(record, dict) else None
            if isinstance(entity, str) and entity and status in ("complete", "imported", "validated"):
                return entity
            time.sleep(pause)
            pause = min(pause * 2, 2.0)
        raise E.RequestTimeoutError(f"Scenario did not finish checking the upload of '{path.name}' in time.")
