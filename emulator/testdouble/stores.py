"""The emulator's bounded in-memory stores: images handed out by URL, and uploaded files.

Both keep items by id, count their bytes and clear on a reset; they differ in what they do
at their bound. The image store makes room (the real API's signed blob URLs expire anyway,
so the oldest images go first, and each has an expiry time); the file store refuses an
upload that would pass it, so a file a test uploaded stays until it deletes it or resets.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import string
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Generic, Protocol, TypeVar

from .clock import Clock
from .journal import Entry

_ID_ALPHABET = string.ascii_letters + string.digits


def new_id(prefix: str, length: int) -> str:
    """A random id shaped as the real ones: ``prefix`` then ``length`` letters and digits."""
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


class _Sized(Protocol):
    @property
    def data(self) -> bytes: ...


Item = TypeVar("Item", bound=_Sized)


class StoreObserver(Protocol):
    """Told of every item in and out (``--data-dir`` keeps them on disk)."""

    def added(self, key: str, item: Any) -> None: ...

    def removed(self, key: str) -> None: ...


class BoundedStore(Generic[Item]):
    """Items by id in insertion order, with the bytes they hold counted."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, Item] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.observer: StoreObserver | None = None

    def _size(self, item: Item) -> int:
        """The bytes an item holds, for the bound (a store whose items hold more says so)."""
        return len(item.data)

    def _indexed(self, key: str, item: Item) -> None:
        """Called with the lock held once an item is in (a store's own indexes)."""

    def _unindexed(self, key: str, item: Item) -> None:
        """Called with the lock held once an item is out."""

    def _add(self, key: str, item: Item) -> None:  # the caller holds the lock
        if key in self._items:  # a newer state of the same item replaces it
            self._pop(key, told=False)
        self._items[key] = item
        self._bytes += self._size(item)
        self._indexed(key, item)
        if self.observer is not None:
            self.observer.added(key, item)

    def _pop(self, key: str | None = None, told: bool = True) -> Item | None:
        """Take an item out (the oldest when ``key`` is None); the caller holds the lock."""
        if key is None:
            key, item = self._items.popitem(last=False)
        else:
            found = self._items.pop(key, None)
            if found is None:
                return None
            item = found
        self._bytes -= self._size(item)
        self._unindexed(key, item)
        if told and self.observer is not None:
            self.observer.removed(key)
        return item

    def _get(self, key: str) -> Item | None:
        with self._lock:
            return self._items.get(key)

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        with self._lock:
            for key, item in self._items.items():
                self._unindexed(key, item)
            self._items.clear()
            self._bytes = 0


# --- images for ``url`` answers -----------------------------------------------------------


@dataclass(frozen=True)
class StoredImage:
    name: str  # "img-<24 characters>.png", as the real blob names look
    data: bytes
    media_type: str
    created_at: float
    expires_at: float


class ImageStore(BoundedStore[StoredImage]):
    """Images for ``url`` answers, each with an expiry; past ``max_bytes`` the oldest go."""

    def __init__(self, clock: Clock, max_bytes: int, ttl_seconds: float) -> None:
        super().__init__(max_bytes)
        self._now = clock.now
        self.ttl_seconds = ttl_seconds

    def put(self, data: bytes, media_type: str, extension: str) -> StoredImage:
        now = self._now()
        name = new_id("img-", 24) + "." + extension
        image = StoredImage(name, data, media_type, now, now + self.ttl_seconds)
        with self._lock:
            self._add(name, image)
            self._drop_expired(now)
            while self._bytes > self.max_bytes and len(self._items) > 1:
                self._pop()
        return image

    def get(self, name: str) -> StoredImage | None:
        """The image, or None when it was never stored, was pushed out or has expired."""
        image = self._get(name)
        if image is None or self._now() >= image.expires_at:
            return None
        return image

    def _drop_expired(self, now: float) -> None:
        # Insertion order is creation order, so expired images sit at the front.
        while self._items and next(iter(self._items.values())).expires_at <= now:
            self._pop()


# --- uploaded files (the Files API) ----------------------------------------------------


@dataclass(frozen=True)
class StoredFile:
    id: str  # "file-" + 22 characters, as the real ids look
    filename: str
    purpose: str
    data: bytes
    content_type: str | None
    created_at: int

    def as_object(self) -> dict[str, object]:
        """The File object, keys in the API's order."""
        return {
            "id": self.id,
            "object": "file",
            "bytes": len(self.data),
            "created_at": self.created_at,
            "expires_at": None,
            "filename": self.filename,
            "purpose": self.purpose,
            "status": "processed",
            "status_details": None,
        }


class StoreFull(Exception):
    """The upload would take the store past its bound."""


class FileStore(BoundedStore[StoredFile]):
    """Uploaded files; an upload that would pass ``max_bytes`` is refused (``StoreFull``)."""

    def put(
        self,
        filename: str,
        purpose: str,
        data: bytes,
        content_type: str | None,
        now: float,
        bounded: bool = True,
    ) -> StoredFile:
        """Keep a file; past the bound ``StoreFull``, unless ``bounded`` is False (a batch's
        error file, small, which must account for lines whose output did not fit: it is
        counted all the same)."""
        stored = StoredFile(new_id("file-", 22), filename, purpose, data, content_type, int(now))
        with self._lock:
            if bounded and self._bytes + len(data) > self.max_bytes:
                raise StoreFull()
            self._add(stored.id, stored)
        return stored

    def put_restored(self, stored: StoredFile) -> None:
        """A file a data dir kept, back as it was (its id, unbounded: it was admitted once)."""
        with self._lock:
            self._add(stored.id, stored)

    def get(self, file_id: str) -> StoredFile | None:
        return self._get(file_id)

    def delete(self, file_id: str) -> bool:
        with self._lock:
            return self._pop(file_id) is not None

    def listed(self, purpose: str | None = None) -> list[StoredFile]:
        """Oldest first."""
        with self._lock:
            files = list(self._items.values())
        return [f for f in files if purpose is None or f.purpose == purpose]


# --- stored responses (the Responses API) ----------------------------------------------------


@dataclass(frozen=True)
class StoredResponse:
    id: str
    body: dict[str, object]  # the response object as answered
    input_items: list[dict[str, object]]  # what the request's input became, with ids
    images: dict[str, bytes]  # image_generation_call id to its image's bytes
    data: bytes  # the body's JSON

    @cached_property
    def size(self) -> int:
        """Everything the entry holds: the body, its images, and its input items (whose
        data: URLs may be megabytes), as JSON counts them."""
        items = sum(len(json.dumps(item, default=str)) for item in self.input_items)
        return len(self.data) + sum(len(image) for image in self.images.values()) + items

    def items(self) -> list[dict[str, object]]:
        output = self.body.get("output")
        found = [*(output if isinstance(output, list) else []), *self.input_items]
        return [item for item in found if isinstance(item, dict)]


class ResponseStore(BoundedStore[StoredResponse]):
    """Stored responses (``store`` true), for ``previous_response_id``, passed-back image
    calls and ``GET /v1/responses/{id}``; past ``max_bytes`` the oldest go first. Items and
    images are found by id through an index, not by scanning every response."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(max_bytes)
        self._item_owner: dict[str, str] = {}  # item id to the newest response holding it
        self._image_owner: dict[str, str] = {}  # image_generation_call id to its response

    def _size(self, item: StoredResponse) -> int:
        return item.size  # counted once (a cached property)

    def _indexed(self, key: str, item: StoredResponse) -> None:
        for each in item.items():
            if isinstance(each.get("id"), str):
                self._item_owner[str(each["id"])] = key
        for call_id in item.images:
            self._image_owner[call_id] = key

    def _unindexed(self, key: str, item: StoredResponse) -> None:
        for index in (self._item_owner, self._image_owner):
            for owned in {*(str(i.get("id")) for i in item.items()), *item.images}:
                if index.get(owned) == key:
                    del index[owned]

    def put(self, stored: StoredResponse) -> None:
        _ = stored.size  # counted before the lock: its input items may be megabytes
        with self._lock:
            self._add(stored.id, stored)
            while self._bytes > self.max_bytes and len(self._items) > 1:
                self._pop()

    def get(self, response_id: str) -> StoredResponse | None:
        return self._get(response_id)

    def delete(self, response_id: str) -> bool:
        with self._lock:
            return self._pop(response_id) is not None

    def image(self, call_id: str) -> bytes | None:
        """The image of an ``image_generation_call`` of any stored response."""
        with self._lock:
            owner = self._image_owner.get(call_id)
            stored = self._items.get(owner) if owner else None
            return stored.images.get(call_id) if stored else None

    def item(self, item_id: str) -> dict[str, object] | None:
        """An output or input item of any stored response, by id (``item_reference``)."""
        with self._lock:
            owner = self._item_owner.get(item_id)
            stored = self._items.get(owner) if owner else None
        if stored is None:
            return None
        return next((item for item in stored.items() if item.get("id") == item_id), None)


# --- background responses (the Responses API's ``background: true``) ------------------------


class BackgroundRun:
    """A background response as it runs: the response object as a poll sees it now, every
    event it has sent (kept, so a stream can resume after any sequence number), and what
    runs it."""

    TERMINAL = ("completed", "failed", "incomplete", "cancelled")

    def __init__(self, body: dict[str, Any], delay: float) -> None:
        self.body = body
        self.delay = delay  # seconds of the emulator's clock it waits queued
        self.events: list[bytes] = []
        self.task: asyncio.Task[None] | None = None
        self.entry: Entry | None = None  # the create call's journal entry
        self._changed = asyncio.Event()

    @property
    def id(self) -> str:
        return str(self.body["id"])

    @property
    def status(self) -> str:
        return str(self.body["status"])

    @property
    def finished(self) -> bool:
        return self.status in self.TERMINAL

    def sent(self, event: bytes, body: dict[str, Any] | None = None) -> None:
        """One more event; ``body``, when the event carries the response, is its new state."""
        self.events.append(event)
        if body is not None and not self.finished:
            self.body = body
        self._wake()

    def end(self, body: dict[str, Any]) -> None:
        self.body = body
        self._wake()

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def changed(self) -> None:
        await self._changed.wait()

    def stop(self) -> None:
        if self.task is not None and not self.task.done():
            self.task.cancel()


class BackgroundStore:
    """A namespace's background responses by id; past ``MAX_KEPT`` the oldest finished one
    goes (a poll after that finds the stored response, if it was kept)."""

    MAX_KEPT = 1000

    def __init__(self) -> None:
        self._runs: dict[str, BackgroundRun] = {}

    def put(self, run: BackgroundRun) -> None:
        self._runs[run.id] = run
        while len(self._runs) > self.MAX_KEPT:
            oldest = next((r for r in self._runs.values() if r.finished), None)
            if oldest is None:
                break
            del self._runs[oldest.id]

    def get(self, response_id: str) -> BackgroundRun | None:
        return self._runs.get(response_id)

    def delete(self, response_id: str) -> None:
        run = self._runs.pop(response_id, None)
        if run is not None:
            run.stop()

    def clear(self) -> None:
        """Every run stops (a reset, a namespace dropped)."""
        for run in self._runs.values():
            run.stop()
        self._runs.clear()

    def __len__(self) -> int:
        return len(self._runs)


# --- batches (the Batch API) -----------------------------------------------------------------


@dataclass
class Batch:
    """A batch as it runs: the Batch object the API shows, its lines, and what runs it."""

    object: dict[str, Any]  # the Batch object as the API shows it
    lines: list[dict[str, Any]] = field(default_factory=list)  # as read from its file
    answers: dict[int, dict[str, Any]] = field(default_factory=dict)  # by line, as answered
    key: str = ""  # the creator's key, in memory only, for the lines' own requests
    delay: float = 0.0
    day: str | None = None  # the day it is answered as of (x-emulator-as-of), if pinned
    task: asyncio.Task[None] | None = None
    cancel: bool = False

    @property
    def id(self) -> str:
        return str(self.object["id"])


class BatchStore:
    """A namespace's batches by id, in creation order (not bounded: a batch is a few objects;
    its files are in the file store, which is)."""

    def __init__(self) -> None:
        self._batches: dict[str, Batch] = {}

    def put(self, batch: Batch) -> None:
        self._batches[batch.id] = batch

    def get(self, batch_id: str) -> Batch | None:
        return self._batches.get(batch_id)

    def listed(self) -> list[Batch]:
        return list(self._batches.values())

    def stop_all(self) -> None:
        """Every batch still running stops (a reset, a namespace dropped)."""
        for batch in self._batches.values():
            batch.cancel = True

    def clear(self) -> None:
        self.stop_all()
        self._batches.clear()

    def __len__(self) -> int:
        return len(self._batches)
