"""A job's parameters for a provider with a model catalog, from the sidebar or a script (main thread, no network).

``bpy.ops.meshsmith.generate(provider='SCENARIO', model='model_tripo-v3-1-image-to-3d', inputs='{"texture": true}')``:
``model`` picks the model (empty: the sidebar's), ``inputs`` is a JSON object merged over the model's defaults
(and, for the sidebar's own model, over the values set there). Hunyuan 3D 2.1 keeps its own settings
(``scene.meshsmith.scenario.steps``...); ``inputs`` may name them as the request does (``guidanceScale``).

Whatever can be checked here is checked here, before anything is uploaded: JSON that is not an object, a retired
model (its successor named), a model used on the wrong route, and, when the model's schema is known (the catalog
has it), unknown input names and bad values with the input's own label. The worker checks again against the
schema it fetches, so a script run before the catalog was ever loaded is held to the same rules.
"""

from __future__ import annotations

import json
from typing import Any

import bpy

from ...net import errors as E
from ...providers import registry
from ...providers.scenario import catalog, catalog_values
from . import state as catalog_state
from .slots import slot


def parse_inputs(text: str) -> dict[str, Any]:
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise E.InvalidInputError(f"The inputs are not valid JSON ({exc.msg}, at character {exc.pos}).") from None
    if not isinstance(value, dict):
        raise E.InvalidInputError('The inputs must be a JSON object, e.g. {"texture": true}.')
    return value


def chosen_model(context: bpy.types.Context, provider_id: str, model_id: str = "", route: str = "GENERATE") -> str:
    settings = context.scene.meshsmith.provider_settings(provider_id)
    return model_id.strip() or getattr(settings, slot(route).model) or (
        catalog.DEFAULT_MODEL if route == "GENERATE" else "")


def known_model(model_id: str) -> catalog.CatalogModel | None:
    found = catalog_state.current()
    return found.get(model_id) if found is not None else None


def takes_prompt(context: bpy.types.Context, provider_id: str, model_id: str = "") -> bool:
    """Whether the chosen model has a prompt input (an unknown model may: the worker decides)."""
    chosen = chosen_model(context, provider_id, model_id)
    if chosen == catalog.DEFAULT_MODEL:
        return False
    model = known_model(chosen)
    return model is None or model.inputs is None or any(item.prompt for item in model.inputs)


def takes_image(context: bpy.types.Context, provider_id: str, model_id: str = "") -> bool:
    chosen = chosen_model(context, provider_id, model_id)
    model = known_model(chosen)
    if chosen == catalog.DEFAULT_MODEL or model is None or model.inputs is None:
        return True
    return any(item.is_file and item.kind == "image" for item in model.inputs)


def params_for(context: bpy.types.Context, provider_id: str, route: str, model_id: str = "",
               inputs_json: str = "") -> dict[str, Any]:
    """The job's parameters: the 2.1 settings, or ``{"model": id, "inputs": {...}}`` for any other model."""
    settings = context.scene.meshsmith.provider_settings(provider_id)
    chosen = chosen_model(context, provider_id, model_id, route)
    if not chosen:
        raise E.InvalidInputError("Choose a retexture or remesh model first.")
    overrides = parse_inputs(inputs_json)
    if chosen == catalog.DEFAULT_MODEL:
        if route == "RETEXTURE":
            raise E.InvalidInputError("Hunyuan 3D 2.1 makes models from images; choose a retexture or remesh model "
                                      "for the selected mesh.")
        return _default_model_params(settings, provider_id, overrides)
    model = known_model(chosen)
    if model is not None:
        if model.successor:
            raise E.InvalidInputError(f"Scenario retired {model.title}; use {model.successor} instead.")
        on_mesh = bool(model.tasks & {catalog.RETEXTURE, catalog.REMESH})
        if route == "RETEXTURE" and not on_mesh:
            raise E.InvalidInputError(f"{model.title} makes models from images or text: use Generate, or choose a "
                                      "retexture or remesh model.")
        if route == "GENERATE" and on_mesh and not model.tasks - {catalog.RETEXTURE, catalog.REMESH}:
            raise E.InvalidInputError(f"{model.title} works on a mesh: select it and use Retexture.")
    values = catalog_state.rows_values(settings, route) if chosen == getattr(settings, slot(route).model) else {}
    values.update(overrides)
    return {"model": chosen, "inputs": values}


def check_known(params: dict[str, Any], inputs: dict[str, str]) -> None:
    """Check a catalog job against the cached schema of its model (when the catalog has it), as the worker will."""
    model = known_model(str(params.get("model", "")))
    if model is None or model.inputs is None:
        return
    catalog_values.job_values(model, params["inputs"], prompt=inputs.get("prompt", ""),
                       images=[part for part in inputs.get("image_path", "").split(";") if part],
                       images_from_sidebar=bool(inputs.get("image_from_sidebar")),
                       mesh_path=inputs.get("mesh_path", ""))


def _default_model_params(settings, provider_id: str, overrides: dict[str, Any]) -> dict[str, Any]:
    """Hunyuan 3D 2.1's settings, with ``inputs`` by their request names (``guidanceScale``) or setting names."""
    params = settings.as_params()
    by_field = {param.request_field or param.name: param.name for param in registry.info(provider_id).settings
                if param.sent}
    for name, value in overrides.items():
        setting = by_field.get(name) or (name if name in by_field.values() else "")
        if not setting:
            raise E.InvalidInputError(f"Hunyuan 3D 2.1 has no input named {name}. Its inputs: "
                                      f"{', '.join(sorted(by_field))}.")
        params[setting] = value
    from ...providers.checks import checked_params

    return checked_params(params, provider_id)
