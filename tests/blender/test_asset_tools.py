"""Remesh and UV Unwrap (Meshy's API v2, v1 switched off) on the selected object, through the operators: the result
is a new version of the object with its look kept, the original hidden and never deleted, switchable both ways."""

from __future__ import annotations

import bpy
import numpy as np
import pytest

from blender_helpers import submodule


@pytest.fixture(autouse=True)
def v1_gone(sandbox_of_addon):
    sandbox_of_addon.meshy.config.v1_off = True


def _painted_sphere(name="Vase"):
    """A dense sphere whose material is red on top and blue below (a look the remesh must carry over)."""
    bpy.ops.mesh.primitive_uv_sphere_add(segments=48, ring_count=24, radius=0.8, location=(1.0, 2.0, 0.5))
    obj = bpy.context.active_object
    obj.name = name
    material = bpy.data.materials.new("Two Tone")
    if bpy.app.version < (5, 0, 0):
        material.use_nodes = True
    tree = material.node_tree
    bsdf = next(node for node in tree.nodes if node.type == "BSDF_PRINCIPLED")
    image = bpy.data.images.new("two tone", 8, 8)
    pixels = np.zeros((8, 8, 4), dtype=np.float32)
    pixels[4:, :] = (1.0, 0.0, 0.0, 1.0)  # the upper half of the UV space (the sphere's top): red
    pixels[:4, :] = (0.0, 0.0, 1.0, 1.0)
    image.pixels.foreach_set(pixels.ravel())
    image.pack()
    texture = tree.nodes.new("ShaderNodeTexImage")
    texture.image = image
    tree.links.new(texture.outputs["Color"], bsdf.inputs["Base Color"])
    obj.data.materials.append(material)
    return obj


def _versions(obj):
    return [version.name for version in submodule("mesh_io.object_versions").object_versions(obj)]


def test_remesh_makes_a_new_version_with_fewer_faces_and_the_objects_look_baked_on(sandbox_of_addon):
    obj = _painted_sphere()
    faces_before = len(obj.data.polygons)
    bpy.context.scene.meshsmith.bake_resolution = "1024"
    assert bpy.ops.meshsmith.remesh(provider="MESHY", topology="QUAD", target_polycount=400) == {"FINISHED"}
    task = next(iter(sandbox_of_addon.meshy.tasks.values()))
    assert task.v2 and task.kind == "remesh" and task.body == {"topology": "quad", "target_polycount": 400}
    remeshed = bpy.data.objects["Vase remeshed"]
    assert 0 < len(remeshed.data.polygons) <= 400 < faces_before
    assert obj.name in bpy.data.objects and obj.hide_get() and obj.hide_render  # hidden, never deleted
    assert not remeshed.hide_get() and not remeshed.hide_render and bpy.context.active_object == remeshed
    assert np.allclose(remeshed.matrix_world, obj.matrix_world, atol=1e-5)
    # The look came over: the baked base colour is red where the sphere's top is, blue below.
    bsdf = next(n for n in remeshed.material_slots[0].material.node_tree.nodes if n.type == "BSDF_PRINCIPLED")
    baked = bsdf.inputs["Base Color"].links[0].from_node.image
    assert baked.name.startswith("baked_base_color")
    pixels = np.empty(baked.size[0] * baked.size[1] * 4, dtype=np.float32)
    baked.pixels.foreach_get(pixels)
    colours = pixels.reshape(-1, 4)[:, :3]
    assert (colours[:, 0] > 0.5).sum() > 100 and (colours[:, 2] > 0.5).sum() > 100
    assert _versions(obj) == ["Vase", "Vase remeshed"] and obj.material_slots[0].material.name == "Two Tone"
    record = submodule("host.runtime").engine().jobs()[-1]
    assert record.kind.value == "REMESH" and record.cost == 5 and record.state.value == "IMPORTED"


def test_versions_switch_both_ways_and_with_undo(sandbox_of_addon):
    _painted_sphere()
    bpy.context.scene.meshsmith.bake_resolution = "1024"
    assert bpy.ops.meshsmith.remesh(provider="MESHY", topology="TRIANGLE", target_polycount=300) == {"FINISHED"}
    bpy.ops.ed.undo_push(message="remeshed")
    assert bpy.ops.meshsmith.show_object_version(object_name="Vase") == {"FINISHED"}
    vase, remeshed = bpy.data.objects["Vase"], bpy.data.objects["Vase remeshed"]
    assert not vase.hide_get() and remeshed.hide_get() and remeshed.hide_render
    bpy.ops.ed.undo()
    vase, remeshed = bpy.data.objects["Vase"], bpy.data.objects["Vase remeshed"]
    assert vase.hide_get() and not remeshed.hide_get()
    assert bpy.ops.meshsmith.show_object_version(object_name="Vase") == {"FINISHED"}
    assert bpy.ops.meshsmith.show_object_version(object_name="Vase remeshed") == {"FINISHED"}
    assert bpy.data.objects["Vase"].hide_get() and not bpy.data.objects["Vase remeshed"].hide_get()


def test_uv_unwrap_adds_the_new_uv_map_active_for_rendering_and_keeps_the_old_look(sandbox_of_addon):
    obj = _painted_sphere()
    assert bpy.ops.meshsmith.uv_unwrap(provider="MESHY") == {"FINISHED"}
    unwrapped = bpy.data.objects["Vase unwrapped"]
    layers = unwrapped.data.uv_layers
    assert [layer.name for layer in layers] == ["UVMap", "Meshy UV"]
    assert layers["Meshy UV"].active_render and layers.active.name == "Meshy UV"
    assert [layer.name for layer in obj.data.uv_layers] == ["UVMap"] and obj.hide_get()  # the original untouched
    old, new = (np.empty(len(layers[0].data) * 2) for _ in range(2))
    layers["UVMap"].data.foreach_get("uv", old)
    layers["Meshy UV"].data.foreach_get("uv", new)
    assert not np.allclose(old, new) and 0.0 <= new.min() and new.max() <= 1.0 and np.ptp(new) > 0.5
    # The material still reads the map it read before: the look does not change.
    tree = unwrapped.material_slots[0].material.node_tree
    texture = next(node for node in tree.nodes if node.type == "TEX_IMAGE")
    assert texture.inputs["Vector"].links[0].from_node.uv_map == "UVMap"
    assert len(unwrapped.data.polygons) == len(obj.data.polygons)
    assert _versions(obj) == ["Vase", "Vase unwrapped"]
    assert "meshsmith_uid" not in unwrapped.keys()


def test_a_mesh_over_the_unwrap_face_limit_is_told_to_remesh_first(sandbox_of_addon):
    _painted_sphere()
    sandbox_of_addon.meshy.config.uv_unwrap_face_limit = 500
    with pytest.raises(RuntimeError, match="remesh it first"):
        bpy.ops.meshsmith.uv_unwrap(provider="MESHY")
    assert sandbox_of_addon.meshy.creating_posts == 0


def test_the_panel_shows_each_tool_with_its_cost(sandbox_of_addon):
    from test_register_and_panels import RecordingLayout

    _painted_sphere()
    log: list[str] = []
    panel = submodule("panels.asset_tools").VIEW3D_PT_meshsmith_asset_tools
    panel.draw(type("FakePanel", (), {"layout": RecordingLayout(log)})(), bpy.context)
    drawn = " | ".join(log)
    assert "Remesh (about 5 credits)" in drawn and "UV Unwrap (about 5 credits)" in drawn


def test_an_object_with_shape_keys_is_refused_before_anything_is_sent(sandbox_of_addon):
    obj = _painted_sphere()
    obj.shape_key_add(name="Basis")
    with pytest.raises(RuntimeError, match="has shape keys"):
        bpy.ops.meshsmith.uv_unwrap(provider="MESHY")
    with pytest.raises(RuntimeError, match="shape keys"):
        bpy.ops.meshsmith.remesh(provider="MESHY")
    assert sandbox_of_addon.meshy.creating_posts == 0
