"""What the tests of the models after gpt-image-1 share: the models, and a refused generation."""

from __future__ import annotations

import openai
import pytest

from emulator.contract.gpt_image_models import GPT_IMAGE_MODELS

from .images import solid

# Every GPT image model after gpt-image-1, with its dated snapshots, in release order.
LATER = [name for spec in GPT_IMAGE_MODELS if spec.id != "gpt-image-1" for name in spec.names]
# Any WIDTHxHEIGHT size (tokens from pixels): gpt-image-2 and after.
FREE_SIZE = [name for spec in GPT_IMAGE_MODELS if spec.pixel_tokens for name in spec.names]
# The 2.5 family's parameters (complexity, markup, GIF and SVG): 2.5 and 2.6.
FAMILY_2_5 = [name for spec in GPT_IMAGE_MODELS if spec.takes("complexity") for name in spec.names]
PNG_IN = ("in.png", solid(1024, 1024), "image/png")


def bad(client: openai.OpenAI, **kw: object) -> dict:
    with pytest.raises(openai.BadRequestError) as refused:
        client.images.generate(prompt="x", **kw)  # type: ignore[call-overload]
    return refused.value.body  # type: ignore[return-value]


def err(body: dict) -> dict:
    return {"error": body}
