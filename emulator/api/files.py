"""A small Files API (``/v1/files``): upload, list, retrieve, download and delete, with the
real object shapes, so a JSON edit can name an uploaded image by ``file_id``.

Files live in memory (``--files-store-mb``), are cleared by a reset and journaled under the
endpoint ``files``.
"""

from __future__ import annotations

from starlette.responses import Response

from ..contract import errors
from ..contract.parts import FormFile
from ..contract.specs import MiB
from ..testdouble.state import Emulator
from ..testdouble.stores import StoredFile, StoreFull
from ..transport.forms import form_body
from ..transport.multipart import Form, FormLimits
from ..transport.wire import json_response
from .paging import cursor_page
from .pipeline import ApiEndpoint, Call, body_kind, found_by_path

PURPOSES = ("assistants", "batch", "fine-tune", "vision", "user_data", "evals")
MAX_FILE_BYTES = 512 * MiB  # the API's limit for one file
LIST_LIMIT = 10_000


def upload_limits(emulator: Emulator) -> FormLimits:
    """One file up to the API's limit or the store's size, whichever is smaller."""
    limit = min(MAX_FILE_BYTES, emulator.files.max_bytes) + 1
    return FormLimits(file_bytes=limit, field_bytes=64 * 1024, request_bytes=limit + MiB)


def _store_full(emulator: Emulator) -> errors.APIError:
    return errors.file_store_full(emulator.files.max_bytes // MiB)


def _found(call: Call) -> StoredFile:
    return found_by_path(call, "file_id", call.emulator.files.get, errors.no_such_file)


async def create_file(call: Call) -> Response:
    emulator = call.emulator
    assert isinstance(call.body, Form)
    body = form_body(call.body)
    call.entry.record_params({k: v for k, v in body.items() if isinstance(v, str)})
    for name in ("file", "purpose"):
        if name not in body:
            raise errors.missing_required_parameter(name)
    purpose = body["purpose"]
    if not isinstance(purpose, str):
        raise errors.invalid_type("purpose", "a string", "a file")
    if purpose not in PURPOSES:
        raise errors.invalid_value("purpose", purpose, PURPOSES)
    upload = body["file"]
    parts = getattr(upload, "parts", [])
    if len(parts) != 1 or not isinstance(parts[0], FormFile):
        raise errors.invalid_type("file", "a file", "a string")
    part = parts[0]
    if part.truncated:
        raise _store_full(emulator)
    try:
        stored = emulator.files.put(
            part.filename, purpose, part.read(), part.content_type, emulator.clock.now()
        )
    except StoreFull:
        raise _store_full(emulator) from None
    call.entry.record_params(
        {"purpose": purpose, "filename": stored.filename, "bytes": len(stored.data)}
    )
    return json_response(stored.as_object())


async def list_files(call: Call) -> Response:
    query = call.request.query_params
    files = [f.as_object() for f in call.emulator.files.listed(query.get("purpose"))]
    call.entry.record_params(dict(query))
    return json_response(cursor_page(files, query, max_limit=LIST_LIMIT, default_limit=LIST_LIMIT))


async def retrieve_file(call: Call) -> Response:
    return json_response(_found(call).as_object())


async def file_content(call: Call) -> Response:
    stored = _found(call)
    return Response(stored.data, media_type="application/octet-stream")


async def delete_file(call: Call) -> Response:
    stored = _found(call)
    call.emulator.files.delete(stored.id)
    return json_response({"id": stored.id, "object": "file", "deleted": True})


# The routes under /v1/files: (path suffix, method) to endpoint.
FILES = {
    ("", "POST"): ApiEndpoint(
        name="files", reads=body_kind("form"), form_limits=upload_limits, answer=create_file
    ),
    ("", "GET"): ApiEndpoint(name="files", reads=body_kind("none"), answer=list_files),
    ("/{file_id}", "GET"): ApiEndpoint(name="files", reads=body_kind("none"), answer=retrieve_file),
    ("/{file_id}", "DELETE"): ApiEndpoint(
        name="files", reads=body_kind("none"), answer=delete_file
    ),
    ("/{file_id}/content", "GET"): ApiEndpoint(
        name="files", reads=body_kind("none"), answer=file_content
    ),
}
