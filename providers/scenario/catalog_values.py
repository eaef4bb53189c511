"""A catalog model's values: its defaults, a job's values checked against its schema (refusals name the input by its
own label), the job's files given to its file inputs. Pure functions over ``catalog.CatalogModel``."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ...net import errors as E
from .catalog import CatalogModel, ModelInput


def defaults(model: CatalogModel) -> dict[str, Any]:
    """The values a model starts from: each non-file input's default, when it declares one."""
    values: dict[str, Any] = {}
    for item in model.inputs or ():
        if not item.is_file and item.default is not None:
            values[item.name] = item.default
    return values


def check_values(model: CatalogModel, values: Mapping[str, Any], files: Mapping[str, list[str]]) -> dict[str, Any]:
    """The body values of a job (files excluded), checked against the model's schema; raises ``InvalidInputError``
    naming the input by its own label. ``files``: each file input given, with its local paths (or asset ids)."""
    if model.inputs is None:
        raise E.InvalidInputError(f"The inputs of {model.title} are not known yet. Refresh the catalog.")
    known = {item.name: item for item in model.inputs}
    unknown = sorted((set(values) | set(files)) - set(known))
    if unknown:
        names = ", ".join(unknown[:5])
        raise E.InvalidInputError(f"{model.title} has no input named {names}. Its inputs: "
                                  f"{', '.join(sorted(known))[:300]}.")
    checked: dict[str, Any] = {}
    for name, value in values.items():
        item = known[name]
        if item.is_file:
            raise E.InvalidInputError(f"{item.title}: give a file for this input.")
        checked[name] = _checked(item, value)
    for name, paths in files.items():
        item = known[name]
        if not item.is_file:
            raise E.InvalidInputError(f"{item.title} is not a file input.")
        limit = (item.max_length or 1) if item.type == "file_array" else 1
        if len(paths) > limit:
            raise E.InvalidInputError(f"{item.title} takes at most {limit} file(s); {len(paths)} were given.")
    given = {name for name, value in checked.items() if value not in ("", None, [])} | {n for n, p in files.items() if p}
    for item in model.inputs:
        rule, sibling = item.required
        needed = rule == "always" or (rule == "if_defined" and sibling in given) or (
            rule == "if_not_defined" and sibling not in given)
        if needed and item.name not in given:
            if rule == "if_not_defined":
                other = known[sibling].title if sibling in known else sibling
                raise E.InvalidInputError(f"{model.title} needs {item.title} or {other}.")
            raise E.InvalidInputError(f"{model.title} needs {item.title}.")
    return checked


def _checked(item: ModelInput, value: Any) -> Any:
    title = item.title
    if item.choices and value not in [choice for choice, _label in item.choices]:
        shown = ", ".join(str(choice) for choice, _label in item.choices[:8])
        raise E.InvalidInputError(f"{title}: '{str(value)[:40]}' is not one of: {shown}.")
    if item.type == "boolean":
        if not isinstance(value, bool):
            raise E.InvalidInputError(f"{title} must be on or off (true or false).")
        return value
    if item.type == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise E.InvalidInputError(f"{title} must be a number.")
        if item.integer:
            if value != int(value):
                raise E.InvalidInputError(f"{title} must be a whole number.")
            value = int(value)
        if item.min is not None and value < item.min or item.max is not None and value > item.max:
            raise E.InvalidInputError(f"{title} must be between {plain_number(item.min)} and {plain_number(item.max)}.")
        return value
    if item.type == "string":
        if not isinstance(value, str):
            raise E.InvalidInputError(f"{title} must be text.")
        if item.max_length is not None and len(value) > item.max_length:
            raise E.InvalidInputError(f"{title} is {len(value)} characters long; at most {item.max_length} are allowed.")
        return value
    if item.type == "string_array":
        if not isinstance(value, list) or not all(isinstance(part, str) for part in value):
            raise E.InvalidInputError(f"{title} must be a list of texts.")
        return value
    raise E.InvalidInputError(f"{title}: unsupported input type.")


def plain_number(number: float | None) -> str:
    if number is None:
        return "any"
    return str(int(number)) if number == int(number) else f"{number:g}"


def assign_files(model: CatalogModel, image_paths: list[str], mesh_path: str,
                 named: Mapping[str, Any]) -> dict[str, list[str]]:
    """Which file input each file goes to: files named in ``named`` (input name -> path or list of paths) where
    the caller said; the reference images to the model's image inputs (a ``file_array`` takes them all; separate
    view inputs take one each, in the schema's order, front first); the mesh to its 3D input."""
    files: dict[str, list[str]] = {}
    for name, value in named.items():
        paths = value if isinstance(value, list) else [value]
        files[name] = [str(path) for path in paths if str(path)]
    inputs = model.inputs or ()
    image_inputs = [item for item in inputs if item.is_file and item.kind in ("image", "") and item.name not in files]
    remaining = list(image_paths)
    for item in image_inputs:
        if not remaining:
            break
        if item.type == "file_array":
            files[item.name], remaining = remaining, []
        else:
            files[item.name], remaining = [remaining[0]], remaining[1:]
    if remaining:
        raise E.InvalidInputError(f"{model.title} takes {len(image_paths) - len(remaining)} reference image(s); "
                                  f"{len(image_paths)} were given.")
    if mesh_path:
        mesh_input = next((item for item in inputs if item.is_file and item.kind == "3d" and item.name not in files),
                          None)
        if mesh_input is None:
            raise E.InvalidInputError(f"{model.title} does not take a mesh.")
        files[mesh_input.name] = [mesh_path]
    return files


def job_values(model: CatalogModel, values: Mapping[str, Any], *, prompt: str = "", images: list[str] = (),
               images_from_sidebar: bool = False, mesh_path: str = "") -> tuple[dict[str, Any], dict[str, list[str]]]:
    """(checked body values, files by input) of a job on ``model``; raises ``InvalidInputError`` naming the input.

    File inputs named in ``values`` (with local paths) become files; the prompt goes to the model's prompt input;
    images that were only the sidebar's are dropped for a model without image inputs; the model's defaults (and
    Rodin's PBR) are merged under the values. Shared by Blender's check before the job and the worker's."""
    values = dict(values)
    named = {name: values.pop(name) for name in list(values)
             if (item := model.input(name)) is not None and item.is_file}
    if prompt:
        prompt_input = next((item for item in model.inputs or () if item.prompt), None)
        if prompt_input is None:
            raise E.InvalidInputError(f"{model.title} takes no prompt; leave it empty.")
        values.setdefault(prompt_input.name, prompt)
    if images_from_sidebar and not any(item.is_file and item.kind == "image" for item in model.inputs or ()):
        images = []
    files = assign_files(model, list(images), mesh_path, named)
    merged = {**defaults(model), **pbr_defaults(model, values), **values}
    return check_values(model, merged, files), files


def pbr_defaults(model: CatalogModel, values: Mapping[str, Any]) -> dict[str, Any]:
    """Settings Meshsmith asks for unless the artist chose otherwise: Rodin's ``material: "PBR"`` (with its
    default "All" Rodin answers two meshes, a shaded one and a PBR one)."""
    extra: dict[str, Any] = {}
    material = model.input("material")
    if material is not None and "material" not in values and any(value == "PBR" for value, _ in material.choices):
        extra["material"] = "PBR"
    return extra
