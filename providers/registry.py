"""Every provider Meshsmith knows, described once: what the Blender side may know without loading a client.

Cheap to import (no pydantic, no requests): the preferences, the sidebar and the connections read it, also
while drawing. For each provider: its id and labels, the client class (loaded on first use, by its import
path), its default server, the credentials it needs (constructor keyword, preference, environment variable,
secret or not), what it can do, and its sandbox simulator. The client modules hold the wire formats.

Adding a provider: its client module under ``providers/``, its simulator under ``sandbox/`` (with
``SANDBOX_CREDENTIALS``), and an entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import hunyuan_server_settings, meshy_settings, scenario_settings, segmind_settings
from .light_record import LightRecord
from .schema import Notice, Param


class Credential(LightRecord):
    """One thing a provider needs from the artist: a key, a secret, a project id."""

    name: str
    """The client constructor's keyword (``api_key``); the preference is ``<provider>_<name>``."""
    label: str
    description: str
    env: str
    """The environment variable read first (never saved anywhere)."""
    secret: bool = True
    """Masked in the preferences and registered for redaction."""
    required: bool = True


class ProviderInfo(LightRecord):
    id: str
    """Upper-case id, as operator arguments and job records spell it."""
    label: str
    client: str = ""
    """``module:Class`` of the client, relative to the add-on (``providers.segmind:SegmindProvider``)."""
    default_base_url: str = ""
    base_url_env: str = ""
    credentials: tuple[Credential, ...] = ()
    simulator: str = ""
    """The sandbox module that simulates it (``sandbox.segmind``; it defines ``SANDBOX_CREDENTIALS``)."""
    missing_key: str = ""
    """What the sidebar says when a required credential is missing."""
    takes_prompt: bool = False
    """Whether the generate route uses a text prompt (Scenario's Hunyuan 2.1 takes none)."""
    can_look_up: bool = False
    """Whether the service lists its jobs, so a job whose creating answer was lost can be found again."""
    test_mode_key: str = ""
    """A public key that runs the service in a free test mode, used when the artist turns test mode on."""
    test_mode: tuple[str, str, str, str] = ("", "", "", "")
    """With a test-mode key: the preference's (label, tooltip), what the preferences say while it is on, and
    what the sidebar says (the preference is ``<key>_test_mode``)."""
    settings: tuple[Param, ...] = ()
    """The provider's settings in drawing order: ``scene.meshsmith.<key>.<name>``, the job's parameters, the
    route's inputs (see ``providers/schema.py``)."""
    notices: tuple[Notice, ...] = ()
    price: Callable[[Any], float | None] | None = None
    """The known price of a job with these settings, in ``price_unit``, when the service publishes one."""
    price_unit: str = ""
    balance: tuple[str, str, str] | None = None
    """(client method, window-manager property, panel text) when the service tells the account's balance."""
    estimate: tuple[str, str] | None = None
    """(window-manager property, unit) when the service prices a job before it is sent (a dry run)."""
    lists_tasks: bool = False
    """Whether recent jobs made elsewhere (the service's website, another machine) can be brought into the list."""
    generates: tuple[str, str] | None = None
    """(menu label, tooltip) when the provider makes models from images (the Generate route)."""
    retextures: tuple[str, str] | None = None
    """(menu label, tooltip) when the provider textures the artist's own mesh (the Retexture route)."""
    retexture_rank: int = 100
    """Place in the Retexture menu, lowest first (the first is the default)."""
    server_setting: tuple[str, str] = ("", "")
    """The preference for the server address: (label, tooltip); empty: "<label> Server", the default named. For a
    self-hosted provider: the title and the note of its server list."""
    self_hosted: bool = False
    """The artist runs the server (no default address; plain http allowed for the addresses they list)."""
    catalog: bool = False
    """The service offers many models with inputs of their own (``scenario_catalog``): the settings gain a model
    choice and its inputs (``catalog_properties``), and the client fetches the catalog and each model's schema."""

    @property
    def key(self) -> str:
        """The lower-case prefix of this provider's preferences and scene settings (``segmind``)."""
        return self.id.lower()


MESHY_TEST_MODE_KEY = "msy_dummy_api_key_for_test_mode_12345678"
"""Meshy's documented test-mode key: no credits used, canned results. Offered as a switch, never a default."""

PROVIDERS: dict[str, ProviderInfo] = {
    "SEGMIND": ProviderInfo(
        "SEGMIND", "Segmind", client="providers.segmind:SegmindProvider", default_base_url="https://api.segmind.com",
        generates=("Hunyuan3D-2 (Segmind)", "Image to textured mesh on Segmind"), settings=segmind_settings.SETTINGS,
        retextures=("Hunyuan3D-Paint (Segmind)",
                    "Paint the mesh from a reference image on Segmind, then bake the result onto its own UVs"),
        balance=("credits", "segmind_credits", "Segmind credits: {}"),
        base_url_env="MESHSMITH_SEGMIND_BASE_URL", simulator="sandbox.segmind", takes_prompt=True,
        credentials=(Credential("api_key", "Segmind API Key",
                                "Your Segmind key. Stored by Blender in your user preferences file, never in .blend scenes",
                                "MESHSMITH_SEGMIND_API_KEY"),),
        missing_key="Add your Segmind API key in the preferences (or turn on the sandbox)."),
    "SCENARIO": ProviderInfo(
        "SCENARIO", "Scenario", client="providers.scenario:ScenarioProvider",
        generates=("Scenario", "Hunyuan 3D 2.1, Tripo, Meshy, Rodin and the rest of Scenario's 3D catalog"),
        retextures=("Scenario catalog", "Retexture or remesh the selected mesh with a model of Scenario's catalog"),
        retexture_rank=60, catalog=True,
        settings=scenario_settings.SETTINGS,
        estimate=("scenario_estimate", "CU"),
        default_base_url="https://api.cloud.scenario.com", base_url_env="MESHSMITH_SCENARIO_BASE_URL",
        simulator="sandbox.scenario", can_look_up=True,
        credentials=(
            Credential("api_key", "Scenario API Key",
                       "Your Scenario API key. Stored by Blender in your user preferences file, never in .blend scenes",
                       "MESHSMITH_SCENARIO_API_KEY"),
            Credential("api_secret", "Scenario API Secret", "The secret shown once when the Scenario key was created",
                       "MESHSMITH_SCENARIO_API_SECRET"),
            Credential("project_id", "Scenario Project ID",
                       "Optional: the project that owns uploads and results (needed for project keys)",
                       "MESHSMITH_SCENARIO_PROJECT_ID", secret=False, required=False)),
        missing_key="Add your Scenario API key and secret in the preferences (or turn on the sandbox)."),
    "MESHY": ProviderInfo(
        "MESHY", "Meshy", client="providers.meshy:MeshyProvider", default_base_url="https://api.meshy.ai",
        retextures=("Meshy", "Meshy Retexture / Text to Texture"), retexture_rank=0,
        balance=("balance", "meshy_balance", "Meshy balance: {}"), lists_tasks=True,
        base_url_env="MESHSMITH_MESHY_BASE_URL", simulator="sandbox.meshy", can_look_up=True,
        test_mode_key=MESHY_TEST_MODE_KEY,
        test_mode=("Try Meshy Without Credits",
                   "Use Meshy's public test-mode key: no credits are spent and every task returns the same sample "
                   "result, not a texture of your mesh",
                   "Meshy test mode: sample results only, not your mesh. Nothing is charged.",
                   "Meshy test mode: sample results, no credits."), settings=meshy_settings.SETTINGS, notices=meshy_settings.NOTICES,
        price=meshy_settings.price, price_unit="credits",
        credentials=(Credential("api_key", "Meshy API Key",
                                "Your Meshy key (msy_...). Stored by Blender in your user preferences file, never in "
                                ".blend scenes", "MESHSMITH_MESHY_API_KEY"),),
        missing_key="Add your Meshy API key in the preferences (or try Meshy without credits, or the sandbox)."),
    "HUNYUAN_SERVER": ProviderInfo(
        "HUNYUAN_SERVER", "Hunyuan3D Server (self-hosted)", client="providers.hunyuan_server:HunyuanServerProvider",
        generates=("Hunyuan3D (your server)", "Image to textured mesh on your own Hunyuan3D-2 or 2.1 server(s)"),
        retextures=("Hunyuan3D-Paint (your server)",
                    "Paint the mesh on your own Hunyuan3D-2.0 server, then bake the result onto its own UVs"),
        settings=hunyuan_server_settings.SETTINGS, self_hosted=True,
        base_url_env="MESHSMITH_HUNYUAN_SERVERS", simulator="sandbox.hunyuan_server",
        server_setting=("Hunyuan3D Servers", "Each server runs one job at a time; further jobs wait for the next "
                                             "idle one"),
        credentials=(Credential("token", "Hunyuan3D Server Token",
                                "Optional: a bearer token for a reverse proxy in front of your servers",
                                "MESHSMITH_HUNYUAN_SERVER_TOKEN", required=False),),
        missing_key="Add your Hunyuan3D server's address in the preferences (or turn on the sandbox)."),
}


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
    addon = __package__.rsplit(".", 1)[0]  # this module lives in the add-on's providers/ package
    return getattr(importlib.import_module(f"{addon}.{module_name}"), class_name)
