"""The interactive path, driven by hand: invoke -> modal with TIMER and ESC events, cancel() when Blender ends the
handler, the start-up tick, the load-post handler, and look-ups in a real background thread.

Headless Blender runs none of this by itself (timers never fire, INVOKE_DEFAULT runs execute), and Blender makes
an operator instance only for its own calls. So the operator's own methods run here on a stand-in ``self`` that
has the operator's properties; the window manager, its timers, the workspace's status bar, the engine, the
sandbox and the import are all real. The stand-in window manager forwards timers to Blender and records only
the modal handler, which background Blender cannot hold.
"""

from __future__ import annotations

import time

import bpy
import pytest

from blender_helpers import submodule


class Event:
    """What modal() reads of an event: its type."""

    def __init__(self, kind: str) -> None:
        self.type = kind


class WindowManager:
    """The real window manager, with the modal handler recorded (Blender keeps no handler without a UI)."""

    def __init__(self, real) -> None:
        self._real = real
        self.timers: list = []
        self.handlers: list = []

    def event_timer_add(self, interval, window=None):
        timer = self._real.event_timer_add(interval, window=window or bpy.context.window)
        self.timers.append(timer)
        return timer

    def event_timer_remove(self, timer):
        self._real.event_timer_remove(timer)  # fails for a timer that was never added or is removed twice
        self.timers.remove(timer)

    def modal_handler_add(self, operator):
        self.handlers.append(operator)
        return True

    def __getattr__(self, name):
        return getattr(self._real, name)


class Workspace:
    """The real workspace, counting status-bar writes."""

    def __init__(self, real) -> None:
        self._real = real
        self.status: list = []

    def status_text_set(self, text):
        self._real.status_text_set(text)
        self.status.append(text)


class Context:
    def __init__(self) -> None:
        self.window_manager = WindowManager(bpy.context.window_manager)
        self.workspace = Workspace(bpy.context.workspace)

    def __getattr__(self, name):
        return getattr(bpy.context, name)


def _operator(cls, **properties):
    """A stand-in ``self`` for a job operator: its properties, its _start, and the shared job-operator methods."""
    mixin = submodule("operators.generate").JobOperatorMixin
    reports: list[tuple[str, str]] = []
    attrs = {"_start": cls._start, "report": lambda self, levels, text: reports.append((next(iter(levels)), text))}
    instance = type(f"{cls.__name__}StandIn", (mixin,), attrs)()
    module, _, name = cls.bl_idname.partition(".")
    rna = getattr(getattr(bpy.ops, module), name).get_rna_type()
    for prop in rna.properties:  # every property the operator has, at its default unless given
        if prop.identifier != "rna_type" and hasattr(prop, "default"):
            setattr(instance, prop.identifier, prop.default)
    for key, value in properties.items():
        setattr(instance, key, value)
    instance.reports = reports
    return instance


@pytest.fixture
def interactive(monkeypatch):
    """Run job operators as the interface does (modally), here in headless Blender."""
    generate = submodule("operators.generate")
    monkeypatch.setattr(generate, "runs_modally", lambda context: True)
    return generate


def _tick_until(operator, context, done, timeout=30.0):
    runtime = submodule("host.runtime")
    deadline = time.monotonic() + timeout
    result = {"PASS_THROUGH"}
    while time.monotonic() < deadline:
        runtime.engine().wait_for_updates(0.05)
        result = operator.modal(context, Event("TIMER"))
        if done(result):
            return result
    raise AssertionError(f"modal never ended: {result}")


def test_invoke_runs_modally_shows_progress_once_per_change_and_imports(png_file, sandbox_of_addon, interactive):
    sandbox_of_addon.segmind.config.queued_polls, sandbox_of_addon.segmind.config.processing_polls = 3, 6
    context = Context()
    op = _operator(interactive.MESHSMITH_OT_generate, provider="SEGMIND", image_path=str(png_file), prompt="")
    assert op.invoke(context, Event("LEFTMOUSE")) == {"RUNNING_MODAL"}
    assert len(context.window_manager.timers) == 1 and context.window_manager.handlers == [op]
    assert op.modal(context, Event("MOUSEMOVE")) == {"PASS_THROUGH"}  # other events pass through
    ticks = 0

    def finished(result):
        nonlocal ticks
        ticks += 1
        return result != {"PASS_THROUGH"}

    assert _tick_until(op, context, finished) == {"FINISHED"}
    shown = [text for text in context.workspace.status if text]
    assert shown and all(text.startswith("Meshsmith: ") and "Esc to cancel" in text for text in shown)
    assert len(shown) < ticks  # written when the text changes, not on every tick
    assert all(a != b for a, b in zip(context.workspace.status, context.workspace.status[1:]))
    assert context.workspace.status[-1] is None and context.window_manager.timers == []
    assert op.reports[-1][0] == "INFO" and op.reports[-1][1].startswith("Done: ")
    assert bpy.context.active_object["meshsmith_provider"] == "SEGMIND"


def test_escape_cancels_the_job_and_cleans_up(png_file, sandbox_of_addon, interactive):
    sandbox_of_addon.segmind.config.queued_polls = 1000
    context = Context()
    op = _operator(interactive.MESHSMITH_OT_generate, provider="SEGMIND", image_path=str(png_file), prompt="")
    op.invoke(context, Event("LEFTMOUSE"))
    _tick_until(op, context, lambda result: bool([t for t in context.workspace.status if t]))
    assert op.modal(context, Event("ESC")) == {"CANCELLED"}
    record = submodule("host.runtime").engine().get(op._job_id)
    assert record.state.value == "CANCELED" and op.reports[-1] == ("WARNING", "Job canceled.")
    assert context.window_manager.timers == [] and context.workspace.status[-1] is None


def test_a_failed_job_ends_the_operator_with_the_services_words(png_file, sandbox_of_addon, interactive):
    sandbox_of_addon.segmind.config.fail_next = 1
    context = Context()
    op = _operator(interactive.MESHSMITH_OT_generate, provider="SEGMIND", image_path=str(png_file), prompt="")
    op.invoke(context, Event("LEFTMOUSE"))
    assert _tick_until(op, context, lambda result: result != {"PASS_THROUGH"}) == {"CANCELLED"}
    level, text = op.reports[-1]
    assert level == "ERROR" and "Prediction failed" in text and context.window_manager.timers == []


def test_a_job_outlives_its_operator_when_blender_ends_the_handler(png_file, sandbox_of_addon, interactive):
    sandbox_of_addon.segmind.config.queued_polls, sandbox_of_addon.segmind.config.processing_polls = 3, 3
    runtime = submodule("host.runtime")
    context = Context()
    op = _operator(interactive.MESHSMITH_OT_generate, provider="SEGMIND", image_path=str(png_file), prompt="")
    op.invoke(context, Event("LEFTMOUSE"))
    op.modal(context, Event("TIMER"))
    op.cancel(context)  # what Blender calls when a file is loaded or the window closes
    assert context.window_manager.timers == []
    deadline = time.monotonic() + 30
    while runtime.engine().get(op._job_id).state.value != "IMPORTED" and time.monotonic() < deadline:
        runtime.engine().wait_for_updates(0.05)
        submodule("host.timers")._timer()  # the persistent timer carries the job on
    assert runtime.engine().get(op._job_id).state.value == "IMPORTED"


def test_retexture_runs_modally_too(sandbox_of_addon, interactive):
    bpy.ops.mesh.primitive_cube_add()
    cube = bpy.context.active_object
    retexture = submodule("operators.retexture")
    context = Context()
    op = _operator(retexture.MESHSMITH_OT_retexture, provider="MESHY", style_prompt="bronze", object_prompt="",
                   image_path="")
    assert op.invoke(context, Event("LEFTMOUSE")) == {"RUNNING_MODAL"}
    assert _tick_until(op, context, lambda result: result != {"PASS_THROUGH"}) == {"FINISHED"}
    assert "Meshy" in cube.material_slots[0].material.name


def test_job_operators_cannot_be_repeated_into_a_second_paid_job():
    for cls in (bpy.types.MESHSMITH_OT_generate, bpy.types.MESHSMITH_OT_retexture):
        # Repeat Last and the redo panel replay only operators registered with REGISTER (the redo panel: UNDO too).
        assert not {"REGISTER", "UNDO"} & set(cls.bl_options), cls.bl_idname


def test_the_first_tick_resumes_a_journaled_job(png_file, sandbox_of_addon):
    runtime = submodule("host.runtime")
    sandbox_of_addon.segmind.config.queued_polls, sandbox_of_addon.segmind.config.processing_polls = 1, 1000
    record = runtime.submit(submodule("operators.inputs").build_generate_job(bpy.context, "SEGMIND", str(png_file), ""),
                            runtime.make_provider("SEGMIND"))
    deadline = time.monotonic() + 20
    while runtime.engine().get(record.id).state.value != "RUNNING" and time.monotonic() < deadline:
        runtime.engine().wait_for_updates(0.05)
        runtime.drain()
    runtime.close_engine()  # Blender quits mid-job; the journal keeps it
    sandbox_of_addon.segmind.config.processing_polls = 0
    assert submodule("host.timers")._first_tick() is None  # the start-up tick: one shot
    deadline = time.monotonic() + 30
    while runtime.engine().get(record.id).state.value != "IMPORTED" and time.monotonic() < deadline:
        runtime.engine().wait_for_updates(0.05)
        runtime.drain()
    assert runtime.engine().get(record.id).state.value == "IMPORTED"
    assert sandbox_of_addon.segmind.creating_posts == 1


def test_the_load_post_handler_rebuilds_the_list_and_resumes_jobs(png_file, sandbox_of_addon, tmp_path):
    runtime = submodule("host.runtime")
    assert submodule("host.timers")._on_load_post in bpy.app.handlers.load_post
    sandbox_of_addon.segmind.config.queued_polls, sandbox_of_addon.segmind.config.processing_polls = 1, 1000
    record = runtime.submit(submodule("operators.inputs").build_generate_job(bpy.context, "SEGMIND", str(png_file), ""),
                            runtime.make_provider("SEGMIND"))
    scene = tmp_path / "other.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(scene), copy=True)
    runtime.close_engine()
    sandbox_of_addon.segmind.config.processing_polls = 0
    bpy.context.window_manager.meshsmith.jobs.clear()
    bpy.ops.wm.open_mainfile(filepath=str(scene))  # Blender runs load_post handlers here
    assert bpy.context.window_manager.meshsmith.jobs.find(record.id) >= 0
    assert bpy.app.timers.is_registered(submodule("host.timers")._timer)
    deadline = time.monotonic() + 30
    while runtime.engine().get(record.id).state.value != "IMPORTED" and time.monotonic() < deadline:
        runtime.engine().wait_for_updates(0.05)
        runtime.drain()
    assert runtime.engine().get(record.id).state.value == "IMPORTED"


def _apply_side_results(timeout: float = 10.0) -> None:
    runtime = submodule("host.runtime")
    deadline = time.monotonic() + timeout
    while not submodule("host.state").HOST.side_results and time.monotonic() < deadline:
        time.sleep(0.02)
    runtime.drain()


def test_a_balance_look_up_runs_in_a_real_thread_and_lands_on_the_main_thread(sandbox_of_addon, interactive):
    state = bpy.context.window_manager.meshsmith
    state.segmind_credits = ""
    assert bpy.ops.meshsmith.refresh_credits(provider="SEGMIND") == {"FINISHED"}
    assert state.segmind_credits == ""  # not yet: the answer comes back through the drain
    _apply_side_results()
    assert state.segmind_credits == "9.5"


def test_a_worker_that_raises_something_unexpected_is_reported_not_a_silent_question_mark(sandbox_of_addon):
    state = bpy.context.window_manager.meshsmith
    state.last_error = ""

    def work():
        raise KeyError("balance")

    submodule("host.lookups").run_in_background(work)
    _apply_side_results()
    assert state.last_error == "Internal error: KeyError: 'balance'"


def test_an_estimate_and_a_task_list_run_in_threads_too(png_file, sandbox_of_addon, interactive):
    state = bpy.context.window_manager.meshsmith
    bpy.context.scene.meshsmith.image_path = str(png_file)
    assert bpy.ops.meshsmith.estimate_cost() == {"FINISHED"}
    _apply_side_results()
    assert state.scenario_estimate == "20"
    assert bpy.ops.meshsmith.fetch_meshy_tasks(count=5) == {"FINISHED"}
    _apply_side_results()
    assert state.last_error == ""
