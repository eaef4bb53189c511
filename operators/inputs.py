"""Turn what the artist chose in the sidebar into a job record, on the main thread, before any credit is spent.

Every check that can be made locally is made here: the key, online access, the parameters, the
image file (exists, not empty, a real image by its bytes, not too large), the output folder. A job
that reaches the engine has nothing left to refuse but what only the service can judge.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import TYPE_CHECKING

import bpy

from ..host import preferences, runtime
from ..jobs.states import Delivery, JobKind
from ..net import errors as E
from ..net.files import check_image_bytes

if TYPE_CHECKING:  # pydantic loads with the first job, not at register()
    from ..jobs.records import JobRecord

MAX_PROMPT_CHARS = 1024


def resolve_image(context: bpy.types.Context, image_path: str, job_dir: Path) -> str:
    """An absolute path to a checked image file: the given path, else the scene's image datablock, else its path."""
    settings = context.scene.meshsmith
    if not image_path and settings.image is not None:
        image_path = _image_datablock_to_file(settings.image, job_dir)
    image_path = image_path or settings.image_path
    if not image_path:
        raise E.InvalidInputError("Choose a reference image first (a file, or an image already in Blender).")
    path = Path(bpy.path.abspath(image_path))
    check_image_file(path)
    return str(path)


# Originals may be large photos (they are shrunk to the model's input size in the worker); past this
# size a file is not a reference image anyone meant to send.
MAX_SOURCE_IMAGE_BYTES = 200 * 1024 * 1024


def check_image_file(path: Path, max_bytes: int = MAX_SOURCE_IMAGE_BYTES) -> None:
    """Refuse a missing, empty, oversized or non-image file by looking at its first bytes only."""
    try:
        info = path.stat()
    except OSError as exc:
        if path.is_symlink():  # the link itself is there: it loops or leads nowhere
            raise E.InvalidInputError(f"The image file '{path}' is a link that cannot be read (it loops, or what it "
                                      f"points to is gone: {exc.strerror}).") from None
        raise E.InvalidInputError(f"The image file '{path}' does not exist.") from None
    if stat.S_ISDIR(info.st_mode):
        raise E.InvalidInputError(f"'{path}' is a folder, not an image file.")
    if not stat.S_ISREG(info.st_mode):  # a FIFO or a device would block the read below, or never end
        raise E.InvalidInputError(f"'{path}' is not a regular file (a pipe or a device); choose an image file.")
    size = info.st_size
    if size == 0:
        raise E.InvalidInputError(f"The image file '{path.name}' is empty.")
    if size > max_bytes:
        raise E.InvalidInputError(f"The image file '{path.name}' is {size >> 20} MB; the limit is {max_bytes >> 20} MB.")
    with path.open("rb") as handle:
        head = handle.read(16)
        handle.seek(max(0, size - 16))
        tail = handle.read(16)
    try:
        check_image_bytes(head, tail, path.name)
    except E.BadDownloadError as exc:
        raise E.InvalidInputError(f"{exc} Choose another image or save it again.") from None


def _image_datablock_to_file(image: bpy.types.Image, job_dir: Path) -> str:
    """The file behind an image datablock, or a PNG copy of its pixels when it has none on disk."""
    if image.source == "FILE" and not image.packed_file and not image.is_dirty:
        path = Path(bpy.path.abspath(image.filepath))
        if path.is_file():
            return str(path)
    if not image.has_data and image.source == "FILE" and not image.packed_file:
        raise E.InvalidInputError(f"The image '{image.name}' has no pixels (its file is missing). Open the file again.")
    if image.size[0] == 0 or image.size[1] == 0:
        raise E.InvalidInputError(f"The image '{image.name}' has no pixels.")
    job_dir.mkdir(parents=True, exist_ok=True)
    target = job_dir / "input.png"
    scene = bpy.context.scene
    settings = scene.render.image_settings
    previous = settings.file_format, settings.color_mode
    settings.file_format, settings.color_mode = "PNG", "RGBA"
    try:
        image.save_render(str(target), scene=scene)
    finally:
        settings.file_format, settings.color_mode = previous
    return str(target)


def check_service_ready(context: bpy.types.Context, provider_id: str) -> None:
    """Raise what keeps jobs from this service now, as the sidebar says it: online access off (``OfflineError``),
    or no key and no sandbox (``MissingKeyError``)."""
    from ..providers import registry

    runtime.check_online(provider_id, context)
    if not preferences.get(context).use_sandbox and not preferences.has_key(provider_id, context):
        info = registry.info(provider_id)
        raise E.MissingKeyError(info.missing_key or f"{info.label} has no key.")


def check_writable(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        import uuid  # loaded when a job is made, not while the add-on registers

        probe = folder / f".write-test-{uuid.uuid4().hex[:6]}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError:
        raise E.InvalidInputError(
            f"Cannot write to the results folder '{folder}'. Choose another in Meshsmith's preferences."
        ) from None


def generation_params(context: bpy.types.Context, provider_name: str, route: str = "GENERATE", model: str = "",
                      inputs_json: str = "") -> dict:
    """The scene's parameters for a provider, checked by the provider's own model. For a provider with a model
    catalog, ``model`` and ``inputs_json`` (a script's) choose the model and its inputs (``catalog_jobs``)."""
    from ..providers import registry

    if not registry.known(provider_name):
        raise E.InvalidInputError(f"Unknown provider '{provider_name}'.")
    if registry.info(provider_name).catalog:
        from ..host.catalog import jobs as catalog_jobs

        return catalog_jobs.params_for(context, provider_name, route, model, inputs_json)
    if model.strip():
        raise E.InvalidInputError(f"{registry.info(provider_name).label} has no model catalog: leave model empty.")
    from ..providers.checks import checked_params

    params = context.scene.meshsmith.provider_settings(provider_name).as_params()
    if inputs_json.strip():  # a script's or an agent's values, over the sidebar's, for this job only
        params.update(_known_inputs(provider_name, inputs_json, set(params)))
    return checked_params(params, provider_name)


def _known_inputs(provider_name: str, inputs_json: str, names: set[str]) -> dict:
    """``inputs_json`` as a dict of the provider's settings; ``InvalidInputError`` naming what it does not know."""
    from ..providers import registry

    try:
        inputs = json.loads(inputs_json)
    except ValueError:
        raise E.InvalidInputError("The inputs are not valid JSON.") from None
    if not isinstance(inputs, dict):
        raise E.InvalidInputError("The inputs must be a JSON object of setting names and values.")
    unknown = sorted(set(inputs) - names)
    if unknown:
        raise E.InvalidInputError(f"{registry.info(provider_name).label} has no setting {', '.join(map(repr, unknown))}; "
                                  f"its settings: {', '.join(sorted(names))}.")
    return inputs


def generate_inputs(context: bpy.types.Context, provider_name: str, image_path: str, prompt: str, model: str,
                    job_dir: Path) -> dict[str, str]:
    """The generate route's checked inputs: the prompt (when the model takes one) and the reference image(s)
    (``image_path`` may list several files separated by ``;``, front view first)."""
    from ..providers.registry import info

    provider = info(provider_name)
    accepts_prompt = provider.takes_prompt
    accepts_image = True
    if provider.catalog:
        from ..host.catalog import jobs as catalog_jobs

        accepts_prompt = catalog_jobs.takes_prompt(context, provider_name, model)
        accepts_image = catalog_jobs.takes_image(context, provider_name, model)
    prompt = prompt.strip()  # a prompt of spaces is no prompt: it is never sent (or billed)
    if not accepts_prompt:
        if prompt:
            raise E.InvalidInputError(f"{provider.label}'s model takes no prompt; leave it empty.")
        prompt = ""  # the sidebar's prompt belongs to another service
    prompt = prompt or (context.scene.meshsmith.prompt.strip() if accepts_prompt else "")
    if len(prompt) > MAX_PROMPT_CHARS:
        raise E.InvalidInputError(f"The prompt is {len(prompt)} characters; the limit is {MAX_PROMPT_CHARS}.")
    inputs: dict[str, str] = {"work_dir": str(job_dir), "blender_binary": bpy.app.binary_path}
    if prompt:
        inputs["prompt"] = prompt
    parts = [part.strip() for part in image_path.split(";") if part.strip()] if ";" in image_path else [image_path]
    sidebar_image = context.scene.meshsmith.image is not None or context.scene.meshsmith.image_path
    # A catalog model that may take a prompt says what it needs (an image, a prompt, or either, as Rodin) in its own
    # words: with no image given, none is demanded here; its schema's check names what is missing before anything
    # is sent. A model without a prompt input needs an image, whatever else it takes.
    if accepts_image and (not provider.catalog or any(parts) or sidebar_image or not accepts_prompt):
        inputs["image_path"] = ";".join(resolve_image(context, part, job_dir) for part in parts)
        if provider.catalog and not any(parts):
            inputs["image_from_sidebar"] = "1"  # dropped if the model turns out to take no image
    return inputs


def build_generate_job(context: bpy.types.Context, provider_name: str, image_path: str, prompt: str,
                       model: str = "", inputs_json: str = "") -> JobRecord:
    """A checked job record for the generate operator. Raises ``MeshsmithError`` with what to fix."""
    from ..jobs.records import JobRecord
    from ..mesh_io.importer import object_name_for
    from ..providers.registry import info

    params = generation_params(context, provider_name, "GENERATE", model, inputs_json)
    import uuid

    job_id = uuid.uuid4().hex
    job_dir = runtime.results_dir(context) / job_id
    check_writable(job_dir.parent)
    inputs = generate_inputs(context, provider_name, image_path, prompt, model, job_dir)
    if info(provider_name).catalog and "model" in params:
        from ..host.catalog import jobs as catalog_jobs

        catalog_jobs.check_known(params, inputs)
    first_image = inputs.get("image_path", "").split(";")[0]
    label = object_name_for(inputs.get("prompt", ""), first_image)
    return JobRecord(id=job_id, provider=provider_name, kind=JobKind.GENERATE, label=label, params=params,
                     delivery=Delivery.NEW_OBJECT, inputs=inputs,
                     output_dir=str(job_dir), seed=params.get("seed") if params.get("seed", -1) != -1 else None,
                     render_preview=preferences.get(context).render_previews)
