"""Thumbnails for jobs whose service sent no preview of its own.

Two steps. At once, in the worker, right after the download: the model's own base-colour texture,
taken out of the GLB (reads the JSON chunk and copies one image's bytes), so the history shows
something the moment the job is ready. Then, for jobs that ask for one (the "Render Previews"
preference): a small render of the result, made by ``PreviewRenderer`` in a separate background
Blender process, one job at a time, which replaces the texture when it lands. bpy-free; the main thread only ever loads a small file.
"""

from __future__ import annotations

import json
import logging
import queue
import struct
import threading
from collections.abc import Callable
from pathlib import Path

from ..net.files import write_bytes_atomic
from ..providers.blender_process import blender_command, run_blender

log = logging.getLogger("meshsmith")

PREVIEW_SIZE_PX = 256
"""Big enough for the history list and an asset library tile, small enough to render in a second or two."""
RENDER_TIMEOUT_S = 180.0
"""A preview of a large model renders in seconds; a child still busy after three minutes is stuck."""
RENDERED_NAME = "preview_render.png"
TEXTURE_STEM = "preview_texture"
"""The file name (before its extension) of the texture stand-in: a picture of a texture, not of the model."""

_EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp"}


def base_color_image(glb: bytes) -> tuple[bytes, str] | None:
    """(image bytes, mime type) of the first material's base-colour texture, or of the first image; None if none."""
    try:
        magic, _version, _length = struct.unpack_from("<4sII", glb, 0)
        json_length, json_type = struct.unpack_from("<I4s", glb, 12)
        if magic != b"glTF" or json_type != b"JSON":
            return None
        gltf = json.loads(glb[20:20 + json_length])
        bin_start = 20 + json_length + 8
        images = gltf.get("images") or []
        if not images:
            return None
        index = 0
        materials = gltf.get("materials") or []
        texture = (materials[0].get("pbrMetallicRoughness", {}).get("baseColorTexture") if materials else None)
        if texture is not None:
            index = gltf["textures"][texture["index"]]["source"]
        image = images[index]
        view = gltf["bufferViews"][image["bufferView"]]
        offset = bin_start + view.get("byteOffset", 0)
        return glb[offset:offset + view["byteLength"]], image.get("mimeType", "image/png")
    except (struct.error, ValueError, KeyError, IndexError, TypeError):
        return None


def write_thumbnail(glb_path: Path, folder: Path) -> Path | None:
    """Save the model's base-colour texture beside it as preview_texture.<ext>; None when the GLB has no image."""
    found = base_color_image(glb_path.read_bytes())
    if found is None:
        return None
    data, mime = found
    return write_bytes_atomic(folder / f"{TEXTURE_STEM}{_EXTENSIONS.get(mime, '.png')}", data, fsync=False)


def shows_the_model(path: str | Path) -> bool:
    """Whether a job's preview file is a picture of the model (the service's or our render), not a texture."""
    return bool(path) and Path(path).stem != TEXTURE_STEM


class PreviewRenderer:
    """Renders previews of finished models one at a time, each in a background Blender process.

    ``request()`` is cheap and may be called from any thread; the renders happen on one daemon thread
    of this object's own, started on first use, and ``on_rendered(job_id, path)`` is called from that
    thread for each finished one. A failed render is logged and skipped (the texture thumbnail stays).
    ``close()`` drops what is queued and kills a render in progress.
    """

    def __init__(self, script: Path, on_rendered: Callable[[str, Path], None], *, blender_binary: str = "",
                 size: int = PREVIEW_SIZE_PX) -> None:
        self.script = script
        self.blender_binary = blender_binary
        self.size = size
        self._on_rendered = on_rendered
        self._queue: queue.SimpleQueue[tuple[str, Path, Path] | None] = queue.SimpleQueue()
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def request(self, job_id: str, model: Path, folder: Path) -> None:
        """Queue a render of ``model`` into ``folder`` / ``preview_render.png``."""
        if self._closed.is_set():
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, daemon=True, name="meshsmith-previews")
                self._thread.start()
        self._queue.put((job_id, model, folder))

    def render(self, model: Path, folder: Path) -> Path | None:
        """Render one preview now (blocking); its path, or None when the render failed."""
        target = folder / RENDERED_NAME
        command = blender_command(self.blender_binary, [str(model), str(target), str(self.size)], script=self.script)
        if run_blender(command, timeout_s=RENDER_TIMEOUT_S, cancel=self._closed) and target.is_file():
            return target
        return None

    def close(self, timeout: float = 2.0) -> None:
        self._closed.set()
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._closed.is_set():
            item = self._queue.get()
            if item is None:
                return
            job_id, model, folder = item
            rendered = self.render(model, folder)
            if rendered is None:
                if not self._closed.is_set():
                    log.warning("could not render a preview of %s; the texture thumbnail stays", model.name)
                continue
            try:
                self._on_rendered(job_id, rendered)
            except Exception:  # a callback bug must not end the thread that serves every later job
                log.exception("preview callback failed for job %s", job_id)
