"""The property names of each route's model choice: Generate and Retexture each choose a model of their own."""

from __future__ import annotations


class Slot:
    """The names of one route's model choice: the model, its input rows, and the model the rows were built for.
    Generate and Retexture each have their own (an image model and a mesh model are different models)."""

    __slots__ = ("route", "model", "inputs", "built_for")

    def __init__(self, route: str, prefix: str) -> None:
        self.route = route
        self.model, self.inputs, self.built_for = f"{prefix}model", f"{prefix}model_inputs", f"{prefix}model_inputs_for"


SLOTS = {"GENERATE": Slot("GENERATE", ""), "RETEXTURE": Slot("RETEXTURE", "mesh_")}


def slot(route: str) -> Slot:
    """The names of ``route``'s model choice (Generate's for a route without its own)."""
    return SLOTS.get(route, SLOTS["GENERATE"])
