"""Text on images: wrapping, shortening and drawing with cached glyphs.

Pillow draws a line of text in about a millisecond; a request's image has up to a dozen
lines. Drawing each glyph once per size and blitting the cached masks with numpy is about
ten times faster and looks the same (the font is Pillow's own, Aileron, shipped inside
Pillow, so nothing is needed from the system).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .bounded_cache import BoundedCache

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
        # FreeType's advances are 1/64 px: their sums are exact in any order (a kept word's
        # place is then exact too). Cleared if a glyph's is not.
        self._exact_advances = True

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
        if (advance * 64) % 1:
            self._exact_advances = False
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
        """Each glyph at its pen position, overlaps taking the larger coverage: from the
        line's kept words (``laid_words``), else glyph by glyph."""
        laid = self.laid_words(text)
        if laid is None:
            return self._glyph_line(text)
        places, width = laid
        return _laid([(x, word.mask) for x, word in places], width, self.line_height)

    def line_pixels(self, text: str, table: np.ndarray) -> np.ndarray:
        """The line in colour (``table``: a colour per coverage, paper first), H×W×C. Words
        apart, as they nearly always are, it is their kept colour blocks joined with paper
        between: no per-pixel lookup for the words a line shares with others."""
        laid = self.laid_words(text)
        if laid is not None:
            line = _coloured_line(*laid, table, self.line_height)
            if line is not None:
                return line
        return table.take(self.line_mask(text), axis=0)  # 4x a fancy index

    def laid_words(self, text: str) -> tuple[list[tuple[int, _Word]], int] | None:
        """The line's words at their columns, and the line's width; None where the kept
        words cannot give it exactly (a glyph left of the line's start, a space with ink,
        advances that do not add up exactly): then it is laid glyph by glyph. A word at an
        even pen offset and a phase looks the same wherever it lands."""
        space = self.glyph(" ")
        if space.mask.any() or not self._exact_advances:
            return None
        places, pen = [], 0.0
        for index, chars in enumerate(text.split(" ")):
            if index:
                pen += space.advance
            if not chars:
                continue
            base = 2 * math.floor(pen / 2)  # even: rounding half to even is unchanged by it
            word = self._word(chars, pen - base)
            if base + word.left < 0:  # the line's first glyph is moved right to column 0
                return None
            places.append((base + word.left, word))
            pen += word.advance
        if not self._exact_advances:  # a glyph just drawn for this line says otherwise
            return None
        return places, math.ceil(pen) + self.size

    def _word(self, chars: str, phase: float) -> _Word:
        """A word's glyphs laid out from pen position ``phase`` (in [0, 2)), kept."""
        key = (self.size, chars, phase)
        found = _WORDS.get(key)
        if isinstance(found, _Word):
            return found
        places, pen = [], phase
        for g in (self.glyph(c) for c in chars):
            places.append((round(pen) + g.left, g.mask))
            pen += g.advance
        left = min(x for x, _ in places)
        width = max(x + mask.shape[1] for x, mask in places) - left
        mask = _laid([(x - left, m) for x, m in places], width, self.line_height)
        mask.flags.writeable = False
        word = _Word(mask, left, pen - phase, key)
        _WORDS.put(key, word, mask.nbytes * (1 + 2 * 4) + 200)  # the mask, two inks in RGBA
        return word

    def _glyph_line(self, text: str) -> np.ndarray:
        """The reference layout: glyph by glyph, none left of column 0."""
        places, pen = [], 0.0
        for g in (self.glyph(c) for c in text):
            places.append((max(0, round(pen) + g.left), g.mask))
            pen += g.advance
        return _laid(places, math.ceil(pen) + self.size, self.line_height)


@dataclass(frozen=True)
class _Word:
    """A word's glyphs laid out from a pen phase: its mask and where the mask starts."""

    mask: np.ndarray
    left: int  # the mask's first column, from the pen's even part where the word starts
    advance: float
    key: tuple[object, ...]  # font size, characters, phase
    # The word in the colours it was drawn in (ink and paper): a card has two inks on one
    # paper, and the kept word's size counts room for them.
    coloured: dict[tuple[bytes, bytes], np.ndarray] = field(default_factory=dict)


def _coloured_line(
    places: list[tuple[int, _Word]], width: int, table: np.ndarray, height: int
) -> np.ndarray | None:
    """Kept words in colour, joined with paper between them on a line ``width`` wide (cut
    at its end); None if two words overlap (their coverage must be merged first)."""
    paper = _paper(height, table.shape[1], table[0].tobytes(), width)[:, :width]
    blocks = [(x, _coloured_word(word, table)) for x, word in places]
    return _side_by_side(_cut_at(blocks, width), paper)


def _coloured_word(word: _Word, table: np.ndarray) -> np.ndarray:
    colours = table[0].tobytes(), table[255].tobytes()  # paper and ink decide the table
    block = word.coloured.get(colours)
    if block is None:
        block = table.take(word.mask, axis=0)
        block.flags.writeable = False
        word.coloured[colours] = block
    return block


@lru_cache(maxsize=64)
def _paper_for(height: int, channels: int, colour: bytes, width: int) -> np.ndarray:
    block = np.frombuffer(colour * (height * width), np.uint8).reshape(height, width, channels)
    return block  # read-only: it is a bytes object's


def _paper(height: int, channels: int, colour: bytes, width: int) -> np.ndarray:
    """A read-only block of paper at least ``width`` wide (kept in a few widths)."""
    return _paper_for(height, channels, colour, 1 << max(6, (width - 1).bit_length()))


# Laid-out words of every size with their colours, bounded by their bytes (a 4K card's
# word: ~25 KB of mask).
_WORDS = BoundedCache(48 * 1024 * 1024)


def _laid(places: list[tuple[int, np.ndarray]], width: int, height: int) -> np.ndarray:
    """Masks at their columns on a blank line ``width`` wide (cut at its end), overlaps taking
    the larger coverage. Mostly none overlap (words seldom do): one concatenation. Else
    neighbours may, every other one does not: the even and the odd masks are each laid side
    by side, and the two merged by one maximum (a numpy call per mask cost more)."""
    places = _cut_at(places, width)
    blank = np.zeros((height, width), np.uint8)
    line = _side_by_side(places, blank)
    if line is not None:
        return line
    halves = [_side_by_side(places[parity::2], blank) for parity in (0, 1)]
    if halves[0] is None or halves[1] is None:  # masks wider than two advances
        return _one_by_one(places, blank)
    return np.maximum(halves[0], halves[1])


def _cut_at(places: list[tuple[int, np.ndarray]], width: int) -> list[tuple[int, np.ndarray]]:
    """Masks (or coloured blocks) at their columns, cut where a line ``width`` wide ends."""
    return [(x, block if block.shape[1] <= width - x else block[:, : max(0, width - x)])
            for x, block in places]  # fmt: skip


def _side_by_side(places: list[tuple[int, np.ndarray]], blank: np.ndarray) -> np.ndarray | None:
    """Masks (or coloured blocks) that do not overlap, at their columns on a blank line (or
    paper), joined in one concatenation; None if some overlap."""
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
    table replaces per-pixel blending arithmetic. A line outside ``pixels`` (a band of the
    picture) is not laid out at all.
    """
    height, width, channels = pixels.shape
    top, bottom = max(0, y), min(height, y + face.line_height)
    if bottom <= top or x >= width:
        return
    line = face.line_pixels(text, _blend_table(ink[:channels], paper[:channels]))
    left, right = max(0, x), min(width, x + line.shape[1])
    if right <= left:
        return
    pixels[top:bottom, left:right] = line[top - y : bottom - y, left - x : right - x]


@lru_cache(maxsize=256)
def _blend_table(ink: tuple[int, ...], paper: tuple[int, ...]) -> np.ndarray:
    """The colour of every coverage value, from paper (0) to ink (255): palettes are few."""
    coverage = np.arange(256, dtype=np.float32)[:, None] / 255
    ink_, paper_ = (np.array(c, np.float32) for c in (ink, paper))
    table = np.rint(paper_ * (1 - coverage) + ink_ * coverage).astype(np.uint8)
    table.flags.writeable = False
    return table
