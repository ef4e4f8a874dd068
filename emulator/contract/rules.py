"""Rules that tie two parameters together, checked after each value passed on its own.

Each rule takes the request's values (defaults filled in, ``auto`` not yet resolved) and
raises the API's error when the combination is refused. Models name the rules they obey in
the catalog.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from . import errors

Rule = Callable[[Mapping[str, object]], None]


ALPHA_FORMATS = ("png", "webp")


def transparent_needs_alpha_format(values: Mapping[str, object]) -> None:
    output_format = values.get("output_format")
    if (
        values.get("background") == "transparent"
        and isinstance(output_format, str)
        and output_format not in ALPHA_FORMATS
    ):
        raise errors.transparent_needs_alpha_format(output_format)


def compression_needs_lossy_format(values: Mapping[str, object]) -> None:
    compression = values.get("output_compression")
    if values.get("output_format") == "png" and isinstance(compression, int) and compression < 100:
        raise errors.compression_needs_lossy_format()


# What GIF and SVG output cannot be combined with (contract §11.3), in the order checked.
_GIF_REFUSES = (
    ("stream", "Streaming"),
    ("partial_images", "Partial images"),
    ("mask", "A mask"),
    ("output_compression", "Custom output compression"),
)
_SVG_REFUSES = (
    ("n", "More than one image"),
    ("stream", "Streaming"),
    ("partial_images", "Partial images"),
    ("output_compression", "Custom output compression"),
)
GIF_ONLY = ("frame_count", "frame_duration_ms")


def _asks_for(values: Mapping[str, object], name: str) -> bool:
    """Whether a value asks for something beyond the default (``n`` 1, no stream ...)."""
    value = values.get(name)
    defaults: dict[str, object] = {"n": 1, "stream": False, "partial_images": 0}
    if name == "output_compression":
        return value is not None and value != 100
    if name in defaults:
        return value is not None and value != defaults[name]
    return value is not None


def animation_and_vector_limits(values: Mapping[str, object]) -> None:
    """GIF: no streaming, partial images, mask or compression; SVG: one image, no streaming,
    partial images or compression; frame options only with GIF, ``svg`` only with SVG."""
    output_format = values.get("output_format")
    refused = {"gif": _GIF_REFUSES, "svg": _SVG_REFUSES}.get(str(output_format), ())
    for name, what in refused:
        if _asks_for(values, name):
            raise errors.not_supported_for_format(name, what, str(output_format))
    if output_format != "gif":
        for name in GIF_ONLY:
            if values.get(name) is not None:
                raise errors.only_for_format(name, "gif")
    if output_format != "svg" and values.get("svg") is not None:
        raise errors.only_for_format("svg", "svg")


def markup_excludes_mask(values: Mapping[str, object]) -> None:
    if values.get("markup") is not None and values.get("mask") is not None:
        raise errors.markup_with_mask()


def opaque_only(values: Mapping[str, object]) -> None:
    """gpt-image-2 before transparent backgrounds reached it (2026-08-20)."""
    if values.get("background") == "transparent":
        raise errors.transparent_not_supported_for_model()
