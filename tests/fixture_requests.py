"""Turning a fixture's request description into real HTTP: JSON, text, or a hand-made form."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from PIL import Image

FIXTURES = Path(__file__).parents[1] / "fixtures"
BOUNDARY = "fixture-boundary"


def load_all() -> list[tuple[str, dict[str, Any]]]:
    return [
        (str(path.relative_to(FIXTURES).with_suffix("")), json.loads(path.read_text()))
        for path in sorted(FIXTURES.rglob("*.json"))
    ]


def image_bytes(spec: dict[str, Any]) -> bytes:
    colour = spec.get("colour")
    image = Image.new(
        spec["mode"],
        tuple(spec["size"]),
        tuple(colour) if isinstance(colour, list) else (colour or 0),
    )
    if "transparent_box" in spec:
        image.paste((0, 0, 0, 0), tuple(spec["transparent_box"]))
    buffer = io.BytesIO()
    image.save(buffer, spec["format"])
    return buffer.getvalue()


def _multipart(form: dict[str, str], files: list[dict[str, Any]]) -> bytes:
    """By hand, so a part can carry no Content-Type header at all (``content_type: null``)."""
    out = b""
    for name, value in form.items():
        out += (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        ).encode()
    for part in files:
        data = image_bytes(part["image"]) if "image" in part else part["bytes"].encode()
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{part["field"]}"; '
            f'filename="{part["filename"]}"\r\n'
        )
        if part["content_type"] is not None:
            head += f"Content-Type: {part['content_type']}\r\n"
        out += head.encode() + b"\r\n" + data + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


def http_request(request: dict[str, Any], api_key: str) -> dict[str, Any]:
    """Keyword arguments for ``httpx.Client.request`` (or Starlette's TestClient)."""
    headers = {"Authorization": f"Bearer {api_key}", **request.get("headers", {})}
    headers = {name: value for name, value in headers.items() if value is not None}
    call: dict[str, Any] = {"method": request["method"], "url": request["path"], "headers": headers}
    if "json" in request:
        call["json"] = request["json"]
    elif "body_text" in request:
        call["content"] = request["body_text"].encode()
    elif "form" in request:
        call["content"] = _multipart(request["form"], request["files"])
        headers["Content-Type"] = f"multipart/form-data; boundary={BOUNDARY}"
    return call
