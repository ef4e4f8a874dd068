"""The models after gpt-image-1 through the official client: sizes as a rule, per-model
parameters, GIF and SVG output, markup, tokens, safety identifiers and streaming."""

from __future__ import annotations

import base64
import io
import itertools
from xml.etree import ElementTree

import numpy as np
import openai
import pytest
from PIL import Image

from emulator.contract.catalog import CATALOG
from emulator.contract.gpt_image_models import PIXEL_TOKENS, TABLE_TOKENS
from emulator.contract.tokenizer import count_tokens

from .expect import error
from .images import decode, encoded, mask_with_hole, solid

LATER = [
    "gpt-image-1-mini",
    "gpt-image-1.5",
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


def test_gpt_image_2_bills_inputs_at_high_fidelity(client: openai.OpenAI) -> None:
    result = client.images.edit(model="gpt-image-2", image=PNG_IN, prompt="x", quality="low")
    assert result.usage.input_tokens_details.image_tokens == 194 + 4160  # type: ignore[union-attr]


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


# --- GIF and SVG -----------------------------------------------------------------------------


def frames_of(image: Image.Image) -> list[np.ndarray]:
    frames = []
    for index in range(image.n_frames):
        image.seek(index)
        frames.append(np.asarray(image.convert("RGB")))
    return frames


@pytest.mark.parametrize("model", FAMILY_2_5)
def test_gif_default_frames(client: openai.OpenAI, model: str) -> None:
    result = client.images.generate(model=model, prompt="x", output_format="gif", quality="low")
    image = decode(result.data[0].b64_json)
    assert (image.format, image.size, image.n_frames) == ("GIF", (1024, 1024), 9)
    assert image.info["duration"] == 200 and image.info["loop"] == 0
    assert result.output_format == "gif"
    assert result.usage.output_tokens == 9 * PIXEL_TOKENS.tokens("low", 1024, 1024)  # type: ignore[union-attr]


def test_gif_frames_step_towards_the_picture(client: openai.OpenAI) -> None:
    result = client.images.generate(
        model="gpt-image-2.5-flare",
        prompt="x",
        output_format="gif",
        frame_count=16,
        frame_duration_ms=123,
        size="1536x864",
        quality="low",
    )
    image = decode(result.data[0].b64_json)
    assert (image.n_frames, image.info["duration"], image.size) == (16, 120, (1536, 864))
    frames = frames_of(image)
    final = frames[-1][20:].astype(int)  # below the progress bar
    distances = [np.abs(frame[20:].astype(int) - final).mean() for frame in frames]
    assert distances[0] > distances[8] > distances[-1] == 0
    assert all(not np.array_equal(a, b) for a, b in itertools.pairwise(frames))


@pytest.mark.parametrize(
    ("kw", "param", "message"),
    [
        ({"stream": True}, "stream", "Streaming is not supported for GIF output format."),
        (
            {"output_compression": 50},
            "output_compression",
            "Custom output compression is not supported for GIF output format.",
        ),
        ({"frame_count": 17}, "frame_count", None),
        ({"frame_count": 1}, "frame_count", None),
    ],
)
def test_gif_refusals(client: openai.OpenAI, kw: dict, param: str, message: str | None) -> None:
    body = bad(client, model="gpt-image-2.5-flare", output_format="gif", **kw)
    assert body["param"] == param
    if message:
        assert body["message"] == message


def test_gif_refuses_a_mask_and_partial_images(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as masked:
        client.images.edit(
            model="gpt-image-2.5-flare",
            image=PNG_IN,
            mask=("m.png", mask_with_hole(1024, 1024, (0, 0, 10, 10)), "image/png"),
            prompt="x",
            output_format="gif",
        )
    assert masked.value.body["message"] == "A mask is not supported for GIF output format."  # type: ignore[index]
    body = bad(client, model="gpt-image-2.5-flare", output_format="gif", partial_images=1)
    assert body["param"] == "partial_images"


def test_frame_options_need_gif(client: openai.OpenAI) -> None:
    assert bad(client, model="gpt-image-2.5-flare", frame_duration_ms=100)["message"] == (
        "'frame_duration_ms' is only supported with output_format 'gif'."
    )


def test_svg_document_and_usage(client: openai.OpenAI) -> None:
    prompt = "a lighthouse <at> dusk & rain"
    result = client.images.generate(
        model="gpt-image-2.5-sunburst",
        prompt=prompt,
        output_format="svg",
        size="1536x864",
        svg={"model": "gpt-5.1", "reasoning": {"effort": "high"}},
    )
    document = base64.b64decode(result.data[0].b64_json)  # type: ignore[arg-type]
    root = ElementTree.fromstring(document)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert (root.get("width"), root.get("height")) == ("1536", "864")
    texts = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert prompt in texts and "gpt-image-2.5-sunburst · 1536x864" in texts
    assert result.output_format == "svg" and result.size == "1536x864"
    usage = result.svg_usage
    assert usage is not None and usage.model == "gpt-5.1" and usage.reasoning_tokens == 8192
    assert usage.output_tokens == count_tokens(document.decode()) + 8192
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens


@pytest.mark.parametrize(
    ("kw", "param"),
    [
        ({"n": 2}, "n"),
        ({"stream": True}, "stream"),
        ({"partial_images": 2}, "partial_images"),
        ({"output_compression": 80}, "output_compression"),
        ({"svg": {"reasoning": {"effort": "low"}}}, "svg.model"),
        ({"svg": {"model": "m", "reasoning": {"effort": "huge"}}}, "svg.reasoning.effort"),
        ({"svg": {"model": "m", "colour": "red"}}, "svg.colour"),
    ],
)
def test_svg_refusals(client: openai.OpenAI, kw: dict, param: str) -> None:
    assert bad(client, model="gpt-image-2.5-flare", output_format="svg", **kw)["param"] == param


def test_svg_object_needs_svg_output(client: openai.OpenAI) -> None:
    assert bad(client, model="gpt-image-2.5-flare", svg={"model": "m"})["param"] == "svg"


def test_svg_through_multipart_edit_fields(client: openai.OpenAI) -> None:
    result = client.images.edit(
        model="gpt-image-2.5-flare",
        image=PNG_IN,
        prompt="x",
        output_format="svg",
        svg={"model": "gpt-5.1", "reasoning": {"effort": "minimal"}},
    )
    assert result.svg_usage is not None and result.svg_usage.reasoning_tokens == 64
    assert ElementTree.fromstring(base64.b64decode(result.data[0].b64_json)).get("width") == "1024"  # type: ignore[arg-type]


# --- markup ----------------------------------------------------------------------------------


def markup_png(box: tuple[int, int, int, int], colour: tuple[int, int, int]) -> bytes:
    overlay = Image.new("RGBA", (1024, 1024), (0, 0, 0, 0))
    overlay.paste((*colour, 255), box)
    return encoded(overlay)


def test_markup_is_drawn_over_the_first_image(client: openai.OpenAI) -> None:
    plain = client.images.edit(model="gpt-image-2.5-flare", image=PNG_IN, prompt="x")
    marked = client.images.edit(
        model="gpt-image-2.5-flare",
        image=PNG_IN,
        markup=("markup.png", markup_png((100, 100, 600, 600), (0, 0, 255)), "image/png"),
        prompt="x",
    )
    blue = np.all(np.asarray(decode(marked.data[0].b64_json)) == (0, 0, 255), axis=2).mean()
    assert blue > 0.01  # the input's thumbnail on the board shows the blue box
    assert np.all(np.asarray(decode(plain.data[0].b64_json)) == (0, 0, 255), axis=2).mean() == 0


@pytest.mark.parametrize(
    ("markup", "message"),
    [
        (
            encoded(Image.new("RGBA", (1024, 1024), (1, 2, 3, 255))),
            "Invalid markup image - it must contain transparent pixels, so the image shows "
            "through.",
        ),
        (
            encoded(Image.new("RGBA", (512, 512), (0, 0, 0, 0))),
            "Invalid markup image - expected a markup with the same dimensions as the image "
            "(1024x1024), got 512x512 instead.",
        ),
        (
            encoded(Image.new("RGB", (1024, 1024))),
            "Invalid markup image - format must be in ['RGBA', 'LA'], got RGB.",
        ),
    ],
)
def test_markup_refusals(client: openai.OpenAI, markup: bytes, message: str) -> None:
    with pytest.raises(openai.BadRequestError) as refused:
        client.images.edit(
            model="gpt-image-2.5-flare",
            image=PNG_IN,
            markup=("m.png", markup, "image/png"),
            prompt="x",
        )
    assert refused.value.body["message"] == message  # type: ignore[index]
    assert refused.value.body["param"] == "markup"  # type: ignore[index]


def test_markup_with_mask_and_markup_elsewhere(client: openai.OpenAI) -> None:
    overlay = ("m.png", markup_png((0, 0, 10, 10), (255, 0, 0)), "image/png")
    with pytest.raises(openai.BadRequestError) as both:
        client.images.edit(
            model="gpt-image-2.5-flare",
            image=PNG_IN,
            mask=("k.png", mask_with_hole(1024, 1024, (0, 0, 10, 10)), "image/png"),
            markup=overlay,
            prompt="x",
        )
    assert both.value.body["message"] == "'markup' cannot be combined with 'mask'."  # type: ignore[index]
    with pytest.raises(openai.BadRequestError) as two:
        client.images.edit(model="gpt-image-2", image=PNG_IN, markup=overlay, prompt="x")
    assert two.value.body["code"] == "unknown_parameter"  # type: ignore[index]


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
