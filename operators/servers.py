"""The artist's own servers in the preferences: the list, its Add/Remove buttons, and Test.

Each row shows what this session last learned about the server (``providers.server_states``: answers or not,
Hunyuan3D-2.0 or 2.1, busy with one of our jobs), read without waiting; Test asks the servers in a background
thread (``lookups.run_in_background``) and the preferences redraw when the answers are in. A plain ``http://``
address on another machine is marked as unencrypted.
"""

from __future__ import annotations

import os
import time
from urllib.parse import urlsplit

import bpy
from bpy.app.translations import pgettext_iface as iface_
from bpy.props import IntProperty, StringProperty
from bpy.types import Operator, UIList

from .. import preferences
from ..providers import registry, server_states
from ..providers.urls import is_loopback_host


def is_unencrypted(url: str) -> bool:
    """Plain http to another machine: what is sent can be read on the network."""
    parts = urlsplit(url.strip())
    return parts.scheme == "http" and not is_loopback_host(parts.hostname)


def state_text(url: str) -> tuple[str, str]:
    """(text, icon) for a server's last known state."""
    state = server_states.state_of(url.strip().rstrip("/"))
    if state.reachable is None:
        return iface_("Not checked yet"), "QUESTION"
    if not state.reachable:
        return iface_("Not answering"), "ERROR"
    version = f"Hunyuan3D-{state.version}" if state.version else iface_("Answers")
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
        state = server_states.state_of(entry.url.strip().rstrip("/"))
        if state.reachable is False and state.problem:
            fields.label(text=state.problem[:120], icon="ERROR", translate=False)
        if state.version == "2.1":
            fields.label(text="Hunyuan3D-2.1 uses the image only: the other settings apply to 2.0 servers.",
                         icon="INFO")
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


class _ServerListOperator:
    provider: StringProperty(options={"HIDDEN"})

    def entries(self, context):
        return getattr(preferences.get(context), preferences.servers_property(registry.info(self.provider)))

    def index_name(self) -> str:
        return f"{preferences.servers_property(registry.info(self.provider))}_index"


class MESHSMITH_OT_add_server(_ServerListOperator, Operator):
    """Add one of your own servers"""

    bl_idname = "meshsmith.add_server"
    bl_label = "Add Server"
    bl_options = {"INTERNAL"}

    def execute(self, context):
        entries = self.entries(context)
        entry = entries.add()
        entry.url = "http://localhost:8081" if len(entries) == 1 else ""
        setattr(preferences.get(context), self.index_name(), len(entries) - 1)
        context.preferences.is_dirty = True
        return {"FINISHED"}


class MESHSMITH_OT_remove_server(_ServerListOperator, Operator):
    """Remove the selected server from the list (jobs it runs still finish there)"""

    bl_idname = "meshsmith.remove_server"
    bl_label = "Remove Server"
    bl_options = {"INTERNAL"}

    def execute(self, context):
        entries = self.entries(context)
        prefs = preferences.get(context)
        index = getattr(prefs, self.index_name())
        if not 0 <= index < len(entries):
            return {"CANCELLED"}
        entries.remove(index)
        setattr(prefs, self.index_name(), min(index, len(entries) - 1))
        context.preferences.is_dirty = True
        return {"FINISHED"}


class MESHSMITH_OT_test_servers(_ServerListOperator, Operator):
    """Ask the server (or every server) whether it answers and which Hunyuan3D version it runs"""

    bl_idname = "meshsmith.test_servers"
    bl_label = "Test Servers"
    bl_options = {"INTERNAL"}

    index: IntProperty(default=-1, options={"HIDDEN"})
    """The server to test; -1: every server in the list."""

    def execute(self, context):
        from .. import connections
        from ..lookups import run_in_background

        entries = list(self.entries(context))
        chosen = entries if self.index < 0 else entries[self.index:self.index + 1]
        servers = [(entry.url.strip(), entry.token.strip()) for entry in chosen if entry.url.strip()]
        if not servers:
            self.report({"WARNING"}, "Add a server address first.")
            return {"CANCELLED"}
        provider_id = self.provider
        default_token = preferences.credentials(provider_id, context).get("token", "")
        network = connections.network_settings(context)
        if not bpy.app.online_access and not all(is_loopback(url) for url, _token in servers):
            self.report({"ERROR"}, "Online access is off. Enable it in Edit > Preferences > System > Network > "
                                   "Allow Online Access.")
            return {"CANCELLED"}

        def work():
            from ..providers.errors import MeshsmithError
            from ..providers.http import HttpClient

            client_class = registry.client_class(provider_id)
            for url, token in servers:
                try:
                    client = client_class(HttpClient(network), token or default_token, base_url=url)
                except MeshsmithError as exc:  # not an address at all
                    server_states.publish(url.rstrip("/"), reachable=False, problem=str(exc)[:160])
                    continue
                client.probe(client.servers[0])
            return redraw_preferences

        run_in_background(work)
        return {"FINISHED"}


def is_loopback(url: str) -> bool:
    return is_loopback_host(urlsplit(url).hostname)


def redraw_preferences() -> None:
    for window in bpy.context.window_manager.windows:
        for area in window.screen.areas:
            if area.type == "PREFERENCES":
                area.tag_redraw()


classes = (MESHSMITH_UL_servers, MESHSMITH_OT_add_server, MESHSMITH_OT_remove_server, MESHSMITH_OT_test_servers)

register, unregister = bpy.utils.register_classes_factory(classes)
