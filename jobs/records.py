"""The job record: one generation or retexture from the click on Generate to the object in the scene.

Records are immutable snapshots (pydantic, frozen); every change makes a new one, which is written to
the journal and handed to the main thread. A record never holds a key or image bytes, and holds a result's download address only
until the file is downloaded (``downloads``).
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .states import Delivery, JobKind, JobState

__all__ = ["Delivery", "JobKind", "JobRecord", "JobState"]


class JobRecord(BaseModel):
    """Everything Meshsmith knows about one job."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    """Meshsmith's own id for the job."""
    provider: str
    """'SEGMIND', 'SCENARIO' or 'MESHY'."""
    kind: JobKind = JobKind.GENERATE
    label: str = ""
    """What the artist sees in the job list: the prompt or the image name."""
    params: dict[str, Any] = Field(default_factory=dict)
    """The provider parameters as sent (seed made concrete once known)."""
    inputs: dict[str, str] = Field(default_factory=dict)
    """Input paths and prompt text, resolved on the main thread."""
    output_dir: str = ""
    """Folder for this job's result files."""
    delivery: Delivery | None = None
    """How the result comes into the scene, decided when the job was made (None: a job from before this field,
    whose delivery follows from its kind and parameters as it did then)."""
    target_object: str = ""
    """For retexture: the name of the object to texture (as it was at submit)."""
    target_uid: str = ""
    """For retexture: the id written on the object at submit (custom property ``meshsmith_uid``): the result
    lands only on the object that carries it."""
    target_file: str = ""
    """For retexture: the .blend the object was in at submit ('' for a file not saved yet)."""
    remote_id: str = ""
    """The service's id for the job, once it has named it."""
    owner: str = ""
    """The Blender session that runs the job (a note for people; the session's job lock is what decides)."""
    state: JobState = JobState.PENDING
    progress: float = 0.0
    """0 to 1; estimated from elapsed time where the service gives none."""
    message: str = ""
    """One line for the progress bar."""
    error: str = ""
    """Why it failed, for the artist."""
    warning: str = ""
    """Something the artist should know about a result that was still delivered (a missing texture)."""
    fix: str = "NONE"
    """What the panel offers beside the error (``providers.errors.Fix``)."""
    recoverable: bool = False
    """Failed here (network, deadline), not on the service: polling again may still get the result."""
    seed: int | None = None
    cost: float | None = None
    """What the job cost, in the provider's unit."""
    downloads: list[dict[str, str]] = Field(default_factory=list)
    """The result files (role, filename, url) from when the service said the job was done until they are on disk:
    a download resumed after a restart uses them (Segmind forgets a job's record within about an hour, long before
    its files). Emptied once the files are downloaded."""
    result_paths: dict[str, str] = Field(default_factory=dict)
    """Downloaded files by role ('MODEL', 'BASE_COLOR', ...)."""
    imported_objects: list[str] = Field(default_factory=list)
    auto_import: bool = True
    render_preview: bool = False
    """Render a small preview of the result when the service sends none (a background Blender process)."""
    dismissed: bool = False
    started_by: str = ""
    """Who asked for the job: '' the artist, 'agent' an AI agent through Meshsmith's agent access (MCP)."""
    created_at: float = Field(default_factory=time.time)
    updated_at: float = Field(default_factory=time.time)
    submitted_at: float | None = None
    finished_at: float | None = None

    def evolve(self, **changes: Any) -> JobRecord:
        """A new snapshot with ``changes`` applied and ``updated_at`` set."""
        changes.setdefault("updated_at", time.time())
        return self.model_copy(update=changes)
