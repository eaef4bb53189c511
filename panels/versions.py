"""The Material Versions panel: the active object's original look and each retexture, one click to switch."""

from __future__ import annotations

import time

import bpy
from bpy.app.translations import pgettext_iface as iface_
from bpy.types import Panel


def version_details(version: dict) -> str:
    """'Seed 42, 2026-12-02 14:05': where a version came from, for its row's second line."""
    parts = []
    if version.get("seed") not in ("", None, "-1"):
        parts.append(iface_("Seed {}").format(version["seed"]))
    if isinstance(version.get("date"), (int, float)):
        parts.append(time.strftime("%Y-%m-%d %H:%M", time.localtime(version["date"])))
    return ", ".join(parts)


class VIEW3D_PT_meshsmith_versions(Panel):
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "Meshsmith"
    bl_label = "Material Versions"
    bl_parent_id = "VIEW3D_PT_meshsmith_retexture"

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        obj = context.active_object
        return obj is not None and obj.type == "MESH"

    def draw(self, context: bpy.types.Context) -> None:
        from ..mesh_io.versions import current, versions

        layout = self.layout
        obj = context.active_object
        found = versions(obj)
        if not found:
            layout.label(text="Each retexture of this object adds a version here.")
            return
        shown = current(obj)
        col = layout.column(align=True)
        for index, version in enumerate(found):
            row = col.row(align=True)
            label = iface_("Original") if index == 0 else str(version.get("label", ""))
            row.operator("meshsmith.use_material_version", text=label, translate=False,
                         icon="RADIOBUT_ON" if index == shown else "RADIOBUT_OFF", depress=index == shown).index = index
            if index > 0:
                row.operator("meshsmith.remove_material_version", text="", icon="X").index = index
            details = version_details(version)
            if details:
                col.label(text=details, icon="BLANK1", translate=False)


classes = (VIEW3D_PT_meshsmith_versions,)


register, unregister = bpy.utils.register_classes_factory(classes)
