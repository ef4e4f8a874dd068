"""The contract suite's two targets: the emulator (default, started here) and the real API.

    pytest contract_tests                                  # against the emulator
    OPENAI_API_KEY=sk-... pytest contract_tests --target real --max-paid-calls 3

Before it starts it says how many calls will cost money (answers with images); refusals
are free. ``--max-paid-calls`` caps them: the rest are skipped, cheapest kept first.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from .exchange import is_paid

REAL_API = "https://api.openai.com"
CONTRACT_KEY = "sk-contract-suite"


@dataclass
class Target:
    name: str
    http: httpx.Client
    api_key: str
    server: Any = None  # the EmulatorServer when the target is the emulator

    def before_each(self) -> None:
        if self.server is not None:
            self.server.emulator.reset()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("contract", "contract suite")
    group.addoption(
        "--target",
        choices=("emulator", "real"),
        default="emulator",
        help="what to run the contract against (default: the emulator)",
    )
    group.addoption(
        "--max-paid-calls",
        type=int,
        default=5,
        help="with --target real: at most this many calls that produce images",
    )
    group.addoption("--real-base-url", default=REAL_API, help="the real API's base URL")


def _fixture_of(item: pytest.Item) -> dict[str, Any] | None:
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("fixture") if callspec is not None else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--target") != "real":
        return
    limit = config.getoption("--max-paid-calls")
    paid = [item for item in items if (f := _fixture_of(item)) is not None and is_paid(f)]
    for item in paid[limit:]:
        item.add_marker(pytest.mark.skip(reason=f"over --max-paid-calls {limit}"))
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(
            f"contract suite against the real API: {min(len(paid), limit)} paid call(s) "
            f"(of {len(paid)}; --max-paid-calls {limit}), "
            f"{len([i for i in items if _fixture_of(i) is not None]) - len(paid)} free refusals"
        )


@pytest.fixture(scope="session")
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    if request.config.getoption("--target") == "real":
        key = os.environ.get("OPENAI_API_KEY")
        if not key:
            pytest.skip("--target real needs OPENAI_API_KEY; none is set")
        base = request.config.getoption("--real-base-url")
        with httpx.Client(base_url=base, timeout=300) as http:
            yield Target("real", http, key)
        return
    from emulator import Config
    from emulator.server import EmulatorServer

    # Only the suite's key is accepted, so a fixture with another key gets the real 401.
    config = Config(api_keys=CONTRACT_KEY)
    with (
        EmulatorServer(config) as server,
        httpx.Client(base_url=server.base_url, timeout=60) as http,
    ):
        yield Target("emulator", http, CONTRACT_KEY, server)
