"""Bring results into Blender and send meshes out: GLB import, PBR material wiring, exporting a selection."""
