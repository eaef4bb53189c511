"""The job list in the sidebar: a copy of the engine's records on the WindowManager (never saved), kept up to date
by writing only the fields that changed, since a tick with dozens of polling jobs would otherwise spend
milliseconds on Blender property writes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import bpy

from ..providers import registry
from . import preferences

if TYPE_CHECKING:
    from ..jobs.engine import JobEngine
    from ..jobs.records import JobRecord

_UNWRITTEN = object()


class JobListMirror:
    """What was last written to each job's row, so that a tick writes only the fields that changed."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, object]] = {}

    def sync(self, context: bpy.types.Context, record: JobRecord | None) -> None:
        """Bring a job's row up to date (adding or removing it)."""
        if record is None:
            return
        state = context.window_manager.meshsmith
        items = state.jobs
        index = items.find(record.id)  # rows are named by job id: a lookup in C, not a Python loop
        if record.dismissed:
            self.rows.pop(record.id, None)
            if index >= 0:
                items.remove(index)
                state.active_job_index = min(state.active_job_index, max(0, len(items) - 1))
            return
        values = row_values(record)
        written = self.rows.get(record.id, {}) if index >= 0 else {}
        if index < 0:
            items.add()
            items.move(len(items) - 1, 0)  # newest first
            index = state.active_job_index = 0
        item = items[index]
        for key, value in values.items():
            if written.get(key, _UNWRITTEN) != value:
                setattr(item, key, value)
        self.rows[record.id] = values

    def rebuild(self, context: bpy.types.Context, records: list[JobRecord]) -> None:
        """Rebuild the whole list (after register, a file load, a resume) from ``records``, oldest first.

        Rows are appended newest first, so none is moved: adding each at the top (as ``sync`` does for a new job)
        would move every row already there, and a long history would cost its length squared."""
        state = context.window_manager.meshsmith
        items = state.jobs
        items.clear()
        self.rows.clear()
        for record in reversed(records):
            if record.dismissed:
                continue
            values = row_values(record)
            item = items.add()
            for key, value in values.items():
                setattr(item, key, value)
            self.rows[record.id] = values
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
        "output_dir": record.output_dir,
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
    warning = engine.journal_error or (engine.journal.problem if engine.journal is not None else "")
    state = context.window_manager.meshsmith
    if state.journal_warning != warning:
        state.journal_warning = warning


def tag_redraw(context: bpy.types.Context) -> None:
    wm = context.window_manager
    for window in wm.windows:
        for area in window.screen.areas:
            if area.type == "VIEW_3D":
                area.tag_redraw()
