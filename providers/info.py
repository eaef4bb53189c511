"""What the registry holds about a provider: the types of its entry (id, labels, client, credentials, settings,
capabilities, simulator). Each vendor's folder states its own entry (``PROVIDER`` in its ``__init__``).

Cheap to import (no pydantic, no requests): Blender reads these while it registers the add-on and while drawing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .light_record import LightRecord
from .schema import Notice, Param

ADDON_PACKAGE = __name__.rsplit(".", 2)[0]
"""The add-on's package (this module lives in its providers/ folder): where its own simulators are found."""


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
    """``module:Class`` of the client, its full import path (``meshsmith.providers.segmind.client:SegmindProvider``)."""
    default_base_url: str = ""
    base_url_env: str = ""
    credentials: tuple[Credential, ...] = ()
    simulator: str = ""
    """The full import path of the sandbox module that simulates it (``meshsmith.sandbox.segmind``; it defines
    ``SANDBOX_CREDENTIALS``)."""
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
    asset_tools: tuple[str, ...] = ()
    """The service-side tools it runs on the artist's object ('REMESH', 'UV_UNWRAP'), each a job of that kind."""
    asset_tool_price: float | None = None
    """What one asset-tool job costs, in ``price_unit``, as the service documents it (shown as "about")."""
    server_setting: tuple[str, str] = ("", "")
    """The preference for the server address: (label, tooltip); empty: "<label> Server", the default named. For a
    self-hosted provider: the title and the note of its server list."""
    self_hosted: bool = False
    """The artist runs the server (no default address; plain http allowed for the addresses they list)."""
    strings: Mapping[str, Mapping[str, str]] | None = None
    """The provider's own interface strings in other languages: {locale: {English: translation}} (labels, settings,
    messages), merged into the add-on's tables when it registers."""
    catalog: bool = False
    """The service offers many models with inputs of their own (``scenario_catalog``): the settings gain a model
    choice and its inputs (``catalog_properties``), and the client fetches the catalog and each model's schema."""

    def labels(self) -> dict[str, str]:
        """Each setting's label by its name (how messages name a setting)."""
        return {param.name: param.label for param in self.settings}

    @property
    def key(self) -> str:
        """The lower-case prefix of this provider's preferences and scene settings (``segmind``)."""
        return self.id.lower()
