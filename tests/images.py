"""Decoding what the API returns, the way a user's code would."""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image


def decode(b64_json: str | None) -> Image.Image:
    assert b64_json, "expected base64 image data"
    image = Image.open(io.BytesIO(base64.b64decode(b64_json)))
    image.load()
    return image


def pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image)


def edge_density(image: Image.Image, box: tuple[int, int, int, int]) -> float:
    """Share of neighbouring pixel pairs that differ inside ``box``: a measure of detail."""
    region = np.asarray(image.convert("RGB").crop(box)).astype(np.int16)
    horizontal = np.any(region[:, 1:] != region[:, :-1], axis=2).mean()
    vertical = np.any(region[1:] != region[:-1], axis=2).mean()
    return float(horizontal + vertical) / 2


def encoded(image: Image.Image, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def solid(
    width: int,
    height: int,
    colour: tuple[int, ...] = (200, 30, 30),
    mode: str = "RGB",
    fmt: str = "PNG",
) -> bytes:
    return encoded(Image.new(mode, (width, height), colour), fmt)


def striped(width: int, height: int) -> Image.Image:
    """An input with structure, so a test can tell kept pixels from painted ones."""
    x = np.arange(width)[None, :, None]
    y = np.arange(height)[:, None, None]
    rgb = np.concatenate(
        [(x * 7) % 256 + 0 * y, (y * 5) % 256 + 0 * x, ((x + y) * 3) % 256], axis=2
    )
    return Image.fromarray(rgb.astype(np.uint8), "RGB")


def mask_with_hole(width: int, height: int, box: tuple[int, int, int, int]) -> bytes:
    """An opaque mask with a fully transparent box: the box is what an edit replaces."""
    mask = Image.new("RGBA", (width, height), (0, 0, 0, 255))
    mask.paste((0, 0, 0, 0), box)
    return encoded(mask)
