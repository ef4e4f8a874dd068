"""The ``x-ratelimit-*`` headers every real Responses answer carries (limit, remaining and
reset, for requests and for tokens; the Images API sends none): counted per API key in a
window of the emulator's clock, so they count down as a suite calls and come back as the
clock moves. The limits are a high usage tier's (inferred: recordings show the headers, not
the tier)."""

from __future__ import annotations

import threading
from collections import deque

WINDOW_SECONDS = 60.0
REQUESTS_PER_WINDOW = 10_000
TOKENS_PER_WINDOW = 30_000_000
MAX_KEYS = 1024  # keys remembered per namespace; the oldest goes first


def reset_text(seconds: float) -> str:
    """A wait as the API writes it: ``6ms``, ``1.5s``, ``2m0s``."""
    if seconds < 1:
        return f"{max(round(seconds * 1000), 0)}ms"
    if seconds < 60:
        return f"{seconds:.3g}s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}m{rest}s"


class RateLimits:
    def __init__(self) -> None:
        self._spent: dict[str, deque[tuple[float, int]]] = {}
        self._lock = threading.Lock()

    def headers(self, key: str, tokens: int, now: float) -> dict[str, str]:
        """Count one request of ``tokens`` for ``key`` at ``now``; the headers after it."""
        with self._lock:
            spent = self._spent.pop(key, deque())
            self._spent[key] = spent  # the newest last
            while len(self._spent) > MAX_KEYS:
                del self._spent[next(iter(self._spent))]
            while spent and spent[0][0] <= now - WINDOW_SECONDS:
                spent.popleft()
            spent.append((now, max(tokens, 0)))
            requests = len(spent)
            used = sum(count for _, count in spent)
        per_request = WINDOW_SECONDS / REQUESTS_PER_WINDOW
        return {
            "x-ratelimit-limit-requests": str(REQUESTS_PER_WINDOW),
            "x-ratelimit-limit-tokens": str(TOKENS_PER_WINDOW),
            "x-ratelimit-remaining-requests": str(max(REQUESTS_PER_WINDOW - requests, 0)),
            "x-ratelimit-remaining-tokens": str(max(TOKENS_PER_WINDOW - used, 0)),
            "x-ratelimit-reset-requests": reset_text(requests * per_request),
            "x-ratelimit-reset-tokens": reset_text(used * WINDOW_SECONDS / TOKENS_PER_WINDOW),
        }

    def clear(self) -> None:
        with self._lock:
            self._spent.clear()
