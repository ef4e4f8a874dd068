"""Token accounting for GPT image models, exactly as real recordings show (contract §14.1)."""

from __future__ import annotations

from .specs import ModelSpec
from .tokenizer import count_tokens


def prompt_text_tokens(model: ModelSpec, prompt: str) -> int:
    """Text tokens one image's worth of prompt costs: o200k_base count + fixed overhead."""
    return count_tokens(prompt) + model.prompt_token_overhead


def usage_object(
    *, text_tokens: int, image_tokens: int, output_tokens: int, output_details: bool = False
) -> dict[str, object]:
    """The ``usage`` object in the API's key order (alphabetical). ``output_details``: the
    output_tokens_details that come with gpt-image-1.5 and later; all of it is image."""
    input_tokens = text_tokens + image_tokens
    usage: dict[str, object] = {
        "input_tokens": input_tokens,
        "input_tokens_details": {"image_tokens": image_tokens, "text_tokens": text_tokens},
        "output_tokens": output_tokens,
    }
    if output_details:
        usage["output_tokens_details"] = {"image_tokens": output_tokens, "text_tokens": 0}
    usage["total_tokens"] = input_tokens + output_tokens
    return usage


def generation_usage(
    model: ModelSpec, prompt: str, quality: str, size: str, n: int, frames: int = 1
) -> dict[str, object]:
    """Usage of a generation: everything, input and output alike, times ``n``; a GIF's
    output counts every one of its ``frames``."""
    return usage_object(
        text_tokens=n * prompt_text_tokens(model, prompt),
        image_tokens=0,
        output_tokens=n * frames * model.image_output_tokens(quality, size),
        output_details=model.output_token_details,
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
    frames: int = 1,
) -> dict[str, object]:
    """Usage of an edit: the prompt and every input image (never the mask), all × n."""
    rule = model.input_image_tokens
    assert rule is not None, f"{model.id} reports no usage for edits"
    text = prompt_text_tokens(model, prompt)
    image = 0
    for width, height in image_sizes:
        if rule.patch is not None:  # gpt-image-2 on: patches, always at full fidelity
            text += rule.text_base
            image += rule.patches(width, height)
            continue
        tiles = image_tiles(width, height)
        text += rule.text_base + rule.text_per_tile * tiles
        image += rule.image_base + rule.image_per_tile * tiles
        if high_fidelity or model.always_high_fidelity:
            image += rule.high_fidelity_square if width == height else rule.high_fidelity_other
    return usage_object(
        text_tokens=n * text,
        image_tokens=n * image,
        output_tokens=n * frames * model.image_output_tokens(quality, size),
        output_details=model.output_token_details,
    )


def with_partial_images(
    usage: dict[str, object], model: ModelSpec, count: int
) -> dict[str, object]:
    """``usage`` plus the output tokens of ``count`` streamed partial images."""
    extra = count * model.partial_image_tokens
    output, total = usage["output_tokens"], usage["total_tokens"]
    assert isinstance(output, int) and isinstance(total, int)
    grown = {**usage, "output_tokens": output + extra, "total_tokens": total + extra}
    if "output_tokens_details" in usage:
        grown["output_tokens_details"] = {"image_tokens": output + extra, "text_tokens": 0}
    return grown


# SVG output is written by a text model from the rendered reference image; its usage is
# reported apart (svg_usage). No source gives numbers: the input is the prompt plus a fixed
# instruction and the reference image, the output is the document itself plus reasoning.
SVG_INPUT_OVERHEAD = 1200  # instructions and the reference image, per request
SVG_REASONING_TOKENS = {
    "none": 0,
    "minimal": 64,
    "low": 512,
    "medium": 2048,
    "high": 8192,
    "xhigh": 16384,
    "max": 32768,
}
SVG_DEFAULT_EFFORT = "medium"


def svg_usage(
    prompt: str, documents: list[bytes], model: str, effort: str | None
) -> dict[str, object]:
    reasoning = SVG_REASONING_TOKENS[effort or SVG_DEFAULT_EFFORT]
    input_tokens = count_tokens(prompt) + SVG_INPUT_OVERHEAD
    written = sum(count_tokens(document.decode()) for document in documents)
    output_tokens = written + reasoning
    return {
        "input_tokens": input_tokens,
        "model": model,
        "output_tokens": output_tokens,
        "reasoning_tokens": reasoning,
        "total_tokens": input_tokens + output_tokens,
    }
