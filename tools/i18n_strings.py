"""Collect every user-facing string of the add-on: what the Chinese translation must cover.

Used by the translation coverage test and by translators (``python tools/i18n_strings.py`` inside a
Blender with the add-on enabled prints them). Strings come from the registered classes' RNA (labels,
tooltips, property names and descriptions, enum items) and from the literal ``text="..."`` labels and
messages in the UI modules.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UI_SOURCES = ["panels/sidebar.py", "preferences.py", "operators/generate.py", "operators/retexture.py",
              "operators/jobs.py", "operators/tweaks.py", "operators/inputs.py"]


def _rna_strings(cls) -> set[str]:
    found: set[str] = set()
    for attr in ("bl_label", "bl_description"):
        value = getattr(cls, attr, "")
        if value:
            found.add(value)
    doc = inspect.getdoc(cls)
    if doc and hasattr(cls, "bl_idname") and "." in getattr(cls, "bl_idname", ""):
        found.add(doc.strip())  # an operator's docstring is its tooltip
    rna = getattr(cls, "bl_rna", None)
    if rna is None:
        return found
    declared = set(getattr(cls, "__annotations__", {}))  # our own properties, not Blender's base-class ones
    for prop in rna.properties:
        if prop.identifier not in declared or prop.is_hidden:
            continue
        for text in (prop.name, prop.description):
            if text:
                found.add(text)
        for item in getattr(prop, "enum_items", ()):
            for text in (item.name, item.description):
                if text:
                    found.add(text)
    return found


def literal_ui_strings() -> set[str]:
    """Plain string literals passed as ``text=`` or to ``report``/``poll_message_set``/``label`` in the UI modules."""
    found: set[str] = set()
    for relative in UI_SOURCES:
        tree = ast.parse((ROOT / relative).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            for keyword in node.keywords:
                if keyword.arg == "text" and isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, str):
                    found.add(keyword.value.value)
            name = getattr(node.func, "attr", "")
            if name in ("report", "poll_message_set") and node.args:
                message = node.args[-1]
                if isinstance(message, ast.Constant) and isinstance(message.value, str):
                    found.add(message.value)
    return {text for text in found if text.strip() and any(c.isalpha() for c in text)}


def all_strings(module) -> set[str]:
    """Every user-facing string of the enabled add-on ``module`` (the bl_ext package)."""
    import importlib

    classes = []
    for name in ("preferences", "properties", "operators.generate", "operators.retexture", "operators.jobs",
                 "operators.tweaks", "panels.sidebar"):
        sub = importlib.import_module(f"{module.__name__}.{name}")
        classes += list(getattr(sub, "classes", ()))
    strings: set[str] = set()
    internal = {"MeshsmithJobItem", "MeshsmithRuntimeState"}  # runtime state, never shown as a property
    for cls in classes:
        if cls.__name__ not in internal:
            strings |= _rna_strings(cls)
    return strings | literal_ui_strings()


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(ROOT))
    import tempfile

    from tools.blender_env import enable_addon, prepare_user_resources

    prepare_user_resources(Path(tempfile.mkdtemp()))
    import bpy  # noqa: F401

    for text in sorted(all_strings(enable_addon())):
        print(repr(text))
