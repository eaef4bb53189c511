"""Material versions of the active object: show one, or remove one (one undo step each)."""

from __future__ import annotations

import bpy
from bpy.props import IntProperty
from bpy.types import Operator

from ..i18n.translations import translate_message
from ..net import errors as E


class _VersionOperator:
    index: IntProperty(name="Version", min=0)

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        from ..mesh_io.versions import versions

        obj = context.active_object
        return obj is not None and obj.type == "MESH" and bool(versions(obj))


class MESHSMITH_OT_use_material_version(_VersionOperator, Operator):
    """Show this material version on the object (the others stay in the file)"""

    bl_idname = "meshsmith.use_material_version"
    bl_label = "Use Version"
    bl_options = {"UNDO", "INTERNAL"}

    def execute(self, context):
        from ..mesh_io.versions import switch_to

        try:
            switch_to(context.active_object, self.index)
        except E.MeshsmithError as exc:
            self.report({"ERROR"}, translate_message(str(exc)))
            return {"CANCELLED"}
        return {"FINISHED"}


class MESHSMITH_OT_remove_material_version(_VersionOperator, Operator):
    """Forget this material version; its material leaves the file when nothing else uses it"""

    bl_idname = "meshsmith.remove_material_version"
    bl_label = "Remove Version"
    bl_options = {"UNDO", "INTERNAL"}

    def execute(self, context):
        from ..mesh_io.versions import remove

        try:
            remove(context.active_object, self.index)
        except E.MeshsmithError as exc:
            self.report({"ERROR"}, translate_message(str(exc)))
            return {"CANCELLED"}
        return {"FINISHED"}


classes = (MESHSMITH_OT_use_material_version, MESHSMITH_OT_remove_material_version)


register, unregister = bpy.utils.register_classes_factory(classes)
