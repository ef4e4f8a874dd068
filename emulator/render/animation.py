"""Animated GIFs (``output_format: gif``): frames that step from coarse blocks to the finished
picture, with a progress bar along the top edge, so every frame differs visibly.

The picture is reduced to a 256-colour palette once; each frame samples that index image in
ever smaller blocks. No frame is quantized again, so a 16-frame 3840×2160 GIF takes well
under a second, most of it in the GIF encoder.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

MAX_FRAME_MS = 655_350  # the longest delay a GIF frame can carry (65535 centiseconds)


def frame_duration(requested_ms: int) -> int:
    """The delay each frame gets: rounded to 10 ms, capped at what GIF can store."""
    return min(MAX_FRAME_MS, round(requested_ms / 10) * 10)


def block_sizes(count: int, width: int, height: int) -> list[int]:
    """Block edge per frame, geometric from a quarter of the short side down to 1 px."""
    top = max(1, min(width, height) // 4)
    return [max(1, round(top ** (1 - i / (count - 1)))) for i in range(count)]


def _pixelated(indices: np.ndarray, block: int) -> np.ndarray:
    """Each block takes the colour at its centre (clamped to the picture at the edges)."""
    if block <= 1:
        return indices.copy()
    height, width = indices.shape
    rows = np.minimum(np.arange(height) // block * block + block // 2, height - 1)
    columns = np.minimum(np.arange(width) // block * block + block // 2, width - 1)
    return indices[np.ix_(rows, columns)]


def encode_gif(final: np.ndarray, count: int, duration_ms: int) -> bytes:
    """An animated, looping GIF of ``count`` frames ending on ``final`` (H×W×3 uint8)."""
    height, width = final.shape[:2]
    quantized = Image.fromarray(final[..., :3], "RGB").quantize(
        256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
    )
    palette = quantized.getpalette() or []
    indices = np.asarray(quantized)
    colours = np.array(palette[: 3 * 256], np.int32).reshape(-1, 3)
    ink = int(np.argmin(colours.sum(axis=1)))  # the darkest colour draws the progress bar
    bar = max(2, height // 120)
    frames = []
    for index, block in enumerate(block_sizes(count, width, height)):
        pixels = _pixelated(indices, block)
        pixels[:bar, : round(width * (index + 1) / count)] = ink
        frame = Image.fromarray(pixels, "P")
        frame.putpalette(palette)
        frames.append(frame)
    buffer = io.BytesIO()
    frames[0].save(
        buffer,
        "GIF",
        save_all=True,
        append_images=frames[1:],
        duration=frame_duration(duration_ms),
        loop=0,
        optimize=False,
    )
    return buffer.getvalue()
