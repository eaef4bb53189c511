"""The sidebar (View3D > N > Meshsmith): reads state and calls operators; never does work itself."""

from __future__ import annotations

from . import sidebar, thumbnails


def register() -> None:
    thumbnails.register()
    sidebar.register()


def unregister() -> None:
    sidebar.unregister()
    thumbnails.unregister()
