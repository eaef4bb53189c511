"""Add-on preferences: keys (masked), where results go, network settings for studios, the sandbox switch.

Keys typed here are stored by Blender in userpref.blend, in plain text (the masking is only on
screen). They never go into a scene .blend. For machines where that is not acceptable, the
environment variables below are read instead and are never saved anywhere.
"""

from __future__ import annotations

import os

import bpy
from bpy.app.translations import pgettext_iface as iface_
from bpy.props import BoolProperty, EnumProperty, StringProperty
from bpy.types import AddonPreferences

ENV_SEGMIND_KEY = "MESHSMITH_SEGMIND_API_KEY"
ENV_SEGMIND_URL = "MESHSMITH_SEGMIND_BASE_URL"
ENV_SCENARIO_KEY = "MESHSMITH_SCENARIO_API_KEY"
ENV_SCENARIO_SECRET = "MESHSMITH_SCENARIO_API_SECRET"
ENV_SCENARIO_PROJECT = "MESHSMITH_SCENARIO_PROJECT_ID"
ENV_SCENARIO_URL = "MESHSMITH_SCENARIO_BASE_URL"
ENV_MESHY_KEY = "MESHSMITH_MESHY_API_KEY"
ENV_MESHY_URL = "MESHSMITH_MESHY_BASE_URL"
ENV_USER_DIR = "MESHSMITH_USER_DIR"


class MeshsmithPreferences(AddonPreferences):
    bl_idname = __package__

    segmind_api_key: StringProperty(
        name="Segmind API Key",
        description="Your Segmind key. Stored by Blender in your user preferences file, never in .blend scenes",
        subtype="PASSWORD",
    )
    segmind_base_url: StringProperty(
        name="Segmind Server",
        description="Leave empty for https://api.segmind.com. Plain http is accepted only for this computer",
        default="",
    )
    scenario_api_key: StringProperty(
        name="Scenario API Key",
        description="Your Scenario API key. Stored by Blender in your user preferences file, never in .blend scenes",
        subtype="PASSWORD",
    )
    scenario_api_secret: StringProperty(
        name="Scenario API Secret",
        description="The secret shown once when the Scenario key was created",
        subtype="PASSWORD",
    )
    scenario_project_id: StringProperty(
        name="Scenario Project ID",
        description="Optional: the project that owns uploads and results (needed for project keys)",
    )
    scenario_base_url: StringProperty(
        name="Scenario Server",
        description="Leave empty for https://api.cloud.scenario.com. Plain http is accepted only for this computer",
        default="",
    )
    meshy_api_key: StringProperty(
        name="Meshy API Key",
        description="Your Meshy key (msy_...). Stored by Blender in your user preferences file, never in .blend scenes",
        subtype="PASSWORD",
    )
    meshy_base_url: StringProperty(
        name="Meshy Server",
        description="Leave empty for https://api.meshy.ai. Plain http is accepted only for this computer",
        default="",
    )
    meshy_test_mode: BoolProperty(
        name="Try Meshy Without Credits",
        description="Use Meshy's public test-mode key: no credits are spent and every task returns the same sample "
                    "result, not a texture of your mesh",
        default=False,
    )
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
    ca_bundle: StringProperty(
        name="CA Certificate File",
        description="For company networks that inspect HTTPS: a PEM file with the proxy's root certificate",
        subtype="FILE_PATH",
        default="",
    )

    def draw(self, context: bpy.types.Context) -> None:
        from .version import VERSION

        layout = self.layout
        layout.label(text=f"Meshsmith {VERSION}", translate=False)
        box = layout.box()
        box.label(text="Keys", icon="KEYINGSET")
        for prop, env in (("segmind_api_key", ENV_SEGMIND_KEY), ("scenario_api_key", ENV_SCENARIO_KEY),
                          ("scenario_api_secret", ENV_SCENARIO_SECRET), ("scenario_project_id", ENV_SCENARIO_PROJECT),
                          ("meshy_api_key", ENV_MESHY_KEY)):
            row = box.row()
            row.prop(self, prop)
            if os.environ.get(env):
                row.enabled = False
                box.label(text=iface_("Using {} from the environment (not saved anywhere).").format(env),
                          icon="CHECKMARK", translate=False)
        col = box.column(align=True)
        col.label(text="Keys typed here are saved in Blender's user preferences file, in plain text.", icon="INFO")
        col.label(text="To keep them out of every file, set the environment variables instead:")
        col.label(text=f"{ENV_SEGMIND_KEY}, {ENV_SCENARIO_KEY}, {ENV_SCENARIO_SECRET}, {ENV_MESHY_KEY}.", translate=False)
        row = box.row()
        row.prop(self, "meshy_test_mode")
        if self.meshy_test_mode:
            box.label(text="Meshy test mode: sample results only, not your mesh. Nothing is charged.", icon="ERROR")
        col.label(text="Keys never go into .blend scene files, the job journal or logs.")
        box = layout.box()
        box.label(text="Results", icon="FILE_FOLDER")
        box.prop(self, "output_dir")
        box.prop(self, "auto_import")
        box.prop(self, "render_previews")
        box.prop(self, "post_import_preset")
        box = layout.box()
        box.label(text="Network", icon="WORLD")
        box.prop(self, "segmind_base_url")
        box.prop(self, "scenario_base_url")
        box.prop(self, "meshy_base_url")
        box.prop(self, "ca_bundle")
        box.label(text="Proxies are taken from HTTPS_PROXY / NO_PROXY in the environment.")
        if not bpy.app.online_access:
            box.label(text="Online access is off: enable it under System > Network.", icon="ERROR")
        box = layout.box()
        box.prop(self, "use_sandbox")
        if self.use_sandbox:
            box.label(text="Jobs run on this computer against a simulator. Nothing is sent, nothing is charged.")


def get(context: bpy.types.Context | None = None) -> MeshsmithPreferences:
    context = context or bpy.context
    return context.preferences.addons[__package__].preferences


def segmind_key(context: bpy.types.Context | None = None) -> str:
    """The key to use: the environment variable first (never saved), then the preferences."""
    return os.environ.get(ENV_SEGMIND_KEY, "").strip() or get(context).segmind_api_key.strip()


def segmind_base_url(context: bpy.types.Context | None = None) -> str:
    return os.environ.get(ENV_SEGMIND_URL, "").strip() or get(context).segmind_base_url.strip()


def scenario_credentials(context: bpy.types.Context | None = None) -> tuple[str, str, str]:
    """(key, secret, project id): each from its environment variable first, then the preferences."""
    prefs = get(context)
    return (
        os.environ.get(ENV_SCENARIO_KEY, "").strip() or prefs.scenario_api_key.strip(),
        os.environ.get(ENV_SCENARIO_SECRET, "").strip() or prefs.scenario_api_secret.strip(),
        os.environ.get(ENV_SCENARIO_PROJECT, "").strip() or prefs.scenario_project_id.strip(),
    )


def scenario_base_url(context: bpy.types.Context | None = None) -> str:
    return os.environ.get(ENV_SCENARIO_URL, "").strip() or get(context).scenario_base_url.strip()


def meshy_key(context: bpy.types.Context | None = None) -> str:
    """The environment variable first, then the typed key, then (when switched on) Meshy's test-mode key."""
    from .providers.meshy import TEST_MODE_KEY

    prefs = get(context)
    typed = os.environ.get(ENV_MESHY_KEY, "").strip() or prefs.meshy_api_key.strip()
    return typed or (TEST_MODE_KEY if prefs.meshy_test_mode else "")


def meshy_base_url(context: bpy.types.Context | None = None) -> str:
    return os.environ.get(ENV_MESHY_URL, "").strip() or get(context).meshy_base_url.strip()


def has_key(provider_name: str, context: bpy.types.Context | None = None) -> bool:
    if provider_name == "SEGMIND":
        return bool(segmind_key(context))
    if provider_name == "SCENARIO":
        key, secret, _project = scenario_credentials(context)
        return bool(key and secret)
    if provider_name == "MESHY":
        return bool(meshy_key(context))
    return False


classes = (MeshsmithPreferences,)


register, unregister = bpy.utils.register_classes_factory(classes)
