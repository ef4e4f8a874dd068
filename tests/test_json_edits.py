"""Edits with a JSON body (raw HTTP: the SDK sends edits as multipart): image references by
data: URL, the emulator's own image URL, uploaded file id, or (when allowed) a web URL."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import httpx
import numpy as np
import pytest
from starlette.testclient import TestClient

from emulator.api import image_refs
from emulator.contract.tokenizer import count_tokens
from emulator.server import EmulatorServer

from .images import decode, encoded, mask_with_hole, solid, striped
from .latest import latest
from .static_host import serving

EDITS = "/v1/images/edits"
PNG = solid(1024, 1024)


def data_url(data: bytes, media_type: str = "image/png") -> str:
    return f"data:{media_type};base64,{base64.b64encode(data).decode()}"


def edit(raw: TestClient, **body: Any) -> httpx.Response:
    return raw.post(EDITS, json={"model": "gpt-image-1.5", "prompt": "add a hat", **body})


def test_data_url_edit_matches_the_multipart_edit(raw: TestClient) -> None:
    as_json = edit(raw, images=[{"image_url": data_url(PNG)}], quality="low")
    as_form = raw.post(
        EDITS,
        data={"model": "gpt-image-1.5", "prompt": "add a hat", "quality": "low"},
        files=[("image[]", ("in.png", PNG, "image/png"))],
    )
    assert as_json.status_code == 200, as_json.text
    body, form_body = as_json.json(), as_form.json()
    assert body["usage"] == form_body["usage"]
    assert body["data"][0]["b64_json"] == form_body["data"][0]["b64_json"]
    assert body["usage"]["input_tokens_details"] == {
        "image_tokens": 194,
        "text_tokens": count_tokens("add a hat") + 6 + 16,
    }


def test_mask_reference_keeps_pixels(raw: TestClient) -> None:
    source = encoded(striped(1024, 1024))
    hole = (256, 256, 512, 512)
    response = edit(
        raw,
        images=[{"image_url": data_url(source)}],
        mask={"image_url": data_url(mask_with_hole(1024, 1024, hole))},
    )
    assert response.status_code == 200, response.text
    out = np.asarray(decode(response.json()["data"][0]["b64_json"]))
    keep = np.ones((1024, 1024), bool)
    keep[hole[1] : hole[3], hole[0] : hole[2]] = False
    assert np.array_equal(out[keep], np.asarray(striped(1024, 1024))[keep])


def test_file_id_and_own_url_references(raw: TestClient) -> None:
    uploaded = raw.post(
        "/v1/files", data={"purpose": "vision"}, files={"file": ("in.png", PNG, "image/png")}
    ).json()
    made = raw.post(
        "/v1/images/generations",
        json={"model": "dall-e-2", "prompt": "x", "size": "512x512"},  # answers with a URL
    ).json()
    response = edit(
        raw, images=[{"file_id": uploaded["id"]}, {"image_url": made["data"][0]["url"]}]
    )
    assert response.status_code == 200, response.text
    details = response.json()["usage"]["input_tokens_details"]
    assert details["image_tokens"] == 2 * 194  # two images, one tile each


def test_moderation_and_default_model(raw: TestClient) -> None:
    response = raw.post(
        EDITS,
        json={"prompt": "x", "images": [{"image_url": data_url(PNG)}], "moderation": "low"},
    )
    assert response.status_code == 200, response.text
    assert "output_tokens_details" in response.json()["usage"]  # gpt-image-1.5's usage
    (entry,) = [e for e in raw.app.state.emulator.requests(endpoint="edits")]  # type: ignore[attr-defined]
    assert entry.model == "gpt-image-1.5"
    assert entry.params["images"][0]["image_url"].endswith("…")  # kept short in the journal


@pytest.mark.parametrize(
    ("body", "status", "param", "message"),
    [
        ({}, 400, "images", "Missing required parameter: 'images'."),
        ({"images": {"image_url": "x"}}, 400, "images", None),
        ({"images": []}, 400, "images", None),
        ({"images": [{"image_url": "data:,x"}] * 17}, 400, "images", None),
        (
            {"images": [{"image_url": "a", "file_id": "b"}]},
            400,
            "images[0]",
            "Invalid 'images[0]': expected an object with exactly one of 'image_url' or 'file_id'.",
        ),
        ({"images": [{"url": "a"}]}, 400, "images[0]", None),
        ({"images": [{"image_url": 5}]}, 400, "images[0].image_url", None),
        ({"images": [{"file_id": "file-nope"}]}, 404, "images[0].file_id", None),
        (
            {"images": [{"image_url": "https://example.com/cat.png"}]},
            400,
            "images[0].image_url",
            "The emulator does not fetch image URLs from the network: "
            "'https://example.com/cat.png' is neither a data: URL nor one of the emulator's "
            "own image URLs. Start it with --fetch-image-urls "
            "(IMAGES_EMULATOR_FETCH_IMAGE_URLS=true) to fetch it.",
        ),
        (
            {"images": [{"image_url": "data:image/png;base64,@@@"}]},
            400,
            "images[0].image_url",
            None,
        ),
        ({"images": [{"image_url": "ftp://x/y.png"}]}, 400, "images[0].image_url", None),
        ({"image": [{"image_url": "x"}]}, 400, "image", "Unknown parameter: 'image'."),
        (
            {"model": "dall-e-2", "images": [{"image_url": "x"}]},
            400,
            "model",
            "Invalid value: 'dall-e-2'. JSON edits support GPT image models only; send "
            "multipart/form-data to edit with dall-e-2.",
        ),
        ({"moderation": "high", "images": [{"image_url": "x"}]}, 400, "moderation", None),
        ({"mask": {"bad": 1}, "images": [{"image_url": "x"}]}, 400, "mask", None),
    ],
)
def test_refusals(
    raw: TestClient, body: dict, status: int, param: str, message: str | None
) -> None:
    response = raw.post(EDITS, json={"model": "gpt-image-1.5", "prompt": "x", **body})
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["param"] == param
    if message:
        assert error["message"] == message


def test_parameters_are_checked_before_images_are_fetched(raw: TestClient) -> None:
    response = edit(raw, images=[{"image_url": "https://example.com/a.png"}], n=99)
    assert response.json()["error"]["param"] == "n"


def test_same_upload_rules_as_multipart(raw: TestClient) -> None:
    response = edit(raw, images=[{"image_url": data_url(b"not an image", "image/png")}])
    assert response.json()["error"]["code"] == "invalid_image_file"
    response = edit(raw, images=[{"image_url": data_url(PNG, "application/pdf")}])
    assert response.json()["error"]["code"] == "unsupported_file_mimetype"
    response = edit(raw, images=[{"image_url": data_url(PNG)}], size="1280x720")
    assert response.json()["error"]["param"] == "size"


@pytest.fixture(scope="module")
def image_host() -> Iterator[str]:
    answers = {"/photo.png": ("image/png", solid(800, 600)), "/big.png": ("image/png", b"x" * 2048)}
    with serving(answers) as host:
        yield host


def test_fetching_urls_when_allowed(image_host: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(image_refs, "FETCH_MAX_BYTES", 1024)
    with EmulatorServer(latest(fetch_image_urls=True)) as server:
        http = httpx.Client(base_url=server.base_url, headers={"Authorization": "Bearer k"})

        def fetch(path: str) -> httpx.Response:
            body = {"model": "gpt-image-2", "prompt": "x", "quality": "low"}
            return http.post(EDITS, json={**body, "images": [{"image_url": image_host + path}]})

        monkeypatch.setattr(image_refs, "FETCH_MAX_BYTES", 10 * 1024 * 1024)
        fetched = fetch("/photo.png")
        assert fetched.status_code == 200, fetched.text
        assert decode(fetched.json()["data"][0]["b64_json"]).size == (1536, 1024)  # auto
        missing = fetch("/missing.png").json()["error"]
        assert missing["code"] == "invalid_image_url" and "404" in missing["message"]
        monkeypatch.setattr(image_refs, "FETCH_MAX_BYTES", 1024)
        too_big = fetch("/big.png").json()["error"]
        assert (too_big["code"], too_big["param"]) == ("invalid_image_url", "images[0].image_url")
        assert too_big["message"].endswith("/big.png: the image is larger than 1023 bytes.")
