"""Reading request bodies: the transport checks in front of every endpoint, then JSON or a form.

What a front door does before the API looks at a body: undo its ``Content-Encoding``
(gzip, deflate), notice a body that stops short of its ``Content-Length`` or stalls, and
bound what it holds. Every failure is a 400 that says what was wrong with the transport,
never a 500 and never a hang. JSON is parsed with a nesting limit and must be Unicode text.
"""

from __future__ import annotations

import asyncio
import json
import re
import zlib
from collections.abc import AsyncIterator

import numpy as np
import orjson
from starlette.requests import Request

from ..contract import errors
from .multipart import Form, FormLimits, read_form

__all__ = [
    "FORM_LIMITS",
    "FormLimits",
    "body_chunks",
    "parse_json",
    "read_json",
    "read_upload_form",
]
from ..contract.specs import MiB

# The largest JSON body or form text field taken: a 32000-character prompt fits many times.
MAX_JSON_BYTES = 4 * MiB
# The largest form: sixteen 50 MB images, a mask and the text fields, with room to spare.
FORM_LIMITS = FormLimits(
    file_bytes=50 * MiB + 1,  # one byte over the largest limit: enough to know it is over
    field_bytes=MAX_JSON_BYTES,
    request_bytes=16 * 50 * MiB + 16 * MiB,
)
# Arrays and objects nested deeper than this are refused as unparseable (serde_json's
# default limit, a common one at API front doors). Python's own parser would recurse.
MAX_JSON_DEPTH = 128
# zlib's window bits per content coding (gzip: header and trailer; deflate: zlib format).
DECODERS = {"gzip": 31, "x-gzip": 31, "deflate": 15}
IDENTITY = ("", "identity")


class _Decoded:
    """The accounting of one body as its chunks arrive: bytes received, bytes decoded (its
    ``Content-Encoding`` undone), the limit, and what a body that ends must have sent."""

    def __init__(self, request: Request, limit: int) -> None:
        coding = request.headers.get("content-encoding", "").strip().lower()
        if coding not in IDENTITY and coding not in DECODERS:
            raise errors.unsupported_content_encoding(coding, [*DECODERS, "identity"])
        self.coding = coding
        self.decoder = zlib.decompressobj(DECODERS[coding]) if coding in DECODERS else None
        self.declared = _declared_length(request)
        self.limit = limit
        self.received = self.produced = 0

    def take(self, chunk: bytes) -> bytes:
        """The decoded bytes of a chunk; nothing once past the limit (one chunk past it, so
        the caller can tell), though the body is still read to its end."""
        self.received += len(chunk)
        if self.produced > self.limit:
            return b""  # over the limit: drain only
        if self.decoder is not None:
            try:
                chunk = self.decoder.decompress(chunk, self.limit + 1 - self.produced)
            except zlib.error:
                raise errors.undecodable_body(self.coding) from None
        self.produced += len(chunk)
        return chunk

    def stalled(self, idle_seconds: float) -> errors.APIError:
        return errors.body_stalled(self.received, self.declared, idle_seconds)

    def finish(self) -> None:
        if self.declared is not None and self.received < self.declared:
            raise errors.body_shorter_than_declared(self.received, self.declared)
        if self.decoder is not None and self.produced <= self.limit and not self.decoder.eof:
            raise errors.undecodable_body(self.coding)


async def body_chunks(request: Request, *, limit: int, idle_seconds: float) -> AsyncIterator[bytes]:
    """The body as sent, decoded. Past ``limit`` decoded bytes (one chunk past it, so the
    caller can tell) nothing more is decoded, but the body is still read to its end.
    A body that stalls for ``idle_seconds`` or ends before its Content-Length is refused."""
    body = _Decoded(request, limit)
    stream = request.stream()
    while True:
        try:  # only the wait is timed: the consumer's work between chunks is not idleness
            async with asyncio.timeout(idle_seconds):
                chunk = await anext(stream)
        except StopAsyncIteration:
            break
        except TimeoutError:
            raise body.stalled(idle_seconds) from None
        chunk = body.take(chunk)
        if chunk:
            yield chunk
    body.finish()


def _declared_length(request: Request) -> int | None:
    raw = request.headers.get("content-length", "").strip()
    return int(raw) if raw.isdigit() else None


async def read_bytes(request: Request, idle_seconds: float, limit: int = MAX_JSON_BYTES) -> bytes:
    """The decoded body in memory. An oversized body is read to the end before the refusal,
    so the client is never cut off mid-upload. A body that stalls for ``idle_seconds`` or
    ends before its Content-Length is refused (one timer, pushed back at every chunk: the
    work between chunks is a few byte copies)."""
    body = _Decoded(request, limit)
    chunks: list[bytes] = []
    size = 0
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(idle_seconds) as timer:
            async for chunk in request.stream():
                timer.reschedule(loop.time() + idle_seconds)
                chunk = body.take(chunk)
                size += len(chunk)
                if chunk and size <= limit:
                    chunks.append(chunk)
    except TimeoutError:
        raise body.stalled(idle_seconds) from None
    body.finish()
    if size > limit:
        raise errors.request_too_large(limit)
    return b"".join(chunks)


async def read_json(request: Request, idle_seconds: float) -> object:
    return parse_json(await read_bytes(request, idle_seconds))


def parse_json(data: bytes) -> object:
    """A JSON document, or the API's parse error: for bad syntax, bad UTF-8, text that is
    not Unicode (lone surrogates), NaN/Infinity, and nesting deeper than MAX_JSON_DEPTH."""
    if _nesting_depth(data) > MAX_JSON_DEPTH:
        raise errors.invalid_json()
    if not _LONG_NUMBER.search(data):
        try:  # orjson refuses what the standard library must judge (surrogates, NaN, a BOM)
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    try:
        document = json.loads(data, parse_constant=_reject_constant)
        # Lone surrogates decode from \\ud800 escapes but are not text: refuse them here
        # rather than fail later when the prompt or an error message is written out.
        json.dumps(document, ensure_ascii=False).encode()
    except (ValueError, UnicodeError, RecursionError):
        raise errors.invalid_json() from None
    return document


# orjson reads an integer beyond 64 bits as a float; the standard library keeps it whole.
_LONG_NUMBER = re.compile(rb"[0-9]{19}")


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


# A JSON string (possessive, so it runs in linear time); what is left is the structure.
_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"', re.DOTALL)


def _nesting_depth(data: bytes) -> int:
    """How deep arrays and objects nest, brackets inside strings not counted. Cheap for the
    usual body: only one with more than MAX_JSON_DEPTH brackets is scanned at all."""
    if data.count(b"[") + data.count(b"{") <= MAX_JSON_DEPTH:
        return 0
    structure = np.frombuffer(_STRING.sub(b"", data), np.uint8)
    step = np.zeros(structure.size, np.int64)
    step[(structure == ord("[")) | (structure == ord("{"))] = 1
    step[(structure == ord("]")) | (structure == ord("}"))] = -1
    return int(np.cumsum(step).max(initial=0))


async def read_upload_form(
    request: Request, idle_seconds: float, limits: FormLimits = FORM_LIMITS
) -> Form:
    chunks = body_chunks(request, limit=limits.request_bytes, idle_seconds=idle_seconds)
    return await read_form(request.headers.get("content-type", ""), chunks, limits)
