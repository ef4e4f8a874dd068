"""Text on images: wrapping, shortening and drawing with cached glyphs.

Pillow draws a line of text in about a millisecond; a request's image has up to a dozen
lines. Drawing each glyph once per size and blitting the cached masks with numpy is about
ten times faster and looks the same (the font is Pillow's own, Aileron, shipped inside
Pillow, so nothing is needed from the system).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

ELLIPSIS = "…"
_GLYPHS_PER_FONT = 4096  # bound on cached glyphs per size; prompts can hold any script
_LINES_PER_FONT = 256  # drawn lines kept per size


@dataclass(frozen=True)
class Glyph:
    mask: np.ndarray  # uint8 coverage, height = the font's line height
    left: int  # where the mask starts relative to the pen position (may be negative)
    advance: float


class GlyphFont:
    """One font size, with the glyphs drawn so far."""

    def __init__(self, size: int) -> None:
        self.size = size
        loaded = ImageFont.load_default(size=size)
        if not isinstance(loaded, ImageFont.FreeTypeFont):  # Pillow built without FreeType
            raise RuntimeError("Pillow needs FreeType support to draw text at any size")
        self._font = loaded
        ascent, descent = self._font.getmetrics()
        self.line_height = ascent + descent
        self._glyphs: dict[str, Glyph] = {}
        self._lines: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def glyph(self, char: str) -> Glyph:
        found = self._glyphs.get(char)
        if found is not None:
            return found
        # Drawn under the lock: a FreeType face is not safe to use from two threads at once,
        # and a glyph drawn wrong once would be kept and change every later picture.
        with self._lock:
            glyph = self._glyphs.get(char) or self._draw(char)
            if len(self._glyphs) >= _GLYPHS_PER_FONT:
                self._glyphs.clear()
            self._glyphs[char] = glyph
        return glyph

    def _draw(self, char: str) -> Glyph:
        advance = self._font.getlength(char)
        x0, _, x1, _ = self._font.getbbox(char)
        left = min(0, math.floor(x0))
        width = max(1, math.ceil(max(x1, advance)) - left)
        canvas = Image.new("L", (width, self.line_height), 0)
        ImageDraw.Draw(canvas).text((-left, 0), char, font=self._font, fill=255)
        return Glyph(mask=np.asarray(canvas), left=left, advance=advance)

    def width(self, text: str) -> float:
        return sum(self.glyph(c).advance for c in text)

    def line_mask(self, text: str) -> np.ndarray:
        """Coverage mask of one line, as wide as the text's advance (read-only: lines
        repeat, the caption above all, so the last few hundred are kept)."""
        with self._lock:
            cached = self._lines.get(text)
        if cached is not None:
            return cached
        mask = self._line_mask(text)
        mask.flags.writeable = False
        with self._lock:
            self._lines[text] = mask
            if len(self._lines) > _LINES_PER_FONT:
                self._lines.pop(next(iter(self._lines)))
        return mask

    def _line_mask(self, text: str) -> np.ndarray:
        """Each glyph at its pen position, overlaps taking the larger coverage. Neighbours
        may overlap, every other glyph does not: the even and the odd glyphs are each laid
        side by side in one concatenation, and the two rows merged by one maximum (a
        numpy call per glyph cost more)."""
        glyphs = [self.glyph(c) for c in text]
        width = math.ceil(sum(g.advance for g in glyphs)) + self.size
        places, pen = [], 0.0
        for g in glyphs:
            x = max(0, round(pen) + g.left)
            room = width - x
            places.append((x, g.mask if g.mask.shape[1] <= room else g.mask[:, : max(0, room)]))
            pen += g.advance
        blank = np.zeros((self.line_height, width), np.uint8)
        halves = [_side_by_side(places[parity::2], blank) for parity in (0, 1)]
        if halves[0] is None or halves[1] is None:  # glyphs wider than two advances
            return _one_by_one(places, blank)
        return np.maximum(halves[0], halves[1])


def _side_by_side(places: list[tuple[int, np.ndarray]], blank: np.ndarray) -> np.ndarray | None:
    """Glyph masks that do not overlap, at their columns on a blank line (None if some do)."""
    parts, end = [], 0
    for x, mask in places:
        if not mask.shape[1]:
            continue
        if x < end:
            return None
        parts += [blank[:, : x - end], mask]
        end = x + mask.shape[1]
    parts.append(blank[:, : blank.shape[1] - end])
    return np.concatenate(parts, axis=1)


def _one_by_one(places: list[tuple[int, np.ndarray]], blank: np.ndarray) -> np.ndarray:
    """The reference way: a maximum per glyph, on a copy of the blank line."""
    line = blank.copy()
    for x, mask in places:
        w = mask.shape[1]
        np.maximum(line[:, x : x + w], mask, out=line[:, x : x + w])
    return line


@lru_cache(maxsize=64)
def font(size: int) -> GlyphFont:
    return GlyphFont(size)


def wrap(text: str, face: GlyphFont, max_width: float, max_lines: int) -> list[str]:
    """Greedy word wrap; a word too long for a line is broken; the overflow becomes '…'."""
    space = face.glyph(" ").advance
    lines: list[str] = []
    current, current_width = "", 0.0
    for word in text.split():
        word_width = face.width(word)
        if current and current_width + space + word_width <= max_width:
            current, current_width = f"{current} {word}", current_width + space + word_width
            continue
        if current:
            lines.append(current)
        current, current_width = word, word_width
        while current and current_width > max_width:  # a line narrower than any glyph
            cut = _fit(current, face, max_width)
            lines.append(current[:cut])
            current = current[cut:]
            current_width = face.width(current)
        if len(lines) > max_lines:
            break
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = _shorten(lines[-1], face, max_width)
    return lines


def _fit(text: str, face: GlyphFont, max_width: float) -> int:
    """How many leading characters of ``text`` fit in ``max_width`` (at least one)."""
    width = 0.0
    for i, char in enumerate(text):
        width += face.glyph(char).advance
        if width > max_width:
            return max(1, i)
    return len(text)


def _shorten(line: str, face: GlyphFont, max_width: float) -> str:
    while line and face.width(line + ELLIPSIS) > max_width:
        line = line[:-1]
    return line.rstrip() + ELLIPSIS


def draw_line(
    pixels: np.ndarray,
    x: int,
    y: int,
    text: str,
    face: GlyphFont,
    ink: tuple[int, ...],
    paper: tuple[int, ...],
) -> None:
    """Draw ``text`` in ``ink`` on a stretch of ``pixels`` (H×W×C uint8) that is all ``paper``.

    Because the paper is one colour, every coverage value maps to one colour: a 256-entry
    table replaces per-pixel blending arithmetic.
    """
    mask = face.line_mask(text)
    height, width, channels = pixels.shape
    top, left = max(0, y), max(0, x)
    bottom, right = min(height, y + mask.shape[0]), min(width, x + mask.shape[1])
    if bottom <= top or right <= left:
        return
    table = _blend_table(ink[:channels], paper[:channels])
    visible = mask[top - y : bottom - y, left - x : right - x]
    pixels[top:bottom, left:right] = table.take(visible, axis=0)  # 4× a fancy index


@lru_cache(maxsize=256)
def _blend_table(ink: tuple[int, ...], paper: tuple[int, ...]) -> np.ndarray:
    """The colour of every coverage value, from paper (0) to ink (255): palettes are few."""
    coverage = np.arange(256, dtype=np.float32)[:, None] / 255
    ink_, paper_ = (np.array(c, np.float32) for c in (ink, paper))
    table = np.rint(paper_ * (1 - coverage) + ink_ * coverage).astype(np.uint8)
    table.flags.writeable = False
    return table
