"""The artist's own servers as the preferences draw them: the list, the selected server's fields, Test.

Each row shows what this session last learned about the server (``server_states``: answers or not,
Hunyuan3D-2.0 or 2.1, busy with one of our jobs), read without waiting. A plain ``http://`` address on another
machine is marked as unencrypted.
"""

from __future__ import annotations

import os
import time
from urllib.parse import urlsplit

import bpy
from bpy.app.translations import pgettext_iface as iface_
from bpy.types import UIList

from ..host import connections, preferences
from ..net.urls import is_loopback_host
from ..providers import registry


def is_unencrypted(url: str) -> bool:
    """Plain http to another machine: what is sent can be read on the network."""
    parts = urlsplit(url.strip())
    return parts.scheme == "http" and not is_loopback_host(parts.hostname)


def state_text(url: str) -> tuple[str, str]:
    """(text, icon) for a server's last known state."""
    state = connections.server_states().state_of(url.strip().rstrip("/"))
    if state.reachable is None:
        return iface_("Not checked yet"), "QUESTION"
    if not state.reachable:
        return iface_("Not answering"), "ERROR"
    version = f"Hunyuan3D-{state.version}" if state.version else iface_("Answers")
    if state.version_assumed:
        version = iface_("{} (assumed)").format(version)
    if state.busy_with:
        return iface_("{}, busy with a job").format(version), "SORTTIME"
    return iface_("{}, idle").format(version), "CHECKMARK"


class MESHSMITH_UL_servers(UIList):
    """One row per server: in use, label or address, state, whether the connection is encrypted."""

    def draw_item(self, context, layout, data, item, icon, active_data, active_property, index=0, flt_flag=0):
        row = layout.row(align=True)
        row.prop(item, "use", text="")
        row.label(text=item.label.strip() or item.url.strip() or iface_("(no address)"), translate=False)
        text, state_icon = state_text(item.url)
        row.label(text=text, icon=state_icon, translate=False)
        if is_unencrypted(item.url):
            row.label(text="", icon="UNLOCKED")


def draw_server_list(box: bpy.types.UILayout, prefs, provider: registry.ProviderInfo) -> None:
    """A self-hosted provider's servers, the selected one's fields, and the Test buttons (preferences)."""
    prop = preferences.servers_property(provider)
    label, description = provider.server_setting
    box.label(text=label or provider.label, icon="NETWORK_DRIVE")
    if provider.base_url_env and os.environ.get(provider.base_url_env, "").strip():
        box.label(text=iface_("Using {} from the environment instead of this list.").format(provider.base_url_env),
                  icon="INFO", translate=False)
    row = box.row()
    row.template_list("MESHSMITH_UL_servers", provider.key, prefs, prop, prefs, f"{prop}_index", rows=2)
    col = row.column(align=True)
    col.operator("meshsmith.add_server", icon="ADD", text="").provider = provider.id
    col.operator("meshsmith.remove_server", icon="REMOVE", text="").provider = provider.id
    entries = getattr(prefs, prop)
    index = getattr(prefs, f"{prop}_index")
    if 0 <= index < len(entries):
        entry = entries[index]
        fields = box.column(align=True)
        fields.prop(entry, "url")
        fields.prop(entry, "label")
        fields.prop(entry, "token")
        if is_unencrypted(entry.url):
            fields.label(text="Unencrypted (http): use only on your own network. No service key is ever sent here.",
                         icon="UNLOCKED")
        state = connections.server_states().state_of(entry.url.strip().rstrip("/"))
        if state.reachable is False and state.problem:
            fields.label(text=state.problem[:120], icon="ERROR", translate=False)
        if state.version == "2.1":
            fields.label(text="Hunyuan3D-2.1 uses the image only: the other settings apply to 2.0 servers.",
                         icon="INFO")
        elif state.version_assumed:
            fields.label(text="No /health on this server: taken for Hunyuan3D-2.0, which uses every setting and can "
                              "paint a given mesh (a 2.1 server would use the image only).", icon="INFO")
        if state.checked_at:
            fields.label(text=iface_("Checked {}").format(time.strftime("%H:%M:%S", time.localtime(state.checked_at))),
                         translate=False)
    row = box.row(align=True)
    test = row.operator("meshsmith.test_servers", text="Test", icon="PLAY")
    test.provider, test.index = provider.id, index
    test_all = row.operator("meshsmith.test_servers", text="Test All", icon="FILE_REFRESH")
    test_all.provider, test_all.index = provider.id, -1
    if description:
        box.label(text=description, icon="INFO")


classes = (MESHSMITH_UL_servers,)

register, unregister = bpy.utils.register_classes_factory(classes)
