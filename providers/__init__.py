"""Talk to the generation web services: bpy-free clients built on requests and pydantic, one module per service."""
