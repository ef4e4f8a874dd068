"""Browsers may call the emulator from any origin, as they may call the real API.

A preflight (``OPTIONS`` with ``Access-Control-Request-Method``) on any path answers 200
with the methods and exactly the headers the browser asked to send (the SDK's
``authorization``, ``x-stainless-*`` ...: a ``*`` would not cover ``authorization``). Every
answer carries ``Access-Control-Allow-Origin: *`` and exposes the headers a browser client
reads. No cookies are involved, so the wildcard origin is allowed with every request.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ALLOW_METHODS = b"GET, POST, DELETE, OPTIONS"
# The real API exposes X-Request-ID; the processing time is exposed too so that a page
# can show what the SDK would log.
EXPOSE_HEADERS = b"X-Request-ID, openai-processing-ms"
PREFLIGHT_MAX_AGE = b"600"
# What every answer but a preflight carries.
ANSWER_HEADERS = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-expose-headers", EXPOSE_HEADERS),
]


class Cors:
    """ASGI middleware: answers preflights itself and marks every other answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        if scope["method"] == "OPTIONS" and b"access-control-request-method" in headers:
            await _preflight(headers.get(b"access-control-request-headers", b""), send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                # The API's own answers come marked already (``wire.Stamped``).
                if not any(key == b"access-control-allow-origin" for key, _ in headers):
                    message = {**message, "headers": [*headers, *ANSWER_HEADERS]}
            await send(message)

        await self.app(scope, receive, send_with_cors)


async def _preflight(requested_headers: bytes, send: Send) -> None:
    headers = [
        (b"access-control-allow-origin", b"*"),
        (b"access-control-allow-methods", ALLOW_METHODS),
        (b"access-control-max-age", PREFLIGHT_MAX_AGE),
        (b"access-control-expose-headers", EXPOSE_HEADERS),
        (b"content-length", b"0"),
    ]
    if requested_headers.strip():
        headers.append((b"access-control-allow-headers", requested_headers))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b""})
