"""Meshy's retexture settings as the sidebar shows them and the v2 request carries them.

From Meshy's API v2 Retexture documentation (https://docs.meshy.ai/en/api/retexture); the rules between them (which
model takes which resolution, N1's style image only) are checked again by ``MeshyParams``/``MeshyRequest`` in
``request_models.py``.
"""

from __future__ import annotations

from typing import Any

from ..schema import Choice, Param, Renamed, holds, value_of

N1 = (("texture_model", ("meshy-n1",)),)
MAX_TEXT = 600
CREDITS = {"2k": 10, "4k": 10, "8k": 15}
"""Retexture: 10 credits, 15 at 8K (Meshy's pricing as its own clients state it, December 2026)."""

FROM_AI_MODEL = Renamed(
    "ai_model",
    # v1's items by the number a .blend stores: latest 0, meshy-6 1, meshy-5 2, meshy-7 3, meshy-6-lite 4, meshy-n1 5.
    {0: "meshy-7", 1: "meshy-7", 2: "meshy-7", 3: "meshy-7", 4: "meshy-6-lite", 5: "meshy-n1"},
    noted=frozenset({1, 2}),
    note="This file asked Meshy for a texturing model its API v2 no longer offers (Meshy 6 or 5): Meshy 7 is used.")
"""A .blend saved before Meshy's API v2 holds ``ai_model``: it opens with the matching ``texture_model``."""

SETTINGS = (
    Param("style_prompt", "text", "Style", "What the surface should look like (up to 600 characters)", default="",
          sent=False, unless=N1, max_length=MAX_TEXT),
    Param("style_image", "image", "Style Image",
          "An image whose look to copy (used instead of the style text; Meshy N1 needs one)", sent=False),
    Param("texture_model", "enum", "Texture Model", default="meshy-7", options=True, renamed_from=FROM_AI_MODEL,
          description="Meshy's texturing model",
          choices=(Choice("meshy-7", "Meshy 7", "Style from text or an image; PBR maps up to 8K", 0),
                   Choice("meshy-6-lite", "Meshy 6 Lite", "Faster; 2K textures only", 2),
                   Choice("meshy-n1", "Meshy N1", "From a style image only; base colour at 2K, no PBR maps", 1))),
    Param("texture_resolution", "enum", "Texture Resolution", default="2k", options=True,
          unless=(("texture_model", ("meshy-6-lite", "meshy-n1")),),
          description="Size of the texture maps (8K costs 15 credits instead of 10; Meshy 6 Lite and N1 make 2K only)",
          choices=(Choice("2k", "2K", "10 credits"), Choice("4k", "4K", "10 credits"),
                   Choice("8k", "8K", "15 credits"))),
    Param("enable_pbr", "bool", "PBR Maps", "Metallic, roughness and normal maps as well as colour", default=True,
          options=True, unless=N1),
    Param("remove_lighting", "bool", "Remove Lighting", "Remove baked-in highlights and shadows (Meshy 7)",
          default=True, options=True, when=(("texture_model", ("meshy-7",)),)),
)


def price(values: Any) -> float | None:
    """Credits a retexture costs with these settings."""
    two_k_only = holds((("texture_model", ("meshy-6-lite", "meshy-n1")),), values)
    return CREDITS["2k" if two_k_only else value_of(values, "texture_resolution")]
