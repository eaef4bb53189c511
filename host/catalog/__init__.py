"""The Blender side of a provider's model catalog: the catalog in memory, the rows of a chosen model's inputs,
and the parameters of a catalog job."""
