"""A bounded record of every images API request: what was asked and what was answered.

Each request gets an ``Entry`` as it starts; the request path fills it in through the
entry's ``record_*`` methods as it learns things (the day, what was asked, the checked
parameters and input files, usage, output images), and ``close`` ends it with the status,
duration and estimated cost. Nothing else writes an entry's fields. Images are referenced by
hash; their bytes (inputs, masks, outputs, streamed partial images) are kept apart in
``JournalImages`` for the inspector, bounded in bytes, oldest dropped first: an entry
outlives its images, which then read as dropped.
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import itertools
import threading
from collections import OrderedDict, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from typing import TYPE_CHECKING

from ..contract.errors import APIError
from ..contract.params import Upload

if TYPE_CHECKING:
    from ..contract.parts import FormFile
    from ..contract.uploads import InputImage
    from ..contract.validation import CheckedRequest


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
class UploadedPart:
    """A part of an upload as sent, journaled before it is judged (so a refused one shows)."""

    field: str
    filename: str | None  # None: a text part where a file belongs
    content_type: str | None
    bytes: int
    sniffed: str | None  # the format the first bytes show (PNG, JPEG, WEBP), if any


@dataclass
class OutputImage:
    sha256: str
    bytes: int
    media_type: str
    url_name: str | None = None
    partial: bool = False  # a streamed partial image, not a final one


class JournalImages:
    """Image bytes by SHA-256, for the inspector; at most ``max_bytes``, oldest out first."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._images: OrderedDict[str, tuple[bytes, str]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def put(self, data: bytes, media_type: str, digest: str | None = None) -> str:
        """Keep ``data`` (its SHA-256 hex digest, when the caller has it already)."""
        digest = digest or hashlib.sha256(data).hexdigest()
        with self._lock:
            if digest in self._images:
                self._images.move_to_end(digest)
                return digest
            if len(data) > self.max_bytes:
                return digest  # larger than the whole store: kept by hash only
            self._images[digest] = (data, media_type)
            self._bytes += len(data)
            while self._bytes > self.max_bytes:
                _, (dropped, _) = self._images.popitem(last=False)
                self._bytes -= len(dropped)
        return digest

    def get(self, digest: str) -> tuple[bytes, str] | None:
        with self._lock:
            return self._images.get(digest)

    def __contains__(self, digest: object) -> bool:
        with self._lock:
            return digest in self._images

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def clear(self) -> None:
        with self._lock:
            self._images.clear()
            self._bytes = 0


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
    params: dict[str, object] = field(default_factory=dict)  # as checked, defaults filled in
    sent: dict[str, object] = field(default_factory=dict)  # the fields as sent, model included
    inputs: list[InputFile] = field(default_factory=list)
    uploads: list[UploadedPart] = field(default_factory=list)  # every file part, as sent
    # The model's announced shutdown, when the request's day falls in its notice period.
    deprecation: dict[str, str | None] | None = None
    # The known model an added model copies (``--model NEW=KNOWN``); None for any other.
    model_copy_of: str | None = None
    stream: bool = False
    # The scripted model turn that answered (``testdouble.turns``), if one did.
    scripted_turn: dict[str, object] | None = None
    # A background response's state as it moves (queued, in_progress, completed, cancelled…).
    background: str | None = None
    # Where the answer came from: "emulated", "replayed" or "recorded" (with the recording).
    origin: str = "emulated"
    # The door it came through: "openai", or "azure" with the deployment it named.
    door: str = "openai"
    deployment: str | None = None
    recording: str | None = None
    status: int | None = None
    error: dict[str, object] | None = None
    fault: str | None = None
    usage: dict[str, object] | None = None
    # What the answer settled on (size, quality, background, output format: auto resolved).
    answered: dict[str, object] = field(default_factory=dict)
    outputs: list[OutputImage] = field(default_factory=list)
    cost_usd: float | None = None  # estimated from the price table (``pricing``)
    duration_ms: float | None = None
    request_headers: dict[str, str] = field(default_factory=dict)  # the key masked
    response_headers: dict[str, str] = field(default_factory=dict)
    # Where the bytes of this entry's images are kept (not part of the record itself).
    images: JournalImages | None = field(default=None, repr=False, compare=False)

    # --- what the request path learns, in the order it learns it ---------------------

    def record_day(self, day: datetime.date | None) -> None:
        self.as_of = day.isoformat() if day else None

    def record_asked(self, body: object) -> None:
        """What the request said, before it is checked (kept as is if the check fails)."""
        if not isinstance(body, dict):
            return
        model = body.get("model")
        self.model = model if isinstance(model, str) and model else None
        self.params = {k: v for k, v in body.items() if not isinstance(v, Upload) and k != "model"}
        self.sent = {k: v for k, v in body.items() if not isinstance(v, Upload)}  # as sent

    def record_uploads(self, parts: Sequence[UploadedPart]) -> None:
        self.uploads = list(parts)

    def record_door(self, door: str, deployment: str | None) -> None:
        self.door, self.deployment = door, deployment

    def record_origin(self, origin: str, recording: str | None) -> None:
        self.origin, self.recording = origin, recording

    def record_copy_of(self, known: str | None) -> None:
        self.model_copy_of = known

    def record_deprecation(self, notice: Mapping[str, str | None]) -> None:
        self.deprecation = dict(notice)

    def record_params(self, params: Mapping[str, object]) -> None:
        """Parameters of a request that has no model (the Files API's)."""
        self.params = dict(params)

    def record_checked(
        self,
        checked: CheckedRequest,
        inputs: Sequence[InputImage],
        shown: Mapping[str, object] | None = None,
        model: str | None = None,
    ) -> None:
        """The checked values (defaults filled in) and the decoded input images; ``shown``
        adds what the checked body does not hold (a JSON edit's references); ``model``, the
        model the request named when it is not the checked one (a Responses text model)."""
        for image in inputs:  # the bytes, for the inspector
            self.keep(image.raw, f"image/{image.format.lower()}", image.sha256)
        self.model = model or checked.asked_model
        self.params = {k: v for k, v in checked.values.items() if k not in ("image", "mask")}
        self.params.update(shown or {})
        self.stream = checked.flag("stream")
        self.inputs = [
            InputFile(i.param, i.filename, i.content_type, i.size[0], i.size[1], i.format, i.sha256)
            for i in inputs
        ]

    def record_overlay(self, param: str, file: FormFile, size: tuple[int, int]) -> None:
        """A mask or markup PNG (the size of the first image), kept for the inspector."""
        digest = self.keep(file.read(), "image/png")
        width, height = size
        self.inputs.append(
            InputFile(param, file.filename, file.content_type, width, height, "PNG", digest)
        )

    def record_fault(self, kind: str) -> None:
        self.fault = kind

    def record_answer(
        self, answered: Mapping[str, object], usage: Mapping[str, object] | None
    ) -> None:
        """What the answer settled on (auto resolved) and the usage it reports."""
        self.answered = dict(answered)
        self.usage = dict(usage) if usage is not None else None

    def record_error(self, error: APIError) -> None:
        self.status, self.error = error.status, error.body()["error"]

    def record_response_headers(self, headers: Mapping[str, str]) -> None:
        self.response_headers = dict(headers)

    def close(self, status: int | None, duration_ms: float, cost_usd: float | None) -> None:
        """The request is answered (status 0: the connection was dropped)."""
        if status is not None:
            self.status = status
        self.duration_ms = round(duration_ms, 1)
        self.cost_usd = cost_usd

    def record_cost(self, cost_usd: float | None) -> None:
        """The cost of a streamed answer, known once the stream has ended."""
        self.cost_usd = cost_usd

    def record_script(self, turn: Mapping[str, object]) -> None:
        self.scripted_turn = dict(turn)

    def record_background(self, status: str) -> None:
        self.background = status

    def record_stream(self, stream: bool) -> None:
        self.stream = stream

    def add_output(
        self, data: bytes, media_type: str, url_name: str | None = None, partial: bool = False
    ) -> None:
        digest = self.keep(data, media_type)
        self.outputs.append(OutputImage(digest, len(data), media_type, url_name, partial))

    def keep(self, data: bytes, media_type: str, digest: str | None = None) -> str:
        """Keep an image's bytes for the inspector (while the store has room); its hash."""
        if self.images is None:
            return digest or hashlib.sha256(data).hexdigest()
        return self.images.put(data, media_type, digest)

    def as_dict(self) -> dict[str, object]:
        record = {f.name: _plain(getattr(self, f.name)) for f in fields(self) if f.name != "images"}
        if self.images is not None:  # which images the inspector can still show
            for kind in ("inputs", "outputs"):
                for image in record[kind]:  # type: ignore[attr-defined]
                    image["kept"] = image["sha256"] in self.images
        return record


def _plain(value: object) -> object:
    """A record's value as plain data (what ``asdict`` does, field by field)."""
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return copy.deepcopy(value)


class Journal:
    def __init__(self, max_entries: int, images: JournalImages | None = None) -> None:
        self.max_entries = max(1, max_entries)
        self._entries: deque[Entry] = deque(maxlen=self.max_entries)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.images = images or JournalImages(64 * 1024 * 1024)
        # Bumped on every change, with the ids changed: what a live view polls for.
        self.revision = 0
        self.cleared = 0  # how many times the journal was cleared
        self._changed: deque[tuple[int, int]] = deque(maxlen=10_000)

    def open(
        self,
        *,
        endpoint: str,
        method: str,
        path: str,
        request_id: str,
        now: float,
        headers: Mapping[str, str] | None = None,
    ) -> Entry:
        """A new entry for a request; ``headers``: the request's, as the journal shows them."""
        with self._lock:
            entry = Entry(next(self._ids), endpoint, method, path, request_id, now)
            entry.request_headers = dict(headers or {})
            entry.images = self.images
            self._entries.append(entry)
            self._touch(entry.id)
        return entry

    def touch(self, entry: Entry) -> None:
        """Mark an entry changed (closed, or a streamed image added)."""
        with self._lock:
            self._touch(entry.id)

    def _touch(self, entry_id: int) -> None:
        self.revision += 1
        self._changed.append((self.revision, entry_id))

    def changed_since(self, revision: int) -> tuple[int, list[Entry]]:
        """The current revision and the entries changed after ``revision``, oldest first.
        When ``revision`` is older than what is remembered, every entry counts as changed."""
        with self._lock:
            current = self.revision
            if self._changed and revision < self._changed[0][0] - 1:
                return current, list(self._entries)
            ids = {entry_id for rev, entry_id in self._changed if rev > revision}
            return current, [entry for entry in self._entries if entry.id in ids]

    def get(self, entry_id: int) -> Entry | None:
        with self._lock:
            return next((e for e in self._entries if e.id == entry_id), None)

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
            self._changed.clear()
            self.revision += 1
            self.cleared += 1
        self.images.clear()

    def __len__(self) -> int:
        return len(self._entries)
