"""The control plane under ``/_emulator/``, apart from the API (as moto's ``/moto-api/``):
health, version, effective configuration, reset, clock, journal and faults, described by
the OpenAPI document it serves at ``/_emulator/openapi.json``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import __version__
from ..contract import eras, errors
from ..contract.dates import parse_as_of, resolved
from ..contract.errors import APIError
from ..transport.body import parse_json, read_bytes
from ..transport.wire import OPENAI_VERSION
from .clock import ClockRangeError
from .faults import Fault, ScriptQueue
from .state import Emulator, emulator_of
from .turns import ScriptedTurn

PREFIX = "/_emulator"


def _bad(message: str) -> JSONResponse:
    return JSONResponse(errors.control_refusal(message), status_code=400)


async def json_body(request: Request) -> Any:
    """The JSON body, {} when empty; a ValueError says what is wrong with it."""
    try:
        data = await read_bytes(request, emulator_of(request).config.body_timeout_seconds)
        return parse_json(data) if data.strip() else {}
    except APIError as error:
        raise ValueError(error.message) from None


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def version(request: Request) -> Response:
    return JSONResponse({"version": __version__, "openai_version": OPENAI_VERSION})


async def config(request: Request) -> Response:
    """The effective options; the accepted keys are never shown, only how many there are."""
    config = emulator_of(request).config
    shown = asdict(config)
    keys = config.accepted_keys
    shown["api_keys"] = f"<{len(keys)} key(s), not shown>" if keys else ""
    durable = emulator_of(request).durable
    if durable is not None:  # how much of the disk the kept state takes
        shown["data_dir_bytes"] = durable.disk_bytes()
    return JSONResponse(shown)


async def reset(request: Request) -> Response:
    emulator_of(request).reset()
    return JSONResponse({"reset": True})


def _clock_state(emulator: Emulator) -> dict[str, object]:
    return {"now": emulator.clock.now(), "frozen": emulator.clock.frozen}


async def clock(request: Request) -> Response:
    emulator = emulator_of(request)
    if request.method == "GET":
        return JSONResponse(_clock_state(emulator))
    try:
        body = await json_body(request)
    except ValueError as error:
        return _bad(errors.control_not_json(str(error)))
    if not isinstance(body, dict):
        return _bad(errors.CONTROL_NOT_AN_OBJECT)
    numbers = [body.get(k) for k in ("at", "advance") if k in body]
    if any(isinstance(n, bool) or not isinstance(n, int | float) for n in numbers):
        return _bad(errors.CLOCK_NUMBERS)
    try:
        if body.get("reset"):
            emulator.clock.reset()
        if body.get("freeze"):
            emulator.clock.freeze(body.get("at"))
        if "advance" in body:
            emulator.clock.advance(float(body["advance"]))
        if body.get("unfreeze"):
            emulator.clock.unfreeze()
    except (ClockRangeError, OverflowError) as error:
        return _bad(str(error))
    return JSONResponse(_clock_state(emulator))


async def journal(request: Request) -> Response:
    emulator = emulator_of(request)
    if request.method == "DELETE":
        emulator.journal.clear()
        return JSONResponse({"entries": []})
    query = request.query_params
    status = query.get("status")
    if status is not None and not status.isdigit():
        return _bad(errors.JOURNAL_STATUS)
    entries = emulator.journal.entries(
        endpoint=query.get("endpoint"),
        model=query.get("model"),
        status=int(status) if status else None,
    )
    return JSONResponse({"entries": [entry.as_dict() for entry in entries]})


async def _scripted(
    request: Request,
    queue: ScriptQueue[Any],
    parse: Callable[[Mapping[str, object]], Any],
    name: str,
    not_objects: str,
) -> Response:
    """``GET`` what is queued, ``POST`` one item or a list of them, ``DELETE`` them all."""
    if request.method == "DELETE":
        queue.clear()
    elif request.method == "POST":
        try:
            body = await json_body(request)
            items = body if isinstance(body, list) else [body]
            added = [parse(item) for item in items if isinstance(item, dict)]
            if len(added) != len(items):
                raise ValueError(not_objects)
        except ValueError as error:
            return _bad(str(error))
        for item in added:
            queue.add(item)
        return JSONResponse({name: [item.as_dict() for item in added]}, status_code=201)
    return JSONResponse({name: [item.as_dict() for item in queue.pending()]})


async def faults(request: Request) -> Response:
    faults = emulator_of(request).faults
    return await _scripted(request, faults, Fault.from_json, "faults", errors.FAULTS_ARE_OBJECTS)


async def turns(request: Request) -> Response:
    """The Responses API's emulated model's next turns, scripted (``testdouble.turns``)."""
    queue = emulator_of(request).turns
    parse = ScriptedTurn.from_json
    return await _scripted(request, queue, parse, "turns", errors.TURNS_ARE_OBJECTS)


async def webhooks(request: Request) -> Response:
    """The namespace's webhook endpoints (the flag's too, never a secret) and its deliveries,
    oldest first, with every attempt."""
    hooks = emulator_of(request).webhooks
    endpoints = [e.public() | {"from_flag": e.from_flag} for e in hooks.all()]
    return JSONResponse({"endpoints": endpoints, "deliveries": hooks.listing()})


async def webhook_faults(request: Request) -> Response:
    """What the next deliveries suffer: late, duplicated or out of order."""
    try:
        body = await json_body(request)
        if not isinstance(body, dict) or not isinstance(body.get("kind"), str):
            raise ValueError(errors.control_usage(WEBHOOK_FAULT_USAGE))
        options = {name: body[name] for name in ("count", "seconds") if name in body}
        fault = emulator_of(request).webhook_fault(str(body["kind"]), **options)
    except (ValueError, TypeError) as error:
        return _bad(str(error))
    return JSONResponse({"fault": fault.__dict__}, status_code=201)


WEBHOOK_FAULT_USAGE = '{"kind": "late" | "duplicate" | "out_of_order", "count": 1, "seconds": 5}'


async def eras_listing(request: Request) -> Response:
    """The table of dated changes, and what is served on a day (``?as_of=``, else the
    emulator's own setting: today unless pinned, or ``latest``)."""
    emulator = emulator_of(request)
    setting = emulator.as_of
    if "as_of" in request.query_params:
        try:
            setting = parse_as_of(request.query_params["as_of"], "as_of")
        except ValueError as error:
            return _bad(str(error))
    day = resolved(setting)
    catalog = emulator.catalog_at(day)
    return JSONResponse(
        {
            "as_of": day.isoformat() if day else None,
            "changes": [
                {"date": c.date.isoformat(), "what": c.what, "source": c.source}
                for c in eras.table(emulator.catalog)
            ],
            "served": {name: list(spec.models) for name, spec in catalog.endpoints.items()},
            "retired": {name: list(spec.retired) for name, spec in catalog.endpoints.items()},
            "default_models": {
                name: spec.default_model for name, spec in catalog.endpoints.items()
            },
        }
    )


async def openapi(request: Request) -> Response:
    from .control_openapi import document

    return JSONResponse(document(__version__))


TOOL_CALL_MODES = ("auto", "always", "never")


async def string_fields(request: Request, names: tuple[str, ...], usage: str) -> list[str]:
    """The body's string values of ``names``; a ValueError (``usage``, what to send) when the
    body is not JSON or one is missing or not a string."""
    body = await json_body(request)
    values = [body.get(name) if isinstance(body, dict) else None for name in names]
    if not all(isinstance(value, str) for value in values):
        raise ValueError(errors.control_usage(usage))
    return [str(value) for value in values]


async def tool_calls(request: Request) -> Response:
    """Whether the Responses API's emulated model calls the image tool: ``auto`` (its rule),
    ``always`` or ``never``, until the next reset."""
    emulator = emulator_of(request)
    if request.method == "POST":
        usage = '{"mode": "auto"}, {"mode": "always"} or {"mode": "never"}'
        try:
            (mode,) = await string_fields(request, ("mode",), usage)
            if mode not in TOOL_CALL_MODES:
                raise ValueError(errors.control_usage(usage))
        except ValueError as error:
            return _bad(str(error))
        emulator.tool_calls = mode
    return JSONResponse({"mode": emulator.tool_calls})


async def as_of(request: Request) -> Response:
    """The day the namespace answers as of: ``POST {"as_of": "2026-11-20"}`` (or ``today``,
    ``latest``) until the next reset, which goes back to ``--as-of``; ``GET`` shows it."""
    emulator = emulator_of(request)
    if request.method == "POST":
        usage = '{"as_of": "YYYY-MM-DD"}, {"as_of": "today"} or {"as_of": "latest"}'
        try:
            (setting,) = await string_fields(request, ("as_of",), usage)
            emulator.as_of = parse_as_of(setting, "as_of")
        except ValueError as error:
            return _bad(str(error))
    day = emulator.as_of
    return JSONResponse({"as_of": day if isinstance(day, str) else day.isoformat()})


async def _named_pair(
    request: Request,
    names: tuple[str, str],
    usage: str,
    add: Callable[[Emulator, str, str], object],
    listing: Callable[[Emulator], tuple[str, object]],
) -> Response:
    """``POST`` two string fields (``names``) to ``add``, then (and on ``GET``) the
    ``listing``: what the models and Azure deployment routes share."""
    emulator = emulator_of(request)
    if request.method == "POST":
        try:
            first, second = await string_fields(request, names, usage)
            add(emulator, first, second)
        except ValueError as error:
            return _bad(str(error))
    key, listed = listing(emulator)
    return JSONResponse({key: listed})


async def models(request: Request) -> Response:
    """Models past the catalog's horizon: ``POST {"model": "gpt-6.3-sol", "copy_of":
    "gpt-6.2-sol"}`` serves the new name as a copy of the known one (image or text model) in
    every namespace until the next reset of the default one; ``GET`` lists them."""
    return await _named_pair(
        request,
        ("model", "copy_of"),
        '{"model": "gpt-6.3-sol", "copy_of": "gpt-6.2-sol"}',
        Emulator.add_model,
        lambda emulator: ("added", [model.as_dict() for model in emulator.added_models()]),
    )


async def azure_deployments(request: Request) -> Response:
    """Azure OpenAI deployments past the ones named after models: ``POST {"deployment":
    "painter", "model": "gpt-image-2"}`` in every namespace until the next reset of the
    default one (the ``--azure-deployment`` ones stay); ``GET`` lists them."""
    return await _named_pair(
        request,
        ("deployment", "model"),
        '{"deployment": "painter", "model": "gpt-image-2"}',
        Emulator.add_azure_deployment,
        lambda emulator: ("deployments", emulator.azure_deployments()),
    )


def routes() -> list[Route]:
    return [
        Route(f"{PREFIX}/health", health, methods=["GET"]),
        Route(f"{PREFIX}/version", version, methods=["GET"]),
        Route(f"{PREFIX}/config", config, methods=["GET"]),
        Route(f"{PREFIX}/reset", reset, methods=["POST"]),
        Route(f"{PREFIX}/clock", clock, methods=["GET", "POST"]),
        Route(f"{PREFIX}/journal", journal, methods=["GET", "DELETE"]),
        Route(f"{PREFIX}/faults", faults, methods=["GET", "POST", "DELETE"]),
        Route(f"{PREFIX}/turns", turns, methods=["GET", "POST", "DELETE"]),
        Route(f"{PREFIX}/webhooks", webhooks, methods=["GET"]),
        Route(f"{PREFIX}/webhooks/faults", webhook_faults, methods=["POST"]),
        Route(f"{PREFIX}/eras", eras_listing, methods=["GET"]),
        Route(f"{PREFIX}/tool-calls", tool_calls, methods=["GET", "POST"]),
        Route(f"{PREFIX}/models", models, methods=["GET", "POST"]),
        Route(f"{PREFIX}/azure-deployments", azure_deployments, methods=["GET", "POST"]),
        Route(f"{PREFIX}/as-of", as_of, methods=["GET", "POST"]),
        Route(f"{PREFIX}/openapi.json", openapi, methods=["GET"]),
    ]
