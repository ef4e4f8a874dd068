"""The control plane of an emulator another process runs, over HTTP, with the same methods
as the in-process ``Emulator`` a test reaches (``requests``, ``fail_next``, ``reset``, ...),
each in one namespace. The pytest plugin hands it out when ``IMAGES_EMULATOR_URL`` shares a
running emulator."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import httpx

from .state import NAMESPACE_HEADER

CONTROL = "/_emulator"


class RemoteControlError(RuntimeError):
    """The shared emulator refused a control-plane call (its message says why)."""


class RemoteEmulator:
    def __init__(self, base_url: str, namespace: str = "") -> None:
        self.base_url = base_url.rstrip("/")
        self.namespace = namespace
        self._http = httpx.Client(
            base_url=self.base_url + CONTROL,
            headers={NAMESPACE_HEADER: namespace} if namespace else {},
            timeout=30,
        )

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, **options: Any) -> Any:
        answer = self._http.request(method, path, **options)
        if answer.status_code >= 400:
            try:
                message = answer.json()["error"]["message"]
            except (ValueError, KeyError, TypeError):
                message = answer.text
            raise RemoteControlError(
                f"{method} {CONTROL}{path} on {self.base_url}: {answer.status_code} {message}"
            )
        return answer.json()

    # --- the same calls as ``Emulator`` --------------------------------------------------

    def reset(self) -> None:
        self._call("POST", "/reset")

    def fail_next(self, kind: str, **options: object) -> dict[str, object]:
        return dict(self._call("POST", "/faults", json={"kind": kind, **options})["faults"][0])

    def script_turn(self, kind: str, **options: object) -> dict[str, object]:
        return dict(self._call("POST", "/turns", json={"kind": kind, **options})["turns"][0])

    def webhook_deliveries(self) -> list[dict[str, object]]:
        """The namespace's webhook deliveries, oldest first, each with its attempts."""
        return list(self._call("GET", "/webhooks")["deliveries"])

    def webhook_fault(self, kind: str, **options: object) -> dict[str, object]:
        """The next delivery ``late``, ``duplicate`` or ``out_of_order``."""
        return dict(self._call("POST", "/webhooks/faults", json={"kind": kind, **options})["fault"])

    def requests(
        self, *, endpoint: str | None = None, model: str | None = None, status: int | None = None
    ) -> list[SimpleNamespace]:
        """The journal, oldest first, filtered: entries with the in-process ones' fields."""
        query = {k: v for k, v in {"endpoint": endpoint, "model": model, "status": status}.items()
                 if v is not None}  # fmt: skip
        entries = self._call("GET", "/journal", params=query)["entries"]
        return [SimpleNamespace(**entry) for entry in entries]

    def add_model(self, name: str, copy_of: str) -> None:
        self._call("POST", "/models", json={"model": name, "copy_of": copy_of})

    # --- what the pytest marker sets for one test ----------------------------------------

    @property
    def as_of(self) -> str:
        return str(self._call("GET", "/as-of")["as_of"])

    @as_of.setter
    def as_of(self, setting: str) -> None:
        self._call("POST", "/as-of", json={"as_of": setting})

    @property
    def lenient(self) -> bool:
        return bool(self._call("GET", "/config")["lenient"])

    @lenient.setter
    def lenient(self, value: bool) -> None:
        self._call("POST", "/settings", json={"lenient": value})
