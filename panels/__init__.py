"""Blender UI only: the sidebar (View3D > N > Meshsmith) and the preferences' page; reads state, calls operators."""

from __future__ import annotations

from . import preferences, servers, sidebar, thumbnails, versions


def register() -> None:
    servers.register()
    preferences.register()
    thumbnails.register()
    sidebar.register()
    versions.register()


def unregister() -> None:
    versions.unregister()
    sidebar.unregister()
    thumbnails.unregister()
    preferences.unregister()
    servers.unregister()
