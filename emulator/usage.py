"""Token accounting for GPT image models, exactly as real recordings show (contract §14.1)."""

from __future__ import annotations

from .catalog import ModelSpec
from .tokenizer import count_tokens


def prompt_text_tokens(model: ModelSpec, prompt: str) -> int:
    """Text tokens one image's worth of prompt costs: o200k_base count + fixed overhead."""
    return count_tokens(prompt) + model.prompt_token_overhead


def usage_object(*, text_tokens: int, image_tokens: int, output_tokens: int) -> dict[str, object]:
    """The ``usage`` object in the API's key order."""
    input_tokens = text_tokens + image_tokens
    return {
        "input_tokens": input_tokens,
        "input_tokens_details": {"image_tokens": image_tokens, "text_tokens": text_tokens},
        "output_tokens": output_tokens,
        "total_tokens": input_tokens + output_tokens,
    }


def generation_usage(
    model: ModelSpec, prompt: str, quality: str, size: str, n: int
) -> dict[str, object]:
    """Usage of a generation: everything, input and output alike, times ``n``."""
    return usage_object(
        text_tokens=n * prompt_text_tokens(model, prompt),
        image_tokens=0,
        output_tokens=n * model.output_tokens[(quality, size)],
    )
