"""Add-on preferences: keys (masked), where results go, network settings for studios, the sandbox switch.

Keys typed here are stored by Blender in userpref.blend, in plain text (the masking is only on
screen). They never go into a scene .blend. For machines where that is not acceptable, each provider's
environment variables (``providers.registry``) are read instead and are never saved anywhere.

The key, secret and server properties of every provider are made from the registry: ``<provider>_<credential>``
(``segmind_api_key``, ``scenario_api_secret``) and ``<provider>_base_url``; a self-hosted provider has a list of
servers instead (``<provider>_servers``: address, label, optional token each).
"""

from __future__ import annotations

import os

import bpy
from bpy.props import BoolProperty, CollectionProperty, EnumProperty, IntProperty, StringProperty
from bpy.types import PropertyGroup

from ..providers import registry
from . import ADDON_PACKAGE

ENV_USER_DIR = "MESHSMITH_USER_DIR"


class MeshsmithServerEntry(PropertyGroup):
    """One of the artist's own servers (a self-hosted provider's list)."""

    url: StringProperty(name="Address", description="The server's base URL, e.g. http://gpu-box:8081. Plain http is "
                        "unencrypted: use it only on your own network")
    label: StringProperty(name="Label", description="A short name for the job list (optional)")
    token: StringProperty(name="Token", description="Optional: a bearer token for a reverse proxy in front of this "
                          "server (saved like the keys; never sent anywhere else)", subtype="PASSWORD")
    use: BoolProperty(name="Use", description="Send jobs to this server", default=True)


class PreferenceSettings:
    """The preferences' properties, without their drawing (a mixin: ``panels.preferences`` registers the
    ``AddonPreferences`` class that draws them). Blender collects a mixin's property annotations as its own."""

    use_sandbox: BoolProperty(
        name="Use Built-in Sandbox",
        description="Run jobs against Meshsmith's local simulator: no key, no credits, placeholder models",
        default=False,
    )
    output_dir: StringProperty(
        name="Results Folder",
        description="Where downloaded models and textures are kept. Empty: the extension's own user folder",
        subtype="DIR_PATH",
        default="",
    )
    auto_import: BoolProperty(
        name="Import Automatically",
        description="Import each result as soon as it is downloaded, also for jobs resumed after a restart",
        default=True,
    )
    render_previews: BoolProperty(
        name="Render Previews",
        description="When a service sends no preview of a result, render a small one for the job history and the "
                    "asset library, in a separate background Blender (a few seconds of one CPU core per job)",
        default=True,
    )
    post_import_preset: EnumProperty(
        name="After Import",
        description="Tweaks applied automatically to every generated result",
        items=[("NONE", "Nothing", "Leave results as they come"),
               ("GAME", "Game", "Merge, ground, 1.8 m, 10k faces, smooth, pack"),
               ("FILM", "Film", "Ground, smooth, pack, mark as asset"),
               ("PRINT", "Print", "Merge, ground, 10 cm")],
        default="NONE",
    )
    agent_access: BoolProperty(
        name="Agent Access",
        description="Let an AI agent on this computer (Claude Desktop, Cursor, VS Code) use Meshsmith through its MCP "
                    "server: it can generate, retexture and list what is in the scene, within the limits below. "
                    "Listens on this computer only (127.0.0.1), with a secret token in Meshsmith's user folder",
        default=False,
    )
    agent_max_paid_jobs: IntProperty(
        name="Paid Jobs per Agent Session", min=0, max=1000, default=3,
        description="Paid jobs an agent may start before each further one waits for your Allow in the Jobs panel "
                    "(jobs on your own servers are free and not counted)",
    )
    ca_bundle: StringProperty(
        name="CA Certificate File",
        description="For company networks that inspect HTTPS: a PEM file with the proxy's root certificate",
        subtype="FILE_PATH",
        default="",
    )


def get(context: bpy.types.Context | None = None) -> PreferenceSettings:
    context = context or bpy.context
    return context.preferences.addons[ADDON_PACKAGE].preferences


def credential_property(provider: registry.ProviderInfo, credential: registry.Credential) -> str:
    return f"{provider.key}_{credential.name}"


def test_mode_property(provider: registry.ProviderInfo) -> str:
    return f"{provider.key}_test_mode"


def servers_property(provider: registry.ProviderInfo) -> str:
    return f"{provider.key}_servers"


def in_test_mode(provider_id: str, context: bpy.types.Context | None = None) -> bool:
    """Whether the artist turned on the provider's free test mode (sample results, nothing charged)."""
    provider = registry.info(provider_id)
    return bool(provider.test_mode_key) and bool(getattr(get(context), test_mode_property(provider), False))


def _add_provider_properties() -> None:
    """Every provider's credentials and server, as preferences (made from the registry, before registering)."""
    annotations = PreferenceSettings.__annotations__
    for provider in registry.PROVIDERS.values():
        for credential in provider.credentials:
            annotations[credential_property(provider, credential)] = StringProperty(
                name=credential.label, description=credential.description,
                subtype="PASSWORD" if credential.secret else "NONE")
        if provider.self_hosted:
            annotations[servers_property(provider)] = CollectionProperty(type=MeshsmithServerEntry,
                                                                         name=provider.server_setting[0])
            annotations[f"{servers_property(provider)}_index"] = IntProperty(
                name="Selected Server", description="The server whose details are shown below the list",
                options={"SKIP_SAVE"})
            continue
        label, description = provider.server_setting
        annotations[f"{provider.key}_base_url"] = StringProperty(
            name=label or f"{provider.label} Server",
            description=description or f"Leave empty for {provider.default_base_url}. Plain http is accepted only for "
                                       "this computer",
            default="")
        if provider.test_mode_key:
            label, description, *_ = provider.test_mode
            annotations[test_mode_property(provider)] = BoolProperty(name=label, description=description, default=False)


def credentials(provider_id: str, context: bpy.types.Context | None = None) -> dict[str, str]:
    """A provider's credentials by constructor keyword: each environment variable first (never saved), then the
    preferences; a provider's public test-mode key when the artist turned test mode on and typed no key."""
    provider = registry.info(provider_id)
    prefs = get(context)
    found = {credential.name: (os.environ.get(credential.env, "").strip()
                               or getattr(prefs, credential_property(provider, credential), "").strip())
             for credential in provider.credentials}
    if in_test_mode(provider_id, context) and not found.get("api_key"):
        found["api_key"] = provider.test_mode_key
    return found


def base_url(provider_id: str, context: bpy.types.Context | None = None) -> str:
    """The server the artist chose (environment first), or the provider's own. A self-hosted provider: the listed
    servers in use, comma-separated."""
    provider = registry.info(provider_id)
    chosen = os.environ.get(provider.base_url_env, "").strip() if provider.base_url_env else ""
    if chosen or provider.self_hosted:
        return chosen or ", ".join(entry.url.strip() for entry in listed_servers(provider, context))
    return getattr(get(context), f"{provider.key}_base_url", "").strip() or provider.default_base_url


def listed_servers(provider: registry.ProviderInfo, context: bpy.types.Context | None = None) -> list[MeshsmithServerEntry]:
    """A self-hosted provider's servers in the preferences that are in use and have an address."""
    entries = getattr(get(context), servers_property(provider), ())
    return [entry for entry in entries if entry.use and entry.url.strip()]


def server_tokens(provider_id: str, context: bpy.types.Context | None = None) -> dict[str, str]:
    """Each listed server's own token by address (servers without one use the provider's token)."""
    provider = registry.info(provider_id)
    return {entry.url.strip().rstrip("/"): entry.token.strip() for entry in listed_servers(provider, context)
            if entry.token.strip()}


def server_label(provider_id: str, server: str, context: bpy.types.Context | None = None) -> str:
    """The artist's label for a server address ('' when it has none or is not listed)."""
    provider = registry.info(provider_id)
    for entry in getattr(get(context), servers_property(provider), ()):
        if entry.url.strip().rstrip("/") == server.rstrip("/"):
            return entry.label.strip()
    return ""


def has_key(provider_id: str, context: bpy.types.Context | None = None) -> bool:
    """Whether every credential the provider requires is set."""
    provider = registry.info(provider_id)
    if provider.self_hosted and not base_url(provider_id, context):
        return False  # the artist's own server: its address is what it needs
    found = credentials(provider_id, context)
    return bool(provider.credentials) and all(found.get(c.name) for c in provider.credentials if c.required)


_add_provider_properties()
classes = (MeshsmithServerEntry,)


register, unregister = bpy.utils.register_classes_factory(classes)
