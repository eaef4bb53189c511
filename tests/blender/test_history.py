"""The job history: every job with its preview, input, seed, cost, state and age; actions; filters."""

from __future__ import annotations

import time

import bpy
import pytest

from blender_helpers import submodule


def _items():
    return list(bpy.context.window_manager.meshsmith.jobs)


def _wait_until(predicate, timeout=20.0):
    runtime = submodule("host.runtime")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runtime.engine().wait_for_updates(0.05)
        runtime.drain()
        if predicate():
            return
    raise AssertionError("timed out")


@pytest.fixture
def generated(png_file):
    bpy.context.scene.meshsmith.segmind.seed = 4242
    assert bpy.ops.meshsmith.generate(provider="SEGMIND", image_path=str(png_file), prompt="history pot") == {"FINISHED"}
    return _items()[0]


def test_a_finished_job_is_listed_with_everything_the_artist_needs(generated):
    item = generated
    assert (item.provider, item.state, item.seed, item.prompt) == ("SEGMIND", "IMPORTED", "4242", "history pot")
    assert item.preview_path.endswith(".png")  # from the model's own texture (Segmind sends no preview)
    thumbnails = submodule("panels.thumbnails")
    thumbnails.icon_for(item.job_id, item.preview_path)  # headless Blender gives icon id 0; the preview is still loaded
    assert f"{item.job_id}:{item.preview_path}" in thumbnails._collection
    assert submodule("panels.sidebar").age_text(item.created_at) == "just now"


def test_scenario_jobs_use_the_services_preview(png_file, sandbox_of_addon):
    assert bpy.ops.meshsmith.generate(provider="SCENARIO", image_path=str(png_file)) == {"FINISHED"}
    item = _items()[0]
    assert item.cost == "20" and "preview_" in item.preview_path


def test_regenerate_uses_the_same_parameters_and_seed(generated, sandbox_of_addon):
    assert bpy.ops.meshsmith.regenerate_job(job_id=generated.job_id) == {"FINISHED"}
    runtime = submodule("host.runtime")
    _wait_until(lambda: len([r for r in runtime.engine().jobs() if r.state.value == "IMPORTED"]) == 2)
    bodies = [job.body for job in sandbox_of_addon.segmind.config.jobs.values()]
    assert len(bodies) == 2 and bodies[0] == bodies[1]


def test_variations_use_new_seeds(generated, sandbox_of_addon):
    assert bpy.ops.meshsmith.job_variations(job_id=generated.job_id, count=3) == {"FINISHED"}
    runtime = submodule("host.runtime")
    _wait_until(lambda: len([r for r in runtime.engine().jobs() if r.state.value == "IMPORTED"]) == 4)
    seeds = [job.body["seed"] for job in sandbox_of_addon.segmind.config.jobs.values()]
    assert len(seeds) == 4 and len(set(seeds)) == 4 and seeds[0] == 4242


def test_import_again_brings_a_second_copy_without_sending_anything(generated, sandbox_of_addon):
    before = len(bpy.data.objects)
    assert bpy.ops.meshsmith.reimport_job(job_id=generated.job_id) == {"FINISHED"}
    assert len(bpy.data.objects) == before + 1 and sandbox_of_addon.segmind.creating_posts == 1


def test_dismiss_removes_the_row_but_keeps_the_journal(generated):
    runtime = submodule("host.runtime")
    job_id = generated.job_id
    assert bpy.ops.meshsmith.dismiss_job(job_id=job_id) == {"FINISHED"}
    assert all(item.job_id != job_id for item in _items())
    assert runtime.engine().flush()  # the writer thread stores the main thread's change
    assert runtime.engine().store.latest(job_id).dismissed  # kept as history


def test_copy_job_id(generated):
    # Headless Blender has no clipboard to read back; the operator must still run cleanly.
    assert bpy.ops.meshsmith.copy_job_id(job_id=generated.job_id) == {"FINISHED"}


def test_filters_by_provider_and_state(generated, png_file, sandbox_of_addon):
    sandbox_of_addon.scenario.config.fail_next = 1
    with pytest.raises(RuntimeError):
        bpy.ops.meshsmith.generate(provider="SCENARIO", image_path=str(png_file))
    state = bpy.context.window_manager.meshsmith

    def pick(provider: str, job_state: str) -> list[str]:
        state.job_provider, state.job_state = provider, job_state  # each change asks the store for the page again
        return [i.provider + ":" + i.state for i in _items()]

    try:
        assert pick("SEGMIND", "ALL") == ["SEGMIND:IMPORTED"]
        assert pick("ALL", "PROBLEM") == ["SCENARIO:FAILED"] and state.job_matches == 1
        assert pick("SCENARIO", "IMPORTED") == []
        assert len(pick("ALL", "ALL")) == 2
        state.job_search = "no such words"
        assert _items() == [] and state.job_matches == 0
    finally:
        bpy.ops.meshsmith.clear_job_search()
    assert len(_items()) == 2


def test_history_survives_a_restart(generated):
    runtime = submodule("host.runtime")
    runtime.close_engine()
    bpy.context.window_manager.meshsmith.jobs.clear()
    runtime.sync_job_list()
    assert [item.job_id for item in _items()] == [generated.job_id]


def _wait_for_render(job_id: str) -> str:
    """The rendered preview's path, once the background render has landed and the list shows it."""
    thumbnails = submodule("jobs.thumbnails")
    _wait_until(lambda: any(i.job_id == job_id and i.preview_path.endswith(thumbnails.RENDERED_NAME) for i in _items()),
                timeout=120)
    return next(i.preview_path for i in _items() if i.job_id == job_id)


def test_a_render_of_the_result_replaces_the_texture_thumbnail(png_file):
    submodule("host.preferences").get().render_previews = True
    assert bpy.ops.meshsmith.generate(provider="SEGMIND", image_path=str(png_file)) == {"FINISHED"}
    item = _items()[0]
    assert "preview_texture" in item.preview_path  # at once, while the render runs in its own process
    path = _wait_for_render(item.job_id)
    image = bpy.data.images.load(path, check_existing=False)
    try:
        width, height = image.size
        pixels = list(image.pixels)
    finally:
        bpy.data.images.remove(image)
    alpha = lambda x, y: pixels[(y * width + x) * 4 + 3]  # noqa: E731
    assert (width, height) == (256, 256)
    assert alpha(0, 0) == 0.0 and alpha(width - 1, height - 1) == 0.0  # transparent around the model
    assert alpha(width // 2, height // 2) == 1.0  # and the model in the middle of the frame


def test_an_asset_gets_the_rendered_preview(png_file, tmp_path):
    submodule("host.preferences").get().render_previews = True
    assert bpy.ops.meshsmith.generate(provider="SEGMIND", image_path=str(png_file)) == {"FINISHED"}
    job_id = _items()[0].job_id
    obj = bpy.data.objects[submodule("host.runtime").engine().get(job_id).imported_objects[0]]
    bpy.ops.object.select_all(action="DESELECT")
    obj.select_set(True)
    bpy.context.view_layer.objects.active = obj
    path = _wait_for_render(job_id)
    assert bpy.ops.meshsmith.mark_asset() == {"FINISHED"}
    assert obj.asset_data is not None and obj["meshsmith_asset_preview"] == path
    bpy.ops.wm.save_as_mainfile(filepath=str(tmp_path / "library.blend"), copy=True)  # loads the picture into the file
    assert obj.preview.image_size[:] == (256, 256) and max(obj.preview.image_pixels_float) > 0


def test_an_asset_marked_before_the_render_gets_it_when_it_lands(png_file):
    prefs = submodule("host.preferences").get()
    prefs.render_previews, prefs.post_import_preset = True, "FILM"  # FILM marks every result as an asset
    assert bpy.ops.meshsmith.generate(provider="SEGMIND", image_path=str(png_file)) == {"FINISHED"}
    job_id = _items()[0].job_id
    obj = bpy.data.objects[submodule("host.runtime").engine().get(job_id).imported_objects[0]]
    assert obj.asset_data is not None and "meshsmith_asset_preview" not in obj
    path = _wait_for_render(job_id)
    assert obj["meshsmith_asset_preview"] == path


def test_a_burst_of_updates_is_spread_over_ticks_and_none_is_lost(monkeypatch):
    runtime = submodule("host.runtime")
    records_module = submodule("jobs.records")
    engine = runtime.engine()
    monkeypatch.setattr(runtime, "ROWS_BUDGET_S", 0.0)  # one row per tick, so the spreading is visible
    burst = [records_module.JobRecord(provider="SEGMIND", label=f"burst {n}", state=records_module.JobState.READY,
                                      auto_import=False) for n in range(5)]
    for record in burst:
        with engine.book.changing():
            engine.book.keep(record)
    applied = [runtime.drain()]
    assert runtime.has_pending_updates()  # the timer keeps its fast pace until the rest is applied
    applied += [runtime.drain() for _ in range(4)]
    assert [len(batch) for batch in applied] == [1, 1, 1, 1, 1]
    assert [batch[0].label for batch in applied] == [f"burst {n}" for n in range(5)]  # in the order they came
    assert submodule("host.timers")._timer() == submodule("host.timers").TIMER_IDLE_S and not runtime.has_pending_updates()
    assert {item.label for item in _items()} >= {f"burst {n}" for n in range(5)}


def test_a_picture_blender_cannot_load_leaves_the_asset_preview_alone(tmp_path):
    tweaks = submodule("mesh_io.tweaks")
    bpy.ops.mesh.primitive_cube_add()
    cube = bpy.context.active_object
    cube.asset_mark()
    tweaks.set_asset_preview(cube, tmp_path / "missing.png")  # no error reaches the artist or the timer
    assert cube[tweaks.ASSET_PREVIEW_PROP].endswith("missing.png")  # and it is not tried on every tick


def test_the_journal_lives_outside_the_extension_and_0_1s_journal_is_taken_over(blender, monkeypatch, tmp_path):
    # Meshsmith 0.1 kept its journal in the extension's own user folder, which Blender deletes on uninstall. The
    # data folder is now outside it; at the first start the old journal is copied over, so no job is lost.
    connections, records = submodule("host.connections"), submodule("jobs.records")
    monkeypatch.delenv(submodule("host.preferences").ENV_USER_DIR, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    blender.close_engine()
    legacy = connections.legacy_user_dir()
    assert legacy is not None and tmp_path / "data" not in legacy.parents
    legacy.mkdir(parents=True, exist_ok=True)
    old = records.JobRecord(provider="SEGMIND", label="made with 0.1", state=records.JobState.IMPORTED)
    (legacy / "jobs.jsonl").write_text(old.model_dump_json() + "\n")
    try:
        assert connections.user_dir() == tmp_path / "data" / "meshsmith"
        assert [record.label for record in blender.engine().jobs()] == ["made with 0.1"]
        data = tmp_path / "data" / "meshsmith"
        assert (data / "jobs.db").is_file() and (data / "jobs.jsonl.0.1-backup").is_file()  # taken over, kept
        assert (legacy / "jobs.jsonl").is_file()
        assert connections.results_dir() == tmp_path / "data" / "meshsmith" / "results"
    finally:
        blender.close_engine()
        (legacy / "jobs.jsonl").unlink()
