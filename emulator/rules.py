"""Rules that tie two parameters together, checked after each value passed on its own.

Each rule takes the request's values (defaults filled in, ``auto`` not yet resolved) and
raises the API's error when the combination is refused. Models name the rules they obey in
the catalog.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from . import errors

Rule = Callable[[Mapping[str, object]], None]


def transparent_needs_alpha_format(values: Mapping[str, object]) -> None:
    if values.get("background") == "transparent" and values.get("output_format") == "jpeg":
        raise errors.transparent_needs_alpha_format()


def compression_needs_lossy_format(values: Mapping[str, object]) -> None:
    compression = values.get("output_compression")
    if values.get("output_format") == "png" and isinstance(compression, int) and compression < 100:
        raise errors.compression_needs_lossy_format()
