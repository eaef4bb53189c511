"""The bpy-free transport every provider shares: bounded HTTP with a watchdog, downloads, SSE, retry rules,
answers mapped onto the one error tree, URL rules, log redaction, the glTF guard and atomic files."""
