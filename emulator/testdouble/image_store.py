"""Images kept for ``url`` responses: bounded in bytes, each with an expiry time.

The real API hands out signed blob URLs valid for 60 minutes. Here the URL points back
at the emulator; the store keeps the bytes until they expire or until newer images push
them out (oldest first), so a long CI run never grows memory past ``max_bytes``.
"""

from __future__ import annotations

import secrets
import string
import threading
from collections import OrderedDict
from dataclasses import dataclass

from .clock import Clock

_ID_ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True)
class StoredImage:
    name: str  # "img-<24 characters>.png", as the real blob names look
    data: bytes
    media_type: str
    created_at: float
    expires_at: float


class ImageStore:
    def __init__(self, clock: Clock, max_bytes: int, ttl_seconds: float) -> None:
        self._clock = clock
        self._max_bytes = max_bytes
        self._ttl = ttl_seconds
        self._images: OrderedDict[str, StoredImage] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def put(self, data: bytes, media_type: str, extension: str) -> StoredImage:
        now = self._clock.now()
        name = "img-" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(24)) + "." + extension
        image = StoredImage(name, data, media_type, now, now + self._ttl)
        with self._lock:
            self._images[name] = image
            self._bytes += len(data)
            self._drop_expired(now)
            while self._bytes > self._max_bytes and len(self._images) > 1:
                self._pop_oldest()
        return image

    def get(self, name: str) -> StoredImage | None:
        """The image, or None when it was never stored, was pushed out or has expired."""
        with self._lock:
            image = self._images.get(name)
        if image is None or self._clock.now() >= image.expires_at:
            return None
        return image

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._images)

    def clear(self) -> None:
        with self._lock:
            self._images.clear()
            self._bytes = 0

    def _drop_expired(self, now: float) -> None:
        # Insertion order is creation order, so expired images sit at the front.
        while self._images:
            oldest = next(iter(self._images.values()))
            if oldest.expires_at > now:
                return
            self._pop_oldest()

    def _pop_oldest(self) -> None:
        _, image = self._images.popitem(last=False)
        self._bytes -= len(image.data)
