"""Background responses through the official SDK against a running server: queued at once,
completed on polling, held by a delay in the emulator's clock, cancelled (twice), a stream
resumed after event N with the same events, and the refusals around them."""

from __future__ import annotations

import base64
import io
import time
from collections.abc import Iterator
from typing import Any

import openai
import pytest
from PIL import Image

from emulator import Config
from emulator.contract import responses_api
from emulator.server import EmulatorServer

TEXT = responses_api.STEADY_TEXT_MODEL
DRAW = [{"type": "image_generation", "quality": "low", "size": "1024x1536"}]
HOLD = {"x-emulator-background-delay-seconds": "600"}


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(Config()) as running:
        yield running


@pytest.fixture
def sdk(server: EmulatorServer) -> Iterator[openai.OpenAI]:
    server.emulator.reset()
    client = openai.OpenAI(base_url=server.base_url + "/v1", api_key="sk-bg", max_retries=0)
    yield client
    client.close()
    server.emulator.clock.unfreeze()


def polled(sdk: openai.OpenAI, response_id: str, seconds: float = 20) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        response = sdk.responses.retrieve(response_id)
        if response.status not in ("queued", "in_progress"):
            return response
        time.sleep(0.02)
    raise AssertionError(f"{response_id} still {response.status}")


def picture(response: Any) -> Image.Image:
    (call,) = [item for item in response.output if item.type == "image_generation_call"]
    return Image.open(io.BytesIO(base64.b64decode(call.result)))


def test_a_background_response_is_queued_then_completes_on_polling(sdk: openai.OpenAI) -> None:
    created = sdk.responses.create(model=TEXT, input="Draw an otter", tools=DRAW, background=True)
    assert (created.status, created.background, created.output) == ("queued", True, [])
    assert created.usage is None and created.completed_at is None
    done = polled(sdk, created.id)
    assert (done.status, done.background, done.service_tier) == ("completed", True, "default")
    assert done.completed_at is not None and done.completed_at >= done.created_at
    assert done.usage is not None and done.usage.total_tokens > 0
    image = picture(done)
    assert (image.format, image.size, image.mode) == ("PNG", (1024, 1536), "RGB")
    assert [item.type for item in done.output] == ["image_generation_call", "message"]


def test_the_emulator_s_clock_holds_a_delayed_response_until_it_moves(
    sdk: openai.OpenAI, server: EmulatorServer
) -> None:
    server.emulator.clock.freeze(2_000_000_000)
    created = sdk.responses.create(
        model=TEXT, input="Draw a kite", tools=DRAW, background=True, extra_headers=HOLD
    )
    time.sleep(0.3)
    assert sdk.responses.retrieve(created.id).status == "queued"
    server.emulator.clock.advance(599)
    time.sleep(0.2)
    assert sdk.responses.retrieve(created.id).status == "queued"
    server.emulator.clock.advance(1)
    done = polled(sdk, created.id)
    assert done.status == "completed" and done.completed_at == 2_000_000_600
    assert picture(done).size == (1024, 1536)


def test_cancel_stops_a_queued_response_and_a_second_cancel_answers_the_same(
    sdk: openai.OpenAI, server: EmulatorServer
) -> None:
    created = sdk.responses.create(
        model=TEXT, input="Draw a lighthouse", tools=DRAW, background=True, extra_headers=HOLD
    )
    first = sdk.responses.cancel(created.id)
    assert (first.status, first.usage, first.error, first.output) == ("cancelled", None, None, [])
    again = sdk.responses.cancel(created.id)
    assert again.status == "cancelled" and again.id == created.id
    assert sdk.responses.retrieve(created.id).status == "cancelled"
    entry = next(e for e in server.emulator.requests() if e.path.endswith("/responses"))
    assert entry.background == "cancelled" and entry.outputs == []


def test_a_finished_response_is_answered_as_it_is_by_cancel(sdk: openai.OpenAI) -> None:
    created = sdk.responses.create(model=TEXT, input="Draw a fox", tools=DRAW, background=True)
    done = polled(sdk, created.id)
    assert sdk.responses.cancel(created.id).status == "completed"
    assert sdk.responses.retrieve(created.id).output[0].id == done.output[0].id


def test_a_dropped_background_stream_resumes_after_event_n(sdk: openai.OpenAI) -> None:
    tools = [{**DRAW[0], "partial_images": 2}]
    first: list[Any] = []
    with sdk.responses.create(
        model=TEXT, input="Draw a heron", tools=tools, background=True, stream=True
    ) as stream:
        for event in stream:
            first.append(event)
            if len(first) == 4:
                break  # the connection drops here
    assert [e.type for e in first[:3]] == [
        "response.created",
        "response.queued",
        "response.in_progress",
    ]
    assert first[0].response.status == "queued" and first[0].response.background is True
    response_id = first[0].response.id
    resumed = list(sdk.responses.retrieve(response_id, stream=True, starting_after=3))
    numbers = [e.sequence_number for e in resumed]
    assert numbers == list(range(4, 4 + len(resumed)))
    assert resumed[-1].type == "response.completed"
    partials = [e for e in resumed if e.type == "response.image_generation_call.partial_image"]
    assert [p.partial_image_index for p in partials] == [0, 1]
    replayed = list(sdk.responses.retrieve(response_id, stream=True, starting_after=0))
    assert replayed[0].sequence_number == 1 and replayed[0].type == "response.queued"
    assert [e.model_dump() for e in replayed[3:]] == [e.model_dump() for e in resumed]
    final = resumed[-1].response
    assert picture(final).size == (1024, 1536)
    assert polled(sdk, response_id).output[0].id == final.output[0].id


def test_refusals_around_background_mode(sdk: openai.OpenAI) -> None:
    synchronous = sdk.responses.create(model=TEXT, input="Draw a cat", tools=DRAW)
    with pytest.raises(openai.BadRequestError) as refused:
        sdk.responses.cancel(synchronous.id)
    assert refused.value.body == {
        "message": "Cannot cancel a synchronous response.",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }
    with pytest.raises(openai.BadRequestError) as not_stored:
        sdk.responses.create(model=TEXT, input="Draw", tools=DRAW, background=True, store=False)
    assert not_stored.value.body["param"] == "store"  # type: ignore[index]
    with pytest.raises(openai.BadRequestError) as not_background:
        list(sdk.responses.retrieve(synchronous.id, stream=True))
    assert not_background.value.body["param"] == "stream"  # type: ignore[index]
    with pytest.raises(openai.NotFoundError):
        sdk.responses.cancel("resp_" + "0" * 50)


def test_the_journal_follows_a_background_response_and_prices_it(
    sdk: openai.OpenAI, server: EmulatorServer
) -> None:
    created = sdk.responses.create(model=TEXT, input="Draw a boat", tools=DRAW, background=True)
    polled(sdk, created.id)
    time.sleep(0.1)  # the run's last journal write follows its last event
    entry = next(e for e in server.emulator.requests() if e.path.endswith("/responses"))
    assert entry.background == "completed" and entry.status == 200
    assert entry.cost_usd is not None and entry.cost_usd > 0
    assert len([o for o in entry.outputs if not o.partial]) == 1


def test_a_reset_stops_a_held_response(sdk: openai.OpenAI, server: EmulatorServer) -> None:
    created = sdk.responses.create(
        model=TEXT, input="Draw a moon", tools=DRAW, background=True, extra_headers=HOLD
    )
    run = server.emulator.background.get(created.id)
    assert run is not None and run.status == "queued"
    server.emulator.reset()
    time.sleep(0.1)
    assert run.task is not None and run.task.done()
    with pytest.raises(openai.NotFoundError):
        sdk.responses.retrieve(created.id)


def test_faults_reach_the_background_work(sdk: openai.OpenAI, server: EmulatorServer) -> None:
    draw = [{"type": "image_generation", "quality": "low"}]
    server.emulator.fail_next("server_error", endpoint="responses")
    broken = sdk.responses.create(model=TEXT, input="Draw a kite", tools=draw, background=True)
    assert broken.status == "queued"  # the create was answered; the work breaks later
    failed = polled(sdk, broken.id)
    assert failed.status == "failed" and failed.output == []
    assert failed.error is not None and failed.error.code == "server_error"
    server.emulator.fail_next("content_policy", endpoint="responses")
    refused = sdk.responses.create(model=TEXT, input="Draw a kite", tools=draw, background=True)
    assert polled(sdk, refused.id).error.code == "image_content_policy_violation"
    server.emulator.fail_next("rate_limit", endpoint="responses")
    with pytest.raises(openai.RateLimitError):  # a 429 still refuses the create itself
        sdk.with_options(max_retries=0).responses.create(
            model=TEXT, input="Draw a kite", tools=draw, background=True
        )
    faults = [e.fault for e in server.emulator.journal.entries() if e.fault]
    assert faults == ["server_error", "content_policy", "rate_limit"]
