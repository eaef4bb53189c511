"""Mount the example provider that lives in tests/example_provider/ into an add-on package, as a studio would add a
provider of its own: its folder becomes ``<add-on>.providers.example``, its simulator ``<add-on>.sandbox.example``,
and one line registers it (``registry.add``). Nothing outside tests/ names it."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path

FOLDER = Path(__file__).resolve().parent / "example_provider"


def _load(name: str, path: Path, *, package: bool):
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path,
                                                  submodule_search_locations=[str(path.parent)] if package else None)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def mount(addon: str):
    """Register the example provider with the add-on imported as ``addon``; returns its registry entry."""
    importlib.import_module(f"{addon}.providers")
    importlib.import_module(f"{addon}.sandbox.routing")
    provider = _load(f"{addon}.providers.example", FOLDER / "__init__.py", package=True)
    _load(f"{addon}.sandbox.example", FOLDER / "simulator.py", package=False)
    importlib.import_module(f"{addon}.providers.registry").add(provider.PROVIDER)
    return provider.PROVIDER
