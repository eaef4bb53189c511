"""Segmind: Hunyuan3D-2 (image to textured mesh) and Hunyuan3D-Paint (paint a given mesh)."""

from __future__ import annotations

from ..info import ADDON_PACKAGE, Credential, ProviderInfo
from . import settings, strings

PROVIDER = ProviderInfo(
    "SEGMIND", "Segmind", client=f"{__name__}.client:SegmindProvider", default_base_url="https://api.segmind.com",
    generates=("Hunyuan3D-2 (Segmind)", "Image to textured mesh on Segmind"), settings=settings.SETTINGS,
    retextures=("Hunyuan3D-Paint (Segmind)",
                "Paint the mesh from a reference image on Segmind, then bake the result onto its own UVs"),
    balance=("credits", "segmind_credits", "Segmind credits: {}"),
    base_url_env="MESHSMITH_SEGMIND_BASE_URL", simulator=f"{ADDON_PACKAGE}.sandbox.segmind", takes_prompt=True,
    credentials=(Credential("api_key", "Segmind API Key",
                            "Your Segmind key. Stored by Blender in your user preferences file, never in .blend scenes",
                            "MESHSMITH_SEGMIND_API_KEY"),),
    missing_key="Add your Segmind API key in the preferences (or turn on the sandbox).",
    strings={"zh_HANS": strings.ZH_HANS})
