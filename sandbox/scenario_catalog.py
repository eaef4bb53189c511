"""Scenario's model catalog, as the sandbox serves it: list pages, model details with input schemas, and the
body checks Scenario makes against a model's schema before it creates a job.

The models copy the shapes of Scenario's real schemas (numbers with ranges and steps, enums with labels,
booleans, a prompt, one image, several images, separate views, a mesh input, an either/or pair, a retired
model), as captured in Scenario's own Blender plugin's fixtures and the model pages. ``filler`` adds plain
image-to-3D models to make a catalog of any size (the bench draws 200). The checks here are the sandbox's own,
written from the API's description, not the client's code: a body the client gets wrong is refused here.
"""

from __future__ import annotations

import math
from typing import Any

_SEED = {"name": "seed", "type": "number", "label": "Seed", "min": 0, "max": 2147483647, "step": 1}

MODELS: list[dict[str, Any]] = [
    {"id": "model_hunyuan-3d-v2-1", "name": "Hunyuan 3D 2.1", "capabilities": ["img23d"], "tags": ["3d"],
     "shortDescription": "Image to textured mesh (Tencent)",
     "inputs": [
         {"name": "image", "type": "file", "kind": "image", "label": "Image", "required": {"always": True}},
         {"name": "paint", "type": "boolean", "label": "Paint", "default": True},
         {"name": "steps", "type": "number", "label": "Steps", "min": 10, "max": 100, "step": 1, "default": 30,
          "costImpact": True},
         {"name": "guidanceScale", "type": "number", "label": "Guidance Scale", "min": 1, "max": 10, "step": 0.1,
          "default": 5},
         {"name": "targetFaceNum", "type": "number", "label": "Target Faces", "min": 100, "max": 1000000, "step": 1,
          "default": 40000, "costImpact": True},
         _SEED]},
    {"id": "model_tripo-v3-1-image-to-3d", "name": "Tripo 3.1", "capabilities": ["img23d"], "tags": ["3d"],
     "shortDescription": "Image to 3D with PBR (Tripo AI)",
     "inputs": [
         {"name": "image", "type": "file", "kind": "image", "label": "Image", "required": {"always": True}},
         {"name": "texture", "type": "boolean", "label": "Texture", "default": True},
         {"name": "pbr", "type": "boolean", "label": "PBR", "default": True},
         {"name": "textureQuality", "type": "string", "label": "Texture Quality", "default": "standard",
          "allowedValues": ["standard", "detailed", "extreme"], "costImpact": True},
         {"name": "geometryQuality", "type": "string", "label": "Geometry Quality", "default": "standard",
          "allowedValues": ["standard", "detailed"]},
         {"name": "faceLimit", "type": "number", "label": "Face Limit", "min": 1000, "max": 500000, "step": 1},
         {"name": "quad", "type": "boolean", "label": "Quad Mesh", "default": False},
         _SEED],
     "uiConfig": {"selects": {"textureQuality": {"options": [
         {"value": "standard", "label": "Standard"}, {"value": "detailed", "label": "Detailed"},
         {"value": "extreme", "label": "Extreme (8K)"}]}}}},
    {"id": "model_meshy-7-txt23d", "name": "Meshy 7 Text to 3D", "capabilities": ["txt23d"], "tags": ["3d"],
     "inputs": [
         {"name": "prompt", "type": "string", "label": "Prompt", "prompt": True, "maxLength": 600,
          "required": {"always": True}},
         {"name": "texturePrompt", "type": "string", "label": "Texture Prompt", "maxLength": 600},
         {"name": "topology", "type": "string", "label": "Topology", "default": "triangle",
          "allowedValues": ["triangle", "quad"]},
         {"name": "enablePbr", "type": "boolean", "label": "PBR Maps", "default": True},
         {"name": "targetPolycount", "type": "number", "label": "Target Polycount", "min": 100, "max": 300000,
          "step": 1, "default": 30000, "costImpact": True}]},
    {"id": "model_meshy-7-img23d", "name": "Meshy 7 Image to 3D", "capabilities": ["img23d"], "tags": ["3d"],
     "inputs": [
         {"name": "image", "type": "file_array", "kind": "image", "label": "Images", "maxLength": 4,
          "required": {"always": True}},
         {"name": "shouldTexture", "type": "boolean", "label": "Texture", "default": True},
         {"name": "textureResolution", "type": "string", "label": "Texture Resolution", "default": "2k",
          "allowedValues": ["2k", "4k", "8k"], "costImpact": True},
         {"name": "enablePbr", "type": "boolean", "label": "PBR Maps", "default": True},
         {"name": "targetPolycount", "type": "number", "label": "Target Polycount", "min": 100, "max": 300000,
          "step": 1, "default": 30000}]},
    {"id": "model_hunyuan-3d-pro-3-1-multiview", "name": "Hunyuan 3D 3.1 Pro Multiview",
     "capabilities": ["img23d"], "tags": ["3d"],
     "inputs": [
         {"name": "frontImage", "type": "file", "kind": "image", "label": "Front", "required": {"always": True}},
         {"name": "leftImage", "type": "file", "kind": "image", "label": "Left"},
         {"name": "backImage", "type": "file", "kind": "image", "label": "Back"},
         {"name": "rightImage", "type": "file", "kind": "image", "label": "Right"},
         {"name": "faceCount", "type": "number", "label": "Face Count", "min": 40000, "max": 1500000, "step": 1,
          "default": 500000, "costImpact": True},
         {"name": "enablePbr", "type": "boolean", "label": "PBR", "default": False}]},
    {"id": "model_rodin-hyper3d-v2-5", "name": "Rodin Gen-2.5", "capabilities": ["img23d"], "tags": ["3d"],
     "inputs": [
         {"name": "images", "type": "file_array", "kind": "image", "label": "Images", "maxLength": 5,
          "required": {"always": True}},
         {"name": "prompt", "type": "string", "label": "Prompt", "prompt": True, "maxLength": 1000},
         {"name": "material", "type": "string", "label": "Material", "default": "All",
          "allowedValues": ["All", "PBR", "Shaded"]},
         {"name": "tier", "type": "string", "label": "Tier", "default": "Gen-2.5-Medium",
          "allowedValues": ["Gen-2.5-Low", "Gen-2.5-Medium", "Gen-2.5-High"], "costImpact": True},
         {"name": "isSymmetric", "type": "boolean", "label": "Symmetric", "default": False}]},
    {"id": "model_meshy-7-retexture", "name": "Meshy 7 Retexture", "capabilities": ["3d23d"], "tags": ["3d"],
     "inputs": [
         {"name": "model", "type": "file", "kind": "3d", "label": "Model", "required": {"always": True}},
         {"name": "textStylePrompt", "type": "string", "label": "Style Prompt", "maxLength": 600, "prompt": True,
          "required": {"ifNotDefined": "imageStyle"}},
         {"name": "imageStyle", "type": "file", "kind": "image", "label": "Style Image",
          "required": {"ifNotDefined": "textStylePrompt"}},
         {"name": "enablePbr", "type": "boolean", "label": "PBR Maps", "default": True},
         {"name": "enableOriginalUv", "type": "boolean", "label": "Keep Original UVs", "default": True}]},
    {"id": "model_meshy-remesh", "name": "Meshy Remesh", "capabilities": ["3d23d"], "tags": ["3d"],
     "inputs": [
         {"name": "model", "type": "file", "kind": "3d", "label": "Model", "required": {"always": True}},
         {"name": "targetPolycount", "type": "number", "label": "Target Polycount", "min": 100, "max": 300000,
          "step": 1, "default": 30000},
         {"name": "topology", "type": "string", "label": "Topology", "default": "quad",
          "allowedValues": ["triangle", "quad"]}]},
    {"id": "model_tripo-v2-5-image-to-3d", "name": "Tripo 2.5", "capabilities": ["img23d"],
     "tags": ["3d", "deprecated:model_tripo-v3-1-image-to-3d"],
     "inputs": [{"name": "image", "type": "file", "kind": "image", "label": "Image", "required": {"always": True}}]},
    {"id": "model_flux-dev", "name": "Flux Dev (an image model: not in a 3D catalog)", "capabilities": ["txt2img"],
     "tags": [], "inputs": []},
]
FEATURED_IN_SANDBOX = {model["id"] for model in MODELS}


def filler(count: int) -> list[dict[str, Any]]:
    """``count`` more plain image-to-3D models (a catalog the size of the real one)."""
    return [{"id": f"model_sandbox-shape-{index:03d}", "name": f"Sandbox Shape {index:03d}",
             "capabilities": ["img23d"], "tags": ["3d"],
             "inputs": [{"name": "image", "type": "file", "kind": "image", "label": "Image",
                         "required": {"always": True}},
                        {"name": "detail", "type": "number", "label": "Detail", "min": 1, "max": 10, "step": 1,
                         "default": 5}]}
            for index in range(count)]


def list_entry(model: dict[str, Any]) -> dict[str, Any]:
    """What the list answer carries for a model: no inputs (those come with the details)."""
    return {key: value for key, value in model.items() if key not in ("inputs", "uiConfig")} | {
        "type": "custom", "status": "trained", "privacy": "public"}


def check_body(model: dict[str, Any], body: Any, asset_kinds: dict[str, str]) -> str | None:
    """Scenario's check of a job body against a model's schema: the reason it is refused, or None."""
    if not isinstance(body, dict):
        return "body must be an object"
    inputs = {item["name"]: item for item in model.get("inputs", [])}
    unknown = sorted(set(body) - set(inputs))
    if unknown:
        return f"Unknown input(s) for {model['id']}: {', '.join(unknown)}"
    for name, value in body.items():
        problem = _check_value(inputs[name], value, asset_kinds)
        if problem:
            return f"{name}: {problem}"
    given = {name for name, value in body.items() if value not in ("", None, [])}
    for name, item in inputs.items():
        rule = item.get("required")
        if rule is True or isinstance(rule, dict) and rule.get("always"):
            needed = True
        elif isinstance(rule, dict) and "ifNotDefined" in rule:
            needed = rule["ifNotDefined"] not in given
        elif isinstance(rule, dict) and "ifDefined" in rule:
            needed = rule["ifDefined"] in given
        else:
            needed = False
        if needed and name not in given:
            return f"{name} is required"
    return None


def _check_value(item: dict[str, Any], value: Any, asset_kinds: dict[str, str]) -> str | None:
    kind = item["type"]
    if "allowedValues" in item and value not in item["allowedValues"]:
        return f"must be one of {item['allowedValues']}"
    if kind == "boolean" and not isinstance(value, bool):
        return "must be a boolean"
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return "must be a number"
        if "min" in item and value < item["min"] or "max" in item and value > item["max"]:
            return f"must be between {item.get('min')} and {item.get('max')}"
        step = item.get("step")
        if step and float(step).is_integer() and value != int(value):
            return "must be a whole number"
    if kind == "string":
        if not isinstance(value, str):
            return "must be a string"
        if "maxLength" in item and len(value) > item["maxLength"]:
            return f"must be at most {item['maxLength']} characters"
    if kind in ("file", "file_array"):
        ids = value if kind == "file_array" else [value]
        if kind == "file_array" and not isinstance(value, list):
            return "must be a list of asset ids"
        if kind == "file_array" and len(ids) > item.get("maxLength", 1):
            return f"takes at most {item.get('maxLength', 1)} files"
        for asset_id in ids:
            if not isinstance(asset_id, str) or asset_id not in asset_kinds:
                return "must be the id of an uploaded asset"
            wanted = item.get("kind", "image")
            if asset_kinds[asset_id] != wanted:
                return f"must be a {wanted} asset, not {asset_kinds[asset_id]}"
    return None
