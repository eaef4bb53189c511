"""The main-thread host: it owns the job engine and the sandbox, and the tick that carries jobs on.

Everything here runs on Blender's main thread. ``drain()`` is the one tick function: the persistent
timer calls it (``timers``), the modal operator calls it on every TIMER event, and background scripts and
tests call it directly (timers never fire in headless Blender). Its neighbours each do one thing:
``connections`` builds providers from the preferences, ``joblist`` mirrors jobs into the sidebar's list,
``delivery`` brings a finished job into the scene, ``lookups`` runs balance and estimate look-ups in
threads. The host's state is one object, ``state.HOST``; no Blender-side module holds mutable state of its own.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import bpy

from ..jobs.states import JobState
from ..providers.memory import ProviderMemory
from . import preferences
from .connections import (  # noqa: F401 - the host's public API, as scripts and operators call it
    check_online,
    make_provider,
    network_settings,
    provider_or_none,
    results_dir,
    sandbox,
    stop_sandbox,
    take_over_legacy_journal,
    user_dir,
)
from .delivery import model_preview as preview_of
from .delivery import refresh_asset_previews
from .joblist import show_journal_warning, tag_redraw
from .state import HOST, apply_on_main_thread, log  # noqa: F401 - apply_on_main_thread is public API

if TYPE_CHECKING:  # the engine, pydantic and requests load on first use, not at register()
    from ..jobs.engine import JobEngine
    from ..jobs.records import JobRecord
    from ..providers.base import Provider


TIMER_ACTIVE_S = 0.1
"""The timers' pace while jobs are active (the persistent timer and a modal operator's)."""


# --- engine and providers ----------------------------------------------------------------------------------
def engine() -> JobEngine:
    if HOST.engine is None:
        import uuid

        from ..jobs.engine import JobEngine
        from ..jobs.ownership import JobLocks
        from ..jobs.store import JobStore

        folder = user_dir()
        take_over_legacy_journal(folder)  # 0.1 kept it where uninstalling deletes it
        HOST.engine = JobEngine(JobStore(folder), preview_script=Path(__file__).parent.parent / "mesh_io" / "preview_render.py",
                                 bake_script=Path(__file__).parent.parent / "mesh_io" / "bake_render.py",
                                 blender_binary=bpy.app.binary_path, locks=JobLocks(folder, uuid.uuid4().hex))
    return HOST.engine


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
    HOST.session_jobs.add(job_id)


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


def drain(context: bpy.types.Context | None = None) -> list[JobRecord]:
    """Apply pending job updates on the main thread, within ``ROWS_BUDGET_S``; import results that are ready.

    Returns the records applied in this tick. Cheap when nothing changed: one empty queue read.
    """
    context = context or bpy.context
    apply_side_results()
    if HOST.engine is not None:
        for record in HOST.engine.drain():
            # The freshest view: an import the writer thread has not applied yet is laid over older updates.
            HOST.backlog[record.id] = HOST.engine.get(record.id) or record
    if not HOST.backlog:
        return []
    started = time.perf_counter()
    applied = []
    for job_id in list(HOST.backlog):
        record = HOST.backlog.pop(job_id)
        applied.append(record)
        _sync_item(context, record)
        if record.state is JobState.IMPORTED and record.imported_objects:
            refresh_asset_previews(record)
        if time.perf_counter() - started > ROWS_BUDGET_S:
            break
    auto = preferences.get(context).auto_import
    show_journal_warning(context, HOST.engine) if HOST.engine is not None else None
    for record in applied:
        if record.state is JobState.READY and not record.dismissed and not record.error and record.auto_import:
            if (record.id in HOST.session_jobs or auto) and may_import_by_itself(record.id):
                import_result(record.id, context)
    tag_redraw(context)
    return applied


def may_import_by_itself(job_id: str) -> bool:
    """A ready result is imported without the artist asking only when its import can be recorded (the journal
    is writable) and this session runs the job (not another Blender sharing the user folder)."""
    current = HOST.engine
    return current is not None and not current.journal_error and not current.is_foreign(job_id) and current.owns(job_id)


def has_pending_updates() -> bool:
    """Whether updates are waiting for a later tick (the timer keeps its fast pace until they are applied)."""
    return bool(HOST.backlog)


def is_busy() -> bool:
    """Whether jobs are running or updates wait for a tick (the timer keeps its fast pace then)."""
    return bool(HOST.backlog) or (HOST.engine is not None and HOST.engine.has_active_jobs())


def apply_side_results() -> None:
    """Apply finished background look-ups (balances, estimates) on the main thread."""
    while HOST.side_results:  # deque appends and pops are atomic: the worker appends, only this thread pops
        HOST.side_results.popleft()()


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
    return preview_of(engine().get(job_id) if job_id else None)


def close_engine() -> None:
    """Stop every worker and forget the engine; the journal keeps the jobs for the next one (as at quit)."""
    if HOST.engine is not None:
        HOST.engine.shutdown()
        HOST.engine = None
    HOST.session_jobs.clear()
    HOST.backlog.clear()
    HOST.provider_memory = ProviderMemory()


# --- job list ------------------------------------------------------------------------------------------------
def _sync_item(context: bpy.types.Context, record: JobRecord | None) -> None:
    HOST.mirror.sync(context, record)


def sync_job_list(context: bpy.types.Context | None = None) -> None:
    """Show the job list's page again from the store (after register, file load, resume, a change of page or filter)."""
    context = context or bpy.context
    wm = getattr(context, "window_manager", None)
    if wm is None or not hasattr(wm, "meshsmith"):
        return
    HOST.mirror.rebuild(context, engine())
