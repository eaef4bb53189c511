"""The main job, end to end: generate a model from an image through the add-on in headless Blender,
then save a .blend and render a PNG of the result.

Against the built-in sandbox unless ``MESHSMITH_SEGMIND_API_KEY`` is set, in which case the real
Segmind service is used (and billed). Run through ``python3.11 tools/dev.py demo``; options:
``--image PATH`` (default: a generated reference image), ``--prompt TEXT``, ``--out DIR`` (default ``out``).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tools.blender_env import REPO_ROOT, enable_addon, prepare_user_resources  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", help="reference image (PNG/JPEG/WebP)")
    parser.add_argument("--prompt", default="a glazed ceramic pot")
    parser.add_argument("--out", default=str(REPO_ROOT / "out"))
    parser.add_argument("--samples", type=int, default=32, help="Cycles samples for the render")
    args = parser.parse_args()
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)

    user = prepare_user_resources(Path(tempfile.mkdtemp(prefix="meshsmith-demo-")))
    os.environ.setdefault("MESHSMITH_USER_DIR", str(user / "meshsmith-data"))  # a demo leaves no job history behind
    import bpy

    bpy.ops.wm.read_factory_settings(use_empty=True)
    addon = enable_addon(online=True)
    from importlib import import_module

    prefs = import_module(addon.__name__ + ".host.preferences")
    segmind = import_module(addon.__name__ + ".providers.registry").info("SEGMIND")
    real = bool(os.environ.get(segmind.credentials[0].env))
    prefs.get().use_sandbox = not real
    print(f"Meshsmith demo: {'the real Segmind service' if real else 'the built-in sandbox (no key set)'}", flush=True)

    image = Path(args.image).resolve() if args.image else _reference_image(out)
    started = time.monotonic()
    bpy.ops.meshsmith.generate(provider="SEGMIND", image_path=str(image), prompt=args.prompt)
    result = bpy.context.active_object
    print(f"Imported '{result.name}' ({len(result.data.polygons)} faces) in {time.monotonic() - started:.1f}s; "
          f"seed {result.get('meshsmith_seed')}", flush=True)

    _stage(bpy, result, args.samples)
    blend = out / "meshsmith_demo.blend"
    png = out / "meshsmith_demo.png"
    bpy.ops.wm.save_as_mainfile(filepath=str(blend), compress=True)
    bpy.context.scene.render.filepath = str(png)
    bpy.ops.render.render(write_still=True)
    print(f"Wrote {blend}\nWrote {png}", flush=True)
    return 0


def _reference_image(out: Path) -> Path:
    """A generated reference image, so the demo needs no file from anywhere."""
    from sandbox.assets import make_textures

    path = out / "reference.png"
    path.write_bytes(make_textures(11, 256).base_color)
    return path


def _stage(bpy, obj, samples: int) -> None:
    """A camera, a key light and a floor around the result, rendered with Cycles on the CPU."""
    from mathutils import Vector

    scene = bpy.context.scene
    bpy.context.view_layer.update()
    corners = [obj.matrix_world @ Vector(corner) for corner in obj.bound_box]
    low = Vector((min(c.x for c in corners), min(c.y for c in corners), min(c.z for c in corners)))
    high = Vector((max(c.x for c in corners), max(c.y for c in corners), max(c.z for c in corners)))
    centre, size = (low + high) / 2, max((high - low).length, 0.1)

    bpy.ops.mesh.primitive_plane_add(size=size * 8, location=(centre.x, centre.y, low.z))
    camera_data = bpy.data.cameras.new("Camera")
    camera = bpy.data.objects.new("Camera", camera_data)
    scene.collection.objects.link(camera)
    camera.location = centre + Vector((size * 1.2, -size * 1.6, size * 0.8))
    camera.rotation_euler = (centre - camera.location).to_track_quat("-Z", "Y").to_euler()
    scene.camera = camera
    light_data = bpy.data.lights.new("Key", type="AREA")
    light_data.energy = 400.0 * size * size
    light_data.size = size * 2
    light = bpy.data.objects.new("Key", light_data)
    light.location = centre + Vector((-size, -size, size * 2))
    light.rotation_euler = (centre - light.location).to_track_quat("-Z", "Y").to_euler()
    scene.collection.objects.link(light)
    world = scene.world or bpy.data.worlds.new("World")
    scene.world = world
    world.color = (0.05, 0.05, 0.06)

    scene.render.engine = "CYCLES"
    scene.cycles.device = "CPU"
    scene.cycles.samples = samples
    scene.render.resolution_x, scene.render.resolution_y = 800, 600
    scene.render.image_settings.file_format = "PNG"


if __name__ == "__main__":
    sys.exit(main())
