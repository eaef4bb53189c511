"""Draw a provider's model catalog in the sidebar: the chosen model (a search menu), the catalog's state, the
model's inputs from its schema, and a retired model's successor.

Reads only what is in memory (``catalog_state.current()`` and the scene's rows): drawing never waits on the
network or the disk. A model whose inputs are not known yet says that they are being fetched.
"""

from __future__ import annotations

import bpy
from bpy.app.translations import pgettext_iface as iface_

from ..host.catalog import state as catalog_state
from ..host.catalog.slots import slot
from ..i18n.translations import translate_message
from ..providers import registry
from ..providers.scenario import catalog


def draw_catalog(layout: bpy.types.UILayout, context: bpy.types.Context, provider: registry.ProviderInfo,
                 route: str) -> None:
    """The model row, the catalog's state, a retired model's notice and, for any model but the provider's own
    default, its inputs."""
    settings = context.scene.meshsmith.provider_settings(provider.id)
    names = slot(route)
    model_id = getattr(settings, names.model)
    found = catalog_state.current()
    model = found.get(model_id) if found is not None else None
    box = layout.box()
    row = box.row(align=True)
    title = model.title if model is not None else (
        "Hunyuan 3D 2.1" if model_id == catalog.DEFAULT_MODEL else model_id or iface_("Choose a model"))
    row.operator("meshsmith.choose_mesh_model" if route == "RETEXTURE" else "meshsmith.choose_model", text=title,
                 icon="MESH_ICOSPHERE", translate=False)
    row.operator("meshsmith.refresh_catalog", text="", icon="FILE_REFRESH")
    box.prop(settings, "model_filter", text="")
    _draw_state(box, found)
    if model is not None and model.successor:
        col = box.column(align=True)
        col.alert = True
        col.label(text=iface_("Retired by Scenario: use {}").format(model.successor), icon="ERROR", translate=False)
        box.operator("meshsmith.use_successor", icon="FORWARD").route = route
    elif model is not None and model.description:
        box.label(text=model.description[:90], translate=False)
    if model_id == catalog.DEFAULT_MODEL or not model_id:
        return  # the provider's own settings are drawn by the parameters panel
    if getattr(settings, names.built_for) == model_id:
        draw_inputs(box, settings, route)
    elif catalog_state.busy(f"details:{model_id}"):
        box.label(text="Loading the model's inputs…", icon="SORTTIME")
    else:
        box.label(text="The model's inputs are not known yet: press Refresh.", icon="INFO")


def _draw_state(layout: bpy.types.UILayout, found: catalog.Catalog | None) -> None:
    if catalog_state.busy("list"):
        layout.label(text="Refreshing the catalog…", icon="SORTTIME")
    elif found is None or not found.fetched_at:
        layout.label(text="No catalog yet: press Refresh to list the models.", icon="INFO")
    else:
        count = len(found.visible())
        days = catalog.age_days(found.fetched_at)
        age = iface_("today") if days == 0 else iface_("yesterday") if days == 1 else iface_("{} days ago").format(days)
        layout.label(text=iface_("{} models, listed {}").format(count, age), icon="CHECKMARK", translate=False)
    if catalog_state.problem():
        col = layout.column(align=True)
        col.alert = True
        col.label(text=translate_message(catalog_state.problem())[:120], icon="ERROR", translate=False)


def draw_inputs(layout: bpy.types.UILayout, settings, route: str = "GENERATE") -> None:
    """Each input row of the route's chosen model, drawn for its kind, with its range or limit beside the label."""
    col = layout.column(align=True)
    for row in getattr(settings, slot(route).inputs):
        hint = row.hint if row.is_set or row.kind not in ("number", "integer") else iface_("auto")
        label = row.label + (" *" if row.required else "") + (f"  ({hint})" if hint else "")
        if row.kind == "choice":
            col.prop_search(row, "text_value", row, "choices", text=label, translate=False)
        else:
            col.prop(row, row.value_property, text=label, translate=False)
