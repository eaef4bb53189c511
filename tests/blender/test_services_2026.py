"""The services as they are in December 2026, through the add-on: Meshy's current models and options, Scenario's
prompt-less model, Text to Texture gone, a lost answer waited for by the operator."""

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
    meshy.texture_resolution, meshy.ai_model = "4k", "meshy-7"
    assert bpy.ops.meshsmith.retexture(provider="MESHY", style_prompt="oxidised copper") == {"FINISHED"}
    body = _last_meshy_body(sandbox_of_addon)
    assert body["texture_resolution"] == "4k" and body["ai_model"] == "meshy-7" and "hd_texture" not in body


def test_meshy_5_is_not_offered_and_a_file_saved_with_it_sends_latest_with_a_note(sandbox_of_addon):
    meshy = bpy.context.scene.meshsmith.meshy
    offered = [item.identifier for item in meshy.bl_rna.properties["ai_model"].enum_items]
    assert offered == ["latest", "meshy-7", "meshy-6", "meshy-6-lite", "meshy-n1"]
    with pytest.raises(TypeError):
        meshy.ai_model = "meshy-5"
    meshy["ai_model"] = 2  # what a .blend saved with Meshy 5 holds (the item's number)
    assert meshy.ai_model == "" and meshy.as_params()["ai_model"] == "latest"
    _cube()
    assert any("Meshy 5 was retired" in line for line in _drawn(submodule("panels.sidebar").VIEW3D_PT_meshsmith_retexture))
    assert bpy.ops.meshsmith.retexture(provider="MESHY", style_prompt="bronze") == {"FINISHED"}
    assert _last_meshy_body(sandbox_of_addon)["ai_model"] == "latest"


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


def test_text_to_texture_gone_offers_retexture_and_the_fix_switches_it(sandbox_of_addon):
    sandbox_of_addon.meshy.config.text_to_texture_gone = True
    _cube()
    meshy = bpy.context.scene.meshsmith.meshy
    meshy.endpoint, meshy.object_prompt = "TEXT_TO_TEXTURE", "a wooden crate"
    with pytest.raises(RuntimeError, match="no longer offers Text to Texture.*Retexture"):
        bpy.ops.meshsmith.retexture(provider="MESHY", style_prompt="painted wood")
    record = submodule("host.runtime").engine().jobs()[-1]
    assert record.state.value == "FAILED" and record.fix == "SWITCH_TO_RETEXTURE"
    assert len(sandbox_of_addon.requests_matching("POST", "/text-to-texture")) == 1 and sandbox_of_addon.meshy.creating_posts == 0
    log: list[str] = []
    submodule("panels.sidebar").draw_fix(RecordingLayout(log), record.fix)
    assert log == ["meshsmith.use_meshy_retexture"]
    assert bpy.ops.meshsmith.use_meshy_retexture() == {"FINISHED"} and meshy.endpoint == "RETEXTURE"
    assert bpy.ops.meshsmith.retexture(provider="MESHY", style_prompt="painted wood") == {"FINISHED"}


@pytest.mark.parametrize("provider", ["SCENARIO", "MESHY"])
def test_the_operator_waits_while_a_lost_job_is_looked_up_and_finishes(png_file, sandbox_of_addon, provider):
    path = "/generate/custom" if provider == "SCENARIO" else "/openapi/v1/retexture"
    sandbox_of_addon.arm("lose_answer", path_contains=path, method="POST")
    if provider == "MESHY":
        _cube()
        result = bpy.ops.meshsmith.retexture(provider="MESHY", style_prompt="weathered bronze")
    else:
        result = bpy.ops.meshsmith.generate(provider="SCENARIO", image_path=str(png_file))
    assert result == {"FINISHED"}  # before: an ERROR at once, while the engine went on to find and import the job
    record = submodule("host.runtime").engine().jobs()[-1]
    assert record.state.value == "IMPORTED"
    simulator = sandbox_of_addon.scenario if provider == "SCENARIO" else sandbox_of_addon.meshy
    assert simulator.creating_posts == 1


def test_segmind_lost_answer_still_says_may_be_billed(png_file, sandbox_of_addon):
    sandbox_of_addon.arm("lose_answer", path_contains="/v2/hunyuan-3d-2", method="POST")
    with pytest.raises(RuntimeError, match="may be billed"):
        bpy.ops.meshsmith.generate(provider="SEGMIND", image_path=str(png_file))
