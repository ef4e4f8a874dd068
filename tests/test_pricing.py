"""Estimated costs: the price table applied to real answers, for every model."""

from __future__ import annotations

from dataclasses import replace

import openai
import pytest

from emulator.contract.catalog import CATALOG
from emulator.contract.pricing import estimate, table
from emulator.contract.specs import ImagePrices, TokenPrices

from .images import solid

GPT_IMAGE_MODELS = sorted({spec.id for spec in CATALOG.models.values() if spec.reports_usage})
PRICES = {spec.id: spec.prices for spec in CATALOG.models.values()}


def test_every_model_has_a_price_with_a_source_and_date() -> None:
    for spec in CATALOG.models.values():
        prices = spec.prices
        assert prices is not None and prices.source and prices.as_of
    assert {row["model"] for row in table(CATALOG)} == {spec.id for spec in CATALOG.models.values()}


@pytest.mark.parametrize("model", GPT_IMAGE_MODELS)
def test_token_priced_models(app, client: openai.OpenAI, model: str) -> None:
    result = client.images.edit(
        model=model, image=("in.png", solid(1024, 1024), "image/png"), prompt="a hat", quality="low"
    )
    usage = result.usage
    assert usage is not None
    prices = PRICES[model]
    assert isinstance(prices, TokenPrices)
    expected = (
        usage.input_tokens_details.text_tokens * prices.text_input
        + usage.input_tokens_details.image_tokens * prices.image_input
        + usage.output_tokens * prices.image_output
    ) / 1_000_000
    (entry,) = app.state.emulator.requests()
    assert entry.cost_usd == pytest.approx(expected, abs=1e-6)
    assert entry.cost_usd > 0


@pytest.mark.parametrize(
    ("model", "kw", "price"),
    [
        ("dall-e-2", {"size": "256x256", "n": 3}, 3 * 0.016),
        ("dall-e-2", {"size": "1024x1024"}, 0.020),
        ("dall-e-3", {"size": "1792x1024", "quality": "hd"}, 0.120),
        ("dall-e-3", {}, 0.040),
    ],
)
def test_image_priced_models(
    app, client: openai.OpenAI, model: str, kw: dict, price: float
) -> None:
    client.images.generate(model=model, prompt="x", **kw)
    (entry,) = app.state.emulator.requests()
    assert entry.cost_usd == pytest.approx(price)
    assert isinstance(PRICES[model], ImagePrices)


def test_variations_and_streams_and_failures_are_priced_as_answered(
    app, client: openai.OpenAI
) -> None:
    client.images.create_variation(image=("v.png", solid(512, 512), "image/png"), size="512x512")
    events = list(
        client.images.generate(model="gpt-image-1", prompt="x", stream=True, partial_images=2)
    )
    with pytest.raises(openai.BadRequestError):
        client.images.generate(model="gpt-image-1", prompt="x", n=11)
    variation, streamed, refused = app.state.emulator.requests()
    assert variation.cost_usd == pytest.approx(0.018)
    completed = events[-1].usage
    assert streamed.cost_usd == pytest.approx(
        (completed.input_tokens * 5 + completed.output_tokens * 40) / 1_000_000
    )
    assert refused.cost_usd is None
    journal = app.state.emulator.journal.entries()[0].as_dict()
    assert journal["cost_usd"] == variation.cost_usd  # in the journal's JSON too


def test_estimate_without_usage_or_price() -> None:
    assert estimate(CATALOG.models["gpt-image-1"], None, {}) is None
    unpriced = replace(CATALOG.models["gpt-image-2"], prices=None)
    assert estimate(unpriced, {"output_tokens": 5}, {}) is None
