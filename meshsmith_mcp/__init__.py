"""Meshsmith's MCP server: AI agents drive Meshsmith in Blender through the Model Context Protocol (stdio).

Runs outside Blender, in any Python 3.10+ with the ``mcp`` SDK installed, and reaches Blender over the loopback
bridge the add-on opens (``host/agent.py``): the artist's own Blender with Agent Access on (``--live``), or a
background Blender it starts itself on a .blend (``--blend FILE``). It imports nothing of the add-on and never
``bpy``; the extension zip carries these files but not the SDK.
"""
