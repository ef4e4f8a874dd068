"""A namespace's webhook endpoints and the deliveries made to them (docs/webhooks.md).

Endpoints come from ``--webhook-url`` (in every namespace, signed with ``--webhook-secret``)
and from ``/v1/webhook_endpoints`` (the real API's endpoint management, per namespace). When a
batch or a background response ends, ``emit`` makes one delivery per endpoint that wants the
event; the sender (``webhook_sender``) posts it, retrying, and records each attempt here, where
the control plane and the inspector read them.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..contract.webhook_events import SENT, event_body, event_id
from ..transport.webhook_signature import hint, new_secret

MAX_ENDPOINTS = 64  # per namespace
MAX_DELIVERIES = 1000  # kept for the journal view; the oldest go first
OLD_SECRET_SECONDS = 24 * 3600  # a rotated secret kept active signs beside the new one


@dataclass
class Endpoint:
    id: str
    name: str
    url: str
    event_types: list[str]
    created_at: int
    secret: str
    updated_at: int
    from_flag: bool = False  # made by --webhook-url: not listed, changed or deleted by the API
    old_secret: str | None = None
    old_secret_until: float = 0.0  # wall-clock seconds

    def wants(self, event_type: str) -> bool:
        return event_type in self.event_types

    def secrets_in_use(self) -> list[str]:
        if self.old_secret and time.time() < self.old_secret_until:
            return [self.secret, self.old_secret]
        return [self.secret]

    def public(self, with_secret: bool = False) -> dict[str, object]:
        """As the API answers it: keys as the SDK's type declares them (the secret only at
        creation and rotation)."""
        shown: dict[str, object] = {
            "id": self.id,
            "created_at": self.created_at,
            "event_types": list(self.event_types),
            "name": self.name,
            "object": "webhook_endpoint",
        }
        if with_secret:
            shown["signing_secret"] = self.secret
        shown |= {"signing_secret_hint": hint(self.secret), "url": self.url}
        shown["updated_at"] = self.updated_at
        return shown


@dataclass
class Delivery:
    """One event for one endpoint, and every attempt to send it."""

    id: str  # the webhook-id header: the same on every retry
    event_id: str
    event_type: str
    object_id: str
    endpoint_id: str
    url: str
    body: bytes
    attempts: list[dict[str, object]] = field(default_factory=list)
    state: str = "pending"  # pending, delivered, given_up
    duplicate: bool = False  # a scripted extra copy

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "event_id": self.event_id,
            "type": self.event_type,
            "object_id": self.object_id,
            "endpoint_id": self.endpoint_id,
            "url": self.url,
            "state": self.state,
            "attempts": list(self.attempts),
            "duplicate": self.duplicate,
        }


class Sender(Protocol):
    def send(self, delivery: Delivery, endpoint: Endpoint, hold_seconds: float = 0.0) -> None: ...

    def close(self) -> None: ...


@dataclass
class DeliveryFault:
    """What the next deliveries suffer: ``late`` (held ``seconds`` before the first attempt),
    ``duplicate`` (sent twice, same webhook-id), ``out_of_order`` (held until the next
    delivery has gone)."""

    kind: str
    count: int = 1
    seconds: float = 5.0

    KINDS = ("late", "duplicate", "out_of_order")


class Webhooks:
    def __init__(self, sender: Sender | None = None) -> None:
        self._endpoints: dict[str, Endpoint] = {}
        self.deliveries: deque[Delivery] = deque(maxlen=MAX_DELIVERIES)
        self._faults: deque[DeliveryFault] = deque()
        self._held: list[tuple[Delivery, Endpoint]] = []  # out of order: after the next one
        self._lock = threading.Lock()
        self.sender = sender

    def for_namespace(self) -> Webhooks:
        """A new namespace's: the same sender, and the flag's endpoints (every namespace's)."""
        made = Webhooks(self.sender)
        made._endpoints = {k: e for k, e in self._endpoints.items() if e.from_flag}
        return made

    # --- endpoints ---------------------------------------------------------------------------

    def add(
        self,
        name: str,
        url: str,
        event_types: list[str],
        now: int,
        secret: str | None = None,
        from_flag: bool = False,
    ) -> Endpoint:
        with self._lock:
            if len(self._endpoints) >= MAX_ENDPOINTS:
                raise ValueError(f"at most {MAX_ENDPOINTS} webhook endpoints per namespace")
            endpoint = Endpoint(
                id="whep_" + secrets.token_hex(12),
                name=name,
                url=url,
                event_types=list(event_types),
                created_at=now,
                secret=secret or new_secret(),
                updated_at=now,
                from_flag=from_flag,
            )
            self._endpoints[endpoint.id] = endpoint
            return endpoint

    def get(self, endpoint_id: str) -> Endpoint | None:
        with self._lock:
            found = self._endpoints.get(endpoint_id)
            return None if found is None or found.from_flag else found

    def listed(self) -> list[Endpoint]:
        """The API's endpoints, newest first (the flag's are the operator's, not listed)."""
        with self._lock:
            shown = [e for e in self._endpoints.values() if not e.from_flag]
        return sorted(shown, key=lambda e: (e.created_at, e.id), reverse=True)

    def all(self) -> list[Endpoint]:
        with self._lock:
            return list(self._endpoints.values())

    def update(self, endpoint: Endpoint, changes: dict[str, Any], now: int) -> Endpoint:
        with self._lock:
            changed = False
            for name in ("name", "url", "event_types"):
                if name in changes and changes[name] != getattr(endpoint, name):
                    setattr(endpoint, name, changes[name])
                    changed = True
            if changed:  # an unchanged update does not advance it (the SDK's docstring)
                endpoint.updated_at = now
            return endpoint

    def remove(self, endpoint_id: str) -> bool:
        with self._lock:
            found = self._endpoints.get(endpoint_id)
            if found is None or found.from_flag:
                return False
            del self._endpoints[endpoint_id]
            return True

    def rotate(self, endpoint: Endpoint, keep_old: bool, now: int) -> Endpoint:
        with self._lock:
            endpoint.old_secret = endpoint.secret if keep_old else None
            endpoint.old_secret_until = time.time() + OLD_SECRET_SECONDS if keep_old else 0.0
            endpoint.secret = new_secret()
            endpoint.updated_at = now
            return endpoint

    # --- events ------------------------------------------------------------------------------

    def add_fault(self, fault: DeliveryFault) -> None:
        if fault.kind not in DeliveryFault.KINDS:
            raise ValueError(f"kind must be one of {', '.join(DeliveryFault.KINDS)}")
        if fault.count < 1 or fault.seconds < 0:
            raise ValueError("count must be at least 1 and seconds not negative")
        with self._lock:
            self._faults.append(fault)

    def _next_fault(self) -> DeliveryFault | None:
        if not self._faults:
            return None
        fault = self._faults[0]
        fault.count -= 1
        if fault.count <= 0:
            self._faults.popleft()
        return fault

    def emit(
        self, event_type: str, object_id: str, created_at: int, only: Endpoint | None = None
    ) -> list[Delivery]:
        """The event for every endpoint that wants it (``only``: a test event for one)."""
        if event_type not in SENT and only is None:
            raise ValueError(f"{event_type} is not an event the emulator sends")
        evt = event_id()
        body = event_body(event_type, object_id, created_at, evt)
        made: list[Delivery] = []
        for endpoint in [only] if only is not None else self.all():
            if only is None and not endpoint.wants(event_type):
                continue
            delivery = Delivery(
                "wh_" + secrets.token_hex(16), evt, event_type, object_id, endpoint.id,
                endpoint.url, body,
            )  # fmt: skip
            made.append(delivery)
            self._dispatch(delivery, endpoint)
        return made

    def _dispatch(self, delivery: Delivery, endpoint: Endpoint) -> None:
        with self._lock:
            self.deliveries.append(delivery)
            fault = self._next_fault()
            held, self._held = self._held, []
            if fault is not None and fault.kind == "out_of_order":
                self._held.append((delivery, endpoint))
        if self.sender is None:
            return
        if fault is None or fault.kind != "out_of_order":
            late = fault.seconds if fault is not None and fault.kind == "late" else 0.0
            self.sender.send(delivery, endpoint, late)
            if fault is not None and fault.kind == "duplicate":
                copy = Delivery(**{**delivery.__dict__, "attempts": [], "duplicate": True})
                with self._lock:
                    self.deliveries.append(copy)
                self.sender.send(copy, endpoint, 0.0)
        for earlier, its_endpoint in held:  # the held one goes after this one
            self.sender.send(earlier, its_endpoint, 0.05)

    def listing(self) -> list[dict[str, object]]:
        with self._lock:
            return [d.as_dict() for d in self.deliveries]

    def clear(self) -> None:
        """Forget the API's endpoints, the deliveries and the scripted faults (a reset); the
        flag's endpoints stay."""
        with self._lock:
            self._endpoints = {k: e for k, e in self._endpoints.items() if e.from_flag}
            self.deliveries.clear()
            self._faults.clear()
            self._held.clear()
