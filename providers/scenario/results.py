"""What a finished Scenario job's assets are: the model, a texture map (with its channel), a preview, or nothing to
use; told apart by their metadata, never by their order, and named for the job's folder."""

from __future__ import annotations

import mimetypes
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..channels import Channel, resolve_channel
from ..models import AssetRole

# Scenario asset metadata.type values for separate PBR maps, and what each is. A plain ``3d-texture`` is a map
# too: its file name says which. ``3d-texture-mtl`` is an OBJ material file, not a picture.
TEXTURE_TYPES: dict[str, Channel] = {
    "3d-texture-albedo": Channel.BASE_COLOR,
    "3d-texture-metallic": Channel.METALLIC,
    "3d-texture-roughness": Channel.ROUGHNESS,
    "3d-texture-normal": Channel.NORMAL,
}
GENERIC_TEXTURE_TYPE = "3d-texture"


class ResultAsset(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str
    url: str = ""
    mimeType: str = ""
    kind: str = ""
    metadata: dict[str, Any] = Field(default_factory=dict)


def asset_role(asset: ResultAsset) -> tuple[AssetRole, Channel | None] | None:
    """What a result asset is: the model, a texture map (with its channel), a preview, or nothing we use."""
    kind_type = str(asset.metadata.get("type", "")).lower()
    if kind_type.startswith("uploaded"):
        return None  # one of the job's own inputs, not a result
    if kind_type in TEXTURE_TYPES:
        return AssetRole.MAP, TEXTURE_TYPES[kind_type]
    if kind_type == GENERIC_TEXTURE_TYPE:
        name = str(asset.metadata.get("name") or asset.url.split("?", 1)[0].rsplit("/", 1)[-1])
        channel = resolve_channel("", name)
        return (AssetRole.MAP, channel) if channel is not None else None
    if kind_type.startswith(GENERIC_TEXTURE_TYPE):
        return None  # another kind of texture file (an .mtl): not a map to wire
    mime = asset.mimeType.lower()
    if mime == "model/gltf-binary" or (asset.kind == "3d" and mime in ("", "application/octet-stream")):
        return AssetRole.MODEL, None
    if asset.kind == "image" or mime.startswith("image/"):
        return AssetRole.PREVIEW, None
    return None


def result_filename(role: AssetRole, channel: Channel | None, asset: ResultAsset) -> str:
    if role is AssetRole.MODEL:
        return "model.glb"
    extension = mimetypes.guess_extension(asset.mimeType or "image/png") or ".png"
    extension = ".jpg" if extension in (".jpe", ".jpeg") else extension
    if role is AssetRole.MAP and channel is not None:
        return f"{channel.value.lower()}{extension}"
    return f"preview_{asset.id[-6:]}{extension}"
