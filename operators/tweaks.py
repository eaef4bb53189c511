"""Tweak operators for imported results: each one undoable, each working on the selected meshes."""

from __future__ import annotations

import bpy
from bpy.app.translations import pgettext_rpt as rpt_
from bpy.props import EnumProperty, FloatProperty, IntProperty
from bpy.types import Operator

from ..host import runtime
from ..i18n.translations import translate_message
from ..mesh_io import tweaks
from ..net import errors as E


class _TweakOperator:
    bl_options = {"REGISTER", "UNDO"}

    @classmethod
    def poll(cls, context):
        if not tweaks.meshes(context.selected_objects or [context.active_object]):
            cls.poll_message_set("Select a mesh object")
            return False
        return True

    def run(self, context, obj) -> str:
        raise NotImplementedError

    def execute(self, context):
        targets = tweaks.meshes(context.selected_objects or [context.active_object])
        try:
            notes = [self.run(context, obj) for obj in targets]
        except E.MeshsmithError as exc:
            self.report({"ERROR"}, translate_message(str(exc)))
            return {"CANCELLED"}
        note = translate_message(notes[-1])
        self.report({"INFO"}, note if len(notes) == 1 else rpt_("{} objects: {}").format(len(notes), note))
        return {"FINISHED"}


class MESHSMITH_OT_place_on_ground(_TweakOperator, Operator):
    """Put the origin at the bottom centre and stand the object on the 3D cursor"""

    bl_idname = "meshsmith.place_on_ground"
    bl_label = "Place on Ground"

    def run(self, context, obj):
        return tweaks.place_on_ground(obj, context.scene.cursor.location.copy())


class MESHSMITH_OT_normalise_size(_TweakOperator, Operator):
    """Scale the object uniformly to a height in metres (the scale is applied)"""

    bl_idname = "meshsmith.normalise_size"
    bl_label = "Normalise Size"

    height: FloatProperty(name="Height", description="Target height", default=1.0, min=0.0001, soft_max=100.0,
                          unit="LENGTH")

    def run(self, context, obj):
        return tweaks.normalise_height(obj, self.height)


class MESHSMITH_OT_fix_orientation(_TweakOperator, Operator):
    """Turn the mesh so the chosen axis points up"""

    bl_idname = "meshsmith.fix_orientation"
    bl_label = "Fix Orientation"

    up_axis: EnumProperty(name="Up Is", description="Which axis of the model should point up",
                          items=[(key, key, f"The model's {key} axis becomes +Z") for key in tweaks.UP_AXES],
                          default="+Y")

    def run(self, context, obj):
        return tweaks.fix_orientation(obj, self.up_axis)


class MESHSMITH_OT_shade_auto_smooth(_TweakOperator, Operator):
    """Smooth shading, keeping edges sharper than the angle"""

    bl_idname = "meshsmith.shade_auto_smooth"
    bl_label = "Shade Auto Smooth"

    angle: FloatProperty(name="Angle (Degrees)", default=30.0, min=0.0, max=180.0)

    def run(self, context, obj):
        return tweaks.shade_auto_smooth(obj, self.angle)


class MESHSMITH_OT_merge_by_distance(_TweakOperator, Operator):
    """Merge vertices closer than the distance (closes split seams)"""

    bl_idname = "meshsmith.merge_by_distance"
    bl_label = "Merge by Distance"

    distance: FloatProperty(name="Distance", default=0.0001, min=0.0, soft_max=0.01, precision=5, unit="LENGTH")

    def run(self, context, obj):
        return tweaks.merge_by_distance(obj, self.distance)


class MESHSMITH_OT_decimate(_TweakOperator, Operator):
    """Reduce the mesh to a target number of triangles"""

    bl_idname = "meshsmith.decimate"
    bl_label = "Decimate"

    target_faces: IntProperty(name="Target Faces", default=10000, min=4, soft_max=200000)

    def run(self, context, obj):
        return tweaks.decimate_to(obj, self.target_faces)


class MESHSMITH_OT_pack_textures(_TweakOperator, Operator):
    """Pack the object's textures into the .blend file"""

    bl_idname = "meshsmith.pack_textures"
    bl_label = "Pack Textures"

    def run(self, context, obj):
        return tweaks.pack_textures(obj)


class MESHSMITH_OT_mark_asset(_TweakOperator, Operator):
    """Mark as an asset, with the provider, prompt, seed, job id and cost in its description and tags"""

    bl_idname = "meshsmith.mark_asset"
    bl_label = "Mark as Asset"

    def run(self, context, obj):
        metadata = tweaks.generation_metadata(obj)
        return tweaks.mark_as_asset(obj, metadata, runtime.model_preview(str(metadata["job_id"])))


class MESHSMITH_OT_apply_preset(_TweakOperator, Operator):
    """Run a set of tweaks made for a purpose"""

    bl_idname = "meshsmith.apply_preset"
    bl_label = "Apply Preset"

    preset: EnumProperty(name="Preset", items=[
        ("GAME", "Game", "Merge, ground, 1.8 m, 10k faces, smooth, pack"),
        ("FILM", "Film", "Ground, smooth, pack, mark as asset"),
        ("PRINT", "Print", "Merge, ground, 10 cm"),
    ])

    def run(self, context, obj):
        preview = runtime.model_preview(str(obj.get("meshsmith_job_id", "")))
        return "; ".join(tweaks.apply_preset(obj, self.preset, context.scene.cursor.location.copy(), preview))


classes = (
    MESHSMITH_OT_place_on_ground, MESHSMITH_OT_normalise_size, MESHSMITH_OT_fix_orientation,
    MESHSMITH_OT_shade_auto_smooth, MESHSMITH_OT_merge_by_distance, MESHSMITH_OT_decimate,
    MESHSMITH_OT_pack_textures, MESHSMITH_OT_mark_asset, MESHSMITH_OT_apply_preset,
)


register, unregister = bpy.utils.register_classes_factory(classes)
