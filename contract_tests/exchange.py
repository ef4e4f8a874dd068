"""Exchanges with an images API, as data: what to send, and what came back in a form that
can be compared across targets (the emulator, the real API, a stored fixture).

A fixture (``fixtures/**/*.json``) holds a request description, the day it describes
(``as_of``: the emulator answers it as of that day) and the expected answer, normalised:
every image is replaced by what it decodes to (format, mode, size), values that differ on
every call by their kind (``created``, ``created_at``, URLs, DALL·E 3's revised prompt),
and streamed answers by their list of events.
"""

from __future__ import annotations

import base64
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx
from PIL import Image

FIXTURES = Path(__file__).parents[1] / "fixtures"
BOUNDARY = "fixture-boundary"
# Values that differ on every call: compared by kind, not by value.
VOLATILE = {"created": "<integer>", "created_at": "<integer>", "completed_at": "<integer>",
            "url": "<url>", "revised_prompt": "<string>"}  # fmt: skip
# Keys whose value is a base64 image: the Images API's, and the Responses image tool's.
IMAGE_KEYS = ("b64_json", "result", "partial_image_b64")


RECORDINGS = "recordings"  # real exchanges in the emulator's recording format, for ``drift``


def load_fixtures(root: Path = FIXTURES) -> list[tuple[str, dict[str, Any]]]:
    return [
        (str(path.relative_to(root).with_suffix("")), json.loads(path.read_text()))
        for path in sorted(root.rglob("*.json"))
        if path.relative_to(root).parts[0] != RECORDINGS
    ]


def runs_on(fixture: dict[str, Any], target: str) -> bool:
    """Fixtures that script the emulator (faults) mean nothing to the real API."""
    return target in fixture.get("targets", ("emulator", "real"))


def is_paid(fixture: dict[str, Any]) -> bool:
    """Answers that make images cost money on the real API; refusals are free."""
    return int(fixture["response"]["status"]) == 200


# --- requests ------------------------------------------------------------------------------------


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


AS_OF_HEADER = "x-emulator-as-of"


def http_request(request: dict[str, Any], api_key: str, as_of: str | None = None) -> dict[str, Any]:
    """Keyword arguments for ``httpx.Client.request`` (or Starlette's TestClient).
    ``as_of``: the day the emulator answers as of (the real API is always today)."""
    headers = {"Authorization": f"Bearer {api_key}", **request.get("headers", {})}
    if as_of is not None:
        headers[AS_OF_HEADER] = as_of
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


# --- answers --------------------------------------------------------------------------------


def image_properties(b64: str) -> dict[str, Any]:
    """What an image decodes to; an animation adds its frame count, an SVG its size."""
    data = base64.b64decode(b64)
    if data.lstrip().startswith((b"<?xml", b"<svg")):
        return _svg_properties(data)
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except Exception:
        return {"undecodable": True}
    properties: dict[str, Any] = {
        "format": image.format,
        "mode": image.mode,
        "size": list(image.size),
    }
    frames = getattr(image, "n_frames", 1)
    if frames > 1:
        properties["frames"] = frames
    return properties


def _svg_properties(data: bytes) -> dict[str, Any]:
    try:
        root = ElementTree.fromstring(data)
        size = [round(float(root.get(side, "0"))) for side in ("width", "height")]
    except (ElementTree.ParseError, ValueError):
        return {"undecodable": True}
    return {"format": "SVG", "size": size}


def normalise(value: Any, key: str | None = None) -> Any:
    if key in IMAGE_KEYS and isinstance(value, str):
        return {"image": image_properties(value)}
    if key in VOLATILE and value is not None:
        return VOLATILE[key]
    if isinstance(value, dict):
        return {k: normalise(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    return value


def _events(text: str) -> Iterator[dict[str, Any]]:
    for block in text.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "data" in lines:
            yield {"event": lines.get("event"), "data": normalise(json.loads(lines["data"]))}


def observed(response: httpx.Response) -> dict[str, Any]:
    """An answer in fixture form."""
    content_type = response.headers.get("content-type", "")
    answer: dict[str, Any] = {"status": response.status_code}
    if content_type.startswith("text/event-stream"):
        answer["events"] = list(_events(response.text))
    else:
        try:
            answer["body"] = normalise(response.json())
        except ValueError:
            answer["body"] = response.text
    return answer


# --- comparing ------------------------------------------------------------------------------


def differences(expected: Any, actual: Any, path: str = "") -> list[str]:
    """Every place where ``actual`` departs from ``expected``, key order included."""
    where = path or "(answer)"
    if isinstance(expected, dict) and isinstance(actual, dict):
        found = []
        if list(expected) != list(actual) and set(expected) == set(actual):
            found.append(f"{where}: keys in order {list(expected)}, got {list(actual)}")
        for key in expected:
            if key not in actual:
                found.append(f"{path}.{key}: missing (expected {json.dumps(expected[key])[:80]})")
            else:
                found.extend(differences(expected[key], actual[key], f"{path}.{key}"))
        found.extend(f"{path}.{key}: unexpected" for key in actual if key not in expected)
        return found
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return [f"{where}: {len(expected)} items expected, got {len(actual)}"]
        return [
            d
            for i, (e, a) in enumerate(zip(expected, actual, strict=True))
            for d in differences(e, a, f"{path}[{i}]")
        ]
    if isinstance(expected, str) and expected.startswith("re:"):  # a pattern, for ids in text
        if isinstance(actual, str) and re.fullmatch(expected[3:], actual):
            return []
    elif expected == actual:
        return []
    return [f"{where}: expected {json.dumps(expected)[:120]}, got {json.dumps(actual)[:120]}"]


def compare_answers(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """Two answers in fixture form: the status, and the body or events where one is given."""
    found = differences(expected["status"], actual["status"], ".status")
    for part in ("body", "events"):
        if expected.get(part) is not None:
            found += differences(expected[part], actual.get(part), f".{part}")
    return found


def compare(fixture: dict[str, Any], response: httpx.Response) -> list[str]:
    """The differences between a fixture's expected answer and a response."""
    return compare_answers(fixture["response"], observed(response))
