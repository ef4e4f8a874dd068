"""Properties over the whole generations parameter space, drawn from the catalog itself."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from emulator import create_app
from emulator.catalog import CATALOG, ModelSpec
from emulator.params import Boolean, Choice, Integer, Param, Text

from .images import decode

GEN = "/v1/images/generations"
MODELS = [CATALOG.models[m] for m in CATALOG.endpoints["generations"].models]
FORMATS = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}
FAST = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def http() -> Iterator[TestClient]:
    with TestClient(create_app(), headers={"Authorization": "Bearer sk-prop"}) as client:
        yield client


def valid_value(name: str, kind: Param) -> st.SearchStrategy[object]:
    if name == "n":
        return st.integers(1, min(3, kind.maximum))  # type: ignore[attr-defined]
    if name == "stream":
        return st.just(False)  # streamed answers are events, tested in test_streaming
    if isinstance(kind, Choice):
        return st.sampled_from(kind.values)
    if isinstance(kind, Integer):
        return st.integers(kind.minimum, kind.maximum)
    if isinstance(kind, Boolean):
        return st.booleans()
    assert isinstance(kind, Text)
    limit = min(kind.max_length or 300, 300)
    return st.text(min_size=1, max_size=limit)


@st.composite
def valid_request(draw: st.DrawFn) -> tuple[ModelSpec, dict]:
    model = draw(st.sampled_from(MODELS))
    params = model.endpoints["generations"].params
    body: dict[str, object] = {
        "model": model.id,
        "prompt": draw(valid_value("prompt", params["prompt"])),
    }
    for name in draw(st.sets(st.sampled_from([p for p in params if p != "prompt"]))):
        body[name] = draw(valid_value(name, params[name]))
    fmt = body.get("output_format", "png")
    assume(not (body.get("background") == "transparent" and fmt == "jpeg"))
    assume(not (fmt == "png" and body.get("output_compression", 100) < 100))  # type: ignore[operator]
    return model, body


@FAST
@given(valid_request())
def test_every_valid_request_gives_the_promised_images(http: TestClient, case: tuple) -> None:
    model, body = case
    response = http.post(
        GEN,
        json={**body, "response_format": "b64_json"} if model.response_style == "dall-e" else body,
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    n = body.get("n", 1)
    assert len(answer["data"]) == n
    defaults = model.endpoints["generations"].defaults
    size = body.get("size", defaults["size"])
    size = model.auto.get("size", size) if size == "auto" else size
    fmt = body.get("output_format", "png")
    transparent = body.get("background") == "transparent"
    for item in answer["data"]:
        image = decode(item["b64_json"])
        assert f"{image.size[0]}x{image.size[1]}" == size
        assert image.format == FORMATS[fmt]
        assert image.mode == ("RGBA" if transparent else "RGB")
    if model.reports_usage:
        usage = answer["usage"]
        details = usage["input_tokens_details"]
        assert usage["input_tokens"] == details["text_tokens"] + details["image_tokens"]
        assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
        assert usage["output_tokens"] == n * model.output_tokens[(answer["quality"], size)]
        assert answer["size"] == size and answer["output_format"] == fmt
        assert answer["quality"] != "auto" and answer["background"] != "auto"
    else:
        assert list(answer) == ["created", "data"]


def invalid_value(kind: Param) -> st.SearchStrategy[object]:
    wrong_type = st.one_of(
        st.lists(st.integers(), max_size=2),
        st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    )
    if isinstance(kind, Choice):
        return st.one_of(
            st.text(max_size=12).filter(lambda v: v not in kind.values), st.integers(), wrong_type
        )
    if isinstance(kind, Integer):
        return st.one_of(
            st.integers(max_value=kind.minimum - 1),
            st.integers(min_value=kind.maximum + 1),
            st.text(max_size=4),
            st.booleans(),
            wrong_type,
        )
    if isinstance(kind, Boolean):
        return st.one_of(st.text(max_size=5), st.integers(), wrong_type)
    return st.one_of(st.integers(), st.booleans(), wrong_type)


@st.composite
def invalid_request(draw: st.DrawFn) -> dict:
    model, body = draw(valid_request())
    params = model.endpoints["generations"].params
    how = draw(st.sampled_from(["value", "unknown", "foreign"]))
    if how == "value":
        name = draw(st.sampled_from(sorted(params)))
        body[name] = draw(invalid_value(params[name]))
    elif how == "unknown":
        body[
            draw(
                st.text(min_size=1, max_size=10).filter(
                    lambda k: k not in CATALOG.known_params("generations")
                )
            )
        ] = 1
    else:
        foreign = sorted(CATALOG.known_params("generations") - set(params) - {"model"})
        body[draw(st.sampled_from(foreign))] = "x"
    return body


@FAST
@given(invalid_request())
def test_every_invalid_request_gets_the_400_envelope(http: TestClient, body: dict) -> None:
    response = http.post(GEN, json=body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert list(error) == ["message", "type", "param", "code"]
    assert error["type"] == "invalid_request_error" and error["message"]


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


@FAST
@given(
    st.dictionaries(
        st.sampled_from(sorted(CATALOG.known_params("generations"))) | st.text(max_size=8),
        JSON,
        max_size=6,
    )
)
def test_no_body_ever_gets_a_server_error(http: TestClient, body: dict) -> None:
    if isinstance(body.get("n"), int) and not isinstance(body.get("n"), bool):
        body["n"] = min(body["n"], 2)
    response = http.post(GEN, json=body)
    assert response.status_code in (200, 400), response.text
