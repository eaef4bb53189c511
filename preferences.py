"""Add-on preferences: keys (masked), where results go, network settings for studios, the sandbox switch.

Keys typed here are stored by Blender in userpref.blend, in plain text (the masking is only on
screen). They never go into a scene .blend. For machines where that is not acceptable, the
environment variables below are read instead and are never saved anywhere.
"""

from __future__ import annotations

import os

import bpy
from bpy.props import BoolProperty, StringProperty
from bpy.types import AddonPreferences

ENV_SEGMIND_KEY = "MESHSMITH_SEGMIND_API_KEY"
ENV_SEGMIND_URL = "MESHSMITH_SEGMIND_BASE_URL"
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
    ca_bundle: StringProperty(
        name="CA Certificate File",
        description="For company networks that inspect HTTPS: a PEM file with the proxy's root certificate",
        subtype="FILE_PATH",
        default="",
    )

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        box = layout.box()
        box.label(text="Keys", icon="KEYINGSET")
        row = box.row()
        row.prop(self, "segmind_api_key")
        if os.environ.get(ENV_SEGMIND_KEY):
            row.enabled = False
            box.label(text=f"Using {ENV_SEGMIND_KEY} from the environment (not saved anywhere).", icon="CHECKMARK")
        col = box.column(align=True)
        col.label(text="A key typed here is saved in Blender's user preferences file, in plain text.", icon="INFO")
        col.label(text=f"To keep it out of every file, set the environment variable {ENV_SEGMIND_KEY} instead.")
        col.label(text="Keys never go into .blend scene files, the job journal or logs.")
        box = layout.box()
        box.label(text="Results", icon="FILE_FOLDER")
        box.prop(self, "output_dir")
        box.prop(self, "auto_import")
        box = layout.box()
        box.label(text="Network", icon="WORLD")
        box.prop(self, "segmind_base_url")
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


classes = (MeshsmithPreferences,)


def register() -> None:
    for cls in classes:
        bpy.utils.register_class(cls)


def unregister() -> None:
    for cls in reversed(classes):
        bpy.utils.unregister_class(cls)
