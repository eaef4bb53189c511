"""Scenario: its 3D model catalog (every model described by its own schema), uploads and dry-run prices."""

from __future__ import annotations

from ..info import ADDON_PACKAGE, Credential, ProviderInfo
from . import settings, strings

PROVIDER = ProviderInfo(
    "SCENARIO", "Scenario", client=f"{__name__}.client:ScenarioProvider",
    generates=("Scenario", "Hunyuan 3D 2.1, Tripo, Meshy, Rodin and the rest of Scenario's 3D catalog"),
    retextures=("Scenario catalog", "Retexture or remesh the selected mesh with a model of Scenario's catalog"),
    retexture_rank=60, catalog=True,
    settings=settings.SETTINGS,
    estimate=("scenario_estimate", "CU"),
    default_base_url="https://api.cloud.scenario.com", base_url_env="MESHSMITH_SCENARIO_BASE_URL",
    simulator=f"{ADDON_PACKAGE}.sandbox.scenario", can_look_up=True,
    credentials=(
        Credential("api_key", "Scenario API Key",
                   "Your Scenario API key. Stored by Blender in your user preferences file, never in .blend scenes",
                   "MESHSMITH_SCENARIO_API_KEY"),
        Credential("api_secret", "Scenario API Secret", "The secret shown once when the Scenario key was created",
                   "MESHSMITH_SCENARIO_API_SECRET"),
        Credential("project_id", "Scenario Project ID",
                   "Optional: the project that owns uploads and results (needed for project keys)",
                   "MESHSMITH_SCENARIO_PROJECT_ID", secret=False, required=False)),
    missing_key="Add your Scenario API key and secret in the preferences (or turn on the sandbox).",
    strings={"zh_HANS": strings.ZH_HANS})
