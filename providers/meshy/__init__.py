"""Meshy: Retexture on Meshy's API v2, with live progress over SSE."""

from __future__ import annotations

from ..info import ADDON_PACKAGE, Credential, ProviderInfo
from . import settings, strings

TEST_MODE_KEY = "msy_dummy_api_key_for_test_mode_12345678"
"""Meshy's public test-mode key (documented for v1: no credits, canned results). Offered as a switch, never a
default; Meshy's API v2 may refuse it, and a 401 for it says so."""

PROVIDER = ProviderInfo(
    "MESHY", "Meshy", client=f"{__name__}.client:MeshyProvider", default_base_url="https://api.meshy.ai",
    retextures=("Meshy", "Meshy Retexture"), retexture_rank=0, asset_tools=("REMESH", "UV_UNWRAP"),
    asset_tool_price=5,
    balance=("balance", "meshy_balance", "Meshy balance: {}"), lists_tasks=True,
    base_url_env="MESHSMITH_MESHY_BASE_URL", simulator=f"{ADDON_PACKAGE}.sandbox.meshy", can_look_up=True,
    test_mode_key=TEST_MODE_KEY,
    test_mode=("Try Meshy Without Credits",
               "Use Meshy's public test-mode key: no credits are spent and every task returns the same sample "
               "result, not a texture of your mesh",
               "Meshy test mode: sample results only, not your mesh. Nothing is charged.",
               "Meshy test mode: sample results, no credits."), settings=settings.SETTINGS,
    price=settings.price, price_unit="credits",
    credentials=(Credential("api_key", "Meshy API Key",
                            "Your Meshy key (msy_...). Stored by Blender in your user preferences file, never in "
                            ".blend scenes", "MESHSMITH_MESHY_API_KEY"),),
    missing_key="Add your Meshy API key in the preferences (or try Meshy without credits, or the sandbox).",
    strings={"zh_HANS": strings.ZH_HANS})
