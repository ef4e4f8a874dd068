"""pytest plugin, active once the package is installed (entry point ``pytest11``).

Fixtures:
- ``images_emulator``: a running emulator (one per session, on a free loopback port),
  reset before each test. ``.base_url``, ``.client()``, and ``.emulator`` for the control
  plane in a line each: ``images_emulator.emulator.fail_next("rate_limit")``,
  ``images_emulator.emulator.requests(endpoint="edits")``, ``...clock.freeze()``.
- ``images_client``: an ``openai.OpenAI`` pointed at it (retries off, so faults surface).
- ``images_emulator_app``: a fresh app with no port; ``images_inprocess_client`` is an
  ``openai.OpenAI`` wired straight into it.

Namespaces: under pytest-xdist each worker has its own namespace (journal, faults, clock,
images, files, responses) on the emulator; ``@pytest.mark.images_emulator(namespace=True)``
gives one test its own. ``IMAGES_EMULATOR_URL`` shares a running emulator instead of
starting one (its control plane is then the HTTP one).

``@pytest.mark.images_emulator(reset=False)`` keeps what earlier tests left (journal,
faults, clock) instead of resetting. ``@pytest.mark.images_emulator(as_of="2025-06-01")``
answers that test as the API did on that day (a retirement, an older answer shape); the
default is today, and ``as_of="latest"`` serves every model with its latest behaviour.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from .config import OPTIONS
from .contract.dates import parse_as_of
from .testdouble.state import NAMESPACE_HEADER

URL_VARIABLE = "IMAGES_EMULATOR_URL"  # a running emulator to share instead of starting one

MARKER = "images_emulator"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("images_emulator", "the OpenAI images emulator's session server")
    group.addoption(
        "--images-emulator-option",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an emulator option for the session server, as its flag without the dashes "
        "(lenient=true, api_keys=sk-a, latency_factor=0.1, as_of=2026-06-01); repeatable",
    )
    group.addoption(
        "--images-emulator-as-of", metavar="DAY", help="the day the session server answers as of"
    )
    group.addoption(
        "--images-emulator-lenient", action="store_true", help="start the session server lenient"
    )
    group.addoption(
        "--images-emulator-model",
        action="append",
        default=[],
        metavar="NEW=KNOWN",
        help="serve a model the catalog does not know as a copy of a known one "
        "(gpt-6.3-sol=gpt-6.2-sol); repeatable",
    )
    parser.addini(
        "images_emulator_options",
        type="linelist",
        default=[],
        help="emulator options for the session server, one NAME=VALUE a line",
    )


def session_config(config: pytest.Config) -> Any:
    """The session server's options: the ini's, then the command line's (which win)."""
    from .config import Config

    pairs = [*config.getini("images_emulator_options"), *config.getoption("images_emulator_option")]
    if config.getoption("images_emulator_as_of"):
        pairs.append(f"as_of={config.getoption('images_emulator_as_of')}")
    if config.getoption("images_emulator_lenient"):
        pairs.append("lenient=true")
    pairs += [f"model={model}" for model in config.getoption("images_emulator_model")]
    environ: dict[str, str] = {}
    repeatable = {option.name for option in OPTIONS if option.metadata.get("repeatable")}
    for pair in pairs:
        name, sep, value = str(pair).partition("=")
        name = name.strip().replace("-", "_")
        if not sep or name not in {option.name for option in OPTIONS}:
            raise pytest.UsageError(f"images emulator option {pair!r}: expected NAME=VALUE with "
                                    f"one of the emulator's options")  # fmt: skip
        key = Config.env_name(name)
        if name in repeatable and environ.get(key):
            environ[key] += "," + value.strip()
        else:
            environ[key] = value.strip()
    try:
        found = Config.from_env(environ)
        from .app import added_models_of

        added_models_of(found)  # a model that cannot be added stops the run now
        return found
    except (SystemExit, ValueError) as error:
        raise pytest.UsageError(str(error)) from None


SESSION_CONFIG = pytest.StashKey[Any]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[SESSION_CONFIG] = session_config(config)  # a wrong option stops the run now
    config.addinivalue_line(
        "markers",
        f"{MARKER}(reset=True, as_of=None, namespace=False, lenient=None, faults=(), turns=()): "
        "reset the "
        "images emulator before the test "
        "(reset=False keeps journal, faults and clock from earlier tests); as_of='YYYY-MM-DD' "
        "answers the test as the API did on that day ('today' by default; 'latest' serves "
        "every model); namespace=True gives the test a namespace of its own; lenient=True/False "
        "for the test; faults=['rate_limit', {'kind': 'delay', 'delay_ms': 50}] scripted first; "
        "turns=[{'kind': 'text', 'text': 'Hi'}] the Responses API model's next turns",
    )


class RemoteServer:
    """An emulator another process runs (``IMAGES_EMULATOR_URL``), shared by many suites: the
    control plane is its HTTP one (``/_emulator/…``), each caller in its own namespace."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    @property
    def emulator(self) -> Any:
        """Its control plane over HTTP (the default namespace)."""
        return self.control("")

    def control(self, namespace: str) -> Any:
        from .testdouble.remote import RemoteEmulator

        return RemoteEmulator(self.base_url, namespace)

    def client(self, **options: Any) -> Any:
        import openai

        options.setdefault("api_key", "sk-emulator")
        options.setdefault("base_url", f"{self.base_url}/v1")
        return openai.OpenAI(**options)


class Namespaced:
    """The session's emulator as one namespace sees it: its own journal, faults, clock,
    images, files and stored responses ("" is the default namespace)."""

    def __init__(self, server: Any, namespace: str) -> None:
        self.server = server
        self.namespace = namespace
        self.base_url = server.base_url
        self._remote: Any = None

    @property
    def emulator(self) -> Any:
        """The namespace's state in-process, or its control plane over HTTP when shared."""
        if isinstance(self.server, RemoteServer):
            if self._remote is None:
                self._remote = self.server.control(self.namespace)
            return self._remote
        return self.server.emulator.namespace(self.namespace)

    def close(self) -> None:
        if self._remote is not None:
            self._remote.close()

    @property
    def app(self) -> Any:
        return self.server.app

    def headers(self) -> dict[str, str]:
        return {NAMESPACE_HEADER: self.namespace} if self.namespace else {}

    def client(self, **options: Any) -> Any:
        options["default_headers"] = {**self.headers(), **options.get("default_headers", {})}
        return self.server.client(**options)

    def reset(self) -> None:
        self.emulator.reset()


@pytest.fixture(scope="session")
def images_emulator_server(pytestconfig: pytest.Config) -> Iterator[Any]:
    """The emulator of the session: a server on a free loopback port with the options of
    ``--images-emulator-option`` / ``images_emulator_options``, or the one at
    ``IMAGES_EMULATOR_URL`` when set (shared by xdist workers and CI jobs)."""
    shared = os.environ.get(URL_VARIABLE)
    if shared:
        yield RemoteServer(shared)
        return
    from .server import EmulatorServer

    with EmulatorServer(pytestconfig.stash[SESSION_CONFIG]) as server:
        yield server


def namespace_for(request: pytest.FixtureRequest, per_test: bool) -> str:
    """Each xdist worker its own namespace; each test its own when the marker asks."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not per_test:
        return worker
    digest = hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:16]
    return f"{worker}.test-{digest}" if worker else f"test-{digest}"


@pytest.fixture
def images_emulator(images_emulator_server: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """The session's emulator, reset before the test (in the test's namespace): ``.base_url``,
    ``.client()``, ``.namespace`` and, in-process, ``.emulator`` for the control plane."""
    marker = request.node.get_closest_marker(MARKER)
    options = marker.kwargs if marker is not None else {}
    view = Namespaced(
        images_emulator_server, namespace_for(request, bool(options.get("namespace")))
    )
    if options.get("reset", True):
        view.reset()
    if isinstance(images_emulator_server, RemoteServer):
        yield from _with_remote_settings(view, options)
        return
    emulator = view.emulator
    configured, as_of = emulator.config, emulator.as_of
    if options.get("as_of") is not None:
        emulator.as_of = parse_as_of(str(options["as_of"]), f"{MARKER}(as_of=...)")
    if options.get("lenient") is not None:
        emulator.config = replace(emulator.config, lenient=bool(options["lenient"]))
    for fault in options.get("faults", ()):
        emulator.fail_next(**({"kind": fault} if isinstance(fault, str) else fault))
    for turn in options.get("turns", ()):
        emulator.script_turn(**turn)
    yield view
    emulator.config, emulator.as_of = configured, as_of
    if options.get("namespace"):
        images_emulator_server.emulator.drop_namespace(view.namespace)


def _with_remote_settings(view: Namespaced, options: dict[str, Any]) -> Iterator[Namespaced]:
    """The marker's settings for one test on a shared emulator: set in the test's namespace
    through the control plane, put back after it (a refusal fails the test, saying why)."""
    from .testdouble.remote import RemoteControlError

    remote = view.emulator
    try:
        as_of, lenient = remote.as_of, remote.lenient
        if options.get("as_of") is not None:
            remote.as_of = str(options["as_of"])
        if options.get("lenient") is not None:
            remote.lenient = bool(options["lenient"])
        for fault in options.get("faults", ()):
            remote.fail_next(**({"kind": fault} if isinstance(fault, str) else fault))
        for turn in options.get("turns", ()):
            remote.script_turn(**turn)
    except RemoteControlError as refused:
        view.close()
        pytest.fail(f"{MARKER} marker on a shared emulator ({URL_VARIABLE}): {refused}")
    try:
        yield view
    finally:
        try:
            if options.get("as_of") is not None:
                remote.as_of = as_of
            if options.get("lenient") is not None:
                remote.lenient = lenient
        finally:
            view.close()


@pytest.fixture
def images_client(images_emulator: Any) -> Iterator[Any]:
    """An ``openai.OpenAI`` pointed at ``images_emulator`` (its namespace; retries off, so
    faults surface at once)."""
    client = images_emulator.client(max_retries=0)
    yield client
    client.close()


@pytest.fixture
def images_azure_client(images_emulator: Any) -> Iterator[Any]:
    """An ``openai.AzureOpenAI`` at the emulator's Azure door (the test's namespace,
    api-version 2025-04-01-preview, retries off): deployments named after models, or mapped
    with ``--azure-deployment`` / ``POST /_emulator/azure-deployments``."""
    import openai

    client = openai.AzureOpenAI(
        azure_endpoint=images_emulator.base_url,
        api_key="azure-key",
        api_version="2025-04-01-preview",
        default_headers=images_emulator.headers(),
        max_retries=0,
    )
    yield client
    client.close()


@pytest.fixture
def images_webhooks(images_emulator: Any) -> Iterator[Any]:
    """A receiver on a loopback port, registered as a webhook endpoint of the test's
    namespace for every event the emulator sends: ``.url``, ``.secret``, ``.statuses`` (answers
    to give, then 200), ``.wait_for(n)`` (raw deliveries) and ``.verified(n)`` (events, their
    signatures checked)."""
    from .contract.webhook_events import SENT
    from .testdouble.webhook_receiver import receiver

    client = images_emulator.client(max_retries=0)
    with receiver() as hooks:
        made = client.webhooks.create(name="images_webhooks", url=hooks.url, event_types=list(SENT))
        hooks.secret = made.signing_secret
        try:
            yield hooks
        finally:
            client.webhooks.delete(made.id)
            client.close()


@pytest.fixture
def images_emulator_app(pytestconfig: pytest.Config) -> Any:
    """A fresh emulator app with no port (the session's options), for in-process clients."""
    from .app import create_app

    return create_app(pytestconfig.stash[SESSION_CONFIG])


@pytest.fixture
def images_inprocess_client(images_emulator_app: Any) -> Iterator[Any]:
    """An ``openai.OpenAI`` wired straight into ``images_emulator_app`` (base URL
    ``http://emulator.invalid/v1``; image URLs it hands out use that host too)."""
    from .inprocess import openai_client

    client = openai_client(images_emulator_app, max_retries=0)
    yield client
    client.close()
