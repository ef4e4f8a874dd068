"""The parts of a request body as the contract judges them: a text field or an uploaded file.

The transport makes them (a multipart form's parts, a JSON edit's resolved references); the
contract's checks read them. They hold bytes, never a socket.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO


@dataclass
class FormFile:
    name: str  # the form field's name, e.g. "image" or "image[]"
    filename: str
    content_type: str | None  # None when the part had no Content-Type header
    file: IO[bytes]
    size: int = 0  # every byte sent, stored or not
    truncated: bool = False  # more was sent than stored

    def read(self) -> bytes:
        self.file.seek(0)
        return self.file.read()


@dataclass
class FormField:
    name: str
    value: str
