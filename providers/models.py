"""The normalised models every provider returns: the only shapes that leave a provider module.

Wire formats stay private to each provider; these models are what the job engine, the journal and
the Blender side see, whatever service ran the job.
"""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict, Field

from .channels import Channel


class JobStatus(str, Enum):
    """Where a remote job stands, in one vocabulary for every provider."""

    QUEUED = "QUEUED"
    """Accepted by the service, waiting for a worker."""
    RUNNING = "RUNNING"
    """Being generated."""
    SUCCEEDED = "SUCCEEDED"
    """Finished; its assets can be downloaded."""
    FAILED = "FAILED"
    """Finished without a result; ``RemoteJob.error`` says why."""
    CANCELED = "CANCELED"
    """Stopped before it finished."""

    @property
    def is_terminal(self) -> bool:
        return self in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELED)


class AssetRole(str, Enum):
    """What a downloadable result is for. A texture map's channel is ``AssetRef.channel`` (one enum for channels:
    ``channels.Channel``)."""

    MODEL = "MODEL"
    MAP = "MAP"
    PREVIEW = "PREVIEW"


class AssetRef(BaseModel):
    """One file a finished job produced."""

    model_config = ConfigDict(frozen=True)

    role: AssetRole
    """What the file is for."""
    channel: Channel | None = None
    """For a texture map: which channel it is."""
    filename: str
    """The name to save it under, with its extension."""
    url: str | None = None
    """Where to fetch it. Signed URLs are used exactly as given, without credentials."""
    inline: bytes | None = Field(default=None, repr=False, exclude=True)
    """The file itself when the service sent it in the response body (never journaled)."""
    remote_id: str | None = None
    """The service's own id for the asset, where it has one."""

    @property
    def key(self) -> str:
        """Its name among a job's result files: 'MODEL', 'PREVIEW', or the map's channel ('BASE_COLOR', ...)."""
        return self.channel.value if self.role is AssetRole.MAP and self.channel is not None else self.role.value


class RemoteJob(BaseModel):
    """A job as the service last described it."""

    model_config = ConfigDict(frozen=True)

    remote_id: str
    """The service's id for the job: what the journal keeps to find it again."""
    status: JobStatus
    """Normalised status."""
    raw_status: str = ""
    """The status word exactly as the service sent it, for messages and logs."""
    progress: float | None = None
    """Fraction done, 0 to 1, when the service reports one."""
    message: str = ""
    """A short line for the progress bar (queue position, phase)."""
    error: str = ""
    """Why the job failed, in the service's words plus any hint."""
    assets: tuple[AssetRef, ...] = ()
    """The downloadable results, filled once the job has succeeded."""
    cost: float | None = None
    """What the job cost in the service's unit (credits), when known."""
    remaining_credits: float | None = None
    """The account balance the service reported alongside this answer, when it did."""
