"""Sizes as a rule (gpt-image-2 on), each broken rule named; the earlier models' three sizes."""

from __future__ import annotations

import openai
import pytest

from .images import decode
from .later import bad

# --- sizes as a rule -----------------------------------------------------------------------


@pytest.mark.parametrize("model", ["gpt-image-2", "gpt-image-2.5-flare"])
@pytest.mark.parametrize("size", ["1280x720", "720x1280", "1536x864", "2048x2048", "816x816"])
def test_any_size_within_the_rules(client: openai.OpenAI, model: str, size: str) -> None:
    result = client.images.generate(model=model, prompt="x", size=size, quality="low")
    width, height = (int(v) for v in size.split("x"))
    assert decode(result.data[0].b64_json).size == (width, height)
    assert result.size == size


def test_largest_size(client: openai.OpenAI) -> None:
    result = client.images.generate(model="gpt-image-2", prompt="x", size="3840x2160")
    assert decode(result.data[0].b64_json).size == (3840, 2160)


@pytest.mark.parametrize(
    ("size", "rule"),
    [
        ("1000x1000", "width and height must both be positive multiples of 16"),
        ("4096x2048", "the longest edge must be at most 3840 pixels"),
        ("3840x1024", "the aspect ratio must be between 1:3 and 3:1"),
        ("512x512", "the size must have at least 655360 pixels in all"),
        ("3840x2400", "the size must have at most 8294400 pixels in all"),
        ("wide", "expected 'auto' or a size 'WIDTHxHEIGHT' such as '1536x864'"),
    ],
)
def test_each_size_rule_is_named(client: openai.OpenAI, size: str, rule: str) -> None:
    assert bad(client, model="gpt-image-2", size=size) == {
        "message": f"Invalid 'size': {rule}, but got '{size}' instead.",
        "type": "invalid_request_error",
        "param": "size",
        "code": "invalid_value",
    }


def test_earlier_models_keep_their_three_sizes(client: openai.OpenAI) -> None:
    for model in ("gpt-image-1", "gpt-image-1-mini", "gpt-image-1.5", "chatgpt-image-latest"):
        assert bad(client, model=model, size="1280x720")["message"] == (
            "Invalid value: '1280x720'. Supported values are: '1024x1024', '1024x1536', "
            "'1536x1024', and 'auto'."
        )
