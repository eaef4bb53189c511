"""Segmind's Hunyuan3D-2 settings as the sidebar shows them and the request carries them.

Names, ranges and defaults are those of Segmind's ``hunyuan-3d-2`` documentation
(https://www.segmind.com/models/hunyuan-3d-2/api); ``SegmindParams`` in ``segmind.py`` checks them again.
"""

from __future__ import annotations

from ..schema import Choice, Param

GENERATE_ONLY = ("GENERATE",)

SETTINGS = (
    Param("image", "reference", "Reference Image", "The look to paint onto the mesh", sent=False,
          routes=("RETEXTURE",)),
    Param("octree_resolution", "enum", "Octree Resolution", "Voxel resolution of the shape: higher is finer and slower",
          default="256", choices=(Choice("256", "256", "Fast"), Choice("384", "384", "Finer"),
                                  Choice("512", "512", "Finest, slowest")), routes=GENERATE_ONLY),
    Param("num_inference_steps", "int", "Steps", "Diffusion steps (affects price)", default=30, min=20, max=50,
          routes=GENERATE_ONLY),
    Param("guidance_scale", "float", "Guidance", "How closely the shape follows the image", default=5.5, min=1.0,
          max=15.0, routes=GENERATE_ONLY),
    Param("seed", "int", "Seed", "-1 picks a random seed, which is recorded on the result", default=-1, min=-1),
    Param("texture", "bool", "Texture", "Paint a texture onto the generated mesh", default=True, routes=GENERATE_ONLY),
    Param("face_count", "int", "Max Faces", "Maximum faces of the textured mesh", default=40000, min=5000,
          max=100000, enabled_when=(("texture", (True,)),)),
    # When a mesh is painted, Segmind's painter reduces it to at most face_count faces.
    Param("api_mode", "enum", "API", "How to talk to Segmind", default="QUEUE", request_field="",
          choices=(Choice("QUEUE", "Queue (Resumable)", "Submit, then poll: the job survives a Blender restart"),
                   Choice("SYNC", "Direct", "One long request; the job is lost if Blender closes meanwhile"))),
)
