"""Blender fixtures: the add-on enabled as Blender loads an extension, a clean scene and a fresh runtime per test."""

from __future__ import annotations

import os

import bpy
import pytest

from blender_helpers import clean_scene, submodule
from tools.blender_env import enable_addon


@pytest.fixture(scope="session")
def addon():
    return enable_addon(online=True)


@pytest.fixture(autouse=True)
def blender(addon, tmp_path, monkeypatch):
    """A fresh runtime (new user folder, journal and engine) and an empty scene; the sandbox on."""
    runtime = submodule("host.runtime")
    timers = submodule("host.timers")
    preferences = submodule("host.preferences")
    registry = submodule("providers.registry")
    for provider in registry.PROVIDERS.values():
        for name in (provider.base_url_env, *(credential.env for credential in provider.credentials)):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(preferences.ENV_USER_DIR, str(tmp_path / "user"))
    timers.unregister()
    timers.register()
    bpy.context.preferences.system.use_online_access = True
    prefs = preferences.get()
    prefs.use_sandbox = True
    prefs.segmind_api_key = ""
    prefs.segmind_base_url = ""
    prefs.scenario_api_key = prefs.scenario_api_secret = prefs.scenario_project_id = prefs.scenario_base_url = ""
    prefs.meshy_api_key = prefs.meshy_base_url = ""
    prefs.meshy_test_mode = False
    prefs.hunyuan_server_servers.clear()
    prefs.hunyuan_server_token = ""
    submodule("host.catalog.state").forget()
    prefs.output_dir = ""
    prefs.auto_import = True
    prefs.post_import_preset = "NONE"
    prefs.render_previews = False  # a background Blender per job; the tests that want the render turn it on
    clean_scene()
    bpy.context.scene.property_unset("meshsmith")
    bpy.context.window_manager.meshsmith.jobs.clear()
    for name in ("job_search", "job_provider", "job_state", "job_age", "job_page", "job_matches", "job_matches_more"):
        bpy.context.window_manager.meshsmith.property_unset(name)
    bpy.context.window_manager.meshsmith.journal_warning = ""
    bpy.context.scene.cursor.location = (0.0, 0.0, 0.0)
    yield runtime
    timers.unregister()
    timers.register()
    os.environ.pop(preferences.ENV_USER_DIR, None)


@pytest.fixture
def sandbox_of_addon(blender):
    """The add-on's own built-in sandbox (started on first use)."""
    return blender.sandbox()
