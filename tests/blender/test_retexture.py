"""Retexture in real Blender against the sandbox: export, wiring onto the artist's own mesh, undo, the no-UV path."""

from __future__ import annotations

import json
import struct
import time
from pathlib import Path

import bpy
import pytest

from blender_helpers import submodule
from tools.blender_env import MODULE_NAME


def _cube(name="Crate", *, uvs=True, location=(2.0, 0.0, 0.0)):
    bpy.ops.mesh.primitive_cube_add(location=location)
    obj = bpy.context.active_object
    obj.name = name
    if not uvs:
        while obj.data.uv_layers:
            obj.data.uv_layers.remove(obj.data.uv_layers[0])
    old = bpy.data.materials.new("Old Paint")
    obj.data.materials.append(old)
    return obj


def _gltf(path: Path) -> dict:
    data = path.read_bytes()
    assert data[:4] == b"glTF"
    length = struct.unpack_from("<I", data, 12)[0]
    return json.loads(data[20:20 + length])


def _feeding(material, socket):
    bsdf = next(n for n in material.node_tree.nodes if n.type == "BSDF_PRINCIPLED")
    node = bsdf.inputs[socket].links[0].from_node
    while node.type != "TEX_IMAGE":
        node = next(i for i in node.inputs if i.links).links[0].from_node
    return node.image


def test_export_carries_only_the_active_object_with_modifiers_and_uvs(tmp_path):
    _cube("Other", location=(-3, 0, 0))
    obj = _cube("Crate")
    obj.modifiers.new("Sub", "SUBSURF").levels = 1
    bpy.data.objects["Other"].select_set(True)
    exporter = submodule("mesh_io.exporter")
    path = exporter.export_object_glb(obj, tmp_path / "out.glb", require_uvs=True)
    gltf = _gltf(path)
    assert len(gltf["meshes"]) == 1 and len(gltf["nodes"]) == 1 and gltf["nodes"][0]["name"] == "Crate"
    primitive = gltf["meshes"][0]["primitives"][0]
    assert "TEXCOORD_0" in primitive["attributes"]
    assert gltf["accessors"][primitive["indices"]]["count"] // 3 == 48  # 6 quads subdivided once, triangulated
    assert bpy.data.objects["Other"].select_get() and bpy.context.view_layer.objects.active == obj


def test_retexture_wires_a_new_material_onto_the_original(sandbox_of_addon):
    obj = _cube()
    assert bpy.ops.meshsmith.retexture(provider="MESHY", style_prompt="rusty metal crate") == {"FINISHED"}
    assert bpy.context.scene.objects.get("Crate") is obj and len(bpy.data.objects) == 1
    material = obj.material_slots[0].material
    assert material.name.startswith("Crate Meshy")
    assert _feeding(material, "Base Color").colorspace_settings.name == "sRGB"
    for socket in ("Metallic", "Roughness", "Normal"):
        assert _feeding(material, socket).colorspace_settings.name == "Non-Color"
    bsdf = next(n for n in material.node_tree.nodes if n.type == "BSDF_PRINCIPLED")
    assert bsdf.inputs["Normal"].links[0].from_node.type == "NORMAL_MAP"
    assert _feeding(material, "Emission Color").colorspace_settings.name == "sRGB"
    assert bsdf.inputs["Emission Strength"].default_value == 1.0
    assert bpy.data.materials["Old Paint"].use_fake_user  # the old material stays in the file
    task = next(iter(sandbox_of_addon.meshy.tasks.values()))
    assert task.v2 and task.body["texture_prompt"] == "rusty metal crate" and "enable_original_uv" not in task.body
    record = submodule("host.runtime").engine().jobs()[-1]
    # Meshy kept the UVs it was sent (v2's default): its maps go onto the mesh as they are, nothing is baked.
    assert record.delivery.value == "MAPS_ONTO_TARGET" and not _feeding(material, "Base Color").name.startswith("baked")


def test_swapped_normal_and_roughness_urls_are_caught(sandbox_of_addon):
    sandbox_of_addon.meshy.config.swap_normal_roughness = True
    obj = _cube()
    bpy.ops.meshsmith.retexture(provider="MESHY", style_prompt="marble")
    material = obj.material_slots[0].material
    task = next(iter(sandbox_of_addon.meshy.tasks.values()))
    normal = Path(bpy.path.abspath(_feeding(material, "Normal").filepath)).read_bytes()
    roughness = Path(bpy.path.abspath(_feeding(material, "Roughness").filepath)).read_bytes()
    assert normal == task.files["texture_0_normal.png"]
    assert roughness == task.files["texture_0_roughness.png"]


def test_one_undo_brings_the_old_material_back(sandbox_of_addon):
    _cube()
    bpy.ops.ed.undo_push(message="before")
    bpy.ops.meshsmith.retexture(provider="MESHY", style_prompt="gold")
    assert bpy.data.objects["Crate"].material_slots[0].material.name != "Old Paint"
    bpy.ops.ed.undo()  # Python references to Blender data are stale after undo: look them up again
    assert bpy.data.objects["Crate"].material_slots[0].material.name == "Old Paint"


def test_a_result_with_meshys_own_uvs_is_baked_onto_the_meshs_uvs(sandbox_of_addon):
    sandbox_of_addon.meshy.config.v2_keeps_uvs = False
    obj = _cube()
    bpy.context.scene.meshsmith.bake_resolution = "1024"
    assert bpy.ops.meshsmith.retexture(provider="MESHY", style_prompt="comic") == {"FINISHED"}
    assert submodule("host.runtime").engine().jobs()[-1].delivery.value == "BAKE_ONTO_TARGET"
    assert _feeding(obj.material_slots[0].material, "Base Color").name.startswith("baked_base_color")


def test_a_mesh_without_uvs_is_unwrapped_and_textured(sandbox_of_addon):
    obj = _cube(uvs=False)
    bpy.context.scene.meshsmith.bake_resolution = "1024"
    assert bpy.ops.meshsmith.retexture(provider="MESHY", style_prompt="stone") == {"FINISHED"}
    assert obj.data.uv_layers and obj.material_slots[0].material.name.startswith("Crate Meshy")
    assert sandbox_of_addon.meshy.creating_posts == 1


@pytest.mark.parametrize("kind", ["EMPTY", "CAMERA", "NONE"])
def test_retexture_is_disabled_for_anything_but_a_mesh(kind):
    if kind == "EMPTY":
        bpy.ops.object.empty_add()
    elif kind == "CAMERA":
        bpy.ops.object.camera_add()
    else:
        bpy.context.view_layer.objects.active = None
    assert not bpy.ops.meshsmith.retexture.poll()


def test_an_empty_mesh_is_refused(sandbox_of_addon):
    mesh = bpy.data.meshes.new("Nothing")
    obj = bpy.data.objects.new("Nothing", mesh)
    bpy.context.scene.collection.objects.link(obj)
    bpy.context.view_layer.objects.active = obj
    with pytest.raises(RuntimeError, match="no faces"):
        bpy.ops.meshsmith.retexture(provider="MESHY", style_prompt="x")


def test_no_style_is_refused(sandbox_of_addon):
    _cube()
    with pytest.raises(RuntimeError, match="Describe the style"):
        bpy.ops.meshsmith.retexture(provider="MESHY")


def test_a_failed_task_leaves_the_mesh_as_it_was(sandbox_of_addon):
    obj = _cube()
    sandbox_of_addon.meshy.config.fail_next = 1
    with pytest.raises(RuntimeError, match="could not use the mesh or the style input"):
        bpy.ops.meshsmith.retexture(provider="MESHY", style_prompt="x")
    assert obj.material_slots[0].material.name == "Old Paint"


def test_tasks_made_elsewhere_can_be_fetched_and_imported(sandbox_of_addon, blender, tmp_path):
    from importlib import import_module

    base = MODULE_NAME
    meshy = import_module(base + ".providers.meshy.client")
    http = import_module(base + ".net.http")
    assets = import_module(base + ".sandbox.assets")
    outside = meshy.MeshyProvider(http.HttpClient(), import_module(base + ".sandbox.meshy").VALID_KEY, base_url=sandbox_of_addon.url)
    mesh = tmp_path / "m.glb"
    mesh.write_bytes(assets.make_model_glb(3, face_count=300, texture=False))
    made = outside.submit(outside.prepare({}, {"mesh_path": str(mesh), "style_prompt": "made on the website"}), lambda rid: None)
    assert bpy.ops.meshsmith.fetch_meshy_tasks() == {"FINISHED"}
    engine = blender.engine()
    (record,) = [r for r in engine.jobs() if r.remote_id == made.remote_id]
    for _ in range(200):
        engine.wait_for_updates(0.05)
        blender.drain()
        if engine.get(record.id).state.value == "READY":
            break
    assert engine.get(record.id).state.value == "READY"  # waits for the artist to press Import
    assert bpy.ops.meshsmith.import_job(job_id=record.id) == {"FINISHED"}
    assert bpy.context.active_object["meshsmith_remote_id"] == made.remote_id
    assert bpy.ops.meshsmith.fetch_meshy_tasks() == {"FINISHED"}
    assert len([r for r in engine.jobs() if r.remote_id == made.remote_id]) == 1
    assert sandbox_of_addon.meshy.creating_posts == 1


def test_balance_is_shown(sandbox_of_addon):
    assert bpy.ops.meshsmith.refresh_credits(provider="MESHY") == {"FINISHED"}
    assert bpy.context.window_manager.meshsmith.meshy_balance == "1000"


def test_with_meshys_v1_gone_an_image_style_retextures_and_a_cancel_reaches_meshy(sandbox_of_addon, png_file):
    sandbox_of_addon.meshy.config.v1_off = True
    obj = _cube()
    assert bpy.ops.meshsmith.retexture(provider="MESHY", image_path=str(png_file)) == {"FINISHED"}
    task = next(iter(sandbox_of_addon.meshy.tasks.values()))
    assert task.v2 and task.body["texture_image_url"].startswith("data:image/png") and "texture_prompt" not in task.body
    assert obj.material_slots[0].material.name.startswith("Crate Meshy")
    # A job canceled while Meshy runs it: Meshy is asked to stop it (DELETE on v2's task route).
    runtime = submodule("host.runtime")
    provider = runtime.make_provider("MESHY", bpy.context)
    record = runtime.submit(submodule("operators.retexture").build_retexture_job(bpy.context, "MESHY", "gold", ""),
                            provider)
    deadline = time.monotonic() + 10
    while not runtime.engine().get(record.id).remote_id and time.monotonic() < deadline:
        runtime.engine().wait_for_updates(0.05)
        runtime.drain(bpy.context)
    assert bpy.ops.meshsmith.cancel_job(job_id=record.id) == {"FINISHED"}
    deadline = time.monotonic() + 10
    while not sandbox_of_addon.requests_matching("DELETE", "/openapi/v2/tasks/") and time.monotonic() < deadline:
        time.sleep(0.05)
    remote = runtime.engine().get(record.id).remote_id.removeprefix("v2:")
    assert sandbox_of_addon.meshy.tasks[remote].canceled
    assert runtime.engine().get(record.id).state.value == "CANCELED"
