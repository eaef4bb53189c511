"""What a Meshy retexture request may hold on Meshy's API v2 (``POST /openapi/v2/retexture``): texture models,
resolutions, the one style input.

Checked here, before anything is sent, with messages an artist can act on; ``MeshyRequest.body()`` sends only the
fields v2 defines for the chosen model (v2 answers 400 for any other, and for v1's names). Facts: Meshy's
migration guide (docs.meshy.ai/en/api/migrate-to-v2) and its v2 Retexture reference.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

MAX_PROMPT_CHARS = 600
"""v1's limit; v2 states none: kept, so a prompt never fails on Meshy's side for its length."""

TEXTURE_MODELS = ("meshy-7", "meshy-n1", "meshy-6-lite")
"""The texture models v2 retexture takes (``texture_model`` is required on every request)."""
TWO_K_ONLY = frozenset({"meshy-6-lite", "meshy-n1"})
IMAGE_ONLY = frozenset({"meshy-n1"})
"""Models that paint from a reference image only (no text prompt)."""
NO_PBR = frozenset({"meshy-n1"})
REMOVES_LIGHTING = frozenset({"meshy-7"})
TEXTURE_RESOLUTIONS = ("2k", "4k", "8k")

LEGACY_MODELS = {"latest": "meshy-7", "meshy-7": "meshy-7", "meshy-6": "meshy-7", "meshy-6-lite": "meshy-6-lite",
                 "meshy-n1": "meshy-n1", "meshy-5": "meshy-7", "": "meshy-7"}
"""v1's ``ai_model`` values (a .blend or a journal from before v2) and the texture model each becomes."""


def model_label(texture_model: str) -> str:
    return {"meshy-7": "Meshy 7", "meshy-6-lite": "Meshy 6 Lite", "meshy-n1": "Meshy N1"}.get(texture_model,
                                                                                              texture_model)


class MeshyParams(BaseModel):
    """The retexture options, as the sidebar holds them."""

    model_config = ConfigDict(extra="forbid")

    texture_model: str = "meshy-7"
    texture_resolution: str = "2k"
    enable_pbr: bool = True
    """Metallic, roughness and normal maps as well as base colour (not Meshy N1)."""
    remove_lighting: bool = True
    """Remove baked-in highlights and shadows (Meshy 7)."""

    @field_validator("texture_model")
    @classmethod
    def _known_model(cls, value: str) -> str:
        if value not in TEXTURE_MODELS:
            raise ValueError(f"Meshy has no texture model '{value[:40]}'; choose Meshy 7, Meshy N1 or Meshy 6 Lite")
        return value

    @field_validator("texture_resolution")
    @classmethod
    def _known_resolution(cls, value: str) -> str:
        if value not in TEXTURE_RESOLUTIONS:
            raise ValueError("texture resolution must be 2K, 4K or 8K")
        return value

    @model_validator(mode="after")
    def _fits_the_model(self) -> MeshyParams:
        if self.texture_model in TWO_K_ONLY and self.texture_resolution != "2k":
            raise ValueError(f"{model_label(self.texture_model)} makes 2K textures only; choose 2K or Meshy 7")
        return self


class MeshyRequest(MeshyParams):
    """One retexture: the options, the mesh and exactly one style input."""

    model_url: str = Field(repr=False)
    """The mesh as ``data:model/gltf-binary;base64,...``."""
    style_prompt: str = Field("", max_length=MAX_PROMPT_CHARS)
    image_style_url: str = Field("", repr=False)
    """The style image as a data URI."""

    @model_validator(mode="after")
    def _one_style(self) -> MeshyRequest:
        if self.texture_model in IMAGE_ONLY and not self.image_style_url:
            raise ValueError(f"{model_label(self.texture_model)} paints from a style image only: choose a style "
                             "image, or Meshy 7 for a text style")
        return self

    def body(self) -> dict[str, Any]:
        """The v2 request body: only fields v2 defines, and only those the chosen model honours. ``uv_mode`` is
        left out: its default keeps usable UVs, and the result is baked onto the artist's own UVs anyway."""
        body: dict[str, Any] = {"model_url": self.model_url, "texture_model": self.texture_model,
                                "texture_resolution": self.texture_resolution}
        if self.texture_model not in NO_PBR:
            body["enable_pbr"] = self.enable_pbr
        if self.texture_model in REMOVES_LIGHTING:
            body["remove_lighting"] = self.remove_lighting
        if self.image_style_url:  # never both: v2 answers parameters_conflict
            body["texture_image_url"] = self.image_style_url
        else:
            body["texture_prompt"] = self.style_prompt
        return body


TOPOLOGIES = ("quad", "triangle")
MIN_POLYCOUNT, MAX_POLYCOUNT = 100, 300_000
"""Remesh's ``target_polycount`` range (Meshy's own clients, December 2026)."""
ASSET_TOOL_CREDITS = 5
"""Remesh and UV Unwrap each cost 5 credits (Meshy's v2 pricing as its documentation states it; not confirmed by
an answer from the service, so shown as "about")."""


class RemeshRequest(BaseModel):
    """``POST /openapi/v2/remesh``: the mesh as a data URI, the topology and the face count to reach."""

    model_config = ConfigDict(extra="forbid")

    model_url: str = Field(repr=False)
    topology: str = "quad"
    target_polycount: int = Field(30_000, ge=MIN_POLYCOUNT, le=MAX_POLYCOUNT)

    @field_validator("topology")
    @classmethod
    def _known_topology(cls, value: str) -> str:
        if value not in TOPOLOGIES:
            raise ValueError("topology must be quad or triangle")
        return value

    def body(self) -> dict[str, Any]:
        return {"model_url": self.model_url, "topology": self.topology, "target_polycount": self.target_polycount}


class UvUnwrapRequest(BaseModel):
    """``POST /openapi/v2/uv-unwrap``: the mesh as a data URI (v2 documents no other field)."""

    model_config = ConfigDict(extra="forbid")

    model_url: str = Field(repr=False)

    def body(self) -> dict[str, Any]:
        return {"model_url": self.model_url}


ASSET_TOOLS: dict[str, tuple[type[BaseModel], str, str]] = {
    "REMESH": (RemeshRequest, "/openapi/v2/remesh", "remesh"),
    "UV_UNWRAP": (UvUnwrapRequest, "/openapi/v2/uv-unwrap", "uv-unwrap"),
}
"""Each asset tool's request model, where it is sent, and its task type (for the task list)."""
