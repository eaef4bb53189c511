"""The fault suite's agent rows: what goes wrong between an agent, Meshsmith's MCP server and its background Blender.

Each row runs the real MCP server (``meshsmith_mcp``, over stdio, driven by the official SDK's client) with its own
background Blender (the ``bpy`` wheel) against a sandbox outside both, as a real service is, slowed so the fault
lands while the job runs:

- the agent leaves in the middle of a ``get_job`` wait: the server ends, its Blender saves and quits;
- the background Blender is killed (``SIGKILL``) while the job runs: the agent's next call fails, saying so.

Either way the job was journaled: a new server on the same .blend and user folder resumes it and imports it, and
the service saw one creating request. Used by ``tools/fault_suite.py`` (its table) and ``tests/agent``.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = ROOT / "meshsmith_mcp"
DEADLINE_S = 120.0


@dataclass
class AgentOutcome:
    fault: str
    state_when_it_struck: str
    """The job's state in the store right after the fault (an active state: the fault struck mid-job)."""
    agent_heard: str
    """What the agent's call said when the fault struck ('' when it had gone)."""
    final_state: str
    creating_posts: int
    in_blend: bool
    """The imported object is in the .blend the server's Blender saved."""
    seconds: float

    @property
    def correct(self) -> bool:
        return (self.state_when_it_struck in ("QUEUED", "RUNNING", "DOWNLOADING") and self.final_state == "IMPORTED"
                and self.creating_posts == 1 and self.in_blend)


def run_agent_faults(python: str, image: Path, work: Path | None = None) -> list[AgentOutcome]:
    """Both agent faults, each against a fresh sandbox; ``python``: a Python with the ``bpy`` wheel and ``mcp``."""
    kinds = ["leaves mid-wait"] + (["Blender killed mid-job"] if Path("/proc").is_dir() else [])
    work = work or Path(tempfile.mkdtemp(prefix="meshsmith-agent-faults-"))
    return [_run(kind, python, image, work / kind.split()[0]) for kind in kinds]


def _run(kind: str, python: str, image: Path, folder: Path) -> AgentOutcome:
    import anyio

    sandbox_module = _sandbox_module()
    started = time.monotonic()
    folder.mkdir(parents=True, exist_ok=True)
    blend, user = folder / "agent.blend", folder / "user"
    with sandbox_module.Sandbox() as box:
        box.segmind.config.queued_polls, box.segmind.config.processing_polls = 40, 5
        env = {**os.environ, "MESHSMITH_USER_DIR": str(user), "MESHSMITH_SEGMIND_BASE_URL": box.url,
               "MESHSMITH_SEGMIND_API_KEY": _valid_key(), "MESHSMITH_POLL_INTERVAL": "0.1"}
        job_id, heard = anyio.run(_strike, kind, python, blend, env, image)
        state = _stored_state(user, job_id)
        final = anyio.run(_come_back, python, blend, env, job_id)
        posts = box.segmind.creating_posts
    objects = final.get("objects") or []
    in_blend = bool(objects) and bool(blend_meshes(python, blend).get(objects[0]))  # there, with its material
    return AgentOutcome(kind, state, heard, final.get("state", "?"), posts, in_blend, time.monotonic() - started)


def _params(python: str, blend: Path, env: dict[str, str]):
    from mcp.client.stdio import StdioServerParameters

    return StdioServerParameters(command=python, env=env, args=[str(SERVER), "--blend", str(blend), "--max-paid-jobs",
                                                                "1", "--blender-python", python])


async def _strike(kind: str, python: str, blend: Path, env: dict[str, str], image: Path) -> tuple[str, str]:
    """Start a paid job as an agent would, then let the fault strike while it runs. (job id, what the agent heard)"""
    import anyio
    from mcp.client.session import ClientSession
    from mcp.client.stdio import stdio_client

    async with stdio_client(_params(python, blend, env)) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        quote = (await session.call_tool("estimate_cost", {"action": "generate", "provider": "SEGMIND",
                                                           "image_path": str(image)})).structured_content
        job = (await session.call_tool("generate", {"provider": "SEGMIND", "image_path": str(image),
                                                    "quote_id": quote["quote_id"]})).structured_content
        if kind == "leaves mid-wait":
            with anyio.move_on_after(1.0):  # the agent goes away in the middle of a long wait
                await session.call_tool("get_job", {"job_id": job["job_id"], "wait_s": 60})
            return job["job_id"], ""
        deadline = time.monotonic() + 30
        while job.get("state") in ("PENDING", "SUBMITTING") and time.monotonic() < deadline:
            # until the service has the job: the fault is meant to strike while it runs there
            job = (await session.call_tool("get_job", {"job_id": job["job_id"], "wait_s": 5})).structured_content
        for pid in processes_with(str(blend), "agent_host.py"):
            os.kill(pid, signal.SIGKILL)
        answer = await session.call_tool("get_job", {"job_id": job["job_id"]})
        return job["job_id"], answer.content[0].text if answer.is_error else "(answered)"


async def _come_back(python: str, blend: Path, env: dict[str, str], job_id: str) -> dict:
    from mcp.client.session import ClientSession
    from mcp.client.stdio import stdio_client

    async with stdio_client(_params(python, blend, env)) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        deadline = time.monotonic() + DEADLINE_S
        while time.monotonic() < deadline:
            job = (await session.call_tool("get_job", {"job_id": job_id, "wait_s": 5})).structured_content or {}
            if job.get("state") in ("IMPORTED", "FAILED", "CANCELED", "UNKNOWN"):
                return job
        return {"state": "HANG"}


def _stored_state(user: Path, job_id: str) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # the server's Blender may still be saving as it quits
        try:
            with sqlite3.connect(user / "jobs.db", timeout=5) as db:
                row = db.execute("SELECT state FROM jobs WHERE id = ?", (job_id,)).fetchone()
            return row[0] if row else "MISSING"
        except sqlite3.Error:
            time.sleep(0.2)
    return "UNREADABLE"


def blend_meshes(python: str, blend: Path) -> dict[str, list[str]]:
    """The mesh objects of a saved .blend and their materials, read by a fresh Blender (``python``: the bpy wheel's)."""
    import json
    import subprocess

    probe = ("import bpy, json, sys\nbpy.ops.wm.open_mainfile(filepath=sys.argv[1])\n"
             "print('MESHES', json.dumps({o.name: [s.material.name for s in o.material_slots if s.material] "
             "for o in bpy.data.objects if o.type == 'MESH'}))")
    out = subprocess.run([python, "-c", probe, str(blend)], capture_output=True, text=True, timeout=120).stdout
    line = next((line for line in out.splitlines() if line.startswith("MESHES ")), "MESHES {}")
    return json.loads(line[7:])


def processes_with(*words: str) -> list[int]:
    """The ids of the processes whose command line holds every one of ``words`` (Linux: read from /proc)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if all(word in command for word in words):
            found.append(int(entry.name))
    return found


def _sandbox_module():
    """The sandbox's server: the add-on's own in Blender (the fault suite), the source tree's elsewhere."""
    for name in ("bl_ext.user_default.meshsmith.sandbox.server", "meshsmith.sandbox.server"):
        if name in sys.modules:
            return sys.modules[name]
    import importlib

    try:
        return importlib.import_module("meshsmith.sandbox.server")
    except ImportError:
        return importlib.import_module("bl_ext.user_default.meshsmith.sandbox.server")


def _valid_key() -> str:
    import importlib

    return importlib.import_module(_sandbox_module().__name__.replace(".server", ".segmind")).VALID_KEY
