"""Estimated cost of a request, from a price table per model (US dollars).

GPT image models are priced per million tokens: text input, image input, image output.
DALL·E models are priced per image by size and quality. Each price names its source and
the date it was read; where no source gives one, the price is the closest model's and says
so. The estimate is what the answer's usage would cost: it is a guide for budgets in tests,
not an invoice (no cached-input discount, no SVG author's tokens).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .specs import _frozen

MILLION = 1_000_000


@dataclass(frozen=True)
class TokenPrices:
    """US dollars per million tokens."""

    text_input: float
    image_input: float
    image_output: float
    source: str
    as_of: str  # when the source gave these prices


@dataclass(frozen=True)
class ImagePrices:
    """US dollars per image, by (quality, size)."""

    per_image: Mapping[tuple[str, str], float]
    source: str
    as_of: str


Prices = TokenPrices | ImagePrices

_FORUM = "contract §8.1 (forum 1275254: $5 text, $10 image input, $40 image output per M)"
_GPT_IMAGE_2 = "contract §11.2 ($30/M output, consistent with high 1024² ≈ $0.211)"

PRICES: Mapping[str, Prices] = _frozen(
    {
        "gpt-image-1": TokenPrices(5.0, 10.0, 40.0, _FORUM, "2025-05"),
        "gpt-image-1-mini": TokenPrices(
            2.0,
            2.5,
            8.0,
            "OpenAI pricing page at launch (not in the contract: inferred)",
            "2025-10",
        ),
        "gpt-image-1.5": TokenPrices(
            5.0,
            8.0,
            32.0,
            "OpenAI pricing page at launch (not in the contract: inferred)",
            "2025-12",
        ),
        "chatgpt-image-latest": TokenPrices(
            5.0, 8.0, 32.0, "no source: gpt-image-1.5's prices", "2026-02"
        ),
        "gpt-image-2": TokenPrices(
            5.0, 8.0, 30.0, f"{_GPT_IMAGE_2}; input prices gpt-image-1.5's (inferred)", "2026-04"
        ),
        "gpt-image-2.5-sunburst": TokenPrices(
            5.0, 8.0, 30.0, "no source: gpt-image-2's prices", "2026-09"
        ),
        "gpt-image-2.5-flare": TokenPrices(
            5.0, 8.0, 30.0, "no source: gpt-image-2's prices", "2026-09"
        ),
        "gpt-image-2.6-sunburst": TokenPrices(
            5.0, 8.0, 30.0, "no source: gpt-image-2's prices", "2026-10"
        ),
        "gpt-image-2.6-flare": TokenPrices(
            5.0, 8.0, 30.0, "no source: gpt-image-2's prices", "2026-10"
        ),
        "dall-e-2": ImagePrices(
            _frozen(
                {
                    ("standard", "256x256"): 0.016,
                    ("standard", "512x512"): 0.018,
                    ("standard", "1024x1024"): 0.020,
                }
            ),
            "OpenAI pricing page (DALL·E 2, per image)",
            "2024-11",
        ),
        "dall-e-3": ImagePrices(
            _frozen(
                {
                    ("standard", "1024x1024"): 0.040,
                    ("standard", "1792x1024"): 0.080,
                    ("standard", "1024x1792"): 0.080,
                    ("hd", "1024x1024"): 0.080,
                    ("hd", "1792x1024"): 0.120,
                    ("hd", "1024x1792"): 0.120,
                }
            ),
            "OpenAI pricing page (DALL·E 3, per image)",
            "2024-11",
        ),
    }
)


def _number(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def estimate(
    model_id: str, usage: Mapping[str, object] | None, params: Mapping[str, object]
) -> float | None:
    """What the answer cost, in US dollars (rounded to a millionth); None when unknown."""
    prices = PRICES.get(model_id)
    if prices is None:
        return None
    if isinstance(prices, ImagePrices):
        key = (str(params.get("quality", "standard")), str(params.get("size", "1024x1024")))
        each = prices.per_image.get(key)
        return None if each is None else round(each * _number(params.get("n", 1) or 1), 6)
    if usage is None:
        return None
    details = usage.get("input_tokens_details")
    details = details if isinstance(details, Mapping) else {}
    cost = (
        _number(details.get("text_tokens")) * prices.text_input
        + _number(details.get("image_tokens")) * prices.image_input
        + _number(usage.get("output_tokens")) * prices.image_output
    ) / MILLION
    return round(cost, 6)


def table() -> list[dict[str, object]]:
    """The price table as data (for the inspector and the control plane)."""
    rows: list[dict[str, object]] = []
    for model, prices in PRICES.items():
        row: dict[str, object] = {"model": model, "source": prices.source, "as_of": prices.as_of}
        if isinstance(prices, TokenPrices):
            row["per_million_tokens"] = {
                "text_input": prices.text_input,
                "image_input": prices.image_input,
                "image_output": prices.image_output,
            }
        else:
            row["per_image"] = {f"{q} {s}": p for (q, s), p in prices.per_image.items()}
        rows.append(row)
    return rows
