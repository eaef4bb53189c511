"""Meshsmith's page in Edit > Preferences > Add-ons: keys, results, the artist's servers, network, sandbox.

The properties are ``host.preferences.PreferenceSettings``; this class adds only their drawing.
"""

from __future__ import annotations

import os

import bpy
from bpy.app.translations import pgettext_iface as iface_
from bpy.types import AddonPreferences

from ..host import ADDON_PACKAGE, preferences
from ..net.version import VERSION
from ..providers import registry
from .servers import draw_server_list


class MeshsmithPreferences(preferences.PreferenceSettings, AddonPreferences):
    bl_idname = ADDON_PACKAGE

    def draw(self, context: bpy.types.Context) -> None:

        layout = self.layout
        layout.label(text=f"Meshsmith {VERSION}", translate=False)
        box = layout.box()
        box.label(text="Keys", icon="KEYINGSET")
        for provider in registry.PROVIDERS.values():
            for credential in provider.credentials:
                row = box.row()
                row.prop(self, preferences.credential_property(provider, credential))
                if os.environ.get(credential.env):
                    row.enabled = False
                    box.label(text=iface_("Using {} from the environment (not saved anywhere).").format(credential.env),
                              icon="CHECKMARK", translate=False)
        col = box.column(align=True)
        col.label(text="Keys typed here are saved in Blender's user preferences file, in plain text.", icon="INFO")
        col.label(text="To keep them out of every file, set the environment variables instead:")
        secrets = [c.env for p in registry.PROVIDERS.values() for c in p.credentials if c.secret]
        col.label(text=", ".join(secrets) + ".", translate=False)
        for provider in registry.with_test_mode():
            box.row().prop(self, preferences.test_mode_property(provider))
            if getattr(self, preferences.test_mode_property(provider)):
                box.label(text=provider.test_mode[2], icon="ERROR")
        col.label(text="Keys never go into .blend scene files, the job record or logs.")
        box = layout.box()
        box.label(text="Results", icon="FILE_FOLDER")
        box.prop(self, "output_dir")
        box.prop(self, "auto_import")
        box.prop(self, "render_previews")
        box.prop(self, "post_import_preset")
        for provider in registry.PROVIDERS.values():
            if provider.self_hosted:
                draw_server_list(layout.box(), self, provider)
        box = layout.box()
        box.label(text="Network", icon="WORLD")
        for provider in registry.PROVIDERS.values():
            if not provider.self_hosted:
                box.prop(self, f"{provider.key}_base_url")
        box.prop(self, "ca_bundle")
        box.label(text="Proxies are taken from HTTPS_PROXY / NO_PROXY in the environment.")
        if not bpy.app.online_access:
            box.label(text="Online access is off: enable it under System > Network.", icon="ERROR")
        box = layout.box()
        box.label(text="Agents (MCP)", icon="LINKED")
        box.prop(self, "agent_access")
        if self.agent_access:
            box.prop(self, "agent_max_paid_jobs")
            box.label(text="An agent never runs code here and never sees a key; paid jobs need a quote first.")
        box = layout.box()
        box.prop(self, "use_sandbox")
        if self.use_sandbox:
            box.label(text="Jobs run on this computer against a simulator. Nothing is sent, nothing is charged.")


classes = (MeshsmithPreferences,)

register, unregister = bpy.utils.register_classes_factory(classes)
