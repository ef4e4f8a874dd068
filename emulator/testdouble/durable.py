"""The stores of every namespace kept in a ``DataDir`` as they change (``attach``), and put
back as they were when the emulator starts on it again (``restore``)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..contract import errors
from .data_dir import DataDir
from .stores import Batch, StoredFile, StoredResponse

if TYPE_CHECKING:
    from .state import Emulator

UNFINISHED = ("queued", "in_progress")
INTERRUPTED = "The emulator restarted before this background response finished; create it again."


class _Rows:
    """A store's observer: each item in or out written at once (before the answer)."""

    def __init__(self, data_dir: DataDir, namespace: str, table: str) -> None:
        self.data_dir, self.namespace, self.table = data_dir, namespace, table

    def added(self, key: str, item: Any) -> None:
        if self.table == "files":
            self.data_dir.put_file(self.namespace, item)
        else:
            self.data_dir.put_response(self.namespace, item)

    def removed(self, key: str) -> None:
        self.data_dir.remove(self.table, self.namespace, key)


def attach(emulator: Emulator, data_dir: DataDir) -> None:
    name = emulator.name
    emulator.files.observer = _Rows(data_dir, name, "files")
    emulator.responses.observer = _Rows(data_dir, name, "responses")
    emulator.clock.on_change = lambda frozen_at, offset: data_dir.put_clock(name, frozen_at, offset)


def restore(emulator: Emulator, data_dir: DataDir) -> None:
    """Every namespace back with its files, stored responses, batches and clock (the default
    one is ``emulator``); nothing is written again while it loads."""
    _restore_one(emulator, data_dir)
    for name in data_dir.namespaces():
        if name:
            _restore_one(emulator.namespace(name), data_dir)


def _restore_one(emulator: Emulator, data_dir: DataDir) -> None:
    name = emulator.name
    emulator.files.observer = emulator.responses.observer = None
    emulator.clock.on_change = None
    for row in data_dir.files(name):
        emulator.files.put_restored(
            StoredFile(row["id"], row["filename"], row["purpose"], data_dir.blob(row["blob"]),
                       row["content_type"], row["created_at"])
        )  # fmt: skip
    interrupted = []
    for response_id, body_text, items_text, images in data_dir.responses(name):
        body = json.loads(body_text)
        if body.get("status") in UNFINISHED:  # a background run the restart ended
            body |= {"status": "failed", "error": errors.background_interrupted()}
            body_text = json.dumps(body)
            interrupted.append(response_id)
        emulator.responses.put(
            StoredResponse(
                response_id, body, json.loads(items_text),
                {call_id: data_dir.blob(blob) for call_id, blob in images.items()},
                body_text.encode(),
            )
        )  # fmt: skip
    for state, delay, day in data_dir.batches(name):
        batch = Batch(state, delay=delay, day=day)
        batch.answers.update(data_dir.batch_answers(name, batch.id))
        emulator.batches.put(batch)
    clock = data_dir.clock(name)
    if clock is not None:
        emulator.clock.restore(*clock)
    attach(emulator, data_dir)
    for response_id in interrupted:  # their failed state, kept
        stored = emulator.responses.get(response_id)
        if stored is not None:
            data_dir.put_response(name, stored)
