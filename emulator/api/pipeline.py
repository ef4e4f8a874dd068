"""The steps every images request goes through, in order (as stripe-mock's one pipeline):

authenticate → read the body → check it (the endpoint's handler) → admit it (scripted
faults, the safety system's trigger words, realistic latency) → render → answer. Every
request is journaled; every failure is an ``APIError`` rendered in one place; anything
unexpected becomes the API's 500 body, never a traceback.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import anyio.to_thread
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from ..contract import eras, errors, pricing
from ..contract.params import Upload
from ..contract.specs import Catalog
from ..contract.uploads import InputImage
from ..contract.usage import with_partial_images
from ..contract.validation import CheckedRequest
from ..jobs.base import ImageJob, PromptedJob
from ..testdouble import faults
from ..testdouble.journal import Entry, InputFile
from ..testdouble.state import Emulator
from ..transport.wire import error_response, json_response
from .image_urls import image_url
from .streaming import EventStream, image_events

log = logging.getLogger("emulator")

STREAM_DELAY_HEADER = "x-emulator-stream-delay-ms"

Reply = Response | EventStream
R = TypeVar("R")
Handler = Callable[[Request, Emulator, Entry], Awaitable[Reply]]


# --- the wrapper every endpoint runs in ------------------------------------------------------


def api_endpoint(
    name: str, handler: Handler, *, alphabetical_errors: bool = False
) -> Callable[[Request], Awaitable[Reply | DroppedConnection]]:
    """Journal the request and turn every failure into the API's error body."""

    async def endpoint(request: Request) -> Reply | DroppedConnection:
        emulator: Emulator = request.app.state.emulator
        started = time.perf_counter()
        entry = emulator.journal.open(
            endpoint=name,
            method=request.method,
            path=request.url.path,
            request_id=request.state.request_id,
            now=emulator.clock.now(),
        )
        entry.request_headers = shown_headers(request)
        request.state.journal_entry = entry  # ApiHeaders records the answer's headers in it
        reply: Reply | DroppedConnection
        try:
            day = eras.requested_day(request.headers.get(eras.HEADER), emulator.as_of)
            entry.as_of = day.isoformat() if day else None
            request.state.catalog = emulator.catalog_at(day)
            reply = await handler(request, emulator, entry)
            entry.status = reply.status_code if isinstance(reply, Response) else 200
        except errors.APIError as error:
            entry.status, entry.error = error.status, error.body()["error"]
            reply = error_response(error, alphabetical=alphabetical_errors)
        except (DropConnection, ClientDisconnect):  # scripted, or the client hung up mid-body
            entry.status = 0
            reply = DroppedConnection()
        except Exception:
            log.exception("unexpected error on %s %s", request.method, request.url.path)
            failure = errors.server_error()
            entry.status, entry.error = failure.status, failure.body()["error"]
            reply = error_response(failure, alphabetical=alphabetical_errors)
        entry.duration_ms = round((time.perf_counter() - started) * 1000, 1)
        entry.cost_usd = _cost(entry, getattr(request.state, "catalog", emulator.catalog))
        emulator.journal.touch(entry)
        return dated(reply, entry)

    return endpoint


# Request headers the journal shows: what a client library sends, never the key.
_SHOWN_HEADERS = ("content-type", "content-encoding", "content-length", "user-agent",
                  "openai-organization", "openai-project", eras.HEADER)  # fmt: skip


def shown_headers(request: Request) -> dict[str, str]:
    shown = {
        name: value
        for name, value in request.headers.items()
        if name in _SHOWN_HEADERS or name.startswith(("x-stainless-", "x-emulator-"))
    }
    if "authorization" in request.headers:
        shown["authorization"] = "Bearer ***"
    return shown


def _cost(entry: Entry, catalog: Catalog) -> float | None:
    """The estimated cost of a successful answer (the price of the model asked for)."""
    spec = catalog.models.get(entry.model or "")
    if entry.status != 200 or spec is None:
        return None
    return pricing.estimate(spec.id, entry.usage, entry.params)


def answered_settings(job: ImageJob) -> dict[str, object]:
    """The resolved settings of an answer, for the journal (DALL·E answers carry none)."""
    return {"size": job.size, "n": job.n, **job.settings()}


def dated(reply: R, entry: Entry) -> R:
    """The answer, saying which day it was answered as of when one was set."""
    if entry.as_of is not None and isinstance(reply, Response | EventStream):
        reply.headers[eras.HEADER] = entry.as_of
    return reply


def dated_catalog(request: Request) -> Catalog:
    """The catalog as of the request's day (set by ``api_endpoint``)."""
    catalog: Catalog = request.state.catalog
    return catalog


# --- recording what was asked ------------------------------------------------------------------


def record_asked(entry: Entry, body: object) -> None:
    """What the request said, before it is checked (kept as is if the check fails)."""
    if not isinstance(body, dict):
        return
    model = body.get("model")
    entry.model = model if isinstance(model, str) and model else None
    entry.params = {k: v for k, v in body.items() if not isinstance(v, Upload) and k != "model"}
    entry.sent = {k: v for k, v in body.items() if not isinstance(v, Upload)}  # as sent


def record_request(entry: Entry, checked: CheckedRequest, inputs: list[InputImage]) -> None:
    for image in inputs:  # the bytes, for the inspector
        entry.keep(image.raw, f"image/{image.format.lower()}", image.sha256)
    entry.model = checked.asked_model
    entry.params = {
        name: value for name, value in checked.values.items() if name not in ("image", "mask")
    }
    entry.stream = checked.flag("stream")
    entry.inputs = [
        InputFile(i.param, i.filename, i.content_type, i.size[0], i.size[1], i.format, i.sha256)
        for i in inputs
    ]


# --- admitting a checked request -----------------------------------------------------------------


class DropConnection(Exception):
    """A scripted fault: hang up without an answer."""


_dropping = contextvars.ContextVar("dropping", default=False)


class DroppedConnection:
    """Starts an answer and abandons it, so the server closes the connection mid-response.
    The server's complaint about the unfinished answer is muted (``QuietDrops``)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        _dropping.set(True)
        headers = [(b"content-type", b"application/json"), (b"content-length", b"1048576")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})


class QuietDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not _dropping.get()


logging.getLogger("uvicorn.error").addFilter(QuietDrops())


async def admit(request: Request, emulator: Emulator, entry: Entry, job: ImageJob) -> None:
    """What the real API does after validation: organisation, rate limits, moderation."""
    prompt = job.prompt if isinstance(job, PromptedJob) else None
    header = request.headers.get(faults.HEADER)
    fault = faults.from_header(header) if header else None
    if fault is None and emulator.faults.any_pattern():
        fault = await anyio.to_thread.run_sync(emulator.faults.take, entry.endpoint, prompt)
    elif fault is None:
        fault = emulator.faults.take(entry.endpoint, prompt)
    if fault is not None:
        entry.fault = fault.kind
        if fault.kind == "delay":
            await asyncio.sleep(fault.delay_ms / 1000)
        elif fault.kind == "drop":
            raise DropConnection()
        else:
            raise faults.fault_error(fault, job.model.id, entry.request_id)
    words = emulator.config.refusal_word_list
    if prompt and any(word in prompt.lower() for word in words):
        raise faults.refusal(job.model.id, entry.request_id)
    factor = emulator.config.latency_factor
    if factor > 0:
        quality = job.quality if isinstance(job, PromptedJob) else "standard"
        await asyncio.sleep(job.model.latency_for(quality) * factor)


# --- answering -----------------------------------------------------------------------------------


async def answer(request: Request, emulator: Emulator, entry: Entry, job: ImageJob) -> Response:
    """Render off the event loop, keep images for URLs if asked, and answer the body."""
    await admit(request, emulator, entry, job)
    images = await anyio.to_thread.run_sync(job.render_images)
    base = emulator.public_base(request)

    def url_for(data: bytes) -> str:
        stored = emulator.images.put(data, job.media_type, job.output_format)
        entry.add_output(data, job.media_type, stored.name)
        return image_url(base, stored)

    body = job.body(int(emulator.clock.now()), images, url_for)
    usage = body.get("usage")  # counted once, for the body; the journal takes it from there
    entry.usage = usage if isinstance(usage, dict) else None
    entry.answered = answered_settings(job)
    if job.response_format != "url":
        for data in images:
            entry.add_output(data, job.media_type)
    return json_response(body)


async def stream(
    request: Request, emulator: Emulator, entry: Entry, job: PromptedJob
) -> EventStream:
    """Answer with server-sent events; the body checks are all done by now."""
    await admit(request, emulator, entry, job)
    delay_ms = emulator.config.stream_delay_ms
    asked = request.headers.get(STREAM_DELAY_HEADER, "")
    if asked.isdigit():
        delay_ms = int(asked)
    usage = job.usage()
    if usage is not None:
        entry.usage = with_partial_images(usage, job.model, job.partial_images * job.n)
    entry.answered = answered_settings(job)

    def on_image(data: bytes) -> None:
        entry.add_output(data, job.media_type)
        emulator.journal.touch(entry)  # a live view shows each image as it is sent

    def on_partial(data: bytes) -> None:
        entry.add_output(data, job.media_type, partial=True)
        emulator.journal.touch(entry)

    events = image_events(
        job,
        entry.endpoint,
        created_at=int(emulator.clock.now()),
        delay_seconds=delay_ms / 1000,
        on_event=emulator.count_event,
        on_image=on_image,
        on_partial=on_partial,
    )
    return EventStream(events)
