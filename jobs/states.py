"""A job's lifecycle states and kinds: plain enums, cheap to import (no pydantic), shared by the engine and the UI."""

from __future__ import annotations

from enum import Enum


class JobState(str, Enum):
    """A job's local lifecycle. The journal stores these words; never rename one."""

    PENDING = "PENDING"
    """Created here; nothing sent yet."""
    SUBMITTING = "SUBMITTING"
    """The creating request is being sent. Journaled before it leaves, so a crash here is noticed."""
    QUEUED = "QUEUED"
    """The service accepted it and holds it in its queue."""
    RUNNING = "RUNNING"
    """The service is generating."""
    DOWNLOADING = "DOWNLOADING"
    """Fetching the result files."""
    READY = "READY"
    """Result files are on disk, waiting to be imported (on the main thread)."""
    IMPORTED = "IMPORTED"
    """In the scene. Done."""
    FAILED = "FAILED"
    """Ended without a result; ``error`` says why."""
    CANCELED = "CANCELED"
    """Stopped by the artist."""
    UNKNOWN = "UNKNOWN"
    """The creating request was sent but its answer was lost: the job may exist and may be billed."""

    @property
    def is_active(self) -> bool:
        """A worker is (or should be) running for it."""
        return self in _ACTIVE

    @property
    def is_finished(self) -> bool:
        return self in (JobState.IMPORTED, JobState.FAILED, JobState.CANCELED)


_ACTIVE = frozenset({JobState.PENDING, JobState.SUBMITTING, JobState.QUEUED, JobState.RUNNING, JobState.DOWNLOADING})


class JobKind(str, Enum):
    GENERATE = "GENERATE"
    RETEXTURE = "RETEXTURE"
    REMESH = "REMESH"
    """New topology for the artist's object (an asset tool)."""
    UV_UNWRAP = "UV_UNWRAP"
    """A new UV layout for the artist's object (an asset tool)."""


class Delivery(str, Enum):
    """How a job's result comes into the scene: decided when the job is made, recorded on it, never re-derived."""

    NEW_OBJECT = "NEW_OBJECT"
    """The returned model comes in as an object of its own (generate)."""
    MAPS_ONTO_TARGET = "MAPS_ONTO_TARGET"
    """The returned maps go onto a new material on the artist's own object (retexture onto its own UVs)."""
    BESIDE_TARGET = "BESIDE_TARGET"
    """The returned model comes in at the artist's object's place, which is hidden, never deleted."""
    NEW_VERSION = "NEW_VERSION"
    """The returned mesh becomes a new version of the artist's object (which is hidden, never deleted), keeping its
    look: a remeshed result gets the object's look baked onto UVs of its own; an unwrapped one adds its UV map to a
    copy of the object."""
    BAKE_ONTO_TARGET = "BAKE_ONTO_TARGET"
    """The returned model (its own mesh and UVs) is baked onto the artist's object, through that object's own
    UVs, in a background Blender; the baked maps go onto a new material on it. The model is kept."""
