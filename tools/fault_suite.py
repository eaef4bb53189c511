"""The fault-injection suite: every sandbox fault against every provider path, through the real add-on in Blender.

For each provider (Segmind generate, Scenario generate, Meshy retexture, a self-hosted Hunyuan3D server) and
each fault, a job is run
from the add-on's own job-building code through the engine to an imported result (or a clear error),
against a fresh sandbox with that fault armed. It records, and prints as a table: faults injected,
jobs that ended correctly (a success after a transient fault, a clear error for a permanent one),
hangs, duplicate creating requests, lost results, and secrets found in a saved .blend, the journal,
the logs, error messages and custom properties. The self-hosted server also meets its own quirks (a job
that never ends, a painting step that fails, a server started without ``--enable_tex``, no server up), and an
agent meets its own (``agent_faults``: it leaves mid-wait; the background Blender is killed mid-job).

Run it with ``python3.11 tools/dev.py faults``; the test suite runs it too (tests/blender/test_fault_suite.py).
"""

from __future__ import annotations

import importlib
import io
import logging
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tools.blender_env import MODULE_NAME  # noqa: E402

READ_TIMEOUT_S = 1.5
CASE_DEADLINE_S = 45.0
# A lost creating answer is looked for in the service's job list over a window (90 s in use); the suite
# shortens it so that a job that was never made is declared not found well inside a case's deadline.
LOOKUP_WINDOW_S = 4.0
LOOKUP_STEP_S = 0.5
PROVIDERS = ("SEGMIND", "SCENARIO", "MESHY", "HUNYUAN_SERVER")
SERVER_TIMEOUT_S = 12
"""The self-hosted server's job deadline in the suite (the only way its silent failures end)."""
# Where each provider's traffic goes: (creating POST, status GET, result download).
PATHS = {
    "SEGMIND": ("/v2/hunyuan-3d-2", "/status", "/meshes/"),
    "SCENARIO": ("/generate/custom", "/v1/jobs/", "/cdn/"),
    "MESHY": ("/openapi/v2/retexture", "/openapi/v2/tasks/", "/meshy-assets/"),
    # A self-hosted server's model comes inside the status answer that says "completed": a download fault there.
    "HUNYUAN_SERVER": ("/send", "/status/", "/status/"),
}
ANSWER_WITH_MODEL = {"HUNYUAN_SERVER": "model_base64"}
LOOKUP_PROVIDERS = {"SCENARIO", "MESHY"}
"""Providers whose job list lets a lost creating answer be reconciled into the real job."""


@dataclass(frozen=True)
class Fault:
    name: str
    kind: str
    where: str  # "create" | "status" | "download"
    options: dict = field(default_factory=dict)
    transient: bool = True
    """True: the job must still succeed. False: it must end with a clear error."""
    through_operator: bool = False
    """Run the job with the blocking operator (as a script does): it must return FINISHED exactly when the job
    is imported, and wait while a lost job is being looked for."""
    providers: tuple[str, ...] = ()
    """Only these providers (empty: every one)."""
    server: dict = field(default_factory=dict)
    """The self-hosted server the job goes to: its version and simulator settings; ``{"dead": True}``: an
    address where nothing answers."""
    words: str = ""
    """What the job's error (or, for a delivered result, its warning) must say."""
    not_for: tuple[str, ...] = ()
    """Providers the fault cannot happen to."""
    simulator: dict = field(default_factory=dict)
    """Settings of the provider's simulator for the case (``config`` attributes)."""


FAULTS = [
    Fault("dropped connection", "drop", "status", {"count": 2}),
    Fault("burst of 5xx", "status", "status", {"status": 503, "count": 3}),
    Fault("429 with Retry-After", "retry_after", "status", {"retry_after": 0.2, "count": 2}),
    Fault("body that stalls", "stall", "status", {"stall_s": 4.0, "count": 1}),
    Fault("body cut short", "truncate", "download", {"count": 1}),
    Fault("malformed JSON", "malformed_json", "status", {"count": 1}),
    Fault("unknown status", "unknown_status", "status", {"count": 1}, transient=False),
    Fault("corrupt GLB", "corrupt", "download", {"count": 99}, transient=False),
    Fault("expired signed URL", "status", "download", {"status": 403, "count": 1},
          not_for=("HUNYUAN_SERVER",)),  # a self-hosted server signs no URLs: its model comes in the status answer
    Fault("creating answer lost", "lose_answer", "create", {"count": 1}),
    Fault("server never answers", "stall", "create", {"stall_s": 20.0, "count": 1}),
    Fault("5xx on the creating request", "status", "create", {"status": 500, "count": 1}, transient=False),
    Fault("connection dropped before creating", "drop", "create", {"count": 1}, transient=False),
    Fault("429 on the creating request", "retry_after", "create", {"retry_after": 0.2, "count": 1}),
    Fault("creating answer lost, through the operator", "lose_answer", "create", {"count": 1}, through_operator=True),
    # The self-hosted server's own ways to fail (none of them is reported by the server).
    Fault("job stuck at 'processing' (failed on the server)", "none", "status", transient=False,
          providers=("HUNYUAN_SERVER",), server={"fail_next": 1}, words="server's log"),
    Fault("2.1 painting stuck at 'texturing'", "none", "status", transient=False, providers=("HUNYUAN_SERVER",),
          server={"version": "2.1", "paint_fail_next": 1}, words="gave no result in time"),
    Fault("2.1 painting failed, bare model sent", "none", "status", providers=("HUNYUAN_SERVER",),
          server={"version": "2.1", "paint_bare_next": 1}, words="without a texture"),
    Fault("2.0 server without --enable_tex", "none", "status", transient=False, providers=("HUNYUAN_SERVER",),
          server={"enable_tex": False}, words="--enable_tex"),
    Fault("no server answers", "none", "create", transient=False, providers=("HUNYUAN_SERVER",),
          server={"dead": True}, words="No Hunyuan3D server answers"),
    # A hostile server: "completed", then a body that never ends.
    Fault("'completed', then endless text", "none", "status", transient=False, providers=("HUNYUAN_SERVER",),
          server={"endless_completed": "text"}, words="sent no model"),
    Fault("'completed', then endless backslashes", "none", "status", transient=False,
          providers=("HUNYUAN_SERVER",), server={"endless_completed": "backslashes"}, words="not valid base64"),
    # Meshy's API v2: its own refusals of the creating request, each read by its code.
    Fault("429 pending-task limit (nothing created)", "none", "create", providers=("MESHY",),
          simulator={"pending_limit_next": 1, "v1_off": True}),
    Fault("429 plan out of credits for more tasks", "none", "create", transient=False, providers=("MESHY",),
          simulator={"concurrent_limit_next": 1, "v1_off": True}, words="plan has run out of credits"),
]


def faults_for(provider: str, faults: list[Fault] = FAULTS) -> list[Fault]:
    return [fault for fault in faults
            if (not fault.providers or provider in fault.providers) and provider not in fault.not_for]


@dataclass
class Outcome:
    provider: str
    fault: str
    expected: str
    state: str
    message: str
    correct: bool
    hang: bool
    creating_posts: int
    lost: bool


def expected_state(provider: str, fault: Fault) -> str:
    if fault.where == "create" and fault.kind in ("lose_answer", "stall") or fault.through_operator:
        # The job exists remotely; only a service with a job list can find it again.
        return "IMPORTED" if provider in LOOKUP_PROVIDERS else "UNKNOWN"
    return "IMPORTED" if fault.transient else "ERROR"


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.stream = io.StringIO()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.stream.write(self.format(record) + "\n")
        except Exception:  # a log line that cannot be formatted is not a secret leak
            pass


def _module(name: str):
    return importlib.import_module(f"{MODULE_NAME}.{name}")


def _configure(bpy, box, keys: dict[str, str]) -> None:
    prefs = _module("host.preferences").get()
    prefs.use_sandbox = False
    prefs.segmind_base_url = prefs.scenario_base_url = prefs.meshy_base_url = box.url
    prefs.segmind_api_key = keys["segmind"]
    prefs.scenario_api_key, prefs.scenario_api_secret = keys["scenario"], keys["scenario_secret"]
    prefs.meshy_api_key = keys["meshy"]
    prefs.hunyuan_server_token = keys["hunyuan_server_token"]
    bpy.context.scene.meshsmith.hunyuan_server.timeout_s = SERVER_TIMEOUT_S


def _hunyuan_server(box, fault: Fault):
    """The server the case's job goes to (listed alone in the preferences), and its simulator (None: dead)."""
    prefs = _module("host.preferences").get()
    prefs.hunyuan_server_servers.clear()
    entry = prefs.hunyuan_server_servers.add()
    if fault.server.get("dead"):
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            entry.url = f"http://127.0.0.1:{probe.getsockname()[1]}"
        return None
    options = dict(fault.server)
    simulator = box.add_hunyuan_server(options.pop("version", "2.0"), **{"enable_tex": True, **options})
    entry.url = simulator.url
    return simulator


def _start_job(bpy, provider: str, image: Path):
    runtime = _module("host.runtime")
    inputs = _module("operators.inputs")
    registry = _module("providers.registry")
    context = bpy.context
    if provider == "MESHY":
        retexture = _module("operators.retexture")
        record = retexture.build_retexture_job(context, provider, "weathered bronze", "")
    else:
        prompt = f"{provider.lower()} fault test" if registry.info(provider).takes_prompt else ""
        record = inputs.build_generate_job(context, provider, str(image), prompt)
    return runtime.submit(record, runtime.make_provider(provider, context))


def _run_operator(bpy, provider: str, image: Path) -> str:
    """The blocking operator, as a script calls it: 'FINISHED', or the error it raised."""
    try:
        if provider == "MESHY":
            result = bpy.ops.meshsmith.retexture(provider=provider, style_prompt="weathered bronze")
        else:
            result = bpy.ops.meshsmith.generate(provider=provider, image_path=str(image))
    except RuntimeError as exc:
        return f"error: {exc}"
    return next(iter(result))


def run_case(bpy, provider: str, fault: Fault, image: Path, keys: dict[str, str]) -> Outcome:
    from importlib import import_module

    sandbox_server = import_module(f"{MODULE_NAME}.sandbox.server")
    runtime = _module("host.runtime")
    records = _module("jobs.records")
    with sandbox_server.Sandbox() as box:
        _configure(bpy, box, keys)
        create, status, download = PATHS[provider]
        path = {"create": create, "status": status, "download": download}[fault.where]
        method = "POST" if fault.where == "create" else "GET"
        if fault.kind != "none":
            extra = {"answer_contains": ANSWER_WITH_MODEL[provider]} if (
                fault.where == "download" and provider in ANSWER_WITH_MODEL) else {}
            box.arm(fault.kind, path_contains=path, method=method, **fault.options, **extra)
        if provider == "HUNYUAN_SERVER":
            simulator = _hunyuan_server(box, fault)
        else:
            simulator = {"SEGMIND": box.segmind, "SCENARIO": box.scenario, "MESHY": box.meshy}[provider]
            for name, value in fault.simulator.items():
                setattr(simulator.config, name, value)
        operator_result = ""
        if fault.through_operator:
            known = {job.id for job in runtime.engine().jobs()}
            operator_result = _run_operator(bpy, provider, image)
            record = next(job for job in runtime.engine().jobs() if job.id not in known)
        else:
            record = _start_job(bpy, provider, image)
        deadline = time.monotonic() + CASE_DEADLINE_S
        final = {"IMPORTED", "FAILED", "CANCELED", "UNKNOWN"}
        current = record
        while time.monotonic() < deadline:
            runtime.engine().wait_for_updates(0.1)
            runtime.drain(bpy.context)
            current = runtime.engine().get(record.id)
            settled_unknown = current.state.value == "UNKNOWN" and current.finished_at is not None
            if current.state.value in final - {"UNKNOWN"} or settled_unknown:
                break
            if current.state is records.JobState.READY and current.error:
                break
        hang = time.monotonic() >= deadline
        state = current.state.value
        expected = expected_state(provider, fault)
        if expected == "ERROR":
            correct = state in ("FAILED", "UNKNOWN") and bool(current.error)
        else:
            # An unknown job says it was not sent again, and what it may cost in the service's own terms (nothing is
            # billed on the studio's own server).
            risk = "nothing is billed on your own server" if provider == "HUNYUAN_SERVER" else "may be billed"
            correct = state == expected and (expected != "UNKNOWN" or (risk in current.error
                                                                       and "send it again" in current.error))
        if correct and state == "IMPORTED":
            correct = all(Path(p).is_file() for p in current.result_paths.values())
        if fault.words:
            correct = correct and fault.words in (current.error if expected == "ERROR" else current.warning)
        if fault.through_operator:  # FINISHED exactly when imported; an error otherwise, never an early one
            correct = correct and (operator_result == "FINISHED") == (state == "IMPORTED")
        lost = expected == "IMPORTED" and state != "IMPORTED"
        if hang:
            runtime.engine().cancel(record.id)
        posts = simulator.creating_posts if simulator is not None else 0
        return Outcome(provider, fault.name, expected, state, current.error or current.message, correct and not hang,
                       hang, posts, lost)


def scan_for_secrets(blobs: dict[str, bytes], keys: dict[str, str]) -> dict[str, int]:
    """How many secrets appear in each blob (a saved .blend, the journal, the logs...)."""
    import base64

    secrets = list(keys.values())
    secrets.append(base64.b64encode(f"{keys['scenario']}:{keys['scenario_secret']}".encode()).decode())
    return {name: sum(secret.encode() in blob for secret in secrets) for name, blob in blobs.items()}


def run_suite(bpy, *, providers=PROVIDERS, faults=FAULTS, out: Path | None = None) -> tuple[list[Outcome], dict[str, int]]:
    """Run every fault against every provider in the running Blender (the add-on enabled). Returns rows and secrets."""
    from importlib import import_module

    simulated = {name: import_module(f"{MODULE_NAME}.sandbox.{name}") for name in ("segmind", "scenario", "meshy")}
    keys = {"segmind": simulated["segmind"].VALID_KEY, "scenario": simulated["scenario"].VALID_KEY,
            "scenario_secret": simulated["scenario"].VALID_SECRET, "meshy": simulated["meshy"].VALID_KEY,
            "hunyuan_server_token": "hy-proxy-token-5150"}
    out = out or Path(tempfile.mkdtemp(prefix="meshsmith-faults-"))
    previous = {name: os.environ.get(name) for name in ("MESHSMITH_HTTP_READ_TIMEOUT", "MESHSMITH_POLL_INTERVAL")}
    os.environ["MESHSMITH_HTTP_READ_TIMEOUT"] = str(READ_TIMEOUT_S)
    os.environ["MESHSMITH_POLL_INTERVAL"] = "0.1"
    engine_module = _module("jobs.worker")
    lookup = engine_module.RECONCILE_WINDOW_S, engine_module.RECONCILE_STEP_S
    engine_module.RECONCILE_WINDOW_S, engine_module.RECONCILE_STEP_S = LOOKUP_WINDOW_S, LOOKUP_STEP_S
    capture = _Capture()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    image = out / "reference.png"
    image.write_bytes(import_module(f"{MODULE_NAME}.sandbox.assets").make_textures(5, 64).base_color)
    rows: list[Outcome] = []
    try:
        bpy.ops.mesh.primitive_cube_add(location=(4.0, 0.0, 0.0))
        bpy.context.active_object.name = "FaultCrate"
        for provider in providers:
            for fault in faults_for(provider, faults):
                if provider == "MESHY":
                    bpy.context.view_layer.objects.active = bpy.data.objects["FaultCrate"]
                rows.append(run_case(bpy, provider, fault, image, keys))
        rows += agent_rows(image, out)
        blend = out / "faults.blend"
        bpy.ops.wm.save_as_mainfile(filepath=str(blend), compress=False, copy=True)
        runtime = _module("host.runtime")
        store = runtime.engine().store
        props = "\n".join(f"{obj.name}:{dict(obj.items())}" for obj in bpy.data.objects)
        messages = "\n".join(f"{row.message}" for row in rows)
        secrets = scan_for_secrets({
            ".blend": blend.read_bytes(),
            "job store": b"".join(path.read_bytes() for path in store.files()) if store is not None else b"",
            "logs": capture.stream.getvalue().encode(),
            "messages": messages.encode(),
            "custom properties": props.encode(),
        }, keys)
    finally:
        engine_module.RECONCILE_WINDOW_S, engine_module.RECONCILE_STEP_S = lookup
        root.removeHandler(capture)
        root.setLevel(old_level)
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return rows, secrets


def agent_rows(image: Path, out: Path) -> list[Outcome]:
    """The agent's faults (``agent_faults``): through Meshsmith's MCP server and its background Blender."""
    try:
        import mcp  # noqa: F401 - the SDK the MCP server runs on (requirements/dev.txt)
    except ImportError:
        return []
    from tools.agent_faults import run_agent_faults

    return [Outcome("MCP AGENT", outcome.fault, "IMPORTED", outcome.final_state, outcome.agent_heard, outcome.correct,
                    outcome.final_state == "HANG", outcome.creating_posts, outcome.state_when_it_struck == "MISSING")
            for outcome in run_agent_faults(sys.executable, image, out / "agent")]


def format_table(rows: list[Outcome], secrets: dict[str, int]) -> str:
    lines = [f"{'provider':<14} {'fault':<50} {'expected':<9} {'outcome':<9} {'POSTs':>5}  ok",
             "-" * 97]
    for row in rows:
        lines.append(f"{row.provider:<14} {row.fault:<50} {row.expected:<9} {row.state:<9} {row.creating_posts:>5}  "
                     f"{'yes' if row.correct else 'NO'}")
    totals = {
        "faults injected": len(rows),
        "ended correctly": sum(row.correct for row in rows),
        "hangs": sum(row.hang for row in rows),
        "duplicate creating requests": sum(max(0, row.creating_posts - 1) for row in rows),
        "lost results": sum(row.lost for row in rows),
        "secrets found (.blend, job store, logs, messages, properties)": sum(secrets.values()),
    }
    lines.append("-" * 97)
    lines += [f"{name:<60} {value:>5}" for name, value in totals.items()]
    return "\n".join(lines)


def main() -> int:
    from tools.blender_env import enable_addon, prepare_user_resources

    user = prepare_user_resources(Path(tempfile.mkdtemp(prefix="meshsmith-faults-user-")))
    os.environ.setdefault("MESHSMITH_USER_DIR", str(user / "meshsmith-data"))  # never the artist's own job history
    import bpy

    bpy.ops.wm.read_factory_settings(use_empty=True)
    enable_addon(online=True)
    rows, secrets = run_suite(bpy)
    print(format_table(rows, secrets))
    bad = [row for row in rows if not row.correct or row.hang or row.lost or row.creating_posts > 1]
    return 1 if bad or sum(secrets.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
