"""Shared fixtures: the app in-process (official client and raw HTTP) and a real uvicorn server."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import openai
import pytest
from starlette.testclient import TestClient

from emulator import create_app
from emulator.inprocess import async_openai_client, openai_client
from emulator.server import EmulatorServer
from emulator.testdouble.clock import Clock

from .latest import latest

FROZEN_NOW = 1_750_000_000.0  # 2025-06-15T15:06:40Z


@pytest.fixture
def clock() -> Clock:
    clock = Clock()
    clock.freeze(FROZEN_NOW)
    return clock


@pytest.fixture
def app(clock: Clock) -> Any:
    return create_app(latest(), clock=clock)


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


LiveServer = EmulatorServer  # the emulator under uvicorn on a free loopback port


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    with LiveServer(as_of="latest") as server:
        yield server


@pytest.fixture
def live_client(live_server: LiveServer) -> Iterator[openai.OpenAI]:
    sdk = openai.OpenAI(base_url=f"{live_server.base_url}/v1", api_key="sk-live", max_retries=0)
    yield sdk
    sdk.close()
