"""Parameters per model: qualities, input fidelity, transparency, complexity, moderation and
safety identifiers, and the seed models refusing what came later."""

from __future__ import annotations

import numpy as np
import openai
import pytest

from .expect import error
from .images import decode
from .later import PNG_IN, bad

# --- parameters per model --------------------------------------------------------------------


def test_xhigh_and_max_only_in_the_2_5_family(client: openai.OpenAI) -> None:
    for quality in ("xhigh", "max"):
        result = client.images.generate(model="gpt-image-2.5-sunburst", prompt="x", quality=quality)
        assert result.quality == quality
        assert bad(client, model="gpt-image-2", quality=quality)["param"] == "quality"


def test_input_fidelity_per_model(client: openai.OpenAI) -> None:
    high = client.images.edit(
        model="gpt-image-1.5", image=PNG_IN, prompt="x", input_fidelity="high", quality="low"
    )
    low = client.images.edit(model="gpt-image-1.5", image=PNG_IN, prompt="x", quality="low")
    extra = (
        high.usage.input_tokens_details.image_tokens - low.usage.input_tokens_details.image_tokens
    )  # type: ignore[union-attr]
    assert extra == 4160
    with pytest.raises(openai.BadRequestError) as mini:
        client.images.edit(
            model="gpt-image-1-mini", image=PNG_IN, prompt="x", input_fidelity="high"
        )
    assert (
        mini.value.body
        == error(
            "Invalid value: 'high'. Supported values are: 'low'.", "input_fidelity", "invalid_value"
        )["error"]
    )
    for model in ("gpt-image-2", "gpt-image-2-2026-04-21", "gpt-image-2.5-flare"):
        with pytest.raises(openai.BadRequestError) as two:
            client.images.edit(model=model, image=PNG_IN, prompt="x", input_fidelity="low")
        assert two.value.body == {
            "message": f"The model '{model}' does not support the 'input_fidelity' parameter.",
            "type": "image_generation_user_error",
            "param": "input_fidelity",
            "code": "invalid_input_fidelity_model",
        }


def test_gpt_image_2_bills_inputs_in_patches(client: openai.OpenAI) -> None:
    # 16-pixel patches (a recorded gpt-image-2 edit: 128x128 billed 64), always full fidelity.
    result = client.images.edit(model="gpt-image-2", image=PNG_IN, prompt="x", quality="low")
    assert result.usage.input_tokens_details.image_tokens == 64 * 64  # type: ignore[union-attr]


@pytest.mark.parametrize("model", ["gpt-image-2", "gpt-image-2.5-flare", "gpt-image-1.5"])
def test_transparent_background(client: openai.OpenAI, model: str) -> None:
    result = client.images.generate(
        model=model, prompt="x", background="transparent", quality="low", output_format="webp"
    )
    image = decode(result.data[0].b64_json)
    assert image.mode == "RGBA" and np.asarray(image)[0, 0, 3] == 0


def test_complexity_and_moderation(client: openai.OpenAI) -> None:
    pictures = {
        complexity: client.images.generate(
            model="gpt-image-2.5-flare", prompt="x", complexity=complexity, moderation="low"
        )
        .data[0]
        .b64_json
        for complexity in ("low", "high")
    }
    assert pictures["low"] != pictures["high"]
    assert bad(client, model="gpt-image-2", complexity="low") == {
        "message": "Unknown parameter: 'complexity'.",
        "type": "invalid_request_error",
        "param": "complexity",
        "code": "unknown_parameter",
    }


@pytest.mark.parametrize(
    ("given", "echoed"),
    [
        ({"safety_identifier": "sid", "user": "u"}, "sid"),
        ({"safety_identifier": "", "user": "u"}, "u"),
        ({"user": "u"}, "u"),
        ({}, None),
    ],
)
def test_safety_identifier_is_echoed(
    client: openai.OpenAI, given: dict, echoed: str | None
) -> None:
    result = client.images.generate(model="gpt-image-2", prompt="x", quality="low", **given)
    assert result.safety_identifier == echoed
    events = list(
        client.images.generate(model="gpt-image-2", prompt="x", quality="low", stream=True, **given)
    )
    assert getattr(events[-1], "safety_identifier", None) == echoed


def test_seed_models_keep_refusing_new_parameters(client: openai.OpenAI) -> None:
    assert bad(client, model="gpt-image-1", safety_identifier="s")["code"] == "unknown_parameter"
