"""The job list in the sidebar: one page of the job history on the WindowManager (never saved).

The list shows a window, never everything: the page of ``PAGE_SIZE`` jobs the artist's search and filters find,
newest first, read from the job store through its indexes when the page or the filters change (``rebuild``). A
tick brings up to date only the rows of jobs that changed (``sync``): a row is found by its job id (a lookup in C),
its fields written only when they changed, and a new job that matches goes to the top of the first page. So
start-up, a file open and a tick cost the same with 100 jobs in the store or 100,000.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import bpy

from ..jobs.states import JobState
from ..providers import registry
from . import preferences

if TYPE_CHECKING:
    from ..jobs.engine import JobEngine
    from ..jobs.records import JobRecord
    from ..jobs.store import JobQuery

_UNWRITTEN = object()
PAGE_SIZE = 50
"""Rows on one page of the job list."""
COUNT_UP_TO = 10_000
"""The list counts what its search finds up to this many ("1–50 of 10,000+"): counting a longer history would cost a
file open more than the page itself. The last page is found by counting them all, when the artist asks for it."""
PROVIDER_FILTER = [("ALL", "All Services", ""), *((p.id, p.label, "") for p in registry.PROVIDERS.values())]
STATE_FILTER = [("ALL", "All States", ""), ("ACTIVE", "Running", "Queued, running or downloading"),
                ("READY", "Ready to Import", ""), ("IMPORTED", "Imported", ""), ("PROBLEM", "Failed or Unknown", ""),
                ("CANCELED", "Canceled", "")]
STATE_GROUPS = {"ALL": (), "ACTIVE": tuple(s.value for s in JobState if s.is_active),
                "PROBLEM": (JobState.FAILED.value, JobState.UNKNOWN.value)}
AGE_FILTER = [("ALL", "Any Time", ""), ("DAY", "Last 24 Hours", ""), ("WEEK", "Last 7 Days", ""),
              ("MONTH", "Last 30 Days", ""), ("OLDER", "Older Than 30 Days", "")]
_DAY_S = 86400.0


def query_of(state, *, now: float | None = None) -> JobQuery:
    """The store query for the list's search, filters and page (``state``: the WindowManager's ``meshsmith``)."""
    from ..jobs.store import JobQuery

    now = time.time() if now is None else now
    days = {"DAY": 1, "WEEK": 7, "MONTH": 30}.get(state.job_age)
    return JobQuery(text=state.job_search.strip(), provider="" if state.job_provider == "ALL" else state.job_provider,
                    states=STATE_GROUPS.get(state.job_state, (state.job_state,)),
                    since=now - days * _DAY_S if days else None,
                    until=now - 30 * _DAY_S if state.job_age == "OLDER" else None,
                    limit=PAGE_SIZE, offset=state.job_page * PAGE_SIZE)


class JobListMirror:
    """What was last written to each row of the page shown, so that a tick writes only the fields that changed."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, object]] = {}
        self.query: JobQuery | None = None
        """The query the page shows (None before the first rebuild: every job matches)."""

    def sync(self, context: bpy.types.Context, record: JobRecord | None) -> None:
        """Bring a job's row up to date: changed in place, added at the top of the first page when it is new and
        matches the list's query, removed when it is dismissed or no longer matches."""
        if record is None:
            return
        state = context.window_manager.meshsmith
        items = state.jobs
        index = items.find(record.id)  # rows are named by job id: a lookup in C, not a Python loop
        query = self.query
        if record.dismissed or (query is not None and not query.matches(record)):
            if index >= 0:
                self.rows.pop(record.id, None)
                items.remove(index)
                state.job_matches = max(0, state.job_matches - 1)
                state.active_job_index = min(state.active_job_index, max(0, len(items) - 1))
            return
        values = row_values(record)
        written = self.rows.get(record.id, {}) if index >= 0 else {}
        if index < 0:
            if query is not None and query.offset > 0:
                return  # a new job belongs on the first page, not this one
            items.add()
            items.move(len(items) - 1, 0)  # newest first (a page holds at most PAGE_SIZE rows to move)
            index = 0
            state.job_matches += 1
            if len(items) > PAGE_SIZE:  # the oldest row moves on to the next page
                self.rows.pop(items[len(items) - 1].job_id, None)
                items.remove(len(items) - 1)
            state.active_job_index = 0  # the new job is the one the artist is looking at
        item = items[index]
        for key, value in values.items():
            if written.get(key, _UNWRITTEN) != value:
                setattr(item, key, value)
        self.rows[record.id] = values

    def rebuild(self, context: bpy.types.Context, engine: JobEngine) -> None:
        """Show the page the list's search, filters and page number ask for (after register, a file load, a resume,
        a change of page or filter): one store query, at most ``PAGE_SIZE`` rows written."""
        state = context.window_manager.meshsmith
        query = query_of(state)
        # Counted up to the page shown plus COUNT_UP_TO: exact while it is below, "N+" beyond.
        up_to = query.offset + COUNT_UP_TO
        records, total = engine.find(query, count_up_to=up_to)
        if not records and state.job_page > 0 and total:  # the page ran off the end (jobs dismissed): the last one
            state["job_page"] = max(0, (total - 1) // PAGE_SIZE)
            query = query_of(state)
            records, total = engine.find(query, count_up_to=up_to)
        self.query = query
        items = state.jobs
        items.clear()
        self.rows.clear()
        for record in records:  # newest first, appended: no row is moved
            values = row_values(record)
            item = items.add()
            for key, value in values.items():
                setattr(item, key, value)
            self.rows[record.id] = values
        state.job_matches = total
        state.job_matches_more = total >= up_to
        state.active_job_index = 0


def row_values(record: JobRecord) -> dict[str, object]:
    image = record.inputs.get("image_path", "")
    return {
        "name": record.id, "job_id": record.id, "provider": record.provider, "label": record.label,
        "state": record.state.value, "progress": max(0.0, min(1.0, record.progress)), "message": record.message,
        "error": record.error, "warning": record.warning, "fix": record.fix, "seed": "" if record.seed is None else str(record.seed),
        "cost": "" if record.cost is None else f"{record.cost:g}", "remote_id": record.remote_id,
        "ran_on": ran_on(record),
        "recoverable": record.recoverable, "kind": record.kind.value,
        "prompt": record.inputs.get("prompt") or record.inputs.get("style_prompt") or (Path(image).name if image else ""),
        "created_at": record.created_at, "preview_path": preview_in_job_folder(record),
        "output_dir": record.output_dir, "started_by": record.started_by,
    }


def ran_on(record: JobRecord) -> str:
    """Which of the artist's servers ran the job, by its label when it has one ('' for the services)."""
    if not record.remote_id or not registry.info(record.provider).self_hosted:
        return ""
    server = registry.client_class(record.provider).ran_on(record.remote_id)
    if not server:
        return ""
    label = preferences.server_label(record.provider, server)
    host = urlsplit(server).netloc
    return f"{label} ({host})" if label else host


def preview_in_job_folder(record: JobRecord) -> str:
    """The job's preview picture, only when it lies in the job's own folder (the panel loads it as an icon)."""
    preview = record.result_paths.get("PREVIEW", "")
    return preview if preview and record.output_dir and Path(preview).parent == Path(record.output_dir) else ""


def show_journal_warning(context: bpy.types.Context, engine: JobEngine) -> None:
    """Mirror the journal's health into the interface (written only when it changes)."""
    warning = engine.journal_error or (engine.store.problem if engine.store is not None else "")
    state = context.window_manager.meshsmith
    if state.journal_warning != warning:
        state.journal_warning = warning


def tag_redraw(context: bpy.types.Context) -> None:
    wm = context.window_manager
    for window in wm.windows:
        for area in window.screen.areas:
            if area.type == "VIEW_3D":
                area.tag_redraw()
