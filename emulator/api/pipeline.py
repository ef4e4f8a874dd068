"""The one path every API request takes, top to bottom (as stripe-mock's ``HandleRequest``).

``handle`` opens the journal entry, dates the catalog (``x-emulator-as-of``, else
``--as-of``), checks that the route is served on that day, authenticates, reads the body the
endpoint declares, and lets the endpoint answer; then it closes the entry and stamps the
API's headers. An images endpoint answers through ``answer_images``: the body in the form's
terms, checked, planned into a job (off the event loop: inputs are decoded), admitted
(scripted faults, refusal words, latency), then rendered or streamed.

Every failure is an ``APIError`` rendered in one place; anything unexpected becomes the
API's 500 body, never a traceback.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Literal, TypeVar

import anyio.to_thread
import httpx
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from ..contract import eras, errors, pricing
from ..contract.params import Upload, item_name
from ..contract.parts import FormFile
from ..contract.specs import Catalog, Deprecation, Endpoint
from ..contract.text_models import TextModel
from ..contract.uploads import sniff
from ..contract.usage import with_partial_images
from ..contract.validation import CheckedRequest, check_request
from ..jobs.base import ImageJob, PromptedJob
from ..testdouble import faults
from ..testdouble.journal import Entry, UploadedPart
from ..testdouble.state import Emulator, emulator_of
from ..transport.auth import authenticate
from ..transport.body import FORM_LIMITS, FormLimits, read_json, read_upload_form
from ..transport.multipart import Form
from ..transport.wire import Stamped, error_response, json_response
from . import azure_door, proxy
from .drops import DropConnection, DroppedConnection
from .image_urls import image_url
from .scheduling import InFlight, rendered
from .streaming import EventStream, image_events

log = logging.getLogger("emulator")

STREAM_DELAY_HEADER = "x-emulator-stream-delay-ms"

Reply = Response | EventStream
Body = Literal["json", "form", "none"]


@dataclass(frozen=True)
class Call:
    """One API request as the pipeline hands it to its endpoint."""

    request: Request
    emulator: Emulator
    entry: Entry
    catalog: Catalog  # as of the request's day
    body: object  # the parsed JSON, a ``Form``, or None

    @property
    def lenient(self) -> bool:
        return self.emulator.config.lenient

    @property
    def day(self) -> datetime.date | None:
        """The day the request is answered as of (None: ``latest``)."""
        return datetime.date.fromisoformat(self.entry.as_of) if self.entry.as_of else None


@dataclass(frozen=True, kw_only=True)
class ApiEndpoint:
    """What an endpoint declares: its journal name, the body it reads (per request: an edit
    is JSON or a form), whether it is served on a day, and how it answers."""

    name: str
    answer: Callable[[Call], Awaitable[Reply]]
    reads: Callable[[Request, Catalog], Body]
    served: Callable[[Catalog], bool] = lambda catalog: True
    form_limits: Callable[[Emulator], FormLimits] | None = None
    alphabetical_errors: bool = False  # the variations backend's error key order


T = TypeVar("T")


def found_by_path(
    call: Call, param: str, get: Callable[[str], T | None], missing: Callable[[str], Exception]
) -> T:
    """What the path's ``param`` names in a store (``get``), or the API's not-found error."""
    wanted = call.request.path_params[param]
    found = get(wanted)
    if found is None:
        raise missing(wanted)
    return found


def body_kind(kind: Body) -> Callable[[Request, Catalog], Body]:
    return lambda request, catalog: kind


# --- the path ----------------------------------------------------------------------------


async def handle(endpoint: ApiEndpoint, request: Request) -> Stamped | Response:
    InFlight.count += 1
    if InFlight.count > 1:
        InFlight.overlapped_at = time.monotonic()
    try:
        return await _handle(endpoint, request)
    finally:
        InFlight.count -= 1


async def _handle(endpoint: ApiEndpoint, request: Request) -> Stamped | Response:
    started = time.perf_counter()
    try:
        emulator = emulator_of(request)
    except errors.APIError as error:  # a malformed namespace: there is no journal to write
        return error_response(error)
    entry = emulator.journal.open(
        endpoint=endpoint.name,
        method=request.method,
        path=request.url.path,
        request_id=request.state.request_id,
        now=emulator.clock.now(),
        headers=shown_headers(request),
    )
    door = azure_door.door_of(request)
    if door is not None:
        entry.record_door("azure", door.route.deployment)
    if emulator.recording:  # a proxy to the upstream: its answer, unchanged
        try:
            return await proxy.record(request, emulator, entry)
        except httpx.HTTPError as unreachable:
            gone = errors.upstream_unreachable(emulator.config.upstream, str(unreachable))
            entry.record_error(gone)
            emulator.journal.touch(entry)
            return error_response(gone)
    catalog, day = emulator.catalog, None
    alphabetical = endpoint.alphabetical_errors
    reply: Reply | DroppedConnection
    try:
        day = eras.requested_day(request.headers.get(eras.HEADER), emulator.as_of)
        entry.record_day(day)
        catalog = emulator.catalog_at(day)
        if not endpoint.served(catalog):  # the endpoint is gone: the API's unknown route,
            alphabetical = False  # in its usual key order
            raise errors.invalid_url(request.method, request.url.path)
        authenticate(request, emulator.config)
        body = await read_body(request, endpoint, catalog, emulator)
        if door is not None:  # Azure's checks, and its deployment's model in the body
            body = azure_door.admitted(door, request, emulator, catalog, body, entry)
        try:
            replay = recorded_reply(request, emulator, entry, body)
            call = Call(request, emulator, entry, catalog, body)
            reply = replay if replay is not None else await endpoint.answer(call)
        finally:
            if isinstance(body, Form):
                body.close()
        status = reply.status_code if isinstance(reply, Response) else 200
    except errors.APIError as error:
        entry.record_error(error)
        status = error.status
        reply = error_response(error, alphabetical=alphabetical)
        if entry.model and (
            error.param == "model" or error.code == "model_not_found"
        ):  # the log says how to add a newer model
            emulator.hint_unknown_model(entry.model)
    except (DropConnection, ClientDisconnect):  # scripted, or the client hung up mid-body
        status = 0
        reply = DroppedConnection()
    except Exception:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        failure = errors.server_error()
        entry.record_error(failure)
        status = failure.status
        reply = error_response(failure, alphabetical=alphabetical)
    if entry.as_of is not None and isinstance(reply, Response | EventStream):
        reply.headers[eras.HEADER] = entry.as_of  # the day it was answered as of
        notice = deprecation(catalog, emulator.text_models, entry.model, day)
        if notice is not None:  # months ahead, a suite sees that its model is going
            reply.headers[DEPRECATION_HEADER] = notice.header()
            entry.record_deprecation(notice.as_dict())
            emulator.announce(notice)
    entry.record_copy_of(emulator.model_copied(entry.model))
    batch = request.headers.get(BATCH_HEADER)
    if batch and tuple(request.scope.get("client") or ()) == BATCH_CLIENT:  # the runner's only
        entry.record_origin("batch", batch)
    entry.close(
        status, (time.perf_counter() - started) * 1000, estimated_cost(entry, status, catalog)
    )
    emulator.journal.touch(entry)
    if isinstance(reply, EventStream) and entry.cost_usd is None:

        def priced_at_the_end() -> None:  # a stream's usage is known once it has run
            entry.record_cost(estimated_cost(entry, status, catalog))
            emulator.journal.touch(entry)

        reply.on_end = priced_at_the_end

    def sent(headers: dict[str, str]) -> None:  # a live view shows the headers as sent
        entry.record_response_headers(headers)
        emulator.journal.touch(entry)

    return Stamped(
        reply,
        request.state.request_id,
        request.headers.get("openai-organization"),
        started,
        on_start=sent,
    )


# A batch line's request carries its batch's id in this header and comes from this ASGI
# client, an address no socket has: a caller cannot pass its own request off as a batch line
# (priced at half).
BATCH_HEADER = "x-emulator-batch"
BATCH_CLIENT = ("emulator-batch", 0)

# The emulator's own header (the real API sends none): the shutdown and replacement of a
# deprecated model, on every answer for it between the announcement and the shutdown.
DEPRECATION_HEADER = "x-emulator-deprecation"


def deprecation(
    catalog: Catalog,
    text_models: Mapping[str, TextModel],
    model: str | None,
    day: datetime.date | None,
) -> Deprecation | None:
    """The notice in force on ``day`` for the image or text model ``model``."""
    if day is None or not model:
        return None
    spec = catalog.models.get(model) or text_models.get(model)
    return spec.deprecation_on(day) if spec is not None else None


def recorded_reply(
    request: Request, emulator: Emulator, entry: Entry, body: object
) -> Reply | None:
    """With ``--replay``: the recorded answer of a matching request, or None to emulate it
    (``--replay-strict``: the emulator's refusal, naming the closest recording)."""
    recordings = emulator.recordings
    if recordings is None:
        return None
    shown = proxy.described(request, body)
    found = recordings.match(recordings.key_of(shown))
    if found is None:
        if emulator.config.replay_strict:
            raise proxy.refused(recordings, shown)
        return None
    entry.record_origin("replayed", found.name)
    return proxy.replayed(found, request, emulator, recordings)


async def read_body(
    request: Request, endpoint: ApiEndpoint, catalog: Catalog, emulator: Emulator
) -> object:
    timeout = emulator.config.body_timeout_seconds
    kind = endpoint.reads(request, catalog)
    if kind == "json":
        return await read_json(request, timeout)
    if kind == "form":
        limits = endpoint.form_limits(emulator) if endpoint.form_limits else FORM_LIMITS
        return await read_upload_form(request, timeout, limits)
    return None


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


def estimated_cost(entry: Entry, status: int, catalog: Catalog) -> float | None:
    """The estimated cost of a successful answer (the price of the model asked for); a line
    of a batch at the batch discount, half the synchronous price."""
    # A Responses answer is priced by its tool's image model (the text model's share is not).
    priced = entry.answered.get("image_model") or entry.model
    spec = catalog.models.get(str(priced or ""))
    if status != 200 or spec is None or not entry.answered:  # not an images answer
        return None
    # An added model (``--model NEW=KNOWN``) is priced as the model it copies.
    cost = pricing.estimate(spec, entry.usage, entry.params)
    return cost / 2 if cost is not None and entry.origin == "batch" else cost


# --- images endpoints: check, plan, admit, answer --------------------------------------------


def uploaded_parts(body: dict[str, object]) -> list[UploadedPart]:
    """Every part sent under a file parameter, as sent: what a refused upload's journal entry
    shows (field, filename, declared type, size, and the format its first bytes show)."""
    parts = []
    for name, value in body.items():
        if not isinstance(value, Upload):
            continue
        for index, part in enumerate(value.parts):
            field = item_name(name, value, index)
            if isinstance(part, FormFile):
                part.file.seek(0)
                head = part.file.read(16)
                parts.append(
                    UploadedPart(field, part.filename, part.content_type, part.size, sniff(head))
                )
            else:
                parts.append(UploadedPart(field, None, None, len(part.value.encode()), None))
    return parts


@dataclass(frozen=True, kw_only=True)
class ImagesEndpoint:
    """An images endpoint: its body in the form's terms (journaled as sent), and a job planned
    from the checked request (blocking: it decodes the inputs)."""

    name: Endpoint
    body_of: Callable[[Call], object]
    plan: Callable[[Call, CheckedRequest, dict[str, object]], ImageJob]
    # Whether planning blocks (decodes uploads, fetches references): then it runs off the
    # event loop; a generation's plan is a few attribute reads, cheaper than a thread hop.
    plan_blocks: bool = True

    async def __call__(self, call: Call) -> Reply:  # an ``ApiEndpoint``'s ``answer``
        return await answer_images(call, self)


async def answer_images(call: Call, endpoint: ImagesEndpoint) -> Reply:
    body = endpoint.body_of(call)
    form = isinstance(call.body, Form)
    checked = check_request(body, endpoint.name, call.catalog, form=form, lenient=call.lenient)
    assert isinstance(body, dict)  # the check refuses any other body
    if endpoint.plan_blocks:
        job = await anyio.to_thread.run_sync(endpoint.plan, call, checked, body)
    else:
        job = endpoint.plan(call, checked, body)
    if isinstance(call.body, Form):
        call.body.close()  # the inputs are decoded into the job: the uploads can go
    await admit(call, job)
    if isinstance(job, PromptedJob) and job.stream:
        return await stream(call, job)
    return await answer(call, job)


async def admit(call: Call, job: ImageJob) -> None:
    """What the real API does after validation: organisation, rate limits, moderation."""
    emulator, entry = call.emulator, call.entry
    prompt = job.prompt if isinstance(job, PromptedJob) else None
    header = call.request.headers.get(faults.HEADER)
    fault = faults.from_header(header) if header else None
    if fault is None and emulator.faults.any_pattern():
        fault = await anyio.to_thread.run_sync(emulator.faults.take, entry.endpoint, prompt)
    elif fault is None:
        fault = emulator.faults.take(entry.endpoint, prompt)
    if fault is not None:
        entry.record_fault(fault.kind)
        if fault.kind == "delay":
            await asyncio.sleep(fault.delay_ms / 1000)
        elif fault.kind == "drop":
            raise DropConnection()
        else:
            raise faults.fault_error(fault, job.model, entry.request_id)
    words = emulator.config.refusal_word_list
    if prompt and any(word in prompt.lower() for word in words):
        raise errors.safety_refusal(
            job.model.dall_e_wording, entry.request_id, job.model.moderation_details
        )
    factor = emulator.config.latency_factor
    if factor > 0:
        quality = job.quality if isinstance(job, PromptedJob) else "standard"
        await asyncio.sleep(job.model.latency_for(quality) * factor)


def answered_settings(job: ImageJob) -> dict[str, object]:
    """The resolved settings of an answer, for the journal (DALL·E answers carry none)."""
    return {"size": job.size, "n": job.n, **job.settings()}


async def answer(call: Call, job: ImageJob) -> Response:
    """Render, keep images for URLs if asked, answer."""
    emulator, entry = call.emulator, call.entry
    images = await rendered(call, job)

    def url_for(data: bytes) -> str:
        stored = emulator.images.put(data, job.media_type, job.output_format)
        entry.add_output(data, job.media_type, stored.name)
        return image_url(emulator.public_base(call.request), stored, emulator.name)

    body = job.body(int(emulator.clock.now()), images, url_for)
    usage = body.get("usage")  # counted once, for the body; the journal takes it from there
    entry.record_answer(answered_settings(job), usage if isinstance(usage, dict) else None)
    if job.response_format != "url":
        for data in images:
            entry.add_output(data, job.media_type)
    return json_response(body)


async def stream(call: Call, job: PromptedJob) -> EventStream:
    """Answer with server-sent events; the body checks are all done by now."""
    emulator, entry = call.emulator, call.entry
    delay_ms = emulator.config.stream_delay_ms
    asked = call.request.headers.get(STREAM_DELAY_HEADER, "")
    if asked.isdigit():
        delay_ms = int(asked)
    usage = job.usage()
    if usage is not None:
        usage = with_partial_images(usage, job.model, job.partial_images * job.n)
    entry.record_answer(answered_settings(job), usage)

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
