"""Shared fixtures: the app in-process (official client and raw HTTP) and a real uvicorn server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import openai
import pytest
import uvicorn
from starlette.testclient import TestClient

from emulator import Config, create_app
from emulator.clock import Clock
from emulator.inprocess import async_openai_client, openai_client

FROZEN_NOW = 1_750_000_000.0  # 2025-06-15T15:06:40Z


@pytest.fixture
def clock() -> Clock:
    clock = Clock()
    clock.freeze(FROZEN_NOW)
    return clock


@pytest.fixture
def app(clock: Clock) -> Any:
    return create_app(Config(), clock=clock)


@pytest.fixture
def client(app: Any) -> Iterator[openai.OpenAI]:
    """The official client, in-process, with retries off so errors surface at once."""
    sdk = openai_client(app, max_retries=0)
    yield sdk
    sdk.close()


@pytest.fixture
def async_client(app: Any) -> openai.AsyncOpenAI:
    return async_openai_client(app, max_retries=0)


@pytest.fixture
def raw(app: Any) -> Iterator[TestClient]:
    """Plain HTTP into the app, for exact bytes and headers."""
    with TestClient(app, headers={"Authorization": "Bearer sk-test"}) as http:
        yield http


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


class LiveServer:
    """The emulator under uvicorn on a free loopback port, in a background thread."""

    def __init__(self, config: Config | None = None) -> None:
        self.clock = Clock()
        self.app = create_app(config or Config(), clock=self.clock)
        self._sock = free_socket()
        self.port = self._sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning"))
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )

    def __enter__(self) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the emulator did not start within 10 s")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    with LiveServer() as server:
        yield server


@pytest.fixture
def live_client(live_server: LiveServer) -> Iterator[openai.OpenAI]:
    sdk = openai.OpenAI(base_url=f"{live_server.base_url}/v1", api_key="sk-live", max_retries=0)
    yield sdk
    sdk.close()
