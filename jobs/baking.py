"""Bake a downloaded result onto the artist's object in a background Blender (worker thread; bpy-free).

The job's worker thread only starts the child process and waits for it (``mesh_io/bake_render.py``); the
artist's Blender never does bake work. Cancel kills the child within 0.1 s; so does the deadline. The child
reports in ``bake_report.json``: the maps it wrote, or why it could not bake, in words for the artist.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from ..net import errors as E
from ..providers.blender_process import blender_command, run_blender
from .states import Delivery

BAKE_TIMEOUT_S = 20 * 60.0
"""A 4K bake of a dense model on a slow machine stays well under this; past it, the bake has hung."""
REPORT = "bake_report.json"
MODEL_WITH_UVS = "MODEL_WITH_UVS"
"""A remesh's returned mesh with the UVs its baked maps were made for (the child writes it)."""
BAKED_PREFIX = "BAKED:"
"""Baked maps are kept in the job's result files as ``BAKED:<channel>``, beside the returned model's own."""


def bake_onto_target(*, script: Path, blender_binary: str, inputs: dict[str, str], model: Path, out_dir: Path,
                     cancel: threading.Event) -> dict[str, str]:
    """Bake ``model`` onto the target written at submit; the baked maps as result-file entries
    (``{"BAKED:BASE_COLOR": path, ...}``). Raises ``BakeFailedError`` with the reason, ``JobCanceledError``."""
    report = out_dir / REPORT
    report.unlink(missing_ok=True)
    command = blender_command(blender_binary, [inputs["bake_target"], str(model), str(out_dir),
                                               inputs.get("bake_resolution", "2048"), inputs.get("bake_uv_map", "")],
                              script=script)
    finished = run_blender(command, timeout_s=BAKE_TIMEOUT_S, cancel=cancel)
    if cancel.is_set():
        raise E.JobCanceledError("Canceled while baking.")
    try:
        result = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        result = {}
    if not isinstance(result, dict):
        result = {}
    if result.get("error"):
        raise E.BakeFailedError(str(result["error"]))
    maps = result.get("maps") if isinstance(result.get("maps"), dict) else {}
    paths = {f"{BAKED_PREFIX}{channel}": out_dir / Path(str(name)).name for channel, name in maps.items()}
    if isinstance(result.get("model"), str):  # the returned mesh as the bake unwrapped it (a remesh)
        paths[MODEL_WITH_UVS] = out_dir / Path(result["model"]).name
    if not finished or not paths or not all(path.is_file() for path in paths.values()):
        raise E.BakeFailedError("The bake stopped before it was done (Blender ran out of time or memory). "
                                "Import as New Object brings the returned model in.")
    return {key: str(path) for key, path in paths.items()}


def needs_bake(kind: str, delivery: Delivery | None) -> bool:
    """Whether a finished job is baked before it is ready: a retexture delivered by baking, or a remesh that comes
    in as a new version of the artist's object, whatever made it (a batch's remesh is the service's mesh as it came)."""
    return delivery is Delivery.BAKE_ONTO_TARGET or (delivery is Delivery.NEW_VERSION and kind != "UV_UNWRAP")


def bake_job(*, script: Path, blender_binary: str, kind: str, inputs: dict[str, str], model: Path, out_dir: Path,
             cancel: threading.Event) -> dict[str, str]:
    """A job's bake. A retexture bakes the returned ``model`` onto the object written at submit; a remesh (its inputs
    hold ``bake_source``) bakes the other way round: the object's look (``bake_source``, written at submit with its materials) onto the returned
    mesh, which the child unwraps and writes back as ``MODEL_WITH_UVS`` (the mesh the baked maps fit)."""
    if inputs.get("bake_source"):  # a remesh (Meshy's, or a catalog remesh model)
        inputs, model = {**inputs, "bake_target": str(model), "bake_uv_map": ""}, Path(inputs["bake_source"])
    return bake_onto_target(script=script, blender_binary=blender_binary, inputs=inputs, model=model,
                            out_dir=out_dir, cancel=cancel)
