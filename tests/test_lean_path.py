"""The short way in for the API's fixed paths answers exactly as Starlette's way does.

``EmulatorApp`` sends ``POST /v1/images/generations`` and the other fixed API paths straight
to the pipeline (issue 22); these tests send the same requests both ways, the short way and
with the table emptied, and compare what a client sees: status, headers, body.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import hypothesis.strategies as st
import openai
import pytest
from hypothesis import given, settings
from starlette.routing import Match
from starlette.testclient import TestClient

from emulator import create_app
from emulator.app import ApiRoute, EmulatorApp
from emulator.inprocess import openai_client
from emulator.testdouble.clock import Clock
from emulator.transport.body import parse_json

from .images import decode
from .latest import latest

AUTH = {"Authorization": "Bearer sk-test"}
# Headers that differ between any two answers, whichever way they came.
PER_ANSWER = {"x-request-id", "openai-processing-ms", "date"}


def two_apps() -> tuple[EmulatorApp, EmulatorApp]:
    """The app as built, and one whose short way is closed (every request takes Starlette's)."""
    apps = []
    for _ in range(2):
        clock = Clock()
        clock.freeze(1_750_000_000.0)
        apps.append(create_app(latest(), clock=clock))
    apps[1].api_paths = {}
    return apps[0], apps[1]


@pytest.fixture
def both() -> Iterator[tuple[TestClient, TestClient]]:
    short, long = two_apps()
    with TestClient(short, headers=AUTH) as a, TestClient(long, headers=AUTH) as b:
        yield a, b


def seen(response: Any) -> tuple[int, dict[str, str], object]:
    headers = {k: v for k, v in response.headers.items() if k not in PER_ANSWER}
    # An image URL's name is drawn at random: the rest of the URL must agree.
    text = re.sub(r"img-[A-Za-z0-9]{24}", "img-NAME", response.text)
    return response.status_code, headers, json.loads(text) if text else None


GEN = "/v1/images/generations"
JSON = {"content-type": "application/json"}
BAD_NAMESPACE = {"x-emulator-namespace": "bad name!"}
IMAGE_TOOL = [{"type": "image_generation", "quality": "low"}]
REQUESTS = [
    ("POST", GEN, {"json": {"model": "gpt-image-2", "prompt": "an otter"}}),
    ("POST", "/images/generations", {"json": {"model": "gpt-image-2", "prompt": "a heron"}}),
    ("POST", GEN, {"json": {"prompt": ""}}),  # a validation error
    ("POST", GEN, {"content": b"{not json", "headers": JSON}),
    ("POST", GEN, {"json": {"prompt": "x"}, "headers": {"Authorization": ""}}),
    ("POST", GEN, {"json": {"prompt": "x"}, "headers": BAD_NAMESPACE}),  # answered early
    ("POST", GEN, {"json": {"model": "dall-e-3", "prompt": "x"},
                   "headers": {"x-emulator-as-of": "2025-06-01"}}),
    ("GET", "/v1/models", {}),
    ("GET", "/v1/files", {}),
    ("GET", "/v1/batches", {}),
    ("POST", "/v1/responses", {"json": {"model": "gpt-5", "input": "otter", "tools": IMAGE_TOOL}}),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "options"), REQUESTS)
def test_the_short_way_answers_as_starlette_s_way(
    both: tuple[TestClient, TestClient], method: str, path: str, options: dict[str, Any]
) -> None:
    short, long = both
    assert (method, path) in short.app.api_paths  # type: ignore[attr-defined]
    a, b = (seen(http.request(method, path, **options)) for http in (short, long))
    assert a[0] == b[0] and a[1] == b[1]
    if path.endswith("/responses"):  # ids are drawn at random: compare the shape
        assert isinstance(a[2], dict) and isinstance(b[2], dict)
        assert a[2].keys() == b[2].keys() and a[2]["status"] == b[2]["status"] == "completed"
    else:
        assert a[2] == b[2]


def test_every_answer_the_short_way_carries_the_api_s_and_cors_headers(
    both: tuple[TestClient, TestClient],
) -> None:
    short, _ = both
    for options in ({"json": {"prompt": ""}}, {"json": {"prompt": "x"}, "headers": BAD_NAMESPACE}):
        headers = short.post(GEN, **options).headers  # type: ignore[arg-type]
        assert headers["x-request-id"].startswith("req_")
        assert headers["openai-version"] == "2020-10-01"
        assert headers["access-control-allow-origin"] == "*"


def test_the_short_way_takes_only_what_the_router_would_give_the_same_endpoint() -> None:
    app, _ = two_apps()
    routes = app.router.routes
    assert ("POST", "/v1/images/generations") in app.api_paths
    assert ("POST", "/v1/images/edits") in app.api_paths
    for (method, path), endpoint in app.api_paths.items():
        probe = {"type": "http", "path": path, "method": method}
        first = next(route for route in routes if route.matches(probe)[0] == Match.FULL)
        assert isinstance(first, ApiRoute) and first.api_endpoint is endpoint
    # Paths with parameters, HEAD, preflights and the control plane keep Starlette's way.
    assert all("{" not in path and method != "HEAD" for method, path in app.api_paths)
    assert not any(path.startswith("/_emulator") for _, path in app.api_paths)


def test_the_sdk_gets_the_same_image_either_way() -> None:
    short, long = two_apps()
    pictures = []
    for app in (short, long):
        with openai_client(app, max_retries=0) as client:
            result = client.images.generate(model="gpt-image-2", prompt="an otter", quality="low")
            assert isinstance(result, openai.types.ImagesResponse) and result.data
            picture = decode(result.data[0].b64_json)
            assert picture.size == (1024, 1024) and picture.mode == "RGB"
            pictures.append(picture.tobytes())
    assert pictures[0] == pictures[1]
    assert short.state.emulator.journal.entries()[-1].status == 200


# --- JSON read by orjson where it agrees with the standard library ------------------------

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(JSON_VALUES)
def test_parsed_json_is_what_the_standard_library_reads(value: object) -> None:
    text = json.dumps(value, ensure_ascii=False)
    parsed = parse_json(text.encode())
    assert parsed == json.loads(text)
    assert json.dumps(parsed) == json.dumps(json.loads(text))  # types too: 10**20 stays an int
