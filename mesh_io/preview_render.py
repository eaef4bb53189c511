"""Render a small preview of a GLB: a script for a separate, background Blender process, never imported.

    blender --background --factory-startup --python preview_render.py -- MODEL.glb OUT.png SIZE
    python preview_render.py MODEL.glb OUT.png SIZE          (with the ``bpy`` wheel)

The job history shows it when the service sends no preview of its own (Hunyuan3D-2 on Segmind does
not). It runs in its own process so that the artist's Blender never waits on it: a worker thread only
waits for the process to end. The render is Cycles on the CPU (it needs no GPU or display, so it works
on a farm node too), one thread at low priority, with a transparent background. The image is written
beside OUT under a temporary name and renamed into place, so a reader never sees half a file.
Exit status 0 with OUT written, or non-zero.
"""

from __future__ import annotations

import math
import os
import sys

import bpy
from mathutils import Vector

SAMPLES = 16
"""Enough for a 256 px thumbnail of a textured model; more only costs the artist's CPU."""
VIEW_DIRECTION = Vector((1.0, -1.2, 0.8)).normalized()
"""A three-quarter view from the front right and a little above, as asset libraries show models."""
LENS_MM = 50.0
MARGIN = 0.08
"""Room around the model, as a fraction of the camera distance."""


def arguments() -> tuple[str, str, int]:
    args = sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else sys.argv[1:]
    return args[0], args[1], int(args[2])


def frame_camera(scene: bpy.types.Scene, meshes: list[bpy.types.Object]) -> None:
    """A camera from ``VIEW_DIRECTION`` that fits the models' bounding boxes, with a small margin."""
    corners = [obj.matrix_world @ Vector(corner) for obj in meshes for corner in obj.bound_box]
    camera_data = bpy.data.cameras.new("Preview camera")
    camera_data.lens = LENS_MM
    camera = bpy.data.objects.new("Preview camera", camera_data)
    scene.collection.objects.link(camera)
    scene.camera = camera
    camera.rotation_euler = (-VIEW_DIRECTION).to_track_quat("-Z", "Y").to_euler()
    fitted, _scale = camera.camera_fit_coords(bpy.context.evaluated_depsgraph_get(),
                                              [value for corner in corners for value in corner])
    centre = sum(corners, Vector()) / len(corners)
    distance = (fitted - centre).length * (1 + MARGIN)
    camera.location = centre + VIEW_DIRECTION * distance
    camera_data.clip_start, camera_data.clip_end = distance / 100, distance * 4


def light(scene: bpy.types.Scene) -> None:
    """A soft grey sky and a key light, so unlit sides still read as form."""
    world = bpy.data.worlds.new("Preview world")
    if bpy.app.version < (5, 0, 0):
        world.use_nodes = True  # always on (and deprecated) from 5.0
    background = world.node_tree.nodes["Background"]
    background.inputs["Color"].default_value = (0.6, 0.6, 0.62, 1.0)
    background.inputs["Strength"].default_value = 0.8
    scene.world = world
    sun_data = bpy.data.lights.new("Preview key", "SUN")
    sun_data.energy = 3.0
    sun = bpy.data.objects.new("Preview key", sun_data)
    sun.rotation_euler = (math.radians(50), 0.0, math.radians(30))
    scene.collection.objects.link(sun)


def render_settings(scene: bpy.types.Scene, size: int) -> None:
    scene.render.engine = "CYCLES"
    scene.cycles.device = "CPU"
    scene.cycles.samples = SAMPLES
    scene.cycles.use_denoising = False
    scene.render.threads_mode = "FIXED"
    scene.render.threads = 1  # the artist's Blender keeps the other cores
    scene.render.resolution_x = scene.render.resolution_y = size
    scene.render.resolution_percentage = 100
    scene.render.film_transparent = True
    scene.render.image_settings.file_format = "PNG"
    scene.render.image_settings.color_mode = "RGBA"
    scene.view_settings.view_transform = "Standard"


def main() -> int:
    model, out, size = arguments()
    if hasattr(os, "nice"):
        os.nice(10)
    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    bpy.ops.import_scene.gltf(filepath=model)
    meshes = [obj for obj in scene.objects if obj.type == "MESH"]
    if not meshes:
        print("preview_render: the model has no mesh", file=sys.stderr)
        return 1
    render_settings(scene, size)  # first: the camera fit depends on the frame's shape
    frame_camera(scene, meshes)
    light(scene)
    partial = f"{out}.partial.png"
    scene.render.filepath = partial
    scene.render.use_file_extension = False
    bpy.ops.render.render(write_still=True)
    os.replace(partial, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
