"""Every provider Meshsmith knows, described once: what the Blender side may know without loading a client.

Cheap to import (no pydantic, no requests): the preferences, the sidebar and the connections read it, also
while drawing. For each provider: its id and labels, the client class (loaded on first use, by its import
path), its default server, the credentials it needs (constructor keyword, preference, environment variable,
secret or not), what it can do, and its sandbox simulator. The client modules hold the wire formats.

Adding a provider: a folder under ``providers/`` whose ``__init__`` states its ``PROVIDER`` entry (client,
settings, strings), a simulator under ``sandbox/`` (with ``SANDBOX_CREDENTIALS``), and one line here; or ``add``
for a provider that lives elsewhere.
"""

from __future__ import annotations

from . import hunyuan_server, meshy, scenario, segmind
from .info import Credential, ProviderInfo  # noqa: F401 - the entry's types, as the Blender side names them

PROVIDERS: dict[str, ProviderInfo] = {
    vendor.PROVIDER.id: vendor.PROVIDER for vendor in (segmind, scenario, meshy, hunyuan_server)
}
"""Every provider, in menu order. One line per vendor: its folder's ``PROVIDER`` entry."""


def add(provider: ProviderInfo) -> None:
    """Register one more provider (a studio's own, or one a test defines): from then on the preferences, the
    sidebar, the CLI and the contract suite pick it up as they do the built-in ones."""
    PROVIDERS[provider.id] = provider


def remove(provider_id: str) -> None:
    PROVIDERS.pop(provider_id, None)


def info(provider_id: str) -> ProviderInfo:
    return PROVIDERS.get(provider_id) or ProviderInfo(provider_id, provider_id.title())


def known(provider_id: str) -> bool:
    return provider_id in PROVIDERS


def generators() -> list[ProviderInfo]:
    """The providers of the Generate route, in the registry's order (the first is the default)."""
    return [provider for provider in PROVIDERS.values() if provider.generates]


def retexturers() -> list[ProviderInfo]:
    """The providers of the Retexture route, in the registry's order (the first is the default)."""
    return sorted((provider for provider in PROVIDERS.values() if provider.retextures),
                  key=lambda provider: provider.retexture_rank)


def with_asset_tool(tool: str) -> list[ProviderInfo]:
    """The providers that run ``tool`` ('REMESH', 'UV_UNWRAP') on the artist's object."""
    return [provider for provider in PROVIDERS.values() if tool in provider.asset_tools]


def with_balance() -> list[ProviderInfo]:
    return [provider for provider in PROVIDERS.values() if provider.balance]


def with_estimate() -> list[ProviderInfo]:
    return [provider for provider in PROVIDERS.values() if provider.estimate]


def with_test_mode() -> list[ProviderInfo]:
    return [provider for provider in PROVIDERS.values() if provider.test_mode_key]


def listing_tasks() -> list[ProviderInfo]:
    return [provider for provider in PROVIDERS.values() if provider.lists_tasks]


def enum_items(providers: list[ProviderInfo], route: str = "") -> list[tuple[str, str, str]]:
    """Blender enum items (id, label, tooltip) for providers: with ``route`` ('generates', 'retextures') its menu
    label and tooltip, else the provider's name."""
    return [(provider.id, *getattr(provider, route)) if route else (provider.id, provider.label, "")
            for provider in providers]


def client_class(provider_id: str) -> type:
    """The provider's client class, imported on first use (it loads pydantic and requests)."""
    import importlib

    module_name, _, class_name = info(provider_id).client.partition(":")
    return getattr(importlib.import_module(module_name), class_name)
