"""What the tests of the models after gpt-image-1 share: the models, and a refused generation."""

from __future__ import annotations

import openai
import pytest

from .images import solid

LATER = [
    "gpt-image-1-mini",
    "gpt-image-1.5",
    "gpt-image-1.5-2025-12-16",
    "chatgpt-image-latest",
    "gpt-image-2",
    "gpt-image-2-2026-04-21",
    "gpt-image-2.5-sunburst",
    "gpt-image-2.5-sunburst-2026-09-08",
    "gpt-image-2.5-flare",
    "gpt-image-2.5-flare-2026-09-08",
    "gpt-image-2.6-sunburst",
    "gpt-image-2.6-flare",
]
FREE_SIZE = [m for m in LATER if m.startswith("gpt-image-2")]
FAMILY_2_5 = [m for m in LATER if m.startswith(("gpt-image-2.5", "gpt-image-2.6"))]
PNG_IN = ("in.png", solid(1024, 1024), "image/png")


def bad(client: openai.OpenAI, **kw: object) -> dict:
    with pytest.raises(openai.BadRequestError) as refused:
        client.images.generate(prompt="x", **kw)  # type: ignore[call-overload]
    return refused.value.body  # type: ignore[return-value]


def err(body: dict) -> dict:
    return {"error": body}
