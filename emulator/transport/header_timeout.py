"""Connections that stall inside their request headers are closed (uvicorn has no such timeout:
its keep-alive timer stops at the first byte of a request, so a client that sends half a
request line and waits holds a connection, and a file descriptor, for ever; enough of them
and normal clients are refused).

``with_header_timeout(seconds)`` is uvicorn's httptools protocol with a timer armed when a
connection opens and when each request begins, and disarmed once its headers are complete.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


def with_header_timeout(seconds: float) -> type[HttpToolsProtocol]:
    """The protocol class to hand uvicorn (``uvicorn.Config(http=...)``)."""

    class HeaderTimeoutProtocol(HttpToolsProtocol):
        header_timeout = seconds
        _header_timer: asyncio.TimerHandle | None = None

        def _arm(self) -> None:
            self._disarm()
            self._header_timer = self.loop.call_later(self.header_timeout, self._too_slow)

        def _disarm(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _too_slow(self) -> None:
            self._header_timer = None
            if not self.transport.is_closing():
                self.transport.close()

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._arm()

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._arm()

        def on_headers_complete(self) -> None:
            self._disarm()
            super().on_headers_complete()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            # Idle between requests: uvicorn's keep-alive timer runs; the header timer again
            # from the next request's first byte (on_message_begin).

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

    return HeaderTimeoutProtocol
