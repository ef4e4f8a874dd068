"""The renderer on its own: exact sizes, modes, determinism, text wrapping."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from emulator.render import Scene, encode, render, seed_for
from emulator.render.text import ELLIPSIS, font, wrap


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
