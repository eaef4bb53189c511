"""The scene properties of a provider with a model catalog (Scenario): which model, the filter, and the chosen
model's inputs as editable rows.

A model's inputs are only known at run time (from its schema), so they are rows of one generic type
(``MeshsmithModelInput``): each row knows its input's name, label and kind and holds its value in the
property of that kind; the sidebar draws the one that applies. Every edit is remembered per model in the
scene (``model_values``, JSON), so going back to a model brings its values back. Ranges and allowed values
are checked when the job is made, with the input's own label (``providers/scenario/catalog_values.check_values``).
"""

from __future__ import annotations

from bpy.props import BoolProperty, CollectionProperty, EnumProperty, FloatProperty, IntProperty, StringProperty
from bpy.types import PropertyGroup

from ...providers.scenario import catalog as scenario_catalog
from . import state as catalog_state

TASK_FILTERS = [
    ("ALL", "All Models", "Every model of the catalog"),
    (scenario_catalog.IMAGE_TO_3D, "Image to 3D", "Models that make a mesh from one image"),
    (scenario_catalog.TEXT_TO_3D, "Text to 3D", "Models that make a mesh from a prompt"),
    (scenario_catalog.VIEWS_TO_3D, "Several Views to 3D", "Models that make a mesh from several pictures"),
    (scenario_catalog.RETEXTURE, "Retexture a Mesh", "Models that paint a mesh you send (selected object)"),
    (scenario_catalog.REMESH, "Remesh a Mesh", "Models that rebuild a mesh you send (selected object)"),
]


def _remember(row, _context) -> None:
    catalog_state.remember_row(row)


class MeshsmithModelChoice(PropertyGroup):
    """One allowed value of an input: ``name`` is what the menu shows (the schema's label), ``value`` the value
    itself as JSON."""

    value: StringProperty(name="Value")


class MeshsmithModelInput(PropertyGroup):
    """One input of the chosen model (``name`` is the input's name in the request)."""

    label: StringProperty(name="Label")
    description: StringProperty(name="Description")
    kind: StringProperty(name="Kind")
    """'number', 'integer', 'boolean', 'text', 'choice', 'prompt', 'file', 'files', 'list'."""
    file_kind: StringProperty(name="File Kind")
    required: BoolProperty(name="Required")
    is_set: BoolProperty(name="Set")
    """The value was given (a default, a remembered value, an edit): an input never set is not sent, so the
    service's own default applies (a number's 0 is not a choice anyone made)."""
    number_value: FloatProperty(name="Value", update=_remember)
    integer_value: IntProperty(name="Value", update=_remember)
    boolean_value: BoolProperty(name="Value", update=_remember)
    text_value: StringProperty(name="Value", update=_remember)
    file_value: StringProperty(name="File", subtype="FILE_PATH", update=_remember)
    choices: CollectionProperty(type=MeshsmithModelChoice, name="Choices")
    hint: StringProperty(name="Hint")
    """The range or length limit, shown beside the value."""

    @property
    def value_property(self) -> str:
        return {"number": "number_value", "integer": "integer_value", "boolean": "boolean_value",
                "file": "file_value"}.get(self.kind, "text_value")


DEFAULT_MESH_MODEL = "model_meshy-7-retexture"


def catalog_annotations() -> dict:
    """The properties a provider with a catalog adds to its settings (``scene.meshsmith.scenario.model``...)."""

    def model_changed(settings, context) -> None:
        catalog_state.model_chosen(settings, context, route="GENERATE")

    def mesh_model_changed(settings, context) -> None:
        catalog_state.model_chosen(settings, context, route="RETEXTURE")

    return {
        "model": StringProperty(
            name="Model", default=scenario_catalog.DEFAULT_MODEL, update=model_changed,
            description="The catalog model that makes the mesh (its id, e.g. model_tripo-v3-1-image-to-3d)"),
        "mesh_model": StringProperty(
            name="Mesh Model", default=DEFAULT_MESH_MODEL, update=mesh_model_changed,
            description="The catalog model that retextures or remeshes the selected object (its id)"),
        "mesh_model_inputs": CollectionProperty(type=MeshsmithModelInput, name="Mesh Model Inputs"),
        "mesh_model_inputs_for": StringProperty(options={"HIDDEN"}),
        "model_filter": EnumProperty(name="Show", items=TASK_FILTERS, default="ALL",
                                     description="Which models the model menu lists"),
        "model_inputs": CollectionProperty(type=MeshsmithModelInput, name="Inputs"),
        "model_values": StringProperty(
            name="Remembered Values", default="{}", options={"HIDDEN"},
            description="The inputs set for each model in this scene (JSON), brought back when a model is chosen"),
        # The model the rows were built for (they are rebuilt when the chosen model's schema arrives).
        "model_inputs_for": StringProperty(options={"HIDDEN"}),
    }


classes = (MeshsmithModelChoice, MeshsmithModelInput)


