"""The artist's servers as addresses, and a job's remote id (``<uid>@<deadline>@<server>``): a job resumed after
Blender restarts knows where it runs and when to give up."""

from __future__ import annotations

from urllib.parse import urlsplit

from ...net import errors as E
from ...net.urls import is_local_network_host
from . import SERVICE


def server_urls(text: str) -> list[str]:
    """The servers in a comma-separated list, each a checked http(s) base URL without a trailing slash."""
    servers = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        parts = urlsplit(item)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise E.InvalidInputError(f"'{item}' is not a server address. Use e.g. http://gpu-box:8081",
                                      fix=E.Fix.OPEN_PREFERENCES)
        if parts.scheme == "http" and not is_local_network_host(parts.hostname):
            raise E.InvalidInputError(
                f"{parts.netloc} is not on your own network, so plain http would send your jobs (and any token) "
                "across the internet unencrypted. Use https for it, or a server on your network (a private address, "
                "a .local name or a name without dots).", fix=E.Fix.OPEN_PREFERENCES)
        servers.append(item.rstrip("/"))
    if not servers:
        raise E.InvalidInputError("No Hunyuan3D server is set. Add its address (e.g. http://gpu-box:8081) in the "
                                  "preferences, or set MESHSMITH_HUNYUAN_SERVERS.", fix=E.Fix.OPEN_PREFERENCES)
    return servers


def split_remote_id(remote_id: str) -> tuple[str, float, str]:
    """(uid, deadline as epoch seconds, server) from a remote id made by ``submit``."""
    uid, _, rest = remote_id.partition("@")
    deadline, _, server = rest.partition("@")
    try:
        return uid, float(deadline), server
    except ValueError:
        raise E.BadResponseError(f"{SERVICE} job id '{remote_id[:40]}' is not one Meshsmith made.") from None
