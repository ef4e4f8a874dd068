"""Batches always end and account for every line exactly once, whatever a line's answer: random
fault mixes and line shapes (hypothesis), a dropped connection, a full file store, custom_ids
that are not strings, a cancel at any moment; and no caller can pass a request off as a batch
line."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import openai
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from emulator import Config, create_app
from emulator.inprocess import openai_client

GEN = "/v1/images/generations"
TERMINAL = ("completed", "failed", "expired", "cancelled")


@pytest.fixture(scope="module")
def app() -> Any:
    return create_app(Config())


@pytest.fixture
def sdk(app: Any) -> Iterator[openai.OpenAI]:
    app.state.emulator.reset()
    client = openai_client(app, max_retries=0)
    yield client
    client.close()


def submit(sdk: openai.OpenAI, lines: list[Any], hold: bool = False) -> str:
    """A batch of ``lines``; ``hold``: it waits an hour of the emulator's clock before it
    completes, so that a cancel always finds it running."""
    content = "\n".join(json.dumps(line) for line in lines).encode()
    uploaded = sdk.files.create(file=("lines.jsonl", content), purpose="batch")
    delay = {"x-emulator-batch-delay-seconds": "3600"} if hold else {}
    return sdk.batches.create(
        input_file_id=uploaded.id, endpoint=GEN, completion_window="24h", extra_headers=delay
    ).id


def ended(sdk: openai.OpenAI, batch_id: str, seconds: float = 30) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        batch = sdk.batches.retrieve(batch_id)
        if batch.status in TERMINAL:
            return batch
        assert time.monotonic() < deadline, f"still {batch.status} after {seconds} s"
        time.sleep(0.02)


def rows(sdk: openai.OpenAI, file_id: str | None) -> list[dict[str, Any]]:
    if file_id is None:
        return []
    return [json.loads(row) for row in sdk.files.content(file_id).text.splitlines()]


def line(custom_id: Any, **body: Any) -> dict[str, Any]:
    body = {"model": "gpt-image-2", "prompt": f"line {custom_id}", "quality": "low", **body}
    return {"custom_id": custom_id, "method": "POST", "url": GEN, "body": body}


def accounted(sdk: openai.OpenAI, batch: Any) -> tuple[list[str], list[str]]:
    """The custom_ids of the output and error files; each line in exactly one, once."""
    output = [row["custom_id"] for row in rows(sdk, batch.output_file_id)]
    failed = [row["custom_id"] for row in rows(sdk, batch.error_file_id)]
    return output, failed


# --- the property ------------------------------------------------------------------------

FAULTS = st.sampled_from(
    ["server_error", "rate_limit", "drop", "content_policy", "overloaded", "quota"]
)
FAULT = st.fixed_dictionaries(
    {"kind": FAULTS, "count": st.integers(1, 3)},
    optional={"prompt_pattern": st.sampled_from(["line c[0-3]", "line c[4-9]", "."])},
)
LINE_SHAPE = st.sampled_from(["good", "bad size", "bad quality", "unknown model", "refused"])


def shaped(index: int, shape: str) -> dict[str, Any]:
    extra = {
        "good": {},
        "bad size": {"size": "7x7"},
        "bad quality": {"quality": "superb"},
        "unknown model": {"model": "gpt-image-9"},
        "refused": {"prompt": "a moderation-test picture"},
    }[shape]
    return line(f"c{index}", **extra)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    derandomize=True,
)
@given(
    shapes=st.lists(LINE_SHAPE, min_size=1, max_size=8),
    faults=st.lists(FAULT, max_size=4),
    cancel=st.booleans(),
)
def test_every_batch_ends_with_each_line_once(
    app: Any, shapes: list[str], faults: list[dict[str, Any]], cancel: bool
) -> None:
    emulator = app.state.emulator
    emulator.reset()
    sdk = openai_client(app, max_retries=0)
    for fault in faults:
        emulator.fail_next(**{**fault, "endpoint": "generations"})
    lines = [shaped(i, shape) for i, shape in enumerate(shapes)]
    batch_id = submit(sdk, lines, hold=cancel)
    if cancel:
        sdk.batches.cancel(batch_id)
    batch = ended(sdk, batch_id)
    assert batch.status == ("cancelled" if cancel else "completed")
    output, failed = accounted(sdk, batch)
    asked = [item["custom_id"] for item in lines]
    assert sorted(output + failed) == sorted(asked)  # every line, exactly once
    if not cancel:
        counts = batch.request_counts
        assert counts is not None
        assert (counts.total, counts.completed, counts.failed) == (
            len(lines),
            len(output),
            len(failed),
        )
    for row in rows(sdk, batch.output_file_id):
        assert row["response"]["status_code"] == 200 and row["response"]["body"]["data"]
    sdk.close()


# --- each trigger on its own ---------------------------------------------------------------


def test_a_dropped_line_is_a_server_error_row(sdk: openai.OpenAI, app: Any) -> None:
    app.state.emulator.fail_next("drop", count=1)
    batch = ended(sdk, submit(sdk, [line("a"), line("b"), line("c")]))
    assert batch.status == "completed"
    errors = rows(sdk, batch.error_file_id)
    assert [row["response"]["status_code"] for row in errors] == [500]
    assert errors[0]["response"]["body"]["error"]["type"] == "server_error"
    assert len(rows(sdk, batch.output_file_id)) == 2


@pytest.mark.parametrize(
    ("ids", "code"),
    [
        ([["a"], "b"], "invalid_custom_id"),
        ([{"a": 1}, "b"], "invalid_custom_id"),
        ([1, 1], "invalid_custom_id"),
        ([None, None], "invalid_custom_id"),
        (["", "b"], "invalid_custom_id"),
        (["a", "a"], "duplicate_custom_id"),
    ],
)
def test_custom_ids_are_unique_strings(sdk: openai.OpenAI, ids: list[Any], code: str) -> None:
    batch = ended(sdk, submit(sdk, [line(custom_id) for custom_id in ids]))
    assert batch.status == "failed"
    assert batch.errors is not None and batch.errors.data
    assert batch.errors.data[0].code == code and batch.errors.data[0].param == "custom_id"


def test_output_past_the_file_store_goes_to_the_error_file() -> None:
    app = create_app(Config(files_store_mb=1))  # room for the input, not for 40 images
    sdk = openai_client(app, max_retries=0)
    lines = [line(f"c{i}") for i in range(40)]
    batch = ended(sdk, submit(sdk, lines))
    assert batch.status == "completed" and batch.output_file_id is None
    errors = rows(sdk, batch.error_file_id)
    assert sorted(row["custom_id"] for row in errors) == sorted(f"c{i}" for i in range(40))
    assert {row["error"]["code"] for row in errors} == {"batch_output_too_large"}
    counts = batch.request_counts
    assert counts is not None and (counts.completed, counts.failed) == (0, 40)


def test_a_cancel_always_ends_cancelled(sdk: openai.OpenAI, app: Any) -> None:
    app.state.emulator.fail_next("delay", delay_ms=300, count=8)
    batch_id = submit(sdk, [line(f"c{i}") for i in range(8)], hold=True)
    sdk.batches.cancel(batch_id)
    assert sdk.batches.cancel(batch_id).status in ("cancelling", "cancelled")  # idempotent
    batch = ended(sdk, batch_id)
    assert batch.status == "cancelled"
    output, failed = accounted(sdk, batch)
    assert sorted(output + failed) == sorted(f"c{i}" for i in range(8))


def test_a_caller_cannot_mark_its_own_request_as_a_batch_line(app: Any) -> None:
    app.state.emulator.reset()
    http = TestClient(app, headers={"Authorization": "Bearer sk-t"})
    body = {"model": "gpt-image-2", "prompt": "x", "quality": "low"}
    plain = http.post(GEN, json=body)
    marked = http.post(GEN, json={**body, "prompt": "y"}, headers={"x-emulator-batch": "batch_1"})
    assert plain.status_code == marked.status_code == 200
    first, second = app.state.emulator.requests()
    assert second.origin == "emulated"  # not "batch"
    assert second.cost_usd == first.cost_usd  # full price
