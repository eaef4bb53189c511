"""The model catalog's buttons: choose a model (a search menu of the catalog, filtered by what the model does),
refresh the catalog from the service, and move to the successor of a retired model.

The menu lists what the catalog holds already (from the disk cache or the last refresh); nothing here waits on
the network: Refresh and a model's first use fetch in the background (``catalog_state``).
"""

from __future__ import annotations

import bpy
from bpy.props import EnumProperty, StringProperty
from bpy.types import Operator

from .. import catalog_state
from ..providers import errors as E
from ..providers import scenario_catalog as catalog
from ..translations import translate_message

_ITEMS: list[tuple[str, str, str]] = []
"""The menu's last items: Blender keeps only pointers to an items callback's strings, so they must live on."""
_MESH_TASKS = {catalog.RETEXTURE, catalog.REMESH}


def model_items(operator, context) -> list[tuple[str, str, str]]:
    """The models the menu offers for the operator's route and the scene's filter, featured first."""
    provider = catalog_state.catalog_provider()
    found = catalog_state.current()
    items: list[tuple[str, str, str]] = []
    if provider is not None and context is not None and context.scene is not None:
        settings = context.scene.meshsmith.provider_settings(provider.id)
        task = "" if settings.model_filter == "ALL" else settings.model_filter
        on_mesh = getattr(operator, "route", "GENERATE") == "RETEXTURE"
        if not on_mesh and task in ("", catalog.IMAGE_TO_3D):
            items.append((catalog.DEFAULT_MODEL, "Hunyuan 3D 2.1", "Image to textured mesh (Tencent)"))
        for model in found.visible(task) if found is not None else ():
            if model.id == catalog.DEFAULT_MODEL or bool(model.tasks & _MESH_TASKS) != on_mesh:
                continue
            items.append((model.id, model.title, model.description or model.id))
    if not items:
        items.append((catalog.DEFAULT_MODEL, "Hunyuan 3D 2.1", "Image to textured mesh (Tencent)"))
    _ITEMS[:] = items
    return _ITEMS


class MESHSMITH_OT_choose_model(Operator):
    """Choose the catalog model that makes (or reworks) the mesh"""

    bl_idname = "meshsmith.choose_model"
    bl_label = "Choose Model"
    bl_options = {"INTERNAL", "UNDO"}
    bl_property = "model"

    model: EnumProperty(name="Model", items=model_items)
    route: StringProperty(default="GENERATE", options={"HIDDEN"})

    def invoke(self, context, event):
        context.window_manager.invoke_search_popup(self)
        return {"RUNNING_MODAL"}

    def execute(self, context):
        provider = catalog_state.catalog_provider()
        context.scene.meshsmith.provider_settings(provider.id).model = self.model  # rows follow (update callback)
        return {"FINISHED"}


class MESHSMITH_OT_refresh_catalog(Operator):
    """Fetch the list of models from the service (in the background; the sidebar keeps working)"""

    bl_idname = "meshsmith.refresh_catalog"
    bl_label = "Refresh Catalog"
    bl_options = {"INTERNAL"}

    def execute(self, context):
        try:
            started = catalog_state.refresh(context)
        except E.MeshsmithError as exc:
            self.report({"ERROR"}, translate_message(str(exc)))
            return {"CANCELLED"}
        if not started:
            self.report({"INFO"}, "The catalog is being refreshed already.")
        return {"FINISHED"}


class MESHSMITH_OT_use_successor(Operator):
    """Use the model the service recommends instead of the retired one"""

    bl_idname = "meshsmith.use_successor"
    bl_label = "Use the Successor"
    bl_options = {"INTERNAL", "UNDO"}

    def execute(self, context):
        provider = catalog_state.catalog_provider()
        settings = context.scene.meshsmith.provider_settings(provider.id)
        found = catalog_state.current()
        model = found.get(settings.model) if found is not None else None
        if model is None or not model.successor:
            return {"CANCELLED"}
        settings.model = model.successor
        return {"FINISHED"}


classes = (MESHSMITH_OT_choose_model, MESHSMITH_OT_refresh_catalog, MESHSMITH_OT_use_successor)

register, unregister = bpy.utils.register_classes_factory(classes)
