"""``meshsmith.retexture``: texture the active mesh with a service and put the result on the artist's own mesh.

The mesh is exported alone (modifiers applied, UVs kept) on the main thread; the job runs like any
other; the result lands on the original object as a new material (see mesh_io/retexture.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import bpy
from bpy.props import EnumProperty, StringProperty
from bpy.types import Operator

from ..host import preferences, runtime
from ..i18n.translations import translate_message
from ..jobs.states import Delivery, JobKind
from ..mesh_io.exporter import check_mesh, export_object_glb
from ..net import errors as E
from ..providers import registry, schema
from .generate import JobOperatorMixin
from .inputs import check_image_file, check_service_ready, check_writable, generation_params, resolve_image

if TYPE_CHECKING:
    from ..jobs.records import JobRecord

RETEXTURE_PROVIDERS = registry.enum_items(registry.retexturers(), "retextures")
MAX_INPUT_IMAGE_BYTES = 10 * 1024 * 1024  # style images and views travel inline (data URIs)


def retexture_blocker(context: bpy.types.Context, provider_id: str = "") -> tuple[str, str]:
    """Why Retexture cannot run now with this provider (default: the sidebar's), and the fix the panel offers:
    ('', 'NONE') when it can run."""
    provider_id = provider_id or context.scene.meshsmith.retexture_provider
    obj = context.active_object
    try:
        check_mesh(obj, require_uvs=False)
        check_service_ready(context, provider_id)
    except E.MeshsmithError as exc:
        return str(exc), exc.fix.value
    if registry.info(provider_id).catalog:
        from ..host.catalog.jobs import chosen_model

        if not chosen_model(context, provider_id, route="RETEXTURE"):
            return "Choose a retexture or remesh model.", E.Fix.NONE.value
    return "", E.Fix.NONE.value


def route_inputs(context: bpy.types.Context, provider_id: str, overrides: dict[str, str], job_dir: Path) -> dict[str, str]:
    """The provider's route inputs (its settings that are not parameters: texts, a style or reference image,
    views), checked.

    ``overrides`` are the operator's arguments by setting name, ``image`` for the image (an empty one falls
    back to the sidebar). Texts are bounded, images must be real image files; inputs the current settings do
    not use are left out. An image that exists only inside Blender is saved into ``job_dir``."""
    info = registry.info(provider_id)
    group = context.scene.meshsmith.provider_settings(provider_id)
    inputs: dict[str, str] = {}
    for param in info.settings:
        if param.kind == "text":
            text = (overrides.get(param.name) or getattr(group, param.name)) if not param.sent else getattr(group, param.name)
            if param.max_length is not None and len(text) > param.max_length:
                raise E.InvalidInputError(f"The {param.label.lower()} text is {len(text)} characters; {info.label} "
                                          f"takes at most {param.max_length}.")
            if not param.sent:
                inputs[param.name] = text
        elif param.kind == "reference" and schema.shown(param, group):
            inputs[f"{param.name}_path"] = resolve_image(context, overrides.get("image", ""), job_dir)
        elif param.kind == "image" and schema.shown(param, group):
            image = overrides.get("image") or (getattr(group, param.name).filepath
                                               if getattr(group, param.name) is not None else "")
            if image:
                path = bpy.path.abspath(image)
                check_image_file(Path(path), MAX_INPUT_IMAGE_BYTES)
                inputs[f"{param.name}_path"] = path
        elif param.kind == "paths" and schema.shown(param, group):
            files = [bpy.path.abspath(item.strip()) for item in getattr(group, param.name).split(";") if item.strip()]
            if param.max_length is not None and len(files) > param.max_length:
                raise E.InvalidInputError(f"{info.label} takes at most {param.max_length} views of the object; "
                                          f"{len(files)} were given.")
            for file in files:
                check_image_file(Path(file), MAX_INPUT_IMAGE_BYTES)
            if files:
                inputs[param.name] = ";".join(files)
    return inputs


def build_retexture_job(context: bpy.types.Context, provider_name: str, style_prompt: str, object_prompt: str,
                        image_path: str = "", model: str = "", inputs_json: str = "") -> JobRecord:
    """Check everything and export the active mesh; a record ready to submit. Raises ``MeshsmithError``."""
    import uuid  # loaded when a job is made, not while the add-on registers

    from ..jobs.records import JobRecord

    params = generation_params(context, provider_name, "RETEXTURE", model, inputs_json)
    job_id = uuid.uuid4().hex
    job_dir = runtime.results_dir(context) / job_id
    check_writable(job_dir.parent)
    overrides = {"style_prompt": style_prompt, "object_prompt": object_prompt, "image": image_path}
    inputs = route_inputs(context, provider_name, overrides, job_dir)
    catalog = registry.info(provider_name).catalog
    if catalog:  # checked before the object is touched (a UV map for the bake) or exported
        from ..host.catalog import jobs as catalog_jobs

        if image_path:  # the model's first image input (a style image)
            inputs["image_path"] = resolve_image(context, image_path, job_dir)
        if style_prompt:  # the model's prompt input (a style prompt)
            inputs["prompt"] = style_prompt
        catalog_jobs.check_known(params, {**inputs, "mesh_path": "(the selected object)"})
    client = registry.client_class(provider_name)
    client.check_inputs(params, inputs)
    delivery = Delivery(client.retexture_delivery(params))
    keeps_uvs = delivery is Delivery.MAPS_ONTO_TARGET  # the maps come back for the mesh's own UVs
    obj = context.active_object
    check_mesh(obj, require_uvs=keeps_uvs)
    if delivery is Delivery.BAKE_ONTO_TARGET:
        from ..mesh_io.bake_target import prepare_bake_target

        inputs.update(prepare_bake_target(context, obj, job_dir, context.scene.meshsmith.bake_resolution))
    elif delivery is Delivery.NEW_VERSION:  # a catalog remesh model: the object's look goes onto the new mesh
        from ..mesh_io.bake_target import write_bake_source

        inputs["bake_source"] = write_bake_source(context, obj, job_dir)
        inputs["bake_resolution"] = context.scene.meshsmith.bake_resolution
    mesh = export_object_glb(obj, job_dir / "input.glb", require_uvs=keeps_uvs)
    inputs["mesh_path"] = str(mesh)
    image = inputs.get("image_path") or inputs.get("style_image_path") or ""
    what = inputs.get("style_prompt") or Path(image).name or params.get("model", "") or "style image"
    label = f"{obj.name}: {what[:40]}"
    return JobRecord(id=job_id, provider=provider_name, kind=JobKind.RETEXTURE, label=label, params=params,
                     inputs=inputs, output_dir=str(job_dir), target_object=obj.name, target_uid=target_id(obj),
                     delivery=delivery,
                     target_file=bpy.data.filepath, render_preview=preferences.get(context).render_previews)


def target_id(obj: bpy.types.Object) -> str:
    """The object's stable id for matching a result to it (written now if it has none, or shares a copy's)."""
    import uuid

    from ..host.delivery import TARGET_ID_PROP

    current = obj.get(TARGET_ID_PROP)
    shared = isinstance(current, str) and any(other.get(TARGET_ID_PROP) == current for other in bpy.data.objects
                                              if other is not obj)
    if not isinstance(current, str) or not current or shared:
        current = uuid.uuid4().hex
        obj[TARGET_ID_PROP] = current
    return current


class MESHSMITH_OT_retexture(JobOperatorMixin, Operator):
    """Texture the active mesh with the chosen service; the result goes onto this mesh as a new material"""

    bl_idname = "meshsmith.retexture"
    bl_label = "Retexture"
    bl_options = set()  # not REGISTER: Repeat Last would send a second paid job

    provider: EnumProperty(name="Provider", items=RETEXTURE_PROVIDERS, default=RETEXTURE_PROVIDERS[0][0])
    style_prompt: StringProperty(name="Style", description="Empty uses the sidebar's style")
    object_prompt: StringProperty(name="Object", description="Empty uses the sidebar's object description")
    image_path: StringProperty(name="Image", subtype="FILE_PATH",
                               description="A reference image of the look to paint; empty uses the sidebar's")
    model: StringProperty(name="Model", description="For a service with a model catalog: the retexture or remesh "
                          "model's id (empty: the sidebar's choice)")
    inputs: StringProperty(name="Inputs", description="For a catalog model: a JSON object of input values merged "
                           "over the model's defaults")

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        obj = context.active_object
        try:
            check_mesh(obj, require_uvs=False)
            runtime.check_online(context.scene.meshsmith.retexture_provider, context)
        except E.MeshsmithError as exc:
            cls.poll_message_set(translate_message(str(exc)))
            return False
        return True

    def _start(self, context: bpy.types.Context) -> JobRecord | None:
        try:
            provider = runtime.make_provider(self.provider, context)
            record = build_retexture_job(context, self.provider, self.style_prompt, self.object_prompt, self.image_path,
                                         self.model, self.inputs)
        except E.MeshsmithError as exc:
            self.report({"ERROR"}, translate_message(str(exc)))
            return None
        return runtime.submit(record, provider)


classes = (MESHSMITH_OT_retexture,)


register, unregister = bpy.utils.register_classes_factory(classes)
