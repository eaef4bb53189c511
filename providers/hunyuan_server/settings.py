"""The settings of a self-hosted Hunyuan3D server job, named and ranged as the server's own request fields.

From Tencent's ``api_server.py`` (Hunyuan3D-2 and Hunyuan3D-2.1, https://github.com/Tencent-Hunyuan): the 2.1
server validates these ranges and then uses only the image; the 2.0 server uses them all. ``timeout_s`` is
Meshsmith's own: the server never reports a failed job (it says "processing" for ever), so a job that has
not finished by then is given up, with a message that points at the server's log.
"""

from __future__ import annotations

from ..schema import Param

SETTINGS = (
    Param("image", "reference", "Reference Image", "The look to paint onto the mesh", sent=False,
          routes=("RETEXTURE",)),
    Param("octree_resolution", "int", "Octree Resolution", "Voxel resolution of the shape (2.0 servers)", default=256,
          min=64, max=512, routes=("GENERATE",)),
    # The widest range either version takes: 2.0's full models run 30 to 50 steps; 2.1 takes at most 20 (a job for a
    # 2.1 server is checked against that server's limits before it is sent).
    Param("num_inference_steps", "int", "Steps", "Diffusion steps (2.0 servers: 30-50 for the full models, 5 for the "
          "turbo ones; a 2.1 server takes at most 20)", default=5, min=1, max=100, routes=("GENERATE",)),
    Param("guidance_scale", "float", "Guidance", "How closely the shape follows the image (2.0 servers)",
          default=5.0, min=0.1, max=20.0, routes=("GENERATE",)),
    Param("seed", "int", "Seed", "-1 picks a random seed, which is recorded on the result", default=-1, min=-1),
    Param("face_count", "int", "Max Faces", "Maximum faces of the textured mesh", default=40000, min=1000,
          max=100000),
    Param("texture", "bool", "Texture", "Paint a texture (a 2.0 server needs --enable_tex)", default=True,
          routes=("GENERATE",)),
    Param("timeout_s", "int", "Time Limit (s)",
          "Give a job up after this long: the server never reports a failed job", default=900, min=10,
          max=4 * 3600, request_field=""),
)
