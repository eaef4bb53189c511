"""Meshsmith's command line from the development set-up: the same commands as ``blender -b -c meshsmith ...``,
run by the ``bpy`` wheel (which has no ``blender`` program). Through ``python3.11 tools/dev.py cli ...``:

    python3.11 tools/dev.py cli generate concept_art/ --out results/ --sandbox
    python3.11 tools/dev.py cli retexture props/ --out textured/ --style "oak" --sandbox
    python3.11 tools/dev.py cli jobs --json

Blender's user folder for these runs is ``out/cli-blender`` (kept, so ``jobs`` lists earlier runs and an
interrupted batch resumes); ``MESHSMITH_USER_DIR`` and the keys' environment variables work as in Blender.
"""

from __future__ import annotations

import os
import sys
from importlib import import_module
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tools.blender_env import REPO_ROOT, enable_addon, prepare_user_resources  # noqa: E402


def main(argv: list[str]) -> int:
    prepare_user_resources(Path(os.environ.get("MESHSMITH_CLI_BLENDER_DIR", REPO_ROOT / "out" / "cli-blender")))
    import bpy  # noqa: F401  (after the user folder is set: Blender reads it once)

    addon = enable_addon(online=True)
    return import_module(addon.__name__ + ".scripting.cli").main(argv)


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # no Blender shutdown work (timers, atexit): the command's result is the exit code
