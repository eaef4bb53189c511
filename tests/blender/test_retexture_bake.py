"""Retexture through a result with a mesh of its own (Hunyuan3D-Paint on Segmind, Meshy without original UVs),
baked onto the artist's object in a background Blender, in real Blender against the sandbox.

The sandbox paints the given mesh as the service does (every vertex new, UVs re-unwrapped) with a base colour
that is a known function of the surface position, so the bake can be checked for what it copied: sampled on
the artist's object through the object's own UVs, each point must show the colour of its position.
"""

from __future__ import annotations

import base64
import random
from pathlib import Path

import bpy
import numpy as np
import pytest

from blender_helpers import submodule


def _sphere(name="Vase", *, uvs=True):
    bpy.ops.mesh.primitive_uv_sphere_add(segments=32, ring_count=16, radius=0.8, location=(1.0, 2.0, 0.5),
                                         rotation=(0.3, 0.0, 0.7))
    obj = bpy.context.active_object
    obj.name = name
    obj.scale = (1.0, 1.0, 1.4)
    if not uvs:
        while obj.data.uv_layers:
            obj.data.uv_layers.remove(obj.data.uv_layers[0])
    obj.data.materials.append(bpy.data.materials.new("Old Paint"))
    bpy.ops.object.shade_smooth()
    return obj


def _coordinates(obj) -> np.ndarray:
    values = np.empty(len(obj.data.vertices) * 3)
    obj.data.vertices.foreach_get("co", values)
    return values


def _uv_data(obj) -> dict[str, np.ndarray]:
    found = {}
    for layer in obj.data.uv_layers:
        values = np.empty(len(layer.data) * 2)
        layer.data.foreach_get("uv", values)
        found[layer.name] = values
    return found


def _job(blender):
    engine = blender.engine()
    return next(record for record in engine.jobs() if record.kind.value == "RETEXTURE")


def _srgb_to_linear(value: np.ndarray) -> np.ndarray:
    return np.where(value <= 0.04045, value / 12.92, ((value + 0.055) / 1.055) ** 2.4)


def _sample(image, uv: np.ndarray) -> np.ndarray:
    """Bilinear RGB of ``image`` at Blender UVs (origin bottom left), as stored (sRGB values for a PNG)."""
    width, height = image.size
    pixels = np.empty(width * height * 4, dtype=np.float32)
    image.pixels.foreach_get(pixels)
    pixels = pixels.reshape(height, width, 4)[..., :3]
    x, y = uv[:, 0] * width - 0.5, uv[:, 1] * height - 0.5
    x0, y0 = np.clip(np.floor(x).astype(int), 0, width - 2), np.clip(np.floor(y).astype(int), 0, height - 2)
    fx, fy = (x - x0)[:, None], (y - y0)[:, None]
    return ((pixels[y0, x0] * (1 - fx) + pixels[y0, x0 + 1] * fx) * (1 - fy)
            + (pixels[y0 + 1, x0] * (1 - fx) + pixels[y0 + 1, x0 + 1] * fx) * fy)


def _base_colour_image(material):
    bsdf = next(node for node in material.node_tree.nodes if node.type == "BSDF_PRINCIPLED")
    return bsdf.inputs["Base Color"].links[0].from_node.image


def test_segmind_paints_the_mesh_and_the_result_is_baked_onto_the_artists_own_object(sandbox_of_addon, png_file,
                                                                                       blender):
    obj = _sphere()
    before_co, before_uv = _coordinates(obj), _uv_data(obj)
    bpy.context.scene.meshsmith.bake_resolution = "1024"
    assert bpy.ops.meshsmith.retexture(provider="SEGMIND", image_path=str(png_file)) == {"FINISHED"}
    # The service got the mesh alone, as raw base64 GLB, with the reference image and texture on.
    body = next(iter(sandbox_of_addon.segmind.config.jobs.values())).body
    assert base64.b64decode(body["mesh"])[:4] == b"glTF" and body["texture"] is True and body["image"]
    # The artist's object is the one that changed, and only its material did.
    assert [o.name for o in bpy.data.objects] == ["Vase"]
    assert np.array_equal(_coordinates(obj), before_co)
    after_uv = _uv_data(obj)
    assert after_uv.keys() == before_uv.keys() and all(np.array_equal(after_uv[k], before_uv[k]) for k in before_uv)
    material = obj.material_slots[0].material
    assert material.name.startswith("Vase Segmind") and bpy.data.materials["Old Paint"].use_fake_user
    nodes = material.node_tree.nodes
    bsdf = next(node for node in nodes if node.type == "BSDF_PRINCIPLED")
    colour = {socket: bsdf.inputs[socket].links[0].from_node for socket in ("Base Color", "Metallic", "Roughness")}
    assert colour["Base Color"].image.colorspace_settings.name == "sRGB"
    assert {colour["Metallic"].image.colorspace_settings.name, colour["Roughness"].image.colorspace_settings.name} \
        == {"Non-Color"}
    normal_map = bsdf.inputs["Normal"].links[0].from_node
    assert normal_map.type == "NORMAL_MAP" and normal_map.uv_map == "UVMap"
    assert normal_map.inputs["Color"].links[0].from_node.image.colorspace_settings.name == "Non-Color"
    uv_node = next(node for node in nodes if node.type == "UVMAP")
    assert uv_node.uv_map == "UVMap" and all(node.inputs["Vector"].links[0].from_node == uv_node
                                             for node in nodes if node.type == "TEX_IMAGE")
    assert colour["Base Color"].image.size[:] == (1024, 1024)
    # The returned mesh is kept in the job's folder: Import Again brings it in as an object.
    record = _job(blender)
    assert Path(record.result_paths["MODEL"]).is_file() and record.state.value == "IMPORTED"


def _bake_error(obj, image, uv_map: str) -> np.ndarray:
    """Mean error per channel (linear RGB) of ``image`` sampled on ``obj`` through ``uv_map`` at 600 points, against
    the colour field the service painted; fails when the field itself is flat (a one-colour bake would pass)."""
    repaint = submodule("sandbox.repaint")
    mesh, matrix = obj.data, obj.matrix_world
    mesh.calc_loop_triangles()
    world = np.array([matrix @ vertex.co for vertex in mesh.vertices])
    gltf = np.stack([world[:, 0], world[:, 2], -world[:, 1]], axis=1)  # Blender Z-up to glTF Y-up, as exported
    low, high = gltf.min(axis=0), gltf.max(axis=0)
    uvs = mesh.uv_layers[uv_map].data
    rng = random.Random(5)
    points, texcoords = [], []
    triangles = [tri for tri in mesh.loop_triangles if tri.area > 1e-4]
    while len(points) < 600:
        tri = rng.choice(triangles)
        a, b = rng.uniform(0.15, 0.7), rng.uniform(0.15, 0.7)
        if a + b > 0.85:  # inside the triangle, away from its edges (and so from UV seams)
            continue
        weights = np.array([1 - a - b, a, b])
        points.append(weights @ gltf[list(tri.vertices)])
        texcoords.append(weights @ np.array([uvs[loop].uv[:] for loop in tri.loops]))
    expected = repaint.colour_at(np.array(points), low, high)
    assert (expected.std(axis=0) > 0.1).all()
    return np.abs(_srgb_to_linear(_sample(image, np.array(texcoords))) - expected).mean(axis=0)


def test_the_bake_copies_the_colour_of_each_point_of_the_surface(sandbox_of_addon, png_file):
    """Fidelity: 600 points sampled on the object through its own UVs, against the colour field the service
    painted (linear RGB), mean error < 0.03 per channel."""
    obj = _sphere()
    bpy.context.scene.meshsmith.bake_resolution = "1024"
    assert bpy.ops.meshsmith.retexture(provider="SEGMIND", image_path=str(png_file)) == {"FINISHED"}
    error = _bake_error(obj, _base_colour_image(obj.material_slots[0].material), "UVMap")
    assert (error < 0.03).all(), error


def test_the_bake_goes_into_the_uv_map_the_object_renders_with_not_the_one_being_edited(sandbox_of_addon, png_file):
    """Two UV maps: "UVMap" renders, "Edit Me" (squeezed into one corner and flipped) is the active one in the UV
    editor. The maps must be baked through the render map and the material must read them through it."""
    obj = _sphere()
    edit = obj.data.uv_layers.new(name="Edit Me")
    values = np.empty(len(edit.data) * 2)
    obj.data.uv_layers["UVMap"].data.foreach_get("uv", values)
    edit.data.foreach_set("uv", 1.0 - values * 0.25)
    obj.data.uv_layers.active = edit
    obj.data.uv_layers["UVMap"].active_render = True
    assert obj.data.uv_layers.active.name == "Edit Me" and not edit.active_render
    bpy.context.scene.meshsmith.bake_resolution = "1024"
    assert bpy.ops.meshsmith.retexture(provider="SEGMIND", image_path=str(png_file)) == {"FINISHED"}
    material = obj.material_slots[0].material
    uv_nodes = [node for node in material.node_tree.nodes if node.type == "UVMAP"]
    assert uv_nodes and all(node.uv_map == "UVMap" for node in uv_nodes)
    error = _bake_error(obj, _base_colour_image(material), "UVMap")
    assert (error < 0.03).all(), error
    # The artist's own choice of active map is left as it was.
    assert obj.data.uv_layers.active.name == "Edit Me"


def test_an_object_without_uvs_gets_a_meshsmith_uv_map_and_nothing_else_changes(sandbox_of_addon, png_file):
    obj = _sphere(uvs=False)
    before = _coordinates(obj)
    selection = [vertex.select for vertex in obj.data.vertices]
    bpy.context.scene.meshsmith.bake_resolution = "1024"
    assert bpy.ops.meshsmith.retexture(provider="SEGMIND", image_path=str(png_file)) == {"FINISHED"}
    assert [layer.name for layer in obj.data.uv_layers] == ["Meshsmith"]
    assert np.array_equal(_coordinates(obj), before)
    assert [vertex.select for vertex in obj.data.vertices] == selection
    material = obj.material_slots[0].material
    assert next(node for node in material.node_tree.nodes if node.type == "UVMAP").uv_map == "Meshsmith"


def test_a_meshy_result_with_uvs_of_its_own_is_baked_onto_the_object_too(sandbox_of_addon):
    obj = _sphere()
    sandbox_of_addon.meshy.config.v2_keeps_uvs = False
    bpy.context.scene.meshsmith.bake_resolution = "1024"
    assert bpy.ops.meshsmith.retexture(provider="MESHY", style_prompt="wood") == {"FINISHED"}
    assert [o.name for o in bpy.data.objects] == ["Vase"] and not obj.hide_get()
    assert obj.material_slots[0].material.name.startswith("Vase Meshy")
    assert _base_colour_image(obj.material_slots[0].material).name.startswith("baked_base_color")


@pytest.mark.parametrize("case", ["shape_keys", "modifiers_leave_nothing"])
def test_objects_the_bake_cannot_use_are_refused_before_anything_is_sent(case, sandbox_of_addon, png_file):
    obj = _sphere()
    if case == "shape_keys":
        obj.shape_key_add(name="Basis")
        expected = "shape keys"
    else:
        obj.modifiers.new("Weld", "WELD").merge_threshold = 100.0
        expected = "leave no faces"
    with pytest.raises(RuntimeError, match=expected):
        bpy.ops.meshsmith.retexture(provider="SEGMIND", image_path=str(png_file))
    assert sandbox_of_addon.segmind.creating_posts == 0


def test_a_result_that_does_not_overlap_leaves_the_object_untouched(sandbox_of_addon, png_file, blender):
    sandbox_of_addon.segmind.config.repaint_offset = (50.0, 0.0, 0.0)
    obj = _sphere()
    bpy.context.scene.meshsmith.bake_resolution = "1024"
    with pytest.raises(RuntimeError, match="does not overlap the object"):
        bpy.ops.meshsmith.retexture(provider="SEGMIND", image_path=str(png_file))
    record = _job(blender)
    assert record.state.value == "READY" and "does not overlap" in record.error
    assert obj.material_slots[0].material.name == "Old Paint" and "meshsmith_material_versions" not in obj
    # The returned mesh is still there to bring in as an object of its own.
    names = blender.import_result(record.id, as_new_object=True)
    assert names and bpy.data.objects[names[0]] is not obj


def test_material_versions_switch_remove_and_survive_save_and_reload(sandbox_of_addon, png_file, tmp_path):
    versions = submodule("mesh_io.versions")
    obj = _sphere()
    bpy.context.scene.meshsmith.bake_resolution = "1024"
    bpy.ops.meshsmith.retexture(provider="SEGMIND", image_path=str(png_file))
    bpy.ops.ed.undo_push(message="before switching")
    assert bpy.ops.meshsmith.use_material_version(index=0) == {"FINISHED"}
    assert obj.material_slots[0].material.name == "Old Paint" and versions.current(obj) == 0
    bpy.ops.ed.undo()  # one undo step per switch
    obj = bpy.data.objects["Vase"]
    assert versions.current(obj) == 1
    bpy.context.view_layer.objects.active = obj
    bpy.ops.meshsmith.retexture(provider="MESHY", style_prompt="bronze")
    found = versions.versions(obj)
    assert [v["provider"] for v in found] == ["", "SEGMIND", "MESHY"] and versions.current(obj) == 2
    assert found[2]["source"] == "bronze" and found[1]["seed"]
    path = tmp_path / "versions.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(path))
    bpy.ops.wm.open_mainfile(filepath=str(path))
    obj = bpy.data.objects["Vase"]
    assert len(versions.versions(obj)) == 3
    bpy.context.view_layer.objects.active = obj
    assert bpy.ops.meshsmith.use_material_version(index=1) == {"FINISHED"}
    assert obj.material_slots[0].material.name.startswith("Vase Segmind")
    meshy_material = next(m.name for m in bpy.data.materials if m.name.startswith("Vase Meshy"))
    assert bpy.ops.meshsmith.remove_material_version(index=2) == {"FINISHED"}
    assert len(versions.versions(obj)) == 2 and meshy_material not in bpy.data.materials  # nothing else used it
    with pytest.raises(RuntimeError, match="original version cannot be removed"):
        bpy.ops.meshsmith.remove_material_version(index=0)


def test_the_bake_shows_in_the_job_list_and_cancel_stops_it_at_once(sandbox_of_addon, png_file, blender):
    import time

    retexture = submodule("operators.retexture")
    obj = _sphere()
    bpy.context.scene.meshsmith.bake_resolution = "4096"  # a bake long enough to be caught in the middle
    record = retexture.build_retexture_job(bpy.context, "SEGMIND", "", "", str(png_file))
    record = blender.submit(record, blender.make_provider("SEGMIND"))
    engine = blender.engine()
    deadline = time.monotonic() + 60
    while not engine.get(record.id).message.startswith("Baking onto") and time.monotonic() < deadline:
        engine.wait_for_updates(0.05)
        blender.drain()
    assert engine.get(record.id).message == "Baking onto Vase"
    row = None
    for _tick in range(20):  # a tick spends at most 1 ms on the list: a busy one leaves a row for the next
        blender.drain()
        row = next(item for item in bpy.context.window_manager.meshsmith.jobs if item.job_id == record.id)
        if row.message == "Baking onto Vase":
            break
    assert row.message == "Baking onto Vase" and row.state == "DOWNLOADING"
    started = time.monotonic()
    engine.cancel(record.id)
    assert engine.get(record.id).state.value == "CANCELED" and time.monotonic() - started < 1.0
    time.sleep(0.5)  # the child is killed within 0.1 s: no baked map appears after the cancel
    assert not list(Path(record.output_dir).glob("baked_*.png"))
    assert obj.material_slots[0].material.name == "Old Paint"


def test_import_again_brings_the_returned_mesh_in_as_an_object(sandbox_of_addon, png_file, blender):
    obj = _sphere()
    bpy.context.scene.meshsmith.bake_resolution = "1024"
    bpy.ops.meshsmith.retexture(provider="SEGMIND", image_path=str(png_file))
    record = _job(blender)
    names = blender.import_result(record.id, again=True)
    assert len(names) == 1 and bpy.data.objects[names[0]] is not obj
    painted = bpy.data.objects[names[0]]
    assert len(painted.data.vertices) != len(obj.data.vertices)  # the service's own mesh, as it came
    assert len(submodule("mesh_io.versions").versions(obj)) == 2  # no second version from the same job
