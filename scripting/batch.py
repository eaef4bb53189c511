"""Batch runs for pipelines: a folder of images to models, or meshes to retextured meshes, unattended and resumable.

Callable from Python (``generate_folder``, ``retexture_folder``) and from the command line
(cli.py: ``blender -c meshsmith generate ...``). Each run keeps a manifest in its output folder
(``meshsmith_batch.jsonl``): which input became which job, a line appended per change. Run the same command again after an
interruption and it carries on: finished items are kept, jobs still running on the service are
re-attached from the journal, and only inputs that were never sent are sent. Nothing is sent twice.
At the end, ``report.json`` lists every item with its job id, seed, cost, output and any error.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path

import bpy

from ..host import delivery, preferences, runtime
from ..jobs.records import Delivery, JobKind, JobRecord, JobState  # batch.py itself is imported on first use
from ..jobs.store import JobQuery
from ..net import errors as E
from ..net.files import write_bytes_atomic
from ..providers import registry
from .manifest import Batch, Item

REPORT = "report.json"
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp"}
MESH_SUFFIXES = {".glb"}
_FINAL = {JobState.IMPORTED, JobState.FAILED, JobState.CANCELED, JobState.UNKNOWN}


def _inputs(folder_or_files: Path | list[Path], suffixes: set[str], kind: str) -> list[Path]:
    """The batch's input files; ``InvalidInputError`` when there are none (a batch of nothing is a mistake)."""
    # absolute(), not resolve(): a link that loops or leads nowhere is still an item (which fails on its own, with a
    # message), never an exception that stops the whole batch before anything is sent.
    if isinstance(folder_or_files, list):
        found = [Path(p).absolute() for p in folder_or_files]
        where = "the files given"
    else:
        folder = Path(folder_or_files)
        if not folder.is_dir():
            raise E.InvalidInputError(f"'{folder}' is not a folder.")
        found = sorted(p.absolute() for p in folder.iterdir() if p.suffix.lower() in suffixes)
        where = f"'{folder}'"
    if not found:
        raise E.InvalidInputError(f"No {kind} ({', '.join(sorted(s.lstrip('.') for s in suffixes))}) in {where}: "
                                  "nothing to do.")
    return found


def _prepare(out_dir: Path, command: str, provider: str, output_format: str, pairs: list[tuple[Path, str]]) -> Batch:
    out_dir.mkdir(parents=True, exist_ok=True)
    batch = Batch.load(out_dir)
    if batch is None or batch.command != command:
        batch = Batch(command, provider, output_format)
    known = {(item.input, item.prompt) for item in batch.items}
    batch.items += [Item(input=str(path), prompt=prompt) for path, prompt in pairs if (str(path), prompt) not in known]
    batch.save(out_dir)
    return batch


def generate_folder(images: Path | list[Path], out_dir: Path, *, provider: str = "", prompt: str = "",
                    concurrency: int = 3, output_format: str = "glb", timeout_s: float = 3600.0,
                    on_progress: Callable[[str], None] | None = None, model: str = "", inputs: str = "") -> dict:
    """Generate a model for every image; write ``<image stem>.glb`` or ``.blend`` and a report. Resumable.

    ``provider``: a generating provider's id; empty, the registry's first (Segmind). ``model`` and ``inputs``
    (JSON): a catalog model and its inputs, as the generate operator takes them."""
    provider = provider or registry.generators()[0].id
    pairs = [(path, prompt) for path in _inputs(images, IMAGE_SUFFIXES, "images")]
    check_model(provider, model)
    batch = _prepare(Path(out_dir), "generate", provider, output_format, pairs)

    def build(context, item: Item) -> JobRecord:
        from ..operators.inputs import build_generate_job

        return build_generate_job(context, provider, item.input, item.prompt, model, inputs)

    return _run(batch, Path(out_dir), build, concurrency, timeout_s, on_progress)


def retexture_folder(meshes: Path | list[Path], out_dir: Path, *, prompts: list[str], provider: str = "",
                     concurrency: int = 3, output_format: str = "glb", timeout_s: float = 3600.0,
                     on_progress: Callable[[str], None] | None = None, model: str = "", inputs: str = "") -> dict:
    """Retexture every GLB with every style prompt; write the textured results and a report. Resumable.

    ``provider``: a retexturing provider's id; empty, the registry's first (Meshy). ``model`` and ``inputs``:
    a catalog model and its inputs (the style prompt goes to the model's prompt input)."""
    provider = provider or registry.retexturers()[0].id
    if not prompts:
        raise E.InvalidInputError("Give at least one style prompt.")
    pairs = [(path, text) for path in _inputs(meshes, MESH_SUFFIXES, "meshes") for text in prompts]
    check_model(provider, model)
    batch = _prepare(Path(out_dir), "retexture", provider, output_format, pairs)

    def build(context, item: Item) -> JobRecord:
        import uuid

        from ..operators.inputs import check_writable, generation_params

        params = generation_params(context, provider, "RETEXTURE", model, inputs)
        job_inputs = {"mesh_path": item.input, "style_prompt": item.prompt}
        if registry.info(provider).catalog:
            job_inputs = {"mesh_path": item.input, "prompt": item.prompt}
        registry.client_class(provider).check_inputs(params, job_inputs)  # a route that needs more says so
        job_id = uuid.uuid4().hex
        job_dir = runtime.results_dir(context) / job_id
        check_writable(job_dir.parent)
        return JobRecord(id=job_id, provider=provider, kind=JobKind.RETEXTURE, label=f"{Path(item.input).stem}: {item.prompt[:40]}",
                         params=params, inputs=job_inputs,
                         output_dir=str(job_dir), render_preview=preferences.get(context).render_previews,
                         delivery=Delivery.NEW_OBJECT)  # a file from disk, not an object in the scene

    return _run(batch, Path(out_dir), build, concurrency, timeout_s, on_progress)


TOOL_SUFFIXES = {"REMESH": "remeshed", "UV_UNWRAP": "unwrapped"}


def tool_folder(meshes: Path | list[Path], out_dir: Path, *, tool: str, provider: str = "", params: dict | None = None,
                concurrency: int = 3, output_format: str = "glb", timeout_s: float = 3600.0,
                on_progress: Callable[[str], None] | None = None) -> dict:
    """Run an asset tool (``REMESH`` with ``{"topology", "target_polycount"}``, or ``UV_UNWRAP``) on every GLB; write
    ``<mesh>_remeshed.glb`` / ``<mesh>_unwrapped.glb`` (the service's mesh as it came) and a report. Resumable."""
    choices = registry.with_asset_tool(tool)
    if not choices:
        raise E.InvalidInputError("No service offers this tool.")
    provider = provider or choices[0].id
    params = {"tool": tool, **(params or {})}
    registry.client_class(provider).validate_params(params)  # refused before anything is sent
    pairs = [(path, "") for path in _inputs(meshes, MESH_SUFFIXES, "meshes")]
    batch = _prepare(Path(out_dir), TOOL_SUFFIXES[tool], provider, output_format, pairs)

    def build(context, item: Item) -> JobRecord:
        import uuid

        from ..operators.inputs import check_writable

        job_id = uuid.uuid4().hex
        job_dir = runtime.results_dir(context) / job_id
        check_writable(job_dir.parent)
        return JobRecord(id=job_id, provider=provider, kind=JobKind(tool), params=params,
                         label=f"{Path(item.input).stem}: {TOOL_SUFFIXES[tool]}", inputs={"mesh_path": item.input},
                         output_dir=str(job_dir), render_preview=preferences.get(context).render_previews,
                         delivery=Delivery.NEW_OBJECT)  # a file from disk: the service's mesh as it came

    return _run(batch, Path(out_dir), build, concurrency, timeout_s, on_progress)


def _output_name(item: Item, index: int, batch: Batch) -> str:
    """The file name of an item's result: the input's name, and for a retexture batch of several styles, the style's
    (``crate_rusty_steel``); two styles that read alike get their place in the list too."""
    stem = Path(item.input).stem
    if batch.command in TOOL_SUFFIXES.values():
        return f"{stem}_{batch.command}"
    styles = list(dict.fromkeys(i.prompt for i in batch.items))
    if batch.command != "retexture" or len(styles) < 2:
        return stem
    slugs = [_slug(style) for style in styles]
    slug = _slug(item.prompt)
    return f"{stem}_{slug}" if slugs.count(slug) == 1 else f"{stem}_{slug}_{styles.index(item.prompt) + 1}"


def _slug(text: str) -> str:
    """A style as a file-name part: lower case letters and digits, words joined by ``_`` (at most 40 characters)."""
    words = "".join(c.lower() if c.isalnum() and c.isascii() else " " for c in text).split()
    return "_".join(words)[:40].rstrip("_") or "style"


def _write_output(record: JobRecord, item: Item, out_dir: Path, name: str, output_format: str) -> str:
    model = record.result_paths.get("MODEL")
    if not model:
        raise E.ImportFailedError("The job finished without a model file.")
    if output_format == "glb":
        target = out_dir / f"{name}.glb"
        shutil.copyfile(model, target)
        for role, path in record.result_paths.items():  # separate maps travel beside the model
            if role not in ("MODEL", "PREVIEW"):
                shutil.copyfile(path, out_dir / f"{name}_{role.lower()}{Path(path).suffix}")
        return str(target)
    return str(_write_blend(record, Path(model), out_dir / f"{name}.blend", name))


_ITEM_DATA = ("objects", "meshes", "materials", "images", "node_groups", "scenes")
"""The kinds of data one batch item's import makes: removed again once its file is written."""


def _write_blend(record: JobRecord, model: Path, target: Path, name: str) -> Path:
    """A .blend that opens on the model: a scene named ``name`` holding the imported object (named ``name``), its
    textures packed inside. The session is left as it was, so the next item's names carry no ``.001``."""
    from ..mesh_io.importer import import_glb
    from ..mesh_io.materials import assign_material, build_material_from_maps

    before = {kind: set(getattr(bpy.data, kind)) for kind in _ITEM_DATA}
    try:
        objects = import_glb(model, name=name, tags={"provider": record.provider, "job_id": record.id,
                                                     "remote_id": record.remote_id,
                                                     **{k: v for k, v in record.params.items() if k != "api_mode"}})
        maps = delivery.separate_maps(record.result_paths)
        if maps:
            assign_material(objects[0], build_material_from_maps(f"{name} PBR", maps))
        for image in {node.image for slot in objects[0].material_slots if slot.material and slot.material.node_tree
                      for node in slot.material.node_tree.nodes if node.type == "TEX_IMAGE" and node.image}:
            if image.packed_file is None:
                image.pack()
        # Written as objects alone, the file would open as a library with an empty scene: write a scene that
        # holds them, and Blender opens on it.
        scene = bpy.data.scenes.new(name)
        for obj in objects:
            scene.collection.objects.link(obj)
        bpy.data.libraries.write(str(target), {scene}, compress=True)
    finally:
        for kind in _ITEM_DATA:
            collection = getattr(bpy.data, kind)
            made = [item for item in collection if item not in before[kind]]
            if made:
                bpy.data.batch_remove(made)
    return target


def _run(batch: Batch, out_dir: Path, build, concurrency: int, timeout_s: float, on_progress) -> dict:
    context = bpy.context
    engine = runtime.engine()
    say = on_progress or (lambda text: print(text, flush=True))
    runtime.resume_jobs()  # jobs of an interrupted run carry on; nothing is resent
    deadline = time.monotonic() + timeout_s
    while True:
        active = 0
        for index, item in enumerate(batch.items):
            if item.state in ("DONE", "FAILED"):
                continue
            record = engine.get(item.job_id) if item.job_id else None
            never_sent = record is not None and record.state is JobState.CANCELED and record.submitted_at is None \
                and not record.remote_id  # closed at a restart before its creating request left: nothing charged
            if record is None or never_sent:
                if item.job_id and item.state == "SUBMITTED":  # as an earlier run noted it: the machine went down
                    item.job_id, item.state = "", "NEW"  # never sent: it is sent now, once
                    batch.note(out_dir, item)
                continue
            item.state, item.seed, item.cost, item.remote_id = record.state.value, record.seed, record.cost, record.remote_id
            if record.state is JobState.READY:
                try:
                    item.output = _write_output(record, item, out_dir, _output_name(item, index, batch), batch.output_format)
                    engine.mark_imported(record.id, [Path(item.output).name])
                    item.state = "DONE"
                    if record.submitted_at:
                        item.seconds = round(record.updated_at - record.submitted_at, 2)
                except E.MeshsmithError as exc:
                    item.state, item.error = "FAILED", str(exc)
                batch.note(out_dir, item)  # on disk before it is announced
                say(f"done   {Path(item.input).name} -> {Path(item.output).name}" if item.state == "DONE"
                    else f"failed {Path(item.input).name}: {item.error}")
            elif record.state in _FINAL and (record.state is not JobState.UNKNOWN or record.finished_at):
                # An UNKNOWN job is still being looked for until the engine gives up (finished_at): it may
                # yet be found on the service and finish.
                item.state, item.error = "FAILED", record.error or record.message
                batch.note(out_dir, item)
                say(f"failed {Path(item.input).name}: {item.error}")
            else:
                active += 1
        for item in batch.items:
            if active >= concurrency:
                break
            if item.job_id or item.state != "NEW":
                continue
            try:
                record = build(context, item).evolve(auto_import=False)
                provider = runtime.make_provider(batch.provider, context)
                item.job_id, item.state = record.id, "SUBMITTED"
                batch.note(out_dir, item)  # the job id is on disk before the job is made: a rerun finds it, never resends
                engine.submit(record, provider)
            except E.MeshsmithError as exc:
                item.job_id, item.state, item.error = "", "FAILED", str(exc)
                batch.note(out_dir, item)
                say(f"failed {Path(item.input).name}: {exc}")
            else:
                active += 1
                say(f"sent   {Path(item.input).name}")
        if all(item.state in ("DONE", "FAILED") for item in batch.items):
            break
        if time.monotonic() > deadline:
            say("Stopped waiting (timeout); run the same command again to carry on.")
            break
        engine.wait_for_updates(0.2)
        runtime.apply_side_results()
        engine.drain()
    report = {
        "command": batch.command, "provider": batch.provider, "output_format": batch.output_format,
        "total": len(batch.items), "done": sum(i.state == "DONE" for i in batch.items),
        "failed": sum(i.state == "FAILED" for i in batch.items),
        "pending": sum(i.state not in ("DONE", "FAILED") for i in batch.items),
        "items": [asdict(item) for item in batch.items],
    }
    write_bytes_atomic(out_dir / REPORT, json.dumps(report, indent=2).encode("utf-8"))
    return report


def check_model(provider: str, model: str) -> None:
    """A catalog model named for a batch is asked for once, before any item is sent: an id the service does not
    know refuses the whole batch, with advice that works on the command line."""
    if not model.strip() or not registry.info(provider).catalog:
        return
    client = runtime.make_provider(provider)
    try:
        client.model_details(model.strip())
    except E.UnknownModelError:
        raise E.UnknownModelError(
            f"{registry.info(provider).label} has no model '{model.strip()[:80]}'. List the models you can use with: "
            f"blender -c meshsmith models --provider {provider} (add --search WORDS to narrow the list).") from None


def list_models(provider: str, search: str = "") -> list[dict]:
    """The models a provider's catalog offers an artist (retired ones left out), featured first: id, name and
    what each does. ``search``: words that must all appear in the id or the name."""
    if not registry.info(provider).catalog:
        raise E.InvalidInputError(f"{registry.info(provider).label} has no model catalog.")
    words = search.lower().split()
    rows = []
    for model in runtime.make_provider(provider).fetch_catalog().visible():
        text = f"{model.id} {model.name}".lower()
        if all(word in text for word in words):
            rows.append({"id": model.id, "name": model.title, "tasks": sorted(model.tasks)})
    return rows


def list_jobs(query: JobQuery | None = None) -> Iterator[dict]:
    """The jobs ``query`` finds (default: every job, dismissed ones included), newest first, as plain data, one at a
    time: a store of 100,000 jobs is never in memory at once."""
    query = query or JobQuery(include_dismissed=True, limit=-1)
    store = runtime.engine().store
    records = store.each(query) if store is not None else iter(runtime.engine().find(query)[0])
    for record in records:
        yield record.model_dump(mode="json", exclude={"params", "inputs"})
