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


def image_tiles(width: int, height: int) -> int:
    """512-pixel tiles of an input image after the API's two scalings (contract §14.1):
    fit inside 2048×2048 (down only), then the short side to exactly 512 (up or down).
    Integer arithmetic: the API floors (1024×1025 is one tile)."""
    longest = max(width, height)
    if longest > 2048:
        width, height = width * 2048 // longest, height * 2048 // longest
    shortest = max(1, min(width, height))
    width, height = width * 512 // shortest, height * 512 // shortest
    return -(-width // 512) * -(-height // 512)


def edit_usage(
    model: ModelSpec,
    prompt: str,
    image_sizes: list[tuple[int, int]],
    *,
    high_fidelity: bool,
    quality: str,
    size: str,
    n: int,
) -> dict[str, object]:
    """Usage of an edit: the prompt and every input image (never the mask), all × n."""
    rule = model.input_image_tokens
    assert rule is not None, f"{model.id} reports no usage for edits"
    text = prompt_text_tokens(model, prompt)
    image = 0
    for width, height in image_sizes:
        tiles = image_tiles(width, height)
        text += rule.text_base + rule.text_per_tile * tiles
        image += rule.image_base + rule.image_per_tile * tiles
        if high_fidelity:
            image += rule.high_fidelity_square if width == height else rule.high_fidelity_other
    return usage_object(
        text_tokens=n * text,
        image_tokens=n * image,
        output_tokens=n * model.output_tokens[(quality, size)],
    )


def with_partial_images(
    usage: dict[str, object], model: ModelSpec, count: int
) -> dict[str, object]:
    """``usage`` plus the output tokens of ``count`` streamed partial images."""
    extra = count * model.partial_image_tokens
    output, total = usage["output_tokens"], usage["total_tokens"]
    assert isinstance(output, int) and isinstance(total, int)
    return {**usage, "output_tokens": output + extra, "total_tokens": total + extra}
