"""Posting webhook deliveries, off the API's path: one thread, a bounded queue ordered by
when each attempt is due, retries with the same ``webhook-id`` and waits that double
(``--webhook-attempts``, ``--webhook-retry-seconds``). Only a 2xx answer counts as delivered
(docs/webhooks.md)."""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time

import httpx

from ..transport.webhook_signature import signed_headers
from .webhooks import Delivery, Endpoint

log = logging.getLogger("emulator")
MAX_QUEUED = 10_000  # attempts waiting; past it the newest delivery is given up at once


class WebhookSender:
    def __init__(self, attempts: int, retry_seconds: float, timeout_seconds: float) -> None:
        self.attempts = max(1, attempts)
        self.retry_seconds = max(0.0, retry_seconds)
        self.timeout_seconds = timeout_seconds
        self._queue: list[tuple[float, int, Delivery, Endpoint]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._sending = 0  # attempts under way (for ``idle``)

    def send(self, delivery: Delivery, endpoint: Endpoint, hold_seconds: float = 0.0) -> None:
        """Queue the delivery's first attempt, ``hold_seconds`` from now."""
        self._queue_attempt(delivery, endpoint, time.monotonic() + hold_seconds)

    def _queue_attempt(self, delivery: Delivery, endpoint: Endpoint, due: float) -> None:
        with self._wake:
            if self._closed:
                return
            if len(self._queue) >= MAX_QUEUED:
                delivery.state = "given_up"
                delivery.attempts.append({"error": "the emulator's delivery queue is full"})
                log.warning("webhook delivery %s dropped: the queue is full", delivery.id)
                return
            heapq.heappush(self._queue, (due, next(self._order), delivery, endpoint))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="webhooks", daemon=True)
                self._thread.start()
            self._wake.notify()

    def _run(self) -> None:
        with httpx.Client(timeout=self.timeout_seconds) as http:
            while True:
                with self._wake:
                    while not self._closed and (
                        not self._queue or self._queue[0][0] > time.monotonic()
                    ):
                        wait = self._queue[0][0] - time.monotonic() if self._queue else None
                        self._wake.wait(wait)
                    if self._closed:
                        return
                    _, _, delivery, endpoint = heapq.heappop(self._queue)
                    self._sending += 1
                try:
                    self._attempt(http, delivery, endpoint)
                finally:
                    with self._wake:
                        self._sending -= 1
                        self._wake.notify_all()

    def _attempt(self, http: httpx.Client, delivery: Delivery, endpoint: Endpoint) -> None:
        # The timestamp is the wall clock's (receivers check it within minutes of their own),
        # never the emulator's, which a test may have moved.
        stamp = int(time.time())
        headers = signed_headers(endpoint.secrets_in_use(), delivery.id, stamp, delivery.body)
        started = time.monotonic()
        attempt: dict[str, object] = {"at": stamp}
        try:
            answer = http.post(delivery.url, content=delivery.body, headers=headers)
            attempt["status"] = answer.status_code
            ok = 200 <= answer.status_code < 300
        except httpx.HTTPError as error:
            attempt["error"] = f"{type(error).__name__}: {error}"[:200]
            ok = False
        attempt["ms"] = round((time.monotonic() - started) * 1000, 1)
        delivery.attempts.append(attempt)
        if ok:
            delivery.state = "delivered"
        elif len(delivery.attempts) >= self.attempts:
            delivery.state = "given_up"
        else:
            wait = self.retry_seconds * 2 ** (len(delivery.attempts) - 1)
            self._queue_attempt(delivery, endpoint, time.monotonic() + wait)

    def idle(self, seconds: float = 10.0) -> bool:
        """Wait until no attempt is queued or under way (tests, shutdown); True if so."""
        deadline = time.monotonic() + seconds
        with self._wake:
            while self._queue or self._sending:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._wake.wait(min(left, 0.05))
            return True

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._queue.clear()
            self._wake.notify_all()
