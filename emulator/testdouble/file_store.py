"""Uploaded files (the Files API), kept in memory so that JSON edits can name them by id.

Bounded in bytes: an upload that would pass the bound is refused, never made room for by
dropping older files, so a file a test uploaded is there until it deletes it or resets.
"""

from __future__ import annotations

import secrets
import string
import threading
from dataclasses import dataclass

_ID_ALPHABET = string.ascii_letters + string.digits


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


class FileStore:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._files: dict[str, StoredFile] = {}
        self._bytes = 0
        self._lock = threading.Lock()

    def put(
        self, filename: str, purpose: str, data: bytes, content_type: str | None, now: float
    ) -> StoredFile:
        file_id = "file-" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(22))
        stored = StoredFile(file_id, filename, purpose, data, content_type, int(now))
        with self._lock:
            if self._bytes + len(data) > self.max_bytes:
                raise StoreFull()
            self._files[file_id] = stored
            self._bytes += len(data)
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        with self._lock:
            return self._files.get(file_id)

    def delete(self, file_id: str) -> bool:
        with self._lock:
            stored = self._files.pop(file_id, None)
            if stored is not None:
                self._bytes -= len(stored.data)
        return stored is not None

    def listed(self, purpose: str | None = None) -> list[StoredFile]:
        """Oldest first."""
        with self._lock:
            files = list(self._files.values())
        return [f for f in files if purpose is None or f.purpose == purpose]

    def clear(self) -> None:
        with self._lock:
            self._files.clear()
            self._bytes = 0
