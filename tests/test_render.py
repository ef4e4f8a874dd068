"""The renderer on its own: exact sizes, modes, determinism, text wrapping."""

from __future__ import annotations

import io
import math

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given, settings
from PIL import Image

from emulator.render import Scene, encode, render, seed_for
from emulator.render.text import (
    ELLIPSIS,
    _blend_table,
    _one_by_one,
    _side_by_side,
    font,
    wrap,
)


def scene(**changes: object) -> Scene:
    base = dict(
        width=1024,
        height=1024,
        seed=seed_for("x"),
        prompt="an otter",
        caption="gpt-image-1 · 1024x1024 · low · 1/1",
        detail=8,
        transparent=False,
    )
    return Scene(**{**base, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("width", "height"),
    [(256, 256), (512, 512), (1024, 1792), (1792, 1024), (1536, 1024), (1000, 600), (17, 33)],
)
def test_exact_dimensions_any_size(width: int, height: int) -> None:
    pixels = render(scene(width=width, height=height))
    assert pixels.shape == (height, width, 3)
    image = Image.open(io.BytesIO(encode(pixels, "png")))
    assert image.size == (width, height)


def test_png_round_trips_pixel_exact() -> None:
    for transparent in (False, True):
        pixels = render(scene(transparent=transparent))
        decoded = np.asarray(Image.open(io.BytesIO(encode(pixels, "png"))))
        assert np.array_equal(decoded, pixels)


def test_same_scene_same_pixels() -> None:
    assert np.array_equal(render(scene()), render(scene()))
    assert not np.array_equal(render(scene()), render(scene(seed=seed_for("y"))))


def test_wrap_breaks_long_words_and_shortens() -> None:
    face = font(32)
    lines = wrap("word " * 400, face, 500, 4)
    assert len(lines) == 4 and lines[-1].endswith(ELLIPSIS)
    assert all(face.width(line) <= 500 for line in lines)
    broken = wrap("x" * 200, face, 300, 10)
    assert len(broken) > 1 and "".join(broken) == "x" * 200


def test_very_long_prompt_is_drawn_shortened() -> None:
    pixels = render(scene(prompt="otter " * 6000))
    assert pixels.shape == (1024, 1024, 3)


def test_text_stays_inside_the_card() -> None:
    # Long lines fill the card; nothing may be painted right of it (x >= 92% of the width).
    long, short = render(scene(prompt="i" * 5000)), render(scene(prompt="x"))
    edge = round(1024 * 0.92)
    assert np.array_equal(long[:, edge:], short[:, edge:])


# Letters, digits, marks that combine, wide scripts, and what has no glyph.
_CHARACTERS = "ab fijlmwW0123456789.,'\"@%_/\\éßœ中文字한국어\u0301\u0308ﬁ\t"
_TEXT = st.text(alphabet=st.sampled_from(_CHARACTERS), max_size=40)
# Words that recur at other places along a line (a kept word's layout is met again there),
# some starting with a glyph that reaches left of its pen ('j'), some wide ('W'), apart by
# one to three spaces.
_WORD = st.sampled_from(["jolly", "W", "otter", "fij", "中文", "a", "0.5", "\u00e9t\u00e9", "ﬁx"])
_SPACES = st.sampled_from([" ", "  ", "   "])
_WORDY_TEXT = st.lists(st.tuples(_WORD, _SPACES), max_size=8).map(
    lambda pairs: "".join(word + gap for word, gap in pairs).rstrip(" ")
)


@settings(max_examples=200, deadline=None)
@given(st.one_of(_TEXT, _WORDY_TEXT), st.sampled_from([11, 12, 23, 32, 90]))
def test_a_line_s_mask_is_every_glyph_at_its_place_overlaps_taking_the_larger(
    text: str, size: int
) -> None:
    """The line built from kept words, in two side-by-side halves, equals the glyphs drawn
    one by one at their pen positions."""
    face = font(size)
    width = math.ceil(sum(face.glyph(c).advance for c in text)) + size
    places, pen = [], 0.0
    for char in text:
        glyph = face.glyph(char)
        x = max(0, round(pen) + glyph.left)
        places.append((x, glyph.mask[:, : max(0, width - x)]))
        pen += glyph.advance
    expected = _one_by_one(places, np.zeros((face.line_height, width), np.uint8))
    drawn = face._line_mask(text)
    assert drawn.shape == expected.shape and np.array_equal(drawn, expected)
    for ink, paper in [((24, 24, 28), (250, 249, 246)), ((96, 98, 108, 255), (250, 249, 246, 255))]:
        table = _blend_table(ink, paper)  # in colour: kept words joined, or the mask blended
        assert np.array_equal(face.line_pixels(text, table), table.take(expected, axis=0))


def test_glyphs_wider_than_two_advances_are_drawn_one_by_one() -> None:
    blank = np.zeros((4, 12), np.uint8)
    wide = np.full((4, 6), 200, np.uint8)
    places = [(0, wide), (2, wide // 2), (4, wide)]  # the first and the third overlap
    assert _side_by_side(places[0::2], blank) is None
    line = _one_by_one(places, blank)
    assert line[0].tolist() == [200] * 10 + [0, 0]
    assert not blank.any()  # the blank line is a template, never drawn on


@pytest.mark.parametrize(("width", "height"), [(8, 8), (9, 11), (17, 21), (40, 16)])
def test_a_picture_too_small_for_any_glyph_still_draws(width: int, height: int) -> None:
    """Its card has no room for text: the prompt wraps to nothing, and drawing ends."""
    scene = Scene(width=width, height=height, seed=seed_for("tiny"), prompt="an otter swims",
                  caption="cap", detail=8)  # fmt: skip
    pixels = render(scene)
    assert pixels.shape == (height, width, 3)
    assert wrap("an otter", font(12), -5.0, 3) == ["a", "n", ELLIPSIS]
