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
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from . import errors as E
from .light_record import LightRecord

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


# --- parsing ------------------------------------------------------------------------------------------------
def parse_model(raw: Any) -> CatalogModel | None:
    """A model from a list entry or a details answer (``{"model": {...}}`` or the model itself); None if unusable."""
    if isinstance(raw, dict) and isinstance(raw.get("model"), dict):
        raw = raw["model"]
    if not isinstance(raw, dict):
        return None
    model_id = _text(raw.get("id"), 120)
    if not re.fullmatch(r"[\w.-]{1,120}", model_id):
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
        try:
            data = json.loads((folder / CACHE_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
            return None
        models = [parse_model(raw) for raw in (data.get("models") or [])[:MAX_MODELS]]
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


# --- values ---------------------------------------------------------------------------------------------------
def defaults(model: CatalogModel) -> dict[str, Any]:
    """The values a model starts from: each non-file input's default, when it declares one."""
    values: dict[str, Any] = {}
    for item in model.inputs or ():
        if not item.is_file and item.default is not None:
            values[item.name] = item.default
    return values


def check_values(model: CatalogModel, values: Mapping[str, Any], files: Mapping[str, list[str]]) -> dict[str, Any]:
    """The body values of a job (files excluded), checked against the model's schema; raises ``InvalidInputError``
    naming the input by its own label. ``files``: each file input given, with its local paths (or asset ids)."""
    if model.inputs is None:
        raise E.InvalidInputError(f"The inputs of {model.title} are not known yet. Refresh the catalog.")
    known = {item.name: item for item in model.inputs}
    unknown = sorted((set(values) | set(files)) - set(known))
    if unknown:
        names = ", ".join(unknown[:5])
        raise E.InvalidInputError(f"{model.title} has no input named {names}. Its inputs: "
                                  f"{', '.join(sorted(known))[:300]}.")
    checked: dict[str, Any] = {}
    for name, value in values.items():
        item = known[name]
        if item.is_file:
            raise E.InvalidInputError(f"{item.title}: give a file for this input.")
        checked[name] = _checked(item, value)
    for name, paths in files.items():
        item = known[name]
        if not item.is_file:
            raise E.InvalidInputError(f"{item.title} is not a file input.")
        limit = (item.max_length or 1) if item.type == "file_array" else 1
        if len(paths) > limit:
            raise E.InvalidInputError(f"{item.title} takes at most {limit} file(s); {len(paths)} were given.")
    given = {name for name, value in checked.items() if value not in ("", None, [])} | {n for n, p in files.items() if p}
    for item in model.inputs:
        rule, sibling = item.required
        needed = rule == "always" or (rule == "if_defined" and sibling in given) or (
            rule == "if_not_defined" and sibling not in given)
        if needed and item.name not in given:
            if rule == "if_not_defined":
                other = known[sibling].title if sibling in known else sibling
                raise E.InvalidInputError(f"{model.title} needs {item.title} or {other}.")
            raise E.InvalidInputError(f"{model.title} needs {item.title}.")
    return checked


def _checked(item: ModelInput, value: Any) -> Any:
    title = item.title
    if item.choices and value not in [choice for choice, _label in item.choices]:
        shown = ", ".join(str(choice) for choice, _label in item.choices[:8])
        raise E.InvalidInputError(f"{title}: '{str(value)[:40]}' is not one of: {shown}.")
    if item.type == "boolean":
        if not isinstance(value, bool):
            raise E.InvalidInputError(f"{title} must be on or off (true or false).")
        return value
    if item.type == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise E.InvalidInputError(f"{title} must be a number.")
        if item.integer:
            if value != int(value):
                raise E.InvalidInputError(f"{title} must be a whole number.")
            value = int(value)
        if item.min is not None and value < item.min or item.max is not None and value > item.max:
            raise E.InvalidInputError(f"{title} must be between {_plain(item.min)} and {_plain(item.max)}.")
        return value
    if item.type == "string":
        if not isinstance(value, str):
            raise E.InvalidInputError(f"{title} must be text.")
        if item.max_length is not None and len(value) > item.max_length:
            raise E.InvalidInputError(f"{title} is {len(value)} characters long; at most {item.max_length} are allowed.")
        return value
    if item.type == "string_array":
        if not isinstance(value, list) or not all(isinstance(part, str) for part in value):
            raise E.InvalidInputError(f"{title} must be a list of texts.")
        return value
    raise E.InvalidInputError(f"{title}: unsupported input type.")


def _plain(number: float | None) -> str:
    if number is None:
        return "any"
    return str(int(number)) if number == int(number) else f"{number:g}"


def assign_files(model: CatalogModel, image_paths: list[str], mesh_path: str,
                 named: Mapping[str, Any]) -> dict[str, list[str]]:
    """Which file input each file goes to: files named in ``named`` (input name -> path or list of paths) where
    the caller said; the reference images to the model's image inputs (a ``file_array`` takes them all; separate
    view inputs take one each, in the schema's order, front first); the mesh to its 3D input."""
    files: dict[str, list[str]] = {}
    for name, value in named.items():
        paths = value if isinstance(value, list) else [value]
        files[name] = [str(path) for path in paths if str(path)]
    inputs = model.inputs or ()
    image_inputs = [item for item in inputs if item.is_file and item.kind in ("image", "") and item.name not in files]
    remaining = list(image_paths)
    for item in image_inputs:
        if not remaining:
            break
        if item.type == "file_array":
            files[item.name], remaining = remaining, []
        else:
            files[item.name], remaining = [remaining[0]], remaining[1:]
    if remaining:
        raise E.InvalidInputError(f"{model.title} takes {len(image_paths) - len(remaining)} reference image(s); "
                                  f"{len(image_paths)} were given.")
    if mesh_path:
        mesh_input = next((item for item in inputs if item.is_file and item.kind == "3d" and item.name not in files),
                          None)
        if mesh_input is None:
            raise E.InvalidInputError(f"{model.title} does not take a mesh.")
        files[mesh_input.name] = [mesh_path]
    return files


def job_values(model: CatalogModel, values: Mapping[str, Any], *, prompt: str = "", images: list[str] = (),
               images_from_sidebar: bool = False, mesh_path: str = "") -> tuple[dict[str, Any], dict[str, list[str]]]:
    """(checked body values, files by input) of a job on ``model``; raises ``InvalidInputError`` naming the input.

    File inputs named in ``values`` (with local paths) become files; the prompt goes to the model's prompt input;
    images that were only the sidebar's are dropped for a model without image inputs; the model's defaults (and
    Rodin's PBR) are merged under the values. Shared by Blender's check before the job and the worker's."""
    values = dict(values)
    named = {name: values.pop(name) for name in list(values)
             if (item := model.input(name)) is not None and item.is_file}
    if prompt:
        prompt_input = next((item for item in model.inputs or () if item.prompt), None)
        if prompt_input is None:
            raise E.InvalidInputError(f"{model.title} takes no prompt; leave it empty.")
        values.setdefault(prompt_input.name, prompt)
    if images_from_sidebar and not any(item.is_file and item.kind == "image" for item in model.inputs or ()):
        images = []
    files = assign_files(model, list(images), mesh_path, named)
    merged = {**defaults(model), **pbr_defaults(model, values), **values}
    return check_values(model, merged, files), files


def pbr_defaults(model: CatalogModel, values: Mapping[str, Any]) -> dict[str, Any]:
    """Settings Meshsmith asks for unless the artist chose otherwise: Rodin's ``material: "PBR"`` (with its
    default "All" Rodin answers two meshes, a shaded one and a PBR one)."""
    extra: dict[str, Any] = {}
    material = model.input("material")
    if material is not None and "material" not in values and any(value == "PBR" for value, _ in material.choices):
        extra["material"] = "PBR"
    return extra


def age_days(fetched_at: float, now: float | None = None) -> int:
    """Whole days since the catalog was listed."""
    return int(max(0.0, (now or time.time()) - fetched_at) // 86400)
