"""The models after gpt-image-1 through the official client: every model on every endpoint,
their token counts, streaming at any size and the unknown-model list."""

from __future__ import annotations

import base64
import io

import openai
import pytest
from PIL import Image

from emulator.contract.catalog import CATALOG
from emulator.contract.gpt_image_models import PIXEL_TOKENS, TABLE_TOKENS

from .images import decode
from .later import LATER, PNG_IN, bad, err

# --- every model, every endpoint -------------------------------------------------------------


@pytest.mark.parametrize("model", LATER)
def test_every_later_model_generates_and_edits(client: openai.OpenAI, model: str) -> None:
    made = client.images.generate(model=model, prompt="a fox in snow", quality="low")
    image = decode(made.data[0].b64_json)
    assert (image.format, image.mode, image.size) == ("PNG", "RGB", (1024, 1024))
    assert made.size == "1024x1024" and made.quality == "low"
    edited = client.images.edit(model=model, image=PNG_IN, prompt="add a hat", quality="low")
    assert decode(edited.data[0].b64_json).size == (1024, 1024)
    assert edited.usage is not None and edited.usage.input_tokens_details.image_tokens > 0


def test_snapshots_are_the_same_model_under_their_own_name(client: openai.OpenAI) -> None:
    assert CATALOG.models["gpt-image-2-2026-04-21"] is CATALOG.models["gpt-image-2"]
    base = client.images.generate(model="gpt-image-2", prompt="x", quality="low")
    dated = client.images.generate(model="gpt-image-2-2026-04-21", prompt="x", quality="low")
    assert base.usage == dated.usage
    assert base.data[0].b64_json != dated.data[0].b64_json  # the caption names the snapshot


def test_entries_carry_their_dates() -> None:
    assert CATALOG.models["gpt-image-1"].shutdown == "2026-10-23"
    assert CATALOG.models["dall-e-3"].shutdown == "2026-05-12"
    assert CATALOG.models["gpt-image-2"].released == "2026-04-21"
    assert CATALOG.models["gpt-image-2.5-flare-2026-09-08"].released == "2026-09-08"
    assert "2.5 family" in CATALOG.models["gpt-image-2.6-flare"].note


# --- tokens ----------------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["gpt-image-1-mini", "gpt-image-1.5", "chatgpt-image-latest"])
@pytest.mark.parametrize(("quality", "size"), sorted(TABLE_TOKENS))
def test_table_models_use_the_guide_table(
    client: openai.OpenAI, model: str, quality: str, size: str
) -> None:
    result = client.images.generate(model=model, prompt="x", quality=quality, size=size, n=2)
    usage = result.usage
    assert usage is not None and usage.output_tokens == 2 * TABLE_TOKENS[(quality, size)]
    details = usage.output_tokens_details
    if model == "gpt-image-1-mini":
        assert details is None  # output_tokens_details came with gpt-image-1.5
    else:
        assert details is not None and details.image_tokens == usage.output_tokens


def test_gpt_image_2_tokens_from_pixels(client: openai.OpenAI) -> None:
    assert PIXEL_TOKENS.tokens("low", 1024, 1024) == 196
    assert PIXEL_TOKENS.tokens("low", 976, 704) == 129
    assert PIXEL_TOKENS.tokens("low", 960, 720) == 130
    published = {(1024, 1024): 7024, (1536, 1024): 5488, (1792, 1024): 5063, (3584, 2048): 12329}
    for (width, height), tokens in published.items():  # the residuals README states
        assert abs(PIXEL_TOKENS.tokens("high", width, height) / tokens - 1) < 0.30
    result = client.images.generate(model="gpt-image-2", prompt="x", quality="low")
    assert result.usage.output_tokens == 196  # type: ignore[union-attr]
    big = client.images.generate(model="gpt-image-2", prompt="x", quality="high", size="1792x1024")
    assert big.usage.output_tokens == PIXEL_TOKENS.tokens("high", 1792, 1024)  # type: ignore[union-attr]
    qualities = ["low", "medium", "high", "xhigh", "max"]
    ladder = [PIXEL_TOKENS.tokens(q, 1536, 1024) for q in qualities]
    assert ladder == sorted(ladder) and len(set(ladder)) == 5


# --- streaming at any size --------------------------------------------------------------------


@pytest.mark.parametrize("model", ["gpt-image-1.5", "gpt-image-2", "gpt-image-2.6-sunburst"])
def test_streaming_at_any_allowed_size(client: openai.OpenAI, model: str) -> None:
    size = "1024x1536" if model == "gpt-image-1.5" else "1280x720"
    events = list(
        client.images.generate(
            model=model, prompt="x", size=size, stream=True, partial_images=2, quality="low"
        )
    )
    assert [e.type for e in events] == ["image_generation.partial_image"] * 2 + [
        "image_generation.completed"
    ]
    width, height = (int(v) for v in size.split("x"))
    for event in events:
        assert decode(event.b64_json).size == (width, height) and event.size == size
    completed = events[-1]
    assert completed.usage.output_tokens == (  # type: ignore[union-attr]
        CATALOG.models[model].image_output_tokens("low", size) + 200
    )
    edited = list(
        client.images.edit(
            model=model, image=PNG_IN, prompt="x", size=size, stream=True, quality="low"
        )
    )
    assert decode(edited[-1].b64_json).size == (width, height)


def test_image_is_exactly_what_the_decoder_sees(client: openai.OpenAI) -> None:
    result = client.images.generate(
        model="gpt-image-2", prompt="x", size="2560x1440", quality="low"
    )
    data = base64.b64decode(result.data[0].b64_json)  # type: ignore[arg-type]
    assert Image.open(io.BytesIO(data)).size == (2560, 1440)


def test_unknown_model_lists_today_s_models(client: openai.OpenAI) -> None:
    body = bad(client, model="gpt-image-9")
    listed = body["message"].split("Supported values are: ")[1]
    names = [name.strip(" '.") for name in listed.replace(" and ", " ").split(",")]
    assert names == [*LATER[:0], "gpt-image-1", *LATER, "dall-e-2", "dall-e-3"]
    assert err(body)["error"]["param"] == "model"
