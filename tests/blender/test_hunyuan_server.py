"""A self-hosted Hunyuan3D server from Blender, against the built-in sandbox's simulated 2.0 server: generate
through the registry's generic path, the settings drawn from the schema, retexture baked onto the object."""

from __future__ import annotations

import bpy

from blender_helpers import submodule


def test_generate_on_a_self_hosted_server(sandbox_of_addon, png_file):
    settings = bpy.context.scene.meshsmith.hunyuan_server
    settings.octree_resolution, settings.seed, settings.timeout_s = 384, 7, 60
    assert bpy.ops.meshsmith.generate(provider="HUNYUAN_SERVER", image_path=str(png_file)) == {"FINISHED"}
    obj = bpy.context.active_object
    assert obj["meshsmith_provider"] == "HUNYUAN_SERVER" and obj.material_slots
    body = next(iter(sandbox_of_addon.hunyuan_server.jobs.values())).body
    assert body["octree_resolution"] == 384 and body["seed"] == 7 and "timeout_s" not in body
    assert not body["image"].startswith("data:")


def test_retexture_on_a_2_0_server_is_baked_onto_the_object(sandbox_of_addon, png_file):
    bpy.ops.mesh.primitive_uv_sphere_add(segments=24, ring_count=12)
    obj = bpy.context.active_object
    bpy.context.scene.meshsmith.bake_resolution = "1024"
    vertices = len(obj.data.vertices)
    assert bpy.ops.meshsmith.retexture(provider="HUNYUAN_SERVER", image_path=str(png_file)) == {"FINISHED"}
    assert len(obj.data.vertices) == vertices and obj.material_slots[0].material.name.endswith("Hunyuan_Server")
    assert len(submodule("mesh_io.versions").versions(obj)) == 2


def test_without_a_server_address_the_button_says_what_to_add(blender):
    submodule("preferences").get().use_sandbox = False
    reason, fix = submodule("operators.generate").blocker(bpy.context, "HUNYUAN_SERVER")
    assert "Hunyuan3D server's address" in reason and fix == "OPEN_PREFERENCES"


def test_a_seed_past_blenders_integer_range_is_kept_as_text():
    tag_value = submodule("mesh_io.importer").tag_value
    assert tag_value(2 ** 32 - 1) == "4294967295" and tag_value(7) == 7 and tag_value(True) is True
    obj = bpy.data.objects.new("Probe", None)
    obj["meshsmith_seed"] = tag_value(2 ** 32 - 1)  # an int there would raise OverflowError
