"""The worker side of the job engine: one thread per job submits once, polls or streams, and downloads.

Everything here runs in worker threads and MUST NOT touch bpy or Blender data: every path a worker needs
was resolved on the main thread and sits in the ``JobRecord``. A worker changes its job only through
``_commit`` (journaled, then handed to the main thread), waits on its cancel event (never ``time.sleep``),
and stops quietly (``Stopped``) once the job has been canceled.

A creating request is sent at most once per job, ever, except after a 429 (which proves the service made
nothing): the job is journaled as SUBMITTING before the request leaves, and a job whose answer was lost
becomes UNKNOWN and is looked up in the service's job list, never resent.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from ..net import errors as E
from ..net.files import safe_filename
from ..net.gltf_guard import check_model_file
from ..providers.base import Provider
from ..providers.channels import Channel
from ..providers.models import AssetRef, AssetRole, JobStatus, RemoteJob
from .baking import needs_bake
from .book import JobBook, Stopped
from .pacing import estimated_progress, lower_thread_priority, poll_interval
from .records import JobRecord, JobState
from .same_uvs import kept_the_uvs
from .states import Delivery
from .thumbnails import PreviewRenderer, write_thumbnail

log = logging.getLogger("meshsmith.jobs")

# A job whose status could not be read for this long (the HTTP layer already retried each poll)
# stops and says so, rather than spinning silently; it keeps its remote id and can be resumed.
STALL_LIMIT_S = 5 * 60.0
# A garbled status answer (a proxy hiccup) is tolerated this many times in a row before the job fails.
MAX_BAD_ANSWERS = 3
# A 429 on the creating request proves the service made nothing: it is sent again after the wait the answer
# asks for (capped), this many times, so a batch of fifty images does not fail on a busy minute.
CREATE_RATE_LIMIT_RETRIES = 5
CREATE_RETRY_CAP_S = 60.0
# A job whose creating answer was lost is looked for in the service's job list for this long (a new job may
# take a moment to be listed), every so many seconds, before Meshsmith says it was not found.
RECONCILE_WINDOW_S = 90.0
RECONCILE_STEP_S = 10.0

_REMOTE_TO_LOCAL = {
    JobStatus.QUEUED: JobState.QUEUED,
    JobStatus.RUNNING: JobState.RUNNING,
}


class JobWorker:
    """Runs one job at a time per thread, changing it only through the engine's ``JobBook``."""

    def __init__(self, book: JobBook, *, bake_script: Path | None = None, blender_binary: str = "") -> None:
        """``bake_script``: the Blender script that bakes results onto the artist's object
        (``Delivery.BAKE_ONTO_TARGET``); ``blender_binary``: the Blender to run it (and previews) in."""
        self.book = book
        self.bake_script = bake_script
        self.blender_binary = blender_binary
        self.previews: PreviewRenderer | None = None
        """Renders a preview for a result the service sent none for (set by the engine when it has a script)."""

    def work(self, job_id: str, provider: Provider, event: threading.Event) -> None:
        """Run one job to READY (or a terminal state). Runs in a worker thread: no bpy here."""
        lower_thread_priority()
        try:
            record = self.book.require(job_id)
            if not record.remote_id:
                if record.state in (JobState.SUBMITTING, JobState.UNKNOWN):
                    remote = self._reconcile(job_id, provider, event)
                else:
                    try:
                        remote = self._submit(job_id, provider, event)
                    except E.SubmissionUnknownError as exc:
                        # Never resend: look the job up on the service instead, right away.
                        self.book.commit(job_id, event, state=JobState.UNKNOWN, error=str(exc), message="Answer lost")
                        remote = self._reconcile(job_id, provider, event, lead=exc.lead)
                if remote is None:
                    return
            elif record.state is JobState.DOWNLOADING and record.downloads:
                # The service said it was done before the restart: fetch the files from the addresses it gave.
                remote = RemoteJob(remote_id=record.remote_id, status=JobStatus.SUCCEEDED, assets=tuple(
                    AssetRef(role=AssetRole(item["role"]), channel=Channel(item["channel"]) if item.get("channel") else None,
                             filename=item["filename"], url=item["url"])
                    for item in record.downloads))
            else:
                remote = self._poll(job_id, provider, event, first=None)
            if remote.status is not JobStatus.SUCCEEDED:
                remote = self._poll(job_id, provider, event, first=remote)
            self._download(job_id, provider, event, remote)
        except Stopped:
            pass
        except E.MeshsmithError as exc:
            self._fail(job_id, event, exc)
        except Exception as exc:  # A bug must still end the job visibly, never hang it.
            log.exception("job %s crashed", job_id)
            self._fail(job_id, event, E.MeshsmithError(f"Internal error: {type(exc).__name__}: {exc}"))

    def _submit(self, job_id: str, provider: Provider, event: threading.Event) -> RemoteJob:
        record = self.book.require(job_id)
        request = provider.prepare(record.params, record.inputs)
        seed = getattr(request, "seed", None)  # made concrete by prepare() when the artist asked for a random one
        try:
            # Uploads, a free server: free, retried, never a job that "may exist".
            request = provider.stage(request, event, lambda text: self.book.commit(job_id, event, message=text))
        except E.TransportError as exc:
            raise E.TransportError(f"Could not upload the inputs to {provider.label} ({exc}). Nothing was created "
                                   "or billed; Submit Again is safe.") from None
        # Journaled before the request leaves: a crash from here on is reconciled, never resent.
        self.book.commit(job_id, event, state=JobState.SUBMITTING, message=f"Sending to {provider.label}",
                     params={**record.params, **({"seed": seed} if seed is not None else {})},
                     seed=seed if isinstance(seed, int) else record.seed, submitted_at=self.book.clock())

        def on_created(remote_id: str) -> None:
            with self.book.changing():
                record_now = self.book.records[job_id]
                self.book.keep(record_now.evolve(remote_id=remote_id))

        try:
            remote = self._create(job_id, provider, request, on_created, event)
        except (E.TransportError, E.BadResponseError, E.RefusedAnswerError) as exc:
            record = self.book.require(job_id)
            if record.remote_id:
                raise
            # The request may have reached the service: the job may exist (and, on a paid service, be billed).
            if isinstance(exc, E.TransportError):
                lead = f"The answer from {provider.label} to the creating request was lost"
                said = f"The answer from {provider.label} was lost ({exc})"
            else:  # it arrived, but Meshsmith cannot follow the job it names
                lead = said = f"{provider.label} answered the creating request in a way Meshsmith cannot use ({exc})"
            raise E.SubmissionUnknownError(
                f"{said}. {provider.lost_answer_risk()}; Meshsmith will not send it again by itself.", lead=lead
            ) from None
        self.book.commit(job_id, event, cost=remote.cost if remote.cost is not None else self.book.require(job_id).cost)
        return remote

    def _create(self, job_id: str, provider: Provider, request: object, on_created: Callable[[str], None],
                event: threading.Event) -> RemoteJob:
        """The creating request; sent again only after a 429, which proves the service made nothing."""
        attempt = 0
        busy_since: float | None = None
        while True:
            try:
                return provider.submit(request, on_created)
            except E.AccountBusyError as exc:  # nothing was made: wait in Meshsmith for one of the account's jobs
                if self.book.require(job_id).remote_id:
                    raise
                busy_since = self.book.clock() if busy_since is None else busy_since
                if self.book.clock() - busy_since > exc.patience_s:
                    raise E.RateLimitError(f"{exc} Meshsmith waited {exc.patience_s / 60:.0f} minutes and stopped; "
                                           "nothing was sent or billed. Submit again later.") from None
                attempt += 1  # 5 s, 10 s, 20 s... up to a minute: one of the account's jobs may end at any time
                delay = min(exc.retry_after or 5.0 * 2 ** (attempt - 1), CREATE_RETRY_CAP_S)
                gives_up = time.strftime("%H:%M", time.localtime(time.time() + busy_since + exc.patience_s
                                                                 - self.book.clock()))
                self.book.commit(job_id, event, message=f"Queued in Meshsmith: {exc} Sending again in {delay:.0f} s "
                                                        f"(until {gives_up}).")
                if event.wait(delay):
                    raise Stopped() from None
            except E.RateLimitError as exc:
                attempt += 1
                if self.book.require(job_id).remote_id or attempt > CREATE_RATE_LIMIT_RETRIES:
                    raise
                delay = min(exc.retry_after if exc.retry_after is not None else 5.0 * 2 ** (attempt - 1), CREATE_RETRY_CAP_S)
                self.book.commit(job_id, event, message=f"{provider.label} is busy (rate limit); sending again in {delay:.0f} s")
                if event.wait(delay):
                    raise Stopped() from None

    def _reconcile(self, job_id: str, provider: Provider, event: threading.Event, lead: str = "") -> RemoteJob | None:
        """Find the job a lost creating request made, by asking the service for a while; never resend. ``lead``: what
        happened to the creating answer (a restart found the job without it: it was lost)."""
        record = self.book.require(job_id)
        self.book.commit(job_id, event, state=JobState.UNKNOWN, message=f"Looking for the job on {provider.label}",
                     finished_at=None)
        give_up_at = self.book.clock() + (RECONCILE_WINDOW_S if provider.supports_lookup else 0.0)
        while True:
            try:
                request = provider.prepare(record.params, record.inputs)
                found = provider.find_lost_submission(request, record.submitted_at or record.created_at)
            except E.MeshsmithError as exc:
                log.info("reconcile %s failed: %s", job_id, exc)
                found = None
            if found is not None or self.book.clock() >= give_up_at:
                break
            if event.wait(RECONCILE_STEP_S):
                raise Stopped()
        if found is None:
            if provider.supports_lookup:
                error = (f"The answer from {provider.label} to the creating request was lost, and the job is not in "
                         f"{provider.label}'s job list after {int(RECONCILE_WINDOW_S)} seconds of looking: it was most "
                         "likely never created, so Submit Again is safe. If you see it on your account, Dismiss instead.")
            else:
                lead = lead or f"The answer from {provider.label} to the creating request was lost"
                error = provider.lost_answer_advice(lead)
            self.book.commit(job_id, event, state=JobState.UNKNOWN, finished_at=self.book.clock(),
                         message="Not found on the service. Check the service, then Submit Again or Dismiss.",
                         error=error)
            return None
        self.book.commit(job_id, event, remote_id=found.remote_id, state=_REMOTE_TO_LOCAL.get(found.status, JobState.RUNNING),
                     error="", message="Found the job on the service")
        return found

    def _watch(self, job_id: str, provider: Provider, event: threading.Event) -> RemoteJob | None:
        """Follow a job over the provider's stream. None when the stream broke: the caller polls instead."""
        started = self.book.require(job_id).submitted_at or self.book.clock()
        try:
            for remote in provider.watch(self.book.require(job_id).remote_id, event):
                if remote.status.is_terminal:
                    return remote
                self.book.commit(job_id, event, state=_REMOTE_TO_LOCAL[remote.status],
                             progress=round(remote.progress if remote.progress is not None else
                                            estimated_progress(self.book.clock() - started, provider.typical_duration_s), 3),
                             message=remote.message or remote.status.value.title(),
                             cost=remote.cost if remote.cost is not None else self.book.require(job_id).cost)
        except E.UnknownStatusError:
            raise  # not a broken stream: the service speaks a word we do not know, polling would not help
        except (E.TransportError, E.BadResponseError, E.ServerError, E.RateLimitError) as exc:
            log.info("stream for %s broke (%s); polling instead", job_id, exc)
            if event.is_set():
                raise Stopped() from None
            self.book.commit(job_id, event, message="Live progress lost; checking by polling")
        return None

    def _poll(self, job_id: str, provider: Provider, event: threading.Event, first: RemoteJob | None) -> RemoteJob:
        record = self.book.require(job_id)
        started = record.submitted_at or self.book.clock()
        remote = first
        if getattr(provider, "supports_stream", False) and (remote is None or not remote.status.is_terminal):
            streamed = self._watch(job_id, provider, event)
            if streamed is not None:
                remote = streamed
            elif event.is_set():
                raise Stopped()
        last_ok = self.book.clock()
        bad_answers = 0
        while True:
            if remote is not None:
                if remote.status is JobStatus.SUCCEEDED:
                    return remote
                if remote.status is JobStatus.FAILED:
                    raise E.JobFailedError(remote.error or f"{provider.label} reports that the job failed.")
                if remote.status is JobStatus.CANCELED:
                    raise E.JobCanceledError(f"{provider.label} canceled the job.")
                elapsed = self.book.clock() - started
                progress = remote.progress if remote.progress is not None else estimated_progress(elapsed, provider.typical_duration_s)
                self.book.commit(job_id, event, state=_REMOTE_TO_LOCAL[remote.status], progress=round(progress, 3),
                             message=remote.message or remote.status.value.title(),
                             cost=remote.cost if remote.cost is not None else self.book.require(job_id).cost)
            elapsed = self.book.clock() - started
            if elapsed > provider.max_duration_s:
                raise _recoverable(E.JobTimeoutError(
                    f"{provider.label} has not finished after {int(elapsed // 60)} minutes. Meshsmith stopped waiting; "
                    "use Retry Fetch to check again."))
            if event.wait(poll_interval(provider.poll_interval, elapsed)):
                raise Stopped()
            try:
                remote = provider.status(self.book.require(job_id).remote_id)
                last_ok, bad_answers = self.book.clock(), 0
            except E.UnknownStatusError:
                raise
            except E.BadResponseError as exc:
                bad_answers += 1
                if bad_answers > MAX_BAD_ANSWERS:
                    raise _recoverable(exc) from None
                self.book.commit(job_id, event, message=f"Unreadable answer, asking again: {exc}")
                remote = None
            except (E.TransportError, E.ServerError, E.RateLimitError) as exc:
                if self.book.clock() - last_ok > STALL_LIMIT_S:
                    raise _recoverable(E.JobTimeoutError(
                        f"Lost contact with {provider.label} for {int(STALL_LIMIT_S // 60)} minutes ({exc}). "
                        "Use Retry Fetch to check again.")) from None
                self.book.commit(job_id, event, message=f"Connection problem, retrying: {exc}")
                remote = None

    def _download(self, job_id: str, provider: Provider, event: threading.Event, remote: RemoteJob) -> None:
        record = self.book.require(job_id)
        downloads = [{"role": asset.role.value, "channel": asset.channel.value if asset.channel else "",
                      "filename": asset.filename, "url": asset.url}
                     for asset in remote.assets if asset.url]
        self.book.commit(job_id, event, state=JobState.DOWNLOADING, progress=max(record.progress, 0.96), downloads=downloads,
                     message="Downloading the result", cost=remote.cost if remote.cost is not None else record.cost)
        # Parts a crash or a kill left: this session owns the job, so no other writer is behind them.
        for stale in Path(record.output_dir).glob(".*.part"):
            stale.unlink(missing_ok=True)
        paths: dict[str, str] = {}
        # The model and maps first; previews last, and a broken preview never costs the artist the model.
        wanted = sorted(remote.assets, key=lambda asset: asset.role is AssetRole.PREVIEW)
        for asset in wanted:
            try:
                path = self._download_one(provider, record, asset, event)
            except (E.BadDownloadError, E.RefusedAnswerError):  # a preview too large or broken is only skipped
                if asset.role is AssetRole.PREVIEW:
                    continue
                raise
            if event.is_set():
                raise Stopped()
            paths[asset.key if asset.key not in paths else path.name] = str(path)
        if AssetRole.MODEL.value not in paths and record.kind.value == "GENERATE":
            raise E.BadResponseError(f"{provider.label} finished the job but sent no model.")
        warning = ""
        if AssetRole.MODEL.value in paths:
            model = Path(paths[AssetRole.MODEL.value])
            sidecars = frozenset(Path(path).name for role, path in paths.items() if role != AssetRole.MODEL.value)
            try:
                check_model_file(model, service=provider.label, sidecars=sidecars)
            except E.RefusedAnswerError:
                model.unlink(missing_ok=True)  # never importable later, by Import Again or another session
                raise
            warning = provider.result_warning(record.params, model)
        bake_error = ""
        if record.delivery is Delivery.BAKE_ONTO_TARGET and kept_the_uvs(record.inputs.get("mesh_path", ""), paths):
            # The service kept the UVs it was sent: its maps fit the object as they are; nothing to bake.
            record = self.book.commit(job_id, event, delivery=Delivery.MAPS_ONTO_TARGET)
        if needs_bake(record.kind.value, record.delivery) and AssetRole.MODEL.value in paths:
            try:
                paths.update(self._bake(job_id, record, Path(paths[AssetRole.MODEL.value]), event))
            except E.BakeFailedError as exc:  # the model is kept: it can still come in as an object of its own
                bake_error = str(exc)
        render = AssetRole.PREVIEW.value not in paths and AssetRole.MODEL.value in paths
        if render:  # the texture now, so the history has a picture at once; the render replaces it later
            thumbnail = write_thumbnail(Path(paths[AssetRole.MODEL.value]), Path(record.output_dir))
            if thumbnail is not None:
                paths[AssetRole.PREVIEW.value] = str(thumbnail)
        self.book.commit(job_id, event, state=JobState.READY, result_paths=paths, progress=1.0, downloads=[],
                     message="Ready to import", error=bake_error, warning=warning)
        if render and record.render_preview and self.previews is not None:
            self.previews.request(job_id, Path(paths[AssetRole.MODEL.value]), Path(record.output_dir))

    def _bake(self, job_id: str, record: JobRecord, model: Path, event: threading.Event) -> dict[str, str]:
        """Bake the model onto the artist's object in a background Blender (this thread only waits for it)."""
        from .baking import bake_job

        if self.bake_script is None or not (record.inputs.get("bake_target") or record.inputs.get("bake_source")):
            raise E.BakeFailedError("This Blender session cannot bake (no bake script); import the result as a new "
                                    "object instead.")
        self.book.commit(job_id, event, progress=0.98, message=f"Baking onto {record.target_object}")
        try:
            return bake_job(script=self.bake_script, blender_binary=self.blender_binary, kind=record.kind.value,
                            inputs=record.inputs, model=model, out_dir=Path(record.output_dir), cancel=event)
        except E.JobCanceledError:
            raise Stopped() from None

    def preview_rendered(self, job_id: str, path: Path) -> None:
        """The preview renderer's callback (its own thread): the render becomes the job's preview."""
        with self.book.changing():
            record = self.book.held_or_stored(job_id)  # the job may have left memory since (the store keeps it)
            if record is not None and not self.book.closed:
                self.book.keep(record.evolve(result_paths={**record.result_paths, AssetRole.PREVIEW.value: str(path)}))

    @staticmethod
    def _download_one(provider: Provider, record: JobRecord, asset, event: threading.Event) -> Path:
        """One file: a mangled file is fetched once more; an expired signed URL is replaced by a fresh one, once."""
        dest = Path(record.output_dir) / safe_filename(asset.filename)  # the name may come from the server
        try:
            try:
                return provider.download(asset, dest, cancel=event)
            except E.BadDownloadError:
                if asset.role is AssetRole.PREVIEW:
                    raise
                return provider.download(asset, dest, cancel=event)  # may have been a proxy's doing
        except E.HTTPStatusError as exc:
            if exc.status_code not in (403, 404, 410):
                raise
            fresh = {a.filename: a for a in provider.status(record.remote_id).assets}
            if asset.filename not in fresh:
                raise
            return provider.download(fresh[asset.filename], dest, cancel=event)

    def _fail(self, job_id: str, event: threading.Event, error: E.MeshsmithError) -> None:
        if event.is_set():
            return
        if isinstance(error, E.SubmissionUnknownError):
            state = JobState.UNKNOWN
        elif isinstance(error, E.JobCanceledError):
            state = JobState.CANCELED
        else:
            state = JobState.FAILED
        with self.book.changing():
            if self.book.records[job_id].state is JobState.CANCELED:
                return
            self.book.keep(self.book.records[job_id].evolve(
                state=state, error=str(error), fix=error.fix.value, message=str(error)[:120],
                recoverable=bool(getattr(error, "recoverable", False)), finished_at=self.book.clock()))

    def cancel_remote(self, provider: Provider, remote_id: str) -> None:
        try:
            provider.cancel(remote_id)
        except E.MeshsmithError as exc:
            log.info("remote cancel refused: %s", exc)


def _recoverable(error: E.MeshsmithError) -> E.MeshsmithError:
    error.recoverable = True  # type: ignore[attr-defined]
    return error
