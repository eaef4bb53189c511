"""A record class without code generation, for what Blender imports while it registers the add-on.

``dataclass`` writes and compiles an ``__init__``, ``__repr__``, ``__eq__`` (and more when frozen) for every
class: for the registry's dozen-field records that is milliseconds at start-up. ``LightRecord`` reads the
fields from the class's annotations and the defaults from its class attributes, once, and sets them in one
generic ``__init__``. Records are read-only after construction.
"""

from __future__ import annotations

from typing import Any

_MISSING = object()


class LightRecord:
    """Fields: the subclass's annotated names, in order; defaults: their class attributes."""

    _fields: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._fields = tuple(name for name in cls.__dict__.get("__annotations__", {}) if not name.startswith("_"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if len(args) > len(self._fields):
            raise TypeError(f"{type(self).__name__} takes at most {len(self._fields)} positional values")
        values = dict(zip(self._fields, args, strict=False))
        clash = set(values) & set(kwargs)
        unknown = set(kwargs) - set(self._fields)
        if clash or unknown:
            raise TypeError(f"{type(self).__name__}: {sorted(clash)} given twice, {sorted(unknown)} unknown")
        values.update(kwargs)
        for name in self._fields:
            value = values.get(name, getattr(type(self), name, _MISSING))
            if value is _MISSING:
                raise TypeError(f"{type(self).__name__} needs {name}")
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{name}={getattr(self, name)!r}' for name in self._fields[:2])}, ...)"
