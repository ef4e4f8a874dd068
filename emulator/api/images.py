"""The three images endpoints: each reads its body, checks it and plans its job; the shared
steps around them (journal, faults, answering, streaming) are in ``pipeline``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import anyio.to_thread
import numpy as np
from starlette.requests import Request

from ..contract import errors
from ..contract.specs import Catalog, Endpoint
from ..contract.uploads import apply_markup, open_images, open_mask, own_transparency
from ..contract.validation import CheckedRequest, check_request
from ..jobs.edit import EditJob
from ..jobs.generation import GenerationJob
from ..jobs.variation import VariationJob
from ..testdouble.journal import Entry, InputFile
from ..testdouble.state import Emulator
from ..transport.auth import authenticate
from ..transport.body import read_json, read_upload_form
from ..transport.forms import form_body, upload
from ..transport.multipart import Form
from ..transport.wire import error_response
from .image_refs import Sources
from .json_edits import checkable_body, journal_view, with_images
from .pipeline import (
    Reply,
    answer,
    dated_catalog,
    record_asked,
    record_request,
    stream,
)


async def create_generation(request: Request, emulator: Emulator, entry: Entry) -> Reply:
    authenticate(request, emulator.config)
    body = await read_json(request, emulator.config.body_timeout_seconds)
    record_asked(entry, body)
    catalog = dated_catalog(request)
    checked = check_request(body, "generations", catalog, lenient=emulator.config.lenient)
    record_request(entry, checked, [])
    job = GenerationJob.from_request(checked)
    if job.stream:
        return await stream(request, emulator, entry, job)
    return await answer(request, emulator, entry, job)


def check_form(
    form: Form, endpoint: Endpoint, catalog: Catalog, entry: Entry, lenient: bool
) -> tuple[dict[str, object], CheckedRequest]:
    """The form as a body, journaled as sent, then checked."""
    body = form_body(form)
    record_asked(entry, body)
    return body, check_request(body, endpoint, catalog, form=True, lenient=lenient)


def plan_edit(form: Form, catalog: Catalog, entry: Entry, lenient: bool) -> EditJob:
    """Check an edits form and decode its images (blocking: run off the event loop)."""
    body, checked = check_form(form, "edits", catalog, entry, lenient)
    return prepare_edit(body, checked, entry, lenient)


def plan_json_edit(
    body: object, catalog: Catalog, sources: Sources, entry: Entry, lenient: bool
) -> EditJob:
    """Check a JSON edit, then fetch its images (blocking: run off the event loop)."""
    view = journal_view(body)
    record_asked(entry, view)
    converted = checkable_body(body, catalog)
    checked = check_request(converted, "edits", catalog, lenient=lenient)
    assert isinstance(body, dict) and isinstance(view, dict)
    job = prepare_edit(with_images(converted, body, sources), checked, entry, lenient, "images")
    entry.params.update({k: view[k] for k in ("images", "mask", "moderation") if k in view})
    return job


def prepare_edit(
    body: dict[str, object],
    checked: CheckedRequest,
    entry: Entry,
    lenient: bool,
    image_param: str = "image",
) -> EditJob:
    """Decode the images, mask and markup of a checked edit, and plan its pictures."""
    rules = checked.model.endpoints["edits"]
    assert rules.uploads is not None and rules.mask is not None
    masks = upload(body, "mask")
    images = open_images(
        upload(body, "image").named_files(image_param),
        rules.uploads,
        has_mask=bool(masks.parts),
        lenient=lenient,
    )
    record_request(entry, checked, images)
    markups = upload(body, "markup")
    if markups.parts:
        markup = markups.files()[0]
        images[0] = apply_markup(markup, rules.mask, rules.uploads.mimetypes, images[0])
        width, height = images[0].size
        digest = entry.keep(markup.read(), "image/png")
        entry.inputs.append(
            InputFile("markup", markup.filename, markup.content_type, width, height, "PNG", digest)
        )
    area: np.ndarray | None = None
    if masks.parts:
        mask = masks.files()[0]
        try:
            area = open_mask(mask, rules.mask, rules.uploads.mimetypes, images[0])
        except errors.APIError:
            if not lenient:
                raise  # lenient: a mask that does not fit is ignored
        width, height = images[0].size
        digest = entry.keep(mask.read(), "image/png")
        entry.inputs.append(
            InputFile("mask", mask.filename, mask.content_type, width, height, "PNG", digest)
        )
    elif rules.uploads.modes_without_mask is not None:  # DALL·E 2: the image's own alpha
        width, height = images[0].size
        area = own_transparency(images[0])
        if area is None:  # no alpha at all: nothing to replace
            area = np.zeros((height, width), bool)
    return EditJob.from_request(checked, rules, images, area)


Job = TypeVar("Job", EditJob, VariationJob)


async def plan_form(
    request: Request,
    emulator: Emulator,
    entry: Entry,
    plan: Callable[[Form, Catalog, Entry, bool], Job],
) -> Job:
    """Authenticate, read the form and plan the job off the event loop. The plan decodes
    the inputs into memory, so the uploaded files can go as soon as it is done."""
    authenticate(request, emulator.config)
    form = await read_upload_form(request, emulator.config.body_timeout_seconds)
    try:
        return await anyio.to_thread.run_sync(
            plan, form, dated_catalog(request), entry, emulator.config.lenient
        )
    finally:
        form.close()


async def create_edit(request: Request, emulator: Emulator, entry: Entry) -> Reply:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    catalog = dated_catalog(request)
    if media_type == "application/json" and catalog.endpoints["edits"].json_body:
        authenticate(request, emulator.config)
        body = await read_json(request, emulator.config.body_timeout_seconds)
        sources = Sources(emulator.images, emulator.files, emulator.config.fetch_image_urls)
        job = await anyio.to_thread.run_sync(
            plan_json_edit, body, catalog, sources, entry, emulator.config.lenient
        )
    else:
        job = await plan_form(request, emulator, entry, plan_edit)
    if job.stream:
        return await stream(request, emulator, entry, job)
    return await answer(request, emulator, entry, job)


def plan_variation(form: Form, catalog: Catalog, entry: Entry, lenient: bool) -> VariationJob:
    body, checked = check_form(form, "variations", catalog, entry, lenient)
    rules = checked.model.endpoints["variations"]
    assert rules.uploads is not None
    first = upload(body, "image").named_files("image")[:1]
    (image,) = open_images(first, rules.uploads, has_mask=False, lenient=lenient)
    record_request(entry, checked, [image])
    return VariationJob.from_request(checked, image)


async def create_variation(request: Request, emulator: Emulator, entry: Entry) -> Reply:
    if not dated_catalog(request).endpoints["variations"].available:
        # The endpoint is gone: the API's unknown-route answer, in its usual key order.
        gone = errors.invalid_url(request.method, request.url.path)
        entry.error = gone.body()["error"]
        return error_response(gone)
    return await answer(
        request, emulator, entry, await plan_form(request, emulator, entry, plan_variation)
    )
