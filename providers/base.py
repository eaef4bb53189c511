"""The contract every provider client keeps, and settings shared by all of them."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel

from ..net import downloads
from ..net.errors import Fix, InvalidInputError, UnknownStatusError
from ..net.http import HttpClient
from ..net.urls import is_loopback_host
from .memory import ProviderMemory
from .models import AssetRef, JobStatus, RemoteJob

__all__ = ["Provider", "is_loopback_host", "normalise_base_url", "status_from_table", "validation_message"]


def normalise_base_url(url: str, *, service: str) -> str:
    """Validate a base URL from settings: https anywhere, http only for loopback; no trailing slash.

    Artists paste URLs with trailing slashes, API paths or without a scheme; the first two are
    forgiven, the last is refused with a message that says what to type.
    """
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInputError(f"The {service} server address '{url}' is not a URL. Use e.g. https://api.example.com",
                                fix=Fix.OPEN_PREFERENCES)
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise InvalidInputError(
            f"The {service} server address must use https (plain http is allowed only for this computer).",
            fix=Fix.OPEN_PREFERENCES)
    return url.rstrip("/")


class Provider(ABC):
    """A client for one generation service.

    Instances are cheap and hold no Blender data. Methods block and are called from worker threads.
    ``submit`` sends the one request that creates (and bills) a job; it is never retried by the
    client itself. ``on_created`` is called with the remote id as soon as the service has named the
    job, so the journal holds it before anything else can go wrong.
    """

    name: str = ""
    """Short identifier, upper case, as used in operator arguments ('SEGMIND')."""
    label: str = ""
    """Human-readable service name for messages."""
    poll_interval: float = 2.0
    """Seconds between status polls when the service gives no better hint."""
    typical_duration_s: float = 60.0
    """How long a job usually takes: drives the progress estimate when the service reports none."""
    max_duration_s: float = 45 * 60.0
    """The per-job deadline: past it, the job stops polling and says so (it can be resumed)."""
    supports_stream: bool = False
    """True when ``watch`` follows a job live (server-sent events) instead of polling."""
    supports_lookup: bool = False
    """True when ``find_lost_submission`` can find a job in the service's job list (Segmind has no list)."""

    def __init__(self, http: HttpClient) -> None:
        self.http = http
        self.memory: ProviderMemory | None = None
        """Set by whoever makes the client to share what clients remember (``providers.memory``); None: its own."""

    @property
    def shared(self) -> ProviderMemory:
        """The memory this client shares with the others its maker made (its own when none was given)."""
        if self.memory is None:
            self.memory = ProviderMemory()
        return self.memory

    def remembered(self, name: str, make: Callable[[], Any]) -> Any:
        """This provider's shared object ``name`` in the client's memory, made by ``make`` on first use."""
        return self.shared.get(f"{self.name}:{name}", make)

    @staticmethod
    def check_inputs(params: Mapping[str, Any], inputs: Mapping[str, str]) -> None:
        """Refuse, before anything is exported or sent, inputs that only make sense together (main thread; cheap).

        Raises ``InvalidInputError`` with what to change. The default accepts everything."""
        return None

    @staticmethod
    def retexture_delivery(params: Mapping[str, Any]) -> str:
        """How a retexture result reaches the artist's object (a ``jobs.states.Delivery`` value), decided at submit:
        a result on another mesh goes beside the original unless the provider paints onto the original's UVs."""
        return "BESIDE_TARGET"

    @abstractmethod
    def prepare(self, params: Mapping[str, Any], inputs: Mapping[str, str]) -> BaseModel:
        """Build the validated request from parameters and input files (worker thread: may read files)."""

    def stage(self, request: BaseModel, cancel: Any = None, say: Callable[[str], None] = lambda text: None
              ) -> BaseModel:
        """Send what must reach the service before the job can be created (uploads; a free server), and return the
        request ready to submit. Nothing here is billed, so it is retried like a read and a failure is a plain
        error, never a job that "may exist"; the engine journals the job as being sent only after this returns.
        ``say`` puts a line on the job's progress bar (a long wait says what it waits for)."""
        return request

    @abstractmethod
    def submit(self, request: BaseModel, on_created: Callable[[str], None]) -> RemoteJob:
        """Create the remote job (one POST, never repeated) and return its first known state."""

    @abstractmethod
    def status(self, remote_id: str) -> RemoteJob:
        """Ask the service where the job stands."""

    def cancel(self, remote_id: str) -> bool:
        """Ask the service to stop the job. Returns False when the service does not support it."""
        return False

    def watch(self, remote_id: str, cancel: Any) -> Any:
        """Yield the job's states live until a terminal one (only when ``supports_stream``)."""
        raise NotImplementedError

    def download(self, asset: AssetRef, dest: Path, *, cancel: Any = None) -> Path:
        """Save one result file to ``dest``, atomically, and return the path."""
        if asset.inline is not None:
            return downloads.write_atomic(dest, asset.inline, expect=dest.suffix.lower())
        if not asset.url:
            raise InvalidInputError(f"{self.label} gave no address for {asset.filename}.")
        return downloads.download(self.http, asset.url, dest, cancel=cancel)

    def result_warning(self, params: Mapping[str, Any], model: Path) -> str:
        """What the artist should know about a finished result that is still worth importing (a texture that was
        asked for and is missing); '' when nothing. ``model`` has passed ``gltf_guard.check_model_file``."""
        return ""

    @staticmethod
    def ran_on(remote_id: str) -> str:
        """The server a job ran on, for a provider that spreads jobs over several ('' otherwise)."""
        return ""

    def lost_answer_risk(self) -> str:
        """What a creating request whose answer was lost may have done, in a sentence (the service's own terms)."""
        return "The job may exist and may be billed"

    def lost_answer_advice(self, lead: str) -> str:
        """``lead`` (what happened to a creating answer), then what to do about a job the service cannot be asked
        about."""
        return (f"{lead}, so the job may exist and may be billed. {self.label} cannot be asked for its jobs, so "
                f"Meshsmith did not send it again. Check your {self.label} account, then Submit Again or Dismiss.")

    def find_lost_submission(self, request: BaseModel, submitted_at: float) -> RemoteJob | None:
        """Look for a job created by a submission whose answer was lost. None when not found or not supported."""
        return None


def status_from_table(table: Mapping[str, JobStatus], raw: str, service: str) -> JobStatus:
    """A service's status word through its table; anything unknown fails loudly with the raw value."""
    try:
        return table[raw]
    except (KeyError, TypeError):
        raise UnknownStatusError(f"{service} reported an unknown job status '{raw}'. Meshsmith may need an update.") from None


def validation_message(service: str, exc: Exception, labels: Mapping[str, str] | None = None) -> str:
    """What is wrong with a request, as sentences an artist reads: each setting named by its label (``labels``: the
    settings' names to labels), never a validator's wording or prefixes. At most three problems are named."""
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return f"{service} cannot use these settings: {_sentence(str(exc))}"
    sentences = [_problem(error, labels or {}) for error in errors()[:3]]
    return f"{service} cannot use these settings: " + " ".join(sentences)


def _problem(error: Mapping[str, Any], labels: Mapping[str, str]) -> str:
    """One pydantic error as a sentence."""
    field = ".".join(str(part) for part in error.get("loc", ()) if not isinstance(part, int))
    name = f"{labels[field]} ({field})" if field in labels else field or "A setting"  # the label, and the name scripts use
    kind, ctx, message = str(error.get("type", "")), error.get("ctx") or {}, str(error.get("msg", ""))
    if kind in ("less_than_equal", "less_than") and ctx:
        bound = ctx.get("le", ctx.get("lt"))
        return f"{name} must be at most {bound}." if kind == "less_than_equal" else f"{name} must be below {bound}."
    if kind in ("greater_than_equal", "greater_than") and ctx:
        bound = ctx.get("ge", ctx.get("gt"))
        return f"{name} must be at least {bound}." if kind == "greater_than_equal" else f"{name} must be above {bound}."
    if kind in ("literal_error", "enum"):
        return f"{name} must be one of {ctx.get('expected', 'its listed choices')}."
    if kind.startswith(("int_", "float_")):
        return f"{name} must be a number."
    if kind.startswith("bool_"):
        return f"{name} must be on or off."
    if kind.startswith("string_too_long"):
        return f"{name} must be at most {ctx.get('max_length')} characters."
    if kind == "extra_forbidden":
        return f"{name} is not a setting this service takes."
    if kind == "missing":
        return f"{name} is required."
    if kind.startswith("value_error") or kind == "assertion_error":
        return _sentence(message.split(",", 1)[1] if "," in message else message)
    return f"{name} is not valid: {_sentence(message)}"


def _sentence(text: str) -> str:
    """``text`` as written (its first word may be an id), ending with a full stop."""
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."
