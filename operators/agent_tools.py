"""What an agent can do through agent access: the tools, carried out on Blender's main thread.

Each tool takes plain JSON arguments (checked by name: an unknown argument is refused, named) and answers a JSON
object; a refusal is ``{"ok": false, "error": ..., "fix": ...}`` with the message and fix the sidebar shows. Jobs
are built by the operators' own builders and started through the host like any other (journaled, never sent twice,
resumed after a crash), marked as started by an agent. No tool runs code, and no tool reads or returns a key.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import bpy

from ..host import runtime
from ..host.state import HOST
from ..jobs.states import JobState
from ..net import errors as E
from ..providers import registry
from .agent_spending import (
    QUOTE_TTL_S,
    Waiting,
    cap,
    fingerprint,
    is_paid,
    over_cap,
    refuse_over_cap,
    session,
    take_quote,
)
from .agent_spending import quote as make_quote
from .agent_tweaks import tweak
from .asset_tools import build_tool_job
from .inputs import build_generate_job, check_image_file, check_service_ready, generation_params
from .retexture import build_retexture_job

WAITING = "WAITING_FOR_APPROVAL"
ACTIONS = ("generate", "retexture", "remesh", "uv_unwrap")


def dispatch(tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """Run one tool (main thread); its answer, or the refusal as the sidebar would word it."""
    handler = TOOLS.get(tool)
    if handler is None:
        return {"ok": False, "error": f"Meshsmith has no tool '{tool}'. Its tools: {', '.join(sorted(TOOLS))}."}
    function, allowed = handler
    unknown = sorted(set(arguments) - set(allowed))
    if unknown:
        return {"ok": False, "error": f"{tool} takes no argument {', '.join(map(repr, unknown))}; it takes "
                                      f"{', '.join(allowed) or 'none'}."}
    try:
        result = function(bpy.context, **arguments)
        if callable(result):  # the rest needs the network: the bridge runs it on its own thread, never this one
            return {"ok": True, "later": result}
        return {"ok": True, "result": result}
    except E.MeshsmithError as exc:
        return {"ok": False, "error": str(exc), "fix": exc.fix.value}
    except TypeError as exc:  # a value of the wrong kind (a list where a text belongs)
        return {"ok": False, "error": f"{tool}: {exc}"}


# --- reading -----------------------------------------------------------------------------------------------------
def list_models(context) -> dict[str, Any]:
    providers = []
    for info in registry.PROVIDERS.values():
        does = [name for name, offered in (("generate", info.generates), ("retexture", info.retextures),
                                           ("remesh", "REMESH" in info.asset_tools),
                                           ("uv_unwrap", "UV_UNWRAP" in info.asset_tools)) if offered]
        why_not = _why_not_ready(context, info.id)
        entry: dict[str, Any] = {
            "provider": info.id, "label": info.label, "does": does, "paid": is_paid(info.id),
            "takes_prompt": info.takes_prompt, "cost_estimate": "service" if info.estimate else (
                "price list" if info.price or info.asset_tool_price else "unknown"),
            "ready": not why_not,
            "parameters": [_parameter(param) for param in info.settings if param.sent],
        }
        if entry["ready"] is False:
            entry["not_ready_because"] = why_not
        if info.catalog:
            catalog = HOST.catalog.current
            entry["models"] = [{"model": model.id, "name": model.title, "does": sorted(model.tasks)}
                               for model in catalog.visible()] if catalog is not None else []
            entry["models_note"] = "Pass one as 'model'; its own inputs go in 'inputs'." if catalog is not None else (
                "The catalog is not loaded yet in this Blender: open the Generate panel once, or pass a model id.")
        providers.append(entry)
    return {"providers": providers}


def _why_not_ready(context, provider: str) -> str:
    try:
        check_service_ready(context, provider)
    except E.MeshsmithError as exc:
        return str(exc)
    return ""


def _parameter(param) -> dict[str, Any]:
    described = {"name": param.name, "label": param.label, "kind": param.kind, "description": param.description}
    for key in ("default", "min", "max"):
        if getattr(param, key) is not None:
            described[key] = getattr(param, key)
    if param.choices:
        described["choices"] = [choice.id for choice in param.choices]
    return described


def list_objects(context) -> dict[str, Any]:
    objects = []
    for obj in context.scene.objects:
        if obj.type != "MESH":
            continue
        mesh = obj.data
        objects.append({"name": obj.name, "faces": len(mesh.polygons), "vertices": len(mesh.vertices),
                        "uv_maps": [uv.name for uv in mesh.uv_layers],
                        "materials": [slot.material.name for slot in obj.material_slots if slot.material],
                        "visible": obj.visible_get(), "selected": obj.select_get()})
    return {"objects": objects}


def get_job(context, job_id: str) -> dict[str, Any]:
    agent = session()
    if job_id in agent.waiting:
        record = agent.waiting[job_id].record
        return {**_job(record), "state": WAITING,
                "message": "Waiting for the artist's approval in Blender's Jobs panel (over this session's cap)."}
    if job_id in agent.denied:
        return {"job_id": job_id, "state": JobState.CANCELED.value, "label": agent.denied[job_id],
                "message": "The artist denied this job; nothing was sent or charged."}
    record = runtime.engine().get(job_id)
    if record is None:
        raise E.InvalidInputError(f"No job with id '{job_id}' (list_jobs lists them).")
    return _job(record)


def _job(record) -> dict[str, Any]:
    answer = {"job_id": record.id, "state": record.state.value, "provider": record.provider,
              "kind": record.kind.value.lower(), "label": record.label, "progress": round(record.progress, 3),
              "message": record.message, "started_by": record.started_by or "artist", "created_at": record.created_at}
    for name in ("error", "warning", "cost", "seed", "target_object"):
        value = getattr(record, name)
        if value not in ("", None):
            answer[name] = value
    if record.state is JobState.IMPORTED:
        answer["objects"] = list(record.imported_objects)
    return answer


def list_jobs(context, limit: int = 20, state: str = "", search: str = "", only_agent: bool = False) -> dict[str, Any]:
    from ..jobs.store import JobQuery

    limit = max(1, min(int(limit), 200))
    states = tuple(part.strip().upper() for part in state.split(",") if part.strip())
    found, total = runtime.engine().find(JobQuery(text=search, states=states, limit=limit if not only_agent else 1000))
    jobs = [_job(record) for record in found if not only_agent or record.started_by == "agent"][:limit]
    waiting = [get_job(context, job_id) for job_id in session().waiting]
    return {"jobs": waiting + jobs, "matching": total}


# --- spending -----------------------------------------------------------------------------------------------------
def estimate_cost(context, action: str, provider: str, image_path: str = "", prompt: str = "", model: str = "",
                  inputs: dict | None = None, object_name: str = "", target_polycount: int = 30000,
                  topology: str = "QUAD") -> dict[str, Any]:
    request, obj = _request(context, action, provider, image_path, prompt, model, inputs, object_name,
                            target_polycount, topology)
    check_service_ready(context, provider)  # a quote for a job that could not be sent helps no one
    info = registry.info(provider)
    cost, unit, why = None, info.price_unit or "credits", ""
    if action in ("remesh", "uv_unwrap") and info.asset_tool_price is not None:
        cost, why = float(info.asset_tool_price), "about: the service's documented price"
    elif info.price is not None:
        cost = info.price(request["params"])
    elif info.estimate is not None:
        return _priced_by_the_service(context, action, provider, request, obj, info.estimate[1])
    elif not is_paid(provider):
        cost, unit = 0.0, "free"
    else:
        why = f"{info.label} publishes no price before a job runs"
    return _quoted(context, provider, request, cost, unit, why)


def _quoted(context, provider: str, request: dict[str, Any], cost: float | None, unit: str, why: str) -> dict[str, Any]:
    """A new quote for ``request`` and what the agent is told of it (main thread)."""
    made = make_quote(request["fingerprint"], cost, unit, is_paid(provider))
    answer: dict[str, Any] = {"quote_id": made.id, "cost": cost, "unit": unit, "valid_for_s": int(QUOTE_TTL_S),
                              "paid": made.paid, "paid_jobs_left": max(0, cap(context) - session().paid_jobs)}
    if why:
        answer["cost_note"] = why
    balance = registry.info(provider).balance
    if balance is not None and getattr(context.window_manager.meshsmith, balance[1], ""):
        answer["balance"] = getattr(context.window_manager.meshsmith, balance[1])
    return answer


def _priced_by_the_service(context, action: str, provider: str, request: dict[str, Any], obj, unit: str):
    """A service that prices a job by a dry run (Scenario): the inputs are prepared here, as the sidebar's Estimate
    Cost does; the dry run happens on the bridge's thread (nothing is spent), then the quote is made."""
    from ..mesh_io.exporter import export_object_glb
    from .inputs import generate_inputs

    folder = runtime.results_dir(context) / "estimates"
    if obj is not None:
        mesh = export_object_glb(obj, folder / "agent_estimate_mesh.glb", require_uvs=False)
        inputs = {"mesh_path": str(mesh), "work_dir": str(folder), "blender_binary": bpy.app.binary_path}
    else:
        inputs = generate_inputs(context, provider, request["image_path"], request["prompt"], request["model"], folder)
    client = runtime.make_provider(provider, context)
    answer = _quoted(context, provider, request, None, unit, "")
    quote = session().quotes[answer["quote_id"]]

    def price() -> dict[str, Any]:
        quote.cost = answer["cost"] = client.estimate(request["params"], inputs)  # one attribute: atomic
        return answer

    return price


def _request(context, action: str, provider: str, image_path: str, prompt: str, model: str, inputs: dict | None,
             object_name: str, target_polycount: int, topology: str) -> tuple[dict[str, Any], Any]:
    """What a quote prices, checked as the job would be (parameters by the service's own rules), and its object."""
    if action not in ACTIONS:
        raise E.InvalidInputError(f"action must be one of {', '.join(ACTIONS)}.")
    if not registry.known(provider):
        raise E.InvalidInputError(f"Unknown provider '{provider}'; list_models lists them.")
    obj = None
    if action != "generate":
        obj = context.scene.objects.get(object_name)
        if obj is None or obj.type != "MESH":
            raise E.InvalidInputError(f"No mesh object named '{object_name}' in the scene; list_objects lists them.")
    if action in ("remesh", "uv_unwrap"):
        from ..providers.checks import checked_params

        if action.upper() not in registry.info(provider).asset_tools:
            raise E.InvalidInputError(f"{registry.info(provider).label} does not offer this tool.")
        params = ({"target_polycount": int(target_polycount), "topology": str(topology).lower()}  # as the operator
                  if action == "remesh" else {})
        checked_params({"tool": action.upper(), **params}, provider)  # refused here as the job would refuse it
    else:
        params = generation_params(context, provider, action.upper(), model, json.dumps(inputs) if inputs else "")
    images = [part for part in image_path.split(";") if part.strip()]
    for image in images:  # refused here as the job would refuse it, before a quote is given for it
        check_image_file(Path(image))
    request = {"action": action, "provider": provider, "params": params, "prompt": prompt, "model": model}
    request["fingerprint"] = fingerprint(dict(request), images, obj)
    request["image_path"] = image_path
    return request, obj


# --- starting jobs ------------------------------------------------------------------------------------------------
def generate(context, provider: str, image_path: str = "", prompt: str = "", model: str = "",
             inputs: dict | None = None, quote_id: str = "") -> dict[str, Any]:
    request, _obj = _request(context, "generate", provider, image_path, prompt, model, inputs, "", 0, "")
    return _start(context, provider, request, quote_id, lambda: build_generate_job(
        context, provider, image_path, prompt, model, json.dumps(inputs) if inputs else ""))


def retexture(context, object_name: str, provider: str, style_image: str = "", prompt: str = "", model: str = "",
              inputs: dict | None = None, quote_id: str = "") -> dict[str, Any]:
    request, obj = _request(context, "retexture", provider, style_image, prompt, model, inputs, object_name, 0, "")

    def build():
        with context.temp_override(active_object=obj, object=obj, selected_objects=[obj]):
            return build_retexture_job(bpy.context, provider, prompt, "", style_image, model,
                                       json.dumps(inputs) if inputs else "")

    return _start(context, provider, request, quote_id, build)


def _asset_tool(tool: str):
    def run(context, object_name: str, provider: str = "", quote_id: str = "", target_polycount: int = 30000,
            topology: str = "QUAD") -> dict[str, Any]:
        offered = [info.id for info in registry.with_asset_tool(tool.upper())]
        provider = provider or (offered[0] if offered else "")
        request, obj = _request(context, tool, provider, "", "", "", None, object_name, target_polycount, topology)

        def build():
            with context.temp_override(active_object=obj, object=obj, selected_objects=[obj]):
                return build_tool_job(bpy.context, provider, tool.upper(), request["params"])

        return _start(context, provider, request, quote_id, build)

    return run


def _start(context, provider: str, request: dict[str, Any], quote_id: str, build) -> dict[str, Any]:
    """Check the quote and the cap, build the job with the operator's own builder, and start it (or hold it)."""
    paid = is_paid(provider)
    taken = take_quote(quote_id, request["fingerprint"]) if paid else None
    over = paid and over_cap(context)
    if over and session().max_paid_jobs is not None:
        refuse_over_cap(context)  # headless: no artist to ask
    check_service_ready(context, provider)  # before anything is built or exported, as the sidebar's button says it
    record = build().evolve(started_by="agent")
    if taken is not None:
        taken.used_by = record.id
    agent = session()
    agent.started.append(record.id)
    if over:
        agent.waiting[record.id] = Waiting(record)
        return {**_job(record), "state": WAITING,
                "message": f"Over this session's {cap(context)} paid job(s): waiting for the artist's "
                           "Allow in Blender's Jobs panel. get_job tells when it is decided."}
    return _submit(context, record, paid)


def _submit(context, record, paid: bool) -> dict[str, Any]:
    started = runtime.submit(record, runtime.make_provider(record.provider, context))
    if paid:
        session().paid_jobs += 1
    return _job(started)


def decide(context, job_id: str, allow: bool) -> None:
    """The artist's answer to a job waiting for approval (the Jobs panel's Allow and Deny)."""
    agent = session()
    waiting = agent.waiting.pop(job_id, None)
    if waiting is None:
        return
    if allow:
        _submit(context, waiting.record, True)
    else:
        agent.denied[job_id] = waiting.record.label


def cancel_job(context, job_id: str) -> dict[str, Any]:
    agent = session()
    if job_id in agent.waiting:
        agent.denied[job_id] = agent.waiting.pop(job_id).record.label
        return {"job_id": job_id, "state": JobState.CANCELED.value, "message": "Withdrawn before it was sent."}
    record = runtime.engine().get(job_id)
    if record is None:
        raise E.InvalidInputError(f"No job with id '{job_id}' (list_jobs lists them).")
    runtime.engine().cancel(job_id, runtime.provider_or_none(record.provider))
    return _job(runtime.engine().get(job_id))


TOOLS = {
    "list_models": (list_models, ()),
    "list_objects": (list_objects, ()),
    "get_job": (get_job, ("job_id",)),
    "list_jobs": (list_jobs, ("limit", "state", "search", "only_agent")),
    "estimate_cost": (estimate_cost, ("action", "provider", "image_path", "prompt", "model", "inputs", "object_name",
                                      "target_polycount", "topology")),
    "generate": (generate, ("provider", "image_path", "prompt", "model", "inputs", "quote_id")),
    "retexture": (retexture, ("object_name", "provider", "style_image", "prompt", "model", "inputs", "quote_id")),
    "remesh": (_asset_tool("remesh"), ("object_name", "provider", "quote_id", "target_polycount", "topology")),
    "uv_unwrap": (_asset_tool("uv_unwrap"), ("object_name", "provider", "quote_id")),
    "cancel_job": (cancel_job, ("job_id",)),
    "tweak": (tweak, ("object_name", "action", "height", "up_axis", "angle", "distance", "target_faces", "preset")),
}
"""Tool name: (function, the arguments it takes)."""


def register() -> None:
    HOST.agent_dispatch = dispatch


def unregister() -> None:
    if HOST.agent_bridge is not None:
        from ..host import agent

        agent.stop()
    HOST.agent_dispatch = None
