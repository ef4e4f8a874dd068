"""The emulator's notion of now, which tests can freeze and move (``created``, URL expiry)."""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections.abc import Callable

# The times the clock can stand at: the Unix epoch to the end of year 9999 (what a date can
# show; beyond it answers' ``created`` and dates cannot be written).
EARLIEST = 0.0
LATEST = 253_402_300_799.0


class ClockRangeError(ValueError):
    """A time the clock cannot stand at; the clock is left as it was."""


def _checked(moment: float) -> float:
    if not math.isfinite(moment) or not EARLIEST <= moment <= LATEST:
        raise ClockRangeError(
            f"the clock can stand between {EARLIEST:.0f} and {LATEST:.0f} (Unix seconds: "
            f"1970 to 9999), not at {moment!r}"
        )
    return moment


class Clock:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._frozen_at: float | None = None
        self._offset = 0.0
        # Told of every change, (frozen_at, offset): ``--data-dir`` keeps the clock's state.
        self.on_change: Callable[[float | None, float], None] | None = None

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change(self._frozen_at, self._offset)

    def restore(self, frozen_at: float | None, offset: float) -> None:
        """The state a data dir kept (frozen where it stood, or running with its offset)."""
        with self._lock:
            self._frozen_at, self._offset = frozen_at, offset

    def now(self) -> float:
        with self._lock:
            if self._frozen_at is not None:
                return self._frozen_at
            return time.time() + self._offset

    def freeze(self, at: float | None = None) -> None:
        """Stop time at ``at`` (Unix seconds), or at the current time; a ClockRangeError for
        a time it cannot stand at."""
        current = self.now()
        moment = current if at is None else _checked(float(at))
        with self._lock:
            self._frozen_at = moment
        self._changed()

    def advance(self, seconds: float) -> None:
        """Move time by ``seconds``; a ClockRangeError, and no move, where that would take
        the clock past what it can stand at."""
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at = _checked(self._frozen_at + seconds)
            else:
                _checked(time.time() + self._offset + seconds)
                self._offset += seconds
        self._changed()

    def reset(self) -> None:
        """Real time again, running."""
        with self._lock:
            self._frozen_at = None
            self._offset = 0.0
        self._changed()

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    def unfreeze(self) -> None:
        """Let time run again from where it stands."""
        with self._lock:
            if self._frozen_at is not None:
                self._offset = self._frozen_at - time.time()
                self._frozen_at = None
        self._changed()


def asked_delay(text: str, default: float) -> float:
    """A wait in the emulator's clock asked by a header (``x-emulator-*-delay-seconds``): its
    seconds when it holds a number of them, else the option's ``default``."""
    try:
        seconds = float(text)
    except ValueError:
        return default
    return seconds if seconds >= 0 else default  # NaN compares false: the default


async def held_until(clock: Clock, moment: float, stop: Callable[[], bool] = bool) -> None:
    """Wait until the emulator's clock reads ``moment`` (a frozen clock holds here until it
    is advanced), or until ``stop()``."""
    while not stop() and clock.now() < moment:
        await asyncio.sleep(0.05)
