"""``meshsmith.generate``: send an image (and optional prompt) to a provider and import the model it makes.

From the sidebar (invoke) it runs modally: a 0.1 s window timer drains job updates, the status bar
shows progress, Esc cancels, and the artist keeps working. From a script (execute), and always in
background mode, it blocks until the model is imported or the job fails, so scripts and tests get a
result or a ``RuntimeError`` with the reason, and the scene is left unchanged on failure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import bpy
from bpy.app.translations import pgettext_iface as iface_
from bpy.app.translations import pgettext_rpt as rpt_
from bpy.props import EnumProperty, StringProperty
from bpy.types import Operator

from ..host import runtime
from ..host.properties import PROVIDER_ITEMS
from ..i18n.translations import translate_message
from ..jobs.states import JobState
from ..net import errors as E
from ..providers import registry
from .inputs import build_generate_job, check_service_ready

if TYPE_CHECKING:
    from ..jobs.records import JobRecord

# In background mode a job is waited for in steps of this length, draining updates between them.
BLOCKING_STEP_S = 0.1


def blocker(context: bpy.types.Context, provider_name: str) -> tuple[str, str]:
    """Why the Generate button cannot run now, and the fix the panel offers: ('', 'NONE') when it can run."""
    try:
        check_service_ready(context, provider_name)
    except E.ConfigurationError as exc:
        return str(exc), exc.fix.value
    settings = context.scene.meshsmith
    takes_image, takes_prompt = True, registry.info(provider_name).takes_prompt
    if registry.info(provider_name).catalog:
        from ..host.catalog import jobs as catalog_jobs

        takes_image = catalog_jobs.takes_image(context, provider_name)
        takes_prompt = catalog_jobs.takes_prompt(context, provider_name)
    has_image = settings.image is not None or bool(settings.image_path)
    if takes_image and not has_image and not (takes_prompt and settings.prompt and registry.info(provider_name).catalog):
        return "Choose a reference image.", E.Fix.NONE.value
    if not takes_image and takes_prompt and not settings.prompt.strip():
        return "Write a prompt.", E.Fix.NONE.value
    return "", E.Fix.NONE.value


def runs_modally(context: bpy.types.Context) -> bool:
    """The one place that decides how a job operator runs: modally from the interface (a window, not background
    mode), blocking from scripts and in background mode (``blender -b``), where scripts want the result."""
    return not bpy.app.background and context.window is not None


def job_outcome(record: JobRecord | None) -> tuple[set[str], str, str] | None:
    """How a job operator ends for this snapshot: (result, report level, message), or None while it goes on.

    Shared by the blocking and the modal path, so both end on exactly the same states.
    """
    if record is None:
        return {"CANCELLED"}, "ERROR", "The job disappeared."
    if record.state is JobState.IMPORTED:
        if record.warning:
            return {"FINISHED"}, "WARNING", f"{done_message(record)} {translate_message(record.warning)}"
        return {"FINISHED"}, "INFO", done_message(record)
    if record.state is JobState.READY and record.error:
        return {"CANCELLED"}, "ERROR", translate_message(record.error)
    if record.state is JobState.READY and not runtime.may_import_by_itself(record.id):
        return {"CANCELLED"}, "ERROR", translate_message(
            runtime.engine().journal_error or "The result is ready; import it from the job list.")
    if has_ended(record):
        return {"CANCELLED"}, "ERROR", translate_message(record.error or record.message or record.state.value.title())
    return None


def finish_blocking(operator: Operator, context: bpy.types.Context, job_id: str) -> set[str]:
    """Wait for a job on the main thread, draining updates, until it is imported or ends."""
    engine = runtime.engine()
    while True:
        if not runtime.has_pending_updates():
            engine.wait_for_updates(BLOCKING_STEP_S)
        runtime.drain(context)
        outcome = job_outcome(engine.get(job_id))
        if outcome is not None:
            result, level, message = outcome
            operator.report({level}, message)
            return result


def has_ended(record: JobRecord) -> bool:
    """Failed, canceled, or lost for good. A job whose creating answer was lost is still being looked for in the
    service's job list until the engine gives up (``finished_at``): found, it goes on and is imported."""
    if record.state is JobState.UNKNOWN:
        return record.finished_at is not None
    return record.state in (JobState.FAILED, JobState.CANCELED)


def done_message(record: JobRecord) -> str:
    """"Done: <object> (seed <n>)." in the artist's language."""
    name = record.imported_objects[0] if record.imported_objects else record.label
    if record.seed is None:
        return rpt_("Done: {}.").format(name)
    return rpt_("Done: {} (seed {}).").format(name, record.seed)


class JobOperatorMixin:
    """The shared run shape of operators that start a job, as Blender's own extension manager runs its jobs:
    modal from the interface (a window timer drains job updates, the status bar shows progress, Esc cancels),
    blocking from scripts (``runs_modally`` decides). Subclasses implement ``_start(context)``, returning the
    submitted record or None after reporting why.

    Not registered for Repeat Last or the redo panel (no REGISTER/UNDO in ``bl_options``): running it again
    would send and pay for a second job.
    """

    _timer = None
    _job_id: str = ""
    _provider_name: str = ""
    _status: str | None = None

    def _start(self, context: bpy.types.Context) -> JobRecord | None:
        raise NotImplementedError

    def execute(self, context: bpy.types.Context) -> set[str]:
        record = self._start(context)
        if record is None:
            return {"CANCELLED"}
        return finish_blocking(self, context, record.id)

    def invoke(self, context: bpy.types.Context, event: bpy.types.Event) -> set[str]:
        if not runs_modally(context):
            return self.execute(context)
        record = self._start(context)
        if record is None:
            return {"CANCELLED"}
        self._job_id, self._provider_name, self._status = record.id, record.provider, None
        wm = context.window_manager
        self._timer = wm.event_timer_add(runtime.TIMER_ACTIVE_S, window=context.window)
        wm.modal_handler_add(self)
        return {"RUNNING_MODAL"}

    def modal(self, context: bpy.types.Context, event: bpy.types.Event) -> set[str]:
        if event.type == "ESC":
            runtime.engine().cancel(self._job_id, runtime.provider_or_none(self._provider_name))
            runtime.drain(context)
            self.report({"WARNING"}, "Job canceled.")
            self._end(context)
            return {"CANCELLED"}
        if event.type != "TIMER":
            return {"PASS_THROUGH"}
        runtime.drain(context)
        record = runtime.engine().get(self._job_id)
        outcome = job_outcome(record)
        if outcome is not None:
            result, level, message = outcome
            self.report({level}, message)
            self._end(context)
            return result
        self._show_status(context, iface_("Meshsmith: {}: {} ({}%). Esc to cancel.").format(
            record.label, translate_message(record.message), int(record.progress * 100)))
        return {"PASS_THROUGH"}

    def cancel(self, context: bpy.types.Context) -> None:
        """Blender ends the handler without a last event (a file is loaded, the window closes): clean up. The job
        itself goes on, and the job list and the persistent timer carry it to the end."""
        self._end(context)

    def _show_status(self, context: bpy.types.Context, text: str | None) -> None:
        """The status bar's text, written only when it changes (each write redraws the status bar)."""
        if text != self._status and context.workspace is not None:
            context.workspace.status_text_set(text)
        self._status = text

    def _end(self, context: bpy.types.Context) -> None:
        if self._timer is not None:
            context.window_manager.event_timer_remove(self._timer)
            self._timer = None
        if self._status is not None:
            self._show_status(context, None)


class MESHSMITH_OT_generate(JobOperatorMixin, Operator):
    """Generate a textured 3D model from the reference image with the chosen service"""

    bl_idname = "meshsmith.generate"
    bl_label = "Generate"
    # Neither REGISTER (Repeat Last would send a second paid job) nor UNDO: the import pushes its own single
    # undo step whenever it happens.
    bl_options = set()

    provider: EnumProperty(name="Provider", items=PROVIDER_ITEMS, default=PROVIDER_ITEMS[0][0])
    image_path: StringProperty(name="Image", description="Image file; empty uses the sidebar's image", subtype="FILE_PATH")
    prompt: StringProperty(name="Prompt", description="Optional text; empty uses the sidebar's prompt")
    model: StringProperty(name="Model", description="For a service with a model catalog: the model's id (empty: "
                          "the sidebar's choice)")
    inputs: StringProperty(name="Inputs", description='For a catalog model: a JSON object of input values merged '
                           'over the model\'s defaults, e.g. {"texture": true}')

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        try:
            runtime.check_online(context.scene.meshsmith.provider, context)
        except E.OfflineError as exc:
            cls.poll_message_set(translate_message(str(exc)))
            return False
        return True

    def _start(self, context: bpy.types.Context) -> JobRecord | None:
        try:
            record = build_generate_job(context, self.provider, self.image_path, self.prompt, self.model, self.inputs)
            provider = runtime.make_provider(self.provider, context)
        except E.MeshsmithError as exc:
            self.report({"ERROR"}, translate_message(str(exc)))
            return None
        return runtime.submit(record, provider)


classes = (MESHSMITH_OT_generate,)


register, unregister = bpy.utils.register_classes_factory(classes)
