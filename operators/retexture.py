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

from .. import preferences, runtime
from ..jobs.states import Delivery, JobKind
from ..mesh_io.exporter import check_mesh, export_object_glb
from ..providers import errors as E
from ..providers import registry
from ..translations import translate_message
from .generate import JobOperatorMixin
from .inputs import check_image_file, check_writable, generation_params

if TYPE_CHECKING:
    from ..jobs.records import JobRecord

RETEXTURE_PROVIDERS = registry.enum_items(registry.retexturers(), "retextures")
MAX_PROMPT_CHARS = 600
MAX_STYLE_VIEWS = 4  # Meshy's multiview_image_urls takes 1 to 4


def retexture_blocker(context: bpy.types.Context) -> tuple[str, str]:
    """Why Retexture cannot run now, and the fix the panel offers: ('', 'NONE') when it can run."""
    from .. import preferences

    obj = context.active_object
    try:
        check_mesh(obj, require_uvs=False)
        runtime.check_online("MESHY", context)
    except E.MeshsmithError as exc:
        return str(exc), exc.fix.value
    if not preferences.get(context).use_sandbox and not preferences.has_key("MESHY", context):
        return registry.info("MESHY").missing_key, E.Fix.OPEN_PREFERENCES.value
    return "", E.Fix.NONE.value


def build_retexture_job(context: bpy.types.Context, provider_name: str, style_prompt: str, object_prompt: str) -> JobRecord:
    """Check everything and export the active mesh; a record ready to submit. Raises ``MeshsmithError``."""
    from ..jobs.records import JobRecord

    settings = context.scene.meshsmith.meshy
    style_prompt = style_prompt or settings.style_prompt
    object_prompt = object_prompt or settings.object_prompt
    for label, text in (("style", style_prompt), ("object", object_prompt), ("avoid", settings.negative_prompt)):
        if len(text) > MAX_PROMPT_CHARS:
            raise E.InvalidInputError(f"The {label} text is {len(text)} characters; Meshy takes at most {MAX_PROMPT_CHARS}.")
    style_image = ""
    if settings.style_image is not None and settings.endpoint == "RETEXTURE":
        style_image = bpy.path.abspath(settings.style_image.filepath)
        check_image_file(Path(style_image), 10 * 1024 * 1024)
    views = [bpy.path.abspath(view.strip()) for view in settings.style_views.split(";") if view.strip()]
    if views and settings.endpoint == "RETEXTURE":
        if len(views) > MAX_STYLE_VIEWS:
            raise E.InvalidInputError(f"Meshy takes at most {MAX_STYLE_VIEWS} views of the object; {len(views)} were given.")
        for view in views:
            check_image_file(Path(view), 10 * 1024 * 1024)
    else:
        views = []
    if not style_prompt and not style_image and not views:
        raise E.InvalidInputError("Describe the style to paint (or choose a style image).")
    if settings.endpoint == "TEXT_TO_TEXTURE" and not object_prompt:
        raise E.InvalidInputError("Text to Texture also needs a short description of the object.")
    params = generation_params(context, provider_name)
    obj = context.active_object
    check_mesh(obj, require_uvs=settings.enable_original_uv)
    import uuid  # loaded when a job is made, not while the add-on registers

    job_id = uuid.uuid4().hex
    job_dir = runtime.results_dir(context) / job_id
    check_writable(job_dir.parent)
    mesh = export_object_glb(obj, job_dir / "input.glb", require_uvs=settings.enable_original_uv)
    inputs = {"mesh_path": str(mesh), "style_prompt": style_prompt, "object_prompt": object_prompt}
    if style_image:
        inputs["style_image_path"] = style_image
    if views:
        inputs["style_views"] = ";".join(views)
    label = f"{obj.name}: {(style_prompt or 'style image')[:40]}"
    delivery = Delivery.MAPS_ONTO_TARGET if settings.enable_original_uv else Delivery.BESIDE_TARGET
    return JobRecord(id=job_id, provider=provider_name, kind=JobKind.RETEXTURE, label=label, params=params,
                     inputs=inputs, output_dir=str(job_dir), target_object=obj.name, target_uid=target_id(obj),
                     delivery=delivery,
                     target_file=bpy.data.filepath, render_preview=preferences.get(context).render_previews)


def target_id(obj: bpy.types.Object) -> str:
    """The object's stable id for matching a result to it (written now if it has none, or shares a copy's)."""
    import uuid

    from ..delivery import TARGET_ID_PROP

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

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        obj = context.active_object
        try:
            check_mesh(obj, require_uvs=False)
            runtime.check_online("MESHY", context)
        except E.MeshsmithError as exc:
            cls.poll_message_set(translate_message(str(exc)))
            return False
        return True

    def _start(self, context: bpy.types.Context) -> JobRecord | None:
        try:
            provider = runtime.make_provider(self.provider, context)
            record = build_retexture_job(context, self.provider, self.style_prompt, self.object_prompt)
        except E.MeshsmithError as exc:
            self.report({"ERROR"}, translate_message(str(exc)))
            return None
        return runtime.submit(record, provider)


classes = (MESHSMITH_OT_retexture,)


register, unregister = bpy.utils.register_classes_factory(classes)
