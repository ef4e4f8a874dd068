"""The Starlette app: routes and the one request pipeline every images endpoint goes through.

Pipeline (as stripe-mock's): authenticate → read the body → check it against the catalog →
plan → render off the event loop → answer. Every failure is an ``APIError`` rendered in one
place; anything unexpected becomes the API's 500 body, never a traceback.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import anyio.to_thread
import numpy as np
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import __version__, errors, tokenizer
from .auth import authenticate
from .catalog import CATALOG, Catalog, MiB
from .clock import Clock
from .config import Config
from .edits import EditJob
from .files import FILES_PATH, image_url, serve_image
from .forms import form_body, upload
from .generations import GenerationJob
from .imagestore import ImageStore
from .jobs import ImageJob, PromptedJob
from .multipart import Form, FormLimits, read_form
from .streaming import EventStream, image_events
from .uploads import open_image, open_images, open_mask, own_transparency
from .validation import check_request
from .variations import VariationJob
from .wire import ApiHeaders, error_response, json_response

log = logging.getLogger("emulator")

# The largest JSON body or form text field taken: a 32000-character prompt fits many times.
MAX_JSON_BYTES = 4 * MiB
# The largest form: sixteen 50 MB images, a mask and the text fields, with room to spare.
FORM_LIMITS = FormLimits(
    file_bytes=50 * MiB + 1,  # one byte over the largest limit: enough to know it is over
    field_bytes=MAX_JSON_BYTES,
    request_bytes=16 * 50 * MiB + 16 * MiB,
)


@dataclass
class Emulator:
    """Everything a request may touch, held by the app (``app.state.emulator``)."""

    config: Config
    clock: Clock
    catalog: Catalog
    images: ImageStore
    streamed_events: int = 0  # events sent on every stream so far

    def public_base(self, request: Request) -> str:
        return self.config.public_url or str(request.base_url)

    def count_event(self) -> None:
        self.streamed_events += 1


Handler = Callable[[Request, Emulator], Awaitable[Response | EventStream]]


def api_endpoint(
    handler: Handler, *, alphabetical_errors: bool = False
) -> Callable[[Request], Awaitable[Response | EventStream]]:
    """Wrap a handler so every error, expected or not, leaves as the API's error body."""

    async def endpoint(request: Request) -> Response | EventStream:
        emulator: Emulator = request.app.state.emulator
        try:
            return await handler(request, emulator)
        except errors.APIError as error:
            return error_response(error, alphabetical=alphabetical_errors)
        except Exception:
            log.exception("unexpected error on %s %s", request.method, request.url.path)
            return error_response(errors.server_error(), alphabetical=alphabetical_errors)

    return endpoint


async def answer(request: Request, emulator: Emulator, job: ImageJob) -> Response:
    """Render off the event loop, keep images for URLs if asked, and answer the body."""
    images = await anyio.to_thread.run_sync(job.render_images)
    base = emulator.public_base(request)

    def url_for(data: bytes) -> str:
        return image_url(base, emulator.images.put(data, job.media_type, job.output_format))

    return json_response(job.body(int(emulator.clock.now()), images, url_for))


async def read_json(request: Request, limit: int = MAX_JSON_BYTES) -> object:
    """The decoded JSON body. An oversized body is read to the end before the refusal, so
    the client is never cut off mid-upload."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size <= limit:
            chunks.append(chunk)
    if size > limit:
        raise errors.request_too_large(limit)
    try:
        return json.loads(b"".join(chunks), parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError):
        raise errors.invalid_json() from None


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


STREAM_DELAY_HEADER = "x-emulator-stream-delay-ms"


def stream(request: Request, emulator: Emulator, job: PromptedJob, endpoint: str) -> EventStream:
    """Answer with server-sent events; the body checks are all done by now."""
    delay_ms = emulator.config.stream_delay_ms
    asked = request.headers.get(STREAM_DELAY_HEADER, "")
    if asked.isdigit():
        delay_ms = int(asked)
    events = image_events(
        job,
        endpoint,
        created_at=int(emulator.clock.now()),
        delay_seconds=delay_ms / 1000,
        on_event=emulator.count_event,
    )
    return EventStream(events)


async def create_generation(request: Request, emulator: Emulator) -> Response | EventStream:
    authenticate(request)
    body = await read_json(request)
    job = GenerationJob.from_request(check_request(body, "generations", emulator.catalog))
    if job.stream:
        return stream(request, emulator, job, "generations")
    return await answer(request, emulator, job)


async def _read_form(request: Request) -> Form:
    return await read_form(request.headers.get("content-type", ""), request.stream(), FORM_LIMITS)


def plan_edit(form: Form, catalog: Catalog) -> EditJob:
    """Check an edits form and decode its images (blocking: run off the event loop)."""
    body = form_body(form)
    checked = check_request(body, "edits", catalog, form=True)
    rules = checked.model.endpoints["edits"]
    assert rules.uploads is not None and rules.mask is not None
    masks = upload(body, "mask")
    images = open_images(
        upload(body, "image").named_files("image"), rules.uploads, has_mask=bool(masks.parts)
    )
    area: np.ndarray | None = None
    if masks.parts:
        area = open_mask(masks.files()[0], rules.mask, rules.uploads.mimetypes, images[0])
    elif rules.uploads.modes_without_mask is not None:  # DALL·E 2: the image's own alpha
        width, height = images[0].size
        area = own_transparency(images[0])
        if area is None:  # no alpha at all: nothing to replace
            area = np.zeros((height, width), bool)
    return EditJob.from_request(checked, rules, images, area)


async def create_edit(request: Request, emulator: Emulator) -> Response | EventStream:
    authenticate(request)
    form = await _read_form(request)
    try:  # the inputs are decoded into memory by the plan: the uploads can go at once
        job = await anyio.to_thread.run_sync(plan_edit, form, emulator.catalog)
    finally:
        form.close()
    if job.stream:
        return stream(request, emulator, job, "edits")
    return await answer(request, emulator, job)


def plan_variation(form: Form, catalog: Catalog) -> VariationJob:
    body = form_body(form)
    checked = check_request(body, "variations", catalog, form=True)
    rules = checked.model.endpoints["variations"]
    assert rules.uploads is not None
    ((name, file),) = upload(body, "image").named_files("image")
    return VariationJob.from_request(
        checked, open_image(file, name, 0, rules.uploads, has_mask=False)
    )


async def create_variation(request: Request, emulator: Emulator) -> Response:
    authenticate(request)
    form = await _read_form(request)
    try:
        job = await anyio.to_thread.run_sync(plan_variation, form, emulator.catalog)
        return await answer(request, emulator, job)
    finally:
        form.close()


async def get_image(request: Request) -> Response:
    emulator: Emulator = request.app.state.emulator
    return serve_image(request, emulator.images, emulator.clock.now())


async def not_found(request: Request, exc: Exception) -> Response:
    # Unknown paths and wrong methods alike, as the API words it.
    return error_response(errors.invalid_url(request.method, request.url.path))


def _routes() -> list[Route]:
    routes = [Route(f"{FILES_PATH}/{{name}}", get_image, methods=["GET"])]
    endpoints = {
        "generations": api_endpoint(create_generation),
        "edits": api_endpoint(create_edit),
        "variations": api_endpoint(create_variation, alphabetical_errors=True),
    }
    for prefix in ("/v1", ""):  # the SDKs' own test suites call the root paths
        for name, endpoint in endpoints.items():
            routes.append(Route(f"{prefix}/images/{name}", endpoint, methods=["POST"]))
    return routes


def create_app(config: Config | None = None, *, clock: Clock | None = None) -> Starlette:
    """The emulator as an ASGI app: for uvicorn, Docker, tests and in-process clients."""
    config = config or Config()
    clock = clock or Clock()
    emulator = Emulator(
        config=config,
        clock=clock,
        catalog=CATALOG,
        images=ImageStore(clock, config.url_store_mb * 1024 * 1024, config.url_ttl_seconds),
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Load the tokenizer vocabulary in the background: ready at once, warm soon after.
        threading.Thread(target=tokenizer.encoding, name="tokenizer-warmup", daemon=True).start()
        yield

    app = Starlette(
        routes=_routes(),
        middleware=[Middleware(ApiHeaders, version=__version__)],
        exception_handlers={HTTPException: not_found},
        lifespan=lifespan,
    )
    app.state.emulator = emulator
    return app
