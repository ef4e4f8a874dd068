"""Record once, replay offline.

``--record DIR --upstream URL``: every API request goes to the upstream with the caller's own
headers (its key included, which is never written anywhere), the upstream's answer comes back
unchanged and as it arrives (a stream event by event), and the exchange is written into DIR
(``testdouble.recording``). ``--replay DIR``: a request that matches a recording is answered
with it (images restored from their files; ``created`` and ids as recorded); one that matches
none is emulated, or with ``--replay-strict`` refused with the closest recording named.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import AsyncIterator
from typing import Any

import anyio.to_thread
import httpx
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from ..contract import errors
from ..contract.dates import today
from ..render import MEDIA_TYPES
from ..testdouble.journal import Entry
from ..testdouble.recording import (
    ImageFiles,
    Recording,
    Recordings,
    form_shape,
    headers_out,
    images_in,
    images_out,
    stream_in,
    stream_out,
)
from ..testdouble.state import Emulator
from ..transport.body import read_bytes
from ..transport.multipart import FormLimits, read_form
from ..transport.wire import json_bytes
from .image_urls import image_url
from .streaming import EventStream

# Headers that belong to one hop, not to the request the upstream should see.
HOP_HEADERS = ("host", "content-length", "connection", "accept-encoding", "transfer-encoding",
               "keep-alive", "te", "upgrade")  # fmt: skip
ANSWER_HOP_HEADERS = ("content-length", "transfer-encoding", "connection", "content-encoding")
MAX_RECORDED_BODY = 16 * 50 * 1024 * 1024 + 16 * 1024 * 1024  # the largest form the API takes
LIMITS = FormLimits(MAX_RECORDED_BODY, MAX_RECORDED_BODY, MAX_RECORDED_BODY)


def described(request: Request, body: object) -> dict[str, Any]:
    """A request as recordings describe it (JSON by value, a form by fields and hashes)."""
    shown: dict[str, Any] = {
        "method": request.method,
        "path": request.url.path,
        "query": request.url.query,
    }
    if hasattr(body, "parts"):
        shown |= form_shape(body.parts)
    elif body is not None:
        shown["json"] = body
    return shown


# --- record ----------------------------------------------------------------------------------


async def record(request: Request, emulator: Emulator, entry: Entry) -> Response:
    recordings = emulator.recordings
    assert recordings is not None
    raw = await read_bytes(request, emulator.config.body_timeout_seconds, MAX_RECORDED_BODY)
    shown = await _described_raw(request, raw, recordings.images)
    url = emulator.config.upstream_base + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
    headers["accept-encoding"] = "identity"  # kept as sent: no decoding between the two
    client = emulator.upstream_client()
    upstream = await client.send(
        client.build_request(request.method, url, content=raw, headers=headers), stream=True
    )
    answer_headers = {
        k: v for k, v in upstream.headers.items() if k.lower() not in ANSWER_HOP_HEADERS
    }
    started = datetime.datetime.now(datetime.UTC)

    async def relay() -> AsyncIterator[bytes]:
        chunks = []
        try:
            async for chunk in upstream.aiter_raw():
                chunks.append(chunk)
                yield chunk
        finally:
            await upstream.aclose()
        body = b"".join(chunks)
        data = await anyio.to_thread.run_sync(
            exchange, shown, upstream, body, recordings.images, emulator
        )
        data["recorded_at"] = started.isoformat(timespec="seconds")
        path = await anyio.to_thread.run_sync(recordings.write, data, secrets_of(request))
        entry.record_origin("recorded", path.stem)
        emulator.journal.touch(entry)

    entry.record_params({"upstream": url})
    return StreamingResponse(relay(), status_code=upstream.status_code, headers=answer_headers)


# Query parameters and headers that carry a caller's secret (a key in the query, as some
# proxies and Azure's clients send it, or in a header of its own).
SECRET_NAMES = ("key", "token", "secret", "password", "authorization", "signature")


def secrets_of(request: Request) -> list[str]:
    """What the recorder must never write: the caller's key in any header or query value
    (the full header value too), wherever the exchange holds or echoes it."""
    found: list[str] = []
    for name, value in [*request.headers.items(), *request.query_params.multi_items()]:
        if any(word in name.lower() for word in SECRET_NAMES):
            found.append(value.strip())
            found += [part for part in value.split() if part.lower() != "bearer"]
    return found


async def _described_raw(request: Request, raw: bytes, files: ImageFiles) -> dict[str, Any]:
    content_type = request.headers.get("content-type", "")
    body: object = None
    if content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):

        async def chunks() -> AsyncIterator[bytes]:
            yield raw

        form = await read_form(content_type, chunks(), LIMITS)
        try:
            for part in form.parts:
                if hasattr(part, "read"):
                    files.put(part.read())  # every uploaded file, once, by its hash
            shown = described(request, form)
        finally:
            form.close()
        return shown
    if raw.strip():
        try:
            body = json.loads(raw)
        except ValueError:
            body = {"$text": raw.decode("utf-8", "replace")}
    return described(request, body)


def exchange(
    request: dict[str, Any],
    upstream: httpx.Response,
    body: bytes,
    files: ImageFiles,
    emulator: Emulator,
) -> dict[str, Any]:
    """The exchange in the fixtures' format, images out to their files."""
    content_type = upstream.headers.get("content-type", "")
    answer: dict[str, Any] = {
        "status": upstream.status_code,
        "headers": headers_out(upstream.headers.items()),
    }
    if content_type.startswith("text/event-stream"):
        answer["stream"] = stream_out(body.decode("utf-8"), files)
    elif content_type.startswith("application/json"):
        try:
            answer["body"] = images_out(json.loads(body), files, fetched)
        except ValueError:
            answer["body_text"] = body.decode("utf-8", "replace")
    else:
        answer["body_file"] = files.put(body)
    return {
        "name": f"{request['method']} {request['path']}",
        "source": {"kind": "recorded", "reference": f"recorded through {emulator.config.upstream}"},
        "as_of": today().isoformat(),
        "request": request,
        "response": answer,
    }


def fetched(url: str) -> bytes | None:
    """An image an answer links to (the upstream's URL), once, while recording."""
    try:
        answer = httpx.get(url, timeout=10)
    except httpx.HTTPError:
        return None
    return answer.content if answer.status_code == 200 else None


# --- replay ------------------------------------------------------------------------------------


def replayed(
    recording: Recording, request: Request, emulator: Emulator, recordings: Recordings
) -> Response | EventStream:
    """The recorded answer, images restored; an image by URL is served by this emulator."""
    answer = recording.data["response"]
    status = int(answer["status"])
    files = recordings.images
    if "stream" in answer:
        text = stream_in(answer["stream"], files)

        async def events() -> AsyncIterator[bytes]:
            for block in text.split("\n\n"):
                if block.strip():
                    yield (block + "\n\n").encode()

        return EventStream(events())
    if "body_file" in answer:
        return Response(
            files.get(answer["body_file"]), status, media_type="application/octet-stream"
        )
    if "body_text" in answer:
        return Response(answer["body_text"], status, media_type="text/plain")
    base = emulator.public_base(request)

    def url_for(data: bytes, extension: str) -> str:
        stored = emulator.images.put(data, MEDIA_TYPES.get(extension, "image/png"), extension)
        return image_url(base, stored, emulator.name)

    body = images_in(answer.get("body"), files, url_for)
    return Response(json_bytes(body), status, media_type="application/json")


def refused(recordings: Recordings, shown: dict[str, Any]) -> errors.APIError:
    closest, differs = recordings.closest(shown)
    name = closest.name if closest is not None else None
    return errors.no_recording(shown["method"], shown["path"], name, differs)
