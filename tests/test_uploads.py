"""Upload and mask rules answer with the real API's errors (contract §2.1, §4.2, §14.5)."""

from __future__ import annotations

import openai
import pytest
from PIL import Image
from starlette.testclient import TestClient

from .expect import error
from .images import encoded, mask_with_hole, solid

EDITS = "/v1/images/edits"
GPT_TYPES = "'image/jpeg', 'image/png', and 'image/webp'"


def post(raw: TestClient, files: list, **data: str) -> dict:
    response = raw.post(EDITS, files=files, data={"prompt": "x", **data})
    assert response.status_code == 400, response.text
    return response.json()


def multipart(parts: list[tuple[str, bytes, bytes | None]]) -> tuple[bytes, str]:
    """A hand-made form, so a part can have no Content-Type header at all."""
    boundary = "emulator-test-boundary"
    body = b""
    for name, value, headers in parts:
        body += (
            f"--{boundary}\r\n".encode()
            + b'Content-Disposition: form-data; name="'
            + name.encode()
            + b'"'
        )
        if headers is not None:
            body += headers
        body += b"\r\n\r\n" + value + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


PNG = solid(64, 64)


def test_raw_bytes_from_the_sdk_are_octet_stream_and_refused(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.edit(model="gpt-image-1", image=PNG, prompt="x")
    assert (
        caught.value.body
        == error(
            "Invalid file 'image': unsupported mimetype ('application/octet-stream'). "
            "Supported file "
            f"formats are {GPT_TYPES}.",
            "image",
            "unsupported_file_mimetype",
        )["error"]
    )


@pytest.mark.parametrize("mimetype", ["audio/wav", "image/svg+xml", "text/plain"])
def test_explicit_non_image_type_in_an_array_is_named_by_index(
    raw: TestClient, mimetype: str
) -> None:
    files = [("image[]", ("a.png", PNG, "image/png")), ("image[]", ("b.png", PNG, mimetype))]
    assert post(raw, files, model="gpt-image-1") == error(
        f"Invalid file 'image[1]': unsupported mimetype ('{mimetype}'). Supported file formats "
        f"are {GPT_TYPES}.",
        "image[1]",
        "unsupported_file_mimetype",
    )


@pytest.mark.parametrize("header", [None, b"\r\nContent-Type: "])
def test_part_without_a_type_is_judged_by_its_bytes(raw: TestClient, header: bytes | None) -> None:
    body, content_type = multipart(
        [
            ("model", b"gpt-image-1", None),
            ("prompt", b"x", None),
            ("image", PNG, b'; filename="in.png"' + (header or b"")),
        ]
    )
    response = raw.post(EDITS, content=body, headers={"content-type": content_type})
    assert response.status_code == 200, response.text


def test_untyped_part_that_is_no_image(raw: TestClient) -> None:
    body, content_type = multipart(
        [
            ("model", b"gpt-image-1", None),
            ("prompt", b"x", None),
            ("image", b"hello, not an image", b'; filename="in.png"'),
        ]
    )
    response = raw.post(EDITS, content=body, headers={"content-type": content_type})
    assert response.json() == error(
        "Invalid file 'image': failed to determine mimetype. Ensure you are providing the file's "
        "mimetype as part of the 'Content-Type' header.",
        "image",
        "missing_file_mimetype",
    )


@pytest.mark.parametrize("index", [0, 1])
def test_image_type_with_bytes_that_are_no_image(raw: TestClient, index: int) -> None:
    files = [("image[]", ("a.png", PNG, "image/png")) for _ in range(2)]
    files[index] = ("image[]", ("bad.png", b"GIF89a not really", "image/png"))
    assert post(raw, files, model="gpt-image-1") == error(
        f"Invalid image file or mode for image {index}, please check the your image file.",
        None,
        "invalid_image_file",
    )


def test_cmyk_jpeg_is_an_unsupported_mode(raw: TestClient) -> None:
    cmyk = encoded(Image.new("CMYK", (64, 64), (0, 50, 100, 0)), "JPEG")
    assert post(raw, [("image", ("c.jpg", cmyk, "image/jpeg"))], model="gpt-image-1") == error(
        "Invalid image file or mode for image 0, please check the your image file.",
        None,
        "invalid_image_file",
    )


def test_string_where_a_file_is_expected(raw: TestClient) -> None:
    response = raw.post(EDITS, data={"model": "gpt-image-1", "prompt": "x", "image[]": "a.png"})
    assert response.json() == error(
        "Invalid type for 'image[0]': expected a file, but got a string instead.",
        "image[0]",
        "invalid_type",
    )


def test_file_where_a_string_is_expected(raw: TestClient) -> None:
    files = [("image", ("a.png", PNG, "image/png")), ("prompt", ("p.txt", b"x", "text/plain"))]
    response = raw.post(EDITS, files=files, data={"model": "gpt-image-1"})
    assert response.json() == error(
        "Invalid type for 'prompt': expected a string, but got a file instead.",
        "prompt",
        "invalid_type",
    )


def test_missing_image_and_prompt(raw: TestClient) -> None:
    response = raw.post(EDITS, data={"model": "gpt-image-1", "prompt": "x"})
    assert response.json() == error(
        "Missing required parameter: 'image'.", "image", "missing_required_parameter"
    )
    response = raw.post(
        EDITS, files=[("image", ("a.png", PNG, "image/png"))], data={"model": "gpt-image-1"}
    )
    assert response.json() == error(
        "Missing required parameter: 'prompt'.", "prompt", "missing_required_parameter"
    )


def test_more_than_16_images(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.edit(
            model="gpt-image-1", prompt="x", image=[("a.png", PNG, "image/png")] * 17
        )
    assert (
        caught.value.body
        == error(
            "Invalid 'image': array too long. Expected an array with maximum length 16, but got an "
            "array with length 17 instead.",
            "image",
            "array_above_max_length",
        )["error"]
    )


def test_gpt_image_file_over_50_mb(raw: TestClient) -> None:
    big = PNG + bytes(50 * 1024 * 1024)
    body = post(raw, [("image", ("big.png", big, "image/png"))], model="gpt-image-1")
    assert body == error(
        f"Invalid file 'image': file too large. Expected a file of at most "
        f"52428800 bytes, but got a file of {len(big)} bytes instead.",
        "image",
        "file_too_large",
    )


def test_decompression_bomb_is_refused_before_decoding(raw: TestClient) -> None:
    bomb = encoded(Image.new("1", (8000, 8000)))
    assert len(bomb) < 200_000
    body = post(raw, [("image", ("bomb.png", bomb, "image/png"))], model="gpt-image-1")
    assert body["error"]["code"] == "image_too_large" and body["error"]["param"] == "image"


# --- dall-e-2 ------------------------------------------------------------------------------


def test_dall_e_2_refuses_the_array_form(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.edit(model="dall-e-2", prompt="x", image=[("a.png", PNG, "image/png")])
    assert (
        caught.value.body
        == error(
            "Invalid type for 'image': expected a file, but got an array instead.",
            "image",
            "invalid_type",
        )["error"]
    )


def test_dall_e_2_rgb_without_mask(raw: TestClient) -> None:
    body = post(raw, [("image", ("a.png", solid(256, 256), "image/png"))], model="dall-e-2")
    assert body == error(
        "Invalid input image - format must be in ['RGBA', 'LA', 'L'], got RGB.",
        type="image_generation_user_error",
    )


def test_dall_e_2_rgb_with_mask_is_fine(raw: TestClient) -> None:
    files = [
        ("image", ("a.png", solid(256, 256), "image/png")),
        ("mask", ("m.png", mask_with_hole(256, 256, (0, 0, 10, 10)), "image/png")),
    ]
    assert raw.post(EDITS, files=files, data={"prompt": "x"}).status_code == 200


def test_dall_e_2_not_square(raw: TestClient) -> None:
    image = solid(512, 256, (0, 0, 0, 0), mode="RGBA")
    body = post(raw, [("image", ("a.png", image, "image/png"))], model="dall-e-2")
    assert body == error(
        "Invalid input image - expected an image with equal width and height, got 512x256 instead.",
        type="image_generation_user_error",
    )


def test_dall_e_2_declared_jpeg(raw: TestClient) -> None:
    body = post(
        raw, [("image", ("a.jpg", solid(64, 64, fmt="JPEG"), "image/jpeg"))], model="dall-e-2"
    )
    assert body == error(
        "Invalid file 'image': unsupported mimetype ('image/jpeg'). Supported file "
        "formats are 'image/png'.",
        "image",
        "unsupported_file_mimetype",
    )


@pytest.mark.parametrize(
    "image",
    [solid(64, 64, fmt="JPEG"), solid(64, 64, (0, 0, 0, 0), mode="RGBA") + bytes(4 * 1024 * 1024)],
)
def test_dall_e_2_png_under_4_mb(raw: TestClient, image: bytes) -> None:
    body, content_type = multipart([("prompt", b"x", None), ("image", image, b'; filename="a"')])
    response = raw.post(EDITS, content=body, headers={"content-type": content_type})
    assert response.json() == error(
        "Uploaded image must be a PNG and less than 4 MB.", None, "invalid_image_format"
    )


# --- masks ---------------------------------------------------------------------------------


def test_mask_of_the_wrong_size(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.edit(
            model="gpt-image-1",
            prompt="x",
            image=("a.png", solid(1024, 1024), "image/png"),
            mask=("m.png", mask_with_hole(512, 512, (0, 0, 9, 9)), "image/png"),
        )
    assert (
        caught.value.body
        == error(
            "Invalid mask image - expected a mask with the same dimensions as the image "
            "(1024x1024), got 512x512 instead.",
            "mask",
        )["error"]
    )


def test_mask_without_alpha(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.edit(
            model="gpt-image-1",
            prompt="x",
            image=("a.png", solid(64, 64), "image/png"),
            mask=("m.png", solid(64, 64, (0,), mode="L"), "image/png"),
        )
    assert (
        caught.value.body
        == error("Invalid mask image - format must be in ['RGBA', 'LA'], got L.", "mask")["error"]
    )


@pytest.mark.parametrize(
    "mask",
    [solid(64, 64, fmt="JPEG"), mask_with_hole(64, 64, (0, 0, 8, 8)) + bytes(4 * 1024 * 1024)],
)
def test_mask_must_be_a_png_under_4_mb(raw: TestClient, mask: bytes) -> None:
    files = [
        ("image", ("a.png", solid(64, 64), "image/png")),
        ("mask", ("m.png", mask, "image/png")),
    ]
    assert post(raw, files, model="gpt-image-1") == error(
        "Uploaded mask must be a PNG and less than 4 MB.", "mask", "invalid_image_format"
    )


def test_mask_with_palette_transparency_counts_as_alpha(raw: TestClient) -> None:
    mask = Image.new("P", (64, 64), 0)
    mask.info["transparency"] = 0
    files = [
        ("image", ("a.png", solid(64, 64), "image/png")),
        ("mask", ("m.png", encoded(mask), "image/png")),
    ]
    assert (
        raw.post(EDITS, files=files, data={"prompt": "x", "model": "gpt-image-1"}).status_code
        == 200
    )


# --- the form itself -----------------------------------------------------------------------


def test_json_body_is_not_a_form_for_variations(raw: TestClient) -> None:
    # Edits take JSON bodies since 2026 (tests/test_json_edits.py); variations never did.
    response = raw.post("/v1/images/variations", json={"model": "dall-e-2"})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "Invalid Content-Type header (application/json), expected multipart/form-data."
    )


def test_broken_multipart_is_a_400(raw: TestClient) -> None:
    response = raw.post(
        EDITS,
        content=b"--b\r\nnot a header\r\n\r\n",
        headers={"content-type": "multipart/form-data; boundary=b"},
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"moderation": "low"},
            error("Unknown parameter: 'moderation'.", "moderation", "unknown_parameter"),
        ),
        (
            {"response_format": "url"},
            error("Unknown parameter: 'response_format'.", "response_format", "unknown_parameter"),
        ),
        (
            {"n": "abc"},
            error(
                "Invalid type for 'n': expected an integer, but got a string instead.",
                "n",
                "invalid_type",
            ),
        ),
        (
            {"n": "11"},
            error(
                "Invalid 'n': integer above maximum value. Expected a value <= 10, but got "
                "11 instead.",
                "n",
                "integer_above_max_value",
            ),
        ),
        (
            {"stream": "maybe"},
            error(
                "Invalid type for 'stream': expected a boolean, but got a string instead.",
                "stream",
                "invalid_type",
            ),
        ),
        (
            {"input_fidelity": "max"},
            error(
                "Invalid value: 'max'. Supported values are: 'high' and 'low'.",
                "input_fidelity",
                "invalid_value",
            ),
        ),
        (
            {"size": "256x256"},
            error(
                "Invalid value: '256x256'. Supported values are: '1024x1024', "
                "'1024x1536', '1536x1024', and 'auto'.",
                "size",
                "invalid_value",
            ),
        ),
    ],
)
def test_form_fields_are_checked_like_json(raw: TestClient, data: dict, expected: dict) -> None:
    files = [("image", ("a.png", PNG, "image/png"))]
    assert post(raw, files, model="gpt-image-1", **data) == expected


def test_empty_fields_count_as_omitted(raw: TestClient) -> None:
    files = [("image", ("a.png", PNG, "image/png"))]
    response = raw.post(
        EDITS,
        files=files,
        data={"model": "gpt-image-1", "prompt": "x", "n": "", "size": "", "user": ""},
    )
    assert response.status_code == 200
