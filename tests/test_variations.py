"""Variations: dall-e-2 only, a square PNG under 4 MB, on the older backend's error style."""

from __future__ import annotations

import numpy as np
import openai
import pytest
from PIL import Image
from starlette.testclient import TestClient

from .images import decode, encoded, solid, striped

VARIATIONS = "/v1/images/variations"


def legacy_error(message: str) -> dict:
    # The variations backend lists error keys alphabetically (contract §14.3).
    return {
        "error": {"code": None, "message": message, "param": None, "type": "invalid_request_error"}
    }


def test_variations_are_derived_from_the_input_and_differ_by_index(client: openai.OpenAI) -> None:
    source = striped(512, 512)
    result = client.images.create_variation(
        image=("s.png", encoded(source), "image/png"),
        n=3,
        size="512x512",
        response_format="b64_json",
    )
    assert result.usage is None and len(result.data) == 3
    pictures = [np.asarray(decode(d.b64_json)) for d in result.data]
    assert all(p.shape == (512, 512, 3) for p in pictures)
    assert len({p.tobytes() for p in pictures}) == 3
    grey = np.asarray(source.convert("L"), np.float64)[:440]
    for index, picture in enumerate(pictures):
        ours = np.asarray(Image.fromarray(picture).convert("L"), np.float64)[:440]
        reference = grey[:, ::-1] if index % 2 else grey
        # The input's structure survives: strong correlation with it (or with its mirror).
        assert np.corrcoef(ours.ravel(), reference.ravel())[0, 1] > 0.3


def test_variation_url_and_sizes(client: openai.OpenAI, raw: TestClient) -> None:
    result = client.images.create_variation(
        image=("s.png", solid(256, 256), "image/png"), size="256x256"
    )
    url = result.data[0].url
    assert url
    fetched = raw.get(url)
    assert fetched.status_code == 200
    assert decode_bytes(fetched.content).size == (256, 256)


def decode_bytes(data: bytes) -> Image.Image:
    import io

    return Image.open(io.BytesIO(data))


def test_body_key_order(raw: TestClient) -> None:
    body = raw.post(
        VARIATIONS,
        files=[("image", ("s.png", solid(64, 64), "image/png"))],
        data={"response_format": "b64_json"},
    ).json()
    assert list(body) == ["created", "data"] and list(body["data"][0]) == ["b64_json"]


@pytest.mark.parametrize(
    ("files", "data", "expected"),
    [
        (
            [("image", ("s.png", solid(1024, 768), "image/png"))],
            {},
            legacy_error(
                "Invalid input image - expected an image with equal width and height, got "
                "1024x768 instead."
            ),
        ),
        (
            [("image", ("s.png", solid(64, 64, (9,), mode="L"), "image/png"))],
            {},
            legacy_error("Invalid input image - format must be in ['RGB', 'RGBA'], got L."),
        ),
        (
            [("image", ("s.png", solid(64, 64), "image/png"))],
            {"model": "gpt-image-1"},
            legacy_error("Invalid model gpt-image-1. The model argument should be left blank."),
        ),
        (
            [("image", ("s.png", solid(64, 64), "image/png"))],
            {"b": "1", "a": "2"},
            legacy_error("Additional properties are not allowed ('a', 'b' were unexpected)"),
        ),
        (
            [("image", ("s.png", solid(64, 64), "image/png"))],
            {"prompt": "x"},
            legacy_error("Additional properties are not allowed ('prompt' was unexpected)"),
        ),
    ],
)
def test_variation_errors(raw: TestClient, files: list, data: dict, expected: dict) -> None:
    response = raw.post(VARIATIONS, files=files, data=data)
    assert response.status_code == 400
    assert response.json() == expected
    assert list(response.json()["error"]) == ["code", "message", "param", "type"]


def test_variation_of_a_jpeg_via_the_sdk(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.create_variation(image=("s.jpg", solid(64, 64, fmt="JPEG"), "image/jpeg"))
    assert caught.value.code == "unsupported_file_mimetype"
