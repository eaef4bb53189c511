"""Scenario's catalog of 3D models, and each model's inputs as its API describes them.

From Scenario's API (https://docs.scenario.com: "Models", "3D Model Generation") and the schema handling of
Scenario's own Blender plugin (scenario-labs/blender-plugin ``scenario/core/schema/params.py``, ``catalog.py``):
- ``GET /v1/models?privacy=public&status=trained&pageSize=100[&paginationToken=…]`` lists models page by page
  (``nextPaginationToken`` until it is missing or empty; a repeated token also ends the loop). List entries
  carry no inputs.
- ``GET /v1/models/{id}`` gives ``inputs``: ``name`` (the body key), ``type`` (``string``, ``number``,
  ``boolean``, ``file``, ``file_array``, ``string_array``), ``kind`` for files (``image``, ``3d``…), ``label``,
  ``description``, ``default``, ``allowedValues``, ``min``/``max``/``step`` (integer when all are whole),
  ``maxLength`` (characters, or the most files of a ``file_array``), ``prompt`` (the prompt field),
  ``required`` (``true``, ``{"always": true}``, ``{"ifDefined": sibling}``, ``{"ifNotDefined": sibling}``), and
  ``uiConfig.selects`` labels for values.
- A tag ``deprecated:<successor>`` hides a model and names the one to use instead.

Everything here treats the server's words as untrusted: unknown shapes are skipped, every string is bounded,
and a model without readable inputs cannot be used (it is not guessed). No ``bpy``; no network (the client in
``scenario.py`` fetches; this module parses, orders, caches and validates).
"""

from __future__ import annotations

import json
import math
import os
import re
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ...net import errors as E
from ..light_record import LightRecord

FEATURED = (
    "model_hunyuan-3d-v2-1",
    "model_meshy-7-img23d",
    "model_meshy-7-txt23d",
    "model_meshy-7-multi-image-to-3d",
    "model_hunyuan-3d-pro-3-1-i23d",
    "model_hunyuan-3d-pro-3-1-multiview",
    "model_tripo-v3-1-image-to-3d",
    "model_tripo-v3-1-multiview-to-3d",
    "model_tripo-p1-image-to-3d",
    "model_rodin-hyper3d-v2-5",
    "model_rodin-hyper3d-v2-5-text-to-3d",
)
"""The generators Scenario's own plugin offers first (and the model Meshsmith started with), in that order."""
DEFAULT_MODEL = FEATURED[0]

# What a model does, for the catalog's filter.
IMAGE_TO_3D, TEXT_TO_3D, VIEWS_TO_3D, RETEXTURE, REMESH = "IMAGE", "TEXT", "VIEWS", "RETEXTURE", "REMESH"
TASKS = (IMAGE_TO_3D, TEXT_TO_3D, VIEWS_TO_3D, RETEXTURE, REMESH)
_3D_CAPABILITIES = {"img23d", "txt23d", "3d23d"}
_VIEWS_WORDS = ("multiview", "multi-image", "multi-view")
_RETEXTURE_WORDS = ("retexture", "texturing", "texture-edit", "paint")
MAX_TEXT = 300
MAX_INPUTS = 80
MAX_CHOICES = 200
MAX_MODELS = 2000
MAX_PAGES = 100
CACHE_NAME = "scenario_catalog.json"
CACHE_VERSION = 1
MAX_CACHE_BYTES = 64 << 20
"""A cached catalog of 2000 models with their inputs is a few megabytes; a larger file is not ours."""


def _text(value: Any, limit: int = MAX_TEXT) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


class ModelInput(LightRecord):
    """One input of a model, as its schema declares it."""

    name: str
    type: str
    """'string', 'number', 'boolean', 'file', 'file_array' or 'string_array'."""
    label: str = ""
    description: str = ""
    kind: str = ""
    """For files: 'image', '3d'…"""
    default: Any = None
    choices: tuple[tuple[Any, str], ...] = ()
    """(value, label) pairs when only these values are allowed."""
    min: float | None = None
    max: float | None = None
    step: float | None = None
    integer: bool = False
    max_length: int | None = None
    prompt: bool = False
    required: tuple[str, str] = ("", "")
    """('always', '') | ('if_defined', sibling) | ('if_not_defined', sibling) | ('', '')."""
    group: str = ""
    cost_impact: bool = False

    @property
    def title(self) -> str:
        return self.label or self.name

    @property
    def is_file(self) -> bool:
        return self.type in ("file", "file_array")


class CatalogModel(LightRecord):
    id: str
    name: str = ""
    description: str = ""
    capabilities: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    inputs: tuple[ModelInput, ...] | None = None
    """None until the model's details have been fetched."""

    @property
    def successor(self) -> str:
        """The model to use instead, when Scenario retired this one ('' otherwise)."""
        for tag in self.tags:
            if tag.startswith("deprecated:"):
                return tag.split(":", 1)[1] or "?"
        return ""

    @property
    def title(self) -> str:
        return self.name or self.id

    @property
    def tasks(self) -> frozenset[str]:
        """What the model does: image, text or several views to 3D; retexture or remesh a mesh."""
        lowered = f"{self.id} {self.name}".lower()
        found: set[str] = set()
        if "3d23d" in self.capabilities:
            found.add(RETEXTURE if any(word in lowered for word in _RETEXTURE_WORDS) else REMESH)
        if "txt23d" in self.capabilities:
            found.add(TEXT_TO_3D)
        if "img23d" in self.capabilities:
            found.add(VIEWS_TO_3D if self._takes_views(lowered) else IMAGE_TO_3D)
        return frozenset(found)

    def _takes_views(self, lowered: str) -> bool:
        if any(word in lowered for word in _VIEWS_WORDS):
            return True
        if self.inputs is None:
            return False
        images = [item for item in self.inputs if item.is_file and item.kind == "image"]
        return any(item.type == "file_array" for item in images) or len(images) > 1

    def input(self, name: str) -> ModelInput | None:
        return next((item for item in self.inputs or () if item.name == name), None)


def is_model_id(text: str) -> bool:
    """Whether ``text`` can be a model's id as it goes into a URL path: letters, digits, ``_``, ``-`` and ``.``, not
    starting with a dot and never ``..`` (an id from a file, a script or a server never walks the API's paths)."""
    return bool(re.fullmatch(r"[A-Za-z0-9_][\w.-]{0,119}", text)) and ".." not in text


def checked_model_id(text: str) -> str:
    """``text`` when it is a model id (``is_model_id``); ``InvalidInputError`` otherwise, before anything is sent."""
    if not is_model_id(text):
        raise E.InvalidInputError(f"'{text[:80]}' is not a Scenario model id (e.g. model_tripo-v3-1-image-to-3d).")
    return text


# --- parsing ------------------------------------------------------------------------------------------------
def parse_model(raw: Any) -> CatalogModel | None:
    """A model from a list entry or a details answer (``{"model": {...}}`` or the model itself); None if unusable."""
    if isinstance(raw, dict) and isinstance(raw.get("model"), dict):
        raw = raw["model"]
    if not isinstance(raw, dict):
        return None
    model_id = _text(raw.get("id"), 120)
    if not is_model_id(model_id):
        return None
    capabilities = tuple(_text(item, 40) for item in raw.get("capabilities") or () if isinstance(item, str))[:20]
    tags = tuple(_text(item, 120) for item in raw.get("tags") or () if isinstance(item, str))[:50]
    inputs = None
    if isinstance(raw.get("inputs"), list):
        selects = (raw.get("uiConfig") or {}).get("selects") if isinstance(raw.get("uiConfig"), dict) else None
        inputs = tuple(item for item in (parse_input(entry, selects) for entry in raw["inputs"][:MAX_INPUTS]) if item)
    return CatalogModel(id=model_id, name=_text(raw.get("name"), 120),
                        description=_text(raw.get("shortDescription") or raw.get("description")),
                        capabilities=capabilities, tags=tags, inputs=inputs)


def parse_input(raw: Any, selects: Any = None) -> ModelInput | None:
    if not isinstance(raw, dict):
        return None
    name = _text(raw.get("name"), 80)
    kind_of = _text(raw.get("type"), 20)
    if not re.fullmatch(r"[A-Za-z_][\w-]{0,79}", name) or kind_of not in (
            "string", "number", "boolean", "file", "file_array", "string_array"):
        return None
    labels: dict[str, str] = {}
    chosen = selects.get(name) if isinstance(selects, dict) else None
    for option in (chosen.get("options") if isinstance(chosen, dict) else chosen) or ():
        if isinstance(option, dict) and "value" in option:
            labels[json.dumps(option["value"])] = _text(option.get("label"), 80)
    allowed = raw.get("allowedValues")
    choices: tuple[tuple[Any, str], ...] = ()
    if isinstance(allowed, list):
        values = [value for value in allowed[:MAX_CHOICES] if isinstance(value, (str, int, float, bool))]
        choices = tuple((value, labels.get(json.dumps(value)) or str(value)) for value in values)
    low, high, step = _number(raw.get("min")), _number(raw.get("max")), _number(raw.get("step"))
    whole = all(value is None or value == int(value) for value in (low, high, step))
    default = raw.get("default")
    integer = kind_of == "number" and whole and (step is not None or isinstance(default, int))
    max_length = raw.get("maxLength")
    return ModelInput(
        name=name, type=kind_of, label=_text(raw.get("label"), 80), description=_text(raw.get("description")),
        kind=_text(raw.get("kind"), 20), default=default if isinstance(default, (str, int, float, bool, list)) else None,
        choices=choices, min=low, max=high, step=step, integer=integer,
        max_length=max_length if isinstance(max_length, int) and not isinstance(max_length, bool) and max_length > 0
        else None,
        prompt=raw.get("prompt") is True, required=_required(raw.get("required")),
        group=_text(raw.get("group"), 40), cost_impact=raw.get("costImpact") is True)


def _required(rule: Any) -> tuple[str, str]:
    if rule is True:
        return "always", ""
    if not isinstance(rule, dict):
        return "", ""
    if rule.get("always") is True:
        return "always", ""
    for key, meaning in (("ifDefined", "if_defined"), ("ifNotDefined", "if_not_defined")):
        sibling = rule.get(key)
        if isinstance(sibling, dict):  # {"ifNotDefined": {"name": "textStylePrompt"}} or {"textStylePrompt": true}
            sibling = sibling.get("name") or next(iter(sibling), "")
        if isinstance(sibling, list) and sibling:
            sibling = sibling[0]
        if isinstance(sibling, str) and sibling:
            return meaning, sibling[:80]
    return "", ""


# --- the catalog ----------------------------------------------------------------------------------------------
class Catalog:
    """The 3D models Scenario serves, with the details fetched so far. Immutable once built: a refresh makes a
    new one, so the sidebar can read it while a thread builds the next."""

    def __init__(self, models: Iterable[CatalogModel], fetched_at: float, *, from_cache: bool = False) -> None:
        self.models: dict[str, CatalogModel] = {model.id: model for model in models}
        self.fetched_at = fetched_at
        self.from_cache = from_cache

    def get(self, model_id: str) -> CatalogModel | None:
        return self.models.get(model_id)

    def visible(self, task: str = "") -> list[CatalogModel]:
        """The models an artist may pick (retired ones hidden), featured first, then by name."""
        rank = {model_id: index for index, model_id in enumerate(FEATURED)}
        chosen = [model for model in self.models.values()
                  if not model.successor and (not task or task in model.tasks)]
        return sorted(chosen, key=lambda model: (rank.get(model.id, len(rank)), model.title.lower()))

    def with_details(self, model: CatalogModel) -> Catalog:
        models = dict(self.models)
        models[model.id] = model
        return Catalog(models.values(), self.fetched_at, from_cache=self.from_cache)

    # --- disk cache ---------------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {"version": CACHE_VERSION, "fetched_at": self.fetched_at,
                "models": [_model_json(model) for model in self.models.values()]}

    def save(self, folder: Path) -> Path:
        """Write the catalog to ``folder`` atomically (a reader never sees half a file)."""
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / CACHE_NAME
        partial = path.with_name(f".{CACHE_NAME}.{os.getpid()}.part")
        partial.write_text(json.dumps(self.to_json()), encoding="utf-8")
        os.replace(partial, path)
        return path

    @classmethod
    def load(cls, folder: Path) -> Catalog | None:
        """The cached catalog, or None when there is none or it cannot be read (it is then fetched again)."""
        path = folder / CACHE_NAME
        try:
            if path.stat().st_size > MAX_CACHE_BYTES:
                return None
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):  # unreadable, not JSON, or nested absurdly deep
            return None
        if not isinstance(data, dict) or data.get("version") != CACHE_VERSION or not isinstance(data.get("models"), list):
            return None
        try:
            models = [parse_model(raw) for raw in data["models"][:MAX_MODELS]]
        except (TypeError, ValueError, AttributeError, RecursionError):  # an edited file of another shape
            return None
        fetched = _number(data.get("fetched_at")) or 0.0
        return cls((model for model in models if model), fetched, from_cache=True)


def _model_json(model: CatalogModel) -> dict[str, Any]:
    raw: dict[str, Any] = {"id": model.id, "name": model.name, "shortDescription": model.description,
                           "capabilities": list(model.capabilities), "tags": list(model.tags)}
    if model.inputs is not None:
        raw["inputs"] = [_input_json(item) for item in model.inputs]
        raw["uiConfig"] = {"selects": {item.name: {"options": [{"value": value, "label": label}
                                                               for value, label in item.choices]}
                                       for item in model.inputs if item.choices}}
    return raw


def _input_json(item: ModelInput) -> dict[str, Any]:
    required: Any = {"always": True} if item.required[0] == "always" else (
        {"ifDefined": item.required[1]} if item.required[0] == "if_defined" else
        {"ifNotDefined": item.required[1]} if item.required[0] == "if_not_defined" else None)
    raw = {"name": item.name, "type": item.type, "label": item.label, "description": item.description,
           "kind": item.kind, "default": item.default, "allowedValues": [value for value, _label in item.choices] or None,
           "min": item.min, "max": item.max, "step": item.step, "maxLength": item.max_length, "prompt": item.prompt,
           "required": required, "group": item.group, "costImpact": item.cost_impact}
    return {key: value for key, value in raw.items() if value not in (None, "", False)}


def is_3d(model: CatalogModel) -> bool:
    return bool(_3D_CAPABILITIES & set(model.capabilities))


def merge_page(found: dict[str, CatalogModel], page: Any) -> str:
    """Add a list page's 3D models to ``found``; return the next page's token ('' at the end)."""
    if not isinstance(page, dict):
        raise E.BadResponseError("Scenario sent a model list that is not an object.")
    for raw in (page.get("models") or [])[:1000]:
        model = parse_model(raw)
        if model is not None and is_3d(model) and len(found) < MAX_MODELS:
            found[model.id] = model
    token = page.get("nextPaginationToken")
    return token[:500] if isinstance(token, str) else ""


def age_days(fetched_at: float, now: float | None = None) -> int:
    """Whole days since the catalog was listed."""
    return int(max(0.0, (now or time.time()) - fetched_at) // 86400)
