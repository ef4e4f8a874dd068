"""The Starlette app: the images API, the image URLs and the control plane, in one place.

``create_app(config)`` serves uvicorn, Docker, the pytest plugin and in-process clients.
The request path is ``api.pipeline.handle``; each endpoint family declares itself in its
``api`` module (what body it reads, how it plans or answers).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import Receive, Scope, Send

from .api import azure_door
from .api.batches import BATCHES, resume_batches
from .api.drops import QuietDrops
from .api.edits import EDITS
from .api.files import FILES
from .api.generations import GENERATIONS
from .api.image_urls import FILES_PATH, serve_image
from .api.model_listing import MODELS
from .api.pipeline import ApiEndpoint, handle
from .api.responses_endpoint import RESPONSES
from .api.variations import VARIATIONS
from .api.webhook_endpoints import WEBHOOK_ENDPOINTS, WEBHOOK_EVENT_TYPES
from .config import Config
from .contract import added_models, errors, tokenizer
from .contract.added_models import AddedModel
from .contract.catalog import CATALOG
from .contract.specs import MiB
from .contract.webhook_events import SENT
from .jobs.workers import RenderWorkers
from .testdouble import control
from .testdouble.clock import Clock
from .testdouble.control_guard import ControlGuard
from .testdouble.data_dir import DataDir
from .testdouble.durable import restore
from .testdouble.journal import Journal, JournalImages
from .testdouble.recording import Recordings
from .testdouble.state import Emulator, emulator_of
from .testdouble.stores import FileStore, ImageStore, ResponseStore
from .testdouble.webhook_sender import WebhookSender
from .transport.cors import Cors
from .transport.webhook_signature import new_secret
from .transport.wire import ApiHeaders, Stamped, error_response, start_request
from .ui import inspector


async def get_image(request: Request) -> Response:
    emulator = emulator_of(request)
    return serve_image(request, emulator.images, emulator.clock.now())


async def api_error(request: Request, exc: Exception) -> Response:
    # An APIError outside the request path (a malformed namespace on the control plane).
    assert isinstance(exc, errors.APIError)
    return error_response(exc)


async def not_found(request: Request, exc: Exception) -> Response:
    # Unknown paths and wrong methods alike, as the API words it.
    return error_response(errors.invalid_url(request.method, request.url.path))


class ApiRoute(Route):
    """An API route: its endpoint is what ``pipeline.handle`` answers with."""

    def __init__(self, path: str, endpoint: ApiEndpoint, method: str) -> None:
        async def serve(request: Request) -> Response:
            return await handle(endpoint, request)  # type: ignore[return-value]

        super().__init__(path, serve, methods=[method])
        self.api_endpoint = endpoint


AZURE_PREFIX = "/openai/"  # Azure OpenAI's door (api.azure_door)


class EmulatorApp(Starlette):
    """Starlette, with a short way in for the API's fixed paths.

    A request for one of them goes straight to ``pipeline.handle``: a dictionary lookup in
    place of the router's walk through every route, and none of the middleware layers,
    whose work the pipeline's ``Stamped`` answer does already (the API's headers, CORS's).
    Everything else (paths with parameters, preflights, the control plane, the inspector,
    unknown paths) takes Starlette's way. The layers cost 0.07 ms a request: a quarter of
    a repeated answer's whole cost (``bench/bench_profile.py``).
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.api_paths = _fixed_api_paths(self.router.routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint = None
        if scope["type"] == "http" and scope["path"].startswith(AZURE_PREFIX):
            await azure_door.serve(self, scope, receive, send)  # back here on OpenAI's path
            return
        if scope["type"] == "http":
            endpoint = self.api_paths.get((scope["method"], scope["path"]))
        if endpoint is None:
            await super().__call__(scope, receive, send)
            return
        scope["app"] = self
        start_request(scope)
        reply = await handle(endpoint, Request(scope, receive, send))
        if isinstance(reply, Stamped):
            await reply(scope, receive, send)
        else:  # a proxied or early answer: stamped as the layers would
            await ApiHeaders(Cors(reply))(scope, receive, send)


def _fixed_api_paths(routes: list[BaseRoute]) -> dict[tuple[str, str], ApiEndpoint]:
    """(method, path) of every API route without parameters that the router would pick
    for that method and path (no earlier route takes it first)."""
    fixed: dict[tuple[str, str], ApiEndpoint] = {}
    for index, route in enumerate(routes):
        if not isinstance(route, ApiRoute) or route.param_convertors:
            continue
        for method in route.methods or ():
            probe = {"type": "http", "path": route.path, "method": method}
            earlier = [other.matches(probe)[0] for other in routes[:index]]
            if Match.FULL not in earlier and method != "HEAD":
                fixed.setdefault((method, route.path), route.api_endpoint)
    return fixed


def _routes() -> list[Route]:
    routes = [
        Route(f"{FILES_PATH}/{{name}}", get_image, methods=["GET"]),
        *control.routes(),
        *inspector.routes(),
    ]
    images = {"generations": GENERATIONS, "edits": EDITS, "variations": VARIATIONS}
    for prefix in ("/v1", ""):  # the SDKs' own test suites call the root paths
        for name, endpoint in images.items():
            routes.append(ApiRoute(f"{prefix}/images/{name}", endpoint, "POST"))
        for (suffix, method), endpoint in FILES.items():
            routes.append(ApiRoute(f"{prefix}/files{suffix}", endpoint, method))
        for suffix, endpoint in MODELS.items():
            routes.append(ApiRoute(f"{prefix}/models{suffix}", endpoint, "GET"))
        for (suffix, method), endpoint in RESPONSES.items():
            routes.append(ApiRoute(f"{prefix}/responses{suffix}", endpoint, method))
        for (suffix, method), endpoint in BATCHES.items():
            routes.append(ApiRoute(f"{prefix}/batches{suffix}", endpoint, method))
        for (suffix, method), endpoint in WEBHOOK_ENDPOINTS.items():
            routes.append(ApiRoute(f"{prefix}/webhook_endpoints{suffix}", endpoint, method))
        routes.append(ApiRoute(f"{prefix}/webhook_event_types", WEBHOOK_EVENT_TYPES, "GET"))
    return routes


TOKENIZER_WARMUP_DELAY = 1.0  # seconds after the start


class _ErrorsOnly(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.ERROR


@contextmanager
def quiet_logs() -> Iterator[None]:
    """For the app's lifetime: no uvicorn complaint about a scripted dropped connection, and
    no python-multipart warning per malformed body (each one is answered with a 400).
    Filters, not levels, so that apps running side by side each add and remove their own."""
    installed = [
        (logging.getLogger("uvicorn.error"), QuietDrops()),
        (logging.getLogger("python_multipart"), _ErrorsOnly()),
    ]
    for logger, quiet in installed:
        logger.addFilter(quiet)
    try:
        yield
    finally:
        for logger, quiet in installed:
            logger.removeFilter(quiet)


def recordings_of(config: Config) -> Recordings | None:
    """The folder to record into (``--record``) or replay from (``--replay``)."""
    if config.record:
        return Recordings(Path(config.record))
    if config.replay:
        ignored = tuple(name.strip() for name in config.replay_ignore.split(",") if name.strip())
        return Recordings(Path(config.replay), ignored).load()
    return None


def added_models_of(config: Config) -> list[AddedModel]:
    """The models ``--model`` adds, checked against the catalog (a ValueError says why one
    cannot be added)."""
    models: list[AddedModel] = []
    for model in config.added_models:
        models.append(added_models.checked(model, CATALOG, models))
    return models


def _start_webhooks(emulator: Emulator, config: Config) -> None:
    """The sender, and the ``--webhook-url`` endpoints (with the secret made when none was
    given: the start-up line and ``GET /_emulator/config`` show it)."""
    emulator.webhooks.sender = WebhookSender(
        config.webhook_attempts, config.webhook_retry_seconds, config.webhook_timeout_seconds
    )
    urls = config.webhook_url_list
    if urls and not config.webhook_secret:
        emulator.config = config = config.with_overrides(webhook_secret=new_secret())
    for number, url in enumerate(urls, 1):
        emulator.webhooks.add(
            f"--webhook-url {number}", url, list(SENT), int(emulator.clock.now()),
            secret=config.webhook_secret, from_flag=True,
        )  # fmt: skip


def create_app(config: Config | None = None, *, clock: Clock | None = None) -> EmulatorApp:
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
        responses=ResponseStore(config.responses_store_mb * MiB),
        as_of=config.as_of_setting,
        recordings=recordings_of(config),
    )
    emulator._set_added(added_models_of(config))
    _start_webhooks(emulator, config)
    if config.data_dir:  # a DataDirError says why the folder cannot be used
        emulator.data_dir = DataDir(config.data_dir)
        restore(emulator, emulator.data_dir)

    # Render workers run for a served app's lifetime (none in-process: tests, the plugin).
    workers = RenderWorkers(config.render_workers) if config.render_workers > 0 else None

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Load the tokenizer vocabulary in the background, a moment after the start: parsing
        # it holds the GIL for a quarter of a second, which would otherwise delay the first
        # answers (a request that needs token counts sooner loads it itself).
        def warm_up() -> None:
            threading.Thread(
                target=tokenizer.encoding, name="tokenizer-warmup", daemon=True
            ).start()

        warm_up_timer = asyncio.get_running_loop().call_later(TOKENIZER_WARMUP_DELAY, warm_up)
        starting = asyncio.create_task(workers.start()) if workers is not None else None
        resume_batches(app, emulator)  # batches a restart interrupted go on
        with quiet_logs():
            try:
                yield
            finally:
                warm_up_timer.cancel()
                emulator.close()
                await emulator.aclose()
                if starting is not None and workers is not None:
                    await starting
                    await workers.aclose()

    app = EmulatorApp(
        routes=_routes(),
        middleware=[
            Middleware(ApiHeaders),
            Middleware(
                Cors,
                private_prefix=control.PREFIX,
                public_prefixes=(FILES_PATH + "/",),
                private_origins=config.control_origin_set,
            ),
            Middleware(
                ControlGuard,
                accepted_keys=config.accepted_keys,
                origins=config.control_origin_set,
            ),
        ],
        exception_handlers={HTTPException: not_found, errors.APIError: api_error},
        lifespan=lifespan,
    )
    app.state.emulator = emulator
    app.state.render_workers = workers
    return app
