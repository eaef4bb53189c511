"""What the simulated Scenario keeps: its credentials and paths, assets, jobs, switches, and prices."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

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


BASE_COSTS = {"model_tripo-v3-1-image-to-3d": 30, "model_meshy-7-txt23d": 20, "model_meshy-7-img23d": 25,
              "model_hunyuan-3d-pro-3-1-multiview": 120, "model_rodin-hyper3d-v2-5": 50,
              "model_meshy-7-retexture": 10, "model_meshy-remesh": 5}


def cost_of(model_id: str, body: dict[str, Any]) -> int:
    """What a job costs in the sandbox: a price per model, more for the settings that cost more."""
    if model_id == MODEL_ID:
        return COST
    extra = {"extreme": 20, "detailed": 10, "8k": 15, "4k": 5, "Gen-2.5-High": 25}
    return BASE_COSTS.get(model_id, 15) + sum(extra.get(value, 0) for value in body.values() if isinstance(value, str))


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:22]}"


def safe_name(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "._-" else "_" for c in str(name))[:64]
    return cleaned or "upload.png"


def now_iso(offset: float = 0.0) -> str:
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
