"""Deterministic synthetic images: a scene is drawn (``scene``) and encoded (``encode``)."""

from .encode import MEDIA_TYPES, encode
from .scene import Scene, render, seed_for

__all__ = ["MEDIA_TYPES", "Scene", "encode", "render", "seed_for"]
