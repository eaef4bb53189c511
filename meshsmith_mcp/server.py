"""The MCP tools: each is described for the agent and forwarded to Blender's bridge, where it runs on the main thread.

Results are JSON objects (structured content). A refusal or failure is a tool error carrying the message and fix the
sidebar shows (no key, online access off, a bad input by name, over the cap, a quote missing or stale, an object not
found). No tool runs code, and no tool reads or returns a key.
"""

from __future__ import annotations

import time
from typing import Any

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from .bridge import Bridge, BridgeError

MAX_WAIT_S = 60.0
POLL_S = 0.25
INSTRUCTIONS = (
    "Meshsmith generates 3D models from images or prompts and retextures meshes in the artist's Blender. Paid jobs "
    "need a quote: call estimate_cost with the same arguments you will pass to generate/retexture/remesh/uv_unwrap, "
    "then pass its quote_id (valid 10 minutes, once). Follow a job with get_job (wait_s up to 60) until its state is "
    "IMPORTED (its objects are listed), FAILED or CANCELED. WAITING_FOR_APPROVAL means the artist must allow it.")


def build(bridge_for) -> MCPServer:
    """The server, its tools calling ``bridge_for()`` (the bridge, found or started on first use)."""
    server = MCPServer("meshsmith", instructions=INSTRUCTIONS)

    async def call(tool: str, **arguments: Any) -> dict[str, Any]:
        given = {name: value for name, value in arguments.items() if value is not None}
        try:
            bridge: Bridge = await anyio.to_thread.run_sync(bridge_for)
            return await anyio.to_thread.run_sync(bridge.call, tool, given)
        except BridgeError as exc:
            raise ToolError(str(exc)) from None

    @server.tool(description="The services Meshsmith can use here (what each does, whether it is paid and ready, its "
                             "parameters) and, for a catalog service (Scenario), its models with what they do.")
    async def list_models() -> dict[str, Any]:
        return await call("list_models")

    @server.tool(description="Price a job before starting it; returns quote_id (pass it to the same call), the cost "
                             "and its unit (or why it is unknown), and the balance when the service tells it. "
                             "action: generate, retexture, remesh or uv_unwrap; the other arguments as for that call.")
    async def estimate_cost(action: str, provider: str, image_path: str = "", prompt: str = "", model: str = "",
                            inputs: dict[str, Any] | None = None, object_name: str = "",
                            target_polycount: int = 30000, topology: str = "QUAD") -> dict[str, Any]:
        return await call("estimate_cost", action=action, provider=provider, image_path=image_path, prompt=prompt,
                          model=model, inputs=inputs, object_name=object_name, target_polycount=target_polycount,
                          topology=topology)

    @server.tool(description="Generate a 3D model from a reference image (image_path: a file on this computer; "
                             "several views separated by ';', front first) and/or a prompt. model and inputs: a "
                             "catalog model and its inputs, or a service's parameters by name (list_models). A paid "
                             "service needs quote_id from estimate_cost. Returns job_id; the model is imported into "
                             "the scene when ready.")
    async def generate(provider: str, image_path: str = "", prompt: str = "", model: str = "",
                       inputs: dict[str, Any] | None = None, quote_id: str = "") -> dict[str, Any]:
        return await call("generate", provider=provider, image_path=image_path, prompt=prompt, model=model,
                          inputs=inputs, quote_id=quote_id)

    @server.tool(description="Give a mesh object of the scene (object_name, see list_objects) a new look from a style "
                             "image and/or a prompt; the result lands on the object itself (baked onto its own UVs "
                             "when the service returns its own mesh). A paid service needs quote_id.")
    async def retexture(object_name: str, provider: str, style_image: str = "", prompt: str = "", model: str = "",
                        inputs: dict[str, Any] | None = None, quote_id: str = "") -> dict[str, Any]:
        return await call("retexture", object_name=object_name, provider=provider, style_image=style_image,
                          prompt=prompt, model=model, inputs=inputs, quote_id=quote_id)

    @server.tool(description="Rebuild a mesh object's topology at a target face count (topology QUAD or TRIANGLE); "
                             "the result is a new version of the object with its look, the original hidden, never "
                             "deleted. Needs quote_id.")
    async def remesh(object_name: str, provider: str = "", target_polycount: int = 30000, topology: str = "QUAD",
                     quote_id: str = "") -> dict[str, Any]:
        return await call("remesh", object_name=object_name, provider=provider, target_polycount=target_polycount,
                          topology=topology, quote_id=quote_id)

    @server.tool(description="A new UV layout for a mesh object: a new version with the new UV map (the old ones "
                             "kept), the original hidden. Needs quote_id.")
    async def uv_unwrap(object_name: str, provider: str = "", quote_id: str = "") -> dict[str, Any]:
        return await call("uv_unwrap", object_name=object_name, provider=provider, quote_id=quote_id)

    @server.tool(description="Tweak a mesh object of the scene (free, on this computer, one undo step): action is "
                             "place_on_ground, normalise_size (height in metres), fix_orientation (up_axis: the "
                             "model's axis that should point up, e.g. '+Y'), shade_auto_smooth (angle in degrees), "
                             "merge_by_distance (distance), decimate (target_faces), pack_textures, mark_asset or "
                             "apply_preset (preset: GAME, FILM or PRINT).")
    async def tweak(object_name: str, action: str, height: float | None = None, up_axis: str | None = None,
                    angle: float | None = None, distance: float | None = None, target_faces: int | None = None,
                    preset: str | None = None) -> dict[str, Any]:
        return await call("tweak", object_name=object_name, action=action, height=height, up_axis=up_axis,
                          angle=angle, distance=distance, target_faces=target_faces, preset=preset)

    @server.tool(description="A job's state (PENDING, SUBMITTING, QUEUED, RUNNING, DOWNLOADING, READY, IMPORTED, "
                             "FAILED, CANCELED, UNKNOWN, WAITING_FOR_APPROVAL), progress 0-1, message, error, cost, "
                             "and the object names once IMPORTED. wait_s (0-60): return as soon as the job changes, "
                             "or when the wait ends.")
    async def get_job(job_id: str, wait_s: float = 0.0) -> dict[str, Any]:
        first = await call("get_job", job_id=job_id)
        deadline = time.monotonic() + max(0.0, min(float(wait_s), MAX_WAIT_S))
        seen = (first.get("state"), first.get("progress"), first.get("message"))
        while time.monotonic() < deadline:
            await anyio.sleep(POLL_S)
            now = await call("get_job", job_id=job_id)
            if (now.get("state"), now.get("progress"), now.get("message")) != seen:
                return now
        return first

    @server.tool(description="Recent jobs, newest first: limit (1-200), state (e.g. 'FAILED' or 'RUNNING,QUEUED'), "
                             "search (words of the label), only_agent (only jobs agents started).")
    async def list_jobs(limit: int = 20, state: str = "", search: str = "", only_agent: bool = False) -> dict[str, Any]:
        return await call("list_jobs", limit=limit, state=state, search=search, only_agent=only_agent)

    @server.tool(description="Stop a job (a job waiting for approval is withdrawn). The service may still bill a job "
                             "it had started.")
    async def cancel_job(job_id: str) -> dict[str, Any]:
        return await call("cancel_job", job_id=job_id)

    @server.tool(description="The scene's mesh objects: name, faces, vertices, UV maps, materials, visible, selected.")
    async def list_objects() -> dict[str, Any]:
        return await call("list_objects")

    return server
