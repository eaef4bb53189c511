"""What a Meshy texturing request may hold, as Meshy accepts it in December 2026: models, resolutions, style inputs.

Checked here, before anything is sent, with messages an artist can act on; ``MeshyRequest.body()`` sends only
the options the chosen model accepts (see the notes at the top of meshy.py).
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

MAX_PROMPT_CHARS = 600


class Endpoint(str, Enum):
    RETEXTURE = "RETEXTURE"
    TEXT_TO_TEXTURE = "TEXT_TO_TEXTURE"

    @property
    def path(self) -> str:
        return {"RETEXTURE": "/openapi/v1/retexture", "TEXT_TO_TEXTURE": "/openapi/v1/text-to-texture"}[self.value]


ART_STYLES = ("realistic", "fake-3d-cartoon", "japanese-anime", "cartoon-line-art", "realistic-hand-drawn",
              "fake-3d-hand-drawn", "oriental-comic-ink")
AI_MODELS = ("latest", "meshy-7", "meshy-6", "meshy-6-lite", "meshy-n1")
"""Retexture models Meshy accepts (December 2026); ``latest`` is Meshy 7 for retexture."""
RETIRED_MODELS = {"meshy-5": "2026-10-10", "meshy-4": "", "meshy-t1": ""}
REMOVES_LIGHTING = frozenset({"latest", "meshy-7", "meshy-6"})
TWO_K_ONLY = frozenset({"meshy-6-lite", "meshy-n1"})
MULTIVIEW_MODELS = frozenset({"meshy-7", "meshy-n1"})
TEXTURE_RESOLUTIONS = ("2k", "4k", "8k")
MAX_VIEWS = 4


class MeshyParams(BaseModel):
    """The texturing options, all sent explicitly."""

    model_config = ConfigDict(extra="forbid")

    endpoint: Endpoint = Endpoint.RETEXTURE
    enable_original_uv: bool = True
    """Paint onto the mesh's own UVs (the result maps fit the artist's mesh)."""
    enable_pbr: bool = True
    """Metallic, roughness and normal maps as well as base colour."""
    # Retexture
    ai_model: str = "latest"
    texture_resolution: str = "2k"
    remove_lighting: bool = True
    # Text to Texture
    art_style: str = Field("realistic", pattern="^(" + "|".join(ART_STYLES) + ")$")
    resolution: str = Field("1024", pattern="^(1024|2048|4096)$")
    negative_prompt: str = Field("", max_length=MAX_PROMPT_CHARS)

    @field_validator("ai_model")
    @classmethod
    def _current_model(cls, value: str) -> str:
        if value in RETIRED_MODELS:
            when = f" on {RETIRED_MODELS[value]}" if RETIRED_MODELS[value] else ""
            raise ValueError(f"{value} was retired by Meshy{when}; choose Latest (Meshy 7), Meshy 7, Meshy 6, "
                             "Meshy 6 Lite or Meshy N1")
        if value not in AI_MODELS:
            raise ValueError(f"unknown model '{value}'; Meshy retextures with {', '.join(AI_MODELS)}")
        return value

    @field_validator("texture_resolution")
    @classmethod
    def _known_resolution(cls, value: str) -> str:
        if value not in TEXTURE_RESOLUTIONS:
            raise ValueError("texture resolution must be 2k, 4k or 8k")
        return value

    @model_validator(mode="after")
    def _fits_the_model(self) -> MeshyParams:
        if self.endpoint is Endpoint.RETEXTURE and self.ai_model in TWO_K_ONLY and self.texture_resolution != "2k":
            raise ValueError(f"{model_label(self.ai_model)} makes 2K textures only; choose 2K or another model")
        return self


def model_label(ai_model: str) -> str:
    return {"latest": "Latest (Meshy 7)", "meshy-7": "Meshy 7", "meshy-6": "Meshy 6", "meshy-6-lite": "Meshy 6 Lite",
            "meshy-n1": "Meshy N1"}.get(ai_model, ai_model)


class MeshyRequest(MeshyParams):
    model_url: str = Field(repr=False)
    """The mesh as a data URI (or a public URL)."""
    style_prompt: str = Field("", max_length=MAX_PROMPT_CHARS)
    object_prompt: str = Field("", max_length=MAX_PROMPT_CHARS)
    image_style_url: str = Field("", repr=False)
    multiview_image_urls: list[str] = Field(default_factory=list, repr=False, max_length=MAX_VIEWS)
    """Views of the object to copy the style from, front first (data URIs)."""

    @model_validator(mode="after")
    def _one_style(self) -> MeshyRequest:
        if self.endpoint is not Endpoint.RETEXTURE:
            return self
        if self.multiview_image_urls and self.sent_model not in MULTIVIEW_MODELS:
            raise ValueError(f"style from several views needs Meshy 7 or Meshy N1, not {model_label(self.ai_model)}")
        if self.ai_model == "meshy-n1" and not (self.image_style_url or self.multiview_image_urls):
            raise ValueError("Meshy N1 paints from images only: choose a style image or views")
        return self

    @property
    def sent_model(self) -> str:
        """The model named in the request: several views need ``meshy-7`` by name, and ``latest`` is Meshy 7 here."""
        return "meshy-7" if self.multiview_image_urls and self.ai_model == "latest" else self.ai_model

    def body(self) -> dict[str, Any]:
        if self.endpoint is Endpoint.RETEXTURE:
            model = self.sent_model
            body: dict[str, Any] = {
                "model_url": self.model_url, "ai_model": model, "enable_original_uv": self.enable_original_uv,
                # N1 accepts only false; it returns a base colour map alone.
                "enable_pbr": self.enable_pbr and model != "meshy-n1", "texture_resolution": self.texture_resolution,
                "target_formats": ["glb"],
            }
            if model in REMOVES_LIGHTING:
                body["remove_lighting"] = self.remove_lighting
            if self.multiview_image_urls:  # exactly one style input is sent
                body["multiview_image_urls"] = list(self.multiview_image_urls)
            elif self.image_style_url:
                body["image_style_url"] = self.image_style_url
            else:
                body["text_style_prompt"] = self.style_prompt
            return body
        return {
            "model_url": self.model_url, "object_prompt": self.object_prompt or "the object", "style_prompt": self.style_prompt,
            "enable_original_uv": self.enable_original_uv, "enable_pbr": self.enable_pbr, "resolution": self.resolution,
            "negative_prompt": self.negative_prompt, "art_style": self.art_style,
        }
