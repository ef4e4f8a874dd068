"""Generations as a user of the official client sees them: shapes, images, usage, URLs."""

from __future__ import annotations

import base64
import io
import json

import httpx
import numpy as np
import openai
import pytest
from PIL import Image
from starlette.testclient import TestClient

from emulator.contract.tokenizer import count_tokens

from .conftest import FROZEN_NOW, LiveServer
from .images import decode, edge_density
from .latest import latest

GEN = "/v1/images/generations"
OTTER = (
    "A children's book drawing of a veterinarian using a stethoscope to listen to the "
    "heartbeat of a baby otter."
)


# --- shapes per model (contract §6, §14.3) --------------------------------------------------


def test_gpt_image_1_defaults(client: openai.OpenAI) -> None:
    result = client.images.generate(model="gpt-image-1", prompt=OTTER)
    assert result.created == int(FROZEN_NOW)
    assert (result.background, result.output_format, result.quality, result.size) == (
        "opaque",
        "png",
        "medium",
        "1024x1024",
    )
    assert len(result.data) == 1
    item = result.data[0]
    assert item.url is None and item.revised_prompt is None
    image = decode(item.b64_json)
    assert (image.format, image.mode, image.size) == ("PNG", "RGB", (1024, 1024))
    assert result.usage is not None
    assert result.usage.output_tokens == 1056
    assert result.usage.input_tokens_details.text_tokens == count_tokens(OTTER) + 6
    assert result.usage.input_tokens_details.image_tokens == 0


def test_gpt_image_1_raw_body_key_order(raw: TestClient) -> None:
    response = raw.post(GEN, json={"model": "gpt-image-1", "prompt": "otter", "quality": "low"})
    body = response.json()
    assert list(body) == [
        "created",
        "background",
        "data",
        "output_format",
        "quality",
        "size",
        "usage",
    ]
    assert list(body["data"][0]) == ["b64_json"]
    assert list(body["usage"]) == [
        "input_tokens",
        "input_tokens_details",
        "output_tokens",
        "total_tokens",
    ]
    assert list(body["usage"]["input_tokens_details"]) == ["image_tokens", "text_tokens"]
    # Pretty-printed with a 2-space indent, as the API sends it.
    assert response.text.startswith('{\n  "created": ')
    assert response.text == json.dumps(body, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize(
    ("model", "fmt", "keys"),
    [
        ("dall-e-2", "url", ["url"]),
        ("dall-e-2", "b64_json", ["b64_json"]),
        ("dall-e-3", "url", ["revised_prompt", "url"]),
        ("dall-e-3", "b64_json", ["b64_json", "revised_prompt"]),
    ],
)
def test_dall_e_item_shapes(raw: TestClient, model: str, fmt: str, keys: list[str]) -> None:
    body = raw.post(GEN, json={"model": model, "prompt": "otter", "response_format": fmt}).json()
    assert list(body) == ["created", "data"]
    assert [list(item) for item in body["data"]] == [keys]


def test_dall_e_default_is_url(client: openai.OpenAI) -> None:
    result = client.images.generate(model="dall-e-2", prompt="otter", n=3, size="256x256")
    assert len(result.data) == 3
    assert all(item.url and item.b64_json is None for item in result.data)
    assert result.usage is None and result.size is None


def test_dall_e_3_revised_prompt_and_sizes(client: openai.OpenAI) -> None:
    for size, dims in [("1792x1024", (1792, 1024)), ("1024x1792", (1024, 1792))]:
        result = client.images.generate(
            model="dall-e-3",
            prompt=OTTER,
            size=size,
            quality="hd",
            style="natural",
            response_format="b64_json",
        )
        item = result.data[0]
        assert item.revised_prompt and OTTER in item.revised_prompt
        image = decode(item.b64_json)
        assert (image.format, image.mode, image.size) == ("PNG", "RGB", dims)


def test_model_defaults_to_dall_e_2(client: openai.OpenAI) -> None:
    result = client.images.generate(prompt="otter", response_format="b64_json")
    image = decode(result.data[0].b64_json)
    assert image.size == (1024, 1024) and result.usage is None


def test_gpt_image_1_is_inferred_from_its_parameters(raw: TestClient) -> None:
    # The guide's own transparency example has no model (contract §12).
    body = raw.post(
        GEN,
        json={
            "prompt": "Draw a 2D pixel art style sprite sheet of a tabby gray cat",
            "quality": "high",
            "size": "1024x1024",
            "background": "transparent",
        },
    ).json()
    assert body["quality"] == "high" and body["background"] == "transparent"
    assert body["usage"]["output_tokens"] == 4160
    assert decode(body["data"][0]["b64_json"]).mode == "RGBA"


# --- images ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "dims"),
    [
        ("1024x1024", (1024, 1024)),
        ("1536x1024", (1536, 1024)),
        ("1024x1536", (1024, 1536)),
        ("auto", (1024, 1024)),
    ],
)
@pytest.mark.parametrize(
    ("fmt", "pil_format"), [("png", "PNG"), ("jpeg", "JPEG"), ("webp", "WEBP")]
)
def test_formats_and_sizes(
    client: openai.OpenAI, size: str, dims: tuple[int, int], fmt: str, pil_format: str
) -> None:
    result = client.images.generate(
        model="gpt-image-1", prompt="otter", size=size, output_format=fmt, quality="low"
    )
    image = decode(result.data[0].b64_json)
    assert (image.format, image.mode, image.size) == (pil_format, "RGB", dims)
    assert result.output_format == fmt and result.size == f"{dims[0]}x{dims[1]}"


@pytest.mark.parametrize("fmt", ["jpeg", "webp"])
def test_output_compression_changes_lossy_output(client: openai.OpenAI, fmt: str) -> None:
    sizes = []
    for compression in (10, 60, 100):
        result = client.images.generate(
            model="gpt-image-1",
            prompt="otter",
            output_format=fmt,
            output_compression=compression,
            quality="high",
        )
        data = base64.b64decode(result.data[0].b64_json or "")
        sizes.append(len(data))
    assert sizes[0] < sizes[1] < sizes[2]


@pytest.mark.parametrize("fmt", ["png", "webp"])
def test_transparent_background(client: openai.OpenAI, fmt: str) -> None:
    result = client.images.generate(
        model="gpt-image-1",
        prompt="a sprite",
        background="transparent",
        output_format=fmt,
        quality="medium",
    )
    image = decode(result.data[0].b64_json)
    assert image.mode == "RGBA" and result.background == "transparent"
    alpha = np.asarray(image)[..., 3]
    assert alpha[0, 0] == 0 and alpha[5, 1018] == 0  # the corners are background
    assert (alpha == 0).mean() > 0.2  # a real transparent background
    assert (alpha == 255).mean() > 0.3  # and a visible opaque subject
    assert alpha[alpha.shape[0] // 2, alpha.shape[1] // 2] == 255


@pytest.mark.parametrize("background", ["opaque", "auto"])
def test_opaque_background_has_no_alpha(client: openai.OpenAI, background: str) -> None:
    result = client.images.generate(model="gpt-image-1", prompt="a sprite", background=background)
    assert decode(result.data[0].b64_json).mode == "RGB"
    assert result.background == "opaque"


def test_identical_requests_give_identical_bytes(client: openai.OpenAI) -> None:
    ask = dict(model="gpt-image-1", prompt=OTTER, n=2, quality="low")
    first = [d.b64_json for d in client.images.generate(**ask).data]  # type: ignore[arg-type]
    second = [d.b64_json for d in client.images.generate(**ask).data]  # type: ignore[arg-type]
    assert first == second
    assert first[0] != first[1]  # a different index is a different image


@pytest.mark.parametrize(
    "change",
    [
        {"prompt": "a heron"},
        {"quality": "high"},
        {"size": "1536x1024"},
        {"moderation": "low"},
        {"output_format": "webp"},
        {"background": "transparent"},
    ],
)
def test_any_difference_gives_a_different_image(client: openai.OpenAI, change: dict) -> None:
    base = dict(model="gpt-image-1", prompt=OTTER, quality="low")
    a = client.images.generate(**base).data[0].b64_json  # type: ignore[arg-type]
    b = client.images.generate(**{**base, **change}).data[0].b64_json  # type: ignore[arg-type]
    assert a != b


def test_quality_is_visible_as_detail(client: openai.OpenAI) -> None:
    density = {}
    for quality in ("low", "medium", "high"):
        image = decode(
            client.images.generate(model="gpt-image-1", prompt=OTTER, quality=quality)
            .data[0]
            .b64_json
        )
        density[quality] = edge_density(image, (312, 200, 712, 500))  # inside the subject
    assert density["low"] < density["medium"] < density["high"]


def test_the_prompt_is_drawn_on_the_card(client: openai.OpenAI) -> None:
    def picture(prompt: str) -> np.ndarray:
        return np.asarray(
            decode(
                client.images.generate(model="gpt-image-1", prompt=prompt, quality="low")
                .data[0]
                .b64_json
            )
        )

    a, b = picture("an otter holding a stethoscope"), picture("an otter holding a violin")
    rows = np.nonzero(np.any(a != b, axis=(1, 2)))[0]
    # Different text changes the card in the lower part; the picture itself differs too
    # (another seed), so only check that the card rows differ and are light with dark ink.
    assert rows.size > 0
    card = a[830:880, 100:900]
    assert card.max() > 240 and card.min() < 60


# --- usage (contract §14.1) ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("quality", "size", "per_image"),
    [
        ("low", "1024x1024", 272),
        ("low", "1024x1536", 408),
        ("low", "1536x1024", 400),
        ("medium", "1024x1024", 1056),
        ("medium", "1024x1536", 1584),
        ("medium", "1536x1024", 1568),
        ("high", "1024x1024", 4160),
        ("high", "1024x1536", 6240),
        ("high", "1536x1024", 6208),
        ("auto", "auto", 1056),
    ],
)
def test_output_tokens_table(raw: TestClient, quality: str, size: str, per_image: int) -> None:
    usage = raw.post(
        GEN,
        json={"model": "gpt-image-1", "prompt": "otter", "quality": quality, "size": size, "n": 2},
    ).json()["usage"]
    assert usage["output_tokens"] == 2 * per_image


def test_n_multiplies_text_tokens(raw: TestClient) -> None:
    prompt = "a cat in a hat"
    assert count_tokens(prompt) == 5
    usage = raw.post(
        GEN, json={"model": "gpt-image-1", "prompt": prompt, "n": 2, "quality": "low"}
    ).json()["usage"]
    assert usage == {
        "input_tokens": 22,
        "input_tokens_details": {"image_tokens": 0, "text_tokens": 22},
        "output_tokens": 544,
        "total_tokens": 566,
    }


# --- url mode --------------------------------------------------------------------------------


def test_url_serves_the_same_bytes_as_b64(client: openai.OpenAI, raw: TestClient) -> None:
    ask = dict(model="dall-e-2", prompt="otter", size="512x512")
    url = client.images.generate(**ask, response_format="url").data[0].url  # type: ignore[arg-type]
    b64 = client.images.generate(**ask, response_format="b64_json").data[0].b64_json  # type: ignore[arg-type]
    assert url
    fetched = raw.get(url)
    assert fetched.status_code == 200
    assert fetched.headers["content-type"] == "image/png"
    assert fetched.content == base64.b64decode(b64 or "")
    assert Image.open(io.BytesIO(fetched.content)).size == (512, 512)


def test_url_expires_after_60_minutes(client: openai.OpenAI, raw: TestClient, clock) -> None:
    url = client.images.generate(model="dall-e-3", prompt="otter").data[0].url
    assert url
    clock.advance(59 * 60)
    assert raw.get(url).status_code == 200
    clock.advance(61)
    expired = raw.get(url)
    assert expired.status_code == 403
    assert expired.headers["content-type"] == "application/xml"
    assert "<Code>AuthenticationFailed</Code>" in expired.text


def test_unknown_url_is_blob_not_found(raw: TestClient) -> None:
    missing = raw.get("/_emulator/images/img-nothing.png")
    assert missing.status_code == 404
    assert "<Code>BlobNotFound</Code>" in missing.text


def test_public_url_is_configurable() -> None:
    from emulator import create_app
    from emulator.inprocess import openai_client

    sdk = openai_client(create_app(latest(public_url="http://images.example:9000/")), max_retries=0)
    url = sdk.images.generate(model="dall-e-2", prompt="otter", size="256x256").data[0].url
    assert url and url.startswith("http://images.example:9000/_emulator/images/img-")


def test_url_store_is_bounded() -> None:
    from emulator.testdouble.clock import Clock
    from emulator.testdouble.stores import ImageStore

    store = ImageStore(Clock(), max_bytes=10_000, ttl_seconds=3600)
    names = [store.put(bytes(3000), "image/png", "png").name for _ in range(10)]
    assert store.size_bytes <= 10_000 and len(store) == 3
    assert store.get(names[0]) is None and store.get(names[-1]) is not None


# --- over a real socket ----------------------------------------------------------------------


def test_live_server_with_the_official_client(live_client: openai.OpenAI) -> None:
    result = live_client.images.generate(
        model="gpt-image-1",
        prompt=OTTER,
        size="1536x1024",
        quality="high",
        output_format="webp",
        output_compression=70,
    )
    image = decode(result.data[0].b64_json)
    assert (image.format, image.size) == ("WEBP", (1536, 1024))
    assert result.usage and result.usage.output_tokens == 6208


def test_live_url_mode_fetches_from_the_emulator(
    live_client: openai.OpenAI, live_server: LiveServer
) -> None:
    url = live_client.images.generate(model="dall-e-2", prompt="otter", size="256x256").data[0].url
    assert url and url.startswith(live_server.base_url)
    fetched = httpx.get(url)
    assert fetched.status_code == 200
    assert Image.open(io.BytesIO(fetched.content)).size == (256, 256)


def test_live_root_paths_answer_too(live_server: LiveServer) -> None:
    sdk = openai.OpenAI(base_url=live_server.base_url, api_key="sk-root", max_retries=0)
    result = sdk.images.generate(model="gpt-image-1", prompt="otter", quality="low")
    assert decode(result.data[0].b64_json).size == (1024, 1024)


async def _async_generate(async_client: openai.AsyncOpenAI) -> None:
    result = await async_client.images.generate(model="gpt-image-1", prompt="otter", n=2)
    assert [decode(d.b64_json).size for d in result.data] == [(1024, 1024)] * 2


def test_async_client_in_process(async_client: openai.AsyncOpenAI) -> None:
    import asyncio

    asyncio.run(_async_generate(async_client))


def test_the_guides_curl_example_with_only_the_host_changed(live_server: LiveServer) -> None:
    import shutil
    import subprocess

    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    command = [
        "curl", "-s", "-X", "POST", f"{live_server.base_url}/v1/images/generations",
        "-H", "Authorization: Bearer sk-guide",
        "-H", "Content-type: application/json",
        "-d", '{"model": "gpt-image-1", "prompt": "A childrens book drawing of a veterinarian '
              'using a stethoscope to listen to the heartbeat of a baby otter."}',
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, check=True).stdout
    image = decode(json.loads(output)["data"][0]["b64_json"])
    assert (image.format, image.size) == ("PNG", (1024, 1024))


def test_a_dall_e_3_revised_prompt_reads_as_sentences(client: openai.OpenAI) -> None:
    revised = client.images.generate(model="dall-e-3", prompt="a fox", style="vivid").data[0]
    assert revised.revised_prompt == (
        "A fox. The scene is rendered in a vivid, dramatic style with rich detail."
    )
    ended = (
        client.images.generate(model="dall-e-3", prompt="A fox!", style="natural")
        .data[0]
        .revised_prompt
    )
    assert (
        ended == "A fox! The scene is rendered in a natural, true-to-life style with rich detail."
    )
