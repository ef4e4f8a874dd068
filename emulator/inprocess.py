"""The official ``openai`` client talking to the emulator in-process, with no port.

    from emulator.inprocess import openai_client
    client = openai_client()            # or openai_client(create_app(config))
    client.images.generate(model="gpt-image-1", prompt="an otter")

openai 1.x/2.x build on ``httpx`` and 3.x on its successor ``httpx2``; both ship an async
ASGI transport, and the sync client gets a small bridge that runs the app on a private
event-loop thread.
"""

from __future__ import annotations

import asyncio
import threading
import types
from typing import Any

from starlette.types import ASGIApp

BASE_URL = "http://emulator.invalid/v1"
DEFAULT_KEY = "sk-emulator"


def http_module() -> types.ModuleType:
    """The HTTP client package the installed ``openai`` is built on."""
    import openai._base_client as base

    return base.httpx2 if hasattr(base, "httpx2") else base.httpx  # type: ignore[attr-defined]


def _default_app(app: ASGIApp | None) -> ASGIApp:
    if app is not None:
        return app
    from .app import create_app

    return create_app()


def sync_transport(app: ASGIApp, module: types.ModuleType | None = None) -> Any:
    """A sync transport into ``app`` for the ``module`` package (httpx or httpx2; by default
    the one the installed ``openai`` is built on)."""
    http: types.ModuleType = module if module is not None else http_module()

    class SyncASGITransport(http.BaseTransport):  # type: ignore[name-defined]
        def __init__(self) -> None:
            self._asgi = http.ASGITransport(app=app)
            # A daemon thread, so a client nobody closes never keeps the process alive.
            self._loop = asyncio.new_event_loop()
            self._thread = threading.Thread(
                target=self._loop.run_forever, name="emulator-asgi", daemon=True
            )
            self._thread.start()

        def handle_request(self, request: Any) -> Any:
            async def call() -> Any:
                response = await self._asgi.handle_async_request(request)
                content = await response.aread()
                return http.Response(
                    response.status_code, headers=response.headers, content=content
                )

            return asyncio.run_coroutine_threadsafe(call(), self._loop).result()

        def close(self) -> None:
            if self._loop.is_closed():
                return
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
            if not self._thread.is_alive():
                self._loop.close()

    return SyncASGITransport()


def openai_client(app: ASGIApp | None = None, **options: Any) -> Any:
    """An ``openai.OpenAI`` whose requests go straight into ``app`` (a new emulator if None)."""
    import openai

    http = http_module()
    client = http.Client(transport=sync_transport(_default_app(app)))
    options.setdefault("api_key", DEFAULT_KEY)
    options.setdefault("base_url", BASE_URL)
    return openai.OpenAI(http_client=client, **options)


def async_openai_client(app: ASGIApp | None = None, **options: Any) -> Any:
    """An ``openai.AsyncOpenAI`` whose requests go straight into ``app``."""
    import openai

    http = http_module()
    client = http.AsyncClient(transport=http.ASGITransport(app=_default_app(app)))
    options.setdefault("api_key", DEFAULT_KEY)
    options.setdefault("base_url", BASE_URL)
    return openai.AsyncOpenAI(http_client=client, **options)
