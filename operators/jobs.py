"""Job-list actions (cancel, import, dismiss, retry, submit again, copy id), balances, and fix-it buttons."""

from __future__ import annotations

import bpy
from bpy.app.translations import pgettext_iface as iface_
from bpy.app.translations import pgettext_rpt as rpt_
from bpy.props import BoolProperty, EnumProperty, IntProperty, StringProperty
from bpy.types import Operator

from ..host import lookups, runtime
from ..i18n.translations import translate_message
from ..jobs.states import JobState
from ..net import errors as E
from ..providers import registry


class _JobOperator:
    """An action on one job of the list: looks the job up, runs ``act``, reports a refusal, refreshes the list."""

    bl_options = {"INTERNAL"}

    job_id: StringProperty(options={"HIDDEN", "SKIP_SAVE"})

    def act(self, context, record) -> None:
        """Do the action; raise ``MeshsmithError`` with what went wrong."""
        raise NotImplementedError

    def execute(self, context):
        record = runtime.engine().get(self.job_id)
        if record is None:
            self.report({"ERROR"}, "That job is no longer known.")
            return {"CANCELLED"}
        try:
            self.act(context, record)
        except E.MeshsmithError as exc:
            self.report({"ERROR"}, translate_message(str(exc)))
            return {"CANCELLED"}
        runtime.drain(context)
        return {"FINISHED"}

    def rerun(self, context, record, *, seed: int | None) -> None:
        """Send the job's inputs again as a new job, imported when it is ready."""
        fresh = runtime.engine().rerun(record.id, runtime.make_provider(record.provider, context), seed=seed)
        runtime.import_when_ready(fresh.id)

    def import_files(self, context, record, *, again: bool, as_new_object: bool = False) -> None:
        names = runtime.import_result(record.id, context, again=again, as_new_object=as_new_object)
        if not names:
            raise E.ImportFailedError(runtime.engine().get(record.id).error or "Nothing to import.")
        self.report({"INFO"}, rpt_("Imported {}.").format(names[0]))


class MESHSMITH_OT_cancel_job(_JobOperator, Operator):
    """Stop this job now (the service is asked to stop too; a job it had started may still be billed)"""

    bl_idname = "meshsmith.cancel_job"
    bl_label = "Cancel Job"

    def act(self, context, record):
        runtime.engine().cancel(record.id, runtime.provider_or_none(record.provider))


class MESHSMITH_OT_import_job(_JobOperator, Operator):
    """Import this job's downloaded result into the scene"""

    bl_idname = "meshsmith.import_job"
    bl_label = "Import Result"

    as_new_object: BoolProperty(
        name="As New Object", options={"SKIP_SAVE"},
        description="Bring a retexture result in as an object of its own instead of onto the textured object")

    def act(self, context, record):
        if record.state is not JobState.READY:
            raise E.ImportFailedError("This job has no result waiting to be imported.")
        self.import_files(context, record, again=False, as_new_object=self.as_new_object)


class MESHSMITH_OT_reimport_job(_JobOperator, Operator):
    """Import this job's result once more (from the files on disk; nothing is sent)"""

    bl_idname = "meshsmith.reimport_job"
    bl_label = "Import Again"

    def act(self, context, record):
        self.import_files(context, record, again=True)


class MESHSMITH_OT_dismiss_job(_JobOperator, Operator):
    """Remove this job from the list (a running job is canceled first)"""

    bl_idname = "meshsmith.dismiss_job"
    bl_label = "Dismiss"

    def act(self, context, record):
        runtime.engine().dismiss(record.id)


class MESHSMITH_OT_retry_fetch(_JobOperator, Operator):
    """Ask the service again for this job's result (no new job is created, nothing is charged)"""

    bl_idname = "meshsmith.retry_fetch"
    bl_label = "Retry Fetch"

    def act(self, context, record):
        runtime.engine().retry_fetch(record.id, runtime.make_provider(record.provider, context))
        runtime.import_when_ready(record.id)


class MESHSMITH_OT_submit_again(_JobOperator, Operator):
    """Send this job again as a new job. It will be charged again"""

    bl_idname = "meshsmith.submit_again"
    bl_label = "Submit Again"

    def invoke(self, context, event):
        return context.window_manager.invoke_confirm(self, event)

    def act(self, context, record):
        fresh = runtime.engine().submit_again(record.id, runtime.make_provider(record.provider, context))
        runtime.import_when_ready(fresh.id)


class MESHSMITH_OT_open_job_folder(_JobOperator, Operator):
    """Open the folder with this job's files"""

    bl_idname = "meshsmith.open_job_folder"
    bl_label = "Open Folder"

    def act(self, context, record):
        bpy.ops.wm.path_open(filepath=record.output_dir)


class MESHSMITH_OT_regenerate_job(_JobOperator, Operator):
    """Run this job again with the same inputs, parameters and seed (a new job, charged again)"""

    bl_idname = "meshsmith.regenerate_job"
    bl_label = "Regenerate"

    def act(self, context, record):
        self.rerun(context, record, seed=record.seed)


class MESHSMITH_OT_job_variations(_JobOperator, Operator):
    """Run this job again several times, each with a new random seed (each charged)"""

    bl_idname = "meshsmith.job_variations"
    bl_label = "Variations"

    count: IntProperty(name="How Many", default=3, min=1, max=16)

    def invoke(self, context, event):
        return context.window_manager.invoke_props_dialog(self)

    def act(self, context, record):
        for _ in range(self.count):
            self.rerun(context, record, seed=-1)
        self.report({"INFO"}, rpt_("{} variations started.").format(self.count))


class MESHSMITH_OT_copy_job_id(_JobOperator, Operator):
    """Copy the service's id for this job (for support requests)"""

    bl_idname = "meshsmith.copy_job_id"
    bl_label = "Copy Job ID"

    def act(self, context, record):
        context.window_manager.clipboard = record.remote_id or record.id
        self.report({"INFO"}, "Job id copied.")


class MESHSMITH_OT_refresh_credits(Operator):
    """Ask the service for the account's remaining credits (in the background)"""

    bl_idname = "meshsmith.refresh_credits"
    bl_label = "Refresh Credits"
    bl_options = {"INTERNAL"}

    provider: EnumProperty(items=registry.enum_items(registry.with_balance()), default=registry.with_balance()[0].id)

    def execute(self, context):
        try:
            provider = runtime.make_provider(self.provider, context)
        except E.MeshsmithError as exc:
            self.report({"ERROR"}, translate_message(str(exc)))
            return {"CANCELLED"}
        # Copied here: the worker must not read the operator (it may be freed by then).
        method, field, _text = registry.info(self.provider).balance

        def work():
            balance = getattr(provider, method)()

            def apply() -> None:
                setattr(bpy.context.window_manager.meshsmith, field, f"{balance:g}")

            return apply

        run_now_or_later(self, work)
        return {"FINISHED"}


def run_now_or_later(operator: Operator, work) -> bool:
    """Run a look-up in a thread (the interface), or at once where scripts want the answer (as job operators
    decide: ``runs_modally``)."""
    from .generate import runs_modally

    if runs_modally(bpy.context):
        lookups.run_in_background(work)
        return True
    try:
        work()()
    except E.MeshsmithError as exc:
        operator.report({"ERROR"}, translate_message(str(exc)))
        return False
    return True


class MESHSMITH_OT_fetch_meshy_tasks(Operator):
    """Bring recent Meshy tasks into the job list (made on Meshy's site, another machine, or before a crash)"""

    bl_idname = "meshsmith.fetch_meshy_tasks"
    bl_label = "Fetch Meshy Tasks"
    bl_options = {"INTERNAL"}

    count: IntProperty(name="How Many", default=10, min=1, max=50)
    provider: EnumProperty(items=registry.enum_items(registry.listing_tasks()), default=registry.listing_tasks()[0].id)

    def execute(self, context):
        from ..jobs.records import Delivery, JobKind, JobRecord

        which = self.provider  # copied here: the worker must not read the operator (it may be freed by then)
        try:
            provider = runtime.make_provider(which, context)
        except E.MeshsmithError as exc:
            self.report({"ERROR"}, translate_message(str(exc)))
            return {"CANCELLED"}
        root = runtime.results_dir(context)
        count = self.count
        kind = JobKind.RETEXTURE if registry.info(which).retextures else JobKind.GENERATE
        label = registry.info(which).label

        def work():
            tasks = provider.list_tasks(page_size=count)

            def apply() -> None:
                for task in tasks:
                    record = JobRecord(provider=which, kind=kind, label=iface_("{} task {}").format(label, task.remote_id[:8]),
                                       remote_id=task.remote_id, auto_import=False, delivery=Delivery.NEW_OBJECT)
                    record = record.evolve(output_dir=str(root / record.id))
                    runtime.engine().adopt(record, runtime.make_provider(which))
                runtime.sync_job_list()
                bpy.context.window_manager.meshsmith.last_error = ""

            return apply

        return {"FINISHED"} if run_now_or_later(self, work) else {"CANCELLED"}


def estimate_key(params: dict) -> str:
    """Identifies the parameters an estimate was made for, so a stale one is not shown."""
    return repr(sorted((k, v) for k, v in params.items() if k != "seed"))


class MESHSMITH_OT_estimate_cost(Operator):
    """Ask the service what a job with these settings would cost (a dry run: nothing is spent)"""

    bl_idname = "meshsmith.estimate_cost"
    bl_label = "Estimate Cost"
    bl_options = {"INTERNAL"}

    provider: EnumProperty(items=registry.enum_items(registry.with_estimate()), default=registry.with_estimate()[0].id)
    route: StringProperty(default="GENERATE", options={"HIDDEN"})
    """RETEXTURE: price the Retexture panel's job on the active mesh (a catalog model that works on a mesh)."""

    def execute(self, context):
        from .inputs import generate_inputs, generation_params

        which = self.provider
        try:
            params = generation_params(context, which, self.route)
            provider = runtime.make_provider(which, context)
            # The service prices the complete body, files included: they are uploaded first (free) and the
            # job that follows reuses the image uploads when the images have not changed.
            folder = runtime.results_dir(context) / "estimates"
            if self.route == "RETEXTURE":
                from ..mesh_io.exporter import check_mesh, export_object_glb

                check_mesh(context.active_object, require_uvs=False)
                mesh = export_object_glb(context.active_object, folder / "estimate_mesh.glb", require_uvs=False)
                inputs = {"mesh_path": str(mesh), "work_dir": str(folder), "blender_binary": bpy.app.binary_path}
            else:
                inputs = generate_inputs(context, which, "", "", "", folder)
        except E.MeshsmithError as exc:
            self.report({"ERROR"}, translate_message(str(exc)))
            return {"CANCELLED"}
        key = estimate_key(params)
        field, _unit = registry.info(which).estimate

        def work():
            cost = provider.estimate(params, inputs)

            def apply() -> None:
                state = bpy.context.window_manager.meshsmith
                setattr(state, field, f"{cost:g}")
                setattr(state, f"{field}_key", key)

            return apply

        return {"FINISHED"} if run_now_or_later(self, work) else {"CANCELLED"}


class MESHSMITH_OT_enable_online_access(Operator):
    """Allow Blender to use the internet (Preferences > System > Network)"""

    bl_idname = "meshsmith.enable_online_access"
    bl_label = "Allow Online Access"
    bl_options = {"INTERNAL"}

    @classmethod
    def poll(cls, context):
        if bpy.app.online_access_override:
            cls.poll_message_set("Blender was started with --offline-mode")
            return False
        return not bpy.app.online_access

    def execute(self, context):
        context.preferences.system.use_online_access = True
        return {"FINISHED"}


class MESHSMITH_OT_dismiss_settings_note(Operator):
    """Hide this note (it says what changed in the settings when the file was opened)"""

    bl_idname = "meshsmith.dismiss_settings_note"
    bl_label = "Dismiss Note"
    bl_options = {"INTERNAL", "UNDO"}

    provider: StringProperty(options={"HIDDEN", "SKIP_SAVE"})

    def execute(self, context):
        from ..providers import registry

        if registry.known(self.provider):
            context.scene.meshsmith.provider_settings(self.provider).settings_note = ""
        return {"FINISHED"}


class MESHSMITH_OT_open_preferences(Operator):
    """Open Meshsmith's preferences (keys, results folder, network)"""

    bl_idname = "meshsmith.open_preferences"
    bl_label = "Open Meshsmith Preferences"
    bl_options = {"INTERNAL"}

    def execute(self, context):
        bpy.ops.screen.userpref_show("INVOKE_DEFAULT")
        context.preferences.active_section = "ADDONS"
        context.window_manager.addon_search = "Meshsmith"
        return {"FINISHED"}


classes = (
    MESHSMITH_OT_cancel_job,
    MESHSMITH_OT_import_job,
    MESHSMITH_OT_dismiss_job,
    MESHSMITH_OT_retry_fetch,
    MESHSMITH_OT_submit_again,
    MESHSMITH_OT_copy_job_id,
    MESHSMITH_OT_reimport_job,
    MESHSMITH_OT_open_job_folder,
    MESHSMITH_OT_regenerate_job,
    MESHSMITH_OT_job_variations,
    MESHSMITH_OT_refresh_credits,
    MESHSMITH_OT_estimate_cost,
    MESHSMITH_OT_fetch_meshy_tasks,
    MESHSMITH_OT_enable_online_access,
    MESHSMITH_OT_dismiss_settings_note,
    MESHSMITH_OT_open_preferences,
)


register, unregister = bpy.utils.register_classes_factory(classes)
