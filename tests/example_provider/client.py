"""Client of the example service: ``POST /example/v1/jobs`` creates a job, ``GET /example/v1/jobs/{id}`` reports it,
the model is downloaded from the URL the finished job names. Built only from the shared mechanisms."""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ...net import errors as E
from ...net.http import HttpClient, parse_json
from ..base import Provider, normalise_base_url, status_from_table
from ..models import AssetRef, AssetRole, JobStatus, RemoteJob
from . import PROVIDER

SERVICE = "Example 3D"
STATUS_TABLE = {"queued": JobStatus.QUEUED, "running": JobStatus.RUNNING, "done": JobStatus.SUCCEEDED,
                "failed": JobStatus.FAILED}


class ExampleParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    detail_steps: int = Field(12, ge=4, le=40)
    smooth: bool = True


class ExampleRequest(ExampleParams):
    image: str


class ExampleProvider(Provider):
    name = "EXAMPLE"
    label = SERVICE
    poll_interval = 0.5
    typical_duration_s = 5.0

    def __init__(self, http: HttpClient, api_key: str = "", *, base_url: str = PROVIDER.default_base_url,
                 poll_interval: float | None = None) -> None:
        super().__init__(http)
        if not api_key:
            raise E.MissingKeyError(PROVIDER.missing_key, fix=E.Fix.OPEN_PREFERENCES)
        self.base_url = normalise_base_url(base_url, service=SERVICE) + "/example/v1"
        self._headers = {"Authorization": f"Bearer {api_key}"}
        if poll_interval is not None:
            self.poll_interval = poll_interval

    @classmethod
    def validate_params(cls, params: Mapping[str, Any]) -> None:
        ExampleParams.model_validate(dict(params))

    def prepare(self, params: Mapping[str, Any], inputs: Mapping[str, str]) -> ExampleRequest:
        if not inputs.get("image_path"):
            raise E.InvalidInputError("Choose a reference image first.")
        image = base64.b64encode(Path(inputs["image_path"]).read_bytes()).decode("ascii")
        return ExampleRequest(image=image, **params)

    def submit(self, request: BaseModel, on_created: Callable[[str], None]) -> RemoteJob:
        response = self.http.request("POST", f"{self.base_url}/jobs", service=SERVICE, headers=self._headers,
                                     json=request.model_dump(mode="json"))
        answer = parse_json(response, service=SERVICE)
        if not isinstance(answer, dict) or not isinstance(answer.get("id"), str):
            raise E.BadResponseError(f"{SERVICE} accepted the job but named no job id.")
        on_created(answer["id"])
        return RemoteJob(remote_id=answer["id"], status=JobStatus.QUEUED, raw_status="queued")

    def status(self, remote_id: str) -> RemoteJob:
        answer = parse_json(self.http.request("GET", f"{self.base_url}/jobs/{remote_id}", service=SERVICE,
                                              headers=self._headers), service=SERVICE)
        if not isinstance(answer, dict):
            raise E.BadResponseError(f"{SERVICE} sent a malformed job status.")
        raw = str(answer.get("status", ""))
        status = status_from_table(STATUS_TABLE, raw, SERVICE)
        if status is JobStatus.FAILED:
            return RemoteJob(remote_id=remote_id, status=status, raw_status=raw,
                             error=f"{SERVICE} could not make the model: {E.redact(str(answer.get('error', '')))[:200]}")
        if status is JobStatus.SUCCEEDED:
            url = str(answer.get("model_url", ""))
            return RemoteJob(remote_id=remote_id, status=status, raw_status=raw, progress=1.0,
                             assets=(AssetRef(role=AssetRole.MODEL, filename="model.glb", url=url),))
        return RemoteJob(remote_id=remote_id, status=status, raw_status=raw)
