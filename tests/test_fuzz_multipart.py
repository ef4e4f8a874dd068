"""Hypothesis fuzz of multipart bodies on the upload endpoints: whatever the form, the answer
is the API's (2xx or a 4xx error envelope), never a 5xx, and the emulator keeps working."""

from __future__ import annotations

from collections.abc import Iterator

import openai
import pytest
from hypothesis import HealthCheck, given, settings
from starlette.testclient import TestClient

from emulator import create_app
from emulator.inprocess import openai_client

from .fuzz_multipart import IMAGES, Body, multipart_bodies
from .images import decode
from .latest import latest

ENVELOPE = {"message", "type", "param", "code"}


@pytest.fixture(scope="module")
def shared_app():
    """One app for every example, as a long-running server sees them all."""
    return create_app(latest())


@pytest.fixture(scope="module")
def http(shared_app) -> Iterator[TestClient]:
    with TestClient(shared_app, headers={"Authorization": "Bearer sk-fuzz"}) as client:
        yield client


def assert_api_answer(response) -> None:
    assert response.status_code < 500, response.text
    body = response.json()
    if response.status_code >= 400:
        assert set(body["error"]) == ENVELOPE and body["error"]["message"]
    else:
        for item in body["data"]:
            assert ("b64_json" in item) != ("url" in item)
            if "b64_json" in item:
                image = decode(item["b64_json"])
                assert image.width >= 256 and image.height >= 256


@pytest.mark.parametrize("endpoint", ["edits", "variations"])
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=multipart_bodies())
def test_any_multipart_body_gets_an_api_answer(http: TestClient, endpoint: str, body: Body) -> None:
    response = http.post(
        f"/v1/images/{endpoint}",
        content=body.data,
        headers={"content-type": body.content_type.encode("utf-8")},
    )
    if response.headers["content-type"] == "text/event-stream":
        assert response.status_code == 200 and "image_edit.completed" in response.text
    else:
        assert_api_answer(response)


def test_the_emulator_still_works_after_the_fuzz(shared_app, http: TestClient) -> None:
    client: openai.OpenAI = openai_client(shared_app, max_retries=0)
    result = client.images.edit(
        model="gpt-image-1", image=("in.png", IMAGES[0], "image/png"), prompt="ok", quality="low"
    )
    assert decode(result.data[0].b64_json).size == (1024, 1024)
    journal = http.get("/_emulator/journal").json()["entries"]
    assert journal and journal[-1]["status"] == 200
