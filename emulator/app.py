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
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import __version__, errors, tokenizer
from .auth import authenticate
from .catalog import CATALOG, Catalog
from .clock import Clock
from .config import Config
from .files import FILES_PATH, image_url, serve_image
from .generations import GenerationJob
from .imagestore import ImageStore
from .validation import check_request
from .wire import ApiHeaders, error_response, json_response

log = logging.getLogger("emulator")

# The largest JSON body taken: a 32000-character prompt fits many times over.
MAX_JSON_BYTES = 4 * 1024 * 1024


@dataclass
class Emulator:
    """Everything a request may touch, held by the app (``app.state.emulator``)."""

    config: Config
    clock: Clock
    catalog: Catalog
    images: ImageStore

    def public_base(self, request: Request) -> str:
        return self.config.public_url or str(request.base_url)


Handler = Callable[[Request, Emulator], Awaitable[Response]]


def api_endpoint(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a handler so every error, expected or not, leaves as the API's error body."""

    async def endpoint(request: Request) -> Response:
        emulator: Emulator = request.app.state.emulator
        try:
            return await handler(request, emulator)
        except errors.APIError as error:
            return error_response(error)
        except Exception:
            log.exception("unexpected error on %s %s", request.method, request.url.path)
            return error_response(errors.server_error())

    return endpoint


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


async def create_generation(request: Request, emulator: Emulator) -> Response:
    authenticate(request)
    body = await read_json(request)
    job = GenerationJob.from_request(check_request(body, "generations", emulator.catalog))
    if job.stream:
        raise errors.streaming_not_implemented()
    images = await anyio.to_thread.run_sync(job.render_images)
    base = emulator.public_base(request)

    def url_for(data: bytes) -> str:
        return image_url(base, emulator.images.put(data, job.media_type, job.output_format))

    created = int(emulator.clock.now())
    return json_response(job.body(created, images, url_for))


async def get_image(request: Request) -> Response:
    emulator: Emulator = request.app.state.emulator
    return serve_image(request, emulator.images, emulator.clock.now())


async def not_found(request: Request, exc: Exception) -> Response:
    # Unknown paths and wrong methods alike, as the API words it.
    return error_response(errors.invalid_url(request.method, request.url.path))


def _routes() -> list[Route]:
    routes = [Route(f"{FILES_PATH}/{{name}}", get_image, methods=["GET"])]
    for prefix in ("/v1", ""):  # the SDKs' own test suites call the root paths
        routes.append(
            Route(
                f"{prefix}/images/generations",
                api_endpoint(create_generation),
                methods=["POST"],
            )
        )
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
