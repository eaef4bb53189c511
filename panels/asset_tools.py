"""The Asset Tools panel: Remesh and UV Unwrap on the selected object (by a service), and the object's versions."""

from __future__ import annotations

import bpy
from bpy.app.translations import pgettext_iface as iface_
from bpy.types import Panel

from ..providers import registry


def tool_label(name: str, provider: registry.ProviderInfo) -> str:
    """A tool's button text with its price: "about" when only the service's documentation states it."""
    if provider.asset_tool_price is None:
        return iface_(name)
    cost = f"{provider.asset_tool_price:g} {iface_(provider.price_unit)}"
    return iface_("{} (about {})").format(iface_(name), cost)


class VIEW3D_PT_meshsmith_asset_tools(Panel):
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "Meshsmith"
    bl_label = "Asset Tools"
    bl_options = {"DEFAULT_CLOSED"}

    def draw(self, context: bpy.types.Context) -> None:
        from ..mesh_io.object_versions import object_versions

        layout = self.layout
        settings = context.scene.meshsmith
        obj = context.active_object
        if obj is None or obj.type != "MESH":
            layout.label(text=iface_("Select a mesh object"), icon="MESH_DATA", translate=False)
            return
        for tool, operator, icon in (("REMESH", "meshsmith.remesh", "MOD_REMESH"),
                                     ("UV_UNWRAP", "meshsmith.uv_unwrap", "UV")):
            for provider in registry.with_asset_tool(tool):
                box = layout.box()
                if tool == "REMESH":
                    box.prop(settings, "remesh_topology")
                    box.prop(settings, "remesh_target_polycount")
                name = "Remesh" if tool == "REMESH" else "UV Unwrap"
                button = box.operator(operator, text=f"{tool_label(name, provider)} · {provider.label}", icon=icon,
                                      translate=False)
                button.provider = provider.id
                if tool == "REMESH":
                    button.topology = settings.remesh_topology
                    button.target_polycount = settings.remesh_target_polycount
        versions = object_versions(obj)
        if versions:
            box = layout.box()
            box.label(text=iface_("Object Versions"), icon="OUTLINER_OB_MESH", translate=False)
            for version in versions:
                row = box.row()
                shown = not version.hide_render
                label = str(version.get("meshsmith_version_label", "")) or version.name
                row.label(text=f"{iface_(label)}: {version.name}", icon="HIDE_OFF" if shown else "HIDE_ON",
                          translate=False)
                if not shown:
                    row.operator("meshsmith.show_object_version", text=iface_("Show"),
                                 translate=False).object_name = version.name


classes = (VIEW3D_PT_meshsmith_asset_tools,)


register, unregister = bpy.utils.register_classes_factory(classes)
