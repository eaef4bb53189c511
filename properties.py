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

from .providers import registry

PROVIDER_ITEMS = registry.enum_items(registry.generators(), "generates")


class MeshsmithSegmindSettings(PropertyGroup):
    octree_resolution: EnumProperty(
        name="Octree Resolution",
        description="Voxel resolution of the shape: higher is finer and slower",
        items=[("256", "256", "Fast"), ("384", "384", "Finer"), ("512", "512", "Finest, slowest")],
        default="256",
    )
    num_inference_steps: IntProperty(
        name="Steps", description="Diffusion steps (affects price)", default=30, min=20, max=50)
    guidance_scale: FloatProperty(
        name="Guidance", description="How closely the shape follows the image", default=5.5, min=1.0, max=15.0)
    seed: IntProperty(
        name="Seed", description="-1 picks a random seed, which is recorded on the result", default=-1, min=-1)
    face_count: IntProperty(
        name="Max Faces", description="Maximum faces of the textured mesh", default=40000, min=5000, max=100000)
    texture: BoolProperty(name="Texture", description="Paint a texture onto the generated mesh", default=True)
    api_mode: EnumProperty(
        name="API",
        description="How to talk to Segmind",
        items=[
            ("QUEUE", "Queue (Resumable)", "Submit, then poll: the job survives a Blender restart"),
            ("SYNC", "Direct", "One long request; the job is lost if Blender closes meanwhile"),
        ],
        default="QUEUE",
    )

    def as_params(self) -> dict:
        return {
            "octree_resolution": self.octree_resolution,
            "num_inference_steps": self.num_inference_steps,
            "guidance_scale": round(self.guidance_scale, 4),
            "seed": self.seed,
            "face_count": self.face_count,
            "texture": self.texture,
            "api_mode": self.api_mode,
        }


class MeshsmithScenarioSettings(PropertyGroup):
    paint: BoolProperty(name="Paint", description="Paint PBR textures onto the mesh", default=True)
    steps: IntProperty(name="Steps", description="Generation steps (affects cost)", default=30, min=10, max=100)
    guidance_scale: FloatProperty(
        name="Guidance", description="How closely the shape follows the image", default=5.0, min=1.0, max=10.0)
    target_face_num: IntProperty(
        name="Target Faces", description="Target face count of the mesh (affects cost)", default=40000, min=100, max=1_000_000)
    seed: IntProperty(
        name="Seed", description="-1 picks a random seed, which is recorded on the result", default=-1, min=-1)

    def as_params(self) -> dict:
        return {
            "paint": self.paint,
            "steps": self.steps,
            "guidance_scale": round(self.guidance_scale, 4),
            "target_face_num": self.target_face_num,
            "seed": self.seed,
        }


ART_STYLE_ITEMS = [
    ("realistic", "Realistic", ""), ("fake-3d-cartoon", "3D Cartoon", ""), ("japanese-anime", "Japanese Anime", ""),
    ("cartoon-line-art", "Cartoon Line Art", ""), ("realistic-hand-drawn", "Realistic Hand-Drawn", ""),
    ("fake-3d-hand-drawn", "3D Hand-Drawn", ""), ("oriental-comic-ink", "Oriental Comic Ink", ""),
]


class MeshsmithMeshySettings(PropertyGroup):
    endpoint: EnumProperty(
        name="Endpoint",
        items=[("RETEXTURE", "Retexture", "Meshy's current texturing endpoint"),
               ("TEXT_TO_TEXTURE", "Text to Texture (Legacy)", "The older endpoint, with art styles and resolution")],
        default="RETEXTURE",
    )
    style_prompt: StringProperty(name="Style", description="What the surface should look like (up to 600 characters)")
    object_prompt: StringProperty(name="Object", description="What the object is (Text to Texture; up to 600 characters)")
    style_image: PointerProperty(name="Style Image", type=bpy.types.Image,
                                 description="An image whose look to copy (Retexture; used instead of the style text)")
    enable_original_uv: BoolProperty(
        name="Keep Original UVs", default=True,
        description="Paint onto this mesh's own UVs and put the maps on it; off: a new textured object replaces it in view")
    enable_pbr: BoolProperty(name="PBR Maps", description="Metallic, roughness and normal maps as well as colour", default=True)
    # Explicit numbers: a .blend stores the number, so an item keeps its number for ever. 2 was Meshy 5,
    # retired on 2026-10-10: a file saved with it reads as no model, which is sent as Latest with a note.
    ai_model: EnumProperty(
        name="AI Model",
        description="Meshy's texturing model (pin one by name for results that do not change when Meshy ships a new one)",
        items=[("latest", "Latest (Meshy 7)", "Meshy's newest retexture model, today Meshy 7", 0),
               ("meshy-7", "Meshy 7", "Style from text, an image or several views", 3),
               ("meshy-6", "Meshy 6", "", 1),
               ("meshy-6-lite", "Meshy 6 Lite", "Faster; 2K textures only", 4),
               ("meshy-n1", "Meshy N1", "From a style image or views only; base colour at 2K, no PBR maps", 5)],
        default="latest")
    texture_resolution: EnumProperty(
        name="Texture Resolution",
        description="Size of the texture maps (8K costs 15 credits instead of 10; Meshy 6 Lite and N1 make 2K only)",
        items=[("2k", "2K", "10 credits"), ("4k", "4K", "10 credits"), ("8k", "8K", "15 credits")],
        default="2k")
    remove_lighting: BoolProperty(name="Remove Lighting", description="Remove baked-in highlights and shadows (Meshy 6 and 7)", default=True)
    style_views: StringProperty(
        name="Style Views", subtype="NONE",
        description="Up to four images of the object to copy the style from, front first, separated by ';' "
                    "(Meshy 7 or N1; used instead of the style text and image)")
    art_style: EnumProperty(name="Art Style", items=ART_STYLE_ITEMS, default="realistic")
    resolution: EnumProperty(name="Resolution", items=[("1024", "1024", ""), ("2048", "2048", ""), ("4096", "4096", "")],
                             default="1024")
    negative_prompt: StringProperty(name="Avoid", description="What the texture should not have (Text to Texture)")

    @property
    def retired_model(self) -> bool:
        """The file was saved with a model Meshy has retired (Meshy 5): Latest is sent instead."""
        return self.ai_model == ""

    def as_params(self) -> dict:
        return {
            "endpoint": self.endpoint, "enable_original_uv": self.enable_original_uv, "enable_pbr": self.enable_pbr,
            "ai_model": self.ai_model or "latest", "texture_resolution": self.texture_resolution,
            "remove_lighting": self.remove_lighting, "art_style": self.art_style, "resolution": self.resolution,
            "negative_prompt": self.negative_prompt,
        }


class MeshsmithSceneSettings(PropertyGroup):
    provider: EnumProperty(name="Provider", items=PROVIDER_ITEMS, default=PROVIDER_ITEMS[0][0])
    image_path: StringProperty(
        name="Image", description="Reference image file (PNG, JPEG or WebP)", subtype="FILE_PATH", default="")
    image: PointerProperty(
        name="Image", type=bpy.types.Image, description="An image already in Blender (used instead of the file)")
    prompt: StringProperty(name="Prompt", description="Optional text to guide the model", default="")
    segmind: PointerProperty(name="Segmind", type=MeshsmithSegmindSettings)
    scenario: PointerProperty(name="Scenario", type=MeshsmithScenarioSettings)
    meshy: PointerProperty(name="Meshy", type=MeshsmithMeshySettings)

    def provider_settings(self, provider_name: str):
        return getattr(self, registry.info(provider_name).key)


class MeshsmithJobItem(PropertyGroup):
    """One row of the job list: a copy of the engine's record for drawing (runtime only)."""

    job_id: StringProperty()
    provider: StringProperty()
    label: StringProperty()
    state: StringProperty()
    progress: FloatProperty(min=0.0, max=1.0)
    message: StringProperty()
    error: StringProperty()
    fix: StringProperty()
    seed: StringProperty()
    cost: StringProperty()
    remote_id: StringProperty()
    recoverable: BoolProperty()
    kind: StringProperty()
    prompt: StringProperty()
    """The prompt, style text or image name: what the job was asked for."""
    created_at: FloatProperty()
    preview_path: StringProperty()
    output_dir: StringProperty(subtype="DIR_PATH")


class MeshsmithRuntimeState(PropertyGroup):
    """Lives on the WindowManager: never saved, so polling never dirties the .blend."""

    jobs: CollectionProperty(type=MeshsmithJobItem)
    active_job_index: IntProperty()
    last_error: StringProperty()
    journal_warning: StringProperty()
    """Why Meshsmith's job record cannot be written or read as it was ('' when all is well)."""
    segmind_credits: StringProperty()
    scenario_estimate: StringProperty()
    """The last cost estimate, with the parameters it was made for (stale once they change)."""
    scenario_estimate_key: StringProperty()
    meshy_balance: StringProperty()


classes = (MeshsmithSegmindSettings, MeshsmithScenarioSettings, MeshsmithMeshySettings, MeshsmithSceneSettings, MeshsmithJobItem, MeshsmithRuntimeState)


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
