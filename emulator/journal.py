"""A bounded record of every images API request: what was asked and what was answered.

Each request gets an ``Entry`` as it starts; the pipeline fills it in as it learns things
(model, checked parameters, input files, usage, output images) and the endpoint wrapper
closes it with the status and error. Output images are referenced by hash, size and (in
``url`` mode) their URL name, never copied again.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field


@dataclass
class InputFile:
    field: str
    filename: str
    content_type: str | None
    width: int
    height: int
    format: str
    sha256: str


@dataclass
class OutputImage:
    sha256: str
    bytes: int
    media_type: str
    url_name: str | None = None


@dataclass
class Entry:
    id: int
    endpoint: str
    method: str
    path: str
    request_id: str
    created_at: float
    as_of: str | None = None  # the day the request was answered as of, if one was set
    model: str | None = None
    params: dict[str, object] = field(default_factory=dict)
    inputs: list[InputFile] = field(default_factory=list)
    stream: bool = False
    status: int | None = None
    error: dict[str, object] | None = None
    fault: str | None = None
    usage: dict[str, object] | None = None
    outputs: list[OutputImage] = field(default_factory=list)

    def add_output(self, data: bytes, media_type: str, url_name: str | None = None) -> None:
        digest = hashlib.sha256(data).hexdigest()
        self.outputs.append(OutputImage(digest, len(data), media_type, url_name))

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class Journal:
    def __init__(self, max_entries: int) -> None:
        self._entries: deque[Entry] = deque(maxlen=max(1, max_entries))
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def open(self, *, endpoint: str, method: str, path: str, request_id: str, now: float) -> Entry:
        with self._lock:
            entry = Entry(next(self._ids), endpoint, method, path, request_id, now)
            self._entries.append(entry)
        return entry

    def entries(
        self,
        *,
        endpoint: str | None = None,
        model: str | None = None,
        status: int | None = None,
    ) -> list[Entry]:
        """Oldest first, filtered by every criterion given."""
        with self._lock:
            found: Iterable[Entry] = list(self._entries)
        return [
            entry
            for entry in found
            if (endpoint is None or entry.endpoint == endpoint)
            and (model is None or entry.model == model)
            and (status is None or entry.status == status)
        ]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
