"""Blender's side of the host: the persistent timer that carries jobs on, the start-up tick, the file-load handler.

No state of its own: every tick goes through ``runtime.drain`` (which holds the host's state); this module only
decides when Blender calls it. ``register`` starts the timer (1 s when idle, 0.1 s while jobs run) and resumes
journaled jobs half a second after start-up; ``unregister`` stops the timer, the engine and the sandbox.
"""

from __future__ import annotations

import sys

import bpy
from bpy.app.handlers import persistent

from . import ADDON_PACKAGE, preferences, runtime
from .state import HOST

TIMER_IDLE_S = 1.0


def _timer() -> float:
    try:
        runtime.drain()
        _follow_agent_preference()
    except Exception:  # A timer that raises is unregistered by Blender: log and keep ticking.
        runtime.log().exception("Meshsmith drain failed")
    return runtime.TIMER_ACTIVE_S if runtime.is_busy() else TIMER_IDLE_S


def _first_tick() -> None:
    from .properties import adopt_renamed_settings

    adopt_renamed_settings()  # the file open at start-up was loaded before the add-on was enabled
    runtime.resume_jobs()
    _follow_agent_preference()  # not in register(): it may open a socket
    from .catalog import state as catalog_state

    if catalog_state.catalog_provider() is not None:
        catalog_state.load_cache()  # from disk, in the background: the sidebar never waits for it
    return None


def _follow_agent_preference() -> None:
    """Open or close the agent bridge as the artist turns Agent Access on or off."""
    wanted = preferences.get().agent_access
    if wanted != (HOST.agent_bridge is not None):  # only on a change: this runs every tick
        from . import agent  # only when agents are let in: its HTTP server costs 36 ms to load

        agent.follow_preference(wanted, runtime.user_dir())


@persistent
def _on_load_post(*_args: object) -> None:
    from .properties import adopt_renamed_settings

    adopt_renamed_settings()  # a file saved by an older Meshsmith: settings under their old names
    # The WindowManager is new after a file load: rebuild the list, then carry on with the jobs.
    runtime.resume_jobs()
    if not bpy.app.timers.is_registered(_timer):
        bpy.app.timers.register(_timer, first_interval=TIMER_IDLE_S, persistent=True)


def register() -> None:
    bpy.app.timers.register(_timer, first_interval=TIMER_IDLE_S, persistent=True)
    bpy.app.timers.register(_first_tick, first_interval=0.5)
    bpy.app.handlers.load_post.append(_on_load_post)


def unregister() -> None:
    if bpy.app.timers.is_registered(_timer):
        bpy.app.timers.unregister(_timer)
    if bpy.app.timers.is_registered(_first_tick):
        bpy.app.timers.unregister(_first_tick)
    if _on_load_post in bpy.app.handlers.load_post:
        bpy.app.handlers.load_post.remove(_on_load_post)
    if HOST.agent_bridge is not None:
        from . import agent

        agent.stop()
    runtime.close_engine()
    runtime.stop_sandbox()
    # The transport's watchdog thread, if a request ever started it (looked up, not imported: it loads urllib3).
    watchdog = sys.modules.get(f"{ADDON_PACKAGE}.net.watchdog")
    if watchdog is not None:
        watchdog.stop_watchdog()
