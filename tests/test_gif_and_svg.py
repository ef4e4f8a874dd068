"""GIF and SVG output: real animations and documents, their options and refusals."""

from __future__ import annotations

import base64
import itertools
from xml.etree import ElementTree

import numpy as np
import openai
import pytest
from PIL import Image

from emulator.contract.gpt_image_models import PIXEL_TOKENS
from emulator.contract.tokenizer import count_tokens

from .images import decode, mask_with_hole
from .later import FAMILY_2_5, PNG_IN, bad

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
