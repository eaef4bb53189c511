"""Meshy's texturing settings as the sidebar shows them and the request carries them.

From Meshy's Retexture and Text to Texture documentation (https://docs.meshy.ai/api/retexture); the rules
between them (which model takes which resolution, several views, N1's images only) are checked again by
``MeshyParams``/``MeshyRequest`` in ``meshy_requests.py``.
"""

from __future__ import annotations

from typing import Any

from ..schema import Choice, Notice, Param, holds, value_of

RETEXTURE = (("endpoint", ("RETEXTURE",)),)
TEXT_TO_TEXTURE = (("endpoint", ("TEXT_TO_TEXTURE",)),)
N1 = (*RETEXTURE, ("ai_model", ("meshy-n1",)))
MAX_TEXT = 600
CREDITS = {"2k": 10, "4k": 10, "8k": 15}
"""Retexture: 10 credits, 15 at 8K (meshy-mcp-server's pricing table, December 2026)."""

ART_STYLES = (
    Choice("realistic", "Realistic"), Choice("fake-3d-cartoon", "3D Cartoon"),
    Choice("japanese-anime", "Japanese Anime"), Choice("cartoon-line-art", "Cartoon Line Art"),
    Choice("realistic-hand-drawn", "Realistic Hand-Drawn"), Choice("fake-3d-hand-drawn", "3D Hand-Drawn"),
    Choice("oriental-comic-ink", "Oriental Comic Ink"),
)

SETTINGS = (
    Param("endpoint", "enum", "Endpoint", default="RETEXTURE", request_field="", bare=True,
          choices=(Choice("RETEXTURE", "Retexture", "Meshy's current texturing endpoint"),
                   Choice("TEXT_TO_TEXTURE", "Text to Texture (Legacy)",
                          "The older endpoint, with art styles and resolution"))),
    Param("style_prompt", "text", "Style", "What the surface should look like (up to 600 characters)", default="",
          sent=False, unless=N1, max_length=MAX_TEXT),
    Param("style_image", "image", "Style Image",
          "An image whose look to copy (Retexture; used instead of the style text)", sent=False, when=RETEXTURE),
    Param("style_views", "paths", "Style Views",
          "Up to four images of the object to copy the style from, front first, separated by ';' "
          "(Meshy 7 or N1; used instead of the style text and image)", default="", sent=False, max_length=4,
          when=(*RETEXTURE, ("ai_model", ("latest", "meshy-7", "meshy-n1")))),
    Param("object_prompt", "text", "Object", "What the object is (Text to Texture; up to 600 characters)", default="",
          sent=False, when=TEXT_TO_TEXTURE, max_length=MAX_TEXT),
    Param("negative_prompt", "text", "Avoid", "What the texture should not have (Text to Texture)", default="",
          when=TEXT_TO_TEXTURE, max_length=MAX_TEXT),
    Param("enable_original_uv", "bool", "Keep Original UVs", default=True, options=True,
          description="Paint onto this mesh's own UVs and put the maps on it; off: Meshy makes UVs of its own and "
                      "Meshsmith bakes its result onto this mesh"),
    Param("enable_pbr", "bool", "PBR Maps", "Metallic, roughness and normal maps as well as colour", default=True,
          options=True, unless=N1),
    # Explicit numbers: a .blend stores the number, so an item keeps its number for ever. 2 was Meshy 5,
    # retired on 2026-10-10: a file saved with it reads as no model, which is sent as Latest with a notice.
    Param("ai_model", "enum", "AI Model", default="latest", options=True, when=RETEXTURE, fallback="latest",
          description="Meshy's texturing model (pin one by name for results that do not change when Meshy ships a "
                      "new one)",
          choices=(Choice("latest", "Latest (Meshy 7)", "Meshy's newest retexture model, today Meshy 7", 0),
                   Choice("meshy-7", "Meshy 7", "Style from text, an image or several views", 3),
                   Choice("meshy-6", "Meshy 6", "", 1),
                   Choice("meshy-6-lite", "Meshy 6 Lite", "Faster; 2K textures only", 4),
                   Choice("meshy-n1", "Meshy N1", "From a style image or views only; base colour at 2K, no PBR maps",
                          5))),
    Param("texture_resolution", "enum", "Texture Resolution", default="2k", options=True, when=RETEXTURE,
          unless=(("ai_model", ("meshy-6-lite", "meshy-n1")),),
          description="Size of the texture maps (8K costs 15 credits instead of 10; Meshy 6 Lite and N1 make 2K only)",
          choices=(Choice("2k", "2K", "10 credits"), Choice("4k", "4K", "10 credits"),
                   Choice("8k", "8K", "15 credits"))),
    Param("remove_lighting", "bool", "Remove Lighting", "Remove baked-in highlights and shadows (Meshy 6 and 7)",
          default=True, options=True, when=(*RETEXTURE, ("ai_model", ("latest", "meshy-7", "meshy-6")))),
    Param("art_style", "enum", "Art Style", default="realistic", options=True, when=TEXT_TO_TEXTURE,
          choices=ART_STYLES),
    Param("resolution", "enum", "Resolution", default="1024", options=True, when=TEXT_TO_TEXTURE,
          choices=(Choice("1024", "1024"), Choice("2048", "2048"), Choice("4096", "4096"))),
)

NOTICES = (Notice((*RETEXTURE, ("ai_model", ("",))),
                  "Meshy 5 was retired on 2026-10-10; this file asked for it, so Latest (Meshy 7) is used."),)


def price(values: Any) -> float | None:
    """Credits a retexture costs with these settings (None for the legacy endpoint, priced by Meshy's site)."""
    if not holds(RETEXTURE, values):
        return None
    two_k_only = holds((("ai_model", ("meshy-6-lite", "meshy-n1")),), values)
    return CREDITS["2k" if two_k_only else value_of(values, "texture_resolution")]
