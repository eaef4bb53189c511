"""What the Blender side may know about each provider without loading its client (no pydantic, no requests).

Cheap to import: the sidebar reads it while drawing. Facts about a service live here once; the client
modules hold the wire formats.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ProviderInfo:
    id: str
    """Upper-case id, as operator arguments and job records spell it."""
    label: str
    takes_prompt: bool = False
    """Whether the generate route uses a text prompt (Scenario's Hunyuan 2.1 takes none)."""
    can_look_up: bool = False
    """Whether the service lists its jobs, so a job whose creating answer was lost can be found again."""
    credits: dict[str, float] = field(default_factory=dict)
    """Known prices by option, in the service's unit."""


PROVIDERS: dict[str, ProviderInfo] = {
    "SEGMIND": ProviderInfo("SEGMIND", "Segmind", takes_prompt=True),
    "SCENARIO": ProviderInfo("SCENARIO", "Scenario", can_look_up=True),
    # Retexture: 10 credits, 15 at 8K (meshy-mcp-server's pricing table, December 2026).
    "MESHY": ProviderInfo("MESHY", "Meshy", can_look_up=True, credits={"2k": 10, "4k": 10, "8k": 15}),
}


def info(provider_id: str) -> ProviderInfo:
    return PROVIDERS.get(provider_id) or ProviderInfo(provider_id, provider_id.title())
