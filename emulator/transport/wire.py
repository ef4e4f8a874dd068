"""Bytes and headers as the real API sends them (contract §10, §14.3, §14.4)."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Mapping

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..contract.errors import APIError

OPENAI_VERSION = "2020-10-01"
EMULATOR_VERSION_HEADER = "x-emulator-version"
DEFAULT_ORGANIZATION = "user-emulator"


def json_bytes(payload: object) -> bytes:
    """Pretty-printed with a 2-space indent, keys in the order given, as the API does."""
    # backslashreplace: a lone surrogate, should one get this far, becomes its JSON escape.
    return (json.dumps(payload, indent=2, ensure_ascii=False) + "\n").encode(
        "utf-8", "backslashreplace"
    )


def json_response(
    payload: object, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    # No charset parameter: the API sends a bare application/json.
    return Response(json_bytes(payload), status, headers, media_type="application/json")


def error_response(error: APIError, alphabetical: bool = False) -> Response:
    return json_response(error.body(alphabetical), error.status, error.headers)


def new_request_id() -> str:
    return "req_" + secrets.token_hex(16)


class ApiHeaders:
    """ASGI middleware adding the headers every API answer carries, errors included."""

    def __init__(self, app: ASGIApp, version: str) -> None:
        self.app = app
        self.version = version

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        organization = _header(scope, b"openai-organization") or DEFAULT_ORGANIZATION

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                elapsed_ms = round((time.perf_counter() - started) * 1000)
                extra = [
                    (b"openai-organization", organization.encode()),
                    (b"openai-processing-ms", str(elapsed_ms).encode()),
                    (b"openai-version", OPENAI_VERSION.encode()),
                    (b"x-request-id", request_id.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (EMULATOR_VERSION_HEADER.encode(), self.version.encode()),
                ]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
                entry = scope["state"].get("journal_entry")
                if entry is not None:  # the journal shows the answer's headers as sent
                    entry.response_headers = {
                        k.decode("latin-1"): v.decode("latin-1") for k, v in message["headers"]
                    }
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None
