"""A background Blender for pipelines: started on a .blend, carrying jobs on, saving after every import.

The Blender runs the add-on's ``scripting/agent_host.py``. Its stdout is a pipe read here (never this server's stdout, which carries
only MCP messages); it says ``MESHSMITH_AGENT_READY <port>`` once its bridge listens, and everything else it prints
goes to this server's stderr. Its stdin is a pipe this server never writes: when this server ends, however it
ends, the pipe closes and the Blender saves, stops its jobs (journaled: they resume at the next start) and exits.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path

from .bridge import Bridge

CHILD_SCRIPT = Path(__file__).resolve().parent.parent / "scripting" / "agent_host.py"
READY = "MESHSMITH_AGENT_READY"
START_TIMEOUT_S = 120.0
"""Blender's start with the add-on (and the bpy wheel's import) takes a few seconds; a cold disk, more."""
STOP_TIMEOUT_S = 10.0


class HeadlessBlender:
    """The background Blender and its bridge."""

    def __init__(self, blend: Path, *, sandbox: bool, max_paid_jobs: int, blender: str = "",
                 blender_python: str = "") -> None:
        token = secrets.token_urlsafe(32)
        args = ["--blend", str(Path(blend).absolute()), "--max-paid-jobs", str(max_paid_jobs)]
        args += ["--sandbox"] if sandbox else []
        if blender_python:  # the bpy wheel: a Python that imports Blender as a module (development, CI)
            command = [blender_python, str(CHILD_SCRIPT), *args]
        else:
            command = [blender or "blender", "-b", "--python", str(CHILD_SCRIPT), "--", *args]
        env = {**os.environ, "MESHSMITH_AGENT_TOKEN": token, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=sys.stderr,
                                        env=env, text=True, encoding="utf-8", errors="replace")
        port = self._wait_until_ready()
        self.bridge = Bridge(port, token)
        threading.Thread(target=self._relay, daemon=True, name="meshsmith-mcp-relay").start()

    def _wait_until_ready(self) -> int:
        deadline = time.monotonic() + START_TIMEOUT_S
        assert self.process.stdout is not None
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError(f"Blender ended before it was ready (exit code {self.process.wait()}); see above.")
            if line.startswith(READY):
                return int(line.split()[1])
            sys.stderr.write(line)
        self.stop()
        raise RuntimeError("Blender did not get ready in time.")

    def _relay(self) -> None:
        """Blender's own output goes to stderr: stdout is for MCP messages only."""
        assert self.process.stdout is not None
        for line in self.process.stdout:
            sys.stderr.write(line)

    def stop(self) -> None:
        """Close Blender's stdin (it saves and exits), then make sure it is gone."""
        try:
            if self.process.stdin is not None:
                self.process.stdin.close()
        except OSError:
            pass
        try:
            self.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
