"""Collect every user-facing string of the add-on: what the Chinese translation must cover.

Used by the translation coverage test and by translators (``python tools/i18n_strings.py`` inside a
Blender with the add-on enabled prints them). Strings come from the registered classes' RNA (labels,
tooltips, property names and descriptions, enum items), from the literal ``text="..."`` labels and
messages in the UI modules, and (``message_templates``) from the messages built at run time: errors,
job progress lines and tweak summaries, found in the source by their shape, with ``{}`` where a value
goes in.
"""

from __future__ import annotations

import ast
import builtins
import inspect
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UI_SOURCES = ["panels/sidebar.py", "panels/asset_tools.py", "operators/asset_tools.py", "host/preferences.py",
              "operators/generate.py", "operators/retexture.py",
              "operators/jobs.py", "operators/tweaks.py", "operators/inputs.py"]


def _rna_strings(cls) -> set[str]:
    found: set[str] = set()
    for attr in ("bl_label", "bl_description"):
        value = getattr(cls, attr, "")
        if value:
            found.add(value)
    doc = inspect.cleandoc(cls.__dict__.get("__doc__") or "")  # its own: a mixin's docstring is no tooltip
    if doc and hasattr(cls, "bl_idname") and "." in getattr(cls, "bl_idname", ""):
        found.add(doc.strip())  # an operator's docstring is its tooltip
    rna = getattr(cls, "bl_rna", None)
    if rna is None:
        return found
    # Our own properties (a mixin's included), not Blender's base-class ones.
    declared = {name for klass in cls.__mro__ for name in vars(klass).get("__annotations__", {})}
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
    """Plain string literals passed as ``text=`` in the UI modules (reports: ``message_templates``)."""
    found: set[str] = set()
    for relative in UI_SOURCES:
        tree = ast.parse((ROOT / relative).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            for keyword in node.keywords:
                if keyword.arg == "text" and isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, str):
                    found.add(keyword.value.value)
    return {text for text in found if text.strip() and any(c.isalpha() for c in text)}


MESSAGE_SOURCES = ["providers", "net", "jobs", "mesh_io", "operators", "panels", "host"]
"""Where run-time messages come from. Not ``scripting/`` (console output for pipelines, kept in
English like Blender's own command line), the sandbox, or mesh_io/preview_render.py (a child process)."""
_MESSAGE_CALLS = {"commit": ("message", "error"), "set": ("message", "error"), "evolve": ("message", "error"),
                  "RemoteJob": ("message",), "JobRecord": ("label",)}
_TRANSLATION_CALLS = ("iface_", "rpt_", "pgettext_iface", "pgettext_rpt")
_REASON_CALLS = {"_refuse": 1, "_move_aside": 0, "_keep_broken_copy": 0}
"""Helpers that put a reason (an argument, by position) into a message: the reason is translated too."""
_MESSAGE_ATTRIBUTES = ("problem", "journal_error")
_SENTENCE_BUILDERS = ("validation_message", "_problem", "lost_answer_risk", "lost_answer_advice")
"""Functions that return a sentence for the artist (a request's problems, in words)."""
"""Attributes holding a sentence for the artist (``self.problem = f"..."``)."""


def _shapes(node: ast.AST | None) -> list[str]:
    """The message(s) an expression can produce, with ``{}`` for each value put in; [] if it is no literal."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return ["".join(part.value if isinstance(part, ast.Constant) else "{}" for part in node.values)]
    if isinstance(node, ast.IfExp):
        return _shapes(node.body) + _shapes(node.orelse)
    return []


def _source_files() -> list[Path]:
    files = []
    for entry in MESSAGE_SOURCES:
        path = ROOT / entry
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return [path for path in files if path.name not in ("preview_render.py", "__init__.py")]


def message_templates() -> set[str]:
    """Every message the add-on builds at run time, as a template (``{}`` for each value)."""
    import re

    found: set[str] = set()
    for path in _source_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        tweaks = path.name == "tweaks.py" and path.parent.name == "mesh_io"
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "attr", getattr(node.func, "id", ""))
                if name.endswith("Error") and not hasattr(builtins, name):  # ours; ValueError & co. are for developers
                    found.update(_shapes(node.args[0]) if node.args else [])
                    found.update(shape for kw in node.keywords if kw.arg == "message" for shape in _shapes(kw.value))
                for key in _MESSAGE_CALLS.get(name, ()):
                    found.update(shape for kw in node.keywords if kw.arg == key for shape in _shapes(kw.value))
                if name in ("report", "poll_message_set") and node.args:
                    found.update(_shapes(node.args[-1]))
                if name in _TRANSLATION_CALLS and node.args:
                    found.update(_shapes(node.args[0]))
                if name in _REASON_CALLS and len(node.args) > _REASON_CALLS[name]:
                    found.update(_shapes(node.args[_REASON_CALLS[name]]))
                drawn = path.parent.name == "panels" or path.name == "preferences.py"
                untranslated = any(kw.arg == "translate" and getattr(kw.value, "value", True) is False for kw in node.keywords)
                if name in ("label", "progress", "operator") and drawn and not untranslated:
                    # text=... with translate=False is already in the artist's language (iface_) or a name.
                    found.update(shape for kw in node.keywords if kw.arg == "text" for shape in _shapes(kw.value))
            elif isinstance(node, ast.Return) and tweaks:
                found.update(_shapes(node.value))  # each tweak returns the summary its operator reports
            elif isinstance(node, ast.FunctionDef) and node.name in _SENTENCE_BUILDERS:
                for inner in ast.walk(node):  # a function whose every return is a sentence for the artist
                    if isinstance(inner, ast.Return):
                        found.update(shape for shape in _shapes(inner.value) if shape != "{}")
            elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = [getattr(t, "id", "") for t in targets]
                if any(getattr(t, "attr", "") in _MESSAGE_ATTRIBUTES for t in targets):
                    for value in (node.value.elts if isinstance(node.value, ast.Tuple) else [node.value]):
                        found.update(_shapes(value))
                names += [getattr(e, "id", "") for t in targets for e in getattr(t, "elts", [])]
                if any(n.endswith("_MESSAGES") for n in names):  # tables of messages by status or code
                    for value in getattr(node.value, "values", []):
                        for item in (value.elts if isinstance(value, ast.Tuple) else [value]):
                            found.update(re.sub(r"\{\w+\}", "{}", shape) for shape in _shapes(item))
                elif any(n in ("message", "error", "reason") for n in names):
                    for value in (node.value.elts if isinstance(node.value, ast.Tuple) else [node.value]):
                        found.update(_shapes(value))
    return {text for text in found if any(c.isalpha() for c in text.replace("{}", ""))}


def all_strings(module) -> set[str]:
    """Every user-facing string of the enabled add-on ``module`` (the bl_ext package)."""
    import importlib

    classes = []
    for name in ("host.preferences", "panels.preferences", "host.properties", "operators.generate", "operators.retexture", "operators.jobs",
                 "operators.tweaks", "operators.asset_tools", "panels.sidebar", "panels.asset_tools"):
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
