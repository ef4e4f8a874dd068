"""The card PNG built from kept pieces (``render.png_card``): the pixels ``render`` draws,
in a PNG any decoder reads, whatever the size, background, prompt or what is kept."""

from __future__ import annotations

import base64
import io
import json
import zlib

import numpy as np
import openai
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from emulator.jobs.generation import KEPT_IMAGES
from emulator.render import Scene, png_card, render, seed_for
from emulator.render.png_card import adler32_combine, clear_cache
from emulator.render.scene import HUES, PATTERNS, SHAPES, variant_of
from emulator.transport.wire import json_bytes


def card(width: int, height: int, prompt: str, transparent: bool = False, detail: int = 8) -> Scene:
    return Scene(
        width=width,
        height=height,
        seed=seed_for(width, height, prompt, transparent),
        prompt=prompt,
        caption=f"gpt-image-2 · {width}x{height} · low · 1/1",
        detail=detail,
        transparent=transparent,
    )


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()  # checks the zlib stream's Adler-32 and every chunk's CRC
    return image


@pytest.mark.parametrize(
    ("width", "height", "prompt", "transparent", "detail"),
    [
        (1024, 1024, "an otter holding a sign", False, 8),
        (1536, 1024, "a harbour " * 60, True, 32),  # a tall card over the subject
        (1024, 1536, "", False, 16),  # no prompt lines at all
        (3840, 2160, "a wide road at dusk", False, 8),
        (17, 33, "tiny", True, 8),  # the card is clamped to the top
        (1000, 601, "sizes that are no multiple of the grid", False, 64),
    ],
)
def test_the_pieces_make_the_pixels_render_draws(
    width: int, height: int, prompt: str, transparent: bool, detail: int
) -> None:
    scene = card(width, height, prompt, transparent, detail)
    image = decoded(png_card(scene))
    assert image.format == "PNG" and image.size == (width, height)
    assert image.mode == ("RGBA" if transparent else "RGB")
    assert np.array_equal(np.asarray(image), render(scene))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    width=st.integers(16, 700),
    height=st.integers(16, 700),
    prompt=st.text(max_size=120),
    transparent=st.booleans(),
)
def test_any_card_decodes_to_its_pixels(
    width: int, height: int, prompt: str, transparent: bool
) -> None:
    scene = card(width, height, prompt, transparent)
    assert np.array_equal(np.asarray(decoded(png_card(scene))), render(scene))


def test_kept_pieces_give_the_same_bytes_as_a_first_drawing() -> None:
    scene = card(1024, 1024, "the same picture twice")
    kept = png_card(scene)
    clear_cache()
    assert png_card(scene) == kept


@given(first=st.binary(max_size=70_000), second=st.binary(max_size=70_000))
def test_adler32_combines_as_zlib_computes_it(first: bytes, second: bytes) -> None:
    joined = adler32_combine(zlib.adler32(first), zlib.adler32(second), len(second))
    assert joined == zlib.adler32(first + second)


def test_the_seed_picks_among_every_variant() -> None:
    seen = {variant_of(seed_for(i)) for i in range(20_000)}
    assert len(seen) == HUES * SHAPES * PATTERNS


def test_pictures_sharing_a_variant_still_differ_by_their_fingerprint() -> None:
    seeds = {}
    for i in range(5_000):  # two seeds with one variant: the picture behind the card is one
        seed = seed_for(i)
        other = seeds.setdefault(variant_of(seed), seed)
        if other != seed:
            break
    base = card(512, 512, "one prompt")
    a = render(Scene(**{**base.__dict__, "seed": other}))
    b = render(Scene(**{**base.__dict__, "seed": seed}))
    rows = np.nonzero(np.any(a != b, axis=(1, 2)))[0]
    assert rows.size and rows.min() >= base.height // 2  # only the card's fingerprint differs


def test_a_repeated_request_is_answered_with_the_kept_bytes(client: openai.OpenAI) -> None:
    ask = dict(model="gpt-image-2", prompt="a lighthouse kept once", quality="low")
    before = len(KEPT_IMAGES)
    first = client.images.generate(**ask).data[0].b64_json  # type: ignore[arg-type]
    assert len(KEPT_IMAGES) == before + 1  # drawn once, then kept
    second = client.images.generate(**ask).data[0].b64_json  # type: ignore[arg-type]
    assert first == second and len(KEPT_IMAGES) == before + 1
    image = decoded(base64.b64decode(second))
    assert image.size == (1024, 1024) and image.mode == "RGB"


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text()
    | st.floats(allow_nan=False, allow_infinity=False).filter(
        lambda f: f == 0 or 1e-4 <= abs(f) < 1e16  # where both write floats without exponent
    ),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)  # fmt: skip


@given(JSON_VALUES)
def test_json_bytes_are_what_the_standard_library_writes(value: object) -> None:
    expected = json.dumps(value, indent=2, ensure_ascii=False) + "\n"
    assert json_bytes(value) == expected.encode("utf-8", "backslashreplace")
