"""Pictures made from uploaded images: inpainting, reference boards and variations.

- ``inpaint``: the first image, scaled to the output size, kept where the edit area is
  False and replaced by new content where it is True (mask alpha 0), so a test can check
  its mask pixel by pixel.
- ``board``: input images as thumbnails in a grid over a scene's subject, each one
  recognisable (the guide's gift-basket example: several references, one new picture).
- ``variation``: the input scaled to the output size, recoloured and mirrored by index,
  with a caption strip; visibly derived from the input and different for every index.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

from .scene import subject_box
from .text import draw_line, font


def fit_to(image: Image.Image, width: int, height: int, channels: int) -> np.ndarray:
    """The image stretched to exactly width×height, as H×W×channels uint8."""
    mode = "RGBA" if channels == 4 else "RGB"
    converted = image.convert(mode)
    if converted.size != (width, height):
        converted = converted.resize((width, height), Image.Resampling.BILINEAR)
    return np.asarray(converted)


def scale_area(area: np.ndarray, width: int, height: int) -> np.ndarray:
    """A boolean area scaled without smoothing, so its edge stays exact."""
    if area.shape == (height, width):
        return area
    picture = Image.fromarray(area.astype(np.uint8) * 255, "L")
    return np.asarray(picture.resize((width, height), Image.Resampling.NEAREST)) > 127


def inpaint(base: np.ndarray, area: np.ndarray, fresh: np.ndarray) -> np.ndarray:
    return np.where(area[..., None], fresh, base)


def thumbnail(image: Image.Image, width: int, height: int) -> Image.Image:
    """The image shrunk to fit width×height, as RGBA. Shrinks before converting, and lets
    Pillow reduce by whole factors first: several times faster on large inputs."""
    scale = min(width / image.width, height / image.height)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    small = image.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
    return small.convert("RGBA")


def board(pixels: np.ndarray, images: list[Image.Image]) -> np.ndarray:
    """``pixels`` with ``images`` as thumbnails over the subject, in a near-square grid."""
    height, width, channels = pixels.shape
    left, top, side = subject_box(width, height)
    columns = math.ceil(math.sqrt(len(images)))
    rows = math.ceil(len(images) / columns)
    cell_w, cell_h = side // columns, side // rows
    margin = max(2, min(cell_w, cell_h) // 16)
    canvas = Image.fromarray(pixels, "RGBA" if channels == 4 else "RGB")
    for index, image in enumerate(images):
        row, column = divmod(index, columns)
        thumb = thumbnail(image, max(1, cell_w - 2 * margin), max(1, cell_h - 2 * margin))
        x = left + column * cell_w + (cell_w - thumb.width) // 2
        y = top + row * cell_h + (cell_h - thumb.height) // 2
        canvas.paste(thumb, (x, y), thumb)
    return np.asarray(canvas)


def _recolour(pixels: np.ndarray, turn: float) -> np.ndarray:
    hsv = np.array(Image.fromarray(pixels, "RGB").convert("HSV"))
    hsv[..., 0] = (hsv[..., 0].astype(np.int16) + round(turn * 256)) % 256
    return np.asarray(Image.fromarray(hsv, "HSV").convert("RGB"))


def caption_strip(pixels: np.ndarray, text: str) -> None:
    """A light strip along the bottom edge with one line of text."""
    height, width = pixels.shape[:2]
    face = font(max(11, round(min(width, height) / 40)))
    pad = max(4, face.size // 2)
    strip = pixels[max(0, height - face.line_height - 2 * pad) :, :]
    paper = (250, 249, 246, 255)
    strip[...] = paper[: pixels.shape[2]]
    draw_line(strip, pad, pad, text, face, (24, 24, 28, 255), paper)


def variation(base: np.ndarray, index: int, count: int, caption: str) -> np.ndarray:
    turned = _recolour(base, (index + 1) / (count + 1))
    if index % 2:
        turned = turned[:, ::-1]
    out = np.array(turned)  # a writable copy: the caption is drawn into it
    caption_strip(out, caption)
    return out
