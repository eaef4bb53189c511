"""Blender operators: generate, job control and the small fix-it actions the panels offer."""

from __future__ import annotations

from . import agent_tools, asset_tools, catalog, generate, job_list, jobs, retexture, servers, tweaks, versions

_modules = (generate, retexture, asset_tools, jobs, job_list, servers, catalog, tweaks, versions, agent_tools)


def register() -> None:
    for module in _modules:
        module.register()


def unregister() -> None:
    for module in reversed(_modules):
        module.unregister()
