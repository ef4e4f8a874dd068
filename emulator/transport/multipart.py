"""Streaming multipart/form-data reading with limits, for the upload endpoints.

Starlette's own form parser keeps every byte it is sent. Here a part past its limit, or a
request past its limit, stops being *stored* but goes on being *read*: the body is always
drained to its end before the answer, so a client uploading 1 GB gets the API's error
instead of a broken pipe, and the emulator never holds more than the limits. Files spool to
temporary storage (memory up to 1 MiB each, then disk) and are deleted by ``close``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from tempfile import SpooledTemporaryFile
from typing import IO
from urllib.parse import parse_qsl

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from ..contract import errors
from ..contract.parts import FormField, FormFile

__all__ = ["Form", "FormField", "FormFile", "FormLimits", "read_form"]

SPOOL_BYTES = 1024 * 1024


@dataclass
class Form:
    parts: list[FormFile | FormField] = field(default_factory=list)

    def close(self) -> None:
        for part in self.parts:
            if isinstance(part, FormFile):
                part.file.close()


@dataclass(frozen=True)
class FormLimits:
    file_bytes: int  # stored per file; a larger file is counted, not kept
    field_bytes: int  # per text field
    request_bytes: int  # the whole body
    parts: int = 1000


@dataclass
class _PartInProgress:
    name: str = ""
    filename: str | None = None
    content_type: str | None = None
    data: bytearray = field(default_factory=bytearray)
    file: FormFile | None = None


class _Reader:
    def __init__(self, limits: FormLimits) -> None:
        self.limits = limits
        self.form = Form()
        self.too_large = False
        self.malformed = False
        self._header_name = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._part = _PartInProgress()

    # -- python-multipart callbacks --
    def on_part_begin(self) -> None:
        self._part = _PartInProgress()
        self._headers = {}

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        self._headers[self._header_name.strip().lower()] = self._header_value.strip()
        self._header_name, self._header_value = b"", b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        part = self._part
        part.name = options.get(b"name", b"").decode("utf-8", "replace")
        if b"content-type" in self._headers:
            part.content_type = self._headers[b"content-type"].decode("latin-1")
        if b"filename" in options and len(self.form.parts) < self.limits.parts:
            part.filename = options[b"filename"].decode("utf-8", "replace")
            spool: IO[bytes] = SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
            part.file = FormFile(part.name, part.filename, part.content_type, spool)
            self.form.parts.append(part.file)

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        file = self._part.file
        if file is None:
            if len(self._part.data) + len(chunk) > self.limits.field_bytes:
                self.too_large = True
            else:
                self._part.data.extend(chunk)
            return
        room = self.limits.file_bytes - file.size
        if not self.too_large and room > 0:
            file.file.write(chunk[:room])
        if len(chunk) > room:
            file.truncated = True
        file.size += len(chunk)

    def on_part_end(self) -> None:
        part = self._part
        if part.file is None and part.filename is None and len(self.form.parts) < self.limits.parts:
            value = bytes(part.data).decode("utf-8", "replace")
            self.form.parts.append(FormField(part.name, value))


URLENCODED = b"application/x-www-form-urlencoded"


async def _read_urlencoded(body: AsyncIterator[bytes], limits: FormLimits) -> Form:
    """A form with text fields only (what HTTP clients send when there is no file)."""
    chunks, size = [], 0
    async for chunk in body:
        size += len(chunk)
        if size <= limits.field_bytes:
            chunks.append(chunk)
    if size > limits.field_bytes:
        raise errors.request_too_large(limits.field_bytes)
    text = b"".join(chunks).decode("utf-8", "replace")
    pairs = parse_qsl(text, keep_blank_values=True)[: limits.parts]
    return Form([FormField(name, value) for name, value in pairs])


async def read_form(content_type: str, body: AsyncIterator[bytes], limits: FormLimits) -> Form:
    """Read the whole body; raise the API's error for a body that is not a usable form."""
    media_type, options = parse_options_header(content_type)
    if media_type == URLENCODED:
        return await _read_urlencoded(body, limits)
    boundary = options.get(b"boundary") if media_type == b"multipart/form-data" else None
    reader = _Reader(limits)
    parser = None
    if boundary:
        parser = MultipartParser(
            boundary,
            {
                "on_part_begin": reader.on_part_begin,
                "on_part_data": reader.on_part_data,
                "on_part_end": reader.on_part_end,
                "on_header_field": reader.on_header_field,
                "on_header_value": reader.on_header_value,
                "on_header_end": reader.on_header_end,
                "on_headers_finished": reader.on_headers_finished,
            },
        )
    received = 0
    try:
        async for chunk in body:
            received += len(chunk)
            if received > limits.request_bytes:
                reader.too_large = True
            if parser is not None and not reader.malformed:
                try:
                    parser.write(chunk)
                except FormParserError:
                    reader.malformed = True
        if parser is not None and not reader.malformed:
            try:
                parser.finalize()
            except FormParserError:
                reader.malformed = True
    except BaseException:
        reader.form.close()
        raise
    if reader.too_large or received > limits.request_bytes:
        reader.form.close()
        raise errors.request_too_large(limits.request_bytes)
    if not boundary:  # absent, or empty: no part could be found
        reader.form.close()
        if media_type == b"multipart/form-data":
            raise errors.multipart_without_boundary(content_type)
        raise errors.not_multipart(content_type)
    if reader.malformed:
        reader.form.close()
        raise errors.malformed_multipart()
    return reader.form
