"""Talking to a Blender's agent bridge: finding it, and one call at a time over HTTP on the loopback address."""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ACCESS_FILE = "agent.json"
CALL_TIMEOUT_S = 45.0
"""Longer than the bridge's own 30 s wait for Blender's main thread, so its answer (even "busy") arrives."""
MAX_ANSWER_BYTES = 8 * 1024 * 1024


class BridgeError(Exception):
    """Blender refused a call or could not be reached; the message says why, for the agent."""


def default_user_dir() -> Path:
    """Meshsmith's user folder, as the add-on names it (``host/connections.default_user_dir``; a test keeps the two
    in step): ``MESHSMITH_USER_DIR``, else the platform's data folder."""
    chosen = os.environ.get("MESHSMITH_USER_DIR", "").strip()
    if chosen:
        return Path(chosen)
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming") / "Meshsmith"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "Meshsmith"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "meshsmith"


class Bridge:
    """One Blender's bridge: its port and token."""

    def __init__(self, port: int, token: str) -> None:
        self.url = f"http://127.0.0.1:{int(port)}/call"
        self._token = token

    @classmethod
    def live(cls, folder: Path | None = None) -> Bridge:
        """The bridge of the artist's running Blender, from the access file it wrote."""
        access = (folder or default_user_dir()) / ACCESS_FILE
        try:
            found = json.loads(access.read_text(encoding="utf-8"))
            return cls(int(found["port"]), str(found["token"]))
        except FileNotFoundError:
            raise BridgeError("Blender is not running with Agent Access on: in Blender, open Edit > Preferences > "
                              "Add-ons > Meshsmith and turn on Agent Access.") from None
        except (OSError, ValueError, KeyError, TypeError):
            raise BridgeError(f"Meshsmith's agent access file {access} cannot be read; turn Agent Access off and on "
                              "again in Blender.") from None

    def call(self, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
        """The tool's result; ``BridgeError`` with Blender's message when it refused or could not be reached."""
        body = json.dumps({"tool": tool, "arguments": arguments}).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {self._token}"})
        try:
            with urllib.request.urlopen(request, timeout=CALL_TIMEOUT_S) as answer:
                data = answer.read(MAX_ANSWER_BYTES + 1)
        except urllib.error.HTTPError as exc:
            data = exc.read(MAX_ANSWER_BYTES + 1)
        except (urllib.error.URLError, OSError) as exc:
            raise BridgeError(f"Blender cannot be reached ({getattr(exc, 'reason', exc)}): is it still running with "
                              "Agent Access on?") from None
        if len(data) > MAX_ANSWER_BYTES:
            raise BridgeError("Blender's answer was too large.")
        try:
            answer = json.loads(data)
        except ValueError:
            raise BridgeError("Blender's answer was not JSON.") from None
        if not answer.get("ok"):
            fix = answer.get("fix", "NONE")
            hint = {"OPEN_PREFERENCES": " (fix: Meshsmith's preferences in Blender)",
                    "ENABLE_ONLINE_ACCESS": " (fix: allow online access in Blender's preferences, System > Network)",
                    }.get(fix, "")
            raise BridgeError(str(answer.get("error") or "Blender refused the call.") + hint)
        return answer.get("result") or {}
