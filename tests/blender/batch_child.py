"""Child process for the interrupted-batch test: one Blender running the CLI against the parent's sandbox.

Usage: python batch_child.py REPO USER_RESOURCES SANDBOX_URL IMAGES OUT
"""

import os
import sys
from pathlib import Path

repo, user, url, images, out = sys.argv[1:6]
sys.path.insert(0, repo)
from tools.blender_env import MODULE_NAME, enable_addon, prepare_user_resources  # noqa: E402

prepare_user_resources(Path(user))
os.environ["MESHSMITH_USER_DIR"] = str(Path(user) / "meshsmith-data")
os.environ["MESHSMITH_POLL_INTERVAL"] = "0.1"
import bpy  # noqa: E402,F401

enable_addon(online=True)
import importlib  # noqa: E402

prefs = importlib.import_module(f"{MODULE_NAME}.host.preferences").get()
simulated = importlib.import_module(f"{MODULE_NAME}.sandbox.segmind")
prefs.use_sandbox = False
prefs.segmind_base_url = url
prefs.segmind_api_key = simulated.VALID_KEY
cli = importlib.import_module(f"{MODULE_NAME}.scripting.cli")
code = cli.main(["generate", images, "--out", out, "--concurrency", "2"])
sys.stdout.flush()
os._exit(code)
