"""The emulator's notion of now, which tests can freeze and move (``created``, URL expiry)."""

from __future__ import annotations

import threading
import time


class Clock:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._frozen_at: float | None = None
        self._offset = 0.0

    def now(self) -> float:
        with self._lock:
            if self._frozen_at is not None:
                return self._frozen_at
            return time.time() + self._offset

    def freeze(self, at: float | None = None) -> None:
        """Stop time at ``at`` (Unix seconds), or at the current time."""
        current = self.now()
        with self._lock:
            self._frozen_at = current if at is None else at

    def advance(self, seconds: float) -> None:
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at += seconds
            else:
                self._offset += seconds

    def reset(self) -> None:
        """Real time again, running."""
        with self._lock:
            self._frozen_at = None
            self._offset = 0.0

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    def unfreeze(self) -> None:
        """Let time run again from where it stands."""
        with self._lock:
            if self._frozen_at is not None:
                self._offset = self._frozen_at - time.time()
                self._frozen_at = None
