"""Estimated cost of an answer, from its model's prices (US dollars).

GPT image models are priced per million tokens: text input, image input, image output.
DALL·E models are priced per image by size and quality. The prices live on each model's
record (``ModelSpec.prices``) with their source and the date it was read. The estimate is
what the answer's usage would cost: a guide for budgets in tests, not an invoice (no
cached-input discount, no SVG author's tokens).
"""

from __future__ import annotations

from collections.abc import Mapping

from .specs import Catalog, ImagePrices, ModelSpec, TokenPrices

MILLION = 1_000_000


def _number(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def estimate(
    spec: ModelSpec, usage: Mapping[str, object] | None, params: Mapping[str, object]
) -> float | None:
    """What the answer cost, in US dollars (rounded to a millionth); None when unknown."""
    prices = spec.prices
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


def table(catalog: Catalog) -> list[dict[str, object]]:
    """The catalog's prices as data (for the inspector and the control plane)."""
    rows: list[dict[str, object]] = []
    for model, spec in catalog.models.items():
        prices = spec.prices
        # One row a model: not its snapshots' names, nor a copy (priced as its original).
        if prices is None or model != spec.id or spec.copy_of is not None:
            continue
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
