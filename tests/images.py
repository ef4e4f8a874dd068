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
