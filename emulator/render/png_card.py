"""A card picture's PNG from pre-compressed rows: what the seed picks is compressed once.

A PNG's pixels are one zlib stream of rows, each with a filter byte. A deflate stream may be
cut anywhere a compressor ended with a full flush (the output is byte-aligned and refers to
nothing before it), so independently compressed pieces concatenate into one valid stream.
The picture is cut into three bands:

- the subject's rows above the card: one piece per grid row, compressed once per
  ``Variant`` and size and kept (``SubjectRows``, in a cache bounded by bytes);
- the card's rows down to the caption, cut where ink starts and stops: the fingerprint's
  rows and the prompt's lines drawn and compressed per request, the paper between and after
  them compressed once per card place and kept;
- the caption and the rows below it: compressed once per caption and kept.

Each piece starts with a "Sub" row (which needs no row above it) and continues with "Up"
rows, which are zeros where a row repeats the one above. The Adler-32 of the whole is
combined from the pieces' own sums. The pixels are exactly ``render(scene)``'s.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .bounded_cache import BoundedCache
from .encode import PNG_SIGNATURE, chunk, deflate
from .scene import (
    GRID,
    CardLayout,
    Scene,
    card_layout,
    draw_card,
    fingerprint_height,
    palette_for,
    subject_grid,
    variant_of,
)
from .text import font

CACHE_BYTES = 128 * 1024 * 1024  # pieces kept, all sizes together (4K: ~0.5 MB a variant)
_ZLIB_HEADER = b"\x78\x01"  # deflate, 32 KiB window, fastest
_LAST_BLOCK = b"\x03\x00"  # an empty final block with fixed codes: ends the stream
_ADLER_BASE = 65521


@dataclass(frozen=True)
class Piece:
    """Compressed rows that can follow any other piece: their bytes, and the Adler-32 and
    length of the filtered rows they stand for."""

    data: bytes
    adler: int
    length: int


@dataclass(frozen=True)
class SubjectRows:
    """The rows of one variant at one size, a piece per grid row, and the running Adler-32
    of the first k grid rows (``adlers[k]``), so that any prefix is a join and a lookup."""

    grid: np.ndarray  # the picture behind the card, one pixel per grid block
    pieces: list[bytes]
    adlers: list[int]

    @property
    def size(self) -> int:
        return sum(map(len, self.pieces)) + self.grid.nbytes


def adler32_combine(first: int, second: int, second_length: int) -> int:
    """The Adler-32 of two byte strings joined, from their own sums (zlib's adler32_combine)."""
    remainder = second_length % _ADLER_BASE
    sum1 = first & 0xFFFF
    sum2 = (remainder * sum1) % _ADLER_BASE
    sum1 = (sum1 + (second & 0xFFFF) + _ADLER_BASE - 1) % _ADLER_BASE
    sum2 = (sum2 + (first >> 16) + (second >> 16) + _ADLER_BASE - remainder) % _ADLER_BASE
    return sum1 | (sum2 << 16)


def filtered(pixels: np.ndarray) -> np.ndarray:
    """Rows ready for deflate: the first "Sub" (each byte minus the pixel to its left), the
    others "Up" (each byte minus the byte above)."""
    height, width, channels = pixels.shape
    rows = pixels.reshape(height, width * channels)
    out = np.empty((height, width * channels + 1), np.uint8)
    if not height:
        return out
    out[0, 0] = 1
    out[0, 1 : channels + 1] = rows[0, :channels]
    np.subtract(rows[0, channels:], rows[0, :-channels], out=out[0, channels + 1 :])
    out[1:, 0] = 2
    np.subtract(rows[1:], rows[:-1], out=out[1:, 1:])
    return out


def compressed(rows: np.ndarray) -> Piece:
    """Filtered rows as a piece: compressed, then fully flushed so that any piece may follow."""
    data = np.ascontiguousarray(rows).reshape(-1).data  # a memoryview: no copy
    compressor = deflate.compressobj(1, deflate.DEFLATED, -15)
    body = compressor.compress(data) + compressor.flush(deflate.Z_FULL_FLUSH)
    return Piece(body, deflate.adler32(data), len(data))  # ISA-L's: 3x zlib's


_cache = BoundedCache(CACHE_BYTES)


def _behind_the_card(scene: Scene) -> tuple[object, ...]:
    """What decides the picture behind the card: a kept piece's key."""
    return scene.width, scene.height, scene.detail, scene.channels, variant_of(scene.seed)


def subject_rows(scene: Scene) -> SubjectRows:
    key = ("subject", *_behind_the_card(scene))
    found = _cache.get(key)
    if isinstance(found, SubjectRows):
        return found
    rows = _subject_rows(scene)
    _cache.put(key, rows, rows.size)
    return rows


def _subject_rows(scene: Scene) -> SubjectRows:
    grid = subject_grid(scene)
    grid.flags.writeable = False
    width = scene.width
    repeats = _repeated_rows(width * scene.channels + 1)  # a grid row's other rows
    pieces: list[bytes] = []
    adlers = [1]  # the Adler-32 of nothing
    first: Piece | None = None
    for g in range(scene.height // GRID):  # the grid rows wholly inside the picture
        if first is None or not np.array_equal(grid[g], grid[g - 1]):
            line = grid[g].repeat(GRID, axis=0)[:width]
            first = compressed(filtered(line[None]))
        pieces.append(first.data + repeats.data)
        adler = adler32_combine(adlers[-1], first.adler, first.length)
        adlers.append(adler32_combine(adler, repeats.adler, repeats.length))
    return SubjectRows(grid, pieces, adlers)


@lru_cache(maxsize=64)
def _repeated_rows(row_length: int) -> Piece:
    """GRID - 1 rows equal to the row above them: "Up" rows of zeros."""
    rows = np.zeros((GRID - 1, row_length), np.uint8)
    rows[:, 0] = 2
    return compressed(rows)


def _band(scene: Scene, grid: np.ndarray, start: int, stop: int) -> np.ndarray:
    """The picture's rows ``start`` to ``stop``, card and text included."""
    first, last = start // GRID, -(-stop // GRID)
    wide = grid[first:last].repeat(GRID, axis=1)[:, : scene.width]  # each grid row once
    pixels = wide.take(np.arange(start, stop) // GRID - first, axis=0)
    draw_card(pixels, scene, palette_for(scene.seed), first_row=start)
    return pixels


def png_card(scene: Scene) -> bytes:
    """The PNG of ``render(scene)``, built from kept pieces and the rows with ink drawn now."""
    subject = subject_rows(scene)
    layout = card_layout(scene)
    caption_top = min(layout.top + layout.caption_y, scene.height)  # a tiny picture clips it
    kept = min(layout.top, caption_top) // GRID  # whole grid rows above the card
    card_place = (layout.left, layout.right, layout.top, layout.bottom)
    pieces = [
        _kept_band(scene, subject.grid, start, stop, card_place)
        if blank
        else compressed(filtered(_band(scene, subject.grid, start, stop)))
        for start, stop, blank in _card_rows(layout, kept * GRID, caption_top)
    ]
    # The caption and the rows below it: the same for every prompt with that caption.
    pieces.append(_kept_band(scene, subject.grid, caption_top, scene.height, (scene.caption,)))
    adler = subject.adlers[kept]
    for piece in pieces:
        adler = adler32_combine(adler, piece.adler, piece.length)
    stream = b"".join(
        [_ZLIB_HEADER, *subject.pieces[:kept], *(piece.data for piece in pieces), _LAST_BLOCK,
         struct.pack(">I", adler)]
    )  # fmt: skip
    colour_type = 6 if scene.channels == 4 else 2
    header = struct.pack(">IIBBBBB", scene.width, scene.height, 8, colour_type, 0, 0, 0)
    return PNG_SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", stream) + chunk(b"IEND", b"")


def _card_rows(layout: CardLayout, start: int, stop: int) -> list[tuple[int, int, bool]]:
    """The card's rows from ``start`` to ``stop`` cut where the ink starts and stops:
    (first, end, blank). The fingerprint's rows and the prompt's lines have ink drawn per
    request; the paper between them is the same for every prompt of the layout."""
    strip_end = layout.top + fingerprint_height(layout)
    text_top = layout.top + layout.pad
    text_end = text_top
    if layout.lines:
        text_end += (len(layout.lines) - 1) * layout.line + font(layout.body_size).line_height
    cuts = [start]
    for row in (strip_end, text_top, text_end, stop):
        cuts.append(min(max(row, cuts[-1]), stop))
    kinds = (False, True, False, True)  # ink, paper, ink, paper
    return [(a, b, blank) for a, b, blank in zip(cuts[:-1], cuts[1:], kinds, strict=True) if a < b]


def _kept_band(
    scene: Scene, grid: np.ndarray, start: int, stop: int, decided_by: tuple[object, ...]
) -> Piece:
    """Rows that are the same for every prompt that shares what is behind the card and
    ``decided_by`` (the caption, the card's place): compressed once and kept."""
    key = ("band", *_behind_the_card(scene), start, stop, *decided_by)
    found = _cache.get(key)
    if isinstance(found, Piece):
        return found
    piece = compressed(filtered(_band(scene, grid, start, stop)))
    _cache.put(key, piece, len(piece.data) + 200)
    return piece


def clear_cache() -> None:
    """Forget every kept piece (for measurements of the first request)."""
    _cache.clear()
