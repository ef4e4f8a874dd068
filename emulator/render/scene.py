"""The synthetic picture: a mosaic subject on a background, and a card that says what was asked.

Layout, from back to front:
- the background: one colour, or alpha 0 when the request asked for transparency;
- the subject: a disc, rounded square or diamond (by seed) filled with a mosaic whose cells
  are coarse for low quality and fine for high, so quality shows at a glance;
- the card: opaque, with the request's fingerprint along its top edge (a strip of colours
  from the seed), the prompt wrapped (shortened with '…' when long) and a caption line with
  model, size, quality and the image's index (``2/3``).

Everything is decided by the scene's fields, so the same scene gives the same pixels.
Shapes are drawn on a grid of ``GRID`` pixel blocks and scaled up without smoothing: the
blocky edge is the look, and it keeps a 1024×1024 image to a few milliseconds.

The seed picks the background hue, the shape and the mosaic's pattern from finite sets
(``Variant``): a picture's subject is then one of a few hundred, each drawn and compressed
once and kept (``png_card``), while the fingerprint and the prompt are drawn per request, so
that requests differing in anything still give different pictures.
"""

from __future__ import annotations

import colorsys
import hashlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .text import draw_line, font, wrap

GRID = 8  # pixels per grid block
# The subject sits centred, a little above the middle, leaving room for the card below.
SUBJECT_CENTRE_Y = 0.42
SUBJECT_RADIUS = 0.36  # of the short side
HUES = 16  # background hues the seed picks from
SHAPES = 3  # disc, squircle, diamond
PATTERNS = 8  # mosaic patterns per hue and shape
FINGERPRINT_CELLS = 16  # colours in the strip along the card's top edge


@dataclass(frozen=True)
class Scene:
    width: int
    height: int
    seed: bytes  # decides colours and shape; derived from everything that was asked
    prompt: str
    caption: str
    detail: int  # mosaic cells across the subject's short side: higher is finer
    transparent: bool = False

    @property
    def channels(self) -> int:
        return 4 if self.transparent else 3


def _rgb(h: float, s: float, v: float) -> tuple[int, int, int]:
    r, g, b = colorsys.hsv_to_rgb(h % 1.0, s, v)
    return round(r * 255), round(g * 255), round(b * 255)


@dataclass(frozen=True)
class Palette:
    background: tuple[int, int, int]
    tiles: np.ndarray  # K×3 uint8
    card: tuple[int, int, int]
    ink: tuple[int, int, int]
    muted: tuple[int, int, int]


@dataclass(frozen=True)
class Variant:
    """What the seed picks of the picture behind the card, from finite sets."""

    hue: int  # of HUES
    shape: int  # 0: disc, 1: squircle, 2: diamond
    pattern: int  # of PATTERNS


def variant_of(seed: bytes) -> Variant:
    return Variant(hue=seed[0] % HUES, shape=seed[10] % SHAPES, pattern=seed[11] % PATTERNS)


def palette_for(seed: bytes) -> Palette:
    return _palette(variant_of(seed).hue)


@lru_cache(maxsize=HUES)
def _palette(hue_index: int) -> Palette:
    hue = (hue_index + 0.5) / HUES
    rng = np.random.default_rng(hue_index)
    tiles = [
        _rgb(hue + rng.uniform(-0.12, 0.12), rng.uniform(0.45, 0.85), rng.uniform(0.55, 0.95))
        for _ in range(6)
    ]
    return Palette(
        background=_rgb(hue + 0.5, 0.30, 0.24),
        tiles=np.array(tiles, np.uint8),
        card=(250, 249, 246),
        ink=(24, 24, 28),
        muted=(96, 98, 108),
    )


def _subject_mask(rows: int, cols: int, seed: bytes) -> np.ndarray:
    return _subject_shape_mask(rows, cols, subject_shape(seed))


def fingerprint(seed: bytes, paper: tuple[int, int, int]) -> np.ndarray:
    """FINGERPRINT_CELLS×3 colours from the seed, half-way towards the card's paper: each
    seed byte gives two channels, its high and its low nibble (as plain integers: 48 values
    are quicker than a few numpy calls)."""
    nibbles = [
        half
        for byte in seed[: FINGERPRINT_CELLS * 3 // 2]
        for half in (byte & 0xF0, (byte & 0x0F) << 4)
    ]
    halfway = [(value + paper[i % 3]) // 2 for i, value in enumerate(nibbles)]
    return np.array(halfway, np.uint8).reshape(FINGERPRINT_CELLS, 3)


@lru_cache(maxsize=128)
def _subject_shape_mask(rows: int, cols: int, shape: int) -> np.ndarray:
    """Boolean grid of the subject: centred a little above the middle, leaving room below.
    The same for every picture of a size and shape, so kept (read-only)."""
    mask = _draw_subject(rows, cols, shape)
    mask.flags.writeable = False
    return mask


def _draw_subject(rows: int, cols: int, shape: int) -> np.ndarray:
    y, x = np.ogrid[:rows, :cols]
    cy, cx = rows * SUBJECT_CENTRE_Y, cols / 2 - 0.5
    radius = min(rows, cols) * SUBJECT_RADIUS
    dy, dx = (y - cy) / radius, (x - cx) / radius
    if shape == 0:
        return dx * dx + dy * dy <= 1.0
    if shape == 1:
        return dx**4 + dy**4 <= 1.0  # a squircle
    return np.abs(dx) + np.abs(dy) <= 1.2


def subject_box(width: int, height: int) -> tuple[int, int, int]:
    """Left, top and side in pixels of the square the subject fills."""
    side = round(2 * SUBJECT_RADIUS * min(width, height))
    return (width - side) // 2, max(0, round(height * SUBJECT_CENTRE_Y) - side // 2), side


@dataclass(frozen=True)
class Mosaic:
    """The subject's cells: ``choice[r, c]`` is the palette tile of the cell whose top-left
    grid block is ``(r * cell, c * cell)``; the subject's shape clips them."""

    rows: int  # grid blocks down and across the whole picture
    cols: int
    cell: int  # grid blocks per cell side
    choice: np.ndarray  # cell rows × cell columns of tile indices


def mosaic_for(scene: Scene, colours: Palette) -> Mosaic:
    rows, cols = -(-scene.height // GRID), -(-scene.width // GRID)
    variant = variant_of(scene.seed)
    rng = np.random.default_rng((variant.hue, variant.shape, variant.pattern))
    cell = max(1, round(min(rows, cols) * 0.72 / scene.detail))  # grid blocks per cell
    cell_rows, cell_cols = -(-rows // cell), -(-cols // cell)
    # Diagonal bands of the palette with jittered edges: structure at any cell size.
    angle = rng.uniform(0, np.pi)
    cy, cx = _cell_grid(cell_rows, cell_cols) * (2.4 / scene.detail)
    bands = cx * np.cos(angle) + cy * np.sin(angle) + rng.uniform(0, 0.45, (cell_rows, cell_cols))
    choice = np.floor(bands * len(colours.tiles)).astype(np.int64) % len(colours.tiles)
    return Mosaic(rows, cols, cell, choice)


@lru_cache(maxsize=128)
def _cell_grid(rows: int, cols: int) -> np.ndarray:
    grid = np.mgrid[:rows, :cols]
    grid.flags.writeable = False
    return grid


def subject_shape(seed: bytes) -> int:
    """0: disc, 1: squircle, 2: diamond."""
    return variant_of(seed).shape


def subject_grid(scene: Scene) -> np.ndarray:
    """The picture behind the card, one pixel per grid block (rows × cols × channels)."""
    return _grid_image(scene, palette_for(scene.seed))


def _grid_image(scene: Scene, colours: Palette) -> np.ndarray:
    cells = mosaic_for(scene, colours)
    rows, cols, cell = cells.rows, cells.cols, cells.cell
    mosaic = colours.tiles[cells.choice].repeat(cell, 0).repeat(cell, 1)[:rows, :cols]

    grid = np.empty((rows, cols, scene.channels), np.uint8)
    grid[..., :3] = colours.background
    if scene.transparent:
        grid[..., 3] = 0
    subject = _subject_mask(rows, cols, scene.seed)
    grid[subject, :3] = mosaic[subject]
    if scene.transparent:
        grid[subject, 3] = 255
    return grid


def upscale(grid: np.ndarray, width: int, height: int) -> np.ndarray:
    # Widen each row, then copy it GRID times by broadcasting: one pass over the output,
    # ten times faster than a round trip through Pillow.
    rows, cols, channels = grid.shape
    wide = grid.repeat(GRID, axis=1)
    out = np.empty((rows, GRID, cols * GRID, channels), np.uint8)
    out[...] = wide[:, None]
    return out.reshape(rows * GRID, cols * GRID, channels)[:height, :width]


@dataclass(frozen=True)
class CardLayout:
    """Where the card and its text go: pixel boxes and font sizes, for raster and SVG alike."""

    left: int
    top: int
    right: int
    bottom: int
    pad: int
    line: int  # distance between prompt lines
    body_size: int
    small_size: int
    lines: list[str]  # the prompt, wrapped and shortened to fit
    caption_y: int  # from the card's top


@lru_cache(maxsize=256)  # asked several times a request: by the PNG, the drawing, the SVG
def card_layout(scene: Scene) -> CardLayout:
    height, width = scene.height, scene.width
    short = min(width, height)
    size = max(12, round(short / 32))
    body, small = font(size), font(max(11, round(size * 0.72)))
    pad = max(6, size // 2)
    line = round(body.line_height * 1.15)

    left, right = round(width * 0.08), round(width * 0.92)
    text_width = right - left - 2 * pad
    room = round(height * 0.40) - 2 * pad - small.line_height - pad // 2
    lines = wrap(scene.prompt, body, text_width, max(1, room // line))

    card_height = 2 * pad + len(lines) * line + small.line_height + (pad // 2 if lines else 0)
    bottom = height - round(height * 0.05)
    top = max(0, bottom - card_height)
    caption_y = pad + len(lines) * line + (pad // 2 if lines else 0)
    return CardLayout(left, top, right, bottom, pad, line, size, small.size, lines, caption_y)


def draw_card(pixels: np.ndarray, scene: Scene, colours: Palette, first_row: int = 0) -> None:
    """Draw the card on ``pixels``, which hold the picture's rows from ``first_row`` on
    (``png_card`` draws it in bands; what falls outside the band is clipped)."""
    layout = card_layout(scene)
    body, small = font(layout.body_size), font(layout.small_size)
    paper = (*colours.card, 255)
    top = layout.top - first_row  # the card's first row in the band (negative: above it)
    card = pixels[max(0, top) : max(0, layout.bottom - first_row), layout.left : layout.right]
    fill(card, paper[: scene.channels])
    if top >= 0:  # the fingerprint sits in the card's first rows, one row repeated
        card[: fingerprint_height(layout)] = _fingerprint_row(scene, layout, colours)
    y = layout.pad + top - max(0, top)  # text positions relative to the card's rows
    for text in layout.lines:
        draw_line(card, layout.pad, y, text, body, (*colours.ink, 255), paper)
        y += layout.line
    caption_y = layout.caption_y + top - max(0, top)
    draw_line(card, layout.pad, caption_y, scene.caption, small, (*colours.muted, 255), paper)


def fill(region: np.ndarray, colour: tuple[int, ...]) -> None:
    """``region[...] = colour``, 50 times faster when each row's pixels are contiguous: the
    rows are written as flat byte runs rather than pixel by pixel."""
    rows, cols, channels = region.shape
    if region.strides[1:] != (channels, 1) or not region.size:
        region[...] = colour
        return
    flat = as_strided(region, (rows, cols * channels), (region.strides[0], 1))
    flat[...] = _colour_run(colour, cols)


@lru_cache(maxsize=64)
def _colour_run(colour: tuple[int, ...], cols: int) -> np.ndarray:
    """``cols`` pixels of ``colour`` as one run of bytes (a card's width of paper: few)."""
    return np.frombuffer(bytes(colour) * cols, np.uint8)


def _fingerprint_row(scene: Scene, layout: CardLayout, colours: Palette) -> np.ndarray:
    """A row of the fingerprint: its colours side by side across the card (the strip is a
    third of the pad tall)."""
    cells = fingerprint(scene.seed, colours.card)
    if scene.channels == 4:
        cells = np.concatenate([cells, np.full((FINGERPRINT_CELLS, 1), 255, np.uint8)], axis=1)
    return cells.repeat(_cell_widths(layout.right - layout.left), axis=0)


def fingerprint_height(layout: CardLayout) -> int:
    """The fingerprint strip's rows: a third of the pad, at least two."""
    return max(2, layout.pad // 3)


@lru_cache(maxsize=128)
def _cell_widths(width: int) -> np.ndarray:
    """How many of ``width`` columns each fingerprint cell takes (cell i starts at
    ceil(i * width / FINGERPRINT_CELLS), as the SVG draws it)."""
    starts = -(-np.arange(FINGERPRINT_CELLS + 1) * width // FINGERPRINT_CELLS)
    return np.diff(starts)


def render(scene: Scene) -> np.ndarray:
    """The scene's pixels: H×W×3 (opaque) or H×W×4 (transparent) uint8."""
    colours = palette_for(scene.seed)
    pixels = upscale(_grid_image(scene, colours), scene.width, scene.height)
    draw_card(pixels, scene, colours)
    return pixels


def seed_for(*parts: object) -> bytes:
    """A stable seed from the values that decide an image."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=32).digest()
