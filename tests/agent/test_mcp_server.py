"""Meshsmith's MCP server, driven by the official SDK's client over stdio, with a background Blender (the bpy wheel).

The flow an agent follows: tools listed; a paid job refused without a quote; quote -> generate -> get_job until
IMPORTED -> the object in the saved .blend with its material; a retexture of a named object; a cancel; the cap
refusing the next paid job. stdout carries only MCP messages; the server ends by itself once its stdin closes,
leaving no process behind. What goes wrong mid-job (the agent leaves mid-wait, the background Blender is killed)
is in the fault suite's agent rows (tools/agent_faults.py, run by tests/blender/test_fault_suite.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import anyio
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from tools.agent_faults import blend_meshes, processes_with

ROOT = Path(__file__).resolve().parents[2]
SERVER = ROOT / "meshsmith_mcp"
TOOLS = {"list_models", "estimate_cost", "generate", "retexture", "remesh", "uv_unwrap", "get_job", "list_jobs",
         "cancel_job", "list_objects", "tweak"}
FORBIDDEN_WORDS = ("exec", "eval", "python", "script", "code", "shell", "command")


def _server(blend: Path, user: Path, *extra: str, env: dict[str, str] | None = None) -> StdioServerParameters:
    environment = {**os.environ, "MESHSMITH_USER_DIR": str(user), **(env or {})}
    return StdioServerParameters(command=sys.executable, env=environment,
                                 args=[str(SERVER), "--blend", str(blend), "--blender-python", sys.executable, *extra])


async def _call(session: ClientSession, tool: str, **arguments) -> dict:
    result = await session.call_tool(tool, arguments)
    assert not result.is_error, (tool, result.content[0].text if result.content else result)
    return result.structured_content


async def _refused(session: ClientSession, tool: str, **arguments) -> str:
    result = await session.call_tool(tool, arguments)
    assert result.is_error, (tool, result.structured_content)
    return result.content[0].text


async def _until(session: ClientSession, job_id: str, states: set[str], within_s: float = 90) -> dict:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        job = await _call(session, "get_job", job_id=job_id, wait_s=5)
        if job["state"] in states:
            return job
    raise AssertionError(f"job {job_id} never reached {states}: {job}")


def test_an_agent_generates_retextures_cancels_and_meets_the_cap(tmp_path, png_file):
    blend, user = tmp_path / "scene" / "agent.blend", tmp_path / "user"
    from meshsmith.sandbox.assets import make_textures

    other = tmp_path / "other.png"
    other.write_bytes(make_textures(7, 32).base_color)  # another image: another request

    async def flow() -> dict:
        async with stdio_client(_server(blend, user, "--sandbox", "--max-paid-jobs", "3")) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                tools = (await session.list_tools()).tools
                assert {tool.name for tool in tools} == TOOLS
                for tool in tools:  # nothing an agent sees suggests it can run code
                    words = [tool.name, *tool.input_schema.get("properties", {})]
                    assert not [w for w in words for bad in FORBIDDEN_WORDS if bad in w.lower()], tool.name
                models = await _call(session, "list_models")
                assert "SEGMIND" in {p["provider"] for p in models["providers"]}
                names = json.dumps([list(provider) for provider in models["providers"]]).lower()
                assert not [word for word in ("api_key", "secret", "token", "password") if word in names]

                assert "needs a quote" in await _refused(session, "generate", provider="SEGMIND", image_path=str(png_file))
                quote = await _call(session, "estimate_cost", action="generate", provider="SEGMIND",
                                    image_path=str(png_file))
                assert quote["quote_id"] and quote["paid"] and quote["paid_jobs_left"] == 3
                broken = tmp_path / "broken.png"
                broken.write_bytes(png_file.read_bytes()[:-20])
                assert "cut short" in await _refused(session, "estimate_cost", action="generate", provider="SEGMIND",
                                                     image_path=str(broken))
                assert "another request" in await _refused(session, "generate", provider="SEGMIND",
                                                           image_path=str(other), quote_id=quote["quote_id"])
                assert "no setting 'sed'" in await _refused(session, "estimate_cost", action="generate",
                                                            provider="SEGMIND", image_path=str(png_file),
                                                            inputs={"sed": 3})
                started = await _call(session, "generate", provider="SEGMIND", image_path=str(png_file),
                                      quote_id=quote["quote_id"])
                assert started["started_by"] == "agent"
                assert "used already" in await _refused(session, "generate", provider="SEGMIND",
                                                        image_path=str(png_file), quote_id=quote["quote_id"])
                done = await _until(session, started["job_id"], {"IMPORTED", "FAILED"})
                assert done["state"] == "IMPORTED" and done["objects"], done
                name = done["objects"][0]
                scene = await _call(session, "list_objects")
                assert name in {obj["name"] for obj in scene["objects"]}

                assert "No mesh object named" in await _refused(session, "estimate_cost", action="retexture",
                                                                provider="MESHY", object_name="Nothing", prompt="oak")
                quote = await _call(session, "estimate_cost", action="retexture", provider="MESHY", object_name=name,
                                    prompt="weathered oak")
                assert quote["cost"] is not None and quote["unit"] == "credits"
                textured = await _call(session, "retexture", object_name=name, provider="MESHY",
                                       prompt="weathered oak", quote_id=quote["quote_id"])
                textured = await _until(session, textured["job_id"], {"IMPORTED", "FAILED"})
                assert textured["state"] == "IMPORTED", textured

                quote = await _call(session, "estimate_cost", action="generate", provider="SEGMIND",
                                    image_path=str(other))
                third = await _call(session, "generate", provider="SEGMIND", image_path=str(other),
                                    quote_id=quote["quote_id"])
                canceled = await _call(session, "cancel_job", job_id=third["job_id"])
                assert canceled["state"] == "CANCELED"

                quote = await _call(session, "estimate_cost", action="generate", provider="SEGMIND",
                                    image_path=str(png_file))
                assert quote["paid_jobs_left"] == 0
                assert "may start 3 paid job(s)" in await _refused(session, "generate", provider="SEGMIND",
                                                                   image_path=str(png_file), quote_id=quote["quote_id"])
                free = await _call(session, "estimate_cost", action="generate", provider="HUNYUAN_SERVER",
                                   image_path=str(png_file))
                assert free["paid"] is False and free["unit"] == "free"
                jobs = await _call(session, "list_jobs", only_agent=True)
                assert {job["job_id"] for job in jobs["jobs"]} >= {started["job_id"], third["job_id"]}
                return {"name": name}

    seen = anyio.run(flow)
    contents = blend_meshes(sys.executable, blend)
    assert seen["name"] in contents and contents[seen["name"]], contents  # in the saved file, with its material


def test_stdout_is_mcp_only_and_the_server_ends_with_its_stdin(tmp_path):
    blend = tmp_path / "quiet.blend"
    process = subprocess.Popen([sys.executable, str(SERVER), "--blend", str(blend), "--sandbox", "--blender-python",
                                sys.executable], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={**os.environ, "MESHSMITH_USER_DIR": str(tmp_path / "user")})
    hello = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}}}
    process.stdin.write((json.dumps(hello) + "\n").encode())
    process.stdin.flush()
    answer = json.loads(process.stdout.readline())  # Blender started and printed plenty: none of it here
    assert answer["id"] == 1 and "result" in answer, answer
    process.stdin.close()
    started = time.monotonic()
    rest = process.stdout.read().decode()
    process.wait(30)
    assert time.monotonic() - started < 15
    assert all(json.loads(line) for line in rest.splitlines() if line.strip())
    assert b"Saved as" in process.stderr.read()  # Blender's own output (it saved the new file) went to stderr
    assert processes_with(str(blend)) == []  # neither the server nor its Blender is left behind
    assert blend.is_file()  # made when missing


def test_a_blender_that_cannot_start_is_said_on_stderr_and_nothing_on_stdout(tmp_path):
    done = subprocess.run([sys.executable, str(SERVER), "--blend", str(tmp_path / "x.blend"), "--blender",
                           str(tmp_path / "no-blender-here")], stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1 and done.stdout == ""
    assert "Blender could not be started" in done.stderr and "no-blender-here" in done.stderr
    help_text = subprocess.run([sys.executable, str(SERVER), "--help"], capture_output=True, text=True, timeout=60)
    assert help_text.returncode == 0 and "--max-paid-jobs" in help_text.stdout
