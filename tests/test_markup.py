"""Markup: a PNG drawn over the first image of an edit, and its refusals."""

from __future__ import annotations

import numpy as np
import openai
import pytest
from PIL import Image

from .images import decode, encoded, mask_with_hole
from .later import PNG_IN

# --- markup ----------------------------------------------------------------------------------


def markup_png(box: tuple[int, int, int, int], colour: tuple[int, int, int]) -> bytes:
    overlay = Image.new("RGBA", (1024, 1024), (0, 0, 0, 0))
    overlay.paste((*colour, 255), box)
    return encoded(overlay)


def test_markup_is_drawn_over_the_first_image(client: openai.OpenAI) -> None:
    plain = client.images.edit(model="gpt-image-2.5-flare", image=PNG_IN, prompt="x")
    marked = client.images.edit(
        model="gpt-image-2.5-flare",
        image=PNG_IN,
        markup=("markup.png", markup_png((100, 100, 600, 600), (0, 0, 255)), "image/png"),
        prompt="x",
    )
    blue = np.all(np.asarray(decode(marked.data[0].b64_json)) == (0, 0, 255), axis=2).mean()
    assert blue > 0.01  # the input's thumbnail on the board shows the blue box
    assert np.all(np.asarray(decode(plain.data[0].b64_json)) == (0, 0, 255), axis=2).mean() == 0


@pytest.mark.parametrize(
    ("markup", "message"),
    [
        (
            encoded(Image.new("RGBA", (1024, 1024), (1, 2, 3, 255))),
            "Invalid markup image - it must contain transparent pixels, so the image shows "
            "through.",
        ),
        (
            encoded(Image.new("RGBA", (512, 512), (0, 0, 0, 0))),
            "Invalid markup image - expected a markup with the same dimensions as the image "
            "(1024x1024), got 512x512 instead.",
        ),
        (
            encoded(Image.new("RGB", (1024, 1024))),
            "Invalid markup image - format must be in ['RGBA', 'LA'], got RGB.",
        ),
    ],
)
def test_markup_refusals(client: openai.OpenAI, markup: bytes, message: str) -> None:
    with pytest.raises(openai.BadRequestError) as refused:
        client.images.edit(
            model="gpt-image-2.5-flare",
            image=PNG_IN,
            markup=("m.png", markup, "image/png"),
            prompt="x",
        )
    assert refused.value.body["message"] == message  # type: ignore[index]
    assert refused.value.body["param"] == "markup"  # type: ignore[index]


def test_markup_with_mask_and_markup_elsewhere(client: openai.OpenAI) -> None:
    overlay = ("m.png", markup_png((0, 0, 10, 10), (255, 0, 0)), "image/png")
    with pytest.raises(openai.BadRequestError) as both:
        client.images.edit(
            model="gpt-image-2.5-flare",
            image=PNG_IN,
            mask=("k.png", mask_with_hole(1024, 1024, (0, 0, 10, 10)), "image/png"),
            markup=overlay,
            prompt="x",
        )
    assert both.value.body["message"] == "'markup' cannot be combined with 'mask'."  # type: ignore[index]
    with pytest.raises(openai.BadRequestError) as two:
        client.images.edit(model="gpt-image-2", image=PNG_IN, markup=overlay, prompt="x")
    assert two.value.body["code"] == "unknown_parameter"  # type: ignore[index]
