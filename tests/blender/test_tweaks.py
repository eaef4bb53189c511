"""Tweak tools on a generated result: dimensions, origin, face counts, asset data, presets, and undo for each."""

from __future__ import annotations

import bpy
import pytest
from mathutils import Vector

from blender_helpers import submodule


@pytest.fixture
def result(png_file):
    """A generated, imported model (through the sandbox), selected and active."""
    bpy.context.scene.cursor.location = (0, 0, 0)
    assert bpy.ops.meshsmith.generate(provider="SEGMIND", image_path=str(png_file), prompt="tweak me") == {"FINISHED"}
    obj = bpy.context.active_object
    obj.location = (1.0, 2.0, 3.0)
    obj.scale = (2.0, 2.0, 2.0)
    bpy.context.view_layer.update()
    bpy.ops.ed.undo_push(message="artist moved it")  # as the artist's own edit would
    return bpy.data.objects["tweak me"]


def _bounds(obj):
    return submodule("mesh_io.tweaks").world_bounds(obj)


def _undo_restores(action, read):
    before = read()
    action()
    changed = read()
    bpy.ops.ed.undo()
    assert read() == before
    return before, changed


def test_place_on_ground_at_the_cursor(result):
    bpy.context.scene.cursor.location = (4.0, -1.0, 0.5)
    assert bpy.ops.meshsmith.place_on_ground() == {"FINISHED"}
    obj = bpy.context.active_object
    low, high = _bounds(obj)
    assert abs(low.z - 0.5) < 1e-4
    assert (Vector(((low.x + high.x) / 2, (low.y + high.y) / 2)) - Vector((4.0, -1.0))).length < 1e-4
    assert (obj.location - Vector((4.0, -1.0, 0.5))).length < 1e-4  # the origin is the bottom centre


def test_normalise_size_to_a_height(result):
    assert bpy.ops.meshsmith.normalise_size(height=1.75) == {"FINISHED"}
    obj = bpy.context.active_object
    low, high = _bounds(obj)
    assert abs((high.z - low.z) - 1.75) < 1e-4
    assert tuple(obj.scale) == pytest.approx((1, 1, 1))


def test_fix_orientation_turns_the_chosen_axis_up(result):
    obj = bpy.context.active_object
    before = obj.dimensions.copy()
    assert bpy.ops.meshsmith.fix_orientation(up_axis="+Y") == {"FINISHED"}
    after = bpy.context.active_object.dimensions
    assert after.z == pytest.approx(before.y, rel=1e-4) and after.y == pytest.approx(before.z, rel=1e-4)


def test_decimate_to_a_target_face_count(result):
    obj = bpy.context.active_object
    start = len(obj.data.polygons)
    assert bpy.ops.meshsmith.decimate(target_faces=start // 4) == {"FINISHED"}
    faces = len(bpy.context.active_object.data.polygons)
    assert faces <= start // 4 * 1.05 and faces > start // 8


def test_merge_by_distance_closes_the_seam(result):
    obj = bpy.context.active_object
    start = len(obj.data.vertices)
    assert bpy.ops.meshsmith.merge_by_distance(distance=0.0001) == {"FINISHED"}
    assert len(bpy.context.active_object.data.vertices) < start


def test_shade_auto_smooth(result):
    assert bpy.ops.meshsmith.shade_auto_smooth(angle=30) == {"FINISHED"}
    assert all(p.use_smooth for p in bpy.context.active_object.data.polygons)


def test_pack_textures(result):
    tweaks = submodule("mesh_io.tweaks")
    assert bpy.ops.meshsmith.pack_textures() == {"FINISHED"}
    assert all(image.packed_file is not None for image in tweaks.object_images(bpy.context.active_object))


def test_mark_as_asset_with_the_generation_metadata(result):
    assert bpy.ops.meshsmith.mark_asset() == {"FINISHED"}
    obj = bpy.context.active_object
    data = obj.asset_data
    tags = {tag.name for tag in data.tags}
    assert {"Meshsmith", "SEGMIND", f"seed:{obj['meshsmith_seed']}", f"job_id:{obj['meshsmith_job_id']}"} <= tags
    assert "prompt: tweak me" in data.description and "provider: SEGMIND" in data.description


@pytest.mark.parametrize(("operator", "options", "read"), [
    ("place_on_ground", {}, lambda: tuple(round(v, 4) for v in bpy.data.objects["tweak me"].location)),
    ("normalise_size", {"height": 3.0}, lambda: round(bpy.data.objects["tweak me"].dimensions.z, 4)),
    ("decimate", {"target_faces": 500}, lambda: len(bpy.data.objects["tweak me"].data.polygons)),
    ("merge_by_distance", {}, lambda: len(bpy.data.objects["tweak me"].data.vertices)),
    ("fix_orientation", {"up_axis": "+X"}, lambda: tuple(round(v, 4) for v in bpy.data.objects["tweak me"].dimensions)),
    ("mark_asset", {}, lambda: bpy.data.objects["tweak me"].asset_data is not None),
])
def test_each_tweak_is_one_undo_step(result, operator, options, read):
    # "EXEC_DEFAULT", True: run with an undo push, as a click in the UI does (Python calls skip it by default).
    before, changed = _undo_restores(lambda: getattr(bpy.ops.meshsmith, operator)("EXEC_DEFAULT", True, **options), read)
    assert changed != before


def test_a_post_import_preset_runs_on_every_result(png_file):
    submodule("host.preferences").get().post_import_preset = "PRINT"
    try:
        bpy.context.scene.cursor.location = (0, 0, 0)
        assert bpy.ops.meshsmith.generate(provider="SEGMIND", image_path=str(png_file), prompt="printed") == {"FINISHED"}
        low, high = _bounds(bpy.context.active_object)
        assert abs((high.z - low.z) - 0.1) < 1e-4 and abs(low.z) < 1e-4
    finally:
        submodule("host.preferences").get().post_import_preset = "NONE"
