"""Edits through the official client: uploads, masks, pictures and token accounting."""

from __future__ import annotations

import numpy as np
import openai
import pytest
from PIL import Image
from starlette.testclient import TestClient

from emulator.contract.tokenizer import count_tokens

from .images import decode, encoded, mask_with_hole, solid, striped

PROMPT = "Put a flamingo in the pool"


def png(width: int = 1024, height: int = 1024, **kw) -> tuple[str, bytes, str]:
    return ("in.png", solid(width, height, **kw), "image/png")


# --- shapes and usage ---------------------------------------------------------------------


def test_one_image(client: openai.OpenAI) -> None:
    result = client.images.edit(model="gpt-image-1", image=png(), prompt=PROMPT)
    image = decode(result.data[0].b64_json)
    assert (image.format, image.mode, image.size) == ("PNG", "RGB", (1024, 1024))
    assert (result.size, result.quality, result.background, result.output_format) == (
        "1024x1024",
        "medium",
        "opaque",
        "png",
    )
    usage = result.usage
    assert usage is not None
    assert usage.input_tokens_details.image_tokens == 194
    assert usage.input_tokens_details.text_tokens == count_tokens(PROMPT) + 6 + 16
    assert usage.output_tokens == 1056
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens


@pytest.mark.parametrize(
    ("dims", "image_tokens", "extra_text"),
    [
        ((1024, 1024), 194, 16),
        ((128, 128), 194, 16),
        ((1536, 1024), 323, 26),
        ((1024, 1536), 323, 26),
        ((4000, 1000), 581, 46),
        ((597, 566), 323, 26),
    ],
)
def test_input_tokens_for_known_dimensions(
    client: openai.OpenAI, dims: tuple[int, int], image_tokens: int, extra_text: int
) -> None:
    result = client.images.edit(
        model="gpt-image-1", image=png(*dims), prompt="cat", n=2, quality="low", size="1024x1024"
    )
    details = result.usage.input_tokens_details  # type: ignore[union-attr]
    assert details.image_tokens == 2 * image_tokens
    assert details.text_tokens == 2 * (count_tokens("cat") + 6 + extra_text)
    assert result.usage.output_tokens == 2 * 272  # type: ignore[union-attr]


def test_high_input_fidelity_adds_tokens_per_image(client: openai.OpenAI) -> None:
    images = [png(1024, 1024), png(1536, 1024)]
    low = client.images.edit(model="gpt-image-1", image=images, prompt="cat", input_fidelity="low")
    high = client.images.edit(
        model="gpt-image-1", image=images, prompt="cat", input_fidelity="high"
    )
    extra = (
        high.usage.input_tokens_details.image_tokens - low.usage.input_tokens_details.image_tokens
    )  # type: ignore[union-attr]
    assert extra == 4160 + 6240


def test_list_of_one_is_the_array_form(client: openai.OpenAI) -> None:
    result = client.images.edit(model="gpt-image-1", image=[png()], prompt=PROMPT)
    assert decode(result.data[0].b64_json).size == (1024, 1024)


@pytest.mark.parametrize("count", [2, 16])
def test_several_images_are_all_composed(client: openai.OpenAI, count: int) -> None:
    colours = [(255, 0, 0), (0, 200, 0), (0, 0, 255), (250, 250, 0)]
    images = [("i.png", solid(256, 256, colours[i % 4]), "image/png") for i in range(count)]
    result = client.images.edit(model="gpt-image-1", image=images, prompt="a gift basket")
    pixels = np.asarray(decode(result.data[0].b64_json))
    for colour in colours[: min(count, 4)]:  # every input shows as a recognisable patch
        assert np.all(pixels == colour, axis=2).sum() > 1000
    assert result.usage.input_tokens_details.image_tokens == count * 194  # type: ignore[union-attr]


def test_jpeg_and_webp_inputs(client: openai.OpenAI) -> None:
    jpeg = ("a.jpg", solid(800, 600, fmt="JPEG"), "image/jpeg")
    webp = ("b.webp", solid(600, 800, fmt="WEBP"), "image/webp")
    result = client.images.edit(model="gpt-image-1", image=[jpeg, webp], prompt=PROMPT)
    assert result.size == "1536x1024"  # auto follows the first image's aspect
    assert decode(result.data[0].b64_json).size == (1536, 1024)


@pytest.mark.parametrize(
    ("dims", "size"),
    [
        ((1024, 1024), "1024x1024"),
        ((900, 1400), "1024x1536"),
        ((1600, 1000), "1536x1024"),
        ((1000, 1010), "1024x1024"),
    ],
)
def test_auto_size_follows_the_first_image(
    client: openai.OpenAI, dims: tuple[int, int], size: str
) -> None:
    result = client.images.edit(model="gpt-image-1", image=png(*dims), prompt=PROMPT, size="auto")
    assert result.size == size
    assert decode(result.data[0].b64_json).size == tuple(int(v) for v in size.split("x"))


def test_output_options(client: openai.OpenAI) -> None:
    result = client.images.edit(
        model="gpt-image-1",
        image=png(),
        prompt=PROMPT,
        output_format="webp",
        output_compression=40,
        background="transparent",
        quality="high",
        size="1024x1536",
    )
    image = decode(result.data[0].b64_json)
    assert (image.format, image.mode, image.size) == ("WEBP", "RGBA", (1024, 1536))
    assert result.usage.output_tokens == 6240  # type: ignore[union-attr]


def test_dall_e_2_edit_shapes(client: openai.OpenAI) -> None:
    image = ("in.png", solid(512, 512, (0, 0, 0, 0), mode="RGBA"), "image/png")
    result = client.images.edit(model="dall-e-2", image=image, prompt=PROMPT, n=2, size="256x256")
    assert len(result.data) == 2 and all(d.url for d in result.data)
    assert result.usage is None
    b64 = client.images.edit(
        model="dall-e-2", image=image, prompt=PROMPT, size="512x512", response_format="b64_json"
    )
    picture = decode(b64.data[0].b64_json)
    assert (picture.mode, picture.size) == ("RGB", (512, 512))


def test_model_defaults_to_dall_e_2(raw: TestClient) -> None:
    files = {"image": ("in.png", solid(256, 256, (0, 0, 0, 0), mode="RGBA"), "image/png")}
    body = raw.post("/v1/images/edits", files=files, data={"prompt": PROMPT}).json()
    assert list(body) == ["created", "data"] and "url" in body["data"][0]


# --- pictures that prove the edit ---------------------------------------------------------


def test_mask_keeps_opaque_pixels_and_replaces_transparent_ones(client: openai.OpenAI) -> None:
    source = striped(1024, 1024)
    hole = (256, 256, 640, 512)
    result = client.images.edit(
        model="gpt-image-1",
        image=("s.png", encoded(source), "image/png"),
        mask=("m.png", mask_with_hole(1024, 1024, hole), "image/png"),
        prompt=PROMPT,
        size="1024x1024",
    )
    out = np.asarray(decode(result.data[0].b64_json))
    src = np.asarray(source)
    keep = np.ones((1024, 1024), bool)
    keep[hole[1] : hole[3], hole[0] : hole[2]] = False
    assert np.array_equal(out[keep], src[keep])  # every pixel outside the hole is kept
    changed = np.any(out[~keep] != src[~keep], axis=1).mean()
    assert changed > 0.9  # and the hole is painted anew


def test_dall_e_2_without_mask_edits_where_the_image_is_transparent(client: openai.OpenAI) -> None:
    rgba = np.zeros((512, 512, 4), np.uint8)
    rgba[..., :3] = np.asarray(striped(512, 512))
    rgba[..., 3] = 255
    rgba[:128, :, 3] = 0  # the top quarter is transparent
    image = ("s.png", encoded(Image.fromarray(rgba, "RGBA")), "image/png")
    result = client.images.edit(
        model="dall-e-2", image=image, prompt=PROMPT, size="512x512", response_format="b64_json"
    )
    out = np.asarray(decode(result.data[0].b64_json))
    assert np.array_equal(out[128:], rgba[128:, :, :3])
    assert np.any(out[:128] != rgba[:128, :, :3], axis=2).mean() > 0.9


def test_mask_is_scaled_with_the_image(client: openai.OpenAI) -> None:
    source = striped(512, 512)
    result = client.images.edit(
        model="gpt-image-1",
        image=("s.png", encoded(source), "image/png"),
        mask=("m.png", mask_with_hole(512, 512, (0, 0, 256, 512)), "image/png"),
        prompt=PROMPT,
        size="1024x1024",
    )
    out = np.asarray(decode(result.data[0].b64_json))
    expected = np.asarray(source.resize((1024, 1024), Image.Resampling.BILINEAR))
    assert np.array_equal(out[:, 512:], expected[:, 512:])


def test_edits_are_deterministic_and_differ_by_index(client: openai.OpenAI) -> None:
    ask = dict(model="gpt-image-1", image=png(), prompt=PROMPT, n=2)
    first = [d.b64_json for d in client.images.edit(**ask).data]  # type: ignore[arg-type]
    second = [d.b64_json for d in client.images.edit(**ask).data]  # type: ignore[arg-type]
    assert first == second and first[0] != first[1]


# --- transparency: every format, masked or not, streamed or not ------------------------------

HOLE = (384, 384, 640, 640)


def source_with_alpha() -> np.ndarray:
    """Striped RGB with an alpha ramp from 255 (top) to 64 (bottom): kept alpha is checkable."""
    rgba = np.zeros((1024, 1024, 4), np.uint8)
    rgba[..., :3] = np.asarray(striped(1024, 1024))
    rgba[..., 3] = np.linspace(255, 64, 1024).astype(np.uint8)[:, None]
    return rgba


def outside(box: tuple[int, int, int, int]) -> np.ndarray:
    keep = np.ones((1024, 1024), bool)
    keep[box[1] : box[3], box[0] : box[2]] = False
    return keep


@pytest.mark.parametrize("output_format", ["png", "webp"])
@pytest.mark.parametrize("source_mode", ["RGB", "RGBA"])
def test_masked_transparent_edit_keeps_alpha_outside_the_mask(
    client: openai.OpenAI, output_format: str, source_mode: str
) -> None:
    rgba = source_with_alpha()
    if source_mode == "RGB":
        rgba[..., 3] = 255  # a flat photo: kept pixels stay opaque, and say so
    source = Image.fromarray(rgba, "RGBA").convert(source_mode)
    result = client.images.edit(
        model="gpt-image-1",
        image=("s.png", encoded(source), "image/png"),
        mask=("m.png", mask_with_hole(1024, 1024, HOLE), "image/png"),
        prompt=PROMPT,
        quality="low",
        background="transparent",
        output_format=output_format,  # type: ignore[arg-type]
    )
    assert result.background == "transparent"
    out = decode(result.data[0].b64_json)
    assert (out.format, out.mode, out.size) == (output_format.upper(), "RGBA", (1024, 1024))
    pixels = np.asarray(out)
    keep = outside(HOLE)
    assert np.array_equal(pixels[..., 3][keep], rgba[..., 3][keep])  # alpha kept exactly
    if output_format == "png":
        assert np.array_equal(pixels[keep], rgba[keep])  # and the colours too
    painted = np.any(pixels[~keep][:, :3] != rgba[~keep][:, :3], axis=1).mean()
    assert painted > 0.9


@pytest.mark.parametrize("output_format", ["png", "webp"])
def test_unmasked_transparent_edit_has_a_transparent_background(
    client: openai.OpenAI, output_format: str
) -> None:
    result = client.images.edit(
        model="gpt-image-1",
        image=png(),
        prompt=PROMPT,
        quality="low",
        background="transparent",
        output_format=output_format,  # type: ignore[arg-type]
    )
    out = decode(result.data[0].b64_json)
    assert out.mode == "RGBA"
    alpha = np.asarray(out)[..., 3]
    assert alpha[0, 0] == 0 and alpha.max() == 255  # clear background, opaque subject


def test_streamed_masked_transparent_webp_edit_is_rgba_in_every_frame(
    client: openai.OpenAI,
) -> None:
    events = client.images.edit(
        model="gpt-image-1",
        image=("s.png", solid(1024, 1024), "image/png"),
        mask=("m.png", mask_with_hole(1024, 1024, HOLE), "image/png"),
        prompt=PROMPT,
        quality="low",
        background="transparent",
        output_format="webp",
        stream=True,
        partial_images=2,
    )
    frames = [decode(event.b64_json) for event in events]
    assert len(frames) == 3
    for frame in frames:
        assert (frame.format, frame.mode) == ("WEBP", "RGBA")
        alpha = np.asarray(frame)[..., 3]
        assert np.all(alpha[outside(HOLE)] == 255)
