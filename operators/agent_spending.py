"""Spending by agents, made safe by design.

- A paid job needs a quote: ``estimate_cost`` prices exactly that request (the action, service, model, inputs,
  prompt, the image files' contents, the target object and its mesh) and gives a ``quote_id``; ``generate``,
  ``retexture`` and the asset tools take it once, for the same request, within ``QUOTE_TTL_S``.
- A cap per session on paid jobs an agent starts (``--max-paid-jobs`` for a headless Blender; the preference in the
  artist's). Over it, a headless Blender refuses; the artist's Blender holds the job as "Waiting for your approval"
  with Allow and Deny in the Jobs panel.
- Sandbox jobs count as the service they stand for (so the cap can be tried); the studio's own servers are free.

Main thread only (the bridge runs every call there), so the session's state needs no lock.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bpy

from ..host import preferences
from ..host.state import HOST, AgentSession
from ..net import errors as E
from ..providers import registry

QUOTE_TTL_S = 600.0
"""A quote is good for ten minutes: prices and balances move."""
MAX_HASHED_IMAGE_BYTES = 256 * 1024 * 1024
"""An input image's content is part of what a quote prices; a file larger than this is not an image to send."""


@dataclass
class Quote:
    id: str
    request: str
    """The fingerprint of the priced request (``fingerprint``)."""
    made_at: float
    cost: float | None
    unit: str
    paid: bool
    used_by: str = ""
    """The job that used it ('' while unused)."""


@dataclass
class Waiting:
    """A paid job over the cap, held until the artist allows or denies it."""

    record: Any
    """The job's record, built and checked, not yet sent (``jobs.records.JobRecord``)."""
    asked_at: float = field(default_factory=time.time)


def session() -> AgentSession:
    return HOST.agent


def is_paid(provider_id: str) -> bool:
    """Whether a job on this service costs money (the sandbox stands for the service; the artist's servers are free)."""
    return not registry.info(provider_id).self_hosted


def cap(context: bpy.types.Context | None = None) -> int:
    limit = session().max_paid_jobs
    return limit if limit is not None else preferences.get(context).agent_max_paid_jobs


def fingerprint(request: dict[str, Any], images: list[str], obj: bpy.types.Object | None) -> str:
    """A digest of everything a quote prices: the request's fields, each image file's bytes, the target mesh."""
    digest = hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode())
    for image in images:
        path = Path(image)
        try:
            if path.stat().st_size > MAX_HASHED_IMAGE_BYTES:
                raise E.InvalidInputError(f"'{path.name}' is larger than 256 MB: not an image to send.")
            with path.open("rb") as handle:
                for piece in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(piece)
        except OSError as exc:
            raise E.InvalidInputError(f"The image '{image}' cannot be read ({exc.strerror or exc}).") from None
    if obj is not None:
        digest.update(obj.name.encode())
        mesh = obj.data
        coordinates = array("f", bytes(len(mesh.vertices) * 12))
        mesh.vertices.foreach_get("co", coordinates)
        digest.update(coordinates.tobytes())
        digest.update(str(len(mesh.polygons)).encode())
    return digest.hexdigest()


def quote(request: str, cost: float | None, unit: str, paid: bool) -> Quote:
    made = Quote(id="q_" + secrets.token_hex(8), request=request, made_at=time.time(), cost=cost, unit=unit, paid=paid)
    quotes = session().quotes
    for old in [key for key, value in quotes.items() if time.time() - value.made_at > 2 * QUOTE_TTL_S]:
        del quotes[old]  # a session's quotes stay few
    quotes[made.id] = made
    return made


def take_quote(quote_id: str, request: str) -> Quote:
    """The quote for this request, checked; ``InvalidInputError`` saying how to get a good one otherwise."""
    how = "Call estimate_cost with the same arguments first, then pass its quote_id."
    if not quote_id:
        raise E.InvalidInputError(f"This job is paid and needs a quote. {how}")
    found = session().quotes.get(quote_id)
    if found is None:
        raise E.InvalidInputError(f"Quote '{quote_id}' is not known in this Blender session. {how}")
    if found.used_by:
        raise E.InvalidInputError(f"Quote '{quote_id}' was used already, by job {found.used_by} (get_job shows it). A "
                                  f"quote pays for one job. {how}")
    if time.time() - found.made_at > QUOTE_TTL_S:
        raise E.InvalidInputError(f"Quote '{quote_id}' is more than 10 minutes old. {how}")
    if found.request != request:
        raise E.InvalidInputError(f"Quote '{quote_id}' was for another request (service, model, inputs, prompt, "
                                  f"image or object differ). {how}")
    return found


def over_cap(context: bpy.types.Context | None = None) -> bool:
    return session().paid_jobs >= cap(context)


def refuse_over_cap(context: bpy.types.Context | None = None) -> None:
    """Raise when a headless Blender's cap is reached (there is no artist to approve more)."""
    raise E.InvalidInputError(f"This agent session may start {cap(context)} paid job(s) and has started "
                              f"{session().paid_jobs}. Restart the server with a higher --max-paid-jobs to allow more.")
