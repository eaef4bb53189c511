"""Run the sandbox from the command line: ``python -m sandbox [--port 8765]`` from the repository root."""

from __future__ import annotations

import argparse
import threading

from .meshy import VALID_KEY as MESHY_KEY
from .scenario import VALID_KEY as SCENARIO_KEY
from .scenario import VALID_SECRET as SCENARIO_SECRET
from .segmind import VALID_KEY as SEGMIND_KEY
from .server import Sandbox


def main() -> None:
    parser = argparse.ArgumentParser(description="Meshsmith's local simulator of the provider APIs (loopback only).")
    parser.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (0 picks a free one)")
    parser.add_argument("--slow", action="store_true", help="walk jobs through their states more slowly, like the real services")
    args = parser.parse_args()
    sandbox = Sandbox(args.port, fast=not args.slow)
    if args.slow:
        sandbox.segmind.config.queued_polls, sandbox.segmind.config.processing_polls = 3, 10
    sandbox.start()
    print(f"Meshsmith sandbox on {sandbox.url}")
    print(f"  MESHSMITH_SEGMIND_BASE_URL={sandbox.url} MESHSMITH_SEGMIND_API_KEY={SEGMIND_KEY}")
    print(f"  MESHSMITH_SCENARIO_BASE_URL={sandbox.url} MESHSMITH_SCENARIO_API_KEY={SCENARIO_KEY} "
          f"MESHSMITH_SCENARIO_API_SECRET={SCENARIO_SECRET}")
    print(f"  MESHSMITH_MESHY_BASE_URL={sandbox.url} MESHSMITH_MESHY_API_KEY={MESHY_KEY}")
    print(f"  MESHSMITH_HUNYUAN_SERVERS={sandbox.hunyuan_server.url}   (a self-hosted Hunyuan3D-2.0 server, no token)")
    print("Ctrl+C stops it.")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        sandbox.stop()


if __name__ == "__main__":
    main()
