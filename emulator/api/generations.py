"""``POST /v1/images/generations``: a JSON body, checked, becomes a ``GenerationJob``."""

from __future__ import annotations

from ..contract.validation import CheckedRequest
from ..jobs.generation import GenerationJob
from .pipeline import ApiEndpoint, Call, ImagesEndpoint, body_kind


def body_of(call: Call) -> object:
    call.entry.record_asked(call.body)
    return call.body


def plan(call: Call, checked: CheckedRequest, body: dict[str, object]) -> GenerationJob:
    call.entry.record_checked(checked, [])
    return GenerationJob.from_request(checked)


GENERATIONS = ApiEndpoint(
    name="generations",
    reads=body_kind("json"),
    answer=ImagesEndpoint(name="generations", body_of=body_of, plan=plan, plan_blocks=False),
)
