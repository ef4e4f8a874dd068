"""Browsers may call the emulator from another origin: preflights and answer headers.

The same behaviour in a real browser is tested in ``test_browser.py``.
"""

from __future__ import annotations

import openai
import pytest
from starlette.testclient import TestClient

SDK_HEADERS = (
    "authorization,content-type,openai-organization,openai-project,x-stainless-arch,"
    "x-stainless-lang,x-stainless-os,x-stainless-package-version,x-stainless-retry-count,"
    "x-stainless-runtime,x-stainless-runtime-version,x-stainless-timeout"
)
ORIGIN = "http://app.example:5173"


def expose_list(value: str) -> set[str]:
    return {name.strip().lower() for name in value.split(",")}


@pytest.mark.parametrize(
    "path",
    [
        "/v1/images/generations",
        "/v1/images/edits",
        "/v1/images/variations",
        "/images/generations",
        "/_emulator/images/img-unknown.png",
    ],
)
def test_preflight_answers_200_with_the_requested_headers(raw: TestClient, path: str) -> None:
    response = raw.options(
        path,
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": SDK_HEADERS,
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "POST" in response.headers["access-control-allow-methods"]
    assert response.headers["access-control-allow-headers"] == SDK_HEADERS
    assert response.headers["x-request-id"].startswith("req_")
    assert response.content == b""


def test_preflight_needs_no_key(app) -> None:
    with TestClient(app) as anonymous:  # a browser sends no Authorization on a preflight
        response = anonymous.options(
            "/v1/images/generations",
            headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"},
        )
    assert response.status_code == 200
    assert "access-control-allow-headers" not in response.headers


def test_plain_options_is_still_an_unknown_route(raw: TestClient) -> None:
    response = raw.options("/v1/images/generations")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "Invalid URL (OPTIONS /v1/images/generations)"


@pytest.mark.parametrize(
    ("method", "path", "json", "status"),
    [
        ("POST", "/v1/images/generations", {"model": "gpt-image-1", "prompt": "x"}, 200),
        ("POST", "/v1/images/generations", {"model": "nope", "prompt": "x"}, 400),
        ("GET", "/v1/models", None, 200),
        ("GET", "/v1/embeddings", None, 404),
    ],
)
def test_every_answer_allows_any_origin_and_exposes_what_a_browser_reads(
    raw: TestClient, method: str, path: str, json: dict | None, status: int
) -> None:
    response = raw.request(method, path, json=json, headers={"Origin": ORIGIN})
    assert response.status_code == status
    assert response.headers["access-control-allow-origin"] == "*"
    exposed = expose_list(response.headers["access-control-expose-headers"])
    assert {"x-request-id", "openai-processing-ms"} <= exposed


def test_unauthenticated_and_streamed_answers_carry_cors_too(app, raw: TestClient) -> None:
    with TestClient(app) as anonymous:
        denied = anonymous.post("/v1/images/generations", json={"prompt": "x"})
    assert denied.status_code == 401
    assert denied.headers["access-control-allow-origin"] == "*"
    with raw.stream(
        "POST",
        "/v1/images/generations",
        json={"model": "gpt-image-1", "prompt": "x", "quality": "low", "stream": True},
    ) as streamed:
        assert streamed.headers["content-type"] == "text/event-stream"
        assert streamed.headers["access-control-allow-origin"] == "*"


def test_the_sdk_still_reads_the_request_id(client: openai.OpenAI) -> None:
    result = client.images.generate(model="gpt-image-1", prompt="x", quality="low")
    assert result._request_id and result._request_id.startswith("req_")  # type: ignore[attr-defined]


# --- the control plane: same-origin unless configured ------------------------------------


@pytest.mark.parametrize("path", ["/_emulator/journal", "/_emulator/health", "/_emulator/reset"])
def test_another_origin_s_page_gets_no_cors_from_the_control_plane(
    raw: TestClient, path: str
) -> None:
    preflight = raw.options(
        path, headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in preflight.headers
    read = raw.get("/_emulator/journal", headers={"Origin": ORIGIN})
    assert read.status_code == 200 and "access-control-allow-origin" not in read.headers


def test_configured_origins_may_call_the_control_plane() -> None:
    from emulator import Config, create_app

    app = create_app(Config(control_origins="http://app.example:5173/, http://other:1"))
    http = TestClient(app)
    preflight = http.options(
        "/_emulator/faults",
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"},
    )  # fmt: skip
    assert preflight.headers["access-control-allow-origin"] == ORIGIN
    added = http.post("/_emulator/faults", json={"kind": "rate_limit"}, headers={"Origin": ORIGIN})
    assert added.status_code == 201 and added.headers["access-control-allow-origin"] == ORIGIN
    elsewhere = http.post("/_emulator/reset", headers={"Origin": "http://evil.example"})
    assert elsewhere.status_code == 403
