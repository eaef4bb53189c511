"""What Meshy's API v2 answers mean: its error object read by ``code`` (then ``type``), and its task object.

Every v2 error, and every failed task's ``task_error``, is ``{"type", "code", "message", "doc_url"}`` (Meshy's v2
error reference). The message an artist sees is written here for each code Meshy documents, and for each type when
the code is one this version does not know; Meshy's own ``message`` (a validator's text, often) is never shown raw.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ...net import errors as E
from ..channels import Channel

SERVICE = "Meshy"
PENDING_LIMIT_PATIENCE_S = 30 * 60.0
"""How long a job waits in Meshsmith while the account's own tasks fill Meshy's pending-task limit."""

TASK_ERRORS = {
    "model_missing_uv": "The mesh has no UV map Meshy can paint on. Unwrap it (U > Smart UV Project) and try again.",
    "model_insufficient_uv": "The mesh's UV map covers too little to paint on. Unwrap it again and try again.",
    "image_too_complex": "The style image is too complex. Try a simpler one.",
    "moderation_blocked": "Meshy's moderation refused the prompt or the image.",
    "moderation_blocked_nsfw": "Meshy's moderation refused the prompt or the image.",
    "invalid_input": "Meshy could not use the mesh or the style input.",
    "timeout": "Meshy timed out on this task. Try again.",
    "format_conversion_failed": "Meshy could not convert the mesh. Check it exports cleanly as GLB.",
}
"""A failed task's ``task_error.code`` (the task's credits are refunded)."""

TYPE_MESSAGES = {
    "invalid_request_error": "Meshy refused the request ({code}); nothing was billed. Meshsmith may need an update.",
    "authentication_error": "Meshy refused the API key. Check it in Edit > Preferences > Add-ons > Meshsmith.",
    "permission_error": "Meshy refused this request for your key or plan ({code}); nothing was billed.",
    "not_found_error": "Meshy does not know this task or address ({code}).",
    "rate_limited": "Meshy is limiting this account ({code}); Meshsmith waits and sends again.",
    "api_error": "Meshy had a problem of its own ({code}). Try again later.",
    "server_error": "Meshy had a problem of its own ({code}). Try again later.",
}

TEXTURE_KEYS: dict[str, Channel] = {
    "base_color": Channel.BASE_COLOR, "metallic": Channel.METALLIC, "roughness": Channel.ROUGHNESS,
    "normal": Channel.NORMAL, "emission": Channel.EMISSION,
}


def explained(exc: E.HTTPStatusError) -> E.MeshsmithError:
    """The error an artist should see for a v2 error answer (``exc`` carries its ``code`` and ``type``)."""
    code, kind, status = exc.code, exc.error_type, exc.status_code
    if code == "rate_limit_exceeded":
        return E.RateLimitError("Meshy is limiting how fast this account sends requests; Meshsmith waits as Meshy "
                                "asks.", retry_after=getattr(exc, "retry_after", None))
    if code == "pending_task_limit_reached":
        return E.AccountBusyError("Too many of your Meshy tasks are waiting or running (your plan's limit); nothing "
                                  "was created.", patience_s=PENDING_LIMIT_PATIENCE_S)
    if code == "concurrent_task_limit_reached":
        return E.InsufficientCreditsError("Your Meshy plan has run out of credits for more tasks. Top up, then try "
                                          "again; nothing was billed.", status_code=status)
    if status == 402:
        if "limit" in f"{code} {exc.detail}".lower():
            return E.InsufficientCreditsError(
                "This Meshy API key has reached the credit limit set for it (your account may still have credits). "
                "Raise the key's limit in Meshy's API settings, or use another key; nothing was billed.",
                status_code=402)
        return E.InsufficientCreditsError("Your Meshy account has run out of credits. Top up, then try again; "
                                          "nothing was billed.", status_code=402)
    limit = re.search(r"face[^0-9]{0,40}?limit[^0-9]{0,20}([0-9][0-9,]{2,10})|([0-9][0-9,]{2,10}) faces", exc.detail)
    if status == 400 and (limit or "face_limit" in code):
        number = next((group for group in (limit.groups() if limit else ()) if group), "")
        return E.InvalidInputError(
            f"The mesh has more faces than Meshy's limit for this ({number or 'as Meshy says'}): remesh it first "
            "(Remesh, in the same panel, to fewer faces), then try again. Nothing was billed.")
    if code.startswith("moderation"):
        return E.BadRequestError("Meshy's moderation refused the prompt or the image; nothing was billed. Change "
                                 "it and try again.", status_code=status)
    if code in ("parameters_conflict", "invalid_parameter", "unknown_parameter") or (status == 400 and not code):
        return E.BadRequestError(f"Meshy refused the request ({code or 'HTTP 400'}); nothing was billed. Meshsmith "
                                 "may need an update.", status_code=status)
    if status == 401:
        return exc
    if kind in TYPE_MESSAGES and code:
        message = TYPE_MESSAGES[kind].format(code=code)
        if isinstance(exc, E.RateLimitError):
            return E.RateLimitError(message, retry_after=exc.retry_after)
        return type(exc)(message, status_code=status)  # the class the status means: a 404 stays NotFoundError
    return exc


def failure_reason(task_error: dict[str, Any] | None) -> str:
    """Why a task failed, in an artist's words."""
    info = task_error or {}
    code = str(info.get("code") or "")
    if code in TASK_ERRORS:
        return TASK_ERRORS[code]
    return f"Meshy could not finish the task ({E.redact(code[:60]) or 'no reason given'})."


class TaskOutput(BaseModel):
    """A v2 task's results (``output``)."""

    model_config = ConfigDict(extra="ignore")
    model_urls: dict[str, str] = Field(default_factory=dict)
    texture_urls: list[dict[str, str]] | None = None
    thumbnail_url: str = ""


class Task(BaseModel):
    """A task object, v2 (results under ``output``) or v1 (results at the top level, read for journaled jobs)."""

    model_config = ConfigDict(extra="ignore")
    id: str
    status: str
    progress: float = 0
    preceding_tasks: int | None = None
    output: TaskOutput | None = None
    model_urls: dict[str, str] = Field(default_factory=dict)
    texture_urls: list[dict[str, str]] | None = None
    thumbnail_url: str = ""
    task_error: dict[str, Any] | None = None
    consumed_credits: float | None = None
    created_at: int | None = 0
    input: dict[str, Any] = Field(default_factory=dict)

    @property
    def results(self) -> TaskOutput:
        """Where the files are: ``output`` (v2), else the top level (v1)."""
        if self.output is not None:
            return self.output
        return TaskOutput(model_urls=self.model_urls, texture_urls=self.texture_urls, thumbnail_url=self.thumbnail_url)


def task_list(body: Any) -> list[Any]:
    """The tasks of a list answer: a JSON array, or an object holding one (v2's paging shape is not documented)."""
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        for key in ("data", "tasks", "result", "results", "items"):
            if isinstance(body.get(key), list):
                return body[key]
    raise E.BadResponseError(f"{SERVICE} sent a task list Meshsmith cannot read.")
