"""Meshsmith for pipelines: the command line (``blender -c meshsmith``) and folder batches, calling what the
operators call."""
