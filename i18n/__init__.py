"""Translation tables of the interface and the messages, registered with Blender's translation system."""
