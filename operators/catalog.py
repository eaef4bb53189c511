"""The model catalog's buttons: choose a model (a search menu of the catalog, filtered by what the model does),
refresh the catalog from the service, and move to the successor of a retired model.

The menu lists what the catalog holds already (from the disk cache or the last refresh); nothing here waits on
the network: Refresh and a model's first use fetch in the background (``catalog_state``).
"""

from __future__ import annotations

import bpy
from bpy.props import EnumProperty, StringProperty
from bpy.types import Operator

from ..host.catalog import state as catalog_state
from ..host.catalog.slots import slot
from ..i18n.translations import translate_message
from ..net import errors as E
from ..providers.scenario import catalog

_ITEMS: dict[str, list[tuple[str, str, str]]] = {}
"""Each menu's last items: Blender keeps only pointers to an items callback's strings, so they must live on."""
_MESH_TASKS = {catalog.RETEXTURE, catalog.REMESH}


def model_items(context, route: str) -> list[tuple[str, str, str]]:
    """The models the menu offers for a route and the scene's filter, featured first."""
    context = context or bpy.context  # Blender asks without a context when it reads the chosen value back
    provider = catalog_state.catalog_provider()
    found = catalog_state.current()
    items: list[tuple[str, str, str]] = []
    if provider is not None and context is not None and context.scene is not None:
        settings = context.scene.meshsmith.provider_settings(provider.id)
        task = "" if settings.model_filter == "ALL" else settings.model_filter
        on_mesh = route == "RETEXTURE"
        if (task in _MESH_TASKS) != on_mesh:
            task = ""  # a filter for the other route's models: this route lists all of its own
        if not on_mesh and task in ("", catalog.IMAGE_TO_3D):
            items.append((catalog.DEFAULT_MODEL, "Hunyuan 3D 2.1", "Image to textured mesh (Tencent)"))
        for model in found.visible(task) if found is not None else ():
            if model.id == catalog.DEFAULT_MODEL or bool(model.tasks & _MESH_TASKS) != on_mesh:
                continue
            items.append((model.id, model.title, model.description or model.id))
    if not items:
        items.append((catalog.DEFAULT_MODEL, "Hunyuan 3D 2.1", "Image to textured mesh (Tencent)"))
    _ITEMS[route] = items
    return items


def _generate_items(_properties, context):
    return model_items(context, "GENERATE")


def _mesh_items(_properties, context):
    return model_items(context, "RETEXTURE")


class _ChooseModel:
    """Shared by the two model menus (one per route; Blender's operator classes are not subclassed)."""

    bl_options = {"INTERNAL", "UNDO"}
    bl_property = "model"
    route = "GENERATE"  # a class attribute, not a property: the menu's items depend on it before any is set

    def invoke(self, context, event):
        context.window_manager.invoke_search_popup(self)
        return {"RUNNING_MODAL"}

    def execute(self, context):
        provider = catalog_state.catalog_provider()
        settings = context.scene.meshsmith.provider_settings(provider.id)
        setattr(settings, slot(self.route).model, self.model)  # the rows follow (an update callback)
        return {"FINISHED"}


class MESHSMITH_OT_choose_model(_ChooseModel, Operator):
    """Choose the catalog model that makes the mesh"""

    bl_idname = "meshsmith.choose_model"
    bl_label = "Choose Model"

    model: EnumProperty(name="Model", items=_generate_items)


class MESHSMITH_OT_choose_mesh_model(_ChooseModel, Operator):
    """Choose the catalog model that retextures or remeshes the selected object"""

    bl_idname = "meshsmith.choose_mesh_model"
    bl_label = "Choose Mesh Model"
    route = "RETEXTURE"

    model: EnumProperty(name="Model", items=_mesh_items)


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

    route: StringProperty(default="GENERATE", options={"HIDDEN"})

    def execute(self, context):
        provider = catalog_state.catalog_provider()
        settings = context.scene.meshsmith.provider_settings(provider.id)
        found = catalog_state.current()
        name = slot(self.route).model
        model = found.get(getattr(settings, name)) if found is not None else None
        if model is None or not model.successor:
            return {"CANCELLED"}
        setattr(settings, name, model.successor)
        return {"FINISHED"}


classes = (MESHSMITH_OT_choose_model, MESHSMITH_OT_choose_mesh_model, MESHSMITH_OT_refresh_catalog,
           MESHSMITH_OT_use_successor)

register, unregister = bpy.utils.register_classes_factory(classes)
