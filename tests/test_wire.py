"""Headers every answer carries (contract §10, §14.4)."""

from __future__ import annotations

import re

import openai
from starlette.testclient import TestClient

from emulator import __version__


def test_success_headers(raw: TestClient) -> None:
    response = raw.post("/v1/images/generations", json={"model": "dall-e-2", "prompt": "otter"})
    headers = response.headers
    assert re.fullmatch(r"req_[0-9a-f]{32}", headers["x-request-id"])
    assert headers["openai-version"] == "2020-10-01"
    assert int(headers["openai-processing-ms"]) >= 0
    assert headers["content-type"] == "application/json"
    assert headers["x-emulator-version"] == __version__
    assert not any(name.startswith("x-ratelimit") for name in headers)


def test_errors_carry_the_same_headers(raw: TestClient) -> None:
    response = raw.post("/v1/images/generations", json={"prompt": ""})
    assert response.status_code == 400
    assert response.headers["x-request-id"].startswith("req_")
    assert response.headers["openai-version"] == "2020-10-01"


def test_request_ids_differ(raw: TestClient) -> None:
    ids = {
        raw.post("/v1/images/generations", json={"prompt": "x"}).headers["x-request-id"]
        for _ in range(3)
    }
    assert len(ids) == 3


def test_sdk_exposes_the_request_id(client: openai.OpenAI) -> None:
    result = client.images.generate(model="dall-e-2", prompt="otter", size="256x256")
    assert result._request_id and result._request_id.startswith("req_")


def test_emulator_version_is_readable_from_the_sdk(client: openai.OpenAI) -> None:
    raw = client.images.with_raw_response.generate(model="dall-e-2", prompt="otter", size="256x256")
    assert raw.headers["x-emulator-version"] == __version__
