"""Example 3D: a minimal provider that lives only under tests/, mounted into the add-on as ``providers.example``."""

from __future__ import annotations

from ..info import ADDON_PACKAGE, Credential, ProviderInfo
from . import settings

PROVIDER = ProviderInfo(
    "EXAMPLE", "Example 3D", client=f"{__name__}.client:ExampleProvider", default_base_url="https://api.example-3d.test",
    generates=("Example 3D", "Image to mesh on the example service"), settings=settings.SETTINGS,
    base_url_env="MESHSMITH_EXAMPLE_BASE_URL", simulator=f"{ADDON_PACKAGE}.sandbox.example",
    credentials=(Credential("api_key", "Example API Key", "Your key for the example service",
                            "MESHSMITH_EXAMPLE_API_KEY"),),
    missing_key="Add your Example 3D key in the preferences (or turn on the sandbox).",
    strings={"zh_HANS": {"Example 3D": "示例三维", "Detail Steps": "细节步数", "Example API Key": "示例 API 密钥"}})
