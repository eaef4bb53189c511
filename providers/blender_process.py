"""Run a Python script in a separate, background Blender process, from a worker thread.

Heavy image and render work (decoding an 8K photo, rendering a preview) runs in a child process so
that it never holds the artist's Blender: a worker thread only waits for the child to end. Inside
Blender the child is the Blender binary itself (``bpy.app.binary_path``, resolved on the main thread
and passed in); where Blender is the ``bpy`` wheel there is no binary, so the child is this Python
importing ``bpy``. bpy-free.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

CANCEL_CHECK_S = 0.1
"""How often a waiting worker looks at its cancel event: a canceled child is killed within this."""


def blender_command(blender_binary: str, args: list[str], *, script: Path | None = None, code: str = "") -> list[str]:
    """The command line that runs ``script`` (a file) or ``code`` (a string) with ``args`` in a background Blender.

    The script reads its arguments after ``--`` when there is one, else from ``sys.argv[1:]``.
    """
    if (script is None) == (not code):
        raise ValueError("give a script file or code, not both")
    if blender_binary:
        run = ["--python", str(script)] if script is not None else ["--python-expr", code]
        return [blender_binary, "--background", "--factory-startup", "--python-exit-code", "1", *run, "--", *args]
    run = [str(script)] if script is not None else ["-c", "import bpy\n" + code]
    return [sys.executable, *run, *args]


def run_blender(command: list[str], *, timeout_s: float, cancel: threading.Event | None = None) -> bool:
    """Run ``command`` to the end; True when it exited with status 0.

    The child is killed when ``timeout_s`` passes or ``cancel`` is set (False then). Its output is
    discarded: Blender's start-up chatter is no use to the artist, and the caller checks the file.
    """
    try:
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
    except OSError:
        return False
    waited = 0.0
    try:
        while True:
            try:
                return child.wait(CANCEL_CHECK_S) == 0
            except subprocess.TimeoutExpired:
                waited += CANCEL_CHECK_S
                if waited >= timeout_s or (cancel is not None and cancel.is_set()):
                    return False
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
