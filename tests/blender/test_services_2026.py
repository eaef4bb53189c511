"""The services as they are in December 2026, through the add-on: Meshy's API v2 models and options (and a file
saved before them), Scenario's prompt-less model, a lost answer waited for by the operator."""

from __future__ import annotations

import bpy
import pytest
from test_register_and_panels import RecordingLayout

from blender_helpers import submodule


def _cube():
    bpy.ops.mesh.primitive_cube_add()
    return bpy.context.active_object


def _drawn(panel_cls) -> list[str]:
    log: list[str] = []
    panel_cls.draw(type("FakePanel", (), {"layout": RecordingLayout(log)})(), bpy.context)
    return log


def _last_meshy_body(sandbox):
    return max(sandbox.meshy.tasks.values(), key=lambda task: task.created_at).body


def test_scripted_meshy_settings_reach_the_request(sandbox_of_addon):
    _cube()
    meshy = bpy.context.scene.meshsmith.meshy
    meshy.texture_resolution, meshy.texture_model = "4k", "meshy-7"
    assert bpy.ops.meshsmith.retexture(provider="MESHY", style_prompt="oxidised copper") == {"FINISHED"}
    body = _last_meshy_body(sandbox_of_addon)
    assert body["texture_resolution"] == "4k" and body["texture_model"] == "meshy-7" and "ai_model" not in body


@pytest.mark.parametrize(("stored", "becomes", "noted"), [
    (0, "meshy-7", False), (3, "meshy-7", False), (4, "meshy-6-lite", False), (5, "meshy-n1", False),
    (1, "meshy-7", True), (2, "meshy-7", True),  # Meshy 6 and Meshy 5: not offered on v2
])
def test_a_file_saved_with_v1s_ai_model_opens_with_the_matching_texture_model(sandbox_of_addon, tmp_path, stored,
                                                                             becomes, noted):
    meshy = bpy.context.scene.meshsmith.meshy
    offered = [item.identifier for item in meshy.bl_rna.properties["texture_model"].enum_items]
    assert offered == ["meshy-7", "meshy-6-lite", "meshy-n1"] and "ai_model" not in meshy.bl_rna.properties
    meshy.texture_model = "meshy-6-lite" if becomes != "meshy-6-lite" else "meshy-7"
    meshy["ai_model"] = stored  # what a .blend saved before v2 holds (the item's number)
    path = tmp_path / "old.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(path))
    bpy.ops.wm.open_mainfile(filepath=str(path))  # the load handler takes the old value over
    meshy = bpy.context.scene.meshsmith.meshy
    assert meshy.texture_model == becomes and "ai_model" not in meshy.keys()
    assert bool(meshy.settings_note) == noted
    if noted:
        _cube()
        drawn = _drawn(submodule("panels.sidebar").VIEW3D_PT_meshsmith_retexture)
        assert any("no longer offers (Meshy 6 or 5): Meshy 7 is used" in line for line in drawn)
        assert bpy.ops.meshsmith.dismiss_settings_note(provider="MESHY") == {"FINISHED"} and not meshy.settings_note


def test_the_retexture_panel_shows_the_cost_and_only_the_options_a_model_takes():
    _cube()
    meshy = bpy.context.scene.meshsmith.meshy
    sidebar = submodule("panels.sidebar")
    meshy.texture_resolution = "8k"
    assert "Cost: 15 credits" in _drawn(sidebar.VIEW3D_PT_meshsmith_retexture)
    meshy.texture_resolution = "2k"
    assert "Cost: 10 credits" in _drawn(sidebar.VIEW3D_PT_meshsmith_retexture)


def test_the_prompt_is_shown_only_for_a_service_that_uses_one(png_file, sandbox_of_addon):
    settings = bpy.context.scene.meshsmith
    sidebar = submodule("panels.sidebar")
    drawn_props: list[str] = []

    class Layout(RecordingLayout):
        def prop(self, data, name, **kwargs):
            drawn_props.append(name)
            return None

    def props(provider):
        drawn_props.clear()
        settings.provider = provider
        sidebar.VIEW3D_PT_meshsmith_generate.draw(type("P", (), {"layout": Layout([])})(), bpy.context)
        return set(drawn_props)

    assert "prompt" in props("SEGMIND") and "prompt" not in props("SCENARIO")
    settings.prompt = "a red chair"  # typed for Segmind, then Scenario chosen: it is not sent
    assert bpy.ops.meshsmith.generate(provider="SCENARIO", image_path=str(png_file)) == {"FINISHED"}
    with pytest.raises(RuntimeError, match="takes no prompt"):
        bpy.ops.meshsmith.generate(provider="SCENARIO", image_path=str(png_file), prompt="a chair")


@pytest.mark.parametrize("provider", ["SCENARIO", "MESHY"])
def test_the_operator_waits_while_a_lost_job_is_looked_up_and_finishes(png_file, sandbox_of_addon, provider):
    path = "/generate/custom" if provider == "SCENARIO" else "/openapi/v2/retexture"
    fault = sandbox_of_addon.arm("lose_answer", path_contains=path, method="POST")
    if provider == "MESHY":
        _cube()
        result = bpy.ops.meshsmith.retexture(provider="MESHY", style_prompt="weathered bronze")
    else:
        result = bpy.ops.meshsmith.generate(provider="SCENARIO", image_path=str(png_file))
    assert result == {"FINISHED"}  # before: an ERROR at once, while the engine went on to find and import the job
    record = submodule("host.runtime").engine().jobs()[-1]
    assert record.state.value == "IMPORTED"
    simulator = sandbox_of_addon.scenario if provider == "SCENARIO" else sandbox_of_addon.meshy
    assert simulator.creating_posts == 1 and fault.count == 0  # the answer was lost, and the job found again


def test_segmind_lost_answer_still_says_may_be_billed(png_file, sandbox_of_addon):
    sandbox_of_addon.arm("lose_answer", path_contains="/v2/hunyuan-3d-2", method="POST")
    with pytest.raises(RuntimeError, match="may be billed"):
        bpy.ops.meshsmith.generate(provider="SEGMIND", image_path=str(png_file))
