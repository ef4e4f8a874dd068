"""The Batch API for images through the official SDK: upload a JSONL file, create, poll,
download and decode every image; bad lines, bad files, cancel, expire, fail, the clock, dates,
edits and Responses lines, the journal at the batch price."""

from __future__ import annotations

import base64
import io
import json
import time
from collections.abc import Iterator
from typing import Any

import openai
import pytest
from PIL import Image

from emulator.server import EmulatorServer

from .images import solid

GEN = "/v1/images/generations"
DONE = ("completed", "failed", "expired", "cancelled")


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer() as running:
        yield running


@pytest.fixture
def sdk(server: EmulatorServer) -> openai.OpenAI:
    server.emulator.reset()
    return server.client(max_retries=0)


def line(custom_id: str, body: dict[str, Any], url: str = GEN) -> dict[str, Any]:
    return {"custom_id": custom_id, "method": "POST", "url": url, "body": body}


def upload(sdk: openai.OpenAI, lines: list[Any], purpose: str = "batch") -> str:
    text = "\n".join(item if isinstance(item, str) else json.dumps(item) for item in lines)
    return sdk.files.create(
        file=("in.jsonl", text.encode(), "application/jsonl"), purpose=purpose
    ).id  # type: ignore[arg-type]


def finished(sdk: openai.OpenAI, batch_id: str, seconds: float = 30) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        batch = sdk.batches.retrieve(batch_id)
        if batch.status in DONE:
            return batch
        time.sleep(0.05)
    raise AssertionError(f"batch {batch_id} still {batch.status}")


def rows(sdk: openai.OpenAI, file_id: str | None) -> list[dict[str, Any]]:
    assert file_id is not None
    return [json.loads(text) for text in sdk.files.content(file_id).text.splitlines()]


def image(b64: str) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(b64)))


SIZES = ["1024x1024", "1536x864", "1280x720"]


def test_a_batch_of_generations_gives_what_the_calls_give(sdk: openai.OpenAI) -> None:
    bodies = [
        {"model": "gpt-image-2", "prompt": f"otter {i}", "quality": "low", "size": size}
        for i, size in enumerate(SIZES)
    ]
    file_id = upload(sdk, [line(f"r{i}", body) for i, body in enumerate(bodies)])
    created = sdk.batches.create(
        input_file_id=file_id, endpoint=GEN, completion_window="24h", metadata={"suite": "images"}
    )
    assert created.status == "validating" and created.object == "batch"
    assert created.metadata == {"suite": "images"}
    batch = finished(sdk, created.id)
    assert batch.status == "completed" and batch.error_file_id is None
    assert (batch.request_counts.total, batch.request_counts.completed) == (3, 3)  # type: ignore[union-attr]
    assert batch.in_progress_at and batch.finalizing_at and batch.completed_at
    assert batch.usage is not None and batch.usage.output_tokens > 0
    output = rows(sdk, batch.output_file_id)
    assert [row["custom_id"] for row in output] == ["r0", "r1", "r2"]
    for row, body, size in zip(output, bodies, SIZES, strict=True):
        assert row["id"].startswith("batch_req_") and row["error"] is None
        assert row["response"]["status_code"] == 200 and row["response"]["request_id"]
        b64 = row["response"]["body"]["data"][0]["b64_json"]
        assert "x".join(map(str, image(b64).size)) == size
        alone = sdk.images.generate(**body)  # type: ignore[arg-type]
        assert alone.data[0].b64_json == b64  # the same request, the same image
    assert sdk.files.retrieve(batch.output_file_id).purpose == "batch_output"  # type: ignore[arg-type]


def test_good_and_bad_lines(sdk: openai.OpenAI) -> None:
    file_id = upload(
        sdk,
        [
            line("good", {"model": "gpt-image-2", "prompt": "x", "quality": "low"}),
            line("retired", {"model": "dall-e-3", "prompt": "x"}),
            line("bad-size", {"model": "gpt-image-2", "prompt": "x", "size": "1000x1000"}),
        ],
    )
    batch = finished(
        sdk, sdk.batches.create(input_file_id=file_id, endpoint=GEN, completion_window="24h").id
    )
    assert batch.status == "completed"
    assert (batch.request_counts.completed, batch.request_counts.failed) == (1, 2)  # type: ignore[union-attr]
    errors = {row["custom_id"]: row["response"] for row in rows(sdk, batch.error_file_id)}
    assert errors["retired"]["status_code"] == 404
    assert errors["retired"]["body"]["error"]["code"] == "model_not_found"
    assert errors["bad-size"]["status_code"] == 400
    assert [row["custom_id"] for row in rows(sdk, batch.output_file_id)] == ["good"]


@pytest.mark.parametrize(
    ("lines", "code", "number"),
    [
        (["{not json"], "invalid_json_line", 1),
        ([line("a", {}, url="/v1/images/edits")], "mismatched_endpoint", 1),
        ([line("a", {"prompt": "x"}), line("a", {"prompt": "y"})], "duplicate_custom_id", 2),
        ([{"custom_id": "a", "url": GEN}], "missing_required_parameter", 1),
    ],
)
def test_a_file_that_is_not_valid_fails_the_batch(
    sdk: openai.OpenAI, lines: list[Any], code: str, number: int
) -> None:
    file_id = upload(sdk, lines)
    batch = finished(
        sdk, sdk.batches.create(input_file_id=file_id, endpoint=GEN, completion_window="24h").id
    )
    assert batch.status == "failed" and batch.failed_at
    (error,) = batch.errors.data  # type: ignore[union-attr]
    assert (error.code, error.line) == (code, number)


def test_the_clock_drives_a_delayed_batch_and_cancel_keeps_its_answers(
    sdk: openai.OpenAI, server: EmulatorServer
) -> None:
    server.emulator.clock.freeze(2_000_000_000)
    file_id = upload(
        sdk,
        [
            line(f"r{i}", {"model": "gpt-image-2", "prompt": f"{i}", "quality": "low"})
            for i in range(3)
        ],
    )
    delayed = {"x-emulator-batch-delay-seconds": "3600"}
    waiting = sdk.batches.create(
        input_file_id=file_id, endpoint=GEN, completion_window="24h", extra_headers=delayed
    )
    time.sleep(0.5)
    assert sdk.batches.retrieve(waiting.id).status == "in_progress"  # the clock stands still
    server.emulator.clock.advance(3600)
    assert finished(sdk, waiting.id).status == "completed"
    second = sdk.batches.create(
        input_file_id=file_id, endpoint=GEN, completion_window="24h", extra_headers=delayed
    )
    time.sleep(0.5)
    cancelling = sdk.batches.cancel(second.id)
    assert cancelling.status == "cancelling"
    cancelled = finished(sdk, second.id)
    assert cancelled.status == "cancelled" and cancelled.cancelled_at
    assert len(rows(sdk, cancelled.output_file_id)) == 3  # the lines already answered stay
    with pytest.raises(openai.BadRequestError):
        sdk.batches.cancel(waiting.id)  # completed: nothing to cancel
    server.emulator.clock.unfreeze()


def test_faults_make_a_batch_expire_or_fail(sdk: openai.OpenAI, server: EmulatorServer) -> None:
    file_id = upload(
        sdk,
        [
            line("a", {"model": "gpt-image-2", "prompt": "x"}),
            line("b", {"model": "gpt-image-2", "prompt": "y"}),
        ],
    )
    server.emulator.fail_next("batch_expired", endpoint="batches")
    expired = finished(
        sdk, sdk.batches.create(input_file_id=file_id, endpoint=GEN, completion_window="24h").id
    )
    assert expired.status == "expired" and expired.expired_at and expired.output_file_id is None
    assert {row["error"]["code"] for row in rows(sdk, expired.error_file_id)} == {"batch_expired"}
    server.emulator.fail_next("batch_failed", endpoint="batches")
    failed = finished(
        sdk, sdk.batches.create(input_file_id=file_id, endpoint=GEN, completion_window="24h").id
    )
    assert failed.status == "failed"


def test_edit_and_responses_lines(sdk: openai.OpenAI) -> None:
    data_url = "data:image/png;base64," + base64.b64encode(solid(64, 64)).decode()
    edits = upload(
        sdk,
        [
            line(
                "e",
                {
                    "model": "gpt-image-2",
                    "prompt": "hat",
                    "quality": "low",
                    "images": [{"image_url": data_url}],
                },
                url="/v1/images/edits",
            )
        ],
    )
    batch = finished(
        sdk,
        sdk.batches.create(
            input_file_id=edits, endpoint="/v1/images/edits", completion_window="24h"
        ).id,
    )
    (row,) = rows(sdk, batch.output_file_id)
    assert image(row["response"]["body"]["data"][0]["b64_json"]).size == (1024, 1024)
    responses = upload(
        sdk,
        [
            line(
                "r",
                {
                    "model": "gpt-5.4",
                    "input": "Draw a boat",
                    "tools": [{"type": "image_generation", "quality": "low"}],
                },
                url="/v1/responses",
            )
        ],
    )
    batch = finished(
        sdk,
        sdk.batches.create(
            input_file_id=responses, endpoint="/v1/responses", completion_window="24h"
        ).id,
    )
    (row,) = rows(sdk, batch.output_file_id)
    call = row["response"]["body"]["output"][0]
    assert call["type"] == "image_generation_call" and image(call["result"]).format == "PNG"


def test_refusals(sdk: openai.OpenAI) -> None:
    vision = upload(sdk, [line("a", {"prompt": "x"})], purpose="vision")
    with pytest.raises(openai.BadRequestError) as wrong:
        sdk.batches.create(input_file_id=vision, endpoint=GEN, completion_window="24h")
    assert wrong.value.body["param"] == "input_file_id"  # type: ignore[index]
    with pytest.raises(openai.NotFoundError):
        sdk.batches.create(input_file_id="file-nope", endpoint=GEN, completion_window="24h")
    with pytest.raises(openai.BadRequestError) as early:
        sdk.batches.create(
            input_file_id=vision,
            endpoint=GEN,
            completion_window="24h",
            extra_headers={"x-emulator-as-of": "2026-01-15"},
        )
    assert "2026-02-10" in early.value.body["message"]  # type: ignore[index]
    with pytest.raises(openai.BadRequestError):
        sdk.batches.create(input_file_id=vision, endpoint="/v1/embeddings", completion_window="24h")
    with pytest.raises(openai.NotFoundError):
        sdk.batches.retrieve("batch_nope")


def test_list_pages_and_the_journal_prices_lines_at_half(
    sdk: openai.OpenAI, server: EmulatorServer
) -> None:
    body = {"model": "gpt-image-2", "prompt": "priced", "quality": "low"}
    file_id = upload(sdk, [line("a", body)])
    made = [
        sdk.batches.create(input_file_id=file_id, endpoint=GEN, completion_window="24h").id
        for _ in range(3)
    ]
    for batch_id in made:
        finished(sdk, batch_id)
    listed = [b.id for b in sdk.batches.list(limit=2)]  # the SDK follows the pages
    assert listed == list(reversed(made))
    sdk.images.generate(**body)  # type: ignore[arg-type]
    entries = server.emulator.requests(endpoint="generations")
    synchronous = entries[-1].cost_usd
    in_batch = [e for e in entries if e.origin == "batch"]
    assert len(in_batch) == 3 and {e.recording for e in in_batch} == set(made)
    assert synchronous and all(e.cost_usd == pytest.approx(synchronous / 2) for e in in_batch)
