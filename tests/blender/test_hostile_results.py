"""Hostile results through the whole add-on: a result may read no file of the artist's, and lands only where it belongs.

The sandbox answers a model that points at the artist's own files (userpref.blend, where Blender keeps keys
typed in the preferences; /dev/zero; a path climbing out of the job's folder). Nothing is imported, the
message names the service, and neither the saved scene nor the preferences file holds a key afterwards.
Retexture results land only on the object they were made for, in the file they were made in.
"""

from __future__ import annotations

import time
from pathlib import Path

import bpy
import pytest

from blender_helpers import submodule

TYPED_KEY = "SG_0badc0ffee0badc0"
ENV_KEY = "SG_5ec2e7e2v1r0nm3n7"


def _hostile(sandbox, change) -> None:
    assets = submodule("sandbox.assets")
    sandbox.segmind.config.result_glb = assets.rewrite_glb_json(assets.make_model_glb(5, face_count=400, texture_size=16), change)


def _userpref_with_a_typed_key() -> Path:
    preferences = submodule("host.preferences")
    preferences.get().segmind_api_key = TYPED_KEY
    bpy.ops.wm.save_userpref()
    path = Path(bpy.utils.resource_path("USER")) / "config" / "userpref.blend"
    assert TYPED_KEY.encode() in path.read_bytes()  # where Blender keeps keys typed in the preferences
    return path


def _scan_for_keys(path: Path, *keys: str) -> list[str]:
    data = path.read_bytes()
    return [key for key in keys if key.encode() in data]


@pytest.fixture
def env_key(monkeypatch):
    segmind = submodule("providers.registry").info("SEGMIND")
    monkeypatch.setenv(segmind.credentials[0].env, ENV_KEY)
    return ENV_KEY


@pytest.mark.parametrize("how", ["absolute", "climbing", "percent-encoded"])
def test_a_result_pointing_at_userpref_blend_steals_nothing(png_file, sandbox_of_addon, tmp_path, env_key, how):
    userpref = _userpref_with_a_typed_key()
    user_dir = Path(submodule("host.runtime").user_dir())
    climbing = "../" * (len(user_dir.parts) + 4) + str(userpref).lstrip("/")
    uri = {"absolute": str(userpref), "climbing": climbing, "percent-encoded": climbing.replace("../", "..%2F")}[how]
    _hostile(sandbox_of_addon, submodule("sandbox.assets").point_image_at(uri))
    before = set(bpy.data.objects)
    with pytest.raises(RuntimeError, match="Segmind sent a model that Meshsmith refused"):
        bpy.ops.meshsmith.generate(provider="SEGMIND", image_path=str(png_file))
    assert set(bpy.data.objects) == before
    assert not [image for image in bpy.data.images if "userpref" in image.filepath]
    record = submodule("host.runtime").engine().jobs()[-1]
    assert record.state.value == "FAILED" and "outside its own folder" in record.error
    assert not Path(record.output_dir, "model.glb").exists()  # never importable later
    saved = tmp_path / "scene.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(saved), copy=True)
    assert _scan_for_keys(saved, TYPED_KEY, env_key) == []
    bpy.ops.wm.save_userpref()
    assert _scan_for_keys(userpref, env_key) == []


def test_a_buffer_read_from_dev_zero_is_refused_at_once(png_file, sandbox_of_addon):
    def change(gltf):
        gltf["buffers"][0]["uri"] = "/dev/zero"

    _hostile(sandbox_of_addon, change)
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="outside its own folder"):
        bpy.ops.meshsmith.generate(provider="SEGMIND", image_path=str(png_file))
    assert time.monotonic() - started < 20  # before the fix Blender's main thread read until memory ran out


def test_a_result_file_outside_the_job_folder_is_never_imported(png_file, sandbox_of_addon, tmp_path):
    runtime = submodule("host.runtime")
    assert bpy.ops.meshsmith.generate(provider="SEGMIND", image_path=str(png_file)) == {"FINISHED"}
    record = runtime.engine().jobs()[-1]
    elsewhere = tmp_path / "elsewhere.glb"
    elsewhere.write_bytes(Path(record.result_paths["MODEL"]).read_bytes())
    # A journal line edited (or written by a compromised tool) to point outside the folder:
    runtime.engine().book.set(record.id, result_paths={"MODEL": str(elsewhere)})
    with pytest.raises(Exception, match="not inside the job's own folder"):
        submodule("host.delivery").checked_files(runtime.engine().get(record.id))
    assert runtime.import_result(record.id, again=True) == []
    assert "not inside the job's own folder" in runtime.engine().get(record.id).error


def test_a_journal_pointing_a_job_outside_the_results_folder_is_never_imported(png_file, sandbox_of_addon, tmp_path):
    # The whole job folder moved by an edited journal: files and folder agree with each other, but the folder is not
    # Meshsmith's. The check is against the configured results folder, not the journal's own word.
    import shutil

    runtime = submodule("host.runtime")
    assert bpy.ops.meshsmith.generate(provider="SEGMIND", image_path=str(png_file)) == {"FINISHED"}
    record = runtime.engine().jobs()[-1]
    planted = tmp_path / "planted" / record.id
    shutil.copytree(record.output_dir, planted)
    moved = {role: str(planted / Path(path).name) for role, path in record.result_paths.items()}
    runtime.engine().book.set(record.id, output_dir=str(planted), result_paths=moved)
    with pytest.raises(Exception, match="not in Meshsmith's results folder"):
        submodule("host.delivery").checked_files(runtime.engine().get(record.id))
    assert runtime.import_result(record.id, again=True) == []
    assert "not in Meshsmith's results folder" in runtime.engine().get(record.id).error
    # The same job where Meshsmith put it imports again as it should.
    runtime.engine().book.set(record.id, output_dir=record.output_dir, result_paths=record.result_paths, error="")
    assert runtime.import_result(record.id, again=True)


# --- retexture lands only on its own object ------------------------------------------------------------------
def _cube(name):
    bpy.ops.mesh.primitive_cube_add()
    obj = bpy.context.active_object
    obj.name = name
    return obj


def _ready_retexture_job(sandbox_of_addon):
    """A retexture job of the active object, run to READY without importing it (auto-import off)."""
    runtime = submodule("host.runtime")
    submodule("host.preferences").get().auto_import = False
    record = submodule("operators.retexture").build_retexture_job(bpy.context, "MESHY", "rusty metal", "")
    runtime.engine().submit(record, runtime.make_provider("MESHY"))
    deadline = time.monotonic() + 30
    while runtime.engine().get(record.id).state.value != "READY" and time.monotonic() < deadline:
        runtime.engine().wait_for_updates(0.1)
        runtime.drain()
    assert runtime.engine().get(record.id).state.value == "READY"
    return record


def test_a_retexture_never_lands_on_an_object_that_took_the_targets_name(sandbox_of_addon):
    runtime = submodule("host.runtime")
    crate = _cube("Crate")
    record = _ready_retexture_job(sandbox_of_addon)
    crate.name = "Crate renamed"
    impostor = _cube("Crate")
    materials_before = [slot.material for slot in impostor.material_slots]
    names = runtime.import_result(record.id)
    assert names == ["Crate renamed"]  # the original, found by its id, not the impostor by name
    assert [slot.material for slot in impostor.material_slots] == materials_before
    assert crate.get("meshsmith_retexture_job_id") == record.id


def test_a_retexture_whose_object_is_gone_waits_and_imports_as_a_new_object(sandbox_of_addon):
    runtime = submodule("host.runtime")
    crate = _cube("Crate")
    record = _ready_retexture_job(sandbox_of_addon)
    bpy.data.objects.remove(crate)
    impostor = _cube("Crate")
    assert runtime.import_result(record.id) == []
    waiting = runtime.engine().get(record.id)
    assert waiting.state.value == "READY" and "not in this file" in waiting.error
    assert not impostor.get("meshsmith_retexture_job_id")
    # Import as New Object works in that state (it used to fail with the same message).
    assert bpy.ops.meshsmith.import_job(job_id=record.id, as_new_object=True) == {"FINISHED"}
    imported = runtime.engine().get(record.id)
    assert imported.state.value == "IMPORTED"
    new = bpy.data.objects[imported.imported_objects[0]]
    assert new is not impostor and new.name.startswith("Crate retextured")


def test_a_retexture_made_in_another_file_is_not_applied_to_this_one(sandbox_of_addon, tmp_path):
    runtime = submodule("host.runtime")
    _cube("Crate")
    first = tmp_path / "first.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(first))
    record = _ready_retexture_job(sandbox_of_addon)
    bpy.ops.wm.save_mainfile()  # the object's id, written at submit, is in first.blend now
    bpy.ops.wm.save_as_mainfile(filepath=str(tmp_path / "second.blend"))  # now another file, same objects
    assert runtime.import_result(record.id) == []
    assert "first.blend, not in this file" in runtime.engine().get(record.id).error
    bpy.ops.wm.open_mainfile(filepath=str(first))
    assert runtime.import_result(record.id) == ["Crate"]


def test_a_job_already_in_this_file_is_not_imported_twice(png_file, sandbox_of_addon):
    runtime = submodule("host.runtime")
    assert bpy.ops.meshsmith.generate(provider="SEGMIND", image_path=str(png_file)) == {"FINISHED"}
    record = runtime.engine().jobs()[-1]
    count = len(bpy.data.objects)
    # As if the IMPORTED line had never reached the disk: the journal still says READY. (The main thread's IMPORTED
    # is written first, or it could land after READY on a busy machine and the journal would say IMPORTED.)
    assert runtime.engine().flush()
    runtime.engine().book.set(record.id, state=submodule("jobs.states").JobState.READY)
    assert runtime.import_result(record.id) == record.imported_objects
    assert len(bpy.data.objects) == count
    assert runtime.engine().get(record.id).state.value == "IMPORTED"


def test_a_journal_that_cannot_be_written_holds_automatic_imports_back(png_file, sandbox_of_addon):
    runtime = submodule("host.runtime")
    engine = runtime.engine()
    store = engine.store
    connect = store._connect

    def refusing_writes():  # SQLite itself refuses every write, as on a disk that went read-only
        db = connect()
        db.execute("PRAGMA query_only = ON")
        return db

    store.close()
    store._connect = refusing_writes
    try:
        before = set(bpy.data.objects)
        with pytest.raises(RuntimeError, match="cannot write its job record"):
            bpy.ops.meshsmith.generate(provider="SEGMIND", image_path=str(png_file))
        assert set(bpy.data.objects) == before  # not imported by itself: its import could not be recorded
        assert "cannot write its job record" in bpy.context.window_manager.meshsmith.journal_warning
    finally:
        store.close()
        del store._connect


def test_an_import_failure_never_shows_a_raw_traceback(tmp_path):
    assets = submodule("sandbox.assets")

    def change(gltf):
        gltf["accessors"][0]["count"] = 10**6  # more vertices than the buffer view holds: the importer raises

    path = tmp_path / "model.glb"
    path.write_bytes(assets.rewrite_glb_json(assets.make_model_glb(5, face_count=400, texture_size=16), change))
    errors = submodule("net.errors")
    with pytest.raises(errors.ImportFailedError) as caught:
        submodule("mesh_io.importer").import_glb(path, name="Broken", tags={})
    message = str(caught.value)
    assert message.startswith("Blender could not import the model: ")
    assert "Traceback" not in message and 'File "' not in message and len(message) < 300


def test_a_preview_outside_the_job_folder_is_never_loaded_as_an_icon(png_file, sandbox_of_addon, tmp_path):
    runtime = submodule("host.runtime")
    assert bpy.ops.meshsmith.generate(provider="SEGMIND", image_path=str(png_file)) == {"FINISHED"}
    record = runtime.engine().jobs()[-1]
    elsewhere = tmp_path / "secret.png"
    elsewhere.write_bytes(png_file.read_bytes())
    runtime.engine().book.set(record.id, result_paths={**record.result_paths, "PREVIEW": str(elsewhere)})
    runtime.drain()
    row = bpy.context.window_manager.meshsmith.jobs[record.id]
    assert row.preview_path == ""


def test_a_job_another_blender_runs_is_shown_never_imported_here_and_taken_over_when_it_quits(png_file, sandbox_of_addon):
    import subprocess
    import sys

    runtime = submodule("host.runtime")
    submodule("host.preferences").get().auto_import = False
    record = submodule("operators.inputs").build_generate_job(bpy.context, "SEGMIND", str(png_file), "")
    runtime.engine().submit(record, runtime.make_provider("SEGMIND"))
    deadline = time.monotonic() + 30
    while runtime.engine().get(record.id).state.value != "READY" and time.monotonic() < deadline:
        runtime.engine().wait_for_updates(0.1)
        runtime.drain()
    runtime.close_engine()  # this Blender quits; another one, sharing the user folder, holds the job now
    root = Path(__file__).resolve().parents[2]
    other = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; sys.path.insert(0, sys.argv[1]); import tests.conftest;"
        "from meshsmith.jobs.ownership import JobLocks; from pathlib import Path;"
        "locks = JobLocks(Path(sys.argv[2]), 'other'); assert locks.acquire(sys.argv[3]);"
        "print('held', flush=True); time.sleep(60)"), str(root), str(runtime.user_dir()), record.id],
        stdout=subprocess.PIPE, text=True, cwd=root)
    try:
        assert other.stdout.readline().strip() == "held"
        submodule("host.preferences").get().auto_import = True
        runtime.resume_jobs()  # this Blender starts again
        runtime.drain()
        assert runtime.engine().is_foreign(record.id)
        row = bpy.context.window_manager.meshsmith.jobs[record.id]
        assert row.message.startswith("Running in another Blender")
        before = set(bpy.data.objects)
        with pytest.raises(submodule("net.errors").ImportFailedError, match="another Blender"):
            runtime.import_result(record.id)
        assert set(bpy.data.objects) == before
    finally:
        other.kill()
        other.wait(10)
    deadline = time.monotonic() + 15  # the other Blender is gone: this one takes the job over and imports it
    while runtime.engine().get(record.id).state.value != "IMPORTED" and time.monotonic() < deadline:
        runtime.engine().wait_for_updates(0.2)
        runtime.drain()
    assert runtime.engine().get(record.id).state.value == "IMPORTED"
