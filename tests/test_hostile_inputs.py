"""Hostile inputs get the API's 400, worded as the API words them, never a 500 or a 200 that the
official SDK cannot parse."""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest
from PIL import Image
from starlette.testclient import TestClient

from emulator import Config, create_app
from emulator.contract.text_models import STEADY_TEXT_MODEL

DRAW = [{"type": "image_generation", "quality": "low"}]


@pytest.fixture(scope="module")
def http() -> TestClient:
    return TestClient(create_app(Config()), headers={"Authorization": "Bearer sk-t"})


def refused(http: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    answer = http.post("/v1/responses", json={"model": STEADY_TEXT_MODEL, "input": "x", **body})
    assert answer.status_code == 400, answer.text
    return answer.json()["error"]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("temperature", "hot", "expected a decimal, but got a string instead."),
        ("top_p", [1], "expected a decimal, but got an array instead."),
        ("user", [], "expected a string, but got an array instead."),
        ("metadata", 5, "expected an object, but got an integer instead."),
        ("max_output_tokens", 1.5, "expected an integer, but got a decimal number instead."),
        ("parallel_tool_calls", "yes", "expected a boolean, but got a string instead."),
        ("stream", "yes", "expected a boolean, but got a string instead."),
        ("input", 3, "expected a string or an array, but got an integer instead."),
        ("tool_choice", 1, "expected a string or an object, but got an integer instead."),
        ("reasoning", "high", "expected an object, but got a string instead."),
        ("model", None, "expected a string, but got null instead."),
    ],
)
def test_every_top_level_parameter_has_its_type_checked(
    http: TestClient, name: str, value: Any, message: str
) -> None:
    error = refused(http, {name: value})
    assert error["message"] == f"Invalid type for '{name}': {message}"
    assert (error["param"], error["code"]) == (name, "invalid_type")


def test_null_is_taken_for_optional_parameters(http: TestClient) -> None:
    body = {"model": STEADY_TEXT_MODEL, "input": "hello", "temperature": None, "user": None}
    assert http.post("/v1/responses", json=body).status_code == 200
    assert http.post("/v1/responses", json={**body, "temperature": 1}).status_code == 200


def test_every_image_tool_is_checked(http: TestClient) -> None:
    tools = [*DRAW, {"type": "image_generation", "colour": "red"}]
    error = refused(http, {"tools": tools})
    assert error["param"] == "tools[1].colour" and error["code"] == "unknown_parameter"


def test_a_passed_back_result_that_is_not_base64(http: TestClient) -> None:
    item = {"id": "ig_1", "type": "image_generation_call", "result": "not base64 at all!"}
    error = refused(http, {"input": [item, {"role": "user", "content": "Edit it"}], "tools": DRAW})
    assert error["param"] == "input[0].result"
    assert error["message"] == "Invalid 'input[0].result': expected base64-encoded image data."


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ({"a": 1}, "Invalid type for 'input[0].id': expected a string, but got an object instead."),
        (7, "Invalid type for 'input[0].id': expected a string, but got an integer instead."),
        ("ig_unknown", "Item with id 'ig_unknown' not found."),
    ],
)
def test_an_unknown_item_reference_is_shown_as_sent(
    http: TestClient, reference: Any, message: str
) -> None:
    error = refused(http, {"input": [{"type": "item_reference", "id": reference}]})
    assert error["message"] == message


def test_a_huge_png_is_refused_by_its_size(http: TestClient) -> None:
    png = io.BytesIO()
    Image.new("1", (30000, 30000)).save(png, "PNG")  # 100 KB on the wire, 900 MP decoded
    answer = http.post(
        "/v1/images/edits",
        data={"model": "gpt-image-2", "prompt": "x"},
        files=[("image[]", ("big.png", png.getvalue(), "image/png"))],
    )
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "image_too_large"
    assert "30000x30000 pixels is too large" in error["message"]
    data_url = "data:image/png;base64," + base64.b64encode(png.getvalue()).decode()
    content = [
        {"type": "input_text", "text": "Edit"},
        {"type": "input_image", "image_url": data_url},
    ]
    error = refused(http, {"input": [{"role": "user", "content": content}], "tools": DRAW})
    assert error["code"] == "image_too_large"
