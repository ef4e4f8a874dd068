"""The real API's webhook endpoint management, ``/v1/webhook_endpoints`` (create, list,
retrieve, update, delete, rotate the secret, send a test event) and
``/v1/webhook_event_types``, as the official SDK calls them (``client.webhooks.*``,
openai-python 3.63.0; docs/webhooks.md). Endpoints are per namespace and cleared by a reset."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import anyio
from starlette.responses import Response

from ..contract import errors
from ..contract.params import json_type_name
from ..contract.webhook_events import KNOWN, SENT
from ..testdouble.webhooks import MAX_ENDPOINTS, Endpoint
from ..transport.wire import json_response
from .paging import cursor_page
from .pipeline import ApiEndpoint, Call, body_kind, found_by_path

TEST_WAIT_SECONDS = 10.0  # how long a test delivery may take before it is answered


def _json(call: Call) -> Mapping[str, Any]:
    body = call.body
    if not isinstance(body, dict):
        raise errors.invalid_type("body", "an object", json_type_name(body))
    return body


def _text(body: Mapping[str, Any], name: str, required: bool) -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            raise errors.missing_required_parameter(name)
        return None
    if not isinstance(value, str):
        raise errors.invalid_type(name, "a string", json_type_name(value))
    return value


def _url(body: Mapping[str, Any], required: bool) -> str | None:
    url = _text(body, "url", required)
    if url is not None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise errors.webhook_url_invalid(url)
    return url


def _event_types(body: Mapping[str, Any], required: bool) -> list[str] | None:
    given = body.get("event_types")
    if given is None:
        if required:
            raise errors.missing_required_parameter("event_types")
        return None
    if not isinstance(given, list):
        raise errors.invalid_type("event_types", "an array", json_type_name(given))
    for index, kind in enumerate(given):
        if kind not in KNOWN:
            raise errors.invalid_value(f"event_types[{index}]", str(kind), KNOWN)
    return list(dict.fromkeys(given))


def _found(call: Call) -> Endpoint:
    return found_by_path(
        call, "webhook_endpoint_id", call.emulator.webhooks.get, errors.no_such_webhook_endpoint
    )


def _now(call: Call) -> int:
    return int(call.emulator.clock.now())


async def create_endpoint(call: Call) -> Response:
    body = _json(call)
    name = _text(body, "name", required=True)
    url = _url(body, required=True)
    kinds = _event_types(body, required=True)
    assert name is not None and url is not None and kinds is not None
    try:
        endpoint = call.emulator.webhooks.add(name, url, kinds, _now(call))
    except ValueError:
        raise errors.webhook_endpoints_full(MAX_ENDPOINTS) from None
    return json_response(endpoint.public(with_secret=True))


async def list_endpoints(call: Call) -> Response:
    query = call.request.query_params
    listed = [e.public() for e in reversed(call.emulator.webhooks.listed())]  # oldest first
    return json_response(cursor_page(listed, query, max_limit=100, default_limit=20, ordered=False))


async def retrieve_endpoint(call: Call) -> Response:
    return json_response(_found(call).public())


async def update_endpoint(call: Call) -> Response:
    endpoint = _found(call)
    body = _json(call)
    changes = {
        name: value
        for name, value in (
            ("name", _text(body, "name", required=False)),
            ("url", _url(body, required=False)),
            ("event_types", _event_types(body, required=False)),
        )
        if value is not None
    }
    return json_response(call.emulator.webhooks.update(endpoint, changes, _now(call)).public())


async def delete_endpoint(call: Call) -> Response:
    endpoint = _found(call)
    call.emulator.webhooks.remove(endpoint.id)
    return json_response({"id": endpoint.id, "deleted": True, "object": "webhook_endpoint.deleted"})


async def rotate_secret(call: Call) -> Response:
    endpoint = _found(call)
    body = call.body if isinstance(call.body, dict) else {}
    keep = body.get("keep_old_secret_active_for_24_hours", False)
    if not isinstance(keep, bool):
        raise errors.invalid_type(
            "keep_old_secret_active_for_24_hours", "a boolean", json_type_name(keep)
        )
    rotated = call.emulator.webhooks.rotate(endpoint, keep, _now(call))
    return json_response(rotated.public(with_secret=True))


async def test_endpoint(call: Call) -> Response:
    """Send one sample event now and answer with what the endpoint answered."""
    endpoint = _found(call)
    kind = _text(_json(call), "event_type", required=True)
    if kind not in KNOWN:
        raise errors.invalid_value("event_type", str(kind), KNOWN)
    sample = "resp_test" if kind.startswith("response.") else "batch_test"
    (delivery,) = call.emulator.webhooks.emit(str(kind), sample, _now(call), only=endpoint)
    with anyio.move_on_after(TEST_WAIT_SECONDS):
        while not delivery.attempts:
            await anyio.sleep(0.01)
    status = delivery.attempts[0].get("status", 0) if delivery.attempts else 0
    return json_response(
        {
            "event_type": kind,
            "object": "webhook_endpoint.test",
            "status_code": status,
            "success": True,
            "webhook_endpoint_id": endpoint.id,
        }
    )


async def event_types(call: Call) -> Response:
    # The emulator sends these; the others an endpoint may name are listed but never sent.
    data = [{"object": "webhook_event_type", "type": kind, "sent": kind in SENT} for kind in KNOWN]
    return json_response({"object": "list", "data": data})


def _endpoint(answer: Any, reads: str = "none") -> ApiEndpoint:
    return ApiEndpoint(name="webhooks", reads=body_kind(reads), answer=answer)  # type: ignore[arg-type]


# (path suffix, method) under /v1/webhook_endpoints.
WEBHOOK_ENDPOINTS = {
    ("", "POST"): _endpoint(create_endpoint, "json"),
    ("", "GET"): _endpoint(list_endpoints),
    ("/{webhook_endpoint_id}", "GET"): _endpoint(retrieve_endpoint),
    ("/{webhook_endpoint_id}", "POST"): _endpoint(update_endpoint, "json"),
    ("/{webhook_endpoint_id}", "DELETE"): _endpoint(delete_endpoint),
    ("/{webhook_endpoint_id}/rotate_secret", "POST"): _endpoint(rotate_secret, "json"),
    ("/{webhook_endpoint_id}/test", "POST"): _endpoint(test_endpoint, "json"),
}
WEBHOOK_EVENT_TYPES = _endpoint(event_types)
