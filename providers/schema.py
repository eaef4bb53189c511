"""A provider's settings, described once: what Blender shows, what the job records and what the request carries.

Each provider lists its settings as ``Param``s in its registry entry (see ``providers/registry.py``). From that
one list, ``properties.py`` builds the scene's settings (``scene.meshsmith.<provider>.<name>``, with the same
names, ranges, defaults, labels and tooltips), the sidebar draws them (in order, shown and enabled by the
``when``/``unless``/``enabled_when`` rules), the job collects its parameters (``collect``), and the contract
suite checks that each one reaches the request body under its ``request_field``.

Bpy-free and pydantic-free: the registry imports it while Blender registers the add-on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

Kind = Literal["int", "float", "bool", "enum", "text", "image", "paths", "reference"]
"""``image``: an image datablock of the provider's own (a style image); ``paths``: files separated by ';';
``reference``: the scene's reference image (``scene.meshsmith.image`` or its file), shared by the routes."""
Route = Literal["GENERATE", "RETEXTURE"]
Rule = tuple[tuple[str, tuple[Any, ...]], ...]
"""Conditions on other settings, all of which must hold: ``(("endpoint", ("RETEXTURE",)),)``."""


class Choice:
    """One item of an enum setting. ``number`` is what a .blend stores: an item keeps its number for ever."""

    __slots__ = ("id", "label", "description", "number")

    def __init__(self, id: str, label: str, description: str = "", number: int | None = None) -> None:  # noqa: A002
        self.id, self.label, self.description, self.number = id, label, description, number


# A Param's optional fields and their defaults. Plain classes rather than dataclasses: the registry is
# imported while Blender registers the add-on, and making a dozen-field dataclass costs milliseconds there.
_PARAM_OPTIONS: dict[str, Any] = {
    "default": None,
    "min": None,
    "max": None,
    "choices": (),
    "sent": True,
    # Where the value lands in the request body; None: under its own name; "": not sent (steers the client).
    "request_field": None,
    "when": (),  # shown (and sent to the request) only when these hold
    "unless": (),  # hidden when these all hold
    "enabled_when": (),  # drawn greyed out unless these hold
    "fallback": None,  # collected when the stored value is empty (an enum item retired since the file was saved)
    "max_length": None,  # text: at most this many characters; paths: at most this many files
    "options": False,  # drawn in the provider's collapsed options panel rather than with the main inputs
    "bare": False,  # drawn without its label (a selector at the top of a panel)
    "routes": ("GENERATE", "RETEXTURE"),  # the routes whose panel shows it
    "renamed_from": None,  # a ``Renamed``: the name (and enum numbers) a file saved by an older Meshsmith holds
}


class Param:
    """One setting of a provider: ``Param(name, kind, label, description, **options)``, options as in
    ``_PARAM_OPTIONS``.

    ``sent`` settings are the job's parameters (checked by the client's ``validate_params`` and journaled);
    the others are the route's inputs (a style text, a style image, views), read by the operator that builds
    the job. ``request_field`` is the name the value takes in the service's request body ('' when the value
    steers the client instead of being sent, as Segmind's API mode).
    """

    __slots__ = ("name", "kind", "label", "description", *_PARAM_OPTIONS)

    def __init__(self, name: str, kind: Kind, label: str, description: str = "", **options: Any) -> None:
        unknown = set(options) - set(_PARAM_OPTIONS)
        if unknown:
            raise TypeError(f"{name}: unknown setting options {sorted(unknown)}")
        self.name, self.kind, self.label, self.description = name, kind, label, description
        for key, default in _PARAM_OPTIONS.items():
            setattr(self, key, options.get(key, default))

    @property
    def field(self) -> str:
        return self.name if self.request_field is None else self.request_field

    def __repr__(self) -> str:
        return f"Param({self.name!r}, {self.kind!r})"


class Renamed:
    """A setting's name (and, for an enum, its items' numbers) in files saved before it was renamed: such a file
    opens with the value ``by_number`` maps the stored number to; a number in ``noted`` also shows ``note`` once."""

    __slots__ = ("old_name", "by_number", "noted", "note")

    def __init__(self, old_name: str, by_number: Mapping[int, Any], *, noted: frozenset[int] = frozenset(),
                 note: str = "") -> None:
        self.old_name, self.by_number, self.noted, self.note = old_name, dict(by_number), noted, note


class Notice:
    """A line the sidebar shows while ``when`` holds (a retired model a file asked for)."""

    __slots__ = ("when", "text")

    def __init__(self, when: Rule, text: str) -> None:
        self.when, self.text = when, text


def for_route(params: tuple[Param, ...], route: Route) -> list[Param]:
    return [param for param in params if route in param.routes]


def holds(rule: Rule, values: Any) -> bool:
    """Whether every condition of ``rule`` holds for ``values`` (a settings group, or any object with attributes)."""
    return all(value_of(values, name) in allowed for name, allowed in rule)


def shown(param: Param, values: Any) -> bool:
    return holds(param.when, values) and not (param.unless and holds(param.unless, values))


def enabled(param: Param, values: Any) -> bool:
    return holds(param.enabled_when, values)


def collect(params: tuple[Param, ...], values: Any) -> dict[str, Any]:
    """The job's parameters from a settings group: every ``sent`` setting, floats rounded as the UI shows them."""
    collected: dict[str, Any] = {}
    for param in params:
        if not param.sent:
            continue
        value = value_of(values, param.name)
        if param.kind == "float":
            value = round(float(value), 4)
        elif param.kind == "enum" and value == "" and param.fallback is not None:
            value = param.fallback
        collected[param.name] = value
    return collected


def defaults(params: tuple[Param, ...]) -> dict[str, Any]:
    return {param.name: param.default for param in params}


def value_of(values: Any, name: str) -> Any:
    """A setting's value from a settings group (attributes) or a plain mapping (tests, the contract suite)."""
    return values[name] if isinstance(values, Mapping) else getattr(values, name)
