"""The main-thread host of the job engine: builds providers from the preferences, drains job updates into the
job list, imports finished results, and resumes journaled jobs after a restart or a file load.

Everything here runs on Blender's main thread. ``drain()`` is the one tick function: the persistent
timer calls it, the modal operator calls it on every TIMER event, and background scripts and tests
call it directly (timers never fire in headless Blender).
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import bpy
from bpy.app.handlers import persistent

from . import preferences
from .jobs.states import JobState
from .providers import errors as E
from .providers.urls import is_loopback_host

if TYPE_CHECKING:  # the engine, pydantic and requests load on first use, not at register()
    from .jobs.engine import JobEngine
    from .jobs.records import JobRecord
    from .providers.base import Provider
    from .providers.http import NetworkSettings



def _log():
    """Meshsmith's logger; ``logging`` loads on first use, not while the add-on registers (it is not cheap)."""
    import logging

    return logging.getLogger("meshsmith")


TIMER_ACTIVE_S = 0.1
TIMER_IDLE_S = 1.0
SANDBOX_POLL_INTERVAL_S = 0.2
# Overrides for pipelines and the fault suite: a shorter read timeout, a different polling pace.
ENV_READ_TIMEOUT = "MESHSMITH_HTTP_READ_TIMEOUT"
ENV_POLL_INTERVAL = "MESHSMITH_POLL_INTERVAL"


def _env_seconds(name: str) -> float | None:
    try:
        value = float(os.environ.get(name, ""))
    except ValueError:
        return None
    return value if value > 0 else None

_engine: JobEngine | None = None
_sandbox = None
_session_jobs: set[str] = set()
"""Jobs submitted in this session by an operator: they import when ready whatever the preference says."""
_side_results: deque[Callable[[], None]] = deque()
"""Small results of background look-ups (balances), applied on the main thread by ``drain``."""


# --- folders ---------------------------------------------------------------------------------------------
def user_dir() -> Path:
    """The extension's own user folder (journal, results); ``MESHSMITH_USER_DIR`` overrides it."""
    override = os.environ.get(preferences.ENV_USER_DIR, "").strip()
    if override:
        path = Path(override)
    else:
        try:
            path = Path(bpy.utils.extension_path_user(__package__, path="", create=True))
        except (ValueError, AttributeError):
            # Loaded as a legacy add-on or from source (tests): use Blender's config folder.
            path = Path(bpy.utils.user_resource("CONFIG", path="meshsmith", create=True))
    path.mkdir(parents=True, exist_ok=True)
    return path


def results_dir(context: bpy.types.Context | None = None) -> Path:
    chosen = preferences.get(context).output_dir.strip()
    return Path(bpy.path.abspath(chosen)) if chosen else user_dir() / "results"


# --- engine and providers ----------------------------------------------------------------------------------
def engine() -> JobEngine:
    global _engine
    if _engine is None:
        import uuid

        from .jobs.engine import JobEngine
        from .jobs.journal import Journal
        from .jobs.ownership import JobLocks

        folder = user_dir()
        _engine = JobEngine(Journal(folder), preview_script=Path(__file__).parent / "mesh_io" / "preview_render.py",
                            blender_binary=bpy.app.binary_path, locks=JobLocks(folder, uuid.uuid4().hex))
    return _engine


def sandbox():
    """The built-in simulator, started on first use (loopback only)."""
    global _sandbox
    if _sandbox is None:
        from .sandbox.server import Sandbox

        _sandbox = Sandbox(0).start()
    return _sandbox


def network_settings(context: bpy.types.Context | None = None) -> NetworkSettings:
    from .providers.http import NetworkSettings

    ca_bundle = preferences.get(context).ca_bundle.strip()
    return NetworkSettings(ca_bundle=bpy.path.abspath(ca_bundle) if ca_bundle else "")


def _connection(provider_name: str, context: bpy.types.Context | None) -> tuple[str, dict[str, str]]:
    """(base URL, credentials as constructor keywords) for a provider: the sandbox's, or the artist's."""
    prefs = preferences.get(context)
    if provider_name == "SEGMIND":
        if prefs.use_sandbox:
            from .sandbox import segmind as simulated

            return sandbox().url, {"api_key": simulated.VALID_KEY}
        from .providers.segmind import DEFAULT_BASE_URL

        return preferences.segmind_base_url(context) or DEFAULT_BASE_URL, {"api_key": preferences.segmind_key(context)}
    if provider_name == "SCENARIO":
        if prefs.use_sandbox:
            from .sandbox import scenario as simulated

            return sandbox().url, {"api_key": simulated.VALID_KEY, "api_secret": simulated.VALID_SECRET}
        from .providers.scenario import DEFAULT_BASE_URL

        key, secret, project = preferences.scenario_credentials(context)
        return preferences.scenario_base_url(context) or DEFAULT_BASE_URL, {"api_key": key, "api_secret": secret,
                                                                             "project_id": project}
    if provider_name == "MESHY":
        if prefs.use_sandbox:
            from .sandbox import meshy as simulated

            return sandbox().url, {"api_key": simulated.VALID_KEY}
        from .providers.meshy import DEFAULT_BASE_URL

        return preferences.meshy_base_url(context) or DEFAULT_BASE_URL, {"api_key": preferences.meshy_key(context)}
    raise E.InvalidInputError(f"Unknown provider '{provider_name}'.")


def check_online(provider_name: str, context: bpy.types.Context | None = None) -> None:
    """Raise ``OfflineError`` when Blender's online access is off and the provider is not on this computer."""
    if bpy.app.online_access:
        return
    if preferences.get(context).use_sandbox:
        return
    from urllib.parse import urlsplit

    base, _credentials = _connection(provider_name, context)
    if is_loopback_host(urlsplit(base).hostname):
        return
    if bpy.app.online_access_override:
        raise E.OfflineError("Online access is off: Blender was started with --offline-mode. Restart it without that option.")
    raise E.OfflineError("Online access is off. Enable it in Edit > Preferences > System > Network > Allow Online Access.")


def make_provider(provider_name: str, context: bpy.types.Context | None = None) -> Provider:
    """A client for ``provider_name`` built from the current settings. Raises configuration errors."""
    check_online(provider_name, context)
    base, credentials = _connection(provider_name, context)
    from .providers.http import HttpClient

    read_timeout = _env_seconds(ENV_READ_TIMEOUT)
    http = HttpClient(network_settings(context), **({"read_timeout": read_timeout} if read_timeout else {}))
    # The sandbox answers at once: poll it quickly so demos and tests do not wait on a real schedule.
    poll = _env_seconds(ENV_POLL_INTERVAL) or (SANDBOX_POLL_INTERVAL_S if preferences.get(context).use_sandbox else None)
    if provider_name == "SEGMIND":
        from .providers.segmind import SegmindProvider

        return SegmindProvider(http, base_url=base, poll_interval=poll, **credentials)
    if provider_name == "SCENARIO":
        from .providers.scenario import ScenarioProvider

        return ScenarioProvider(http, base_url=base, poll_interval=poll, **credentials)
    if provider_name == "MESHY":
        from .providers.meshy import MeshyProvider

        return MeshyProvider(http, base_url=base, poll_interval=poll, **credentials)
    raise E.InvalidInputError(f"Unknown provider '{provider_name}'.")


def provider_or_none(provider_name: str) -> Provider | None:
    try:
        return make_provider(provider_name)
    except E.MeshsmithError as exc:
        _log().info("cannot resume %s jobs yet: %s", provider_name, exc)
        return None


def submit(record: JobRecord, provider: Provider) -> JobRecord:
    """Start a job submitted by the artist in this session."""
    record = engine().submit(record, provider)
    import_when_ready(record.id)
    wm = getattr(bpy.context, "window_manager", None)
    if wm is not None and hasattr(wm, "meshsmith"):
        _sync_item(bpy.context, record)  # its row at once; the rest of the list is as it was
    return record


def import_when_ready(job_id: str) -> None:
    """Import this job as soon as it is ready, whatever the auto-import preference says (the artist asked for it)."""
    _session_jobs.add(job_id)


def resume_jobs() -> list[JobRecord]:
    """Re-attach journaled jobs that were running when Blender last closed."""
    resumed = engine().resume(provider_or_none)
    sync_job_list()
    return resumed


# --- the tick ------------------------------------------------------------------------------------------------
ROWS_BUDGET_S = 0.001
"""Main-thread time one tick may spend bringing job-list rows up to date. A burst bigger than that (32
jobs appearing or finishing at once) is spread over the next ticks, 0.1 s apart, instead of one tick
stalling the interface for several milliseconds. Importing a result is not bounded: it is the import."""

_backlog: dict[str, JobRecord] = {}
"""The latest update of each job not yet applied to the job list, in the order they came."""


def drain(context: bpy.types.Context | None = None) -> list[JobRecord]:
    """Apply pending job updates on the main thread, within ``ROWS_BUDGET_S``; import results that are ready.

    Returns the records applied in this tick. Cheap when nothing changed: one empty queue read.
    """
    context = context or bpy.context
    apply_side_results()
    if _engine is not None:
        for record in _engine.drain():
            _backlog[record.id] = record
    if not _backlog:
        return []
    started = time.perf_counter()
    applied = []
    for job_id in list(_backlog):
        record = _backlog.pop(job_id)
        applied.append(record)
        _sync_item(context, record)
        if record.state is JobState.IMPORTED and record.imported_objects:
            _refresh_asset_previews(record)
        if time.perf_counter() - started > ROWS_BUDGET_S:
            break
    auto = preferences.get(context).auto_import
    _show_journal_warning(context)
    for record in applied:
        if record.state is JobState.READY and not record.dismissed and not record.error and record.auto_import:
            if (record.id in _session_jobs or auto) and may_import_by_itself(record.id):
                import_result(record.id, context)
    _tag_redraw(context)
    return applied


def may_import_by_itself(job_id: str) -> bool:
    """A ready result is imported without the artist asking only when its import can be recorded (the journal
    is writable) and this session runs the job (not another Blender sharing the user folder)."""
    current = _engine
    return current is not None and not current.journal_error and not current.is_foreign(job_id) and current.owns(job_id)


def _show_journal_warning(context: bpy.types.Context) -> None:
    """Mirror the journal's health into the interface (written only when it changes)."""
    if _engine is None:
        return
    warning = _engine.journal_error or (_engine.journal.problem if _engine.journal is not None else "")
    state = context.window_manager.meshsmith
    if state.journal_warning != warning:
        state.journal_warning = warning


def has_pending_updates() -> bool:
    """Whether updates are waiting for a later tick (the timer keeps its fast pace until they are applied)."""
    return bool(_backlog)


def apply_side_results() -> None:
    """Apply finished background look-ups (balances, estimates) on the main thread."""
    while _side_results:  # deque appends and pops are atomic: the worker appends, only this thread pops
        _side_results.popleft()()


def import_result(job_id: str, context: bpy.types.Context | None = None, *, again: bool = False,
                  as_new_object: bool = False) -> list[str]:
    """Import a READY job's result into the scene as one undo step (``again``: an IMPORTED one, once more;
    ``as_new_object``: a retexture result as an object of its own). Returns the new object names."""
    from . import delivery

    context = context or bpy.context
    return delivery.deliver(engine(), job_id, context, again=again, as_new_object=as_new_object,
                            on_change=lambda record: _sync_item(context, record))


def model_preview(job_id: str) -> Path | None:
    """A picture of a job's model (the service's preview or Meshsmith's render), if there is one yet."""
    from .delivery import model_preview as preview_of

    return preview_of(engine().get(job_id) if job_id else None)


def _refresh_asset_previews(record: JobRecord) -> None:
    """A render that landed after the import becomes the preview of the imported objects marked as assets.

    Runs in the tick for every imported job's update, so it looks at the disk only when an asset
    actually lacks this picture.
    """
    from .mesh_io.tweaks import ASSET_PREVIEW_PROP, set_asset_preview

    picture = record.result_paths.get("PREVIEW", "")
    stale = [obj for obj in map(bpy.data.objects.get, record.imported_objects)
             if obj is not None and obj.asset_data is not None and obj.get(ASSET_PREVIEW_PROP) != picture]
    if not stale:
        return
    preview = model_preview(record.id)
    if preview is None:
        return
    for obj in stale:
        set_asset_preview(obj, preview)


def separate_maps(result_paths: dict[str, str]) -> dict:
    from .delivery import separate_maps as maps_of

    return maps_of(result_paths)


def push_undo(message: str) -> None:
    from .delivery import push_undo as push

    push(message)


def run_in_background(work: Callable[[], Callable[[], None] | None]) -> None:
    """Run ``work`` in a thread; the callable it returns is applied on the main thread by ``drain``."""

    def runner() -> None:
        try:
            apply = work()
        except Exception as exc:  # any failure reaches the artist: never a silent "?" in the panel
            if isinstance(exc, E.MeshsmithError):
                message = str(exc)
            else:
                _log().exception("background look-up failed")
                message = E.redact(f"Internal error: {type(exc).__name__}: {exc}")

            def apply() -> None:
                bpy.context.window_manager.meshsmith.last_error = message
        if apply is not None:
            _side_results.append(apply)

    threading.Thread(target=runner, daemon=True, name="meshsmith-lookup").start()


# --- job list ------------------------------------------------------------------------------------------------
_rows: dict[str, dict[str, object]] = {}
"""What was last written to each job's row, so a tick writes only the fields that changed."""
_UNWRITTEN = object()


def _row_values(record: JobRecord) -> dict[str, object]:
    image = record.inputs.get("image_path", "")
    return {
        "name": record.id, "job_id": record.id, "provider": record.provider, "label": record.label,
        "state": record.state.value, "progress": max(0.0, min(1.0, record.progress)), "message": record.message,
        "error": record.error, "fix": record.fix, "seed": "" if record.seed is None else str(record.seed),
        "cost": "" if record.cost is None else f"{record.cost:g}", "remote_id": record.remote_id,
        "recoverable": record.recoverable, "kind": record.kind.value,
        "prompt": record.inputs.get("prompt") or record.inputs.get("style_prompt") or (Path(image).name if image else ""),
        "created_at": record.created_at, "preview_path": _preview_in_job_folder(record),
        "output_dir": record.output_dir,
    }


def _preview_in_job_folder(record: JobRecord) -> str:
    """The job's preview picture, only when it lies in the job's own folder (the panel loads it as an icon)."""
    preview = record.result_paths.get("PREVIEW", "")
    return preview if preview and record.output_dir and Path(preview).parent == Path(record.output_dir) else ""


def _sync_item(context: bpy.types.Context, record: JobRecord | None) -> None:
    """Bring a job's row up to date (adding or removing it): only changed fields are written, since a
    tick with dozens of polling jobs would otherwise spend milliseconds on Blender property writes."""
    if record is None:
        return
    state = context.window_manager.meshsmith
    items = state.jobs
    index = items.find(record.id)  # rows are named by job id: a lookup in C, not a Python loop
    if record.dismissed:
        _rows.pop(record.id, None)
        if index >= 0:
            items.remove(index)
            state.active_job_index = min(state.active_job_index, max(0, len(items) - 1))
        return
    values = _row_values(record)
    written = _rows.get(record.id, {}) if index >= 0 else {}
    if index < 0:
        items.add()
        items.move(len(items) - 1, 0)  # newest first
        index = state.active_job_index = 0
    item = items[index]
    for key, value in values.items():
        if written.get(key, _UNWRITTEN) != value:
            setattr(item, key, value)
    _rows[record.id] = values


def sync_job_list(context: bpy.types.Context | None = None) -> None:
    """Rebuild the job list from the engine (after register, file load, resume)."""
    context = context or bpy.context
    wm = getattr(context, "window_manager", None)
    if wm is None or not hasattr(wm, "meshsmith"):
        return
    wm.meshsmith.jobs.clear()
    _rows.clear()
    for record in engine().jobs():
        _sync_item(context, record)


def _tag_redraw(context: bpy.types.Context) -> None:
    wm = context.window_manager
    for window in wm.windows:
        for area in window.screen.areas:
            if area.type == "VIEW_3D":
                area.tag_redraw()


# --- timer and handlers ----------------------------------------------------------------------------------
def _timer() -> float:
    try:
        drain()
    except Exception:  # A timer that raises is unregistered by Blender: log and keep ticking.
        _log().exception("Meshsmith drain failed")
    busy = _backlog or (_engine is not None and _engine.has_active_jobs())
    return TIMER_ACTIVE_S if busy else TIMER_IDLE_S


def _first_tick() -> None:
    resume_jobs()
    return None


@persistent
def _on_load_post(*_args: object) -> None:
    # The WindowManager is new after a file load: rebuild the list, then carry on with the jobs.
    resume_jobs()
    if not bpy.app.timers.is_registered(_timer):
        bpy.app.timers.register(_timer, first_interval=TIMER_IDLE_S, persistent=True)


def register() -> None:
    bpy.app.timers.register(_timer, first_interval=TIMER_IDLE_S, persistent=True)
    bpy.app.timers.register(_first_tick, first_interval=0.5)
    bpy.app.handlers.load_post.append(_on_load_post)


def close_engine() -> None:
    """Stop every worker and forget the engine; the journal keeps the jobs for the next one (as at quit)."""
    global _engine
    if _engine is not None:
        _engine.shutdown()
        _engine = None
    _session_jobs.clear()
    _backlog.clear()


def unregister() -> None:
    global _sandbox
    if bpy.app.timers.is_registered(_timer):
        bpy.app.timers.unregister(_timer)
    if bpy.app.timers.is_registered(_first_tick):
        bpy.app.timers.unregister(_first_tick)
    if _on_load_post in bpy.app.handlers.load_post:
        bpy.app.handlers.load_post.remove(_on_load_post)
    close_engine()
    if _sandbox is not None:
        _sandbox.stop()
        _sandbox = None
