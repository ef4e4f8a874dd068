"""Browsers may call the emulator's API from any origin, as they may call the real API; the
control plane only from its own pages and the origins configured for it.

A preflight (``OPTIONS`` with ``Access-Control-Request-Method``) on any path answers 200
with the methods and exactly the headers the browser asked to send (the SDK's
``authorization``, ``x-stainless-*`` ...: a ``*`` would not cover ``authorization``). Every
answer carries ``Access-Control-Allow-Origin: *`` and exposes the headers a browser client
reads. No cookies are involved, so the wildcard origin is allowed with every request.

Paths under ``private_prefix`` (the control plane and the inspector, but for the
``public_prefixes`` under it: image URLs) carry no CORS headers at all, so that another
origin's page cannot read them, unless the page's origin is one of ``private_origins``.
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

    def __init__(
        self,
        app: ASGIApp,
        private_prefix: str = "",
        public_prefixes: tuple[str, ...] = (),
        private_origins: frozenset[str] = frozenset(),
    ) -> None:
        self.app = app
        self.private_prefix = private_prefix
        self.public_prefixes = public_prefixes
        self.private_origins = private_origins

    def _allowed(self, scope: Scope, headers: dict[bytes, bytes]) -> bytes | None:
        """The Access-Control-Allow-Origin this request gets (None: no CORS headers)."""
        path = scope.get("path", "")
        private = bool(self.private_prefix) and (
            path == self.private_prefix or path.startswith(self.private_prefix + "/")
        )
        if not private or path.startswith(self.public_prefixes):
            return b"*"
        origin = headers.get(b"origin", b"")
        return origin if origin.decode("latin-1").lower() in self.private_origins else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        allowed = self._allowed(scope, headers)
        if scope["method"] == "OPTIONS" and b"access-control-request-method" in headers:
            await _preflight(headers.get(b"access-control-request-headers", b""), allowed, send)
            return
        marks = ANSWER_HEADERS if allowed == b"*" else _marks(allowed)

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start" and marks:
                headers = message.get("headers", [])
                # The API's own answers come marked already (``wire.Stamped``).
                if not any(key == b"access-control-allow-origin" for key, _ in headers):
                    message = {**message, "headers": [*headers, *marks]}
            await send(message)

        await self.app(scope, receive, send_with_cors)


def _marks(origin: bytes | None) -> list[tuple[bytes, bytes]]:
    if origin is None:
        return []
    return [
        (b"access-control-allow-origin", origin),
        (b"vary", b"Origin"),
        (b"access-control-expose-headers", EXPOSE_HEADERS),
    ]


async def _preflight(requested_headers: bytes, allowed: bytes | None, send: Send) -> None:
    if allowed is None:  # another origin's page and a private path: nothing allowed
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-length", b"0"), (b"vary", b"Origin")]})  # fmt: skip
        await send({"type": "http.response.body", "body": b""})
        return
    headers = [
        (b"access-control-allow-origin", allowed),
        (b"access-control-allow-methods", ALLOW_METHODS),
        (b"access-control-max-age", PREFLIGHT_MAX_AGE),
        (b"access-control-expose-headers", EXPOSE_HEADERS),
        (b"content-length", b"0"),
    ]
    if requested_headers.strip():
        headers.append((b"access-control-allow-headers", requested_headers))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b""})
