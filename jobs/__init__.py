"""Run provider jobs off the main thread, keep a crash-safe journal of them, and hand updates to Blender's main thread."""
