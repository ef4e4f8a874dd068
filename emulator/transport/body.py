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


async def body_chunks(request: Request, *, limit: int, idle_seconds: float) -> AsyncIterator[bytes]:
    """The body as sent, decoded. Past ``limit`` decoded bytes (one chunk past it, so the
    caller can tell) nothing more is decoded, but the body is still read to its end.
    A body that stalls for ``idle_seconds`` or ends before its Content-Length is refused."""
    coding = request.headers.get("content-encoding", "").strip().lower()
    if coding not in IDENTITY and coding not in DECODERS:
        raise errors.unsupported_content_encoding(coding, [*DECODERS, "identity"])
    decoder = zlib.decompressobj(DECODERS[coding]) if coding in DECODERS else None
    declared = _declared_length(request)
    received = produced = 0
    stream = request.stream()
    while True:
        try:
            async with asyncio.timeout(idle_seconds):
                chunk = await anext(stream)
        except StopAsyncIteration:
            break
        except TimeoutError:
            raise errors.body_stalled(received, declared, idle_seconds) from None
        received += len(chunk)
        if produced > limit:
            continue  # over the limit: drain only
        if decoder is not None:
            try:
                chunk = decoder.decompress(chunk, limit + 1 - produced)
            except zlib.error:
                raise errors.undecodable_body(coding) from None
        produced += len(chunk)
        if chunk:
            yield chunk
    if declared is not None and received < declared:
        raise errors.body_shorter_than_declared(received, declared)
    if decoder is not None and produced <= limit and not decoder.eof:
        raise errors.undecodable_body(coding)


def _declared_length(request: Request) -> int | None:
    raw = request.headers.get("content-length", "").strip()
    return int(raw) if raw.isdigit() else None


async def read_bytes(request: Request, idle_seconds: float, limit: int = MAX_JSON_BYTES) -> bytes:
    """The decoded body in memory. An oversized body is read to the end before the refusal,
    so the client is never cut off mid-upload."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in body_chunks(request, limit=limit, idle_seconds=idle_seconds):
        size += len(chunk)
        if size <= limit:
            chunks.append(chunk)
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
    try:
        document = json.loads(data, parse_constant=_reject_constant)
        # Lone surrogates decode from \\ud800 escapes but are not text: refuse them here
        # rather than fail later when the prompt or an error message is written out.
        json.dumps(document, ensure_ascii=False).encode()
    except (ValueError, UnicodeError, RecursionError):
        raise errors.invalid_json() from None
    return document


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
