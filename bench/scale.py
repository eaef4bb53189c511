"""The scale section of the bench: a studio's job store of 1,000 / 10,000 / 100,000 finished jobs.

Stores of 1,000 and 10,000 jobs are built through the store's own API; the 100,000-job one is written as a 0.1
journal (JSON lines) and taken over by the first start, as an upgrade would. Each store also holds three unfinished
jobs. Every figure is measured in a fresh Blender (a probe process) and compared with the same probe on an empty
store, except the tick, measured in the bench's own Blender with 8 jobs running against the sandbox.

Budgets (issue 28), on this 2-core machine: enabling the add-on under 100 ms more than with an empty store;
start-up (resume included) under 1 s more; tick p99 under 1 ms with 8 running jobs; Import Again (with its glTF
import), Dismiss and an ownership check of an old job each under 16 ms on the main thread; a file open under 50 ms;
peak memory under 200 MB more than with an empty store; ``jobs --json`` lists every job; a 1,000-item batch's
manifest under 1 s in all.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.run import ROOT, Row, module, tick_cost

SIZES = (1_000, 10_000, 100_000)
OLD_JOBS = 3
"""The oldest jobs get real result files: Import Again and Dismiss act on them."""

PROBE = """
import sys, time, json, importlib, resource, tempfile
from pathlib import Path
sys.path.insert(0, {root!r})
from tools.blender_env import prepare_user_resources, enable_addon, MODULE_NAME
prepare_user_resources(Path(tempfile.mkdtemp()))
import os
os.environ["MESHSMITH_USER_DIR"] = {data!r}
import bpy
bpy.ops.wm.read_factory_settings(use_empty=True)
module = lambda name: importlib.import_module(MODULE_NAME + "." + name)
def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
before = peak_mb()
started = time.perf_counter()
enable_addon(online=True)
out = {{"enable_ms": (time.perf_counter() - started) * 1000}}
timers, runtime = module("host.timers"), module("host.runtime")
prefs = module("host.preferences").get()
prefs.auto_import = prefs.render_previews = False
started = time.perf_counter()
timers._first_tick()  # what Blender runs half a second after start-up: resume, and the job list's first page
runtime.drain(bpy.context)
out["startup_ms"] = out["enable_ms"] + (time.perf_counter() - started) * 1000
started = time.perf_counter()
timers._on_load_post()  # what a file open runs
out["file_open_ms"] = (time.perf_counter() - started) * 1000
engine = runtime.engine()
state = bpy.context.window_manager.meshsmith
out["rows"] = len(state.jobs)
store = engine.store
oldest = [r.id for r in store.find(module("jobs.store").JobQuery(order="oldest", limit={old}))]
if oldest:
    started = time.perf_counter()
    out["owns_ok"] = engine.owns(oldest[0])
    out["owns_ms"] = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    names = runtime.import_result(oldest[1], bpy.context, again=True)
    out["import_again_first_ms"] = (time.perf_counter() - started) * 1000  # loads Blender's glTF importer
    started = time.perf_counter()
    names = runtime.import_result(oldest[1], bpy.context, again=True)
    out["import_again_ms"] = (time.perf_counter() - started) * 1000
    out["imported"] = names
    glb = engine.get(oldest[1]).result_paths["MODEL"]
    started = time.perf_counter()
    bpy.ops.import_scene.gltf(filepath=glb)  # Blender's importer alone, on the same file
    out["bare_import_ms"] = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    engine.dismiss(oldest[2])
    out["dismiss_ms"] = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    state.job_state = "PROBLEM"  # a filter change: one store query, one page of rows
    out["filter_ms"] = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    state.job_search = "pot 99"
    out["search_ms"] = (time.perf_counter() - started) * 1000
    out["search_found"] = state.job_matches
    engine.flush()
started = time.perf_counter()
out["listed"] = sum(1 for _ in module("scripting.batch").list_jobs())
out["list_all_ms"] = (time.perf_counter() - started) * 1000
out["peak_growth_mb"] = peak_mb() - before
print("SCALE " + json.dumps(out), flush=True)
runtime.close_engine()
"""


def _records(count: int, folder: Path, glb: bytes):
    """``count`` finished jobs as the engine leaves them (about 1.25 KB each), oldest first, then 3 unfinished ones."""
    records = module("jobs.records")
    now = time.time()
    for index in range(count):
        output = folder / "results" / f"job{index:06d}"
        if index < OLD_JOBS:
            output.mkdir(parents=True, exist_ok=True)
            (output / "model.glb").write_bytes(glb)
        failed = index % 20 == 7
        yield records.JobRecord(
            id=f"job{index:06d}" + "0" * 23, provider=("SEGMIND", "SCENARIO", "MESHY")[index % 3],
            label=f"clay pot {index}", state=records.JobState.FAILED if failed else records.JobState.IMPORTED,
            params={"seed": index, "steps": 50, "guidance_scale": 5.5, "octree_resolution": 256, "num_chunks": 8000,
                    "face_count": 40000, "texture": True, "remove_background": True},
            inputs={"image_path": f"/studio/references/batch_{index // 1000:03d}/pot_{index:06d}.png"},
            output_dir=str(output), remote_id=f"remote-{index:08d}-abcdef", owner="0" * 32, progress=1.0,
            message="Failed" if failed else "Imported", error="The service could not finish this job." if failed else "",
            seed=index, cost=0.4, result_paths={} if failed else {"MODEL": str(output / "model.glb")},
            imported_objects=[] if failed else [f"clay pot {index}"], created_at=now - (count - index) * 60.0,
            updated_at=now - (count - index) * 60.0 + 90.0, submitted_at=now - (count - index) * 60.0 + 1.0,
            finished_at=now - (count - index) * 60.0 + 90.0)
    for index in range(3):  # unfinished: resumed at start-up (the sandbox is off, so they wait for a key)
        yield records.JobRecord(provider="SEGMIND", label=f"running {index}", state=records.JobState.QUEUED,
                                remote_id=f"running-{index}", output_dir=str(folder / "results" / f"running{index}"))


def build_store(folder: Path, count: int, glb: bytes) -> float:
    """A store of ``count`` jobs in ``folder``; returns the seconds a 0.1 journal's take-over took (0 if none)."""
    folder.mkdir(parents=True, exist_ok=True)
    store_module = module("jobs.store")
    if count < 100_000:
        store = store_module.JobStore(folder)
        batch = []
        for record in _records(count, folder, glb):
            batch.append(record)
            if len(batch) == 5000:
                store.append_many(batch)
                batch = []
        store.append_many(batch)
        store.close()
        return 0.0
    with open(folder / "jobs.jsonl", "w", encoding="utf-8") as journal:
        for record in _records(count, folder, glb):
            journal.write(record.model_dump_json() + "\n")
    started = time.perf_counter()
    store = store_module.JobStore(folder)
    took = time.perf_counter() - started
    assert store.migrated == count + 3, store.migrated
    store.close()
    return took


def probe(folder: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if key != "MESHSMITH_USER_DIR"}
    done = subprocess.run([sys.executable, "-c", PROBE.format(root=str(ROOT), data=str(folder), old=OLD_JOBS)],
                          capture_output=True, text=True, env=env, timeout=900)
    for line in done.stdout.splitlines():
        if line.startswith("SCALE "):
            return json.loads(line[6:])
    raise RuntimeError(f"the scale probe failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")


def manifest_cost(tmp: Path) -> Row:
    """A 1,000-item batch's manifest: written once, then each item sent and done (2,000 changes), each on disk."""
    batch_module = module("scripting.manifest")
    folder = tmp / "manifest"
    folder.mkdir(parents=True, exist_ok=True)
    batch = batch_module.Batch("generate", "SEGMIND", "glb",
                               [batch_module.Item(input=f"/studio/in/pot_{i:04d}.png") for i in range(1000)])
    started = time.perf_counter()
    batch.save(folder)
    for number, item in enumerate(batch.items):
        item.job_id, item.state = f"{number:032d}", "SUBMITTED"
        batch.note(folder, item)
    for item in batch.items:
        item.state, item.output, item.seed = "DONE", f"/studio/out/pot_{item.job_id[-4:]}.glb", 7
        batch.note(folder, item)
    took = time.perf_counter() - started
    again = batch_module.Batch.load(folder)
    ok = took < 1.0 and again is not None and all(item.state == "DONE" for item in again.items)
    return Row("batch manifest, 1,000 items (2,001 writes)", took * 1000, "ms", "< 1000", ok,
               "appended, each change synced to disk; read back whole")


def scale_rows(bpy, tmp: Path) -> list[Row]:
    glb = module("sandbox.assets").make_model_glb(3, face_count=12, texture_size=8)
    image = tmp / "reference.png"
    empty = probe(tmp / "scale-empty")
    rows: list[Row] = []
    for count in SIZES:
        folder = tmp / f"scale-{count}"
        if not (folder / "jobs.db").exists():
            took = build_store(folder, count, glb)
            if took:
                rows.append(Row(f"{count:,} jobs: taking over a 0.1 journal", took, "s", "", None,
                                "once, at the first start after the upgrade"))
        seen = probe(folder)
        size = f"{count:,} jobs"
        enable = seen["enable_ms"] - empty["enable_ms"]
        startup = seen["startup_ms"] - empty["startup_ms"]
        memory = seen["peak_growth_mb"] - empty["peak_growth_mb"]
        rows += [
            Row(f"{size}: enable, more than an empty store", enable, "ms", "< 100", enable < 100.0,
                f"{seen['enable_ms']:.0f} vs {empty['enable_ms']:.0f} ms"),
            Row(f"{size}: start-up incl. resume, more than empty", startup, "ms", "< 1000", startup < 1000.0,
                f"{seen['startup_ms']:.0f} vs {empty['startup_ms']:.0f} ms; {seen['rows']} rows shown"),
            Row(f"{size}: file open", seen["file_open_ms"], "ms", "< 50", seen["file_open_ms"] < 50.0),
            Row(f"{size}: ownership check of an old job", seen["owns_ms"], "ms", "< 16",
                seen["owns_ms"] < 16.0 and seen["owns_ok"]),
            Row(f"{size}: Import Again of an old job (incl. glTF)", seen["import_again_ms"], "ms", "< 16",
                seen["import_again_ms"] < 16.0 and bool(seen["imported"]),
                f"Blender's glTF importer alone on the same file: {seen['bare_import_ms']:.1f} ms; the session's first "
                f"import (loading the importer): {seen['import_again_first_ms']:.0f} ms"),
            Row(f"{size}: Dismiss an old job", seen["dismiss_ms"], "ms", "< 16", seen["dismiss_ms"] < 16.0),
            Row(f"{size}: job-list filter change (store query)", seen["filter_ms"], "ms", "", None,
                f"search: {seen['search_ms']:.1f} ms, {seen['search_found']} found"),
            Row(f"{size}: peak memory, more than an empty store", memory, "MB", "< 200", memory < 200.0),
            Row(f"{size}: jobs --json lists every job", seen["list_all_ms"], "ms", "", seen["listed"] == count + 3,
                f"{seen['listed']:,} listed"),
        ]
        runtime = module("host.runtime")
        previous = os.environ.get("MESHSMITH_USER_DIR")
        os.environ["MESHSMITH_USER_DIR"] = str(folder)
        try:
            runtime.close_engine()
            tick = {row.name: row for row in tick_cost(bpy, image, 8)}
        finally:
            runtime.close_engine()
            if previous is not None:
                os.environ["MESHSMITH_USER_DIR"] = previous
        p99 = tick["tick p99, 8 job(s)"]
        rows.append(Row(f"{size}: tick p99, 8 running jobs", p99.value, "ms", "< 1", p99.value < 1.0,
                        tick["tick p50, 8 job(s)"].note))
    rows.append(manifest_cost(tmp))
    return rows
