"""Which addresses Meshsmith may talk to: https anywhere, plain http only to this computer. Cheap to import."""

from __future__ import annotations

from urllib.parse import urlsplit


def is_loopback_host(host: str | None) -> bool:
    """True for localhost and loopback addresses, the only hosts plain http is allowed to."""
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    import ipaddress  # only when an address must be judged: keeps add-on start-up light

    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_allowed_url(url: str) -> bool:
    """True for https URLs, and for http URLs to loopback hosts."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return bool(parts.netloc)
    return parts.scheme == "http" and is_loopback_host(parts.hostname)
