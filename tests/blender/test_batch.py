"""Batch and pipelines: the CLI end to end against the sandbox, .glb and .blend results, a report, and an
interrupted batch resuming without sending anything twice."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import bpy
import pytest

from blender_helpers import submodule

ROOT = Path(__file__).resolve().parents[2]


def _images(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    assets = submodule("sandbox.assets")
    for index in range(count):
        (folder / f"concept_{index:02d}.png").write_bytes(assets.make_textures(index, 16).base_color)
    (folder / "notes.txt").write_text("not an image: skipped")
    return folder


@pytest.mark.parametrize("command", [["--help"], ["generate", "--help"], ["retexture", "--help"], ["jobs", "--help"],
                                     ["models", "--help"], ["remesh", "--help"], ["uv-unwrap", "--help"]])
def test_every_command_has_help(command, capsys):
    assert submodule("scripting.cli").main(command) == 0
    assert "usage: blender -c meshsmith" in capsys.readouterr().out


def test_the_cli_is_registered_with_blender():
    assert submodule("scripting.cli")._handle is not None


def test_a_folder_of_twenty_images_runs_unattended_with_a_report(tmp_path, sandbox_of_addon):
    images = _images(tmp_path / "in", 20)
    out = tmp_path / "out"
    before = len(bpy.data.objects)
    assert submodule("scripting.cli").main(["generate", str(images), "--out", str(out), "--concurrency", "4"]) == 0
    report = json.loads((out / "report.json").read_text())
    assert (report["total"], report["done"], report["failed"]) == (20, 20, 0)
    for item in report["items"]:
        assert Path(item["output"]).is_file() and item["output"].endswith(".glb") and item["seed"] is not None
    assert sandbox_of_addon.segmind.creating_posts == 20
    assert len(bpy.data.objects) == before  # a batch never fills the open scene


_OPEN_AND_DESCRIBE = """
import json, sys, bpy
bpy.ops.wm.open_mainfile(filepath=sys.argv[-1])
scene = bpy.context.scene
meshes = [o for o in scene.objects if o.type == "MESH"]
print("DESCRIBED " + json.dumps({
    "scene": scene.name, "objects": [o.name for o in scene.objects], "faces": sum(len(o.data.polygons) for o in meshes),
    "images": sorted(i.name for i in bpy.data.images if i.packed_file is not None),
    "unpacked": [i.name for i in bpy.data.images if i.packed_file is None and i.source == "FILE"]}))
"""


def _open_in_a_fresh_blender(path: Path) -> dict:
    """What an artist sees on opening ``path`` (in a Blender of its own: this session's data stays as it is)."""
    done = subprocess.run([sys.executable, "-c", _OPEN_AND_DESCRIBE, str(path)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.split("DESCRIBED ", 1)[1].splitlines()[0])


def test_blend_results_open_on_the_textured_object_named_after_its_input(tmp_path):
    out = tmp_path / "out"
    before = {kind: len(getattr(bpy.data, kind)) for kind in ("objects", "meshes", "materials", "images", "scenes")}
    report = submodule("scripting.batch").generate_folder(_images(tmp_path / "in", 2), out, output_format="blend")
    assert report["done"] == 2
    for index, item in enumerate(report["items"]):
        seen = _open_in_a_fresh_blender(Path(item["output"]))
        name = f"concept_{index:02d}"
        assert seen["scene"] == name and seen["objects"] == [name] and seen["faces"] > 100, seen
        assert len(seen["images"]) >= 3 and seen["unpacked"] == [], seen  # the textures are inside the file
        assert not [n for n in seen["images"] if n[-4:-3] == "." and n[-3:].isdigit()], seen  # no session suffixes
    # The session the batch ran in is left as it was (nothing piles up from one item to the next).
    assert {kind: len(getattr(bpy.data, kind)) for kind in before} == before


def test_retexture_batch_with_several_styles(tmp_path, sandbox_of_addon):
    meshes = tmp_path / "meshes"
    meshes.mkdir()
    assets = submodule("sandbox.assets")
    for name in ("chair", "table"):
        (meshes / f"{name}.glb").write_bytes(assets.make_model_glb(3, face_count=300, texture=False))
    out = tmp_path / "out"
    sandbox_of_addon.meshy.config.v1_off = True  # as on 2027-03-15: everything goes through Meshy's API v2
    assert submodule("scripting.cli").main(["retexture", str(meshes), "--out", str(out), "--style", "oak", "--style", "steel"]) == 0
    report = json.loads((out / "report.json").read_text())
    assert report["done"] == 4 and sandbox_of_addon.meshy.creating_posts == 4
    assert all(task.v2 for task in sandbox_of_addon.meshy.tasks.values())
    assert len(list(out.glob("*_base_color.png"))) == 4
    # Each result is named by its mesh and its style, whatever order the jobs finished in.
    assert sorted(path.name for path in out.glob("*.glb")) == ["chair_oak.glb", "chair_steel.glb", "table_oak.glb",
                                                               "table_steel.glb"]


def test_a_batch_over_a_folder_without_inputs_says_so_and_fails(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("no images here")
    cli = submodule("scripting.cli")
    assert cli.main(["generate", str(empty), "--out", str(tmp_path / "out"), "--sandbox"]) != 0
    assert "No images (jpeg, jpg, png, webp) in" in capsys.readouterr().err
    assert cli.main(["retexture", str(empty), "--out", str(tmp_path / "out2"), "--style", "oak", "--sandbox"]) != 0
    assert "No meshes (glb) in" in capsys.readouterr().err


def test_jobs_lists_the_journal(tmp_path, capsys):
    submodule("scripting.batch").generate_folder(_images(tmp_path / "in", 1), tmp_path / "out")
    capsys.readouterr()
    assert submodule("scripting.cli").main(["jobs", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and rows[0]["provider"] == "SEGMIND" and rows[0]["state"] == "IMPORTED"


def test_an_interrupted_batch_resumes_and_sends_nothing_twice(tmp_path):
    sandbox_server = submodule("sandbox.server")
    images = _images(tmp_path / "in", 8)
    out, user = tmp_path / "out", tmp_path / "user"
    with sandbox_server.Sandbox() as box:
        box.segmind.config.queued_polls, box.segmind.config.processing_polls = 3, 6
        command = [sys.executable, str(Path(__file__).with_name("batch_child.py")), str(ROOT), str(user), box.url,
                   str(images), str(out)]
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        done = 0
        deadline = time.monotonic() + 60
        for line in child.stdout:
            done += line.startswith("done ")
            if done >= 2 or time.monotonic() > deadline:
                break
        child.kill()  # the machine went down in the middle of the batch
        child.wait(10)
        manifest = submodule("scripting.manifest").Batch.load(out)
        assert 2 <= sum(item.state == "DONE" for item in manifest.items) < 8
        posts_before = box.segmind.creating_posts
        resumed = subprocess.run(command, capture_output=True, text=True, timeout=300)
        report = json.loads((out / "report.json").read_text())
        # A job whose creating request was in flight when the machine went down cannot be looked up on
        # Segmind (it has no job list): it is reported as possibly billed and never sent again. Every
        # other image is done, and no image reached the service twice.
        caught = [item for item in report["items"] if item["state"] == "FAILED"]
        assert len(caught) <= 2, resumed.stdout[-2000:]  # at most the two that were in flight (concurrency 2)
        assert all("may be billed" in item["error"] for item in caught), caught
        assert report["done"] == 8 - len(caught) and report["pending"] == 0
        assert resumed.returncode == (1 if caught else 0)
        sent_images = [job.body["image"] for job in box.segmind.config.jobs.values()]
        assert len(sent_images) == len(set(sent_images)) == box.segmind.creating_posts <= 8
        assert posts_before <= box.segmind.creating_posts
        assert len(list(out.glob("*.glb"))) == report["done"]


def test_a_batch_job_whose_answer_was_lost_is_found_again_not_failed(tmp_path, sandbox_of_addon):
    # Scenario lists its jobs, so a job whose creating answer was lost is looked up and finishes;
    # the batch must wait for that look-up instead of counting the job failed when it turns UNKNOWN.
    sandbox_of_addon.arm("lose_answer", path_contains="/v1/generate/custom", method="POST", count=1)
    out = tmp_path / "out"
    report = submodule("scripting.batch").generate_folder(_images(tmp_path / "in", 2), out, provider="SCENARIO")
    assert (report["done"], report["failed"]) == (2, 0), report["items"]
    assert len(sandbox_of_addon.requests_matching("POST", "/v1/generate/custom")) == 2  # nothing sent twice


def test_the_documented_commands_run_from_the_development_set_up(tmp_path, png_file):
    # The README's CLI commands, through `python3.11 tools/dev.py cli ...` (the bpy wheel has no blender program).
    import os

    images = tmp_path / "concept_art"
    images.mkdir()
    (images / "pot.png").write_bytes(png_file.read_bytes())
    env = {**os.environ, "MESHSMITH_CLI_BLENDER_DIR": str(tmp_path / "blender"), "MESHSMITH_USER_DIR": str(tmp_path / "user")}
    dev = [sys.executable, str(ROOT / "tools" / "dev.py"), "cli"]
    done = subprocess.run([*dev, "generate", str(images), "--out", str(tmp_path / "results"), "--sandbox"], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert (tmp_path / "results" / "pot.glb").is_file() and "1 done, 0 failed" in done.stdout
    listed = subprocess.run([*dev, "jobs", "--json"], env=env, capture_output=True, text=True, timeout=300)
    assert listed.returncode == 0 and [row["label"] for row in json.loads(listed.stdout[listed.stdout.index("["):])] == ["pot"]
    as_blend = subprocess.run([*dev, "generate", str(images), "--out", str(tmp_path / "blends"), "--format", "blend",
                               "--sandbox"], env=env, capture_output=True, text=True, timeout=300)
    assert as_blend.returncode == 0, as_blend.stdout[-2000:] + as_blend.stderr[-2000:]
    seen = _open_in_a_fresh_blender(tmp_path / "blends" / "pot.blend")
    assert seen["scene"] == "pot" and seen["objects"] == ["pot"] and seen["unpacked"] == [], seen


def test_a_link_loop_among_the_images_fails_that_item_only(tmp_path, sandbox_of_addon, png_file, capsys):
    images = tmp_path / "images"
    images.mkdir()
    (images / "good.png").write_bytes(png_file.read_bytes())
    (images / "loop_a.png").symlink_to(images / "loop_b.png")
    (images / "loop_b.png").symlink_to(images / "loop_a.png")
    out = tmp_path / "out"
    code = submodule("scripting.cli").main(["generate", str(images), "--out", str(out)])
    printed = capsys.readouterr()
    assert code == 1 and "Traceback" not in printed.out + printed.err
    report = json.loads((out / "report.json").read_text())
    assert report["done"] == 1 and report["failed"] == 2
    failed = [item for item in report["items"] if item["error"]]
    assert all("loop_" in item["input"] and "is a link that cannot be read" in item["error"] for item in failed), failed
    assert sandbox_of_addon.segmind.creating_posts == 1


def test_an_unknown_catalog_model_refuses_the_batch_before_anything_is_sent(tmp_path, sandbox_of_addon, capsys):
    images = _images(tmp_path / "in", 3)
    code = submodule("scripting.cli").main(["generate", str(images), "--out", str(tmp_path / "out"),
                                            "--provider", "SCENARIO", "--model", "model_no-such-thing"])
    out, err = capsys.readouterr()
    assert code == 2 and "sent" not in out
    assert "Scenario has no model 'model_no-such-thing'" in err
    assert "blender -c meshsmith models --provider SCENARIO" in err and "Refresh the catalog" not in err
    assert sandbox_of_addon.scenario.creating_posts == 0 and not (tmp_path / "out" / "report.json").exists()


def test_the_models_command_lists_what_a_catalog_offers(sandbox_of_addon, capsys):
    cli = submodule("scripting.cli")
    assert cli.main(["models", "--json"]) == 0
    everything = json.loads(capsys.readouterr().out)
    assert everything[0]["id"] == "model_hunyuan-3d-v2-1" and "IMAGE" in everything[0]["tasks"]
    assert cli.main(["models", "--search", "meshy 7", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert len(found) >= 2 and all("meshy" in row["id"] and "7" in row["id"] for row in found)
    assert cli.main(["models", "--search", "tripo"]) == 0
    table = capsys.readouterr().out
    assert "model_tripo-v3-1-image-to-3d" in table and "image" in table


def test_remesh_and_uv_unwrap_from_the_command_line(tmp_path, sandbox_of_addon):
    sandbox_of_addon.meshy.config.v1_off = True
    meshes = tmp_path / "meshes"
    meshes.mkdir()
    assets, tools = submodule("sandbox.assets"), submodule("sandbox.mesh_tools")
    (meshes / "rock.glb").write_bytes(assets.make_model_glb(3, face_count=3000, texture=False))
    cli = submodule("scripting.cli")
    assert cli.main(["remesh", str(meshes), "--out", str(tmp_path / "remeshed"), "--topology", "triangle",
                     "--target-polycount", "500"]) == 0
    remeshed = tmp_path / "remeshed" / "rock_remeshed.glb"
    assert remeshed.is_file() and tools.face_count(remeshed.read_bytes()) <= 500
    assert cli.main(["uv-unwrap", str(meshes), "--out", str(tmp_path / "unwrapped")]) == 0
    assert (tmp_path / "unwrapped" / "rock_unwrapped.glb").is_file()
    kinds = sorted(task.kind for task in sandbox_of_addon.meshy.tasks.values())
    assert kinds == ["remesh", "uv-unwrap"] and all(task.v2 for task in sandbox_of_addon.meshy.tasks.values())
    assert json.loads((tmp_path / "remeshed" / "report.json").read_text())["items"][0]["cost"] == 5


def test_a_remesh_target_meshy_refuses_is_refused_before_the_batch_starts(tmp_path, sandbox_of_addon, capsys):
    meshes = tmp_path / "meshes"
    meshes.mkdir()
    (meshes / "rock.glb").write_bytes(submodule("sandbox.assets").make_model_glb(3, face_count=300, texture=False))
    code = submodule("scripting.cli").main(["remesh", str(meshes), "--out", str(tmp_path / "out"),
                                            "--target-polycount", "50"])
    assert code == 2 and "100" in capsys.readouterr().err and sandbox_of_addon.meshy.creating_posts == 0


def test_the_manifest_is_appended_never_rewritten_and_read_back_after_a_torn_line(tmp_path):
    batch_module = submodule("scripting.manifest")
    batch = batch_module.Batch("generate", "SEGMIND", "glb", [batch_module.Item(input="a.png"),
                                                               batch_module.Item(input="b.png")])
    batch.save(tmp_path)
    manifest = tmp_path / batch_module.MANIFEST
    written = manifest.read_bytes()
    batch.items[1].job_id, batch.items[1].state = "job-b", "SUBMITTED"
    batch.note(tmp_path, batch.items[1])
    assert manifest.read_bytes().startswith(written)  # appended: what was written stays as it was
    with manifest.open("a") as handle:
        handle.write('{"index": 0, "input": "a.png", "job_id": "job-a", "sta')  # the machine went down mid-line
    again = batch_module.Batch.load(tmp_path)
    assert [(item.input, item.job_id, item.state) for item in again.items] == [
        ("a.png", "", "NEW"), ("b.png", "job-b", "SUBMITTED")]
    old = tmp_path / "from_0.1"
    old.mkdir()
    (old / batch_module.OLD_MANIFEST).write_text(json.dumps({
        "command": "generate", "provider": "SEGMIND", "output_format": "glb",
        "items": [{"input": "c.png", "job_id": "job-c", "state": "DONE", "output": "c.glb"}]}))
    resumed = batch_module.Batch.load(old)
    assert [(item.input, item.state) for item in resumed.items] == [("c.png", "DONE")]


def test_an_item_whose_job_was_stored_but_never_sent_is_sent_on_the_rerun(tmp_path, blender, sandbox_of_addon):
    """The machine went down after the job was journaled (PENDING) and before its request left: the restart closes
    it as not sent, nothing charged, and the rerun sends that item, once."""
    manifest, records = submodule("scripting.manifest"), submodule("jobs.records")
    images, out = _images(tmp_path / "in", 1), tmp_path / "out"
    image = next(images.glob("*.png")).absolute()
    stranded = records.JobRecord(provider="SEGMIND", label="concept_00", state=records.JobState.PENDING,
                                 inputs={"image_path": str(image)}, output_dir=str(tmp_path / "gone"))
    blender.close_engine()
    submodule("jobs.store").JobStore(blender.user_dir()).append(stranded)
    out.mkdir()
    manifest.Batch("generate", "SEGMIND", "glb", [manifest.Item(input=str(image), job_id=stranded.id,
                                                                state="SUBMITTED")]).save(out)
    report = submodule("scripting.batch").generate_folder(images, out)
    assert report["done"] == 1 and report["failed"] == 0, report["items"]
    assert report["items"][0]["job_id"] != stranded.id
    assert blender.engine().get(stranded.id).message.startswith("Not sent")  # closed, never sent
    assert sandbox_of_addon.segmind.creating_posts == 1
