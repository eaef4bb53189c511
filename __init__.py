"""Meshsmith: generate and retexture 3D models with web services, from Blender's sidebar, without freezing it.

Wiring only. Imports are deferred to ``register()`` so that loading the package is cheap and the
bpy-free packages (providers, jobs, sandbox) can be imported without Blender.
"""

_modules: list = []


def register() -> None:
    from . import operators, panels
    from .host import preferences, properties, timers
    from .i18n import translations
    from .scripting import cli

    _modules[:] = [translations, preferences, properties, operators, panels, timers, cli]
    for module in _modules:
        module.register()


def unregister() -> None:
    for module in reversed(_modules):
        module.unregister()
    _modules.clear()
