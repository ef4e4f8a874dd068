"""A small Files API (``/v1/files``): upload, list, retrieve, download and delete, with the
real object shapes, so a JSON edit can name an uploaded image by ``file_id``.

Files live in memory (``--files-store-mb``), are cleared by a reset and journaled under the
endpoint ``files``.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..contract import errors
from ..contract.errors import APIError
from ..contract.specs import MiB
from ..testdouble.file_store import StoredFile, StoreFull
from ..testdouble.journal import Entry
from ..testdouble.state import Emulator
from ..transport.auth import authenticate
from ..transport.body import read_upload_form
from ..transport.forms import form_body
from ..transport.multipart import FormFile, FormLimits
from ..transport.wire import json_response

PURPOSES = ("assistants", "batch", "fine-tune", "vision", "user_data", "evals")
MAX_FILE_BYTES = 512 * MiB  # the API's limit for one file
LIST_LIMIT = 10_000


def no_such_file(file_id: str, param: str = "id") -> APIError:
    return APIError(404, f"No such File object: {file_id}", param=param)


def _store_full(max_bytes: int) -> APIError:
    # The emulator's own bound, worded so a test suite knows what to change.
    return APIError(
        400,
        f"The emulator's file store is full ({max_bytes // MiB} MB in all): delete files or "
        "start it with a larger --files-store-mb (IMAGES_EMULATOR_FILES_STORE_MB).",
        code="file_store_full",
    )


def _found(emulator: Emulator, request: Request) -> StoredFile:
    file_id = request.path_params["file_id"]
    stored = emulator.files.get(file_id)
    if stored is None:
        raise no_such_file(file_id)
    return stored


async def create_file(request: Request, emulator: Emulator, entry: Entry) -> Response:
    authenticate(request, emulator.config)
    limit = min(MAX_FILE_BYTES, emulator.files.max_bytes) + 1
    limits = FormLimits(file_bytes=limit, field_bytes=64 * 1024, request_bytes=limit + MiB)
    form = await read_upload_form(request, emulator.config.body_timeout_seconds, limits)
    try:
        body = form_body(form)
        entry.params = {k: v for k, v in body.items() if isinstance(v, str)}
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
            raise _store_full(emulator.files.max_bytes)
        try:
            stored = emulator.files.put(
                part.filename, purpose, part.read(), part.content_type, emulator.clock.now()
            )
        except StoreFull:
            raise _store_full(emulator.files.max_bytes) from None
    finally:
        form.close()
    entry.params = {"purpose": purpose, "filename": stored.filename, "bytes": len(stored.data)}
    return json_response(stored.as_object())


async def list_files(request: Request, emulator: Emulator, entry: Entry) -> Response:
    authenticate(request, emulator.config)
    query = request.query_params
    order = query.get("order", "desc")
    if order not in ("asc", "desc"):
        raise errors.invalid_value("order", order, ("asc", "desc"))
    raw_limit = query.get("limit", str(LIST_LIMIT))
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= LIST_LIMIT:
        raise errors.invalid_value("limit", raw_limit, ("an integer from 1 to 10000",))
    files = emulator.files.listed(query.get("purpose"))
    if order == "desc":
        files.reverse()
    after = query.get("after")
    if after is not None:
        ids = [f.id for f in files]
        files = files[ids.index(after) + 1 :] if after in ids else []
    page = files[: int(raw_limit)]
    entry.params = dict(query)
    return json_response(
        {
            "object": "list",
            "data": [f.as_object() for f in page],
            "first_id": page[0].id if page else None,
            "last_id": page[-1].id if page else None,
            "has_more": len(files) > len(page),
        }
    )


async def retrieve_file(request: Request, emulator: Emulator, entry: Entry) -> Response:
    authenticate(request, emulator.config)
    return json_response(_found(emulator, request).as_object())


async def file_content(request: Request, emulator: Emulator, entry: Entry) -> Response:
    authenticate(request, emulator.config)
    stored = _found(emulator, request)
    return Response(stored.data, media_type="application/octet-stream")


async def delete_file(request: Request, emulator: Emulator, entry: Entry) -> Response:
    authenticate(request, emulator.config)
    stored = _found(emulator, request)
    emulator.files.delete(stored.id)
    return json_response({"id": stored.id, "object": "file", "deleted": True})
