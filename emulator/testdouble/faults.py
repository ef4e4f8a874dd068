"""Scripted failures: the next N answers of an endpoint (or for prompts matching a pattern)
become a rate limit, a server error, a refusal, a delay or a dropped connection.

Queued with ``POST /_emulator/faults`` (or ``Emulator.faults.add``), or for one request with
the ``x-emulator-fault`` header. They are applied after the request passed validation, as
the real API checks parameters before organisation, rate-limit and moderation (§9.3).
Bodies are the real API's (contract §9.2 rows 3, 20-23, 27).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Generic, Protocol, TypeVar

import regex

from ..contract import errors
from ..contract.errors import APIError
from ..contract.specs import ModelSpec

KINDS = (
    "rate_limit",  # 429 with Retry-After
    "quota",  # 429 insufficient_quota
    "server_error",  # 500
    "overloaded",  # 503
    "unverified_organization",  # 403, GPT image models
    "content_policy",  # 400: content_policy_violation (DALL·E) / moderation_blocked (GPT image)
    "delay",  # answer normally after delay_ms
    "drop",  # close the connection without an answer
    "batch_failed",  # a batch fails in validation (endpoint "batches" only)
    "batch_expired",  # a batch expires with none of its lines answered (endpoint "batches")
)
BATCH_KINDS = ("batch_failed", "batch_expired")
ENDPOINTS = ("generations", "edits", "variations", "responses", "batches")
HEADER = "x-emulator-fault"
# A prompt_pattern gets this long to match one prompt. Backtracking patterns such as
# "(a|aa)+$" can take exponential time; the regex engine stops them at the limit, and
# matching runs off the event loop with the GIL released, so other requests go on.
MATCH_SECONDS = 0.1


def compiled(pattern: str | None, name: str) -> regex.Pattern[str] | None:
    """A scripted item's pattern, compiled; a ValueError naming the field if it is none."""
    try:
        return regex.compile(pattern) if pattern else None
    except (regex.error, RecursionError, OverflowError) as error:
        raise ValueError(f"{name} is not a regular expression: {error}") from None


def searched(pattern: regex.Pattern[str], text: str) -> bool:
    """Whether ``pattern`` is found in ``text``; a TimeoutError past ``MATCH_SECONDS``."""
    return pattern.search(text, timeout=MATCH_SECONDS, concurrent=True) is not None


def checked_kind(data: Mapping[str, object], known: set[str], kinds: tuple[str, ...]) -> str:
    """A scripted item's ``kind``, once its fields are all known ones (ValueError if not)."""
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(f"unknown fields: {', '.join(unknown)}")
    kind = data.get("kind")
    if kind not in kinds:
        raise ValueError(f"kind must be one of {', '.join(kinds)}")
    return str(kind)


@dataclass
class Fault:
    kind: str
    endpoint: str | None = None  # None: any images endpoint
    prompt_pattern: str | None = None  # a regular expression searched in the prompt
    count: int = 1  # answers it still applies to
    retry_after: int = 1  # seconds, for rate_limit
    ratelimit_headers: bool = False  # also send x-ratelimit-* (the real images API sends none)
    delay_ms: int = 0
    id: int = 0
    _regex: regex.Pattern[str] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Fault:
        """Validate a control-plane request; ValueError says what is wrong."""
        known = {"kind", "endpoint", "prompt_pattern", "count", "retry_after",
                 "ratelimit_headers", "delay_ms"}  # fmt: skip
        kind = checked_kind(data, known, KINDS)
        endpoint = data.get("endpoint")
        if endpoint is not None and endpoint not in ENDPOINTS:
            raise ValueError(f"endpoint must be one of {', '.join(ENDPOINTS)}")
        if (kind in BATCH_KINDS) != (endpoint == "batches"):
            raise ValueError(
                "batch_failed and batch_expired go with endpoint 'batches', and only they"
            )
        pattern = data.get("prompt_pattern")
        if pattern is not None and not isinstance(pattern, str):
            raise ValueError("prompt_pattern must be a string")
        numbers = {}
        for name, default, minimum in (("count", 1, 1), ("retry_after", 1, 0), ("delay_ms", 0, 0)):
            value = data.get(name, default)
            if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
                raise ValueError(f"{name} must be an integer >= {minimum}")
            numbers[name] = value
        fault = cls(
            kind=str(kind),
            endpoint=endpoint if isinstance(endpoint, str) else None,
            prompt_pattern=pattern,
            count=numbers["count"],
            retry_after=numbers["retry_after"],
            ratelimit_headers=bool(data.get("ratelimit_headers", False)),
            delay_ms=numbers["delay_ms"],
        )
        fault._regex = compiled(pattern, "prompt_pattern")
        return fault

    @property
    def has_pattern(self) -> bool:
        return self._regex is not None

    def matches(self, endpoint: str, prompt: str | None) -> bool:
        if self.endpoint is not None and self.endpoint != endpoint:
            return False
        if self.endpoint is None and endpoint == "batches":
            return False  # a fault for "any endpoint" is an answer's, not a batch's
        if self._regex is None:
            return True
        if prompt is None:
            return False
        try:
            return searched(self._regex, prompt)
        except TimeoutError:
            raise errors.fault_pattern_timeout(
                self.id, self.prompt_pattern or "", MATCH_SECONDS * 1000
            ) from None

    def as_dict(self) -> dict[str, object]:
        return {k: v for k, v in asdict(self).items() if not k.startswith("_")}


class Scripted(Protocol):
    """What a queue of scripted behaviour holds: an id, how many answers it still has, and
    whether matching it runs a pattern."""

    id: int
    count: int

    @property
    def has_pattern(self) -> bool: ...


S = TypeVar("S", bound=Scripted)


class ScriptQueue(Generic[S]):
    """Scripted behaviour, oldest first: each used by the first answer it matches, ``count``
    times, then gone."""

    def __init__(self) -> None:
        self._queued: list[S] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def add(self, scripted: S) -> S:
        with self._lock:
            scripted.id = next(self._ids)
            self._queued.append(scripted)
        return scripted

    def _take(self, matches: Callable[[S], bool]) -> S | None:
        # Patterns are matched outside the lock: a slow match must not hold up other requests.
        with self._lock:
            candidates = list(self._queued)
        for scripted in candidates:
            if not matches(scripted):
                continue
            with self._lock:
                if not any(queued is scripted for queued in self._queued):
                    continue  # used up by another request meanwhile
                scripted.count -= 1
                if scripted.count <= 0:
                    self._queued.remove(scripted)
                return scripted
        return None

    def pending(self) -> list[S]:
        with self._lock:
            return list(self._queued)

    def any_pattern(self) -> bool:
        """Whether matching may take time (a pattern to run), so is better done off the loop."""
        return any(scripted.has_pattern for scripted in self.pending())

    def clear(self) -> None:
        with self._lock:
            self._queued.clear()


class Faults(ScriptQueue[Fault]):
    """The queue of scripted faults; the oldest matching one is used first."""

    def take(self, endpoint: str, prompt: str | None) -> Fault | None:
        return self._take(lambda fault: fault.matches(endpoint, prompt))


def from_header(value: str) -> Fault | None:
    """A fault from a header: ``rate_limit``, ``rate_limit; retry_after=3``,
    ``delay; delay_ms=500``."""
    kind, *options = (part.strip() for part in value.split(";"))
    data: dict[str, object] = {"kind": kind}
    for option in options:
        name, _, raw = option.partition("=")
        data[name.strip()] = int(raw) if raw.strip().isdigit() else raw.strip() == "true"
    try:
        return Fault.from_json(data)
    except ValueError:
        return None


def fault_error(fault: Fault, model: ModelSpec, request_id: str) -> APIError:
    """The API's answer for an error fault (not for delay or drop)."""
    dall_e_wording = model.dall_e_wording
    if fault.kind == "rate_limit":
        return errors.rate_limited(
            model.id, dall_e_wording, fault.retry_after, fault.ratelimit_headers
        )
    if fault.kind == "quota":
        return errors.insufficient_quota()
    if fault.kind == "server_error":
        return errors.server_error()
    if fault.kind == "overloaded":
        return errors.engine_overloaded()
    if fault.kind == "unverified_organization":
        return errors.unverified_organization(model.id)
    if fault.kind == "content_policy":
        return errors.safety_refusal(dall_e_wording, request_id, model.moderation_details)
    raise ValueError(f"{fault.kind} is not an error fault")
