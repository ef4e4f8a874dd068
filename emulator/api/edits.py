"""``POST /v1/images/edits``: a multipart form, or (from 2026-05) a JSON body whose images are
references; both become the same ``EditJob``, with the same checks, tokens and pictures."""

from __future__ import annotations

from starlette.requests import Request

from ..contract.specs import Catalog
from ..contract.validation import CheckedRequest
from ..jobs.edit import EditJob, plan_edit
from ..transport.forms import form_body
from ..transport.multipart import Form
from .image_refs import Sources
from .json_edits import checkable_body, journal_view, with_images
from .pipeline import ApiEndpoint, Body, Call, ImagesEndpoint, uploaded_parts


def edit_body_kind(request: Request, catalog: Catalog) -> Body:
    """JSON edits (from the day the API took them) or multipart ones, by the Content-Type."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == "application/json" and catalog.endpoints["edits"].json_body:
        return "json"
    return "form"


def body_of(call: Call) -> object:
    """The body in the form's terms, journaled as sent (a JSON edit's data: URLs shortened)."""
    if isinstance(call.body, Form):
        body = form_body(call.body)
        call.entry.record_asked(body)
        call.entry.record_uploads(uploaded_parts(body))
        return body
    call.entry.record_asked(journal_view(call.body))
    return checkable_body(call.body, call.catalog)


def plan(call: Call, checked: CheckedRequest, body: dict[str, object]) -> EditJob:
    if isinstance(call.body, Form):
        return prepare_edit(call, checked, body)
    # A JSON edit: every parameter is checked, so now its references are fetched.
    assert isinstance(call.body, dict)
    emulator = call.emulator
    sources = Sources(emulator.images, emulator.files, emulator.config.fetch_image_urls)
    view = journal_view(call.body)
    assert isinstance(view, dict)
    # The journal shows the references and JSON-only values the checked form body lacks.
    names = ("images", "mask", *call.catalog.endpoints["edits"].json_only_params)
    shown = {k: view[k] for k in names if k in view}
    return prepare_edit(call, checked, with_images(body, call.body, sources), "images", shown)


def prepare_edit(
    call: Call,
    checked: CheckedRequest,
    body: dict[str, object],
    image_param: str = "image",
    shown: dict[str, object] | None = None,
) -> EditJob:
    """Decode the images, mask and markup of a checked edit and plan its pictures, the
    journal shown each input as it is read."""
    entry = call.entry
    return plan_edit(
        checked,
        body,
        pool=call.emulator.decoders(),
        lenient=call.lenient,
        image_param=image_param,
        seen_images=lambda images: entry.record_checked(checked, images, shown),
        seen_overlay=entry.record_overlay,
    )


EDITS = ApiEndpoint(
    name="edits",
    reads=edit_body_kind,
    answer=ImagesEndpoint(name="edits", body_of=body_of, plan=plan),
)
