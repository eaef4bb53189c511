"""The sidebar (View3D > N > Meshsmith): reads state and calls operators; never does work itself."""

from __future__ import annotations

from . import sidebar, thumbnails, versions


def register() -> None:
    thumbnails.register()
    sidebar.register()
    versions.register()


def unregister() -> None:
    versions.unregister()
    sidebar.unregister()
    thumbnails.unregister()
