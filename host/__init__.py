"""Blender-side glue between the bpy-free engine and the interface: the tick, timers, provider connections, the
job-list mirror, look-ups, delivery of results into the scene, scene properties and preferences data."""

ADDON_PACKAGE = __name__.rpartition(".")[0]
"""The add-on's own package (``bl_ext.user_default.meshsmith`` when Blender loads it): Blender keys the
preferences, the user folder and the translations by it."""
