"""Register/unregister, and the sidebar drawing in every state (with a recording stand-in for UILayout)."""

from __future__ import annotations

import bpy
import pytest

from blender_helpers import submodule
from tools.blender_env import disable_addon, enable_addon


def test_register_and_unregister_twice():
    try:
        for _ in range(2):
            disable_addon()
            assert not hasattr(bpy.types.Scene, "meshsmith")
            assert not hasattr(bpy.types.WindowManager, "meshsmith")
            assert getattr(bpy.types, "MESHSMITH_OT_generate", None) is None
            assert getattr(bpy.types, "VIEW3D_PT_meshsmith_generate", None) is None
            enable_addon()
            assert hasattr(bpy.types.Scene, "meshsmith")
            assert getattr(bpy.types, "MESHSMITH_OT_generate", None) is not None
            assert bpy.context.scene.meshsmith.segmind.num_inference_steps == 30
    finally:
        if not hasattr(bpy.types.Scene, "meshsmith"):
            enable_addon()


def test_disabling_stops_every_thread_meshsmith_started(png_file, sandbox_of_addon):
    import threading
    import time

    assert bpy.ops.meshsmith.generate(provider="SEGMIND", image_path=str(png_file)) == {"FINISHED"}
    assert [t for t in threading.enumerate() if t.name.startswith("meshsmith")]  # the job's threads were there
    try:
        disable_addon()
        deadline = time.monotonic() + 3
        while [t for t in threading.enumerate() if t.name.startswith("meshsmith")] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [t.name for t in threading.enumerate() if t.name.startswith("meshsmith")] == []
    finally:
        enable_addon()


ICONS = frozenset(bpy.types.UILayout.bl_rna.functions["label"].parameters["icon"].enum_items.keys())
_PROP_CALLS = {"prop", "prop_search", "prop_enum", "props_enum", "prop_menu_enum", "prop_tabs_enum", "template_ID"}


def check_property(data, name: str) -> None:
    """``name`` must be a property of ``data`` (RNA or custom), as Blender's layout.prop needs."""
    known = set(data.bl_rna.properties.keys())
    try:
        known |= set(data.keys())  # custom properties, where the type has them
    except (AttributeError, TypeError):
        pass
    assert name in known, f"{type(data).__name__} has no property '{name}'"


def operator_properties(idname: str) -> set[str]:
    """The properties of a registered operator; fails for an operator that does not exist."""
    module, _, name = idname.partition(".")
    try:
        rna = getattr(getattr(bpy.ops, module), name).get_rna_type()
    except (AttributeError, KeyError):
        raise AssertionError(f"no operator '{idname}' is registered") from None
    return set(rna.properties.keys())


class RecordingLayout:
    """Stands in for UILayout: records the text it would show, and checks every name Blender would check.

    Every ``prop`` names a real property of its data, every ``operator`` a registered operator (and every
    property set on its button exists), every icon is one of Blender's, every list a registered UIList.
    """

    def __init__(self, log: list[str]) -> None:
        self.log = log
        self.enabled = self.alert = True
        self.scale_y = 1.0

    def __getattr__(self, name):
        def call(*args, **kwargs):
            icon = kwargs.get("icon")
            if icon:
                assert icon in ICONS, f"unknown icon '{icon}'"
            if name in _PROP_CALLS:
                check_property(args[0], args[1])
            if name == "template_list":
                assert hasattr(bpy.types, args[0]), f"no UIList '{args[0]}'"
                check_property(args[2], args[3])
                check_property(args[4], args[5])
            if "text" in kwargs and kwargs["text"]:
                self.log.append(str(kwargs["text"]))
            if name == "panel":
                return RecordingLayout(self.log), RecordingLayout(self.log)
            if name == "operator":
                properties = operator_properties(args[0])
                if len(args) > 0 and kwargs.get("text") is None:
                    self.log.append(args[0])
                return _Props(args[0], properties)
            return RecordingLayout(self.log)

        return call


class _Props:
    """Stands in for an operator button's properties (``op.job_id = ...``): only the operator's own names."""

    def __init__(self, idname: str, properties: set[str]) -> None:
        object.__setattr__(self, "_idname", idname)
        object.__setattr__(self, "_properties", properties)

    def __setattr__(self, name, value):
        assert name in self._properties, f"operator '{self._idname}' has no property '{name}'"
        object.__setattr__(self, name, value)


def draw(panel_cls) -> list[str]:
    log: list[str] = []
    # Panels cannot be instantiated outside a UI; draw() is called with a stand-in that has a layout.
    fake = type("FakePanel", (), {"layout": RecordingLayout(log)})()
    panel_cls.draw(fake, bpy.context)
    return log


@pytest.fixture
def sidebar():
    return submodule("panels.sidebar")


def test_generate_panel_without_an_image_says_so(sidebar):
    assert "Choose a reference image." in draw(sidebar.VIEW3D_PT_meshsmith_generate)


def test_generate_panel_without_a_key_says_so(sidebar, png_file):
    submodule("host.preferences").get().use_sandbox = False
    bpy.context.scene.meshsmith.image_path = str(png_file)
    assert any("API key" in line for line in draw(sidebar.VIEW3D_PT_meshsmith_generate))


def test_generate_panel_offline_says_how_to_fix_it(sidebar, png_file):
    submodule("host.preferences").get().use_sandbox = False
    bpy.context.preferences.system.use_online_access = False
    try:
        assert any("Allow Online Access" in line for line in draw(sidebar.VIEW3D_PT_meshsmith_generate))
    finally:
        bpy.context.preferences.system.use_online_access = True


def test_generate_panel_ready(sidebar, png_file):
    bpy.context.scene.meshsmith.image_path = str(png_file)
    lines = draw(sidebar.VIEW3D_PT_meshsmith_generate)
    assert not any("Choose" in line or "API key" in line for line in lines)
    assert any("Sandbox" in line for line in lines)


def test_jobs_panel_empty(sidebar):
    assert draw(sidebar.VIEW3D_PT_meshsmith_jobs) == ["No jobs yet."]


@pytest.mark.parametrize("state", ["QUEUED", "RUNNING", "DOWNLOADING", "READY", "IMPORTED", "FAILED", "CANCELED", "UNKNOWN"])
def test_jobs_panel_draws_every_state(sidebar, state):
    jobs = bpy.context.window_manager.meshsmith.jobs
    item = jobs.add()
    item.job_id, item.provider, item.label, item.state = "abc", "SEGMIND", "pot", state
    item.progress, item.message = 0.4, "Generating"
    item.error = "Segmind could not generate the model: boom." if state == "FAILED" else ""
    item.fix = "CHECK_INPUT"
    bpy.context.window_manager.meshsmith.active_job_index = 0
    try:
        lines = draw(sidebar.VIEW3D_PT_meshsmith_jobs)
        assert "Segmind: pot" in lines
        if state in ("QUEUED", "RUNNING", "DOWNLOADING"):
            assert "Generating (40%)" in lines
        if state == "FAILED":
            assert any("boom" in line for line in lines)
        log: list[str] = []
        sidebar.MESHSMITH_UL_jobs.draw_item(None, bpy.context, RecordingLayout(log), None, item, 0, None, "")
        assert "pot" in log
    finally:
        jobs.clear()


def test_retexture_panel_without_a_mesh_says_so(sidebar):
    bpy.context.view_layer.objects.active = None
    lines = draw(sidebar.VIEW3D_PT_meshsmith_retexture)
    assert "Select a mesh object" in lines and any("Select the mesh" in line for line in lines)


def test_retexture_panel_with_a_mesh_and_no_key(sidebar):
    bpy.ops.mesh.primitive_cube_add()
    submodule("host.preferences").get().use_sandbox = False
    lines = draw(sidebar.VIEW3D_PT_meshsmith_retexture)
    assert "Mesh: Cube" in lines and any("Meshy API key" in line for line in lines)


def test_retexture_panel_ready_in_test_mode(sidebar):
    bpy.ops.mesh.primitive_cube_add()
    prefs = submodule("host.preferences").get()
    prefs.use_sandbox, prefs.meshy_test_mode = False, True
    lines = draw(sidebar.VIEW3D_PT_meshsmith_retexture)
    assert not any("API key" in line for line in lines)
    assert any("test mode" in line for line in lines)


def test_generate_panel_for_scenario_shows_a_fresh_estimate_on_the_button(sidebar, png_file):
    settings = bpy.context.scene.meshsmith
    settings.provider, settings.image_path = "SCENARIO", str(png_file)
    assert bpy.ops.meshsmith.estimate_cost() == {"FINISHED"}
    assert "Generate (20 CU)" in draw(sidebar.VIEW3D_PT_meshsmith_generate)
    settings.scenario.steps = 60  # the estimate no longer matches the settings
    assert "Generate" in draw(sidebar.VIEW3D_PT_meshsmith_generate)
    assert "Generate (20 CU)" not in draw(sidebar.VIEW3D_PT_meshsmith_generate)


def test_preferences_say_where_keys_are_stored_and_offer_environment_variables():
    prefs = submodule("host.preferences")
    log: list[str] = []
    real = prefs.get()
    real.use_sandbox = False

    class DrawnPreferences:
        """The real preferences, drawn into the checking layout (Blender sets ``layout`` only while drawing)."""

        layout = RecordingLayout(log)

        def __getattr__(self, name):
            return getattr(real, name)

    submodule("panels.preferences").MeshsmithPreferences.draw(DrawnPreferences(), bpy.context)
    text = "\n".join(log)
    assert "plain text" in text and "never go into .blend scene files" in text
    for name in ("MESHSMITH_SEGMIND_API_KEY", "MESHSMITH_SCENARIO_API_KEY", "MESHSMITH_SCENARIO_API_SECRET",
                 "MESHSMITH_MESHY_API_KEY"):
        assert name in text
