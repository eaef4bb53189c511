"""Bake a returned model onto the artist's object: a script for a separate, background Blender process, never imported.

    blender --background --factory-startup --python bake_render.py -- TARGET.blend MODEL.glb OUT_DIR SIZE UV_MAP
    python bake_render.py TARGET.blend MODEL.glb OUT_DIR SIZE UV_MAP        (with the ``bpy`` wheel)

TARGET.blend holds the artist's object as it renders (modifiers applied, world transform, the UV map to
bake into), written at submit. MODEL.glb is the service's result: its own mesh, its own UVs and maps. Cycles
bakes "selected to active" from the model onto the object, through UV_MAP, at SIZE×SIZE with a margin:
base colour, metallic and roughness each as the surface's own value (the model's material is shown as
emission for the bake, so no light or shadow gets in), and the normal in tangent space. The rays start a
little outside the object and reach a little inside it, both relative to its size.

A remesh bakes the other way round: TARGET is the service's remeshed GLB (imported, joined, unwrapped with Smart UV
Project when it has no UVs) and MODEL is a .blend holding the artist's object with its own materials (any node
setup that ends in a Principled BSDF); the unwrapped mesh is written back as OUT_DIR/model_with_uvs.glb, in the
object's own space, and named in the report (``"model": ...``).

Writes OUT_DIR/baked_base_color.png (sRGB), baked_metallic.png, baked_roughness.png, baked_normal.png
(Non-Color) and OUT_DIR/bake_report.json: ``{"maps": {"BASE_COLOR": "baked_base_color.png", ...},
"coverage": 0.41}`` (the share of the image the rays found the model for), or ``{"error": "..."}`` with
exit status 3 when the bake found nothing or could not run. Each file is written under a temporary name
and renamed into place. One CPU thread less than the machine has, at low priority: the artist keeps working.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import bpy

TARGET_OBJECT = "MeshsmithBakeTarget"
MARGIN_PX = 16
CAGE_EXTRUSION = 0.01
"""Rays start this far outside the object, as a share of its bounding-box diagonal."""
MAX_RAY_DISTANCE = 0.03
"""And look this far (inwards from their start) for the model: further surfaces are another part of it."""
MASK_PX = 256
"""The hit mask's size: enough to tell an overlap from none, in a fraction of a second."""
MIN_COVERAGE = 0.0005
"""Below this share of the image, the model and the object do not overlap: nothing was baked."""
CHANNELS = (("BASE_COLOR", "baked_base_color.png", "Base Color", "sRGB"),
            ("METALLIC", "baked_metallic.png", "Metallic", "Non-Color"),
            ("ROUGHNESS", "baked_roughness.png", "Roughness", "Non-Color"),
            ("NORMAL", "baked_normal.png", "", "Non-Color"))


class BakeError(Exception):
    """What to tell the artist: the bake could not be made."""


def arguments() -> tuple[Path, Path, Path, int, str]:
    args = sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else sys.argv[1:]
    return Path(args[0]), Path(args[1]), Path(args[2]), int(args[3]), args[4]


def load_scene(target_path: Path, model_path: Path, uv_map: str) -> tuple[bpy.types.Object, list[bpy.types.Object]]:
    """An empty scene with the object to bake into (active) and the meshes to bake from (selected)."""
    for obj in list(bpy.data.objects):
        bpy.data.objects.remove(obj)
    scene = bpy.context.scene
    if target_path.suffix.lower() == ".glb":
        target = imported_target(target_path)
        uv_map = target.data.uv_layers.active.name
    else:
        with bpy.data.libraries.load(str(target_path)) as (source, loaded):
            if TARGET_OBJECT not in source.objects:
                raise BakeError("The copy of the object to bake onto is missing.")
            loaded.objects = [TARGET_OBJECT]
        target = loaded.objects[0]
        scene.collection.objects.link(target)
    if uv_map not in target.data.uv_layers:
        raise BakeError(f"The object has no UV map '{uv_map}' to bake into.")
    target.data.uv_layers.active = target.data.uv_layers[uv_map]
    before = set(bpy.data.objects)
    if model_path.suffix.lower() == ".blend":  # a remesh: the artist's object, with its materials
        with bpy.data.libraries.load(str(model_path)) as (source, loaded):
            loaded.objects = list(source.objects)
        for obj in loaded.objects:
            if obj is not None:
                scene.collection.objects.link(obj)
    else:
        bpy.ops.import_scene.gltf(filepath=str(model_path))
    model = [obj for obj in bpy.data.objects if obj not in before and obj.type == "MESH"]
    if not model:
        raise BakeError("The returned model has no mesh to bake from.")
    for obj in bpy.data.objects:
        obj.select_set(obj in model or obj == target)
    bpy.context.view_layer.objects.active = target
    return target, model


def imported_target(path: Path) -> bpy.types.Object:
    """The remeshed GLB as one object, with a UV map to bake into (Smart UV Project when it came without)."""
    bpy.ops.import_scene.gltf(filepath=str(path))
    meshes = [obj for obj in bpy.data.objects if obj.type == "MESH"]
    if not meshes:
        raise BakeError("The remeshed model has no mesh.")
    for obj in bpy.data.objects:
        obj.select_set(obj in meshes)
    bpy.context.view_layer.objects.active = meshes[0]
    if len(meshes) > 1:
        bpy.ops.object.join()
    target = bpy.context.view_layer.objects.active
    bpy.ops.object.parent_clear(type="CLEAR_KEEP_TRANSFORM")
    target.name = TARGET_OBJECT
    target.data.materials.clear()
    if not target.data.uv_layers:
        target.data.uv_layers.new(name="Meshsmith")
        bpy.ops.object.mode_set(mode="EDIT")
        bpy.ops.mesh.select_all(action="SELECT")
        bpy.ops.uv.smart_project(island_margin=0.02)
        bpy.ops.object.mode_set(mode="OBJECT")
    return target


def write_target(target: bpy.types.Object, source: bpy.types.Object, path: Path) -> None:
    """The unwrapped remeshed mesh as a GLB in ``source``'s own space (it comes in at the object's place)."""
    target.data.transform(source.matrix_world.inverted() @ target.matrix_world)
    target.matrix_world.identity()
    for obj in bpy.data.objects:
        obj.select_set(obj == target)
    bpy.context.view_layer.objects.active = target
    partial = path.with_name(path.stem + ".part.glb")
    bpy.ops.export_scene.gltf(filepath=str(partial), export_format="GLB", use_selection=True,
                              export_materials="NONE", export_texcoords=True, export_normals=True,
                              export_animations=False)
    os.replace(partial, path)


def set_up_cycles(scene: bpy.types.Scene, target: bpy.types.Object) -> None:
    scene.render.engine = "CYCLES"
    scene.cycles.device = "CPU"
    scene.cycles.samples = 1
    scene.render.threads_mode = "FIXED"
    scene.render.threads = max(1, (os.cpu_count() or 2) - 1)
    bake = scene.render.bake
    bake.use_selected_to_active = True
    size = max(target.dimensions.length, 1e-6)
    bake.cage_extrusion = CAGE_EXTRUSION * size
    bake.max_ray_distance = (CAGE_EXTRUSION + MAX_RAY_DISTANCE) * size
    bake.margin = MARGIN_PX
    bake.target = "IMAGE_TEXTURES"


def bake_node(target: bpy.types.Object) -> bpy.types.ShaderNode:
    """The Image Texture node the bake writes into: the only material of the object's copy."""
    material = bpy.data.materials.new("Meshsmith bake")
    if bpy.app.version < (5, 0, 0):
        material.use_nodes = True
    target.data.materials.clear()
    target.data.materials.append(material)
    node = material.node_tree.nodes.new("ShaderNodeTexImage")
    material.node_tree.nodes.active = node
    return node


def show_as_emission(materials: list[bpy.types.Material], socket_name: str) -> list:
    """Make each of the model's materials emit the value of its Principled BSDF's ``socket_name`` (empty: plain
    white, for the hit mask); the undo list."""
    undo = []
    for material in materials:
        tree = material.node_tree
        if tree is None:
            continue
        bsdf = next((n for n in tree.nodes if n.type == "BSDF_PRINCIPLED"), None)
        output = next((n for n in tree.nodes if n.type == "OUTPUT_MATERIAL" and n.is_active_output), None) or \
            next((n for n in tree.nodes if n.type == "OUTPUT_MATERIAL"), None)
        if bsdf is None or output is None:
            continue
        emission = tree.nodes.new("ShaderNodeEmission")
        emission.inputs["Strength"].default_value = 1.0
        source = bsdf.inputs[socket_name] if socket_name else None
        if source is None:
            emission.inputs["Color"].default_value = (1.0, 1.0, 1.0, 1.0)
        elif source.is_linked:
            tree.links.new(source.links[0].from_socket, emission.inputs["Color"])
        else:
            value = source.default_value
            emission.inputs["Color"].default_value = (tuple(value)[:3] + (1.0,)) if hasattr(value, "__len__") \
                else (value, value, value, 1.0)
        previous = output.inputs["Surface"].links[0].from_socket if output.inputs["Surface"].is_linked else None
        tree.links.new(emission.outputs["Emission"], output.inputs["Surface"])
        undo.append((tree, emission, previous, output))
    return undo


def plain_material() -> bpy.types.Material:
    """A white Principled BSDF (what an untextured mesh looks like), so every bake has a material to read."""
    material = bpy.data.materials.new("Meshsmith plain")
    if bpy.app.version < (5, 0, 0):
        material.use_nodes = True
    return material


def restore(undo: list) -> None:
    for tree, emission, previous, output in undo:
        tree.nodes.remove(emission)
        if previous is not None:
            tree.links.new(previous, output.inputs["Surface"])


def coverage(node: bpy.types.ShaderNode, materials: list[bpy.types.Material]) -> float:
    """The share of a small image where the rays found the model: the model glows white for one quick bake into
    a black image (a ray that finds nothing leaves its pixel black), without margin."""
    import numpy as np

    image = bpy.data.images.new("bake hit mask", MASK_PX, MASK_PX, alpha=False)
    image.generated_color = (0.0, 0.0, 0.0, 1.0)
    node.image = image
    undo = show_as_emission(materials, "")
    try:
        bpy.ops.object.bake(type="EMIT", margin=0)
    finally:
        restore(undo)
    pixels = np.empty(MASK_PX * MASK_PX * 4, dtype=np.float32)
    image.pixels.foreach_get(pixels)
    return float(np.count_nonzero(pixels[0::4] > 0.5)) / (MASK_PX * MASK_PX)


def save(image: bpy.types.Image, path: Path) -> None:
    partial = path.with_name(path.stem + ".part.png")
    image.filepath_raw = str(partial)
    image.file_format = "PNG"
    image.save()
    os.replace(partial, path)


def run() -> dict:
    target_path, model_path, out_dir, size, uv_map = arguments()
    target, model = load_scene(target_path, model_path, uv_map)
    scene = bpy.context.scene
    set_up_cycles(scene, target)
    node = bake_node(target)
    for obj in model:  # a mesh without a material shows as the default grey; give it one to read from
        if not any(slot.material for slot in obj.material_slots):
            obj.data.materials.clear()
            obj.data.materials.append(plain_material())
    materials = list({slot.material for obj in model for slot in obj.material_slots if slot.material is not None})
    try:
        covered = coverage(node, materials)
    except RuntimeError as exc:
        raise BakeError(f"Cycles could not bake: {str(exc).strip().splitlines()[-1]}") from None
    if covered < MIN_COVERAGE:
        raise BakeError("The returned model does not overlap the object: the bake found nothing to copy. "
                        "The object was left as it was; Import as New Object brings the model in.")
    maps = {}
    for channel, file_name, socket_name, colorspace in CHANNELS:
        image = bpy.data.images.new(f"bake {channel}", size, size, alpha=True)
        image.colorspace_settings.name = colorspace
        image.generated_color = (0.0, 0.0, 0.0, 0.0)
        node.image = image
        undo = show_as_emission(materials, socket_name) if socket_name else []
        try:
            if socket_name:
                bpy.ops.object.bake(type="EMIT")
            else:
                bpy.ops.object.bake(type="NORMAL", normal_space="TANGENT")
        except RuntimeError as exc:
            raise BakeError(f"Cycles could not bake: {str(exc).strip().splitlines()[-1]}") from None
        finally:
            restore(undo)
        save(image, out_dir / file_name)
        maps[channel] = file_name
    result: dict = {"maps": maps, "coverage": round(covered, 4)}
    if target_path.suffix.lower() == ".glb":
        write_target(target, model[0], out_dir / "model_with_uvs.glb")
        result["model"] = "model_with_uvs.glb"
    return result


def main() -> None:
    try:
        os.nice(10)
    except (AttributeError, OSError):
        pass
    out_dir = arguments()[2]
    report = out_dir / "bake_report.json"
    try:
        result = run()
    except BakeError as exc:
        result = {"error": str(exc)}
    partial = report.with_suffix(".part")
    partial.write_text(json.dumps(result))
    os.replace(partial, report)
    if "error" in result:
        sys.exit(3)


main()
