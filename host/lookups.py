"""Small background look-ups (a balance, a cost estimate, a list of tasks): a thread each, the result applied on
Blender's main thread by the next tick (``runtime.drain``, through ``state.apply_on_main_thread``), a failure shown in the sidebar. No state of its own."""

from __future__ import annotations

import threading
from collections.abc import Callable

import bpy

from ..net import errors as E
from .state import apply_on_main_thread, log


def run_in_background(work: Callable[[], Callable[[], None] | None]) -> None:
    """Run ``work`` in a thread; the callable it returns is applied on the main thread by ``drain``."""

    def runner() -> None:
        try:
            apply = work()
        except Exception as exc:  # any failure reaches the artist: never a silent "?" in the panel
            if isinstance(exc, E.MeshsmithError):
                message = str(exc)
            else:
                log().exception("background look-up failed")
                message = E.redact(f"Internal error: {type(exc).__name__}: {exc}")

            def apply() -> None:
                bpy.context.window_manager.meshsmith.last_error = message
        if apply is not None:
            apply_on_main_thread(apply)

    threading.Thread(target=runner, daemon=True, name="meshsmith-lookup").start()
