"""Recorded exchanges on disk: one JSON file each (the fixtures' format), every image once as a
file named by its hash, and the index that finds the recording a request matches.

A recording holds the request (JSON by value; a multipart form by its fields and file hashes,
never its boundary) and the answer as it came: the status, headers through an allow-list
(organization and project redacted, never a key), and the body with each image replaced by a
reference to its file (``"$image:<sha256>.<ext>"``; an image the answer linked to by URL,
``"$url:…"``). A streamed answer is kept as its text with the same references, so that a replay
gives it back byte for byte, event by event.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..contract.parts import FormField, FormFile
from ..contract.uploads import sniff

IMAGE_KEYS = ("b64_json", "result", "partial_image_b64")  # base64 images in answers
IMAGE_MARK = "$image:"
URL_MARK = "$url:"
REDACTED = "<redacted>"
# Answer headers kept: what a client may read, the account's ids redacted.
RESPONSE_HEADERS = ("content-type", "openai-version", "openai-processing-ms", "x-request-id",
                    "retry-after", "openai-organization", "openai-project")  # fmt: skip
REDACT = ("openai-organization", "openai-project")
EXTENSIONS = {"PNG": "png", "JPEG": "jpeg", "WEBP": "webp"}


def extension(data: bytes) -> str:
    head = data[:16]
    if head.startswith(b"GIF8"):
        return "gif"
    if head.lstrip().startswith((b"<svg", b"<?xml")):
        return "svg"
    return EXTENSIONS.get(sniff(head) or "", "bin")


class ImageFiles:
    """Files named by their SHA-256 in one folder: each image stored once however often seen."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def put(self, data: bytes) -> str:
        name = f"{hashlib.sha256(data).hexdigest()}.{extension(data)}"
        path = self.folder / name
        if not path.exists():
            self.folder.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        return name

    def get(self, name: str) -> bytes:
        return (self.folder / Path(name).name).read_bytes()


# --- what a request is, for matching -----------------------------------------------------------


def form_shape(parts: Iterable[FormFile | FormField]) -> dict[str, Any]:
    """A multipart form by its fields and files' hashes, in the order sent."""
    fields: list[list[str]] = []
    files: list[dict[str, Any]] = []
    for part in parts:
        if isinstance(part, FormFile):
            data = part.read()
            files.append(
                {
                    "field": part.name,
                    "filename": part.filename,
                    "content_type": part.content_type,
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "bytes": len(data),
                }
            )
        else:
            fields.append([part.name, part.value])
    return {"form": fields, "files": files}


def request_key(
    method: str, path: str, query: str, body: Mapping[str, Any], ignored: Iterable[str] = ()
) -> str:
    """What a request is, by value: method, the path under ``/v1``, the query, and the body
    (JSON by value; a form by its fields and files' hashes), less the ``ignored`` fields."""
    skip = set(ignored)
    shown: dict[str, Any] = {}
    if "json" in body:
        value = body["json"]
        shown["json"] = (
            {k: v for k, v in value.items() if k not in skip} if isinstance(value, dict) else value
        )
    if "form" in body:
        shown["form"] = sorted([n, v] for n, v in body["form"] if n not in skip)
        shown["files"] = sorted((f["field"], f["sha256"]) for f in body.get("files", []))
    canonical = "/v1" + path.removeprefix("/v1")
    return json.dumps([method, canonical, query, shown], sort_keys=True, ensure_ascii=False)


# --- answers: images out, and back in ------------------------------------------------------


def _b64_image(value: object) -> bytes | None:
    if not isinstance(value, str) or len(value) < 16:
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None


def images_out(value: Any, files: ImageFiles, fetch: Callable[[str], bytes | None]) -> Any:
    """The answer with each image replaced by its file's reference (URLs fetched once)."""
    if isinstance(value, dict):
        shown = {}
        for key, item in value.items():
            data = _b64_image(item) if key in IMAGE_KEYS else None
            if data is not None:
                shown[key] = IMAGE_MARK + files.put(data)
            elif key == "url" and isinstance(item, str) and (fetched := fetch(item)) is not None:
                shown[key] = URL_MARK + files.put(fetched)
            else:
                shown[key] = images_out(item, files, fetch)
        return shown
    if isinstance(value, list):
        return [images_out(item, files, fetch) for item in value]
    return value


def images_in(value: Any, files: ImageFiles, url_for: Callable[[bytes, str], str]) -> Any:
    """The recorded answer with its images back (an URL image re-served by ``url_for``)."""
    if isinstance(value, dict):
        return {key: images_in(item, files, url_for) for key, item in value.items()}
    if isinstance(value, list):
        return [images_in(item, files, url_for) for item in value]
    if isinstance(value, str) and value.startswith(IMAGE_MARK):
        return base64.b64encode(files.get(value.removeprefix(IMAGE_MARK))).decode()
    if isinstance(value, str) and value.startswith(URL_MARK):
        name = value.removeprefix(URL_MARK)
        return url_for(files.get(name), name.rsplit(".", 1)[-1])
    return value


_DATA_LINE = re.compile(r"^data: (.*)$", re.M)


def stream_out(text: str, files: ImageFiles) -> str:
    """A streamed answer's text with each base64 image replaced by its file's reference."""

    def found(value: Any) -> Iterable[str]:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in IMAGE_KEYS and _b64_image(item) is not None:
                    yield item
                else:
                    yield from found(item)
        elif isinstance(value, list):
            for item in value:
                yield from found(item)

    for line in _DATA_LINE.findall(text):
        try:
            data = json.loads(line)
        except ValueError:
            continue
        for image in found(data):
            decoded = _b64_image(image)
            assert decoded is not None
            text = text.replace(image, IMAGE_MARK + files.put(decoded))
    return text


_MARKED = re.compile(r"\$image:([0-9a-f]{64}\.[a-z]+)")


def stream_in(text: str, files: ImageFiles) -> str:
    return _MARKED.sub(lambda m: base64.b64encode(files.get(m[1])).decode(), text)


def headers_out(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    kept = {}
    for name, value in headers:
        lowered = name.lower()
        if lowered in RESPONSE_HEADERS or lowered.startswith("x-ratelimit-"):
            kept[lowered] = REDACTED if lowered in REDACT else value
    return kept


# --- the folder ----------------------------------------------------------------------------------


@dataclass
class Recording:
    name: str
    data: dict[str, Any]
    key: str


@dataclass
class Recordings:
    """A folder of recordings: written by the recording proxy, read by replay and drift."""

    folder: Path
    ignored: tuple[str, ...] = ()
    _index: dict[str, Recording] = field(default_factory=dict)
    _all: list[Recording] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.images = ImageFiles(self.folder / "images")

    def load(self) -> Recordings:
        for path in sorted(self.folder.glob("*.json")):
            data = json.loads(path.read_text())
            self._remember(Recording(path.stem, data, self.key_of(data["request"])))
        return self

    def key_of(self, request: Mapping[str, Any]) -> str:
        return request_key(
            request["method"], request["path"], request.get("query", ""), request, self.ignored
        )

    def _remember(self, recording: Recording) -> None:
        with self._lock:
            self._index.setdefault(recording.key, recording)
            self._all.append(recording)

    def match(self, key: str) -> Recording | None:
        return self._index.get(key)

    def closest(self, request: Mapping[str, Any]) -> tuple[Recording | None, list[str]]:
        """The recording most like ``request`` (same method and path first) and how it differs."""
        best: tuple[int, Recording | None, list[str]] = (10**9, None, [])
        for recording in self.recordings():
            recorded = recording.data["request"]
            differs = [
                name
                for name in ("method", "path", "query")
                if recorded.get(name, "") != request.get(name, "")
            ]
            differs += _body_differences(recorded, request)
            if len(differs) < best[0]:
                best = (len(differs), recording, differs)
        return best[1], best[2]

    def recordings(self) -> list[Recording]:
        with self._lock:
            return list(self._all)

    def write(self, data: dict[str, Any], secrets: Iterable[str] = ()) -> Path:
        """Write a recording; every occurrence of each of ``secrets`` (the caller's key, as
        sent in a header, the query or the body, and as the upstream may echo it) is
        replaced by ``<redacted>`` first."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with self._lock:
            number = len(self._all) + 1
            endpoint = data["request"]["path"].strip("/").replace("/", "-") or "root"
            path = self.folder / f"{number:05d}-{endpoint}.json"
            while path.exists():
                number += 1
                path = self.folder / f"{number:05d}-{endpoint}.json"
        text = redacted(json.dumps(data, indent=2, ensure_ascii=False), secrets)
        path.write_text(text + "\n")
        kept = json.loads(text)
        self._remember(Recording(path.stem, kept, self.key_of(kept["request"])))
        return path


MIN_SECRET = 8  # shorter values are not taken for secrets (they would redact common words)
REDACTED = "<redacted>"


def redacted(text: str, secrets: Iterable[str]) -> str:
    """``text`` with each secret, as written and as JSON escapes it, replaced."""
    for secret in sorted({s for s in secrets if len(s) >= MIN_SECRET}, key=len, reverse=True):
        for form in {secret, json.dumps(secret)[1:-1]}:
            text = text.replace(form, REDACTED)
    return text


def _body_differences(recorded: Mapping[str, Any], asked: Mapping[str, Any]) -> list[str]:
    if "json" in recorded or "json" in asked:
        mine, theirs = recorded.get("json"), asked.get("json")
        if not (isinstance(mine, dict) and isinstance(theirs, dict)):
            return [] if mine == theirs else ["body"]
        names = sorted(set(mine) | set(theirs))
        return [f"json.{n}" for n in names if mine.get(n) != theirs.get(n)]
    fields = dict(map(tuple, recorded.get("form", [])))
    asked_fields = dict(map(tuple, asked.get("form", [])))
    names = sorted(set(fields) | set(asked_fields))
    differs = [f"form.{n}" for n in names if fields.get(n) != asked_fields.get(n)]
    hashes = sorted((f["field"], f["sha256"]) for f in recorded.get("files", []))
    asked_hashes = sorted((f["field"], f["sha256"]) for f in asked.get("files", []))
    return differs + ([] if hashes == asked_hashes else ["files"])
