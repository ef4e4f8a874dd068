"""``POST /v1/images/variations``: a multipart form with one image becomes a ``VariationJob``;
after the endpoint's shutdown (2026-10-23) the route is the API's unknown route."""

from __future__ import annotations

from ..contract.params import upload
from ..contract.specs import Catalog
from ..contract.uploads import open_images
from ..contract.validation import CheckedRequest
from ..jobs.variation import VariationJob
from ..transport.forms import form_body
from ..transport.multipart import Form
from .pipeline import ApiEndpoint, Call, ImagesEndpoint, body_kind, uploaded_parts


def body_of(call: Call) -> object:
    assert isinstance(call.body, Form)
    body = form_body(call.body)
    call.entry.record_asked(body)
    call.entry.record_uploads(uploaded_parts(body))
    return body


def plan(call: Call, checked: CheckedRequest, body: dict[str, object]) -> VariationJob:
    rules = checked.model.endpoints["variations"]
    assert rules.uploads is not None
    first = upload(body, "image").named_files("image")[:1]
    (image,) = open_images(
        first, rules.uploads, has_mask=False, lenient=call.lenient, pool=call.emulator.decoders()
    )
    call.entry.record_checked(checked, [image])
    return VariationJob.from_request(checked, image)


def served(catalog: Catalog) -> bool:
    return catalog.endpoints["variations"].available


VARIATIONS = ApiEndpoint(
    name="variations",
    reads=body_kind("form"),
    served=served,
    alphabetical_errors=True,
    answer=ImagesEndpoint(name="variations", body_of=body_of, plan=plan),
)
