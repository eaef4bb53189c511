"""Remesh and UV Unwrap on the active object, run by a service (Meshy): operators and the job they make.

The object is exported as Retexture exports it (modifiers applied); a remesh also writes the object with its
materials for the bake that carries its look onto the new mesh. The result comes in as a new version of the object
(``mesh_io/asset_tools.py``); the original is hidden, never deleted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import bpy
from bpy.props import EnumProperty, IntProperty
from bpy.types import Operator

from ..host import preferences, runtime
from ..i18n.translations import translate_message
from ..jobs.states import Delivery, JobKind
from ..mesh_io.exporter import check_mesh, export_object_glb
from ..net import errors as E
from ..providers import registry
from .generate import JobOperatorMixin
from .inputs import check_writable
from .retexture import target_id

if TYPE_CHECKING:
    from ..jobs.records import JobRecord

REMESH_PROVIDERS = registry.enum_items(registry.with_asset_tool("REMESH")) or [("NONE", "None", "")]
UNWRAP_PROVIDERS = registry.enum_items(registry.with_asset_tool("UV_UNWRAP")) or [("NONE", "None", "")]
TOPOLOGIES = [("QUAD", "Quads", "Quad-dominant topology, for editing and subdivision"),
              ("TRIANGLE", "Triangles", "Triangles only, for game engines")]


def build_tool_job(context: bpy.types.Context, provider_name: str, tool: str, params: dict) -> JobRecord:
    """Check everything and export the active mesh; a record ready to submit. Raises ``MeshsmithError``."""
    import uuid

    from ..jobs.records import JobRecord

    if tool not in registry.info(provider_name).asset_tools:
        raise E.InvalidInputError(f"{registry.info(provider_name).label} does not offer this tool.")
    obj = context.active_object
    check_mesh(obj, require_uvs=False)
    if tool == "UV_UNWRAP" and obj.data.shape_keys is not None:  # the new UV map could not be added to it
        raise E.InvalidInputError(f"'{obj.name}' has shape keys; the new UV map needs one fixed shape. Apply or remove "
                                  "the shape keys (on a copy, if you need them), then unwrap that.")
    params = {"tool": tool, **params}
    registry.client_class(provider_name).validate_params(params)  # refused before anything is exported
    job_id = uuid.uuid4().hex
    job_dir = runtime.results_dir(context) / job_id
    check_writable(job_dir.parent)
    inputs: dict[str, str] = {}
    if tool == "REMESH":
        from ..mesh_io.bake_target import RESOLUTIONS, write_bake_source

        inputs["bake_source"] = write_bake_source(context, obj, job_dir)
        resolution = context.scene.meshsmith.bake_resolution
        inputs["bake_resolution"] = resolution if resolution in RESOLUTIONS else "2048"
    inputs["mesh_path"] = str(export_object_glb(obj, job_dir / "input.glb", require_uvs=False))
    what = (f"remesh to {params['target_polycount']:,} {params['topology']}s" if tool == "REMESH"
            else "UV unwrap")
    return JobRecord(id=job_id, provider=provider_name, kind=JobKind(tool), label=f"{obj.name}: {what}",
                     params=params, inputs=inputs, output_dir=str(job_dir), target_object=obj.name,
                     target_uid=target_id(obj), delivery=Delivery.NEW_VERSION, target_file=bpy.data.filepath,
                     render_preview=preferences.get(context).render_previews)


class _ToolOperator(JobOperatorMixin):
    tool = ""

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        try:
            check_mesh(context.active_object, require_uvs=False)
        except E.MeshsmithError as exc:
            cls.poll_message_set(translate_message(str(exc)))
            return False
        return True

    def _params(self) -> dict:
        return {}

    def _start(self, context: bpy.types.Context) -> JobRecord | None:
        try:
            provider = runtime.make_provider(self.provider, context)
            record = build_tool_job(context, self.provider, self.tool, self._params())
        except E.MeshsmithError as exc:
            self.report({"ERROR"}, translate_message(str(exc)))
            return None
        return runtime.submit(record, provider)


class MESHSMITH_OT_remesh(_ToolOperator, Operator):
    """New topology for the active object at a target face count; a new version with its look, the original hidden"""

    bl_idname = "meshsmith.remesh"
    bl_label = "Remesh"
    bl_options = set()  # not REGISTER: Repeat Last would send a second paid job
    tool = "REMESH"

    provider: EnumProperty(name="Provider", items=REMESH_PROVIDERS, default=REMESH_PROVIDERS[0][0])
    topology: EnumProperty(name="Topology", items=TOPOLOGIES, default="QUAD")
    target_polycount: IntProperty(name="Target Faces", description="How many faces the new mesh should have",
                                  default=30000, min=100, max=300000)

    def _params(self) -> dict:
        return {"topology": self.topology.lower(), "target_polycount": self.target_polycount}


class MESHSMITH_OT_uv_unwrap(_ToolOperator, Operator):
    """A new UV layout for the active object: a new version with the new UV map, the old kept, the original hidden"""

    bl_idname = "meshsmith.uv_unwrap"
    bl_label = "UV Unwrap"
    bl_options = set()
    tool = "UV_UNWRAP"

    provider: EnumProperty(name="Provider", items=UNWRAP_PROVIDERS, default=UNWRAP_PROVIDERS[0][0])


class MESHSMITH_OT_show_object_version(Operator):
    """Show this version of the object and hide its other versions (none is ever deleted)"""

    bl_idname = "meshsmith.show_object_version"
    bl_label = "Show Version"
    bl_options = {"REGISTER", "UNDO"}

    object_name: bpy.props.StringProperty(name="Object", options={"SKIP_SAVE"})

    def execute(self, context):
        from ..mesh_io.object_versions import family_of, show_version

        obj = bpy.data.objects.get(self.object_name)
        if obj is None or not family_of(obj):
            error = E.InvalidInputError(f"'{self.object_name}' is not a version of an object.")
            self.report({"ERROR"}, translate_message(str(error)))
            return {"CANCELLED"}
        show_version(obj)
        return {"FINISHED"}


classes = (MESHSMITH_OT_remesh, MESHSMITH_OT_uv_unwrap, MESHSMITH_OT_show_object_version)


register, unregister = bpy.utils.register_classes_factory(classes)
