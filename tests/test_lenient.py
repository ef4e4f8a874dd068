"""Lenient mode accepts what strict mode refuses, within the OpenAPI schema; and latency."""

from __future__ import annotations

import time
from typing import Any

import openai
import pytest
from starlette.testclient import TestClient

from emulator import create_app
from emulator.inprocess import openai_client

from .images import decode, solid
from .latest import latest


@pytest.fixture
def lenient() -> Any:
    return create_app(latest(lenient=True))


@pytest.mark.parametrize(
    "body",
    [
        {"model": "gpt-image-1", "prompt": "x", "colour": "red"},  # unknown parameter
        {"model": "gpt-image-9000", "prompt": "x"},  # a model the catalog does not know
        {"model": "gpt-image-1", "prompt": "x", "response_format": "url"},  # not taken by the model
        {"model": "gpt-image-1", "prompt": "x", "size": "256x256"},  # schema allows, model does not
        {
            "model": "gpt-image-1",
            "prompt": "x",
            "background": "transparent",
            "output_format": "jpeg",
        },
        {"model": "dall-e-3", "prompt": "x", "moderation": "low", "quality": "low"},
    ],
)
def test_strict_refuses_lenient_accepts(app: Any, lenient: Any, body: dict) -> None:
    with TestClient(app, headers={"Authorization": "Bearer sk"}) as strict_http:
        assert strict_http.post("/v1/images/generations", json=body).status_code == 400
    with TestClient(lenient, headers={"Authorization": "Bearer sk"}) as lenient_http:
        response = lenient_http.post(
            "/v1/images/generations",
            json={**body, "response_format": None} if body.get("model") == "gpt-image-1" else body,
        )
    assert response.status_code == 200, response.text
    item = response.json()["data"][0]
    assert "b64_json" in item or "url" in item


def test_lenient_still_refuses_what_the_schema_refuses(lenient: Any) -> None:
    with TestClient(lenient, headers={"Authorization": "Bearer sk"}) as http:
        assert http.post("/v1/images/generations", json={"prompt": "x", "n": 50}).status_code == 400
        assert http.post("/v1/images/generations", json={"model": "gpt-image-1"}).status_code == 400
        assert (
            http.post("/v1/images/generations", json={"prompt": "x", "size": "9x9"}).status_code
            == 400
        )


def test_lenient_uploads_take_non_images_and_arrays(lenient: Any) -> None:
    sdk = openai_client(lenient, max_retries=0)
    result = sdk.images.edit(
        model="dall-e-2", prompt="x", image=[b"not an image at all"], response_format="b64_json"
    )
    assert decode(result.data[0].b64_json).size == (1024, 1024)
    edited = sdk.images.edit(
        model="gpt-image-1",
        prompt="x",
        image=("a.png", solid(64, 64), "image/png"),
        mask=("m.png", solid(8, 8), "image/png"),
    )  # a mask that does not fit
    assert decode(edited.data[0].b64_json).size == (1024, 1024)
    variation = sdk.images.create_variation(
        image=("a.png", solid(300, 200), "image/png"), model="dall-e-3", response_format="b64_json"
    )
    assert decode(variation.data[0].b64_json).size == (1024, 1024)


def test_strict_refuses_those_uploads(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError):
        client.images.edit(model="dall-e-2", prompt="x", image=[b"not an image at all"])


def test_realistic_latency_scales_with_the_factor() -> None:
    sdk = openai_client(create_app(latest(latency_factor=0.02)), max_retries=0)
    started = time.monotonic()
    sdk.images.generate(model="gpt-image-1", prompt="x", quality="low")
    low = time.monotonic() - started
    started = time.monotonic()
    sdk.images.generate(model="gpt-image-1", prompt="x", quality="high")
    high = time.monotonic() - started
    assert 0.24 <= low < high  # 12 s × 0.02 for low, 60 s × 0.02 for high
    assert high >= 1.2
