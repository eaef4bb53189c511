"""Job previews without Blender: the texture stand-in at once, then a render from a child process replaces it.

The child here is a small Python script standing in for mesh_io/preview_render.py (which needs Blender and
is exercised in tests/blender/test_history.py): what is tested is the queue, the callback, the
failure path and killing a child that hangs.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from pathlib import Path

from test_engine import ScriptedProvider, _wait

from meshsmith.jobs.engine import JobEngine
from meshsmith.jobs.records import JobRecord, JobState
from meshsmith.jobs.store import JobStore
from meshsmith.jobs.thumbnails import RENDERED_NAME, PreviewRenderer, shows_the_model, write_thumbnail
from meshsmith.providers.blender_process import blender_command, run_blender
from meshsmith.sandbox.assets import make_model_glb

FAKE_RENDER = """
import sys, time
model, out, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
if "hang" in model:
    time.sleep(60)
if "broken" in model:
    sys.exit(3)
open(out, "wb").write(b"rendered %d" % size)
"""


def _script(tmp_path: Path) -> Path:
    script = tmp_path / "fake_render.py"
    script.write_text(FAKE_RENDER)
    return script


def test_the_child_command_uses_the_blender_binary_when_there_is_one(tmp_path):
    command = blender_command("/opt/blender/blender", ["a", "b"], script=tmp_path / "s.py")
    assert command[:2] == ["/opt/blender/blender", "--background"] and "--factory-startup" in command
    assert command[command.index("--python") + 1] == str(tmp_path / "s.py") and command[-3:] == ["--", "a", "b"]
    assert blender_command("", ["a"], script=tmp_path / "s.py") == [sys.executable, str(tmp_path / "s.py"), "a"]
    assert blender_command("", ["a"], code="x = 1")[1:3] == ["-c", "import bpy\nx = 1"]


def test_a_hanging_child_is_killed_on_cancel(tmp_path):
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    started = time.monotonic()
    assert run_blender([sys.executable, "-c", "import time; time.sleep(60)"], timeout_s=60, cancel=cancel) is False
    assert time.monotonic() - started < 5


def test_renders_are_queued_and_reported(tmp_path):
    done: list[tuple[str, Path]] = []
    renderer = PreviewRenderer(_script(tmp_path), lambda job_id, path: done.append((job_id, path)), size=64)
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        renderer.request(name, tmp_path / f"{name}.glb", tmp_path / name)
    deadline = time.monotonic() + 20
    while len(done) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    renderer.close()
    assert [job_id for job_id, _ in done] == ["one", "two"]
    assert done[0][1] == tmp_path / "one" / RENDERED_NAME and done[0][1].read_bytes() == b"rendered 64"


def test_a_failed_render_is_logged_and_skipped(tmp_path, caplog):
    done = []
    renderer = PreviewRenderer(_script(tmp_path), lambda *args: done.append(args))
    assert renderer.render(tmp_path / "broken.glb", tmp_path) is None
    with caplog.at_level(logging.WARNING, logger="meshsmith"):
        renderer.request("job", tmp_path / "broken.glb", tmp_path)
        deadline = time.monotonic() + 20
        while "texture thumbnail stays" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.05)
    renderer.close()
    assert "texture thumbnail stays" in caplog.text
    assert not done and not (tmp_path / RENDERED_NAME).exists()


def test_close_kills_a_render_in_progress(tmp_path):
    renderer = PreviewRenderer(_script(tmp_path), lambda *args: None)
    renderer.request("job", tmp_path / "hang.glb", tmp_path)
    time.sleep(0.3)
    started = time.monotonic()
    renderer.close(timeout=5)
    assert time.monotonic() - started < 2


def test_the_texture_stand_in_is_not_taken_for_a_picture_of_the_model(tmp_path):
    glb = tmp_path / "model.glb"
    glb.write_bytes(make_model_glb(2, face_count=200))
    stand_in = write_thumbnail(glb, tmp_path)
    assert stand_in is not None and not shows_the_model(stand_in)
    assert shows_the_model(tmp_path / RENDERED_NAME) and shows_the_model("preview.png") and not shows_the_model("")


def _engine_job(tmp_path: Path, *, render: bool) -> tuple[JobEngine, JobRecord]:
    engine = JobEngine(JobStore(tmp_path / "journal"), preview_script=_script(tmp_path))
    record = engine.submit(JobRecord(provider="FAKE", output_dir=str(tmp_path / "out"), render_preview=render),
                           ScriptedProvider())
    return engine, record


def test_a_job_shows_the_texture_at_once_and_the_render_when_it_lands(tmp_path):
    engine, record = _engine_job(tmp_path, render=True)
    ready = _wait(engine, record.id, {JobState.READY})
    # The GLB's texture was enough for the first picture; the job did not wait for the render.
    assert Path(ready.result_paths.get("PREVIEW", "")).stem in ("", "preview_texture")
    deadline = time.monotonic() + 20
    while not engine.get(record.id).result_paths.get("PREVIEW", "").endswith(RENDERED_NAME):
        assert time.monotonic() < deadline, "the rendered preview never arrived"
        engine.wait_for_updates(0.05)
        engine.drain()
    assert engine.get(record.id).state is JobState.READY
    engine.shutdown()
    # The journal kept it: a restarted Blender shows the render too.
    reloaded = JobStore(tmp_path / "journal").load()[record.id]
    assert reloaded.result_paths["PREVIEW"].endswith(RENDERED_NAME) and reloaded.render_preview


def test_no_render_unless_the_job_asks_for_one(tmp_path):
    engine, record = _engine_job(tmp_path, render=False)
    _wait(engine, record.id, {JobState.READY})
    time.sleep(1.0)
    engine.drain()
    engine.shutdown()
    assert not (tmp_path / "out" / RENDERED_NAME).exists()
    assert not engine.get(record.id).result_paths.get("PREVIEW", "").endswith(RENDERED_NAME)
