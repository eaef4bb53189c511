"""Meshsmith's benchmarks, in real headless Blender against the sandbox on loopback. Prints one table of figures
beside their budgets (pass/fail) and the machine they came from.

    python3.11 tools/dev.py bench            # one run
    python3.11 tools/dev.py bench --runs 3   # three runs, to see that the figures are stable

Budgets (issue 8): timer tick p99 < 1 ms and max < 5 ms while 1/8/32 jobs poll and download (import
excluded); import time at most 1.10 × a bare glTF import (40k and 100k faces, four 2048² maps);
done-to-scene latency over SSE under 250 ms plus the download; uploads no larger than the model uses;
memory bounded while downloading 200 MB; register() under 30 ms. The scale section (``bench/scale.py``): a job store
of 1,000 / 10,000 / 100,000 jobs.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.blender_env import MODULE_NAME, enable_addon, prepare_user_resources  # noqa: E402


@dataclass
class Row:
    name: str
    value: float
    unit: str
    budget: str = ""
    ok: bool | None = None
    note: str = ""


def module(name: str):
    return importlib.import_module(f"{MODULE_NAME}.{name}")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


class ExternalSandbox:
    """The sandbox in its own process, as a real service is: its work never competes with Blender's for the GIL."""

    def __init__(self, **config) -> None:
        import json
        import socket
        import urllib.request

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self._process = subprocess.Popen([sys.executable, "-m", "sandbox", "--port", str(port)], cwd=ROOT,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if hasattr(os, "setpriority"):
            # A real service runs on another machine. Here it shares two cores with Blender, so it gets
            # the CPU only when Blender does not want it, rather than pre-empting Blender's main thread.
            os.setpriority(os.PRIO_PROCESS, self._process.pid, 10)
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/_sandbox/health", timeout=1).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self._json, self._request = json, urllib.request
        if config:
            self.post("/_sandbox/config", config)

    def post(self, path: str, payload: dict) -> dict:
        request = self._request.Request(self.url + path, data=self._json.dumps(payload).encode(), method="POST",
                                        headers={"Content-Type": "application/json"})
        return self._json.loads(self._request.urlopen(request, timeout=10).read())

    def state(self) -> dict:
        return self._json.loads(self._request.urlopen(self.url + "/_sandbox/state", timeout=10).read())

    def __enter__(self) -> ExternalSandbox:
        return self

    def __exit__(self, *exc) -> None:
        self._process.kill()
        self._process.wait(10)


def configure(box) -> None:
    prefs = module("host.preferences").get()
    simulated = {name: module(f"sandbox.{name}") for name in ("segmind", "scenario", "meshy")}
    prefs.use_sandbox = False
    prefs.auto_import = False
    # Preview renders are timed on their own (below); here they would share the two cores with what is measured.
    prefs.render_previews = False
    prefs.segmind_base_url = prefs.scenario_base_url = prefs.meshy_base_url = box.url
    prefs.segmind_api_key = simulated["segmind"].VALID_KEY
    prefs.scenario_api_key, prefs.scenario_api_secret = simulated["scenario"].VALID_KEY, simulated["scenario"].VALID_SECRET
    prefs.meshy_api_key = simulated["meshy"].VALID_KEY
    prefs.hunyuan_server_servers.clear()
    prefs.hunyuan_server_servers.add().url = box.url + module("sandbox.hunyuan_server").SANDBOX_BASE_PATH


# --- 1. main-thread cost per tick ------------------------------------------------------------------------
def cpu_wait_ms() -> float:
    """Milliseconds this thread has spent runnable but not running (Linux schedstat); 0 where unknown."""
    try:
        with open(f"/proc/self/task/{threading.get_native_id()}/schedstat") as handle:
            return int(handle.read().split()[1]) / 1e6
    except (OSError, ValueError, IndexError):
        return 0.0


def tick_cost(bpy, image: Path, count: int) -> list[Row]:
    runtime, inputs = module("host.runtime"), module("operators.inputs")
    with ExternalSandbox(segmind={"complete_after_s": 3.0, "max_faces": 20000}) as box:
        configure(box)
        os.environ["MESHSMITH_POLL_INTERVAL"] = "0.2"
        runtime.close_engine()
        engine = runtime.engine()
        ids = []
        for _ in range(count):
            record = inputs.build_generate_job(bpy.context, "SEGMIND", str(image), "tick").evolve(auto_import=False)
            ids.append(engine.submit(record, runtime.make_provider("SEGMIND")).id)
        samples, waits = [], []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            waited = cpu_wait_ms()
            started = time.perf_counter()
            runtime.drain(bpy.context)
            samples.append((time.perf_counter() - started) * 1000)
            waits.append(cpu_wait_ms() - waited)
            if all(engine.get(i).state.value in ("READY", "FAILED") for i in ids):
                break
            time.sleep(0.01)
        os.environ.pop("MESHSMITH_POLL_INTERVAL", None)
        failed = [i for i in ids if engine.get(i).state.value != "READY"]
    p50, p99, peak = statistics.median(samples), percentile(samples, 0.99), max(samples)
    note = f"{len(samples)} ticks" + (f", {len(failed)} jobs not ready" if failed else "")
    worst = samples.index(peak)
    peak_note = (f"of which {waits[worst]:.1f} ms waiting for a CPU core (the OS ran another thread)"
                 if waits[worst] > 0.05 else "")
    return [Row(f"tick p50, {count} job(s)", p50, "ms", "", None, note),
            Row(f"tick p99, {count} job(s)", p99, "ms", "< 1", p99 < 1.0),
            Row(f"tick max, {count} job(s)", peak, "ms", "< 5", peak < 5.0, peak_note)]


def server_ticks(bpy, image: Path, count: int = 4) -> list[Row]:
    """The main thread while jobs queue for, run on and come back from one self-hosted Hunyuan3D server."""
    runtime, inputs = module("host.runtime"), module("operators.inputs")
    with ExternalSandbox() as box:
        configure(box)
        os.environ["MESHSMITH_POLL_INTERVAL"] = "0.2"
        runtime.close_engine()
        engine = runtime.engine()
        ids = []
        for _ in range(count):
            record = inputs.build_generate_job(bpy.context, "HUNYUAN_SERVER", str(image), "").evolve(auto_import=False)
            ids.append(engine.submit(record, runtime.make_provider("HUNYUAN_SERVER")).id)
        samples = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            started = time.perf_counter()
            runtime.drain(bpy.context)
            samples.append((time.perf_counter() - started) * 1000)
            if all(engine.get(i).state.value in ("READY", "FAILED") for i in ids):
                break
            time.sleep(0.01)
        os.environ.pop("MESHSMITH_POLL_INTERVAL", None)
        done = sum(engine.get(i).state.value == "READY" for i in ids)
        runtime.close_engine()
    p99, peak = percentile(samples, 0.99), max(samples)
    note = f"{len(samples)} ticks, {done}/{count} jobs ready, one job at a time on the server"
    return [Row(f"tick p99, {count} jobs on one self-hosted server", p99, "ms", "< 1", p99 < 1.0 and done == count, note),
            Row(f"tick max, {count} jobs on one self-hosted server", peak, "ms", "< 5", peak < 5.0)]


class _NullLayout:
    """Stands in for a UILayout: takes every call, draws nothing (times the panel's own Python work)."""

    def __getattr__(self, name):
        def call(*args, **kwargs):
            return (self, self) if name == "panel" else self

        return call


def catalog_rows(bpy, image: Path, count: int = 200) -> list[Row]:
    """A 200-model catalog: ticks while it is fetched and swapped in, and the Generate panel's draw with it."""
    state, sidebar = module("host.catalog.state"), module("panels.sidebar")
    with ExternalSandbox(scenario={"catalog_filler": count, "catalog_page_size": 100}) as box:
        configure(box)
        settings = bpy.context.scene.meshsmith
        settings.provider, settings.image_path = "SCENARIO", str(image)
        state.forget()
        state.refresh(bpy.context)
        ticks = []
        deadline = time.monotonic() + 60
        while (state.busy() or state.current() is None) and time.monotonic() < deadline:
            started = time.perf_counter()
            module("host.runtime").drain(bpy.context)
            ticks.append((time.perf_counter() - started) * 1000)
            time.sleep(0.01)
        models = len(state.current().visible()) if state.current() else 0
        settings.scenario.model = "model_tripo-v3-1-image-to-3d"
        deadline = time.monotonic() + 30
        while settings.scenario.model_inputs_for != settings.scenario.model and time.monotonic() < deadline:
            module("host.runtime").drain(bpy.context)
            time.sleep(0.01)
        panel = type("Panel", (), {"layout": _NullLayout()})()
        draws = []
        for _ in range(200):
            started = time.perf_counter()
            sidebar.VIEW3D_PT_meshsmith_generate.draw(panel, bpy.context)
            draws.append((time.perf_counter() - started) * 1000)
        settings.provider = "SEGMIND"
    peak, p99 = max(ticks), percentile(draws, 0.99)
    return [Row(f"tick max while a {count}-model catalog is fetched", peak, "ms", "< 5", peak < 5.0 and models > count,
                f"{len(ticks)} ticks; {models} models listed, fetched in a thread, swapped in on the main thread"),
            Row(f"Generate panel draw, {count}-model catalog, p99", p99, "ms", "< 2", p99 < 2.0,
                "our Python per draw (a stand-in layout); reads memory only, never the network or the disk")]


def first_use(bpy, image: Path) -> Row:
    """The one-off cost of the first job of a session: pydantic and requests load then, not at start-up."""
    already = "pydantic" in sys.modules
    started = time.perf_counter()
    tick_cost(bpy, image, 1)  # a whole job, so every lazily loaded module is in
    seconds = time.perf_counter() - started
    return Row("first job of a session (warm-up)", seconds, "s", "", None,
               "includes loading pydantic and requests once" if not already else "modules were already loaded")


def submit_stall(bpy, photo: Path) -> Row:
    runtime, inputs = module("host.runtime"), module("operators.inputs")
    with ExternalSandbox() as box:
        configure(box)
        times, ids = [], []
        for _ in range(5):
            started = time.perf_counter()
            record = inputs.build_generate_job(bpy.context, "SEGMIND", str(photo), "stall")
            ids.append(runtime.engine().submit(record.evolve(auto_import=False), runtime.make_provider("SEGMIND")).id)
            times.append((time.perf_counter() - started) * 1000)
        # Let the workers finish shrinking the photos (a child process each) so that they do not share the
        # two cores with the measurements that follow.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and any(runtime.engine().get(i).state.is_active for i in ids):
            time.sleep(0.2)
        runtime.close_engine()
    value = statistics.median(times)
    return Row("submit stall, 8K photo (main thread)", value, "ms", "< 16", value < 16.0,
               "main thread only checks; the worker shrinks the photo in a child process")


# --- 2. import against a bare glTF import ------------------------------------------------------------------
def clear_scene(bpy) -> None:
    for collection in (bpy.data.objects, bpy.data.meshes, bpy.data.materials, bpy.data.images, bpy.data.textures):
        for item in list(collection):
            collection.remove(item)


IMPORT_ROUNDS = 11
"""Rounds of (ours, bare) imports after one warm-up round. Blender's glTF importer alone varies by ±50 %
from one import to the next on this machine, so one pair of imports says little."""


def import_ratio(bpy, glb: Path, faces: int) -> Row:
    importer = module("mesh_io.importer")
    delivery = module("host.delivery")
    bare, ours = [], []

    def time_bare() -> None:
        clear_scene(bpy)
        started = time.perf_counter()
        # As File > Import runs it: with its undo step (a script's operator call skips it unless asked),
        # since ours ends with one too.
        bpy.ops.import_scene.gltf("EXEC_DEFAULT", True, filepath=str(glb))
        bare.append(time.perf_counter() - started)

    def time_ours() -> None:
        clear_scene(bpy)
        started = time.perf_counter()
        importer.import_glb(glb, name="bench", tags={"provider": "BENCH", "job_id": "x"})
        delivery.push_undo("bench")
        ours.append(time.perf_counter() - started)

    time_bare(), time_ours()  # warm-up: the first import of a file pays for reading it from disk
    bare.clear(), ours.clear()
    for round_ in range(IMPORT_ROUNDS):  # alternate which goes first, so caches favour neither
        for timed in ((time_bare, time_ours) if round_ % 2 == 0 else (time_ours, time_bare)):
            timed()
    clear_scene(bpy)
    # The fastest of several runs is the cost of the work itself; slower runs add what the machine was
    # doing besides (timeit's advice). Medians are shown beside it.
    ratio = min(ours) / min(bare)
    return Row(f"import / bare glTF import, {faces // 1000}k faces, 4×2048² maps", ratio, "×", "≤ 1.10", ratio <= 1.10,
               f"fastest: ours {min(ours) * 1000:.0f} ms, bare {min(bare) * 1000:.0f} ms; "
               f"medians {statistics.median(ours) * 1000:.0f} / {statistics.median(bare) * 1000:.0f} ms")


# --- 3. done-to-scene latency -------------------------------------------------------------------------------
def latency(bpy, image: Path, mesh_obj, provider: str) -> Row:
    runtime, inputs = module("host.runtime"), module("operators.inputs")
    with ExternalSandbox(segmind={"complete_after_s": 1.0}, meshy={"stream_step_s": 0.15}) as box:
        configure(box)
        module("host.preferences").get().auto_import = True
        runtime.close_engine()
        if provider == "MESHY":
            bpy.context.view_layer.objects.active = mesh_obj
            record = module("operators.retexture").build_retexture_job(bpy.context, "MESHY", "bronze", "")
        else:
            record = inputs.build_generate_job(bpy.context, "SEGMIND", str(image), "latency")
        record = runtime.submit(record, runtime.make_provider(provider))
        downloading = ready = None
        while True:  # the persistent timer's cadence
            for update in runtime.drain(bpy.context):
                if update.state.value == "DOWNLOADING" and downloading is None:
                    downloading = update.updated_at
                if update.state.value == "READY" and ready is None:
                    ready = update.updated_at
            state = runtime.engine().get(record.id).state.value
            if state in ("IMPORTED", "FAILED"):
                in_scene = time.time()
                break
            time.sleep(0.1)
        remote_id = runtime.engine().get(record.id).remote_id
        state = box.state()
        done = (state["meshy"]["done_at"][remote_id.removeprefix("v2:")] if provider == "MESHY"
                else state["segmind"]["created"][remote_id] + 1.0)
        download = (ready - downloading) if ready and downloading else 0.0
    value = (in_scene - done - download) * 1000
    if provider == "MESHY":
        return Row("done → in scene, Meshy over SSE (minus download)", value, "ms", "< 250", value < 250,
                   f"download {download * 1000:.0f} ms; includes the wait for the next 0.1 s tick and the material wiring")
    return Row("done → in scene, Segmind polling (minus download)", value, "ms", "≈ poll interval", None,
               f"poll every {module('providers.segmind.client').SegmindProvider.poll_interval:g} s in the first minute")


def preview_render(tmp: Path) -> Row:
    """A preview render of a 20k-face textured result, in its own background Blender, as after each job."""
    thumbnails = module("jobs.thumbnails")
    glb = tmp / "preview_model.glb"
    glb.write_bytes(module("sandbox.assets").make_model_glb(7, face_count=20_000, texture_size=1024))
    renderer = thumbnails.PreviewRenderer(ROOT / "mesh_io" / "preview_render.py", lambda *args: None)
    times = []
    for _ in range(3):
        started = time.perf_counter()
        rendered = renderer.render(glb, tmp)
        times.append(time.perf_counter() - started)
        if rendered is None:
            return Row("preview render, 20k faces (background process)", 0, "s", "", False, "the render failed")
    return Row("preview render, 20k faces (background process)", statistics.median(times), "s", "", None,
               f"{thumbnails.PREVIEW_SIZE_PX} px, Cycles on 1 CPU thread at low priority; the job is ready before it starts")


def bake_rows(bpy, tmp: Path) -> list[Row]:
    """A 50k-face result baked onto a 20k-face object (four 2K maps) in a background Blender, as a retexture
    that comes back with its own mesh is; the main thread ticks meanwhile, and each tick is timed."""
    exporter, bake_target = module("mesh_io.exporter"), module("mesh_io.bake_target")
    baking, repaint = module("jobs.baking"), module("sandbox.repaint")
    clear_scene(bpy)
    bpy.ops.mesh.primitive_uv_sphere_add(segments=250, ring_count=100, radius=1.0)  # the "returned" mesh
    source = bpy.context.active_object
    painted_from = exporter.export_object_glb(source, tmp / "bake_source.glb", require_uvs=False)
    model = tmp / "bake_result.glb"
    model.write_bytes(repaint.repaint(painted_from.read_bytes()))
    faces_out = len(repaint.read_triangles(model.read_bytes()))
    bpy.data.objects.remove(source)
    bpy.ops.mesh.primitive_uv_sphere_add(segments=160, ring_count=64, radius=1.0)  # the artist's object
    target = bpy.context.active_object
    target.data.calc_loop_triangles()
    faces_in = len(target.data.loop_triangles)
    out = tmp / "bake_out"
    out.mkdir(exist_ok=True)
    inputs = bake_target.prepare_bake_target(bpy.context, target, out, "2048")
    result: dict = {}

    def bake() -> None:
        started = time.perf_counter()
        try:
            result["maps"] = baking.bake_onto_target(script=ROOT / "mesh_io" / "bake_render.py",
                                                     blender_binary=bpy.app.binary_path, inputs=inputs, model=model,
                                                     out_dir=out, cancel=threading.Event())
        except Exception as exc:  # reported in the row
            result["error"] = str(exc)
        result["seconds"] = time.perf_counter() - started

    runtime = module("host.runtime")
    worker = threading.Thread(target=bake, daemon=True)
    worker.start()
    ticks = []
    while worker.is_alive():
        started = time.perf_counter()
        runtime.drain(bpy.context)
        ticks.append((time.perf_counter() - started) * 1000)
        time.sleep(0.1)  # the persistent timer's pace while a job is active
    clear_scene(bpy)
    seconds = result.get("seconds", 0.0)
    ok = "maps" in result and len(result["maps"]) == 4
    name = f"bake {faces_out // 1000}k-triangle result onto {faces_in // 1000}k-triangle object, 4 × 2K maps"
    return [Row(name, seconds, "s", "< 60", ok and seconds < 60.0,
                result.get("error", "background Blender, all CPU threads but one, at low priority")),
            Row("main-thread tick max while baking", max(ticks), "ms", "< 16", max(ticks) < 16.0,
                f"{len(ticks)} ticks; the bake runs in its own process")]


# --- 4. requests per job ---------------------------------------------------------------------------------------
def requests_per_job() -> list[Row]:
    engine = module("jobs.engine")
    rows = []
    for provider, base, fixed, label in (("Segmind", 2.0, 3, "POST, result, download"),
                                         ("Scenario", 3.0, 6, "upload, POST, 2 asset GETs, 2 downloads")):
        for length in (30, 120, 600, 1800):
            polls, elapsed = 0, 0.0
            while elapsed < length:
                elapsed += engine.poll_interval(base, elapsed)
                polls += 1
            rows.append(Row(f"requests, {provider} job of {length // 60 or length}{' min' if length >= 60 else ' s'}",
                            polls + fixed, "req", "", None, f"{polls} polls + {fixed} ({label})"))
    rows.append(Row("requests, Meshy job of any length", 1 + 1 + 6, "req", "", None,
                    "POST, 1 SSE stream, 6 downloads: no polls while the stream lives"))
    return rows


# --- 5. upload bytes ----------------------------------------------------------------------------------------------
def upload_sizes(bpy, photo: Path, tmp: Path) -> list[Row]:
    import base64
    import struct

    segmind = module("providers.segmind.client")
    started = time.perf_counter()
    encoded = module("providers.raw_base64").encode_image_file(photo, max_bytes=segmind.MAX_IMAGE_BYTES, workdir=tmp / "upload")
    seconds = time.perf_counter() - started
    sent = base64.b64decode(encoded)
    width, height = struct.unpack(">II", sent[16:24])
    rows = [Row("upload, 8K photo (8192×5461 PNG)", len(sent) / 1e6, "MB", "≤ 518 px", max(width, height) <= 518,
                f"sent {width}×{height} ({photo.stat().st_size / 1e6:.0f} MB original), {seconds * 1000:.0f} ms in a child process")]
    bpy.ops.mesh.primitive_uv_sphere_add(segments=320, ring_count=160)
    sphere = bpy.context.active_object
    faces = sum(len(p.vertices) - 2 for p in sphere.data.polygons)
    started = time.perf_counter()
    glb = module("mesh_io.exporter").export_object_glb(sphere, tmp / "mesh.glb", require_uvs=True)
    seconds = time.perf_counter() - started
    size = glb.stat().st_size
    rows.append(Row(f"upload, retexture mesh ({faces // 1000}k triangles)", size / 1e6, "MB", "", None,
                    f"export {seconds * 1000:.0f} ms; {size * 4 / 3 / 1e6:.1f} MB as base64 data URI; no textures sent"))
    bpy.data.objects.remove(sphere)
    return rows


# --- 6. memory while downloading ------------------------------------------------------------------------------------
def download_memory(tmp: Path) -> Row:
    http = module("net.http")
    size = 200 * 1024 * 1024
    with ExternalSandbox() as box:
        tracemalloc.start()
        started = time.perf_counter()
        module("net.downloads").download(http.HttpClient(), f"{box.url}/_sandbox/big.glb?size={size}", tmp / "big.glb")
        seconds = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    (tmp / "big.glb").unlink()
    return Row("peak memory growth, 200 MB download", peak / 1e6, "MB", "< 32", peak < 32e6,
               f"streamed to disk at {size / seconds / 1e6:.0f} MB/s")


# --- 7. register() ---------------------------------------------------------------------------------------------------
REGISTER_PROBE = """
import sys, time, tempfile, importlib
from pathlib import Path
sys.path.insert(0, {root!r})
from tools.blender_env import prepare_user_resources, MODULE_NAME
prepare_user_resources(Path(tempfile.mkdtemp()))
import bpy
module = importlib.import_module(MODULE_NAME)
started = time.perf_counter(); module.register(); print("REGISTER_MS", (time.perf_counter() - started) * 1000)
"""


FIRST_REQUEST_PROBE = """
import sys, time, json, urllib.request, importlib, pathlib, tempfile
sys.path.insert(0, r"{root}")
from tools.blender_env import prepare_user_resources, enable_addon, MODULE_NAME
prepare_user_resources(pathlib.Path(tempfile.mkdtemp()))
import bpy
bpy.ops.wm.read_factory_settings(use_empty=True)
enable_addon(online=True)
module = lambda name: importlib.import_module(MODULE_NAME + "." + name)
prefs = module("host.preferences").get()
prefs.use_sandbox, prefs.auto_import, prefs.render_previews = False, False, False
prefs.segmind_base_url, prefs.segmind_api_key = r"{url}", module("sandbox.segmind").VALID_KEY
runtime, inputs = module("host.runtime"), module("operators.inputs")
time.sleep(1.0)  # the artist looks at the sidebar for a moment after Blender starts

def created():
    return json.loads(urllib.request.urlopen(r"{url}/_sandbox/state", timeout=10).read())["segmind"]["created"]

def press():
    before = set(created())
    pressed = time.time()
    record = inputs.build_generate_job(bpy.context, "SEGMIND", r"{image}", "")  # what Generate does on the main thread
    runtime.submit(record, runtime.make_provider("SEGMIND"))
    while True:
        new = set(created()) - before
        if new:
            return (created()[new.pop()] - pressed) * 1000
        time.sleep(0.002)

print("FIRST_MS", press(), flush=True)
time.sleep(0.5)
print("LATER_MS", press(), flush=True)
runtime.close_engine()
"""


def time_to_first_request(image: Path) -> list[Row]:
    """Press -> the creating request reaches the service, for the first job of a fresh Blender and a later one."""
    firsts, laters = [], []
    with ExternalSandbox(segmind={"queued_polls": 1000}) as box:
        for _ in range(3):
            out = subprocess.run([sys.executable, "-c", FIRST_REQUEST_PROBE.format(root=ROOT, url=box.url, image=image)],
                                 capture_output=True, text=True, timeout=300).stdout
            for line in out.splitlines():
                if line.startswith("FIRST_MS"):
                    firsts.append(float(line.split()[1]))
                elif line.startswith("LATER_MS"):
                    laters.append(float(line.split()[1]))
    first, later = statistics.median(firsts), statistics.median(laters)
    return [Row("time to first request, first job of a session", first, "ms", "< 1000", first < 1000.0,
                f"median of {len(firsts)} fresh Blenders: press -> the creating request reaches the service"),
            Row("time to first request, a later job", later, "ms", "< 100", later < 100.0,
                "the same, for the next job of that session")]


def register_time() -> Row:
    subprocess.run([sys.executable, "-m", "compileall", "-q", "-x", r"\.venv|build|dist", str(ROOT)], check=False,
                   capture_output=True)
    times = []
    for _ in range(5):
        out = subprocess.run([sys.executable, "-c", REGISTER_PROBE.format(root=str(ROOT))], capture_output=True, text=True).stdout
        times += [float(line.split()[1]) for line in out.splitlines() if line.startswith("REGISTER_MS")]
    value = statistics.median(times)
    return Row("register()", value, "ms", "< 30", value < 30.0,
               f"median of {len(times)} fresh Blenders; pydantic and requests load on first use")


def run_once(bpy, tmp: Path) -> list[Row]:
    from bench.fixtures import heavy_glb, photo_png

    image = tmp / "reference.png"
    image.write_bytes(module("sandbox.assets").make_textures(2, 64).base_color)
    photo = tmp / "photo_8k.png"
    if not photo.exists():
        photo.write_bytes(photo_png())
    rows: list[Row] = [first_use(bpy, image)]
    for count in (1, 8, 32):
        rows += tick_cost(bpy, image, count)
    rows += server_ticks(bpy, image)
    rows += catalog_rows(bpy, image)
    rows.append(submit_stall(bpy, photo))
    for faces in (40_000, 100_000):
        glb = tmp / f"heavy_{faces}.glb"
        if not glb.exists():
            glb.write_bytes(heavy_glb(faces))
        rows.append(import_ratio(bpy, glb, faces))
    bpy.ops.mesh.primitive_cube_add(location=(5, 0, 0))
    cube = bpy.context.active_object
    rows.append(latency(bpy, image, cube, "MESHY"))
    rows.append(latency(bpy, image, cube, "SEGMIND"))
    rows.append(preview_render(tmp))
    rows += bake_rows(bpy, tmp)
    rows += requests_per_job()
    rows += upload_sizes(bpy, photo, tmp)
    rows.append(download_memory(tmp))
    rows.append(register_time())
    rows += time_to_first_request(image)
    return rows


def machine() -> str:
    cpus = os.cpu_count()
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        memory = 0
    import bpy

    return (f"{platform.system()} {platform.machine()}, {cpus} cores, {memory:.0f} GiB, Python {platform.python_version()}, "
            f"Blender {bpy.app.version_string} (bpy wheel, background)")


def table(runs: list[list[Row]]) -> str:
    lines = [f"{'measure':<52} {'value':>16} {'budget':>16}  result  note", "-" * 130]
    for index, row in enumerate(runs[0]):
        values = [run[index].value for run in runs]
        shown = f"{values[0]:.3g}" if len(values) == 1 else f"{min(values):.3g}–{max(values):.3g}"
        oks = [run[index].ok for run in runs]
        result = "" if oks[0] is None else ("pass" if all(oks) else "FAIL")
        # The note of the run that came out worst (highest value) says the most about a miss.
        note = max((run[index] for run in runs), key=lambda r: r.value).note if row.budget else row.note
        lines.append(f"{row.name:<52} {shown + ' ' + row.unit:>16} {row.budget:>16}  {result:<6}  {note}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="repeat the whole suite to check stability")
    parser.add_argument("--only", choices=["scale"], help="run one section only (scale: the job store at 1k-100k jobs)")
    parser.add_argument("--no-scale", action="store_true", help="leave the scale section out (it takes minutes)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="meshsmith-bench-"))
    prepare_user_resources(tmp / "user")
    os.environ["MESHSMITH_USER_DIR"] = str(tmp / "data")
    import bpy

    bpy.ops.wm.read_factory_settings(use_empty=True)
    enable_addon(online=True)
    from bench.scale import scale_rows

    def one_run() -> list[Row]:
        if args.only == "scale":
            image = tmp / "reference.png"
            image.write_bytes(module("sandbox.assets").make_textures(2, 64).base_color)
            return scale_rows(bpy, tmp)
        return run_once(bpy, tmp) + ([] if args.no_scale else scale_rows(bpy, tmp))

    runs = [one_run() for _ in range(args.runs)]
    print(f"\nMeshsmith benchmarks on {machine()}; {args.runs} run(s)\n")
    print(table(runs))
    failed = [row for run in runs for row in run if row.ok is False]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
