"""The generate operator end to end in real Blender (bpy 5.0.1, background mode) against the sandbox."""

from __future__ import annotations

import bpy
import pytest

from blender_helpers import submodule
from tools.blender_env import MODULE_NAME


def _objects() -> set[str]:
    return {obj.name for obj in bpy.data.objects}


def _socket_image(material, socket_name):
    bsdf = next(node for node in material.node_tree.nodes if node.type == "BSDF_PRINCIPLED")
    link = bsdf.inputs[socket_name].links[0]
    node = link.from_node
    while node.type != "TEX_IMAGE":
        node = next(inp for inp in node.inputs if inp.links).links[0].from_node
    return node.image


def test_generate_imports_a_textured_object_with_its_material_wired(png_file):
    bpy.context.scene.cursor.location = (1.0, 2.0, 3.0)
    result = bpy.ops.meshsmith.generate(provider="SEGMIND", image_path=str(png_file), prompt="a red pot")
    assert result == {"FINISHED"}
    obj = bpy.context.active_object
    assert obj.name == "a red pot" and obj.type == "MESH" and obj.select_get()
    assert [c.name for c in obj.users_collection] == ["Meshsmith"]
    assert tuple(round(v, 4) for v in obj.location) == (1.0, 2.0, 3.0)
    assert obj["meshsmith_provider"] == "SEGMIND"
    assert obj["meshsmith_job_id"] and obj["meshsmith_num_inference_steps"] == 30
    assert isinstance(obj["meshsmith_seed"], str) and 0 <= int(obj["meshsmith_seed"]) < 2**32
    material = obj.material_slots[0].material
    assert _socket_image(material, "Base Color").colorspace_settings.name == "sRGB"
    for socket in ("Metallic", "Roughness", "Normal"):
        assert _socket_image(material, socket).colorspace_settings.name == "Non-Color"
    bsdf = next(node for node in material.node_tree.nodes if node.type == "BSDF_PRINCIPLED")
    assert bsdf.inputs["Normal"].links[0].from_node.type == "NORMAL_MAP"


def test_scene_settings_drive_the_request(png_file, sandbox_of_addon):
    settings = bpy.context.scene.meshsmith.segmind
    settings.octree_resolution, settings.num_inference_steps, settings.seed, settings.face_count = "384", 42, 777, 9000
    bpy.ops.meshsmith.generate(provider="SEGMIND", image_path=str(png_file))
    body = next(iter(sandbox_of_addon.segmind.config.jobs.values())).body
    assert (body["octree_resolution"], body["num_inference_steps"], body["seed"], body["face_count"]) == ("384", 42, 777, 9000)
    assert bpy.context.active_object["meshsmith_seed"] == "777"


def test_the_sidebar_image_is_used_when_no_path_is_given(png_file):
    bpy.context.scene.meshsmith.image = bpy.data.images.load(str(png_file))
    assert bpy.ops.meshsmith.generate(provider="SEGMIND") == {"FINISHED"}
    assert bpy.context.active_object.name == "reference"


@pytest.mark.parametrize("answer", ["json", "glb"])
def test_the_direct_api_works_with_both_answers(png_file, sandbox_of_addon, answer):
    sandbox_of_addon.segmind.config.v1_answer = answer
    bpy.context.scene.meshsmith.segmind.api_mode = "SYNC"
    assert bpy.ops.meshsmith.generate(provider="SEGMIND", image_path=str(png_file)) == {"FINISHED"}


def test_one_undo_step_removes_the_import(png_file):
    bpy.ops.ed.undo_push(message="before")
    before = _objects()
    bpy.ops.meshsmith.generate(provider="SEGMIND", image_path=str(png_file))
    assert _objects() != before
    bpy.ops.ed.undo()
    assert _objects() == before


def test_a_bad_key_gives_a_clear_error_and_leaves_the_scene_unchanged(png_file, sandbox_of_addon):
    prefs = submodule("host.preferences").get()
    prefs.use_sandbox = False
    prefs.segmind_base_url = sandbox_of_addon.url
    prefs.segmind_api_key = "definitely-the-wrong-key"
    before = _objects()
    with pytest.raises(RuntimeError, match="refused the API key") as caught:
        bpy.ops.meshsmith.generate(provider="SEGMIND", image_path=str(png_file))
    assert "definitely-the-wrong-key" not in str(caught.value)
    assert _objects() == before and "Meshsmith" not in bpy.data.collections


def test_no_key_is_refused_before_anything_is_sent(png_file, sandbox_of_addon):
    prefs = submodule("host.preferences").get()
    prefs.use_sandbox = False
    prefs.segmind_base_url = sandbox_of_addon.url
    with pytest.raises(RuntimeError, match="No Segmind API key"):
        bpy.ops.meshsmith.generate(provider="SEGMIND", image_path=str(png_file))
    assert sandbox_of_addon.segmind.creating_posts == 0


def test_a_failed_job_is_reported_and_the_scene_is_unchanged(png_file, sandbox_of_addon):
    sandbox_of_addon.segmind.config.fail_next = 1
    before = _objects()
    with pytest.raises(RuntimeError, match="could not generate"):
        bpy.ops.meshsmith.generate(provider="SEGMIND", image_path=str(png_file))
    assert _objects() == before


@pytest.mark.parametrize(("name", "content", "message"), [
    ("missing.png", None, "does not exist"),
    ("empty.png", b"", "empty"),
    ("notes.png", b"just some text, not pixels", "not a PNG"),
])
def test_bad_image_files_are_refused_before_spending(tmp_path, sandbox_of_addon, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(RuntimeError, match=message):
        bpy.ops.meshsmith.generate(provider="SEGMIND", image_path=str(path))
    assert sandbox_of_addon.segmind.creating_posts == 0


def test_out_of_range_parameters_set_from_python_are_refused(png_file, sandbox_of_addon):
    segmind = bpy.context.scene.meshsmith.segmind
    segmind.face_count = 10  # through RNA, Blender clamps to the documented minimum
    assert segmind.face_count == 5000
    # A raw ID property write (a script, a file edited elsewhere) bypasses the clamp: the provider's own check
    # refuses it, with the field's name, before anything is sent.
    for name, value, message in (("face_count", 10, "face_count"), ("num_inference_steps", 500, "num_inference_steps")):
        bpy.context.scene.property_unset("meshsmith")
        bpy.context.scene.meshsmith.segmind[name] = value  # a fresh reference: unset frees the old group
        with pytest.raises(RuntimeError, match=f"Segmind cannot use these settings: .*\\({message}\\) must be"):
            bpy.ops.meshsmith.generate(provider="SEGMIND", image_path=str(png_file))
    assert sandbox_of_addon.segmind.creating_posts == 0
    bpy.context.scene.property_unset("meshsmith")
    bpy.context.scene.meshsmith.segmind.seed = 2**31 - 1  # the largest seed Blender holds is within Segmind's range: accepted
    assert bpy.ops.meshsmith.generate(provider="SEGMIND", image_path=str(png_file)) == {"FINISHED"}


def test_offline_is_refused_with_the_way_to_fix_it(png_file):
    submodule("host.preferences").get().use_sandbox = False
    bpy.context.preferences.system.use_online_access = False
    try:
        assert not bpy.ops.meshsmith.generate.poll()
        with pytest.raises(RuntimeError, match="Allow Online Access"):
            bpy.ops.meshsmith.generate(provider="SEGMIND", image_path=str(png_file))
    finally:
        bpy.context.preferences.system.use_online_access = True


def test_the_key_never_reaches_a_saved_blend_or_the_journal(png_file, sandbox_of_addon, tmp_path, blender):
    from importlib import import_module

    valid_key = import_module(MODULE_NAME + ".sandbox.segmind").VALID_KEY
    prefs = submodule("host.preferences").get()
    prefs.use_sandbox = False
    prefs.segmind_base_url = sandbox_of_addon.url
    prefs.segmind_api_key = valid_key
    assert bpy.ops.meshsmith.generate(provider="SEGMIND", image_path=str(png_file)) == {"FINISHED"}
    blend = tmp_path / "scene.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(blend), compress=False, copy=True)
    assert valid_key.encode() not in blend.read_bytes()
    stored = blender.engine().store.files()
    assert stored and all(valid_key.encode() not in path.read_bytes() for path in stored)


@pytest.mark.parametrize("provider_name", ["SEGMIND", "SCENARIO"])
def test_a_resumed_job_is_imported_exactly_once(png_file, blender, sandbox_of_addon, provider_name):
    from importlib import import_module

    records = import_module(MODULE_NAME + ".jobs.records")
    engine = blender.engine()
    provider = blender.make_provider(provider_name)
    provider.poll_interval = 0.5
    job = records.JobRecord(provider=provider_name, label="resumed", inputs={"image_path": str(png_file)},
                            output_dir=str(blender.results_dir() / "resumed"))
    engine.submit(job, provider)
    while not engine.get(job.id).remote_id:
        engine.wait_for_updates(0.05)
        blender.drain()
    blender.close_engine()  # Blender closes while the job is queued
    assert blender.engine().get(job.id).remote_id
    blender.resume_jobs()
    for _ in range(200):
        blender.engine().wait_for_updates(0.05)
        blender.drain()
        if blender.engine().get(job.id).state is records.JobState.IMPORTED:
            break
    assert blender.engine().get(job.id).state is records.JobState.IMPORTED
    blender.drain()
    assert len([o for o in bpy.data.objects if o.get("meshsmith_job_id") == job.id]) == 1
    simulator = sandbox_of_addon.segmind if provider_name == "SEGMIND" else sandbox_of_addon.scenario
    assert simulator.creating_posts == 1


def test_scenario_generates_a_pbr_wired_object(png_file, sandbox_of_addon):
    scenario = bpy.context.scene.meshsmith.scenario
    scenario.steps, scenario.target_face_num, scenario.seed = 40, 20000, 31337
    assert bpy.ops.meshsmith.generate(provider="SCENARIO", image_path=str(png_file)) == {"FINISHED"}
    obj = bpy.context.active_object
    assert obj["meshsmith_provider"] == "SCENARIO" and obj["meshsmith_seed"] == "31337"
    material = obj.material_slots[0].material
    assert _socket_image(material, "Base Color").colorspace_settings.name == "sRGB"
    for socket in ("Metallic", "Roughness", "Normal"):
        assert _socket_image(material, socket).colorspace_settings.name == "Non-Color"
    job = next(iter(sandbox_of_addon.scenario.jobs.values()))
    assert (job.inputs["steps"], job.inputs["targetFaceNum"]) == (40, 20000)
    record = submodule("host.runtime").engine().get(obj["meshsmith_job_id"])
    assert record.cost == 20


def test_scenario_separate_maps_are_wired_into_one_principled_bsdf(png_file, sandbox_of_addon):
    sandbox_of_addon.scenario.config.separate_maps = True
    assert bpy.ops.meshsmith.generate(provider="SCENARIO", image_path=str(png_file)) == {"FINISHED"}
    obj = bpy.context.active_object
    materials = {slot.material for slot in obj.material_slots}
    assert len(materials) == 1
    (material,) = materials
    bsdfs = [node for node in material.node_tree.nodes if node.type == "BSDF_PRINCIPLED"]
    assert len(bsdfs) == 1
    assert _socket_image(material, "Base Color").colorspace_settings.name == "sRGB"
    assert "base_color" in _socket_image(material, "Base Color").filepath
    for socket, name in (("Metallic", "metallic"), ("Roughness", "roughness"), ("Normal", "normal")):
        image = _socket_image(material, socket)
        assert image.colorspace_settings.name == "Non-Color" and name in image.filepath
    assert bsdfs[0].inputs["Normal"].links[0].from_node.type == "NORMAL_MAP"


def test_scenario_cost_estimate_prices_the_whole_job_and_spends_nothing(png_file, sandbox_of_addon):
    bpy.context.scene.meshsmith.image_path = str(png_file)
    assert bpy.ops.meshsmith.estimate_cost() == {"FINISHED"}
    assert bpy.context.window_manager.meshsmith.scenario_estimate == "20"
    assert sandbox_of_addon.scenario.creating_posts == 0 and sandbox_of_addon.scenario.uploads == 1
    # The job that follows reuses the estimate's upload of the same image.
    assert bpy.ops.meshsmith.generate(provider="SCENARIO") == {"FINISHED"}
    assert sandbox_of_addon.scenario.uploads == 1 and sandbox_of_addon.scenario.creating_posts == 1


def test_scenario_cost_estimate_without_an_image_says_so(sandbox_of_addon):
    with pytest.raises(RuntimeError, match="Choose a reference image"):
        bpy.ops.meshsmith.estimate_cost()


def test_scenario_without_a_secret_is_refused(png_file, sandbox_of_addon):
    prefs = submodule("host.preferences").get()
    prefs.use_sandbox = False
    prefs.scenario_base_url = sandbox_of_addon.url
    prefs.scenario_api_key = "only-the-key"
    try:
        with pytest.raises(RuntimeError, match="secret"):
            bpy.ops.meshsmith.generate(provider="SCENARIO", image_path=str(png_file))
    finally:
        prefs.scenario_api_key = ""
        prefs.scenario_base_url = ""


@pytest.mark.parametrize("provider", ["SEGMIND", "SCENARIO"])
def test_a_big_photo_is_sent_at_the_models_input_size(tmp_path, sandbox_of_addon, provider):
    import base64
    import struct

    image = bpy.data.images.new("photo", 2400, 1600)
    path = tmp_path / "photo.png"
    image.filepath_raw, image.file_format = str(path), "PNG"
    image.save()
    assert bpy.ops.meshsmith.generate(provider=provider, image_path=str(path)) == {"FINISHED"}
    if provider == "SEGMIND":
        sent = base64.b64decode(next(iter(sandbox_of_addon.segmind.config.jobs.values())).body["image"])
    else:
        sent = next(a.data for a in sandbox_of_addon.scenario.assets.values() if a.type == "uploaded")
    width, height = struct.unpack(">II", sent[16:24])  # the PNG header's size
    assert (width, height) == (518, 345)


def test_a_base_colour_with_alpha_is_wired_to_alpha_and_one_without_is_not(tmp_path):
    assets, materials, channels = submodule("sandbox.assets"), submodule("mesh_io.materials"), submodule("providers.channels")
    cutout = tmp_path / "leaf_base_color.png"
    # RGBA: every other pixel transparent
    cutout.write_bytes(assets.encode_png(4, 4, [bytes([40, 160, 40, 0, 40, 160, 40, 255] * 2) for _ in range(4)], channels=4))
    opaque = tmp_path / "bark_base_color.png"
    opaque.write_bytes(assets.encode_png(4, 4, [bytes([90, 60, 30] * 4) for _ in range(4)]))
    for path, wired in ((cutout, True), (opaque, False)):
        material = materials.build_material_from_maps(path.stem, {channels.Channel.BASE_COLOR: path})
        bsdf = next(node for node in material.node_tree.nodes if node.type == "BSDF_PRINCIPLED")
        links = bsdf.inputs["Alpha"].links
        assert bool(links) is wired, path.name
        if wired:
            assert links[0].from_socket.name == "Alpha" and links[0].from_node.image.name == path.name
