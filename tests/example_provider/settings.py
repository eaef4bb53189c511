"""Example 3D's settings: the sidebar shows them, the request carries them."""

from __future__ import annotations

from ..schema import Param

SETTINGS = (
    Param("detail_steps", "int", "Detail Steps", "How many refinement steps the service runs", default=12, min=4, max=40,
          routes=("GENERATE",)),
    Param("smooth", "bool", "Smooth", "Smooth the surface before it is sent back", default=True, routes=("GENERATE",)),
)
