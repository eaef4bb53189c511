"""A background Blender for an agent (``meshsmith_mcp/headless.py`` starts it): the .blend, the bridge, the ticks.

    blender -b --python scripting/agent_host.py -- --blend FILE [--sandbox] [--max-paid-jobs N]
    python scripting/agent_host.py --blend FILE ...      (the bpy wheel, in development)

Background Blender fires no timers, so this loop ticks: it carries jobs on, runs the agent's calls on this (the
main) thread, and saves the .blend after every import. It ends when its stdin closes (the MCP server is gone):
it saves, stops the jobs (they are journaled and resume at the next start) and exits.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import threading
import time
from pathlib import Path

ADDON_ROOT = Path(__file__).resolve().parent.parent
READY = "MESHSMITH_AGENT_READY"


def _arguments() -> argparse.Namespace:
    argv = sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else sys.argv[1:]
    parser = argparse.ArgumentParser(prog="agent_host.py")
    parser.add_argument("--blend", type=Path, required=True)
    parser.add_argument("--sandbox", action="store_true")
    parser.add_argument("--max-paid-jobs", type=int, default=3)
    return parser.parse_args(argv)


def _addon():
    """The add-on's module: the installed extension in a real Blender; this source tree on the bpy wheel."""
    if "bpy" in sys.modules:  # a real Blender runs this script: the extension is installed and enabled
        import addon_utils

        name = f"bl_ext.{ADDON_ROOT.parent.name}.{ADDON_ROOT.name}"
        return addon_utils.enable(name, default_set=False) or importlib.import_module(name)
    import tempfile

    sys.path.insert(0, str(ADDON_ROOT))
    from tools.blender_env import enable_addon, prepare_user_resources

    prepare_user_resources(Path(tempfile.mkdtemp(prefix="meshsmith-mcp-")))
    import bpy

    bpy.ops.wm.read_factory_settings(use_empty=True)
    return enable_addon(online=True)


def main() -> int:
    args = _arguments()
    sys.stdout.reconfigure(line_buffering=True)
    addon = _addon()
    import bpy

    module = lambda name: importlib.import_module(f"{addon.__name__}.{name}")  # noqa: E731
    runtime, agent, preferences = module("host.runtime"), module("host.agent"), module("host.preferences")
    state = module("host.state").HOST
    blend = args.blend.absolute()
    if blend.exists():
        bpy.ops.wm.open_mainfile(filepath=str(blend))
    else:
        blend.parent.mkdir(parents=True, exist_ok=True)
        bpy.ops.wm.save_as_mainfile(filepath=str(blend))  # made now, so a crash before the first import leaves it
    bpy.context.preferences.system.use_online_access = True
    prefs = preferences.get()
    prefs.auto_import, prefs.render_previews = True, False
    if args.sandbox:
        prefs.use_sandbox = True
    state.agent.max_paid_jobs = max(0, args.max_paid_jobs)
    runtime.resume_jobs()
    agent.start(state.agent_dispatch, None, token=os.environ.get("MESHSMITH_AGENT_TOKEN", ""))
    print(f"{READY} {state.agent_bridge.port}", flush=True)

    ended = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), ended.set()), daemon=True, name="stdin-watch").start()
    imported: set[str] = set()
    while not ended.is_set():
        engine = runtime.engine()
        engine.wait_for_updates(0.05)
        applied = runtime.drain(bpy.context)
        fresh = {r.id for r in applied if r.state.value == "IMPORTED"} - imported
        if fresh:
            imported |= fresh
            bpy.ops.wm.save_as_mainfile(filepath=str(blend))
        if not applied:
            time.sleep(0.02)  # calls from the agent arrive through the tick's queue: look again soon
    bpy.ops.wm.save_as_mainfile(filepath=str(blend))
    agent.stop()
    runtime.close_engine()
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)  # background Blender's own exit handlers are not needed: jobs are journaled, the file saved
