"""A dropped connection, the scripted ``drop`` fault: an answer begun and abandoned, so the
server closes the connection mid-response, with the server's complaint about it muted."""

from __future__ import annotations

import contextvars
import logging

from starlette.types import Receive, Scope, Send


class DropConnection(Exception):
    """A scripted fault: hang up without an answer."""


_dropping = contextvars.ContextVar("dropping", default=False)


class DroppedConnection:
    """Starts an answer and abandons it, so the server closes the connection mid-response.
    The server's complaint about the unfinished answer is muted (``QuietDrops``)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        _dropping.set(True)
        headers = [(b"content-type", b"application/json"), (b"content-length", b"1048576")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})


class QuietDrops(logging.Filter):
    """Installed on uvicorn's error log for the app's lifetime (``app.lifespan``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not _dropping.get()
