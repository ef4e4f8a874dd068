"""pytest plugin, active once the package is installed (entry point ``pytest11``).

Fixtures:
- ``images_emulator``: a running emulator (one per session, on a free loopback port),
  reset before each test. ``.base_url``, ``.client()``, and ``.emulator`` for the control
  plane in a line each: ``images_emulator.emulator.fail_next("rate_limit")``,
  ``images_emulator.emulator.requests(endpoint="edits")``, ``...clock.freeze()``.
- ``images_client``: an ``openai.OpenAI`` pointed at it (retries off, so faults surface).
- ``images_emulator_app``: a fresh app with no port; ``images_inprocess_client`` is an
  ``openai.OpenAI`` wired straight into it.

``@pytest.mark.images_emulator(reset=False)`` keeps what earlier tests left (journal,
faults, clock) instead of resetting. ``@pytest.mark.images_emulator(as_of="2025-06-01")``
answers that test as the API did on that day (a retirement, an older answer shape); the
default is today, and ``as_of="latest"`` serves every model with its latest behaviour.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .contract.dates import parse_as_of

MARKER = "images_emulator"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(reset=True, as_of=None): reset the images emulator before the test "
        "(reset=False keeps journal, faults and clock from earlier tests); as_of='YYYY-MM-DD' "
        "answers the test as the API did on that day ('today' by default; 'latest' serves "
        "every model)",
    )


@pytest.fixture(scope="session")
def images_emulator_server() -> Iterator[Any]:
    from .server import EmulatorServer

    with EmulatorServer() as server:
        yield server


@pytest.fixture
def images_emulator(images_emulator_server: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    marker = request.node.get_closest_marker(MARKER)
    options = marker.kwargs if marker is not None else {}
    emulator = images_emulator_server.emulator
    if options.get("reset", True):
        emulator.reset()
    configured = emulator.config.as_of_setting
    if options.get("as_of") is not None:
        emulator.as_of = parse_as_of(str(options["as_of"]), f"{MARKER}(as_of=...)")
    yield images_emulator_server
    emulator.as_of = configured


@pytest.fixture
def images_client(images_emulator: Any) -> Iterator[Any]:
    client = images_emulator.client(max_retries=0)
    yield client
    client.close()


@pytest.fixture
def images_emulator_app() -> Any:
    from .app import create_app

    return create_app()


@pytest.fixture
def images_inprocess_client(images_emulator_app: Any) -> Iterator[Any]:
    from .inprocess import openai_client

    client = openai_client(images_emulator_app, max_retries=0)
    yield client
    client.close()
