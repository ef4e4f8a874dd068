"""The ``x-ratelimit-*`` headers every real Responses answer carries (limit, remaining and
reset, for requests and for tokens; the Images API sends none): counted per API key in a
window of the emulator's clock, so they count down as a suite calls and come back as the
clock moves. The limits and the tokens a request spends are as openai-dotnet's recordings show
them (docs/responses-api.md): 30,000 requests and 150,000,000 tokens a minute, 765 tokens
for each input message (1,530 for two), resets like ``2ms`` and ``0s``."""

from __future__ import annotations

import threading
from collections import deque

WINDOW_SECONDS = 60.0
REQUESTS_PER_WINDOW = 30_000
TOKENS_PER_WINDOW = 150_000_000
TOKENS_PER_MESSAGE = 765  # what each input message spends of the limit (recorded)
MAX_KEYS = 1024  # keys remembered per namespace; the oldest goes first


def reset_text(seconds: float) -> str:
    """A wait as the API writes it: ``6ms``, ``1.5s``, ``2m0s``; whole milliseconds, so
    under one is ``0s`` (recorded: 1,530 tokens of 150,000,000 a minute reset in ``0s``)."""
    milliseconds = int(seconds * 1000 + 1e-9)
    if milliseconds <= 0:
        return "0s"
    if seconds < 1:
        return f"{milliseconds}ms"
    if seconds < 60:
        return f"{seconds:.3g}s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}m{rest}s"


def estimated_tokens(body: object) -> int:
    """The tokens a Responses request spends of the limit: so many per input message (a
    string input is one), whatever the message holds (recorded: a text message and a text
    plus an image message alike)."""
    if not isinstance(body, dict):
        return 0
    given = body.get("input")
    if isinstance(given, str):
        return TOKENS_PER_MESSAGE
    items = given if isinstance(given, list) else []
    messages = [i for i in items if isinstance(i, dict) and i.get("type", "message") == "message"]
    return TOKENS_PER_MESSAGE * len(messages)


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
