"""Schema-driven fuzzing of the three images operations with schemathesis.

Requests are generated from the official OpenAPI document (valid ones and deliberately
invalid ones) and sent in-process to the emulator in strict and lenient mode alike. Every
answer must be something other than a server error, and every 2xx answer must conform to
the document's response schema. ``bench/fuzz_campaign.py`` runs the long campaign.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema_rs
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from emulator import create_app

from .latest import latest

SPEC = Path(__file__).parent / "data" / "openapi-images-2026-08-21.yml"
EXAMPLES = 30  # per operation; the campaign script runs thousands
KEY = {"Authorization": "Bearer sk-fuzz"}

schema = schemathesis.openapi.from_path(SPEC)
APPS = {"strict": create_app(latest()), "lenient": create_app(latest(lenient=True))}


def stream_event_errors(document: dict[str, Any], path: str, text: str) -> list[str]:
    """Each event's ``data`` against the operation's ``text/event-stream`` schema. The
    document describes the JSON payload of an event, which is how the official SDKs read it
    (schemathesis would validate the whole ``{event, data}`` record instead)."""
    content = document["paths"][path]["post"]["responses"]["200"]["content"]
    event_schema = {**content["text/event-stream"]["schema"], "components": document["components"]}
    validator = jsonschema_rs.validator_for(event_schema)
    problems = []
    for block in filter(None, text.split("\n\n")):
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        payload = json.loads(fields["data"])
        problems += [f"{fields['event']}: {error}" for error in validator.iter_errors(payload)]
        if payload.get("type") != fields["event"]:
            problems.append(f"event {fields['event']} carries type {payload.get('type')}")
    return problems


def check_answer(case: schemathesis.Case, response: Any) -> None:
    content_type = response.headers.get("content-type", [""])[0]  # headers hold lists
    if content_type.startswith("text/event-stream"):
        case.validate_response(response, checks=[not_a_server_error])
        assert response.status_code == 200
        problems = stream_event_errors(schema.raw_schema, case.operation.path, response.text)
        assert not problems, problems
    else:
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error_and_conforming_answers(case: schemathesis.Case) -> None:
    for app in APPS.values():
        check_answer(case, case.call(app=app, headers=KEY))
