"""The model catalog on Blender's side: what is known (never fetched while drawing), refreshed in the background,
cached on disk, and the chosen model's inputs as rows in the scene.

- ``current()`` is what the sidebar reads: the catalog last loaded (from the disk cache at start-up, or from
  the service after Refresh), or None. Readers never wait; a background thread builds a new catalog and the
  main thread swaps it in (``lookups.run_in_background``).
- A model's inputs come with its details (``GET /v1/models/{id}``), fetched in the background the first time
  the model is chosen, then kept in the cache: the catalog works offline once fetched.
- The rows (``scene.meshsmith.<provider>.model_inputs``, and ``mesh_model_inputs`` for the Retexture route's
  model) are rebuilt when the chosen model or its schema changes; their values are remembered per model.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import bpy

from ...providers import registry
from ...providers.scenario import catalog, catalog_values
from ..state import HOST, log
from .slots import SLOTS, slot

_memory = HOST.catalog


def current() -> catalog.Catalog | None:
    return _memory.current


def problem() -> str:
    """Why the last refresh failed ('' when it did not)."""
    return _memory.problem


def forget() -> None:
    """Drop the catalog in memory and the last problem (the disk cache stays)."""
    _memory.current, _memory.problem = None, ""


def catalog_provider() -> registry.ProviderInfo | None:
    return next((provider for provider in registry.PROVIDERS.values() if provider.catalog), None)


def cache_folder() -> Path:
    from ..connections import user_dir

    return user_dir() / "catalog"


def busy(what: str = "") -> bool:
    return bool(_memory.started) if not what else what in _memory.started


def _start(what: str, work) -> bool:
    """Run ``work`` in the background unless the same work is under way."""
    from ..lookups import run_in_background

    with _memory.lock:
        if what in _memory.started:
            return False
        _memory.started.add(what)

    def wrapped():
        try:
            apply = work()
        finally:
            with _memory.lock:
                _memory.started.discard(what)
        return apply

    run_in_background(wrapped)
    return True


def _install(found: catalog.Catalog | None) -> None:
    """Make ``found`` the catalog (main thread) and refresh the chosen models' rows. The thread that built it has
    written it to disk already: the main thread never waits on a disk write."""
    if found is None:
        return
    _memory.current = found
    provider = catalog_provider()
    for scene in bpy.data.scenes:
        if provider is None or not hasattr(scene, "meshsmith"):
            continue
        settings = scene.meshsmith.provider_settings(provider.id)
        for route, names in SLOTS.items():
            if getattr(settings, names.built_for) != getattr(settings, names.model):
                model_chosen(settings, bpy.context, fetch=False, route=route)


def _save(found: catalog.Catalog, folder: Path) -> None:
    """Keep the catalog on disk (worker thread); a failure costs only the offline copy."""
    try:
        found.save(folder)
    except OSError as exc:
        log().warning("could not cache the model catalog: %s", exc)


def load_cache() -> None:
    """Read the disk cache in the background (at start-up; the sidebar shows 'loading' meanwhile)."""
    if _memory.current is not None:
        return
    folder = cache_folder()

    def work():
        found = catalog.Catalog.load(folder)
        return (lambda: _install(found)) if found is not None and _memory.current is None else None

    _start("cache", work)


def refresh(context: bpy.types.Context) -> bool:
    """Fetch the catalog from the service in the background (the details already known are kept)."""
    from .. import connections

    provider_info = catalog_provider()
    assert provider_info is not None
    client = connections.make_provider(provider_info.id, context)  # raises a configuration error here, not later
    settings = context.scene.meshsmith.provider_settings(provider_info.id)
    chosen = [getattr(settings, names.model) for names in SLOTS.values()]
    known, folder = _memory.current, cache_folder()
    _memory.problem = ""

    def work():
        try:
            found = client.fetch_catalog()
        except Exception as exc:
            _memory.problem = str(exc)
            raise
        if known is not None:  # keep what was learned about each model that is still there
            for model in known.models.values():
                if model.inputs is not None and model.id in found.models:
                    found = found.with_details(model)
        for model_id in chosen:
            if model_id in found.models and found.models[model_id].inputs is None:
                try:
                    found = found.with_details(client.model_details(model_id))
                except Exception as exc:  # the list is still worth having
                    log().info("details of %s: %s", model_id, exc)
        _save(found, folder)
        return lambda: _install(found)

    return _start("list", work)


def fetch_details(model_id: str, context: bpy.types.Context) -> bool:
    """Fetch one model's inputs in the background and add them to the catalog (and its cache)."""
    from .. import connections

    provider_info = catalog_provider()
    try:
        client = connections.make_provider(provider_info.id, context)
    except Exception as exc:  # no key yet, offline: the sidebar says so; nothing to fetch
        log().info("cannot fetch %s: %s", model_id, exc)
        return False

    folder = cache_folder()

    def work():
        model = client.model_details(model_id)
        # Without a listed catalog the details are kept in memory only: a one-model cache would stand in for the
        # whole catalog next time (fetched_at 0 says "not listed yet").
        listed = _memory.current  # a snapshot: the main thread may swap in a newer catalog meanwhile
        if listed is not None and listed.fetched_at > 0:
            _save(listed.with_details(model), folder)

        def apply() -> None:
            _install((_memory.current or catalog.Catalog((), 0.0)).with_details(model))

        return apply

    return _start(f"details:{model_id}", work)


# --- the rows ---------------------------------------------------------------------------------------------
def model_chosen(settings, context: bpy.types.Context, *, fetch: bool = True, route: str = "GENERATE") -> None:
    """Rebuild a route's rows for its chosen model (its schema known), or ask for the schema in the background."""
    names = slot(route)
    model_id = getattr(settings, names.model)
    rows = getattr(settings, names.inputs)
    model = _memory.current.get(model_id) if _memory.current else None
    if model_id == catalog.DEFAULT_MODEL:
        rows.clear()
        setattr(settings, names.built_for, model_id)
        return  # its settings are the provider's own (scene.meshsmith.scenario.steps...)
    if model is None or model.inputs is None:
        rows.clear()
        setattr(settings, names.built_for, "")
        if fetch and model_id:
            fetch_details(model_id, context)
        return
    build_rows(settings, model, route)


def build_rows(settings, model: catalog.CatalogModel, route: str = "GENERATE") -> None:
    """One row per input of ``model``. On Generate the first image input is the sidebar's reference image (a list
    of images gets a row for the images after it); a mesh input is the selected object: no rows of their own."""
    names = slot(route)
    remembered = remembered_values(settings).get(model.id, {})
    rows = getattr(settings, names.inputs)
    rows.clear()
    setattr(settings, names.built_for, "")  # no remembering while the rows are filled
    on_mesh = route == "RETEXTURE"
    reference = "" if on_mesh else next(
        (item.name for item in model.inputs or () if item.is_file and item.kind == "image"), "")
    for item in model.inputs or ():
        if item.name == reference and item.type == "file" or item.is_file and item.kind == "3d":
            continue  # the sidebar's reference image; the selected object (sent as the mesh)
        row = rows.add()
        row.name, row.label, row.description = item.name, item.title, item.description[:300]
        row.file_kind, row.required = item.kind, item.required[0] == "always"
        row.kind = _row_kind(item)
        row.hint = _hint(item)
        for value, label in item.choices:
            choice = row.choices.add()
            choice.name, choice.value = label[:60] or str(value), json.dumps(value)
        value = remembered.get(item.name, item.default)
        if value is not None:
            _set_row(row, value)
    setattr(settings, names.built_for, model.id)


def _row_kind(item: catalog.ModelInput) -> str:
    if item.choices:
        return "choice"
    if item.is_file:
        return "files" if item.type == "file_array" else "file"
    if item.type == "number":
        return "integer" if item.integer else "number"
    return {"boolean": "boolean", "string_array": "list"}.get(item.type, "prompt" if item.prompt else "text")


def _hint(item: catalog.ModelInput) -> str:
    if item.type == "number" and (item.min is not None or item.max is not None):
        return f"{catalog_values.plain_number(item.min)}–{catalog_values.plain_number(item.max)}"
    if item.type == "file_array":
        return f"≤ {item.max_length or 1}"
    if item.max_length and item.type == "string":
        return f"≤ {item.max_length}"
    return ""


def _set_row(row, value: Any) -> None:
    row.is_set = True
    try:
        if row.kind == "choice":
            found = next((choice.name for choice in row.choices if json.loads(choice.value) == value), "")
            row.text_value = found
        elif row.kind == "number" and isinstance(value, (int, float)) and not isinstance(value, bool):
            row.number_value = float(value)
        elif row.kind == "integer" and isinstance(value, (int, float)) and not isinstance(value, bool):
            row.integer_value = int(value)
        elif row.kind == "boolean" and isinstance(value, bool):
            row.boolean_value = value
        elif row.kind == "file" and isinstance(value, str):
            row.file_value = value
        elif row.kind in ("files", "list") and isinstance(value, list):
            row.text_value = ";".join(str(part) for part in value)
        elif isinstance(value, str):
            row.text_value = value
    except (OverflowError, TypeError, ValueError):
        pass  # a default Blender cannot hold: the row stays empty and the model's default applies


def row_value(row) -> Any:
    """A row's value as the request wants it (None: not set, so the model's default applies)."""
    if not row.is_set:
        return None
    if row.kind == "choice":
        chosen = row.choices.get(row.text_value)
        return json.loads(chosen.value) if chosen is not None else None
    if row.kind == "number":
        return row.number_value
    if row.kind == "integer":
        return row.integer_value
    if row.kind == "boolean":
        return row.boolean_value
    if row.kind == "file":
        return bpy.path.abspath(row.file_value) if row.file_value else None
    if row.kind in ("files", "list"):
        parts = [part.strip() for part in row.text_value.split(";") if part.strip()]
        if row.kind == "files":
            parts = [bpy.path.abspath(part) for part in parts]
        return parts or None
    return row.text_value or None


def remembered_values(settings) -> dict[str, dict[str, Any]]:
    try:
        values = json.loads(settings.model_values or "{}")
    except ValueError:
        return {}
    return values if isinstance(values, dict) else {}


def remember_row(row) -> None:
    """A row was edited: keep its value for its model in the scene."""
    if not row.is_set:
        row.is_set = True
    scene = row.id_data
    provider = catalog_provider()
    if provider is None or not hasattr(scene, "meshsmith"):
        return
    settings = scene.meshsmith.provider_settings(provider.id)
    names = slot("RETEXTURE" if f".{slot('RETEXTURE').inputs}[" in row.path_from_id() else "GENERATE")
    model_id = getattr(settings, names.built_for)
    if not model_id:
        return  # the rows are being built
    values = remembered_values(settings)
    mine = values.setdefault(model_id, {})
    value = row_value(row)
    if value is None:
        mine.pop(row.name, None)
    else:
        mine[row.name] = value
    settings.model_values = json.dumps(values)


def rows_values(settings, route: str = "GENERATE") -> dict[str, Any]:
    """The set rows' values of a route by input name (files as paths)."""
    values = {}
    for row in getattr(settings, slot(route).inputs):
        value = row_value(row)
        if value is not None:
            values[row.name] = value
    return values
