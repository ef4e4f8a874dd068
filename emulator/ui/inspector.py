"""The web inspector at ``/_emulator/``: every request, its images and its cost, live.

The page (``web/index.html``, ``app.js``, ``style.css``, shipped in the package, no
build step, nothing from the network) reads the journal through the routes below and
drives the existing control plane for its buttons. Every URL it uses is relative, so it
works behind a proxy that mounts the emulator under a path.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from importlib import resources

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from ..contract import errors, pricing
from ..contract.catalog import CATALOG
from ..testdouble.control import PREFIX, json_body
from ..testdouble.state import emulator_of

ASSETS = {
    "index.html": "text/html; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}
POLL_SECONDS = 0.2  # how often the live stream looks for journal changes
KEEPALIVE_SECONDS = 15.0


def _asset(name: str) -> Response:
    data = resources.files("emulator.ui.web").joinpath(name).read_bytes()
    return Response(data, media_type=ASSETS[name], headers={"cache-control": "no-cache"})


async def page(request: Request) -> Response:
    # The page lives at /_emulator/ so its relative URLs resolve; /ui leads there, with
    # a relative Location so a proxy's path prefix is kept.
    if request.url.path.endswith("/ui"):
        return RedirectResponse("./", status_code=307)
    if request.url.path.endswith("/ui/"):
        return RedirectResponse("../", status_code=307)
    return _asset("index.html")


async def asset(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in ASSETS:
        return JSONResponse(errors.control_refusal(errors.no_such_asset(name)), status_code=404)
    return _asset(name)


async def journal_image(request: Request) -> Response:
    kept = emulator_of(request).journal.images.get(request.path_params["sha256"])
    if kept is None:
        refusal = errors.control_refusal(errors.JOURNAL_IMAGE_DROPPED)
        return JSONResponse(refusal, status_code=404)
    data, media_type = kept
    return Response(data, media_type=media_type, headers={"cache-control": "max-age=3600"})


async def journal_stream(request: Request) -> Response:
    """Server-sent events: ``entry`` for every new or changed entry (all of them first),
    ``reset`` when the journal is cleared; a comment now and then keeps proxies open."""
    journal = emulator_of(request, create=True).journal  # a namespace whose requests are to come

    async def events() -> AsyncIterator[str]:
        revision, entries = journal.changed_since(-1)
        cleared = journal.cleared
        yield "event: reset\ndata: {}\n\n"
        for entry in entries:
            yield f"event: entry\ndata: {json.dumps(entry.as_dict())}\n\n"
        quiet = 0.0
        while True:
            await asyncio.sleep(POLL_SECONDS)
            if journal.cleared != cleared:
                cleared = journal.cleared
                yield "event: reset\ndata: {}\n\n"
            revision, entries = journal.changed_since(revision)
            for entry in entries:
                yield f"event: entry\ndata: {json.dumps(entry.as_dict())}\n\n"
            quiet = 0.0 if entries else quiet + POLL_SECONDS
            if quiet >= KEEPALIVE_SECONDS:
                quiet = 0.0
                yield ": keep-alive\n\n"

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"cache-control": "no-cache"}
    )


async def prices(request: Request) -> Response:
    return JSONResponse({"prices": pricing.table(CATALOG)})


async def settings(request: Request) -> Response:
    """What the page may change at run time: lenient mode."""
    emulator = emulator_of(request)
    try:  # the control plane's body rules: bounded, a stall timeout, a nesting limit
        body = await json_body(request)
    except ValueError:
        body = None
    if (
        not isinstance(body, dict)
        or set(body) != {"lenient"}
        or not isinstance(body["lenient"], bool)
    ):
        return JSONResponse(errors.control_refusal(errors.LENIENT_USAGE), status_code=400)
    emulator.config = replace(emulator.config, lenient=body["lenient"])
    return JSONResponse({"lenient": emulator.config.lenient})


def routes() -> list[Route]:
    return [
        Route(f"{PREFIX}/", page, methods=["GET"]),
        Route(f"{PREFIX}/ui", page, methods=["GET"]),
        Route(f"{PREFIX}/ui/", page, methods=["GET"]),
        Route(f"{PREFIX}/assets/{{name}}", asset, methods=["GET"]),
        Route(f"{PREFIX}/journal/stream", journal_stream, methods=["GET"]),
        Route(f"{PREFIX}/journal-images/{{sha256}}", journal_image, methods=["GET"]),
        Route(f"{PREFIX}/prices", prices, methods=["GET"]),
        Route(f"{PREFIX}/settings", settings, methods=["POST"]),
    ]
