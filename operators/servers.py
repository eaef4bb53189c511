"""The artist's own servers in the preferences: Add, Remove, and Test (drawn by ``panels.servers``).

Test asks the servers in a background thread (``lookups.run_in_background``); what it learns goes to
``server_states``, and the preferences redraw when the answers are in.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import bpy
from bpy.props import IntProperty, StringProperty
from bpy.types import Operator

from ..host import preferences
from ..net.urls import is_loopback_host
from ..providers import registry


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
        from ..host import connections
        from ..host.lookups import run_in_background

        entries = list(self.entries(context))
        chosen = entries if self.index < 0 else entries[self.index:self.index + 1]
        servers = [(entry.url.strip(), entry.token.strip()) for entry in chosen if entry.url.strip()]
        if not servers:
            self.report({"WARNING"}, "Add a server address first.")
            return {"CANCELLED"}
        provider_id = self.provider
        default_token = preferences.credentials(provider_id, context).get("token", "")
        network = connections.network_settings(context)
        memory = connections.provider_memory()
        if not bpy.app.online_access and not all(is_loopback(url) for url, _token in servers):
            self.report({"ERROR"}, "Online access is off. Enable it in Edit > Preferences > System > Network > "
                                   "Allow Online Access.")
            return {"CANCELLED"}

        def work():
            from ..net.errors import MeshsmithError
            from ..net.http import HttpClient

            client_class = registry.client_class(provider_id)
            for url, token in servers:
                try:
                    client = client_class(HttpClient(network), token or default_token, base_url=url)
                except MeshsmithError as exc:  # not an address at all
                    connections.server_states().publish(url.rstrip("/"), reachable=False, problem=str(exc)[:160])
                    continue
                client.memory = memory  # what it learns is what the preferences draw
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


classes = (MESHSMITH_OT_add_server, MESHSMITH_OT_remove_server, MESHSMITH_OT_test_servers)

register, unregister = bpy.utils.register_classes_factory(classes)
