"""Large benchmark fixtures made here with numpy: 40k/100k-face GLBs with four 2048² maps, an 8K photo."""

from __future__ import annotations

import numpy as np

from sandbox.assets import TextureSet, build_glb, encode_png, make_pot, segments_for_faces


def _png(array: np.ndarray) -> bytes:
    height, width, channels = array.shape
    rows = [array[y].tobytes() for y in range(height)]
    return encode_png(width, height, rows, channels=channels)


def texture_set(size: int, seed: int = 1) -> TextureSet:
    """Distinct maps per channel, with detail (noise) so they compress like real textures."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size]
    noise = rng.integers(0, 40, (size, size), dtype=np.uint8)
    base = np.stack([(x * 255 // size).astype(np.uint8), (y * 255 // size).astype(np.uint8), 128 + noise], axis=-1)
    mr = np.stack([np.full((size, size), 255, np.uint8), 90 + noise, (x % 64 < 32).astype(np.uint8) * 200], axis=-1)
    normal = np.stack([128 + noise // 4, 128 + noise // 4, np.full((size, size), 240, np.uint8)], axis=-1)
    emission = np.stack([noise * 2, noise, np.zeros((size, size), np.uint8)], axis=-1)
    grey = np.repeat(mr[..., 1:2], 3, axis=-1)
    return TextureSet(base_color=_png(base), metallic_roughness=_png(mr), metallic=_png(grey), roughness=_png(grey),
                      normal=_png(normal), emission=_png(emission))


def heavy_glb(faces: int, texture_size: int = 2048) -> bytes:
    """A GLB of about ``faces`` triangles with base colour, metallic-roughness, normal and emission maps."""
    segments, rings = segments_for_faces(faces)
    return build_glb(make_pot(7, segments, rings), texture_set(texture_size), include_emission=True)


def photo_png(width: int = 8192, height: int = 5461) -> bytes:
    """An 8K 'photo' (noise over gradients, as hard to compress as a real one)."""
    rng = np.random.default_rng(3)
    y, x = np.mgrid[0:height, 0:width]
    image = np.stack([(x * 255 // width), (y * 255 // height), ((x + y) * 255 // (width + height))], axis=-1).astype(np.uint8)
    image = image + rng.integers(0, 24, image.shape, dtype=np.uint8)
    return _png(image)
