"""Scene settings the artist chose (saved in the .blend) and runtime job state (WindowManager, never saved).

Names mirror the provider APIs (``scene.meshsmith.segmind.num_inference_steps``) so scripts read like
the service's documentation. Ranges and defaults are the documented ones; the provider's pydantic
model checks them again, so values set from Python cannot slip past.
"""

from __future__ import annotations

import bpy
from bpy.props import (
    BoolProperty,
    CollectionProperty,
    EnumProperty,
    FloatProperty,
    IntProperty,
    PointerProperty,
    StringProperty,
)
from bpy.types import PropertyGroup

from ..providers import registry, schema
from . import joblist, runtime
from .catalog import properties as catalog_properties

PROVIDER_ITEMS = registry.enum_items(registry.generators(), "generates")
RETEXTURE_ITEMS = registry.enum_items(registry.retexturers(), "retextures")


class ProviderSettings(PropertyGroup):
    """A provider's settings in the scene; the subclasses are made from the registry's schema."""

    settings_schema = ()  # no annotation: Blender would take it for a property
    """The provider's ``Param``s, set on each subclass."""

    def as_params(self) -> dict:
        """The job's parameters (the ``sent`` settings), as the client's ``validate_params`` takes them."""
        return schema.collect(self.settings_schema, self)

    def adopt_renamed(self) -> None:
        """Take over what a file saved before a setting was renamed holds under the old name (``Param.renamed_from``):
        the new setting gets the mapped value, the old value goes, and a value that could not be kept as it was
        leaves ``settings_note`` for the sidebar to say once."""
        for param in self.settings_schema:
            renamed = param.renamed_from
            if renamed is None or renamed.old_name not in self.keys():
                continue
            stored = self[renamed.old_name]
            del self[renamed.old_name]
            if isinstance(stored, int) and stored in renamed.by_number:
                setattr(self, param.name, renamed.by_number[stored])
                if stored in renamed.noted:
                    self.settings_note = renamed.note


def _blender_property(param: schema.Param):
    """The Blender property for one setting: same name, label, tooltip, default and range as the schema."""
    common = {"name": param.label, "description": param.description}
    limits = {key: value for key, value in (("min", param.min), ("max", param.max)) if value is not None}
    if param.kind == "int":
        return IntProperty(**common, default=param.default, **limits)
    if param.kind == "float":
        return FloatProperty(**common, default=param.default, **limits)
    if param.kind == "bool":
        return BoolProperty(**common, default=param.default)
    if param.kind == "enum":
        items = [(c.id, c.label, c.description) if c.number is None else (c.id, c.label, c.description, c.number)
                 for c in param.choices]
        return EnumProperty(**common, items=items, default=param.default)
    if param.kind == "image":
        return PointerProperty(**common, type=bpy.types.Image)
    if param.kind in ("text", "paths"):
        return StringProperty(**common, default=param.default or "")
    raise ValueError(f"{param.name}: unknown setting kind {param.kind!r}")


def settings_class(provider: registry.ProviderInfo) -> type[ProviderSettings]:
    """``scene.meshsmith.<key>``'s type for a provider, built from its schema (``MeshsmithSegmindSettings``)."""
    name = "Meshsmith" + provider.key.title().replace("_", "") + "Settings"
    # A "reference" setting is the scene's own reference image (scene.meshsmith.image): no property of its own.
    annotations = {param.name: _blender_property(param) for param in provider.settings if param.kind != "reference"}
    annotations["settings_note"] = StringProperty(
        name="Note", description="What changed in these settings when this file was opened (shown once)", default="")
    if provider.catalog:  # the model choice and the chosen model's inputs (scene.meshsmith.scenario.model...)
        annotations.update(catalog_properties.catalog_annotations())
    return type(name, (ProviderSettings,), {"__annotations__": annotations, "settings_schema": provider.settings,
                                            "__doc__": f"{provider.label}'s settings (from the provider registry)."})


SETTINGS_CLASSES = {provider.id: settings_class(provider) for provider in registry.PROVIDERS.values()
                    if provider.settings}


class MeshsmithSceneSettings(PropertyGroup):
    provider: EnumProperty(name="Provider", items=PROVIDER_ITEMS, default=PROVIDER_ITEMS[0][0])
    image_path: StringProperty(
        name="Image", description="Reference image file (PNG, JPEG or WebP)", subtype="FILE_PATH", default="")
    image: PointerProperty(
        name="Image", type=bpy.types.Image, description="An image already in Blender (used instead of the file)")
    prompt: StringProperty(name="Prompt", description="Optional text to guide the model", default="")
    retexture_provider: EnumProperty(name="Service", items=RETEXTURE_ITEMS, default=RETEXTURE_ITEMS[0][0],
                                     description="The service that textures the selected mesh")
    bake_resolution: EnumProperty(
        name="Bake Size", default="2048",
        description="Size of the maps baked onto your object when a result comes back as a mesh of its own",
        items=[("1024", "1K", "1024 × 1024: quick"), ("2048", "2K", "2048 × 2048: the default"), ("4096", "4K", "4096 × 4096: slow")])
    remesh_topology: EnumProperty(name="Topology", default="QUAD", description="The remeshed mesh's faces",
                                  items=[("QUAD", "Quads", "Quad-dominant, for editing and subdivision"),
                                         ("TRIANGLE", "Triangles", "Triangles only, for game engines")])
    remesh_target_polycount: IntProperty(name="Target Faces", default=30000, min=100, max=300000,
                                         description="How many faces the remeshed mesh should have")
    # One pointer per provider (scene.meshsmith.segmind, .scenario, .meshy), added from the registry below.

    def provider_settings(self, provider_name: str) -> ProviderSettings:
        return getattr(self, registry.info(provider_name).key)


for _provider_id, _settings in SETTINGS_CLASSES.items():
    MeshsmithSceneSettings.__annotations__[registry.info(_provider_id).key] = PointerProperty(
        name=registry.info(_provider_id).label, type=_settings)


class MeshsmithJobItem(PropertyGroup):
    """One row of the job list: a copy of the engine's record for drawing (runtime only)."""

    job_id: StringProperty()
    provider: StringProperty()
    label: StringProperty()
    state: StringProperty()
    progress: FloatProperty(min=0.0, max=1.0)
    message: StringProperty()
    error: StringProperty()
    warning: StringProperty()
    fix: StringProperty()
    seed: StringProperty()
    cost: StringProperty()
    remote_id: StringProperty()
    ran_on: StringProperty()
    """The artist's own server that ran the job (self-hosted providers)."""
    recoverable: BoolProperty()
    kind: StringProperty()
    prompt: StringProperty()
    """The prompt, style text or image name: what the job was asked for."""
    created_at: FloatProperty()
    preview_path: StringProperty()
    output_dir: StringProperty(subtype="DIR_PATH")
    started_by: StringProperty()
    """'' the artist; 'agent' an AI agent through agent access."""


def _page_changed(state, context) -> None:
    """Show the page the artist moved to."""
    runtime.sync_job_list(context)


def _filters_changed(state, context) -> None:
    """The search or a filter changed: show the first page of what they find."""
    state["job_page"] = 0  # set without its own update: one query, not two
    runtime.sync_job_list(context)


class MeshsmithRuntimeState(PropertyGroup):
    """Lives on the WindowManager: never saved, so polling never dirties the .blend."""

    jobs: CollectionProperty(type=MeshsmithJobItem)
    """One page of the job history (``joblist``), not every job."""
    active_job_index: IntProperty()
    job_search: StringProperty(name="Search", update=_filters_changed,
                               description="Find jobs by words of their prompt or image name, or by a job's id")
    job_provider: EnumProperty(name="Service", items=joblist.PROVIDER_FILTER, default="ALL", update=_filters_changed,
                               description="Show the jobs of one service")
    job_state: EnumProperty(name="State", items=joblist.STATE_FILTER, default="ALL", update=_filters_changed,
                            description="Show the jobs in one state")
    job_age: EnumProperty(name="Made", items=joblist.AGE_FILTER, default="ALL", update=_filters_changed,
                          description="Show the jobs made in a span of time")
    job_page: IntProperty(name="Page", min=0, update=_page_changed)
    job_matches: IntProperty()
    """How many jobs the search and filters find in all (the pages' total), counted up to ``joblist.COUNT_UP_TO``."""
    job_matches_more: BoolProperty()
    """More jobs match than were counted ("10,000+")."""
    last_error: StringProperty()
    journal_warning: StringProperty()
    """Why Meshsmith's job record cannot be written or read as it was ('' when all is well)."""
    # From the registry: a balance text per provider that tells one (``segmind_credits``), and for those that
    # price a job beforehand the last estimate with the parameters it was made for (``scenario_estimate`` and
    # ``scenario_estimate_key``: stale once they change).


for _provider in registry.with_balance():
    MeshsmithRuntimeState.__annotations__[_provider.balance[1]] = StringProperty()
for _provider in registry.with_estimate():
    MeshsmithRuntimeState.__annotations__[_provider.estimate[0]] = StringProperty()
    MeshsmithRuntimeState.__annotations__[_provider.estimate[0] + "_key"] = StringProperty()


classes = (*catalog_properties.classes, *SETTINGS_CLASSES.values(), MeshsmithSceneSettings, MeshsmithJobItem,
           MeshsmithRuntimeState)


def register() -> None:
    for cls in classes:
        bpy.utils.register_class(cls)
    bpy.types.Scene.meshsmith = PointerProperty(type=MeshsmithSceneSettings)
    bpy.types.WindowManager.meshsmith = PointerProperty(type=MeshsmithRuntimeState)


def unregister() -> None:
    del bpy.types.WindowManager.meshsmith
    del bpy.types.Scene.meshsmith
    for cls in reversed(classes):
        bpy.utils.unregister_class(cls)


def adopt_renamed_settings() -> None:
    """Every scene's provider settings take over values saved under a setting's old name (after a file load)."""
    for scene in bpy.data.scenes:
        group = getattr(scene, "meshsmith", None)
        for provider_id in SETTINGS_CLASSES if group is not None else ():
            group.provider_settings(provider_id).adopt_renamed()
