"""Deliver a finished job into the scene (main thread): check its files, put them where the job says, one undo step.

Before Blender's importer sees anything, every file of the job must be a regular file inside the job's
own folder, and the model must reference nothing outside it (``providers.gltf_guard``): a result
written by a hostile server can read no other file on the artist's machine. A job is imported only by
the session that runs it, and never twice into one file (objects already carrying its id count as its
import). A retexture result lands only on the object it was made for, in the file it was made in
(recorded at submit as a custom property on the object and the file's path); when that object is not
here, the result waits and can be imported as a new object instead.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import bpy

from ..jobs.states import Delivery, JobKind, JobState
from ..net import errors as E
from . import connections, preferences
from .state import log

if TYPE_CHECKING:
    from ..jobs.engine import JobEngine
    from ..jobs.records import JobRecord

TARGET_ID_PROP = "meshsmith_uid"
"""Custom property written on an object sent for retexturing: the stable id its result is matched by."""
JOB_ID_PROP = "meshsmith_job_id"
RETEXTURE_JOB_ID_PROP = "meshsmith_retexture_job_id"


def deliver(engine: JobEngine, job_id: str, context: bpy.types.Context, *, again: bool = False,
            as_new_object: bool = False, on_change: Callable[[JobRecord | None], None] = lambda _record: None) -> list[str]:
    """Import a READY job's result (``again``: an IMPORTED one, once more) and return the new object names.

    ``as_new_object``: a retexture result comes in as an object of its own instead of onto its target.
    A failure that the artist can act on is recorded on the job (READY, with the error) and ``[]`` returned;
    a job that another Blender session runs raises ``ImportFailedError``.
    """
    record = engine.get(job_id)
    allowed = (JobState.READY, JobState.IMPORTED) if again else (JobState.READY,)
    if record is None or record.state not in allowed:
        return []
    if not engine.owns(job_id):
        raise E.ImportFailedError("This job is running in another Blender session; it is imported there.")
    record = engine.get(job_id)  # taking the job over re-reads it: another session may have imported it
    if record is None or record.state not in allowed:
        return []
    if not again:
        present = _already_here(record)
        if present:
            engine.mark_imported(job_id, present)
            on_change(engine.get(job_id))
            return present
    if again and delivery_of(record) is Delivery.BAKE_ONTO_TARGET:
        as_new_object = True  # the bake is on the object already; Import Again brings in the returned mesh itself
    try:
        objects, onto_original = _place(record, context, as_new_object=as_new_object)
    except E.MeshsmithError as exc:
        engine.mark_import_failed(job_id, exc)
        on_change(engine.get(job_id))
        return []
    if not onto_original:
        _apply_preset(record, objects[0], context)
    names = [obj.name for obj in objects]
    engine.mark_imported(job_id, names)
    on_change(engine.get(job_id))
    push_undo(f"Meshsmith: {'retexture' if onto_original else 'import'} {names[0]}")
    return names


def _place(record: JobRecord, context: bpy.types.Context, *,
           as_new_object: bool) -> tuple[list[bpy.types.Object], bool]:
    """Check the job's files, then bring them in as the job's delivery says: (the objects, whether the maps went
    onto the artist's own object). Raises ``MeshsmithError``."""
    from ..mesh_io.importer import import_glb, object_name_for

    files = checked_files(record)
    model = files.get("MODEL")
    maps = separate_maps({role: str(path) for role, path in files.items()})
    tags = _tags(record)
    how = delivery_of(record)
    if how is Delivery.NEW_VERSION and not as_new_object:
        version = _new_version(record, find_target(record), files, tags)
        if TARGET_ID_PROP in version.keys():  # a copy's id is the original's: the version gets its own when used
            del version[TARGET_ID_PROP]
        return [version], True
    if how is not Delivery.NEW_OBJECT and not as_new_object:
        from ..mesh_io.retexture import apply_maps_to_object, import_beside

        target = find_target(record)
        if how is Delivery.BAKE_ONTO_TARGET:
            baked = baked_maps(files)
            if not baked:
                raise E.BakeFailedError(record.error or "The result was not baked onto the object yet. Use Import as "
                                        "New Object to bring the returned model in.")
            apply_maps_to_object(target, baked, name=f"{target.name} {record.provider.title()}", tags=tags,
                                 uv_map=record.inputs.get("bake_uv_map", ""))
            return [target], True
        if how is Delivery.MAPS_ONTO_TARGET and maps:  # on the UV map the job was sent with (a bake's, if made)
            apply_maps_to_object(target, maps, name=f"{target.name} {record.provider.title()}", tags=tags,
                                 uv_map=record.inputs.get("bake_uv_map", ""))
            return [target], True
        return import_beside(target, _require_model(model), name=f"{target.name} retextured", tags=tags), False
    if record.kind is JobKind.RETEXTURE:
        name = f"{record.target_object or 'Mesh'} retextured"
    else:
        name = record.label or object_name_for(record.inputs.get("prompt", ""), record.inputs.get("image_path", ""))
    objects = import_glb(_require_model(model), name=name, tags=tags, context=context)
    if maps and record.kind is JobKind.GENERATE:
        from ..mesh_io.materials import assign_material, build_material_from_maps

        assign_material(objects[0], build_material_from_maps(f"{name} PBR", maps))
    return objects, False


def _new_version(record: JobRecord, target: bpy.types.Object, files: dict[str, Path],
                 tags: dict[str, Any]) -> bpy.types.Object:
    """An asset tool's result as the newest version of the object it was made for (the original hidden)."""
    from ..jobs.baking import MODEL_WITH_UVS
    from ..mesh_io.asset_tools import add_remeshed_version, add_unwrapped_version

    if record.kind is not JobKind.UV_UNWRAP:  # Meshy's Remesh, or a catalog remesh model
        baked = baked_maps(files)
        if not baked or MODEL_WITH_UVS not in files:
            raise E.BakeFailedError(record.error or "The object's look was not baked onto the remeshed mesh. Use "
                                    "Import as New Object to bring the remeshed mesh in as it came.")
        topology, count = str(record.params.get("topology", "")), record.params.get("target_polycount")
        label = (f"Remeshed: {int(count):,} {topology}s" if isinstance(count, int) and topology
                 else f"Remeshed ({str(record.params.get('model', record.provider))[:40]})")
        return add_remeshed_version(target, files[MODEL_WITH_UVS], baked, name=f"{target.name} remeshed",
                                    label=label, tags=tags)
    return add_unwrapped_version(target, _require_model(files.get("MODEL")), name=f"{target.name} unwrapped",
                                 label="UV unwrapped", tags=tags)


def _apply_preset(record: JobRecord, obj: bpy.types.Object, context: bpy.types.Context) -> None:
    """The artist's post-import preset, on a result that came in as an object of its own."""
    preset = preferences.get(context).post_import_preset
    if preset == "NONE":
        return
    from ..mesh_io.tweaks import apply_preset

    try:
        apply_preset(obj, preset, context.scene.cursor.location.copy(), model_preview(record))
    except E.MeshsmithError as exc:
        log().warning("post-import preset %s: %s", preset, exc)


def delivery_of(record: JobRecord) -> Delivery:
    """How the job's result comes in: as recorded when it was made (older jobs: from their kind and parameters)."""
    if record.delivery is not None:
        return record.delivery
    if record.kind is JobKind.RETEXTURE and record.target_object:
        return Delivery.MAPS_ONTO_TARGET if record.params.get("enable_original_uv", True) else Delivery.BESIDE_TARGET
    return Delivery.NEW_OBJECT


def checked_files(record: JobRecord) -> dict[str, Path]:
    """The job's result files by role, each a regular file inside the job's folder; the model checked for what it references.

    Raises ``RefusedAnswerError`` (a file outside the folder, a link, a model pointing elsewhere) or
    ``ImportFailedError`` (a file deleted since).
    """
    from ..net.gltf_guard import check_model_file

    folder = Path(record.output_dir).resolve()
    # The job's folder is judged by Meshsmith's own results folders, never by the journal (which a hand or a program
    # may have edited): it must be a folder of its own directly in the configured results folder or the default one.
    roots = {connections.results_dir().resolve(), (connections.user_dir() / "results").resolve()}
    legacy = connections.legacy_user_dir()
    if legacy is not None:
        roots.add((legacy / "results").resolve())  # 0.1's results, while that folder exists
    if folder.parent not in roots:
        raise E.RefusedAnswerError("This job's files are not in Meshsmith's results folder (its record names "
                                   f"'{str(folder)[:120]}'); nothing was imported.")
    files: dict[str, Path] = {}
    for role, value in record.result_paths.items():
        path = Path(value)
        if path.is_symlink() or path.resolve().parent != folder:
            raise E.RefusedAnswerError(f"The result file '{path.name}' is not inside the job's own folder; nothing was imported.")
        if not path.is_file():
            if role in ("PREVIEW",) or role.startswith("preview"):
                continue
            raise E.ImportFailedError(f"The downloaded file '{path.name}' is missing; it may have been deleted.")
        files[role] = path
    model = files.get("MODEL")
    if model is not None:
        sidecars = frozenset(path.name for role, path in files.items() if role != "MODEL")
        check_model_file(model, service=record.provider.title(), sidecars=sidecars)
    return files


def _require_model(model: Path | None) -> Path:
    if model is None:
        raise E.ImportFailedError("The downloaded model file is missing; it may have been deleted.")
    return model


def _tags(record: JobRecord) -> dict[str, Any]:
    tags: dict[str, Any] = {"provider": record.provider, "job_id": record.id, "remote_id": record.remote_id,
                            "prompt": record.inputs.get("prompt") or record.inputs.get("style_prompt", "")}
    if record.cost is not None:
        tags["cost"] = record.cost
    tags.update({key: value for key, value in record.params.items() if key != "api_mode"})
    if record.seed is not None:
        tags["seed"] = record.seed  # the seed actually used (a random one, chosen when the job was sent)
    if "seed" in tags:  # always text: seeds reach 2**32 - 1, past Blender's 32-bit integer properties
        tags["seed"] = str(tags["seed"])
    return tags


def _already_here(record: JobRecord) -> list[str]:
    """Objects of this file that already carry this job's result (an import whose record was not written)."""
    props = (RETEXTURE_JOB_ID_PROP, JOB_ID_PROP) if record.kind is JobKind.RETEXTURE else (JOB_ID_PROP,)
    return [obj.name for obj in bpy.data.objects if any(obj.get(prop) == record.id for prop in props)]


def find_target(record: JobRecord) -> bpy.types.Object:
    """The object a retexture job was made for, in the file it was made in. Raises ``ImportFailedError`` saying why not."""
    name = record.target_object
    here = bpy.data.filepath
    if record.target_file and here and Path(here) != Path(record.target_file):
        raise E.ImportFailedError(
            f"The object '{name}' to texture is in {Path(record.target_file).name}, not in this file. Open that file, "
            "or use Import as New Object.")
    if record.target_uid:
        matches = [obj for obj in bpy.data.objects if obj.get(TARGET_ID_PROP) == record.target_uid]
        if len(matches) > 1:  # a copy (Shift+D) carries the id too: the one with the recorded name is the original
            matches = [obj for obj in matches if obj.name == name] or matches
    else:  # a job made before objects were given an id
        matches = [obj for obj in (bpy.data.objects.get(name),) if obj is not None]
    if not matches:
        raise E.ImportFailedError(
            f"The object '{name}' to texture is not in this file (deleted, or another file is open). "
            "Use Import as New Object to bring the result in.")
    if len(matches) > 1:
        raise E.ImportFailedError(
            f"Several objects are copies of '{name}', the object to texture; Meshsmith cannot tell which is meant. "
            "Use Import as New Object.")
    if matches[0].type != "MESH":
        raise E.ImportFailedError(f"The object '{name}' to texture is no longer a mesh. Use Import as New Object.")
    return matches[0]


def model_preview(record: JobRecord | None) -> Path | None:
    """A picture of a job's model (the service's preview or Meshsmith's render), if there is one yet."""
    from ..jobs.thumbnails import shows_the_model

    path = record.result_paths.get("PREVIEW", "") if record is not None else ""
    return Path(path) if shows_the_model(path) and Path(path).is_file() else None


def refresh_asset_previews(record: JobRecord) -> None:
    """A render that landed after the import becomes the preview of the imported objects marked as assets.

    Runs in the tick for every imported job's update, so it looks at the disk only when an asset
    actually lacks this picture.
    """
    from ..mesh_io.tweaks import ASSET_PREVIEW_PROP, set_asset_preview

    picture = record.result_paths.get("PREVIEW", "")
    stale = [obj for obj in map(bpy.data.objects.get, record.imported_objects)
             if obj is not None and obj.asset_data is not None and obj.get(ASSET_PREVIEW_PROP) != picture]
    if not stale:
        return
    preview = model_preview(record)
    if preview is None:
        return
    for obj in stale:
        set_asset_preview(obj, preview)


def baked_maps(files: dict[str, Path]) -> dict:
    """The maps baked onto the artist's object, by channel (``BAKED:<channel>`` result files)."""
    from ..jobs.baking import BAKED_PREFIX
    from ..providers.channels import Channel

    return {Channel(role[len(BAKED_PREFIX):]): path for role, path in files.items()
            if role.startswith(BAKED_PREFIX) and role[len(BAKED_PREFIX):] in Channel.__members__}


def separate_maps(result_paths: dict[str, str]) -> dict:
    """Texture maps a service delivered as separate files, by channel (the file name wins over the role)."""
    from ..providers.channels import resolve_channel

    maps = {}
    for role, path in result_paths.items():
        if role in ("MODEL", "PREVIEW") or role.startswith(("preview", "BAKED:")):
            continue
        channel = resolve_channel(role, Path(path).name)
        if channel is not None:
            maps[channel] = Path(path)
    return maps


def push_undo(message: str) -> None:
    """One undo step for a change made outside an operator's own undo handling (timer imports)."""
    try:
        bpy.ops.ed.undo_push(message=message)
    except RuntimeError:
        pass  # No undo stack (background mode).
