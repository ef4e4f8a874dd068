"""The Starlette app: the images API, the image URLs and the control plane, in one place.

``create_app(config)`` serves uvicorn, Docker, the pytest plugin and in-process clients.
The request pipeline itself is in ``pipeline``; the endpoints in ``endpoints``.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import __version__
from .api import files as files_api
from .api.image_urls import FILES_PATH, serve_image
from .api.images import create_edit, create_generation, create_variation
from .api.pipeline import api_endpoint
from .config import Config
from .contract import errors, tokenizer
from .contract.catalog import CATALOG
from .contract.specs import MiB
from .testdouble import control
from .testdouble.clock import Clock
from .testdouble.file_store import FileStore
from .testdouble.image_store import ImageStore
from .testdouble.journal import Journal, JournalImages
from .testdouble.state import Emulator
from .transport.cors import Cors
from .transport.wire import ApiHeaders, error_response
from .ui import inspector


async def get_image(request: Request) -> Response:
    emulator: Emulator = request.app.state.emulator
    return serve_image(request, emulator.images, emulator.clock.now())


async def not_found(request: Request, exc: Exception) -> Response:
    # Unknown paths and wrong methods alike, as the API words it.
    return error_response(errors.invalid_url(request.method, request.url.path))


def _routes() -> list[Route]:
    routes = [
        Route(f"{FILES_PATH}/{{name}}", get_image, methods=["GET"]),
        *control.routes(),
        *inspector.routes(),
    ]
    endpoints = {
        "generations": api_endpoint("generations", create_generation),
        "edits": api_endpoint("edits", create_edit),
        "variations": api_endpoint("variations", create_variation, alphabetical_errors=True),
    }
    files = {
        ("", "POST"): api_endpoint("files", files_api.create_file),
        ("", "GET"): api_endpoint("files", files_api.list_files),
        ("/{file_id}", "GET"): api_endpoint("files", files_api.retrieve_file),
        ("/{file_id}", "DELETE"): api_endpoint("files", files_api.delete_file),
        ("/{file_id}/content", "GET"): api_endpoint("files", files_api.file_content),
    }
    for prefix in ("/v1", ""):  # the SDKs' own test suites call the root paths
        for name, endpoint in endpoints.items():
            routes.append(Route(f"{prefix}/images/{name}", endpoint, methods=["POST"]))
        for (suffix, method), handler in files.items():
            routes.append(Route(f"{prefix}/files{suffix}", handler, methods=[method]))
    return routes


TOKENIZER_WARMUP_DELAY = 1.0  # seconds after the start


def create_app(config: Config | None = None, *, clock: Clock | None = None) -> Starlette:
    """The emulator as an ASGI app; its state is ``app.state.emulator`` (an ``Emulator``)."""
    config = config or Config()
    clock = clock or Clock()
    emulator = Emulator(
        config=config,
        clock=clock,
        catalog=CATALOG,
        images=ImageStore(clock, config.url_store_mb * 1024 * 1024, config.url_ttl_seconds),
        journal=Journal(config.journal_size, JournalImages(config.journal_images_mb * MiB)),
        files=FileStore(config.files_store_mb * MiB),
        as_of=config.as_of_day,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Load the tokenizer vocabulary in the background, a moment after the start: parsing
        # it holds the GIL for a quarter of a second, which would otherwise delay the first
        # answers (a request that needs token counts sooner loads it itself).
        def warm_up() -> None:
            threading.Thread(
                target=tokenizer.encoding, name="tokenizer-warmup", daemon=True
            ).start()

        asyncio.get_running_loop().call_later(TOKENIZER_WARMUP_DELAY, warm_up)
        yield

    app = Starlette(
        routes=_routes(),
        middleware=[Middleware(ApiHeaders, version=__version__), Middleware(Cors)],
        exception_handlers={HTTPException: not_found},
        lifespan=lifespan,
    )
    app.state.emulator = emulator
    return app
