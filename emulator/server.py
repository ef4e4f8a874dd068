"""The emulator under uvicorn in a background thread, on a free loopback port.

    with EmulatorServer() as server:
        client = server.client()                    # an openai.OpenAI pointed at it
        server.emulator.fail_next("rate_limit")     # faults, journal, clock: one line each

Used by the pytest plugin, by this project's own tests and by anyone's scripts.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import uvicorn

from .app import create_app
from .config import Config
from .testdouble.clock import Clock
from .testdouble.state import Emulator
from .transport.header_timeout import with_header_timeout


class EmulatorServer:
    def __init__(
        self, config: Config | None = None, *, clock: Clock | None = None, as_of: str | None = None
    ) -> None:
        """``as_of``: answer as the API did on that day (``YYYY-MM-DD``), as ``--as-of``."""
        self.config = (config or Config()).with_overrides(as_of=as_of)
        self.app = create_app(self.config, clock=clock)
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        # A live view (the inspector's event stream) never ends by itself: give it a moment.
        settings = uvicorn.Config(
            self.app,
            log_level="warning",
            lifespan="on",
            timeout_graceful_shutdown=1,
            http=with_header_timeout(self.config.header_timeout_seconds),
        )
        self._server = uvicorn.Server(settings)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._socket]},
            name="images-emulator",
            daemon=True,
        )

    @property
    def emulator(self) -> Emulator:
        """The running emulator's state: clock, journal, faults, reset."""
        state: Emulator = self.app.state.emulator
        return state

    def start(self, timeout: float = 10.0) -> EmulatorServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"the emulator did not start within {timeout} s")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def client(self, **options: Any) -> Any:
        """An ``openai.OpenAI`` for this server (``api_key`` and ``base_url`` filled in)."""
        import openai

        options.setdefault("api_key", "sk-emulator")
        options.setdefault("base_url", f"{self.base_url}/v1")
        return openai.OpenAI(**options)

    def async_client(self, **options: Any) -> Any:
        import openai

        options.setdefault("api_key", "sk-emulator")
        options.setdefault("base_url", f"{self.base_url}/v1")
        return openai.AsyncOpenAI(**options)
