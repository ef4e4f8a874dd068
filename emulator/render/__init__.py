"""Deterministic synthetic images: a scene is drawn (``scene``) and encoded (``encode``)."""

from .animation import encode_gif
from .compose import board, fit_to, inpaint, scale_area, variation
from .encode import MEDIA_TYPES, encode
from .png_card import png_card
from .scene import Scene, render, seed_for
from .vector import svg_document

__all__ = [
    "MEDIA_TYPES",
    "Scene",
    "board",
    "encode",
    "encode_gif",
    "fit_to",
    "inpaint",
    "png_card",
    "render",
    "scale_area",
    "seed_for",
    "svg_document",
    "variation",
]
