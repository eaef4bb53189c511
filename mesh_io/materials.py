"""One place that wires PBR maps into a Principled BSDF, the same way for every provider.

One small function per channel; colour data sRGB, everything else Non-Color; normals through a
Normal Map node; packed metallic-roughness split with Separate Color (glTF: green roughness, blue
metallic). ``normalise_material`` checks and repairs what the glTF importer built, so a GLB result
and a set of separate maps end up looking the same in the node editor.
"""

from __future__ import annotations

from pathlib import Path

import bpy

from ..providers.channels import Channel

NON_COLOR = "Non-Color"
SRGB = "sRGB"
_X_STEP = 300.0


def ensure_node_tree(material: bpy.types.Material) -> bpy.types.NodeTree:
    """The material's node tree; ``use_nodes`` is set only before Blender 5.0, where it is deprecated."""
    if material.node_tree is None or (bpy.app.version < (5, 0, 0) and not material.use_nodes):
        material.use_nodes = True
    return material.node_tree


def principled_of(material: bpy.types.Material) -> bpy.types.ShaderNode | None:
    if material.node_tree is None:
        return None
    return next((node for node in material.node_tree.nodes if node.type == "BSDF_PRINCIPLED"), None)


def new_pbr_material(name: str) -> tuple[bpy.types.Material, bpy.types.ShaderNode]:
    """A material with exactly one Principled BSDF feeding the output."""
    material = bpy.data.materials.new(name)
    tree = ensure_node_tree(material)
    bsdf = principled_of(material)
    if bsdf is None:
        tree.nodes.clear()
        bsdf = tree.nodes.new("ShaderNodeBsdfPrincipled")
        output = tree.nodes.new("ShaderNodeOutputMaterial")
        output.location = (_X_STEP, 0)
        tree.links.new(bsdf.outputs["BSDF"], output.inputs["Surface"])
    return material, bsdf


def _image_node(tree: bpy.types.NodeTree, image: bpy.types.Image, channel: Channel, row: int) -> bpy.types.ShaderNode:
    node = tree.nodes.new("ShaderNodeTexImage")
    node.image = image
    node.label = channel.value.replace("_", " ").title()
    node.location = (-3 * _X_STEP, -row * _X_STEP)
    set_colorspace(image, channel)
    return node


def set_colorspace(image: bpy.types.Image, channel: Channel) -> None:
    image.colorspace_settings.name = SRGB if channel.is_color else NON_COLOR


def wire_base_color(tree, bsdf, image) -> None:
    # [Texture] => Base Color; its alpha => Alpha only when the image has one (a cut-out leaf, a decal)
    node = _image_node(tree, image, Channel.BASE_COLOR, 0)
    tree.links.new(node.outputs["Color"], bsdf.inputs["Base Color"])
    # Blender reports 4 channels for every picture; the file's bit depth tells RGBA (32/64/128) from RGB (24/48/96).
    if image.depth in (32, 64, 128) and image.alpha_mode != "NONE":
        tree.links.new(node.outputs["Alpha"], bsdf.inputs["Alpha"])


def wire_metallic(tree, bsdf, image) -> None:
    # [Texture (Non-Color)] => Metallic
    node = _image_node(tree, image, Channel.METALLIC, 1)
    tree.links.new(node.outputs["Color"], bsdf.inputs["Metallic"])


def wire_roughness(tree, bsdf, image) -> None:
    # [Texture (Non-Color)] => Roughness
    node = _image_node(tree, image, Channel.ROUGHNESS, 2)
    tree.links.new(node.outputs["Color"], bsdf.inputs["Roughness"])


def wire_metallic_roughness(tree, bsdf, image) -> None:
    # [Texture (Non-Color)] => [Separate Color] => Green: Roughness, Blue: Metallic
    node = _image_node(tree, image, Channel.METALLIC_ROUGHNESS, 1)
    split = tree.nodes.new("ShaderNodeSeparateColor")
    split.location = (-1.5 * _X_STEP, -_X_STEP)
    tree.links.new(node.outputs["Color"], split.inputs["Color"])
    tree.links.new(split.outputs["Green"], bsdf.inputs["Roughness"])
    tree.links.new(split.outputs["Blue"], bsdf.inputs["Metallic"])


def wire_normal(tree, bsdf, image) -> None:
    # [Texture (Non-Color)] => [Normal Map] => Normal
    node = _image_node(tree, image, Channel.NORMAL, 3)
    normal_map = tree.nodes.new("ShaderNodeNormalMap")
    normal_map.location = (-1.5 * _X_STEP, -3 * _X_STEP)
    tree.links.new(node.outputs["Color"], normal_map.inputs["Color"])
    tree.links.new(normal_map.outputs["Normal"], bsdf.inputs["Normal"])


def wire_emission(tree, bsdf, image) -> None:
    # [Texture] => Emission Color, with strength 1 (Blender's default strength is 0)
    node = _image_node(tree, image, Channel.EMISSION, 4)
    tree.links.new(node.outputs["Color"], bsdf.inputs["Emission Color"])
    bsdf.inputs["Emission Strength"].default_value = 1.0


WIRING = {
    Channel.BASE_COLOR: wire_base_color,
    Channel.METALLIC: wire_metallic,
    Channel.ROUGHNESS: wire_roughness,
    Channel.METALLIC_ROUGHNESS: wire_metallic_roughness,
    Channel.NORMAL: wire_normal,
    Channel.EMISSION: wire_emission,
}


def build_material_from_maps(name: str, maps: dict[Channel, Path], *, uv_map: str = "") -> bpy.types.Material:
    """A new material wired from separate map files (retexture results, separate Scenario assets).

    ``uv_map``: the UV map the maps were made for (a bake): every map reads it through a UV Map node, and the
    normal map's tangents come from it, whichever UV map is active later."""
    material, bsdf = new_pbr_material(name)
    tree = material.node_tree
    for channel, path in maps.items():
        image = bpy.data.images.load(str(path), check_existing=False)
        WIRING[channel](tree, bsdf, image)
    if uv_map:
        coordinates = tree.nodes.new("ShaderNodeUVMap")
        coordinates.uv_map = uv_map
        coordinates.location = (-4 * _X_STEP, 0)
        for node in tree.nodes:
            if node.type == "TEX_IMAGE":
                tree.links.new(coordinates.outputs["UV"], node.inputs["Vector"])
            elif node.type == "NORMAL_MAP":
                node.uv_map = uv_map
    return material


def _upstream_images(socket: bpy.types.NodeSocket, seen: set | None = None) -> list[bpy.types.ShaderNode]:
    """Image Texture nodes feeding ``socket``, through any converter nodes in between."""
    seen = seen if seen is not None else set()
    found = []
    for link in socket.links:
        node = link.from_node
        if node in seen:
            continue
        seen.add(node)
        if node.type == "TEX_IMAGE":
            found.append(node)
        else:
            for inp in node.inputs:
                found += _upstream_images(inp, seen)
    return found


_SOCKET_CHANNELS = {
    "Base Color": Channel.BASE_COLOR,
    "Metallic": Channel.METALLIC,
    "Roughness": Channel.ROUGHNESS,
    "Normal": Channel.NORMAL,
    "Emission Color": Channel.EMISSION,
}


def normalise_material(material: bpy.types.Material) -> dict[str, list[str]]:
    """Check and repair an imported material: the right colour space on every map.

    Returns, per Principled BSDF socket, the names of the images that feed it (for reports and tests).
    """
    bsdf = principled_of(material)
    wiring: dict[str, list[str]] = {}
    if bsdf is None:
        return wiring
    for socket_name, channel in _SOCKET_CHANNELS.items():
        socket = bsdf.inputs.get(socket_name)
        if socket is None:
            continue
        nodes = _upstream_images(socket)
        for node in nodes:
            if node.image is not None:
                set_colorspace(node.image, channel)
        if nodes:
            wiring[socket_name] = [node.image.name for node in nodes if node.image is not None]
    return wiring


def assign_material(obj: bpy.types.Object, material: bpy.types.Material) -> None:
    """Put ``material`` on every slot of ``obj`` (one slot is made when it has none)."""
    if not obj.material_slots:
        obj.data.materials.append(material)
        return
    for slot in obj.material_slots:
        slot.material = material
