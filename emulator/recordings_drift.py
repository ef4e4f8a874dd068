"""``openai-images-emulator drift DIR``: where the emulation differs from what was recorded.

Every recording's request is emulated in-process at its recording's date (images restored
from their files) and compared field by field with the recorded answer, each difference
graded: **contract** (status; error type, param, code; a missing or extra key; a usage
number), **shape** (key order; an image's format, size, mode or transparency), **cosmetic**
(error wording; any other value that changes between calls). Prints a table grouped by grade,
or a report with ``--json``; exits 1 when a contract difference is found, so CI can run it.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import io
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PIL import Image

from .config import Config
from .testdouble.recording import IMAGE_KEYS, Recording, Recordings, images_in, stream_in

GRADES = ("contract", "shape", "cosmetic")
CONTRACT_ERROR_FIELDS = ("type", "param", "code")
# Values that differ on every call, or by design of an emulator: compared for presence only.
VOLATILE = {"created", "created_at", "completed_at", "id", "url", "revised_prompt", "expires_at",
            "first_id", "last_id", "encrypted_content", "filename", "call_id"}  # fmt: skip
# A Responses answer's ``usage`` counts the text model's own tokens (its reasoning, its words),
# which no emulator reproduces: a differing number there is cosmetic, a missing key is not.
TEXT_MODEL_USAGE = ".usage"


def image_facts(value: str) -> dict[str, Any] | None:
    try:
        image = Image.open(io.BytesIO(base64.b64decode(value, validate=True)))
    except (binascii.Error, ValueError, OSError):
        return None
    facts: dict[str, Any] = {"format": image.format, "size": list(image.size), "mode": image.mode}
    if "A" in image.getbands():
        alpha = image.getchannel("A").tobytes()
        facts["transparent"] = min(alpha, default=255) < 255
    return facts


def model_chooses(request: dict[str, Any]) -> frozenset[str]:
    """The image tool's options a Responses request leaves to the model (unset or ``auto``):
    the same request was recorded answered 1024x1024 and 1536x1024, opaque and transparent,
    so a different choice is cosmetic, like the revised prompt."""
    body = request.get("json")
    tools = body.get("tools") if isinstance(body, dict) else None
    for tool in tools if isinstance(tools, list) else []:
        if isinstance(tool, dict) and tool.get("type") == "image_generation":
            return frozenset(k for k in ("size", "background") if tool.get(k, "auto") == "auto")
    return frozenset()


# What a choice of the model changes in the image it makes.
CHOICE_FACTS = {"size": ("size",), "background": ("mode", "transparent")}


def compare(
    recorded: Any,
    emulated: Any,
    path: str = "",
    *,
    ordered: bool = True,
    responses: bool = False,
    chosen: frozenset[str] = frozenset(),
) -> list[tuple[str, str]]:
    """(grade, what) for every difference between the two answers' bodies. ``ordered``: the
    recording kept the wire's key order; ``responses``: the answers are ``/v1/responses``';
    ``chosen``: the image options the model chose (``model_chooses``)."""
    more: dict[str, Any] = {"ordered": ordered, "responses": responses, "chosen": chosen}
    found: list[tuple[str, str]] = []
    key = path.rsplit(".", 1)[-1]
    if isinstance(recorded, dict) and isinstance(emulated, dict):
        if path.endswith("error"):
            for name in CONTRACT_ERROR_FIELDS:
                if recorded.get(name) != emulated.get(name):
                    found.append(("contract", f"{path}.{name}: recorded {recorded.get(name)!r}, "
                                              f"emulated {emulated.get(name)!r}"))  # fmt: skip
            if recorded.get("message") != emulated.get("message"):
                found.append(("cosmetic", f"{path}.message differs"))
            return found
        missing = [k for k in recorded if k not in emulated]
        extra = [k for k in emulated if k not in recorded]
        for name in missing:
            found.append(("contract", f"{path}.{name}: recorded, not emulated"))
        for name in extra:
            found.append(("contract", f"{path}.{name}: emulated, not recorded"))
        shared = [k for k in recorded if k in emulated]
        if ordered and [k for k in emulated if k in recorded] != shared:
            found.append(("shape", f"{path or '.'}: keys in another order"))
        for name in shared:
            found += compare(recorded[name], emulated[name], f"{path}.{name}", **more)
        return found
    if isinstance(recorded, list) and isinstance(emulated, list):
        if len(recorded) != len(emulated):
            return [
                ("contract", f"{path}: {len(recorded)} items recorded, {len(emulated)} emulated")
            ]
        for index, (a, b) in enumerate(zip(recorded, emulated, strict=True)):
            found += compare(a, b, f"{path}[{index}]", **more)
        return found
    if key in IMAGE_KEYS and isinstance(recorded, str) and isinstance(emulated, str):
        mine, theirs = image_facts(recorded), image_facts(emulated)
        if mine != theirs:
            free = {fact for option in chosen for fact in CHOICE_FACTS[option]}
            kept = [k for k in {**(mine or {}), **(theirs or {})} if k not in free]
            same = all((mine or {}).get(k) == (theirs or {}).get(k) for k in kept)
            grade = "cosmetic" if same and mine and theirs else "shape"
            found.append((grade, f"{path}: image {mine} recorded, {theirs} emulated"))
        return found
    if key in VOLATILE or recorded == emulated:
        return found
    if (responses and path.startswith(TEXT_MODEL_USAGE)) or key in chosen:
        grade = "cosmetic"
    elif "usage" in path or isinstance(recorded, int | float):
        grade = "contract"
    else:
        grade = "cosmetic"
    found.append((grade, f"{path}: recorded {recorded!r}, emulated {emulated!r}"))
    return found


def header_differences(recorded: dict[str, str], answer: Any) -> list[tuple[str, str]]:
    """A rate-limit header the real answer carried and the emulated one lacks."""
    return [
        ("contract", f"header {name}: recorded, not emulated")
        for name in recorded
        if name.startswith("x-ratelimit-") and name not in answer.headers
    ]


def emulated_answer(http: Any, recording: Recording, recordings: Recordings) -> Any:
    request = recording.data["request"]
    headers = {"Authorization": "Bearer sk-drift", "x-emulator-as-of": recording.data["as_of"]}
    url = request["path"] + (f"?{request['query']}" if request.get("query") else "")
    if "form" in request:
        files = [
            (f["field"], (f["filename"], _file(recordings, f), f["content_type"] or ""))
            for f in request.get("files", [])
        ]
        data = dict(request["form"])  # a repeated text field: the last one counts, as the API
        return http.request(request["method"], url, data=data, files=files, headers=headers)
    if request.get("json") is not None:
        return http.request(request["method"], url, json=request["json"], headers=headers)
    return http.request(request["method"], url, headers=headers)


def _file(recordings: Recordings, part: dict[str, Any]) -> bytes:
    for path in recordings.images.folder.glob(f"{part['sha256']}.*"):
        return path.read_bytes()
    raise SystemExit(f"drift: the recording's file {part['sha256']} is missing")


def recorded_body(recording: Recording, recordings: Recordings) -> Any:
    answer = recording.data["response"]
    if "stream" in answer:
        return [
            json.loads(line[6:])
            for line in stream_in(answer["stream"], recordings.images).splitlines()
            if line.startswith("data: ")
        ]
    return images_in(answer.get("body"), recordings.images, lambda data, ext: "<url>")


def emulated_body(response: Any) -> Any:
    if response.headers.get("content-type", "").startswith("text/event-stream"):
        return [
            json.loads(line[6:]) for line in response.text.splitlines() if line.startswith("data: ")
        ]
    try:
        return response.json()
    except ValueError:
        return response.text


def drift(folder: Path) -> list[dict[str, Any]]:
    import httpx

    from .app import create_app
    from .inprocess import sync_transport

    recordings = Recordings(folder).load()
    report = []
    # httpx through the app in-process (Starlette's TestClient warns unless httpx2 is there,
    # which only the openai SDK brings).
    transport = sync_transport(create_app(Config()), httpx)
    with httpx.Client(transport=transport, base_url="http://emulator.invalid") as http:
        for recording in recordings.recordings():
            answer = emulated_answer(http, recording, recordings)
            recorded_status = int(recording.data["response"]["status"])
            found: list[tuple[str, str]] = []
            if recorded_status != answer.status_code:
                found.append(("contract", f"status: recorded {recorded_status}, emulated "
                                          f"{answer.status_code}"))  # fmt: skip
            else:
                found += compare(
                    recorded_body(recording, recordings),
                    emulated_body(answer),
                    ordered=not recording.data.get("source", {}).get("keys_sorted", False),
                    responses=recording.data["request"]["path"].endswith("/responses"),
                    chosen=model_chooses(recording.data["request"]),
                )
            found += header_differences(recording.data["response"].get("headers", {}), answer)
            report.append(
                {
                    "recording": recording.name,
                    "as_of": recording.data["as_of"],
                    "request": f"{recording.data['request']['method']} "
                    f"{recording.data['request']['path']}",
                    "differences": [{"grade": g, "what": w} for g, w in found],
                }
            )
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="openai-images-emulator drift", description=__doc__)
    parser.add_argument("folder", type=Path, help="a folder written by --record")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    report = drift(args.folder)
    contract = sum(1 for r in report for d in r["differences"] if d["grade"] == "contract")
    if args.json:
        print(json.dumps({"recordings": report, "contract_differences": contract}, indent=2))
        return 1 if contract else 0
    for grade in GRADES:
        rows = [(r, d) for r in report for d in r["differences"] if d["grade"] == grade]
        print(f"{grade}: {len(rows)}")
        for recording, difference in rows:
            print(f"  {recording['recording']:40} {recording['as_of']}  {difference['what']}")
    agree = sum(1 for r in report if not r["differences"])
    close = sum(1 for r in report if all(d["grade"] == "cosmetic" for d in r["differences"]))
    print(
        f"{close} of {len(report)} recordings agree on contract and shape ({agree} in every "
        f"value); {contract} contract difference(s)"
    )
    return 1 if contract else 0


if __name__ == "__main__":
    sys.exit(main())
