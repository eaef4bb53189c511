"""Which addresses Meshsmith may talk to: https anywhere; plain http to this computer, and to the servers the artist
listed themselves when they are on the studio's own network. Cheap to import."""

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


LOCAL_NAME_SUFFIXES = (".local", ".lan", ".home.arpa", ".internal")
"""Host names that only resolve on a local network (mDNS, home and office routers, RFC 8375)."""


def is_local_network_host(host: str | None) -> bool:
    """True for hosts on this computer or the studio's own network: loopback, private (RFC 1918, IPv6 unique local)
    and link-local addresses, ``.local``-style names, and single-label names (``gpu-box``); never a public address
    or a public name."""
    if not host:
        return False
    host = host.strip("[]").lower().rstrip(".")
    import ipaddress

    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host == "localhost" or "." not in host or host.endswith(LOCAL_NAME_SUFFIXES)
    return address.is_loopback or address.is_private or address.is_link_local


def is_allowed_url(url: str, plain_http_hosts: frozenset[str] = frozenset()) -> bool:
    """True for https URLs; for http URLs to loopback hosts; and for http URLs to a host in ``plain_http_hosts``
    (the artist's own servers) that is on the local network."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return bool(parts.netloc)
    if parts.scheme != "http":
        return False
    host = (parts.hostname or "").lower()
    return is_loopback_host(host) or (host in plain_http_hosts and is_local_network_host(host))
