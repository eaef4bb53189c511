"""Agent access in the artist's Blender: the loopback bridge refuses what is not a local agent with the token, runs
every call on Blender's main thread (driven here by calling the tick), and holds paid jobs over the cap for the
artist's Allow or Deny."""

from __future__ import annotations

import http.client
import json
import stat
import threading
import time
from pathlib import Path

import bpy
import pytest
from test_register_and_panels import RecordingLayout

from blender_helpers import submodule


@pytest.fixture
def bridge(blender, tmp_path):
    agent, state = submodule("host.agent"), submodule("host.state").HOST
    opened = agent.start(state.agent_dispatch, tmp_path / "access")
    yield opened
    agent.stop()


def _post(bridge, body: bytes, headers: dict[str, str]) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", bridge.port, timeout=10)
    connection.request("POST", "/call", body=body, headers=headers)
    answer = connection.getresponse()
    return answer.status, json.loads(answer.read() or b"{}")


def _headers(bridge, **extra: str) -> dict[str, str]:
    return {"Host": f"127.0.0.1:{bridge.port}", "Authorization": f"Bearer {bridge.token}",
            "Content-Type": "application/json", **extra}


def _call_from_agent(bridge, tool: str, arguments: dict | None = None) -> dict:
    """Call from another thread (an agent) while this, the main thread, ticks until the answer comes."""
    runtime = submodule("host.runtime")
    box: dict = {}
    body = json.dumps({"tool": tool, "arguments": arguments or {}}).encode()
    worker = threading.Thread(target=lambda: box.update(answer=_post(bridge, body, _headers(bridge))))
    worker.start()
    deadline = time.monotonic() + 30
    while worker.is_alive() and time.monotonic() < deadline:
        runtime.drain(bpy.context)
        time.sleep(0.01)
    worker.join(1)
    status, answer = box["answer"]
    assert status == 200
    return answer


def test_the_access_file_is_the_users_alone_and_goes_with_the_bridge(bridge, tmp_path):
    access = tmp_path / "access" / "agent.json"
    assert stat.S_IMODE(access.stat().st_mode) == 0o600
    assert json.loads(access.read_text()) == {"port": bridge.port, "token": bridge.token,
                                              "pid": json.loads(access.read_text())["pid"]}
    submodule("host.agent").stop()
    assert not access.exists()


def test_what_is_not_a_local_agent_with_the_token_is_refused_unread(bridge):
    body = json.dumps({"tool": "list_objects", "arguments": {}}).encode()
    assert _post(bridge, body, {**_headers(bridge), "Authorization": ""})[0] == 401
    assert _post(bridge, body, {**_headers(bridge), "Authorization": "Bearer wrong"})[0] == 401
    assert _post(bridge, body, {**_headers(bridge), "Host": f"evil.example:{bridge.port}"})[0] == 403  # DNS rebinding
    assert _post(bridge, body, _headers(bridge, Origin="https://evil.example"))[0] == 403  # a web page
    status, answer = _post(bridge, b"x" * (70 * 1024), _headers(bridge))
    assert status == 413 and "at most" in answer["error"]
    connection = http.client.HTTPConnection("127.0.0.1", bridge.port, timeout=10)
    connection.request("GET", "/call", headers=_headers(bridge))
    assert connection.getresponse().status == 405
    assert _post(bridge, b"not json", _headers(bridge))[0] == 400


def test_a_call_runs_on_the_main_thread_only_when_the_tick_runs(bridge, monkeypatch):
    runtime, state = submodule("host.runtime"), submodule("host.state").HOST
    threads = []
    real = bridge.dispatch
    monkeypatch.setattr(bridge, "dispatch", lambda tool, args: threads.append(threading.current_thread()) or real(tool, args))
    bpy.ops.mesh.primitive_cube_add()
    box: dict = {}
    body = json.dumps({"tool": "list_objects", "arguments": {}}).encode()
    worker = threading.Thread(target=lambda: box.update(answer=_post(bridge, body, _headers(bridge))))
    worker.start()
    time.sleep(0.3)
    assert threads == [] and worker.is_alive()  # queued: nothing touches Blender until the main thread ticks
    while worker.is_alive():
        runtime.drain(bpy.context)
        time.sleep(0.01)
    assert threads == [threading.main_thread()]
    status, answer = box["answer"]
    assert status == 200 and [obj["name"] for obj in answer["result"]["objects"]] == ["Cube"]
    assert state.agent_bridge.connected and state.agent_bridge.last_tool == "list_objects"


def test_a_call_the_main_thread_never_took_up_is_withdrawn_and_never_runs(bridge, monkeypatch):
    runtime = submodule("host.runtime")
    monkeypatch.setattr(submodule("host.agent"), "CALL_TIMEOUT_S", 0.3)
    ran = []
    monkeypatch.setattr(bridge, "dispatch", lambda tool, args: ran.append(tool) or {"ok": True, "result": {}})
    status, answer = _post(bridge, json.dumps({"tool": "list_objects"}).encode(), _headers(bridge))
    assert status == 200 and not answer["ok"] and "did not answer" in answer["error"]
    runtime.drain(bpy.context)  # the queued call comes up now, after its caller was told it failed
    assert ran == []


def test_a_paid_job_over_the_cap_waits_for_the_artists_allow_or_deny(bridge, png_file):
    prefs = submodule("host.preferences").get()
    prefs.agent_max_paid_jobs = 0
    runtime, session = submodule("host.runtime"), submodule("host.state").HOST.agent
    try:
        decided = {}
        for allow in (True, False):
            quote = _call_from_agent(bridge, "estimate_cost", {"action": "generate", "provider": "SEGMIND",
                                                                "image_path": str(png_file)})["result"]
            waiting = _call_from_agent(bridge, "generate", {"provider": "SEGMIND", "image_path": str(png_file),
                                                            "quote_id": quote["quote_id"]})["result"]
            assert waiting["state"] == "WAITING_FOR_APPROVAL" and waiting["job_id"] in session.waiting
            assert runtime.engine().get(waiting["job_id"]) is None  # nothing sent while it waits
            drawn: list[str] = []  # the Jobs panel shows it, with Allow and Deny (every name checked as Blender would)
            submodule("panels.sidebar").VIEW3D_PT_meshsmith_jobs.draw(
                type("FakePanel", (), {"layout": RecordingLayout(drawn)})(), bpy.context)
            assert "Waiting for your approval" in drawn and {"Allow", "Deny"} <= set(drawn)
            assert "An agent is connected (last: generate)" in drawn
            assert bpy.ops.meshsmith.agent_decide(job_id=waiting["job_id"], allow=allow) == {"FINISHED"}
            decided[allow] = _call_from_agent(bridge, "get_job", {"job_id": waiting["job_id"]})["result"]
        assert decided[True]["state"] != "WAITING_FOR_APPROVAL" and decided[True]["started_by"] == "agent"
        record = runtime.engine().get(decided[True]["job_id"])
        assert record is not None and record.started_by == "agent"
        assert decided[False]["state"] == "CANCELED" and "denied" in decided[False]["message"]
        assert session.waiting == {}
    finally:
        prefs.agent_max_paid_jobs = 3
        session.__init__()


def test_the_bridge_follows_the_preference(blender, tmp_path):
    timers, state = submodule("host.timers"), submodule("host.state").HOST
    prefs = submodule("host.preferences").get()
    prefs.agent_access = True
    try:
        timers._follow_agent_preference()
        assert state.agent_bridge is not None
        access = blender.user_dir() / "agent.json"
        assert json.loads(access.read_text())["port"] == state.agent_bridge.port
    finally:
        prefs.agent_access = False
        timers._follow_agent_preference()
    assert state.agent_bridge is None and not access.exists()


def test_a_service_that_prices_by_a_dry_run_is_asked_off_the_main_thread(bridge, png_file, monkeypatch):
    runtime = submodule("host.runtime")
    client_class = submodule("providers.registry").client_class("SCENARIO")
    real, threads = client_class.estimate, []

    def estimate(self, params, inputs):
        threads.append(threading.current_thread())
        return real(self, params, inputs)

    monkeypatch.setattr(client_class, "estimate", estimate)
    answer = _call_from_agent(bridge, "estimate_cost", {"action": "generate", "provider": "SCENARIO",
                                                         "image_path": str(png_file)})
    assert answer["ok"], answer
    quote = answer["result"]
    assert quote["cost"] and quote["cost"] > 0
    assert quote["unit"] == submodule("providers.registry").info("SCENARIO").estimate[1]
    assert threads and threading.main_thread() not in threads  # the dry run never held Blender's main thread
    assert submodule("host.state").HOST.agent.quotes[quote["quote_id"]].cost == quote["cost"]
    assert runtime.engine().jobs() == []  # a price, not a job: nothing was started


def test_the_mcp_server_finds_the_artists_blender_and_its_calls_run_here(bridge, tmp_path, monkeypatch):
    """The live path end to end: the SDK's client -> the MCP server (--live) -> this Blender's bridge -> the tick."""
    import os
    import sys

    import anyio
    from mcp.client.session import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    from meshsmith_mcp.bridge import default_user_dir

    connections = submodule("host.connections")
    monkeypatch.delenv("MESHSMITH_USER_DIR", raising=False)
    assert default_user_dir() == connections.default_user_dir()  # both look in the same place
    bpy.ops.mesh.primitive_monkey_add()
    server = StdioServerParameters(command=sys.executable, env=dict(os.environ), args=[
        str(Path(submodule("host.agent").__file__).parent.parent / "meshsmith_mcp"), "--live",
        "--user-dir", str(tmp_path / "access")])
    box: dict = {}

    async def agent() -> None:
        async with stdio_client(server) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            box["objects"] = (await session.call_tool("list_objects", {})).structured_content
            box["refused"] = await session.call_tool("cancel_job", {"job_id": "nothing"})

    worker = threading.Thread(target=lambda: anyio.run(agent))
    worker.start()
    deadline = time.monotonic() + 60
    while worker.is_alive() and time.monotonic() < deadline:
        submodule("host.runtime").drain(bpy.context)  # Blender's timer, as it ticks in the artist's session
        time.sleep(0.01)
    worker.join(1)
    assert [obj["name"] for obj in box["objects"]["objects"]] == ["Suzanne"]
    assert box["refused"].is_error and "No job with id 'nothing'" in box["refused"].content[0].text


def test_refusals_carry_the_sidebars_message_and_fix(bridge, png_file, monkeypatch):
    prefs = submodule("host.preferences").get()
    session = submodule("host.state").HOST.agent
    generate = {"action": "generate", "provider": "SEGMIND", "image_path": str(png_file)}
    prefs.use_sandbox = False  # no key set anywhere (the fixture cleared them)
    answer = _call_from_agent(bridge, "estimate_cost", generate)
    assert not answer["ok"] and answer["error"] == submodule("providers.registry").info("SEGMIND").missing_key
    assert answer["fix"] == "OPEN_PREFERENCES"
    bpy.context.preferences.system.use_online_access = False
    try:
        answer = _call_from_agent(bridge, "estimate_cost", generate)
        assert not answer["ok"] and answer["fix"] == "ENABLE_ONLINE_ACCESS"
    finally:
        bpy.context.preferences.system.use_online_access = True
        prefs.use_sandbox = True
    answer = _call_from_agent(bridge, "estimate_cost", {**generate, "inputs": {"seed": "many"}})
    assert not answer["ok"] and "seed" in answer["error"].lower()  # the bad input, by name
    answer = _call_from_agent(bridge, "generate", {"provider": "SEGMIND", "image_path": str(png_file), "colour": 3})
    assert not answer["ok"] and "no argument 'colour'" in answer["error"]
    quote = _call_from_agent(bridge, "estimate_cost", generate)["result"]["quote_id"]
    session.quotes[quote].made_at -= 601  # ten minutes and a second later
    answer = _call_from_agent(bridge, "generate", {"provider": "SEGMIND", "image_path": str(png_file), "quote_id": quote})
    assert not answer["ok"] and "more than 10 minutes old" in answer["error"]
    answer = _call_from_agent(bridge, "retexture", {"object_name": "Nowhere", "provider": "MESHY", "prompt": "oak"})
    assert not answer["ok"] and "No mesh object named 'Nowhere'" in answer["error"]
    session.__init__()


def test_an_asset_tool_is_priced_and_checked_as_its_job_would_be(bridge):
    bpy.ops.mesh.primitive_cube_add()
    remesh = {"action": "remesh", "provider": "MESHY", "object_name": "Cube", "topology": "QUAD"}
    answer = _call_from_agent(bridge, "estimate_cost", {**remesh, "target_polycount": 5})
    assert not answer["ok"] and "target" in answer["error"].lower()  # below the service's minimum, by name
    answer = _call_from_agent(bridge, "estimate_cost", {**remesh, "provider": "SEGMIND", "target_polycount": 8000})
    assert not answer["ok"] and "does not offer this tool" in answer["error"]
    answer = _call_from_agent(bridge, "estimate_cost", {**remesh, "target_polycount": 8000})
    assert answer["ok"], answer
    quote = answer["result"]
    assert quote["cost"] == submodule("providers.registry").info("MESHY").asset_tool_price
    started = _call_from_agent(bridge, "remesh", {"object_name": "Cube", "target_polycount": 8000,
                                                  "quote_id": quote["quote_id"]})
    assert started["ok"], started
    assert started["result"]["kind"] == "remesh" and started["result"]["target_object"] == "Cube"
    submodule("host.state").HOST.agent.__init__()


def test_an_agent_tweaks_a_named_object_as_the_sidebar_would(bridge):
    bpy.ops.mesh.primitive_monkey_add()
    bpy.ops.mesh.primitive_cube_add(location=(3, 0, 0))  # selected and active: the tweak must not touch it
    cube_faces = len(bpy.data.objects["Cube"].data.polygons)
    answer = _call_from_agent(bridge, "tweak", {"object_name": "Suzanne", "action": "decimate", "target_faces": 200})
    assert answer["ok"], answer
    assert answer["result"]["faces"] <= 220 and len(bpy.data.objects["Cube"].data.polygons) == cube_faces
    answer = _call_from_agent(bridge, "tweak", {"object_name": "Suzanne", "action": "normalise_size", "height": 2.0})
    assert answer["ok"] and abs(answer["result"]["dimensions"][2] - 2.0) < 0.01, answer  # its height
    answer = _call_from_agent(bridge, "tweak", {"object_name": "Suzanne", "action": "decimate", "height": 2.0})
    assert not answer["ok"] and "decimate takes target_faces, not height" in answer["error"]
    answer = _call_from_agent(bridge, "tweak", {"object_name": "Suzanne", "action": "delete_everything"})
    assert not answer["ok"] and "action must be one of" in answer["error"]
