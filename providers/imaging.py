"""Shrink a reference image to the resolution the model actually uses before it is uploaded.

Hunyuan3D (2.0 on Segmind, 2.1 on Scenario) conditions on the image at 518 px (its DINOv2 encoder's
input size), so an 8K photo carries about 240 times the pixels the model will ever look at. Sending
at most 518 px on the longer side keeps uploads small and fast without changing what the model sees.

Runs in the worker thread. It uses Blender's ``imbuf`` module, which works on standalone image buffers
(never on Blender data, the rule the worker keeps; Blender's own threaded image loading does the
same). Outside Blender (plain Python, the unit tests) there is no ``imbuf``, and the file is sent as it is.
"""

from __future__ import annotations

from pathlib import Path

HUNYUAN_INPUT_PX = 518


def shrink_for_upload(path: Path, max_side: int, workdir: Path) -> Path:
    """``path`` itself when it is small enough (or cannot be shrunk here), else a shrunk copy in ``workdir``."""
    try:
        import imbuf  # Blender's image-buffer module; absent outside Blender
    except ImportError:
        return path
    try:
        image = imbuf.load(str(path))
    except (OSError, ValueError):
        return path  # an unusual file Blender cannot read: let the service judge it
    try:
        width, height = image.size
        if max(width, height) <= max_side:
            return path
        scale = max_side / max(width, height)
        image.resize((max(1, round(width * scale)), max(1, round(height * scale))), method="BILINEAR")
        workdir.mkdir(parents=True, exist_ok=True)
        target = workdir / f"upload_{max_side}px{path.suffix.lower()}"
        imbuf.write(image, filepath=str(target))
        return target
    finally:
        image.free()
