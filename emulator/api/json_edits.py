"""Edits sent as JSON (``Content-Type: application/json``, contract §11.3): ``images`` as
references (``{"image_url": …}`` or ``{"file_id": …}``), an optional ``mask`` reference and
the other fields as JSON values. GPT image models only; the default model, the image limit and
the JSON-only parameters (``moderation``) come from the dated catalog.

The body becomes the multipart form's body in two steps: first with stand-in files, so every
parameter is checked before anything is fetched, then with the referenced images themselves.
From there on a JSON edit is a multipart edit: same checks, tokens and pictures.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

from ..contract import errors
from ..contract.params import Files, Upload, json_type_name
from ..contract.parts import FormField, FormFile
from ..contract.specs import Catalog
from .image_refs import Sources, reference_parts, resolve

MULTIPART_ONLY = ("image", "markup")  # the form's names: JSON sends `images`, no markup


def _stand_in(param: str) -> FormFile:
    return FormFile(param, "", None, io.BytesIO())


def checkable_body(body: object, catalog: Catalog) -> dict[str, object]:
    """The body in the multipart form's terms, with stand-ins for the referenced images."""
    if not isinstance(body, dict):
        raise errors.invalid_json()
    for name in body:
        if name in MULTIPART_ONLY:
            raise errors.unknown_parameter(name)
    model = body.get("model")
    known = catalog.models.get(model) if isinstance(model, str) else None
    if known is not None and known.response_style != "gpt-image":
        raise errors.json_edit_gpt_image_only(str(model))
    images = body.get("images")
    if images is None:
        raise errors.missing_required_parameter("images")
    if not isinstance(images, list):
        raise errors.invalid_type("images", "an array", json_type_name(images))
    if not images:
        raise errors.empty_array("images")
    image_kind = catalog.schema_params("edits").get("image")
    max_images = image_kind.max_count if isinstance(image_kind, Files) else len(images)
    if len(images) > max_images:
        raise errors.array_too_long("images", max_images, len(images))
    for index, reference in enumerate(images):
        reference_parts(reference, f"images[{index}]")
    if body.get("mask") is not None:
        reference_parts(body["mask"], "mask")
    spec = catalog.endpoints["edits"]
    for name, kind in spec.json_only_params.items():
        if body.get(name) is not None:
            kind.check(name, body[name])
    taken_apart = ("images", "mask", *spec.json_only_params)
    converted = {k: v for k, v in body.items() if k not in taken_apart}
    if converted.get("model") is None and spec.json_default_model is not None:
        converted["model"] = spec.json_default_model
    stand_ins: list[FormFile | FormField] = [_stand_in(f"images[{i}]") for i in range(len(images))]
    converted["image"] = Upload(stand_ins, array_form=True)
    if body.get("mask") is not None:
        converted["mask"] = Upload([_stand_in("mask")], array_form=False)
    return converted


def with_images(
    converted: dict[str, object], body: Mapping[str, object], sources: Sources
) -> dict[str, object]:
    """The checkable body with the referenced images in place of the stand-ins (blocking:
    a reference may be fetched)."""
    images = body["images"]
    assert isinstance(images, list)
    files: list[FormFile | FormField] = [
        resolve(ref, f"images[{i}]", sources) for i, ref in enumerate(images)
    ]
    resolved = {**converted, "image": Upload(files, array_form=True)}
    if body.get("mask") is not None:
        resolved["mask"] = Upload([resolve(body["mask"], "mask", sources)], array_form=False)
    return resolved


def journal_view(body: object) -> object:
    """The body as the journal keeps it: data: URLs shortened, so it stays small."""
    if not isinstance(body, dict):
        return body

    def short(reference: object) -> object:
        if isinstance(reference, dict):
            return {
                k: v[:80] + "…" if isinstance(v, str) and len(v) > 80 else v
                for k, v in reference.items()
            }
        return reference

    view = dict(body)
    if isinstance(view.get("images"), list):
        view["images"] = [short(ref) for ref in view["images"]]
    if "mask" in view:
        view["mask"] = short(view["mask"])
    return view
