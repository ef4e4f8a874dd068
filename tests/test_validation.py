"""Every generations validation rule answers with the real API's exact status and body."""

from __future__ import annotations

import json

import openai
import pytest
from starlette.testclient import TestClient

from .expect import error

GEN = "/v1/images/generations"
INVALID_JSON = (
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't "
    "using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was "
    "sent was not valid JSON. If you have trouble figuring out how to fix this, please contact "
    "us through our help center at help.openai.com.)"
)
NO_KEY = (
    "You didn't provide an API key. You need to provide your API key in an Authorization "
    "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field "
    "(with blank username) if you're accessing the API from your browser and are prompted for "
    "a username and password. You can obtain an API key from "
    "https://platform.openai.com/account/api-keys."
)


def unknown(name: str) -> dict:
    return error(f"Unknown parameter: '{name}'.", name, "unknown_parameter")


def bad_type(name: str, expected: str, got: str) -> dict:
    return error(
        f"Invalid type for '{name}': expected {expected}, but got {got} instead.",
        name,
        "invalid_type",
    )


def above(name: str, maximum: int, got: int) -> dict:
    return error(
        f"Invalid '{name}': integer above maximum value. Expected a value <= "
        f"{maximum}, but got {got} instead.",
        name,
        "integer_above_max_value",
    )


def below(name: str, minimum: int, got: int) -> dict:
    return error(
        f"Invalid '{name}': integer below minimum value. Expected a value >= "
        f"{minimum}, but got {got} instead.",
        name,
        "integer_below_min_value",
    )


def too_long(maximum: int, got: int) -> dict:
    return error(
        f"Invalid 'prompt': string too long. Expected a string with maximum length "
        f"{maximum}, but got a string with length {got} instead.",
        "prompt",
        "string_above_max_length",
    )


GPT = {"model": "gpt-image-1", "prompt": "an otter"}
DE2 = {"model": "dall-e-2", "prompt": "an otter"}
DE3 = {"model": "dall-e-3", "prompt": "an otter"}

CASES = [
    # unknown parameters, and known ones the model does not take (contract §2, §9.2 rows 4-5)
    ("unknown field", {**GPT, "colour": "red"}, unknown("colour")),
    ("unknown field with null", {**GPT, "colour": None}, unknown("colour")),
    (
        "response_format on gpt-image-1",
        {**GPT, "response_format": "b64_json"},
        unknown("response_format"),
    ),
    ("style on gpt-image-1", {**GPT, "style": "vivid"}, unknown("style")),
    ("moderation on dall-e-3", {**DE3, "moderation": "low"}, unknown("moderation")),
    ("background on dall-e-2", {**DE2, "background": "opaque"}, unknown("background")),
    ("stream on dall-e-3", {**DE3, "stream": True}, unknown("stream")),
    ("partial_images on dall-e-2", {**DE2, "partial_images": 1}, unknown("partial_images")),
    ("output_format on dall-e-3", {**DE3, "output_format": "png"}, unknown("output_format")),
    ("style on dall-e-2", {**DE2, "style": "natural"}, unknown("style")),
    # model (§9.2 row 26, §14.6)
    (
        "unknown model",
        {"model": "bad model", "prompt": "x"},
        error(
            "Invalid value: 'bad model'. Supported values are: 'gpt-image-1', "
            "'gpt-image-1-mini', 'gpt-image-1.5', 'gpt-image-1.5-2025-12-16', "
            "'chatgpt-image-latest', 'gpt-image-2', "
            "'gpt-image-2-2026-04-21', 'gpt-image-2.5-sunburst', "
            "'gpt-image-2.5-sunburst-2026-09-08', 'gpt-image-2.5-flare', "
            "'gpt-image-2.5-flare-2026-09-08', 'gpt-image-2.6-sunburst', 'gpt-image-2.6-flare', "
            "'dall-e-2', and 'dall-e-3'.",
            "model",
            "invalid_value",
        ),
    ),
    (
        "model of wrong type",
        {"model": 5, "prompt": "x"},
        bad_type("model", "a string", "an integer"),
    ),
    # prompt (rows 10, 11)
    (
        "missing prompt",
        {"model": "gpt-image-1"},
        error("Missing required parameter: 'prompt'.", "prompt", "missing_required_parameter"),
    ),
    (
        "null prompt",
        {"model": "gpt-image-1", "prompt": None},
        error("Missing required parameter: 'prompt'.", "prompt", "missing_required_parameter"),
    ),
    (
        "prompt of wrong type",
        {"model": "gpt-image-1", "prompt": ["x"]},
        bad_type("prompt", "a string", "an array"),
    ),
    (
        "empty prompt",
        {"model": "gpt-image-1", "prompt": ""},
        error(
            "Invalid 'prompt': empty string. Expected a string with minimum length 1, but got an "
            "empty string instead.",
            "prompt",
            "empty_string",
        ),
    ),
    (
        "dall-e-2 prompt over 1000",
        {"model": "dall-e-2", "prompt": "a" * 1635},
        too_long(1000, 1635),
    ),
    (
        "dall-e-3 prompt over 4000",
        {"model": "dall-e-3", "prompt": "é" * 4001},
        too_long(4000, 4001),
    ),
    (
        "gpt-image-1 prompt over 32000",
        {"model": "gpt-image-1", "prompt": "a" * 32001},
        too_long(32000, 32001),
    ),
    # n (rows 8, 9)
    ("n above 10", {**GPT, "n": 11}, above("n", 10, 11)),
    ("n below 1", {**DE2, "n": 0}, below("n", 1, 0)),
    ("n as string", {**GPT, "n": "2"}, bad_type("n", "an integer", "a string")),
    ("n as decimal", {**GPT, "n": 1.5}, bad_type("n", "an integer", "a decimal number")),
    ("n as boolean", {**GPT, "n": True}, bad_type("n", "an integer", "a boolean")),
    ("dall-e-3 n=2", {**DE3, "n": 2}, above("n", 1, 2)),
    # size and quality (rows 6-7b)
    (
        "gpt-image-1 size",
        {**GPT, "size": "512x512"},
        error(
            "Invalid value: '512x512'. Supported values are: '1024x1024', '1024x1536', "
            "'1536x1024', and 'auto'.",
            "size",
            "invalid_value",
        ),
    ),
    (
        "dall-e-2 size auto",
        {**DE2, "size": "auto"},
        error(
            "Invalid value: 'auto'. Supported values are: '256x256', '512x512', and '1024x1024'.",
            "size",
            "invalid_value",
        ),
    ),
    (
        "dall-e-3 size",
        {**DE3, "size": "1536x1024"},
        error(
            "Invalid value: '1536x1024'. Supported values are: '1024x1024', '1792x1024', and "
            "'1024x1792'.",
            "size",
            "invalid_value",
        ),
    ),
    (
        "size of wrong type",
        {**GPT, "size": 1024},
        bad_type("size", "one of '1024x1024', '1024x1536', '1536x1024', or 'auto'", "an integer"),
    ),
    (
        "gpt-image-1 quality standard",
        {**GPT, "quality": "standard"},
        error(
            "Invalid value: 'standard'. Supported values are: 'low', 'medium', 'high', and 'auto'.",
            "quality",
            "invalid_value",
        ),
    ),
    (
        "dall-e-3 quality high",
        {**DE3, "quality": "high"},
        error(
            "Invalid value: 'high'. Supported values are: 'standard' and 'hd'.",
            "quality",
            "invalid_value",
        ),
    ),
    (
        "dall-e-2 quality hd",
        {**DE2, "quality": "hd"},
        error("Invalid value: 'hd'. Supported values are: 'standard'.", "quality", "invalid_value"),
    ),
    # the other enums
    (
        "response_format value",
        {**DE2, "response_format": "xml"},
        error(
            "Invalid value: 'xml'. Supported values are: 'url' and 'b64_json'.",
            "response_format",
            "invalid_value",
        ),
    ),
    (
        "style value",
        {**DE3, "style": "bold"},
        error(
            "Invalid value: 'bold'. Supported values are: 'vivid' and 'natural'.",
            "style",
            "invalid_value",
        ),
    ),
    (
        "output_format value",
        {**GPT, "output_format": "gif"},
        error(
            "Invalid value: 'gif'. Supported values are: 'png', 'jpeg', and 'webp'.",
            "output_format",
            "invalid_value",
        ),
    ),
    (
        "background value",
        {**GPT, "background": "clear"},
        error(
            "Invalid value: 'clear'. Supported values are: 'transparent', 'opaque', and 'auto'.",
            "background",
            "invalid_value",
        ),
    ),
    (
        "moderation value",
        {**GPT, "moderation": "high"},
        error(
            "Invalid value: 'high'. Supported values are: 'low' and 'auto'.",
            "moderation",
            "invalid_value",
        ),
    ),
    ("stream as string", {**GPT, "stream": "true"}, bad_type("stream", "a boolean", "a string")),
    ("user as integer", {**GPT, "user": 7}, bad_type("user", "a string", "an integer")),
    # ranges and combinations (rows 19, §3.2)
    (
        "output_compression above 100",
        {**GPT, "output_format": "jpeg", "output_compression": 101},
        above("output_compression", 100, 101),
    ),
    (
        "output_compression below 0",
        {**GPT, "output_format": "webp", "output_compression": -1},
        below("output_compression", 0, -1),
    ),
    ("partial_images above 3", {**GPT, "partial_images": 4}, above("partial_images", 3, 4)),
    (
        "transparent jpeg",
        {**GPT, "background": "transparent", "output_format": "jpeg"},
        error(
            "Transparent background is not supported for JPEG output format",
            "background",
            "invalid_value",
        ),
    ),
    (
        "compression with png",
        {**GPT, "output_compression": 50},
        error(
            "Compression less than 100 is not supported for PNG output format.",
            "output_compression",
            "invalid_value",
        ),
    ),
    # default-model inference (§3.3): no model and no GPT-only parameter means dall-e-2
    (
        "quality auto without model is dall-e-2",
        {"prompt": "x", "quality": "auto"},
        error(
            "Invalid value: 'auto'. Supported values are: 'standard'.", "quality", "invalid_value"
        ),
    ),
    (
        "size of gpt-image-1 without model is dall-e-2",
        {"prompt": "x", "size": "1536x1024"},
        error(
            "Invalid value: '1536x1024'. Supported values are: '256x256', '512x512', and "
            "'1024x1024'.",
            "size",
            "invalid_value",
        ),
    ),
]


@pytest.mark.parametrize(("body", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_invalid_request_gets_the_real_error(raw: TestClient, body: dict, expected: dict) -> None:
    response = raw.post(GEN, json=body)
    assert response.status_code == 400
    assert response.json() == expected
    assert response.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    "payload",
    [b"{", b"", b"[1, 2]", b'"prompt"', b'{"prompt": NaN}', b"\xff\xfe", b"prompt=an+otter"],
)
def test_unparseable_body(raw: TestClient, payload: bytes) -> None:
    response = raw.post(GEN, content=payload, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json() == error(INVALID_JSON)


@pytest.mark.parametrize(
    "header", [None, "", "Bearer", "Bearer   ", "Basic dXNlcjpwYXNz", "sk-abc"]
)
def test_missing_or_malformed_authorization(app: object, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    with TestClient(app) as http:  # type: ignore[arg-type]
        response = http.post(GEN, json=GPT, headers=headers)
    assert response.status_code == 401
    assert response.json() == error(NO_KEY)
    assert response.headers["www-authenticate"] == 'Bearer realm="OpenAI API"'


def test_any_non_empty_key_is_accepted(app: object) -> None:
    with TestClient(app) as http:  # type: ignore[arg-type]
        response = http.post(GEN, json=GPT, headers={"Authorization": "Bearer whatever"})
    assert response.status_code == 200


def test_auth_is_checked_before_the_body(app: object) -> None:
    with TestClient(app) as http:  # type: ignore[arg-type]
        response = http.post(GEN, content=b"{", headers={"content-type": "application/json"})
    assert response.status_code == 401


def test_null_counts_as_omitted(raw: TestClient) -> None:
    body = {
        **GPT,
        "n": None,
        "size": None,
        "quality": None,
        "response_format": None,
        "background": None,
        "user": None,
    }
    response = raw.post(GEN, json=body)
    assert response.status_code == 200, response.text
    assert response.json()["size"] == "1024x1024"


def test_unknown_paths_and_methods(raw: TestClient) -> None:
    for method, path in [("GET", GEN), ("POST", "/v1/images/paintings"), ("GET", "/v1/embeddings")]:
        response = raw.request(method, path)
        assert response.status_code == 404
        assert response.json() == error(f"Invalid URL ({method} {path})")


def test_oversized_body_is_refused_after_reading_it(raw: TestClient) -> None:
    body = json.dumps({**GPT, "user": "u" * (5 * 1024 * 1024)})
    response = raw.post(GEN, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


# --- the same rules seen through the official client --------------------------------------


def test_sdk_raises_bad_request_with_the_api_fields(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.generate(model="gpt-image-1", prompt="otter", size="512x512")  # type: ignore[arg-type]
    err = caught.value
    assert err.status_code == 400
    assert err.code == "invalid_value"
    assert err.param == "size"
    assert err.type == "invalid_request_error"
    assert (
        err.body
        == error(
            "Invalid value: '512x512'. Supported values are: '1024x1024', '1024x1536', "
            "'1536x1024', and 'auto'.",
            "size",
            "invalid_value",
        )["error"]
    )
    assert err.request_id and err.request_id.startswith("req_")


def test_sdk_response_format_on_gpt_image_1(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.generate(model="gpt-image-1", prompt="otter", response_format="b64_json")
    assert caught.value.code == "unknown_parameter"
    assert caught.value.param == "response_format"


def test_sdk_malformed_authorization_is_an_authentication_error(client: openai.OpenAI) -> None:
    with pytest.raises(openai.AuthenticationError) as caught:
        client.images.generate(
            model="gpt-image-1", prompt="otter", extra_headers={"Authorization": "Basic c2stYWJj"}
        )
    assert caught.value.status_code == 401
    assert caught.value.body == error(NO_KEY)["error"]


def test_sdk_extra_body_unknown_parameter(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.generate(model="dall-e-3", prompt="otter", extra_body={"seed": 3})
    assert caught.value.body == unknown("seed")["error"]
