"""The same request gives the same bytes, across changes made for speed: these hashes were
taken anew when the pictures changed on purpose (issue 22: subjects from a finite set of
variants, the fingerprint strip on the card, PNGs from kept pieces; then PNGs whose card rows
without ink are kept pieces too, the same pixels in other bytes). A deliberate change
to the pictures, or an upgrade of Pillow's JPEG/WebP encoders or of ISA-L's deflate,
changes them: take them again then, on purpose."""

from __future__ import annotations

import base64
import hashlib
import io

import pytest
from PIL import Image
from starlette.testclient import TestClient

PINNED = {
    "gpt-image-1 1024 low png": (
        {"model": "gpt-image-1", "prompt": "an otter holding a sign", "quality": "low",
         "size": "1024x1024"},
        ["2436d8db93250b41"],
    ),
    "gpt-image-1 1536x1024 high webp": (
        {"model": "gpt-image-1", "prompt": "a harbour at dawn", "quality": "high",
         "size": "1536x1024", "output_format": "webp"},
        ["29cca3390c23f41d"],
    ),
    "dall-e-3 1024x1792": (
        {"model": "dall-e-3", "prompt": "a tall tower", "size": "1024x1792",
         "response_format": "b64_json"},
        ["8aeaa03a7c4828cf"],
    ),
    "gpt-image-1 transparent png n=2": (
        {"model": "gpt-image-1", "prompt": "a sticker", "quality": "medium",
         "background": "transparent", "n": 2},
        ["d144b65238450474", "f03b86c85f30ce9e"],
    ),
    "gpt-image-2 1280x720 jpeg": (
        {"model": "gpt-image-2", "prompt": "a wide road", "size": "1280x720", "quality": "low",
         "output_format": "jpeg", "output_compression": 70},
        ["25fc32406dbf1135"],
    ),
}  # fmt: skip


def digest(b64: str) -> str:
    return hashlib.sha256(base64.b64decode(b64)).hexdigest()[:16]


@pytest.mark.parametrize("name", PINNED)
def test_generations_are_byte_identical(raw: TestClient, name: str) -> None:
    body, expected = PINNED[name]
    answer = raw.post("/v1/images/generations", json=body).json()
    assert [digest(item["b64_json"]) for item in answer["data"]] == expected


def test_masked_edit_is_byte_identical(raw: TestClient) -> None:
    photo, mask = io.BytesIO(), io.BytesIO()
    Image.new("RGB", (1024, 1024), (30, 120, 200)).save(photo, "PNG")
    hole = Image.new("RGBA", (1024, 1024), (0, 0, 0, 255))
    hole.paste((0, 0, 0, 0), (256, 256, 768, 768))
    hole.save(mask, "PNG")
    answer = raw.post(
        "/v1/images/edits",
        data={"model": "gpt-image-1", "prompt": "a boat", "quality": "low"},
        files=[
            ("image", ("in.png", photo.getvalue(), "image/png")),
            ("mask", ("m.png", mask.getvalue(), "image/png")),
        ],
    ).json()
    assert digest(answer["data"][0]["b64_json"]) == "af048c7501d9bf23"
