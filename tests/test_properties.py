"""Properties over the whole generations parameter space, drawn from the catalog itself."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from emulator import create_app
from emulator.contract.catalog import CATALOG
from emulator.contract.errors import APIError
from emulator.contract.params import Boolean, Choice, FreeSize, Integer, Param, SvgOptions, Text
from emulator.contract.specs import ModelSpec

from .images import decode
from .latest import latest

GEN = "/v1/images/generations"
NAMES = list(CATALOG.endpoints["generations"].models)  # snapshots included
FORMATS = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP", "gif": "GIF"}
FAST = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def http() -> Iterator[TestClient]:
    with TestClient(create_app(latest()), headers={"Authorization": "Bearer sk-prop"}) as client:
        yield client


def fits(kind: FreeSize, width: int, height: int) -> bool:
    try:
        kind.check("size", f"{width}x{height}")
    except APIError:
        return False
    return True


def free_sizes(kind: FreeSize) -> st.SearchStrategy[object]:
    """Valid sizes of moderate area (so the examples stay quick), and ``auto``."""
    sides = st.integers(40, 120).map(lambda k: 16 * k)
    drawn = st.tuples(sides, sides).filter(lambda wh: fits(kind, *wh))
    return st.one_of(st.just("auto"), drawn.map(lambda wh: f"{wh[0]}x{wh[1]}"))


def valid_value(name: str, kind: Param) -> st.SearchStrategy[object]:
    if name == "n":
        return st.integers(1, min(3, kind.maximum))  # type: ignore[attr-defined]
    if name == "stream":
        return st.just(False)  # streamed answers are events, tested in test_streaming
    if name == "frame_count":
        return st.integers(2, 5)
    if isinstance(kind, FreeSize):
        return free_sizes(kind)
    if isinstance(kind, SvgOptions):
        effort = st.one_of(st.none(), st.sampled_from(kind.efforts))
        return st.builds(lambda e: {"model": "gpt-5-mini", "reasoning": {"effort": e}}, effort)
    if isinstance(kind, Choice):
        return st.sampled_from(kind.values)
    if isinstance(kind, Integer):
        return st.integers(kind.minimum, min(kind.maximum, 10_000))
    if isinstance(kind, Boolean):
        return st.booleans()
    assert isinstance(kind, Text)
    limit = min(kind.max_length or 300, 300)
    return st.text(min_size=1, max_size=limit)


def within_format_rules(body: dict[str, object]) -> None:
    """Drop what the chosen output format refuses (contract §11.3), in place."""
    fmt = body.get("output_format", "png")
    if fmt in ("gif", "svg"):
        for name in ("partial_images", "output_compression"):
            body.pop(name, None)
    if fmt == "svg":
        body["n"] = 1
    if fmt != "gif":
        body.pop("frame_count", None)
        body.pop("frame_duration_ms", None)
    if fmt != "svg":
        body.pop("svg", None)
    if body.get("background") == "transparent" and fmt not in ("png", "webp"):
        body["background"] = "opaque"
    if fmt == "png" and body.get("output_compression", 100) < 100:  # type: ignore[operator]
        body["output_compression"] = 100


@st.composite
def valid_request(draw: st.DrawFn) -> tuple[str, ModelSpec, dict]:
    name = draw(st.sampled_from(NAMES))
    model = CATALOG.models[name]
    params = model.endpoints["generations"].params
    body: dict[str, object] = {
        "model": name,
        "prompt": draw(valid_value("prompt", params["prompt"])),
    }
    for param in draw(st.sets(st.sampled_from([p for p in params if p != "prompt"]))):
        body[param] = draw(valid_value(param, params[param]))
    within_format_rules(body)
    return name, model, body


@FAST
@given(valid_request())
def test_every_valid_request_gives_the_promised_images(http: TestClient, case: tuple) -> None:
    _, model, body = case
    response = http.post(
        GEN,
        json={**body, "response_format": "b64_json"} if model.response_style == "dall-e" else body,
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    n = body.get("n", 1)
    assert len(answer["data"]) == n
    defaults = model.endpoints["generations"].defaults
    size = str(body.get("size", defaults["size"]))
    size = model.auto.get("size", size) if size == "auto" else size
    fmt = body.get("output_format", "png")
    transparent = body.get("background") == "transparent"
    frames = body.get("frame_count", 9) if fmt == "gif" else 1
    for item in answer["data"]:
        if fmt == "svg":
            document = ElementTree.fromstring(base64.b64decode(item["b64_json"]))
            assert f"{document.get('width')}x{document.get('height')}" == size
            continue
        image = decode(item["b64_json"])
        assert f"{image.size[0]}x{image.size[1]}" == size
        assert image.format == FORMATS[str(fmt)]
        if fmt == "gif":
            assert image.n_frames == frames and image.mode == "P"
        else:
            assert image.mode == ("RGBA" if transparent else "RGB")
    if model.reports_usage:
        usage = answer["usage"]
        details = usage["input_tokens_details"]
        assert usage["input_tokens"] == details["text_tokens"] + details["image_tokens"]
        assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
        per_image = model.image_output_tokens(answer["quality"], size)
        assert usage["output_tokens"] == n * frames * per_image
        assert ("output_tokens_details" in usage) == model.output_token_details
        assert answer["size"] == size and answer["output_format"] == fmt
        assert answer["quality"] != "auto" and answer["background"] != "auto"
        assert ("svg_usage" in answer) == (fmt == "svg")
        echoed = body.get("safety_identifier") or body.get("user") or None
        if model.takes("safety_identifier"):
            assert answer.get("safety_identifier") == echoed
    else:
        assert list(answer) == ["created", "data"]


def invalid_value(kind: Param) -> st.SearchStrategy[object]:
    wrong_type = st.one_of(
        st.lists(st.integers(), max_size=2),
        st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    )
    if isinstance(kind, FreeSize):
        bad = ["9x9", "1000x1000", "4096x2048", "3840x1024", "512x512", "3840x2400", "big"]
        return st.one_of(st.sampled_from(bad), st.integers(), wrong_type)
    if isinstance(kind, SvgOptions):
        return st.one_of(
            st.sampled_from([{}, {"model": ""}, {"model": "m", "reasoning": {"effort": "x"}}]),
            st.integers(),
            st.lists(st.integers(), max_size=2),
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
    _, model, body = draw(valid_request())
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
