"""Bytes and headers as the real API sends them (contract §10, §14.3, §14.4)."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Mapping

import orjson
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import __version__
from ..contract.errors import APIError
from .cors import ANSWER_HEADERS

OPENAI_VERSION = "2020-10-01"
EMULATOR_VERSION_HEADER = "x-emulator-version"
DEFAULT_ORGANIZATION = "user-emulator"


_ORJSON_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE


def json_bytes(payload: object) -> bytes:
    """Pretty-printed with a 2-space indent, keys in the order given, as the API does.

    orjson writes what ``json.dumps(indent=2, ensure_ascii=False)`` writes, fifty times
    faster (floats in exponent form aside: ``1e-7``, not ``1e-07``); what it refuses (a lone
    surrogate, an integer beyond 64 bits) goes the standard library's way."""
    try:
        return orjson.dumps(payload, option=_ORJSON_OPTIONS)
    except (TypeError, orjson.JSONEncodeError):
        # backslashreplace: a lone surrogate becomes its JSON escape.
        text = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
        return text.encode("utf-8", "backslashreplace")


def json_response(
    payload: object, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    # No charset parameter: the API sends a bare application/json.
    return Response(json_bytes(payload), status, headers, media_type="application/json")


def error_response(error: APIError, alphabetical: bool = False) -> Response:
    return json_response(error.body(alphabetical), error.status, error.headers)


def new_request_id() -> str:
    return "req_" + secrets.token_hex(16)


def api_headers(request_id: str, organization: str | None, started: float) -> list[tuple[str, str]]:
    """The headers every API answer carries, errors included, after the answer's own."""
    elapsed_ms = round((time.perf_counter() - started) * 1000)
    return [
        ("openai-organization", organization or DEFAULT_ORGANIZATION),
        ("openai-processing-ms", str(elapsed_ms)),
        ("openai-version", OPENAI_VERSION),
        ("x-request-id", request_id),
        ("x-content-type-options", "nosniff"),
        (EMULATOR_VERSION_HEADER, __version__),
    ]


def _encoded(headers: list[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    return [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]


class Stamped:
    """An API answer with the headers every answer gets (CORS's, then the API's) added as it
    starts, and ``on_start`` told every header as sent (for the journal). The middlewares
    below let a stamped answer pass unchanged."""

    def __init__(
        self,
        reply: ASGIApp,
        request_id: str,
        organization: str | None,
        started: float,
        on_start: Callable[[dict[str, str]], None],
    ) -> None:
        self.reply = reply
        self.request_id = request_id
        self.organization = organization
        self.started = started
        self.on_start = on_start

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def stamped_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = api_headers(self.request_id, self.organization, self.started)
                headers = [*message.get("headers", []), *ANSWER_HEADERS, *_encoded(extra)]
                message = {**message, "headers": headers}
                self.on_start({k.decode("latin-1"): v.decode("latin-1") for k, v in headers})
            await send(message)

        await self.reply(scope, receive, stamped_send)


class ApiHeaders:
    """ASGI middleware giving every request its id and every answer the API's headers;
    answers the pipeline stamped already (``Stamped``) pass through unchanged."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = start_request(scope)
        organization = _header(scope, b"openai-organization")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(key == b"x-request-id" for key, _ in headers):
                    extra = api_headers(request_id, organization, started)
                    message = {**message, "headers": headers + _encoded(extra)}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def start_request(scope: Scope) -> str:
    """The request's id, given once (in the scope's state, where ``request.state`` reads it)."""
    state = scope.setdefault("state", {})
    if "request_id" not in state:
        state["request_id"] = new_request_id()
    request_id: str = state["request_id"]
    return request_id


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None
