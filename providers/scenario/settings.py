"""Scenario's Hunyuan 3D 2.1 (``model_hunyuan-3d-v2-1``) settings as the sidebar shows them: the schema of the
catalog's default model, kept as scene settings (``scene.meshsmith.scenario.steps``...). Every other model of the
catalog is drawn from its own schema (``scenario_catalog.py``, ``catalog_properties.py``).

The request spells them in camelCase (``guidanceScale``, ``targetFaceNum``): Scenario's model inputs
(https://docs.scenario.com). ``ScenarioParams`` in ``scenario.py`` checks them again.
"""

from __future__ import annotations

from ..schema import Param

_GENERATE = ("GENERATE",)  # the catalog's retexture and remesh models have inputs of their own

SETTINGS = (
    Param("paint", "bool", "Paint", "Paint PBR textures onto the mesh", default=True, routes=_GENERATE),
    Param("steps", "int", "Steps", "Generation steps (affects cost)", default=30, min=10, max=100, routes=_GENERATE),
    Param("guidance_scale", "float", "Guidance", "How closely the shape follows the image", default=5.0, min=1.0,
          max=10.0, request_field="guidanceScale", routes=_GENERATE),
    Param("target_face_num", "int", "Target Faces", "Target face count of the mesh (affects cost)", default=40000,
          min=100, max=1_000_000, request_field="targetFaceNum", routes=_GENERATE),
    Param("seed", "int", "Seed", "-1 picks a random seed, which is recorded on the result", default=-1, min=-1,
          routes=_GENERATE),
)
