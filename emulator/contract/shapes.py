"""Response bodies per model style, keys in the order real recordings show (contract §6, §14.3)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pybase64

from .specs import ModelSpec


def image_item(*, b64_json: str | None, url: str | None, revised_prompt: str | None) -> dict:
    """One ``data[]`` entry: ``url`` or ``b64_json``, never both; keys alphabetical."""
    item: dict[str, str] = {}
    if b64_json is not None:
        item["b64_json"] = b64_json
    if revised_prompt is not None:
        item["revised_prompt"] = revised_prompt
    if url is not None:
        item["url"] = url
    return item


def images_body(
    model: ModelSpec,
    created: int,
    items: list[dict],
    *,
    settings: Mapping[str, object],
    usage: Mapping[str, object] | None,
) -> dict[str, object]:
    """GPT image models: ``created``, then the resolved settings, ``data`` and ``usage``
    alphabetically; DALL·E models: ``created`` and ``data`` only."""
    if model.response_style != "gpt-image":
        return {"created": created, "data": items}
    if not model.reports_settings:  # gpt-image-1 before 2025-06-03: created, data, usage
        settings = {}
    body: dict[str, object] = {"created": created}
    fields = {**settings, "data": items}
    if usage is not None:
        fields["usage"] = usage
    for key in sorted(fields):
        body[key] = fields[key]
    return body


def images_response(
    model: ModelSpec,
    created: int,
    images: list[bytes],
    *,
    response_format: str,
    url_for: Callable[[bytes], str],
    revised_prompt: str | None = None,
    settings: Mapping[str, object],
    usage: Mapping[str, object] | None,
) -> dict[str, object]:
    """The whole body: each image as a URL (stored by ``url_for``) or as base64."""
    items = []
    for data in images:
        if response_format == "url":
            items.append(
                image_item(b64_json=None, url=url_for(data), revised_prompt=revised_prompt)
            )
        else:
            encoded = pybase64.b64encode(data).decode()
            items.append(image_item(b64_json=encoded, url=None, revised_prompt=revised_prompt))
    return images_body(model, created, items, settings=settings, usage=usage)
