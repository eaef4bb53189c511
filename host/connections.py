"""Connections to the services, from the preferences (main thread): base URLs, credentials, the sandbox, online checks.

``make_provider`` builds a client for a provider from what the artist set (or the environment), or points it at
the built-in sandbox; a configuration problem (no key, online access off, a bad address) raises the matching
``MeshsmithError`` with its fix.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import bpy

from ..net import errors as E
from ..net.urls import is_loopback_host
from ..providers import registry
from . import ADDON_PACKAGE, preferences
from .state import HOST, log

if TYPE_CHECKING:
    from ..net.http import NetworkSettings
    from ..providers.base import Provider
    from ..providers.memory import ProviderMemory
    from ..providers.server_states import ServerStates
    from ..sandbox.server import Sandbox

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


def user_dir() -> Path:
    """Meshsmith's data folder (the journal, the results, the catalog cache); ``MESHSMITH_USER_DIR`` overrides it.

    Outside Blender's folders and the extension's own, so that uninstalling, updating or reinstalling the extension
    (or Blender) never takes the journal and the results with it: ``%APPDATA%\\Meshsmith`` on Windows,
    ``~/Library/Application Support/Meshsmith`` on macOS, ``$XDG_DATA_HOME/meshsmith`` (``~/.local/share/meshsmith``)
    elsewhere.
    """
    override = os.environ.get(preferences.ENV_USER_DIR, "").strip()
    path = Path(override) if override else default_user_dir()
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_user_dir() -> Path:
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming") / "Meshsmith"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "Meshsmith"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "meshsmith"


def legacy_user_dir() -> Path | None:
    """Where Meshsmith 0.1 kept its journal and results: the extension's own user folder (which Blender deletes
    when the extension is uninstalled). None when it cannot be named here."""
    try:
        return Path(bpy.utils.extension_path_user(ADDON_PACKAGE, path="", create=False))
    except (ValueError, AttributeError):
        return None


def take_over_legacy_journal(folder: Path) -> bool:
    """Copy 0.1's journal into ``folder`` when ``folder`` has no job record yet (the first start of this version),
    where the job store takes it over, so every earlier job stays listed; the old file is left where it was. True
    when it was copied."""
    legacy = legacy_user_dir()
    if legacy is None or os.environ.get(preferences.ENV_USER_DIR, "").strip():
        return False
    from ..jobs.legacy_journal import JOURNAL_NAME  # called as the engine is made, which loads the jobs package
    from ..jobs.store import STORE_NAME

    old, new = legacy / JOURNAL_NAME, folder / JOURNAL_NAME
    if new.exists() or (folder / STORE_NAME).exists() or not old.is_file() or old.resolve() == new.resolve():
        return False
    import shutil

    shutil.copy2(old, new)
    return True


def results_dir(context: bpy.types.Context | None = None) -> Path:
    chosen = preferences.get(context).output_dir.strip()
    return Path(bpy.path.abspath(chosen)) if chosen else user_dir() / "results"



def network_settings(context: bpy.types.Context | None = None) -> NetworkSettings:
    from ..net.http import NetworkSettings

    ca_bundle = preferences.get(context).ca_bundle.strip()
    return NetworkSettings(ca_bundle=bpy.path.abspath(ca_bundle) if ca_bundle else "")


def _connection(provider_name: str, context: bpy.types.Context | None) -> tuple[str, dict[str, str]]:
    """(base URL, credentials as constructor keywords) for a provider: the sandbox's, or the artist's."""
    if not registry.known(provider_name):
        raise E.InvalidInputError(f"Unknown provider '{provider_name}'.")
    if preferences.get(context).use_sandbox:
        simulated = importlib.import_module(registry.info(provider_name).simulator)
        sandbox().attach(simulated)  # served from the first job on, whichever provider the simulator stands for
        # A simulator may live under a path of its own (several self-hosted servers share one sandbox).
        return sandbox().url + getattr(simulated, "SANDBOX_BASE_PATH", ""), dict(simulated.SANDBOX_CREDENTIALS)
    # Missing ones are passed empty: the client says which is missing and where to set it.
    return preferences.base_url(provider_name, context), preferences.credentials(provider_name, context)


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
    from ..net.http import HttpClient

    read_timeout = _env_seconds(ENV_READ_TIMEOUT)
    http = HttpClient(network_settings(context), **({"read_timeout": read_timeout} if read_timeout else {}))
    # The sandbox answers at once: poll it quickly so demos and tests do not wait on a real schedule.
    poll = _env_seconds(ENV_POLL_INTERVAL) or (SANDBOX_POLL_INTERVAL_S if preferences.get(context).use_sandbox else None)
    extras = {}
    if registry.info(provider_name).self_hosted and not preferences.get(context).use_sandbox:
        extras["server_tokens"] = preferences.server_tokens(provider_name, context)  # each server's own, if any
    client = registry.client_class(provider_name)(http, base_url=base, poll_interval=poll, **credentials, **extras)
    client.memory = HOST.provider_memory  # the session's: an upload or a busy server is known to every job
    # A result read inside a status answer waits on the results' own disk (a move, not a copy, into its job folder).
    HOST.provider_memory.spool_dir = results_dir(context) / ".incoming"
    return client


def provider_or_none(provider_name: str) -> Provider | None:
    try:
        return make_provider(provider_name)
    except E.MeshsmithError as exc:
        log().info("cannot resume %s jobs yet: %s", provider_name, exc)
        return None




def sandbox() -> Sandbox:
    """The built-in simulator, started on first use (loopback only)."""
    if HOST.sandbox is None:
        from ..sandbox.server import Sandbox

        HOST.sandbox = Sandbox(0).start()
    return HOST.sandbox


def stop_sandbox() -> None:
    if HOST.sandbox is not None:
        HOST.sandbox.stop()
        HOST.sandbox = None


def provider_memory() -> ProviderMemory:
    """What the clients this host makes share between jobs (uploads made, busy servers); new with each engine."""
    return HOST.provider_memory


def server_states() -> ServerStates:
    """What this session learned about the artist's own servers (the clients the host makes share it)."""
    return HOST.provider_memory.server_states
