"""Start Meshsmith's MCP server on stdio.

    python meshsmith_mcp --live                      the artist's Blender (Agent Access on in its preferences)
    python meshsmith_mcp --blend scene.blend [--blender /path/to/blender] [--sandbox] [--max-paid-jobs N]
                                                     a background Blender of its own, for pipelines

stdout carries MCP messages only; everything else (Blender's output, logs) goes to stderr.
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from pathlib import Path

if __package__ in (None, ""):  # run as `python path/to/meshsmith_mcp`: make the package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "meshsmith_mcp"  # noqa: A001

from meshsmith_mcp.bridge import Bridge  # noqa: E402
from meshsmith_mcp.headless import HeadlessBlender  # noqa: E402


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="meshsmith_mcp", description="Meshsmith's MCP server (stdio) for AI agents.")
    where = top.add_mutually_exclusive_group(required=True)
    where.add_argument("--live", action="store_true", help="use the artist's running Blender (Agent Access on)")
    where.add_argument("--blend", type=Path, help="run a background Blender on this .blend (made if missing)")
    top.add_argument("--blender", default="", help="the Blender program for --blend (default: 'blender' on PATH)")
    top.add_argument("--blender-python", default="", help=argparse.SUPPRESS)  # the bpy wheel's Python (development)
    top.add_argument("--sandbox", action="store_true", help="with --blend: the built-in simulator, nothing sent out")
    top.add_argument("--max-paid-jobs", type=int, default=3, help="with --blend: paid jobs this session may start")
    top.add_argument("--user-dir", type=Path, help="with --live: Meshsmith's user folder, if not the default")
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    from meshsmith_mcp.server import build

    blender: HeadlessBlender | None = None
    lock = threading.Lock()

    def bridge_for() -> Bridge:
        nonlocal blender
        if args.live:
            return Bridge.live(args.user_dir)  # read each time: Blender may have restarted on another port
        with lock:
            if blender is None:
                blender = HeadlessBlender(args.blend, sandbox=args.sandbox, max_paid_jobs=args.max_paid_jobs,
                                          blender=args.blender, blender_python=args.blender_python)
            return blender.bridge

    if args.blend is not None:
        try:
            bridge_for()  # start Blender now: the first tool call should not wait for it
        except (OSError, RuntimeError) as exc:  # no Blender at that path, a .blend it cannot open...
            print(f"meshsmith_mcp: Blender could not be started: {exc}", file=sys.stderr)
            return 1
    try:
        build(bridge_for).run("stdio")
    finally:
        if blender is not None:
            blender.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
