"""Blender UI only: the sidebar (View3D > N > Meshsmith) and the preferences' page; reads state, calls operators."""

from __future__ import annotations

from . import asset_tools, preferences, servers, sidebar, thumbnails, versions


def register() -> None:
    servers.register()
    preferences.register()
    thumbnails.register()
    sidebar.register()
    asset_tools.register()
    versions.register()


def unregister() -> None:
    versions.unregister()
    asset_tools.unregister()
    sidebar.unregister()
    thumbnails.unregister()
    preferences.unregister()
    servers.unregister()
