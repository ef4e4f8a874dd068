"""A webhook receiver on a loopback port for tests (the pytest plugin's ``images_webhooks``):
it keeps every delivery (headers and raw body) and answers each with the next status of a
script (then 200)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ..transport.webhook_signature import signature


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> dict[str, object]:
        """The event as sent (unverified: ``Receiver.verified`` checks the signature)."""
        parsed = json.loads(self.body)
        assert isinstance(parsed, dict)
        return parsed


@dataclass
class Receiver:
    url: str
    statuses: list[int] = field(default_factory=list)  # answers to give, in order; then 200
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    secret: str = ""  # the endpoint's, once registered

    def verified(self, count: int, seconds: float = 15) -> list[dict[str, object]]:
        """The first ``count`` events, each signature checked against ``secret``."""
        events = []
        for got in self.wait_for(count, seconds):
            stamp = int(got.headers["webhook-timestamp"])
            expected = signature(self.secret, got.headers["webhook-id"], stamp, got.body)
            if expected not in got.headers["webhook-signature"].split(" "):
                raise AssertionError(f"delivery {got.headers['webhook-id']}: bad signature")
            events.append(got.event)
        return events

    def wait_for(self, count: int, seconds: float = 15) -> list[Received]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.02)
        raise AssertionError(f"{len(self.received)} deliveries, {count} expected")


@contextmanager
def receiver(statuses: list[int] | None = None) -> Iterator[Receiver]:
    box: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            got = box["receiver"]
            with got.lock:
                got.received.append(Received({k.lower(): v for k, v in self.headers.items()}, body))
                status = got.statuses.pop(0) if got.statuses else 200
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    box["receiver"] = Receiver(f"http://127.0.0.1:{server.server_address[1]}/hooks", statuses or [])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield box["receiver"]
    finally:
        server.shutdown()
        server.server_close()
