"""Scenario's catalog from Blender, against the built-in sandbox: the scripting call on models of different
shapes, values refused before anything is uploaded, the catalog refreshed in the background and used offline
from its cache, every input kind drawn and round-tripped, values remembered per model, costs, and the mesh
models (retexture baked onto the object, remesh as a new version of it)."""

from __future__ import annotations

import json
import time

import bpy
import pytest
from test_register_and_panels import RecordingLayout, draw

from blender_helpers import drain_until, submodule

TRIPO = "model_tripo-v3-1-image-to-3d"


def _refresh(blender) -> None:
    state = submodule("host.catalog.state")
    assert bpy.ops.meshsmith.refresh_catalog() == {"FINISHED"}
    drain_until(blender, lambda: state.current() is not None and not state.busy())


def _last_job(blender):
    return max(blender.engine().jobs(), key=lambda record: record.created_at)


def _body(sandbox, model: str) -> dict:
    return next(job.inputs for job in reversed(list(sandbox.scenario.jobs.values())) if job.model == model)


def test_the_scripting_call_on_four_models_of_different_shapes(sandbox_of_addon, blender, png_file, views):
    settings = bpy.context.scene.meshsmith
    # One image, with an input merged over the model's defaults.
    assert bpy.ops.meshsmith.generate(provider="SCENARIO", image_path=str(png_file), model=TRIPO,
                                      inputs='{"textureQuality": "detailed"}') == {"FINISHED"}
    obj = bpy.context.active_object
    nodes = obj.material_slots[0].material.node_tree.nodes
    principled = next(node for node in nodes if node.type == "BSDF_PRINCIPLED")
    assert principled.inputs["Base Color"].is_linked and principled.inputs["Normal"].is_linked
    assert principled.inputs["Roughness"].is_linked and principled.inputs["Metallic"].is_linked
    assert _body(sandbox_of_addon, TRIPO)["textureQuality"] == "detailed"
    # Text only: no image is sent, the prompt goes to the model's prompt input.
    settings.image_path = str(png_file)  # a sidebar image the text model must not send
    assert bpy.ops.meshsmith.generate(provider="SCENARIO", model="model_meshy-7-txt23d",
                                      prompt="a bronze owl") == {"FINISHED"}
    body = _body(sandbox_of_addon, "model_meshy-7-txt23d")
    assert body["prompt"] == "a bronze owl" and "image" not in body
    # Several views, front first, each to its own input.
    assert bpy.ops.meshsmith.generate(provider="SCENARIO", model="model_hunyuan-3d-pro-3-1-multiview",
                                      image_path=";".join(str(path) for path in views)) == {"FINISHED"}
    body = _body(sandbox_of_addon, "model_hunyuan-3d-pro-3-1-multiview")
    assert sandbox_of_addon.scenario.assets[body["frontImage"]].data == views[0].read_bytes()
    assert sandbox_of_addon.scenario.assets[body["rightImage"]].data == views[3].read_bytes()
    # Several images in one input, Rodin asked for PBR.
    assert bpy.ops.meshsmith.generate(provider="SCENARIO", model="model_rodin-hyper3d-v2-5",
                                      image_path=f"{views[0]};{views[2]}") == {"FINISHED"}
    body = _body(sandbox_of_addon, "model_rodin-hyper3d-v2-5")
    assert len(body["images"]) == 2 and body["material"] == "PBR"
    # The history has each job's real cost.
    costs = {record.params.get("model"): record.cost for record in blender.engine().jobs()}
    assert costs == {TRIPO: 40.0, "model_meshy-7-txt23d": 20.0, "model_hunyuan-3d-pro-3-1-multiview": 120.0,
                     "model_rodin-hyper3d-v2-5": 50.0}
    assert {item.cost for item in bpy.context.window_manager.meshsmith.jobs} == {"40", "20", "120", "50"}


@pytest.mark.parametrize(("inputs", "words"), [
    ('{"faceLimit": 5}', "Face Limit must be between 1000 and 500000"),
    ('{"textureQuality": "ultra"}', "Texture Quality: 'ultra' is not one of"),
    ('{"octree": 1}', "has no input named octree"),
    ('[1, 2]', "must be a JSON object"),
    ('{"texture": tru', "not valid JSON"),
])
def test_a_bad_input_is_refused_before_anything_is_uploaded(sandbox_of_addon, blender, png_file, inputs, words):
    _refresh(blender)
    submodule("host.catalog.state").fetch_details(TRIPO, bpy.context)
    drain_until(blender, lambda: submodule("host.catalog.state").current().get(TRIPO).inputs is not None)
    known = len(blender.engine().jobs())
    with pytest.raises(RuntimeError, match=words.replace("(", r"\(")):
        bpy.ops.meshsmith.generate(provider="SCENARIO", image_path=str(png_file), model=TRIPO, inputs=inputs)
    assert len(blender.engine().jobs()) == known  # no job at all
    assert sandbox_of_addon.scenario.uploads == 0 and sandbox_of_addon.scenario.creating_posts == 0


def test_without_a_catalog_the_worker_refuses_a_bad_input_before_uploading(sandbox_of_addon, png_file):
    assert submodule("host.catalog.state").current() is None  # nothing to check against on Blender's side
    with pytest.raises(RuntimeError, match="Face Limit must be between"):
        bpy.ops.meshsmith.generate(provider="SCENARIO", image_path=str(png_file), model=TRIPO,
                                   inputs='{"faceLimit": 5}')
    assert sandbox_of_addon.scenario.uploads == 0 and sandbox_of_addon.scenario.creating_posts == 0


@pytest.mark.parametrize("prompt", ["", "   "])
def test_a_text_model_without_a_prompt_says_it_needs_one_not_an_image(sandbox_of_addon, blender, prompt):
    # A fresh scene: no sidebar image, no catalog in memory. The model's own schema names what is missing (a prompt
    # of spaces is no prompt), and nothing is uploaded or created.
    assert submodule("host.catalog.state").current() is None and bpy.context.scene.meshsmith.image is None
    with pytest.raises(RuntimeError, match="Meshy 7 Text to 3D needs Prompt"):
        bpy.ops.meshsmith.generate(provider="SCENARIO", model="model_meshy-7-txt23d", prompt=prompt)
    _refresh(blender)  # the same with the model's schema known on Blender's side
    with pytest.raises(RuntimeError, match="Meshy 7 Text to 3D needs Prompt"):
        bpy.ops.meshsmith.generate(provider="SCENARIO", model="model_meshy-7-txt23d", prompt=prompt)
    assert sandbox_of_addon.scenario.uploads == 0 and sandbox_of_addon.scenario.creating_posts == 0


def test_a_prompt_of_spaces_is_never_sent(sandbox_of_addon, png_file):
    assert bpy.ops.meshsmith.generate(provider="SEGMIND", image_path=str(png_file), prompt="   ") == {"FINISHED"}
    body = next(iter(sandbox_of_addon.segmind.config.jobs.values())).body
    assert "text" not in body


def test_the_catalog_is_refreshed_in_the_background_cached_and_used_offline(sandbox_of_addon, blender):
    state = submodule("host.catalog.state")
    sandbox_of_addon.scenario.config.catalog_filler = 200
    bpy.context.scene.meshsmith.provider = "SCENARIO"
    started = time.perf_counter()
    assert bpy.ops.meshsmith.refresh_catalog() == {"FINISHED"}
    assert time.perf_counter() - started < 0.05  # the button returns at once: the list is fetched in a thread
    lines = draw(submodule("panels.sidebar").VIEW3D_PT_meshsmith_generate)
    assert "Refreshing the catalog…" in lines
    drain_until(blender, lambda: state.current() is not None and not state.busy())
    assert len(state.current().visible()) == 208  # retired model hidden
    assert (state.cache_folder() / "scenario_catalog.json").is_file()
    # Offline from the cache: a new session reads it from disk in the background.
    state.forget()
    sandbox_of_addon.scenario.config.catalog_filler = 0
    bpy.context.preferences.system.use_online_access = False
    try:
        state.load_cache()
        drain_until(blender, lambda: state.current() is not None)
        assert state.current().from_cache and len(state.current().visible()) == 208
        lines = draw(submodule("panels.sidebar").VIEW3D_PT_meshsmith_generate)
        assert "208 models, listed today" in lines
    finally:
        bpy.context.preferences.system.use_online_access = True


def test_every_input_kind_is_drawn_and_round_trips_and_values_are_remembered_per_model(sandbox_of_addon, blender):
    state = submodule("host.catalog.state")
    settings = bpy.context.scene.meshsmith.scenario
    bpy.context.scene.meshsmith.provider = "SCENARIO"
    _refresh(blender)
    assert bpy.ops.meshsmith.choose_model(model=TRIPO) == {"FINISHED"}
    drain_until(blender, lambda: settings.model_inputs_for == TRIPO)
    rows = {row.name: row for row in settings.model_inputs}
    assert {name: row.kind for name, row in rows.items()} == {
        "texture": "boolean", "pbr": "boolean", "textureQuality": "choice", "geometryQuality": "choice",
        "faceLimit": "integer", "quad": "boolean", "seed": "integer"}  # the image is the sidebar's reference
    assert rows["textureQuality"].text_value == "Standard"  # the default, shown by its label
    rows["textureQuality"].text_value = "Extreme (8K)"
    rows["faceLimit"].integer_value = 20000
    rows["pbr"].boolean_value = False
    params = submodule("host.catalog.jobs").params_for(bpy.context, "SCENARIO", "GENERATE")
    assert params["inputs"]["textureQuality"] == "extreme" and params["inputs"]["faceLimit"] == 20000
    assert params["inputs"]["pbr"] is False
    lines = draw(submodule("panels.sidebar").VIEW3D_PT_meshsmith_generate)
    assert "Face Limit  (1000–500000)" in lines and "Texture Quality" in lines and "Tripo 3.1" in lines
    # Another model (with a prompt, text and numbers), then back: Tripo's values come back.
    assert bpy.ops.meshsmith.choose_model(model="model_meshy-7-txt23d") == {"FINISHED"}
    drain_until(blender, lambda: settings.model_inputs_for == "model_meshy-7-txt23d")
    kinds = {row.name: row.kind for row in settings.model_inputs}
    assert kinds["prompt"] == "prompt" and kinds["texturePrompt"] == "text" and kinds["targetPolycount"] == "integer"
    lines = draw(submodule("panels.sidebar").VIEW3D_PT_meshsmith_generate)
    assert "Prompt *  (≤ 600)" in lines and "Choose a reference image." not in " ".join(lines)
    bpy.ops.meshsmith.choose_model(model=TRIPO)
    rows = {row.name: row for row in settings.model_inputs}
    assert rows["textureQuality"].text_value == "Extreme (8K)" and rows["faceLimit"].integer_value == 20000
    assert json.loads(settings.model_values)[TRIPO]["pbr"] is False
    # A model taking several images and a mesh model's rows: a list of files, a style image, a mesh left out.
    bpy.ops.meshsmith.choose_model(model="model_rodin-hyper3d-v2-5")
    drain_until(blender, lambda: settings.model_inputs_for == "model_rodin-hyper3d-v2-5")
    assert {row.name: row.kind for row in settings.model_inputs}["images"] == "files"
    assert state.current().get("model_rodin-hyper3d-v2-5").inputs is not None


def test_the_estimate_prices_the_chosen_model_and_the_button_shows_it(sandbox_of_addon, blender, png_file):
    settings = bpy.context.scene.meshsmith
    settings.provider, settings.image_path = "SCENARIO", str(png_file)
    _refresh(blender)
    bpy.ops.meshsmith.choose_model(model=TRIPO)
    drain_until(blender, lambda: settings.scenario.model_inputs_for == TRIPO)
    next(row for row in settings.scenario.model_inputs if row.name == "textureQuality").text_value = "Extreme (8K)"
    assert bpy.ops.meshsmith.estimate_cost(provider="SCENARIO") == {"FINISHED"}
    drain_until(blender, lambda: bpy.context.window_manager.meshsmith.scenario_estimate != "")
    assert bpy.context.window_manager.meshsmith.scenario_estimate == "50"
    assert "Generate (50 CU)" in draw(submodule("panels.sidebar").VIEW3D_PT_meshsmith_generate)
    next(row for row in settings.scenario.model_inputs if row.name == "textureQuality").text_value = "Standard"
    assert "Generate (50 CU)" not in draw(submodule("panels.sidebar").VIEW3D_PT_meshsmith_generate)


def test_a_retired_model_offers_its_successor(sandbox_of_addon, blender, png_file):
    settings = bpy.context.scene.meshsmith.scenario
    bpy.context.scene.meshsmith.provider = "SCENARIO"
    _refresh(blender)
    settings.model = "model_tripo-v2-5-image-to-3d"  # as a file saved long ago says
    lines = draw(submodule("panels.sidebar").VIEW3D_PT_meshsmith_generate)
    assert "Retired by Scenario: use model_tripo-v3-1-image-to-3d" in lines
    with pytest.raises(RuntimeError, match="retired"):
        bpy.ops.meshsmith.generate(provider="SCENARIO", image_path=str(png_file))
    assert bpy.ops.meshsmith.use_successor() == {"FINISHED"} and settings.model == TRIPO


def test_the_hunyuan_2_1_settings_are_that_models_schema(sandbox_of_addon, png_file):
    settings = bpy.context.scene.meshsmith.scenario
    settings.steps = 35
    assert bpy.ops.meshsmith.generate(provider="SCENARIO", image_path=str(png_file),
                                      inputs='{"guidanceScale": 7.5}') == {"FINISHED"}
    body = _body(sandbox_of_addon, "model_hunyuan-3d-v2-1")
    assert body["steps"] == 35 and body["guidanceScale"] == 7.5
    with pytest.raises(RuntimeError, match="has no input named textureQuality"):
        bpy.ops.meshsmith.generate(provider="SCENARIO", image_path=str(png_file), inputs='{"textureQuality": "x"}')


def test_retexture_with_a_catalog_model_is_baked_onto_the_object(sandbox_of_addon, blender):
    bpy.ops.mesh.primitive_uv_sphere_add(segments=24, ring_count=12)
    obj = bpy.context.active_object
    vertices = len(obj.data.vertices)
    bpy.context.scene.meshsmith.bake_resolution = "1024"
    assert bpy.ops.meshsmith.retexture(provider="SCENARIO", model="model_meshy-7-retexture",
                                       style_prompt="mossy stone") == {"FINISHED"}  # to the model's prompt
    assert len(obj.data.vertices) == vertices  # the artist's own mesh, untouched
    assert len(submodule("mesh_io.versions").versions(obj)) == 2
    (upload,) = sandbox_of_addon.scenario.multipart_uploads.values()
    assert upload["body"]["kind"] == "3d"
    assert _last_job(blender).cost == 10
    assert _body(sandbox_of_addon, "model_meshy-7-retexture")["textStylePrompt"] == "mossy stone"
    # With the model's schema known, a bad value is refused before the object is touched: a mesh without UVs
    # does not get the "Meshsmith" UV map the bake would add.
    _refresh(blender)  # lists the catalog and fetches the chosen mesh model's inputs
    assert submodule("host.catalog.state").current().get("model_meshy-7-retexture").inputs is not None
    bare = obj.copy()
    bare.data = obj.data.copy()
    bpy.context.collection.objects.link(bare)
    while bare.data.uv_layers:
        bare.data.uv_layers.remove(bare.data.uv_layers[0])
    bpy.context.view_layer.objects.active = bare
    posts = sandbox_of_addon.scenario.creating_posts
    with pytest.raises(RuntimeError, match="Style Prompt is 601 characters"):
        bpy.ops.meshsmith.retexture(provider="SCENARIO", model="model_meshy-7-retexture", style_prompt="x" * 601)
    assert len(bare.data.uv_layers) == 0 and sandbox_of_addon.scenario.creating_posts == posts


def test_a_catalog_remesh_makes_a_new_version_with_the_look_baked_on_as_meshys_own_remesh_does(sandbox_of_addon,
                                                                                                blender):
    bpy.ops.mesh.primitive_uv_sphere_add(segments=48, ring_count=24)
    original = bpy.context.active_object
    bpy.context.scene.meshsmith.bake_resolution = "1024"
    assert bpy.ops.meshsmith.retexture(provider="SCENARIO", model="model_meshy-remesh",
                                       inputs='{"targetPolycount": 800}') == {"FINISHED"}
    assert original.name in bpy.data.objects and original.hide_get()
    result = bpy.context.active_object
    assert result is not original and result.type == "MESH" and len(result.data.polygons) <= 800
    assert result.name == f"{original.name} remeshed" and result.material_slots[0].material is not None
    versions = submodule("mesh_io.object_versions").object_versions(result)
    assert [version.name for version in versions] == [original.name, result.name]
    assert result["meshsmith_version_label"] == "Remeshed (model_meshy-remesh)"


def test_a_generator_is_refused_on_the_retexture_route_and_a_mesh_model_on_generate(sandbox_of_addon, blender,
                                                                                     png_file):
    _refresh(blender)
    bpy.ops.mesh.primitive_cube_add()
    with pytest.raises(RuntimeError, match="use Generate"):
        bpy.ops.meshsmith.retexture(provider="SCENARIO", model=TRIPO)
    with pytest.raises(RuntimeError, match="works on a mesh"):
        bpy.ops.meshsmith.generate(provider="SCENARIO", image_path=str(png_file), model="model_meshy-remesh")


def test_the_model_menu_follows_the_route_and_the_filter(sandbox_of_addon, blender):
    _refresh(blender)
    operators = submodule("operators.catalog")
    settings = bpy.context.scene.meshsmith.scenario

    ids = [item[0] for item in operators.model_items(bpy.context, "GENERATE")]
    assert ids[0] == "model_hunyuan-3d-v2-1" and TRIPO in ids and "model_meshy-remesh" not in ids
    assert "model_tripo-v2-5-image-to-3d" not in ids
    assert [item[0] for item in operators.model_items(bpy.context, "RETEXTURE")] == [
        "model_meshy-7-retexture", "model_meshy-remesh"]
    settings.model_filter = "TEXT"
    assert [item[0] for item in operators.model_items(bpy.context, "GENERATE")] == ["model_meshy-7-txt23d"]
    layout_log: list[str] = []
    submodule("panels.catalog_drawer").draw_catalog(RecordingLayout(layout_log), bpy.context,
                                                    submodule("providers.registry").info("SCENARIO"), "GENERATE")
    assert "Hunyuan 3D 2.1" in layout_log


def test_every_input_kind_is_drawn_and_its_value_reaches_the_job(blender, tmp_path):
    catalog = submodule("providers.scenario.catalog")
    raw = {"id": "model_every-kind", "name": "Every Kind", "capabilities": ["img23d"], "inputs": [
        {"name": "image", "type": "file", "kind": "image", "required": {"always": True}},
        {"name": "strength", "type": "number", "label": "Strength", "min": 0, "max": 1, "step": 0.05},
        {"name": "count", "type": "number", "label": "Count", "min": 1, "max": 9, "step": 1},
        {"name": "smooth", "type": "boolean", "label": "Smooth"},
        {"name": "style", "type": "string", "label": "Style", "allowedValues": ["a", "b"]},
        {"name": "note", "type": "string", "label": "Note", "maxLength": 20},
        {"name": "prompt", "type": "string", "label": "Prompt", "prompt": True},
        {"name": "extra", "type": "file", "kind": "image", "label": "Extra View"},
        {"name": "refs", "type": "file_array", "kind": "image", "label": "References", "maxLength": 3},
        {"name": "tags", "type": "string_array", "label": "Tags"}]}
    submodule("host.state").HOST.catalog.current = catalog.Catalog([catalog.parse_model(raw)], time.time())
    settings = bpy.context.scene.meshsmith.scenario
    bpy.context.scene.meshsmith.provider = "SCENARIO"
    settings.model = "model_every-kind"
    rows = {row.name: row for row in settings.model_inputs}
    assert {name: row.kind for name, row in rows.items()} == {
        "strength": "number", "count": "integer", "smooth": "boolean", "style": "choice", "note": "text",
        "prompt": "prompt", "extra": "file", "refs": "files", "tags": "list"}
    assert submodule("host.catalog.jobs").params_for(bpy.context, "SCENARIO", "GENERATE")["inputs"] == {}  # none set
    extra = tmp_path / "extra.png"
    rows["strength"].number_value = 0.25
    rows["count"].integer_value = 4
    rows["smooth"].boolean_value = True
    rows["style"].text_value = "b"
    rows["note"].text_value = "hello"
    rows["prompt"].text_value = "a teapot"
    rows["extra"].file_value = str(extra)
    rows["refs"].text_value = f"{extra};{extra}"
    rows["tags"].text_value = "red; shiny"
    values = submodule("host.catalog.jobs").params_for(bpy.context, "SCENARIO", "GENERATE")["inputs"]
    assert values == {"strength": 0.25, "count": 4, "smooth": True, "style": "b", "note": "hello",
                      "prompt": "a teapot", "extra": str(extra), "refs": [str(extra), str(extra)],
                      "tags": ["red", "shiny"]}
    log: list[str] = []
    submodule("panels.catalog_drawer").draw_inputs(RecordingLayout(log), settings)  # each value's property exists
    assert log == ["Strength  (0–1)", "Count  (1–9)", "Smooth", "Style", "Note  (≤ 20)", "Prompt", "Extra View",
                   "References  (≤ 3)", "Tags"]


def test_a_batch_runs_a_catalog_model_for_every_image_and_every_mesh(sandbox_of_addon, tmp_path):
    images = tmp_path / "in"
    images.mkdir()
    assets = submodule("sandbox.assets")
    for index in range(2):
        (images / f"concept_{index}.png").write_bytes(assets.make_textures(index, 16).base_color)
    out = tmp_path / "out"
    assert submodule("scripting.cli").main(["generate", str(images), "--out", str(out), "--provider", "SCENARIO",
                                  "--model", TRIPO, "--inputs", '{"faceLimit": 20000}']) == 0
    bodies = [job.inputs for job in sandbox_of_addon.scenario.jobs.values()]
    assert len(bodies) == 2 and all(body["faceLimit"] == 20000 for body in bodies)
    meshes = tmp_path / "meshes"
    meshes.mkdir()
    (meshes / "crate.glb").write_bytes(assets.make_model_glb(4, face_count=200, texture=False))
    assert submodule("scripting.cli").main(["retexture", str(meshes), "--out", str(tmp_path / "textured"), "--provider",
                                  "SCENARIO", "--model", "model_meshy-7-retexture", "--style", "mossy stone"]) == 0
    body = list(sandbox_of_addon.scenario.jobs.values())[-1].inputs
    assert body["textStylePrompt"] == "mossy stone" and sandbox_of_addon.scenario.assets[body["model"]].kind == "3d"
    assert submodule("scripting.cli").main(["generate", str(images), "--out", str(tmp_path / "bad"), "--provider", "SCENARIO",
                                  "--model", TRIPO, "--inputs", '{"faceLimit": 1}']) != 0


def test_a_mesh_models_cost_is_shown_on_the_retexture_button(sandbox_of_addon, blender):
    settings = bpy.context.scene.meshsmith
    settings.retexture_provider = "SCENARIO"
    bpy.ops.mesh.primitive_uv_sphere_add(segments=16, ring_count=8)
    _refresh(blender)
    assert bpy.ops.meshsmith.choose_mesh_model(model="model_meshy-remesh") == {"FINISHED"}
    drain_until(blender, lambda: settings.scenario.mesh_model_inputs_for == "model_meshy-remesh")
    assert settings.scenario.model == "model_hunyuan-3d-v2-1"  # Generate keeps its own model
    assert bpy.ops.meshsmith.estimate_cost(provider="SCENARIO", route="RETEXTURE") == {"FINISHED"}
    drain_until(blender, lambda: bpy.context.window_manager.meshsmith.scenario_estimate != "")
    assert bpy.context.window_manager.meshsmith.scenario_estimate == "5"
    assert "Retexture (5 CU)" in draw(submodule("panels.sidebar").VIEW3D_PT_meshsmith_retexture)
    assert sandbox_of_addon.scenario.creating_posts == 0 and sandbox_of_addon.scenario.dry_runs == 1
