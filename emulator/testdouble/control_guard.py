"""The guard in front of the control plane and the inspector (``/_emulator/…``).

- **Keys**: when the API requires keys (``--api-keys``), so does every control-plane route:
  an accepted ``Authorization: Bearer`` key, or the inspector's session cookie, which
  ``POST /_emulator/session`` hands out for an accepted key (``HttpOnly``,
  ``SameSite=Strict``). The inspector's page and its scripts need none: they hold no data.
- **Other origins**: a page of another origin may neither read the control plane (no CORS
  headers for it, unless ``--control-origins`` names that origin) nor write to it (a write
  whose ``Origin`` is another is a 403), so a web page a developer opens cannot reset the
  emulator, script faults or read the journal.
- **JSON only**: a write with a body must say ``Content-Type: application/json``, which a
  browser sends cross-site only after a preflight.

Image URLs handed out by the API (``/_emulator/images/…``) stay open, as the real API's are.
"""

from __future__ import annotations

import secrets
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from ..contract import errors
from ..contract.errors import APIError
from ..transport.wire import error_response

PREFIX = "/_emulator"
OPEN_PATHS = (f"{PREFIX}/images/", f"{PREFIX}/assets/", f"{PREFIX}/health")
PAGES = (f"{PREFIX}/", f"{PREFIX}/ui", f"{PREFIX}/ui/")
SESSION_COOKIE = "emulator_session"
SESSION_PATH = f"{PREFIX}/session"
MAX_SESSIONS = 1000


def is_control(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def is_open(path: str, method: str) -> bool:
    """Paths any caller may reach: image URLs, the page and its assets, health."""
    return path.startswith(OPEN_PATHS) or (method == "GET" and path in (*PAGES, PREFIX))


def own_origin(scope: Scope) -> str:
    headers = dict(scope.get("headers", []))
    host = headers.get(b"host", b"").decode("latin-1")
    return f"{scope.get('scheme', 'http')}://{host}".lower()


def allowed_origin(scope: Scope, origin: str, configured: frozenset[str]) -> bool:
    return origin.lower() in configured or origin.lower() == own_origin(scope)


class Sessions:
    """The inspector's session tokens (in memory, a bounded number)."""

    def __init__(self) -> None:
        self._tokens: dict[str, None] = {}

    def new(self) -> str:
        token = secrets.token_urlsafe(24)
        self._tokens[token] = None
        while len(self._tokens) > MAX_SESSIONS:  # the oldest go first
            del self._tokens[next(iter(self._tokens))]
        return token

    def __contains__(self, token: str) -> bool:
        return token in self._tokens


def _cookie(headers: dict[bytes, bytes]) -> str | None:
    for part in headers.get(b"cookie", b"").decode("latin-1").split(";"):
        name, _, value = part.strip().partition("=")
        if name == SESSION_COOKIE:
            return value
    return None


def _bearer(headers: dict[bytes, bytes]) -> str:
    scheme, _, key = headers.get(b"authorization", b"").decode("latin-1").strip().partition(" ")
    return key.strip() if scheme.lower() == "bearer" else ""


class ControlGuard:
    """ASGI middleware for ``/_emulator/…``; every other path passes untouched."""

    def __init__(
        self, app: ASGIApp, accepted_keys: frozenset[str], origins: frozenset[str]
    ) -> None:
        self.app = app
        self.accepted_keys = accepted_keys
        self.origins = origins
        self.sessions = Sessions()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path, method = scope.get("path", ""), scope.get("method", "GET")
        if scope["type"] != "http" or not is_control(path) or path.startswith(OPEN_PATHS):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        try:
            self._check(scope, headers, path, method)
        except APIError as refused:
            await error_response(refused)(scope, receive, send)
            return
        if path == SESSION_PATH and method == "POST":
            await self._open_session(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _check(self, scope: Scope, headers: dict[bytes, bytes], path: str, method: str) -> None:
        writes = method not in ("GET", "HEAD", "OPTIONS")
        origin = headers.get(b"origin", b"").decode("latin-1")
        if writes and origin and not allowed_origin(scope, origin, self.origins):
            raise errors.control_cross_origin(origin)
        if writes and _has_body(headers):
            content_type = headers.get(b"content-type", b"").decode("latin-1")
            if content_type.split(";")[0].strip().lower() != "application/json":
                raise errors.control_needs_json(content_type)
        if self.accepted_keys and not is_open(path, method):
            key = _bearer(headers)
            if key in self.accepted_keys:
                return
            cookie = _cookie(headers)
            if cookie is not None and cookie in self.sessions and path != SESSION_PATH:
                return
            raise errors.incorrect_api_key(key) if key else errors.missing_api_key()

    async def _open_session(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A session cookie for the inspector (its EventSource and images send no headers)."""
        token = self.sessions.new()
        cookie = (f"{SESSION_COOKIE}={token}; Path={PREFIX}; HttpOnly; SameSite=Strict").encode()
        body = b'{"session": true}'
        response: dict[str, Any] = {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"set-cookie", cookie),
            ],
        }
        await send(response)
        await send({"type": "http.response.body", "body": body})


def _has_body(headers: dict[bytes, bytes]) -> bool:
    length = headers.get(b"content-length", b"0").strip() or b"0"
    return b"transfer-encoding" in headers or length != b"0"
