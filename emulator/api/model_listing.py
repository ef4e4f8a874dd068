"""``GET /v1/models`` and ``GET /v1/models/{model}``: the image models served on the request's
day, snapshots included, shaped as the real API shapes model objects. Only image models are
listed: the emulator serves no other.

``created`` is the model's release day at midnight UTC; ``shutdown_date`` is there while a
shutdown is announced (the deprecations page: "check each model's optional shutdown_date").
"""

from __future__ import annotations

import datetime

from starlette.responses import Response

from ..contract import errors
from ..contract.specs import Catalog, ModelSpec
from ..transport.wire import json_response
from .pipeline import ApiEndpoint, Call, body_kind

OWNER = "system"  # what the real API names as the owner of its own models


def served_names(catalog: Catalog) -> list[str]:
    """Every name a model is served under on the catalog's day, in the API's listing order."""
    names: list[str] = []
    for spec in catalog.endpoints.values():
        if spec.available:
            names += [name for name in spec.models if name not in names]
    order = list(catalog.models)
    return sorted(names, key=order.index)


def model_object(name: str, spec: ModelSpec, day: datetime.date | None) -> dict[str, object]:
    released = datetime.date.fromisoformat(spec.released or "2022-11-03")
    created = datetime.datetime.combine(released, datetime.time(), datetime.UTC)
    shown: dict[str, object] = {
        "id": name,
        "object": "model",
        "created": int(created.timestamp()),
        "owned_by": OWNER,
    }
    if day is not None and spec.deprecation_on(day) is not None:
        shown["shutdown_date"] = spec.shutdown
    return shown


async def list_models(call: Call) -> Response:
    day = call.day
    data = [model_object(n, call.catalog.models[n], day) for n in served_names(call.catalog)]
    return json_response({"object": "list", "data": data})


async def retrieve_model(call: Call) -> Response:
    name = call.request.path_params["model"]
    call.entry.record_asked({"model": name})
    if name not in served_names(call.catalog):  # unknown, not yet released, or retired
        raise errors.model_not_found(name)
    return json_response(model_object(name, call.catalog.models[name], call.day))


MODELS = {
    "": ApiEndpoint(name="models", reads=body_kind("none"), answer=list_models),
    "/{model:path}": ApiEndpoint(name="models", reads=body_kind("none"), answer=retrieve_model),
}
