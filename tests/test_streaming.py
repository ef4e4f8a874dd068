"""Streaming partial images as server-sent events (contract §7)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from contextlib import AbstractContextManager

import httpx
import numpy as np
import openai
import pytest
from starlette.testclient import TestClient

from .conftest import LiveServer
from .images import decode, solid

FORMATS = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}


def events_of(stream: object) -> list:
    return list(stream)  # type: ignore[call-overload]


@pytest.mark.parametrize("partials", [0, 1, 2, 3])
def test_generation_stream_sequence(client: openai.OpenAI, partials: int) -> None:
    events = events_of(
        client.images.generate(
            model="gpt-image-1",
            prompt="otter",
            stream=True,
            partial_images=partials,
            quality="low",
            n=2,
        )
    )
    expected = (["image_generation.partial_image"] * partials + ["image_generation.completed"]) * 2
    assert [e.type for e in events] == expected
    indexes = [e.partial_image_index for e in events if e.type.endswith("partial_image")]
    assert indexes == list(range(partials)) * 2
    for event in events:
        image = decode(event.b64_json)
        assert (image.format, image.size) == ("PNG", (1024, 1024))
        assert (event.size, event.quality, event.background, event.output_format) == (
            "1024x1024",
            "low",
            "opaque",
            "png",
        )
    completed = [e for e in events if e.type.endswith("completed")]
    assert all(e.usage.output_tokens == 272 + 100 * partials for e in completed)
    assert all(
        e.usage.total_tokens == e.usage.input_tokens + e.usage.output_tokens for e in completed
    )


def test_partials_approach_the_final_image(client: openai.OpenAI) -> None:
    events = events_of(
        client.images.generate(
            model="gpt-image-1",
            prompt="otter",
            stream=True,
            partial_images=3,
            size="1536x1024",
            quality="high",
            output_format="webp",
            background="transparent",
        )
    )
    pictures = [np.asarray(decode(e.b64_json)).astype(np.int16) for e in events]
    assert all(p.shape == (1024, 1536, 4) for p in pictures)  # WebP RGBA at the final size
    final = pictures[-1]
    distances = [np.abs(p - final).mean() for p in pictures[:-1]]
    assert distances[0] > distances[1] > distances[2] > 0


def test_stream_matches_the_non_stream_image(client: openai.OpenAI) -> None:
    ask = dict(model="gpt-image-1", prompt="otter", quality="low")
    plain = client.images.generate(**ask).data[0].b64_json  # type: ignore[arg-type]
    streamed = events_of(client.images.generate(**ask, stream=True))  # type: ignore[arg-type]
    assert streamed[-1].b64_json == plain


def test_edit_stream(client: openai.OpenAI) -> None:
    events = events_of(
        client.images.edit(
            model="gpt-image-1",
            prompt="x",
            stream=True,
            partial_images=2,
            output_format="jpeg",
            image=("a.png", solid(512, 512), "image/png"),
        )
    )
    assert [e.type for e in events] == ["image_edit.partial_image"] * 2 + ["image_edit.completed"]
    assert all(decode(e.b64_json).format == "JPEG" for e in events)
    assert events[-1].usage.input_tokens_details.image_tokens == 194
    assert events[-1].usage.output_tokens == 1056 + 200


def test_async_streams_for_both_endpoints(async_client: openai.AsyncOpenAI) -> None:
    async def run() -> tuple[list[str], list[str]]:
        generation = await async_client.images.generate(
            model="gpt-image-1", prompt="otter", stream=True, partial_images=1
        )
        edit = await async_client.images.edit(
            model="gpt-image-1",
            prompt="x",
            stream=True,
            image=("a.png", solid(64, 64), "image/png"),
        )
        return [e.type async for e in generation], [e.type async for e in edit]

    generation, edit = asyncio.run(run())
    assert generation == ["image_generation.partial_image", "image_generation.completed"]
    assert edit == ["image_edit.completed"]


def test_errors_before_the_stream_are_plain_json(raw: TestClient) -> None:
    response = raw.post(
        "/v1/images/generations",
        json={"model": "gpt-image-1", "prompt": "x", "stream": True, "size": "1x1"},
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"]["param"] == "size"
    dalle = raw.post(
        "/v1/images/generations", json={"model": "dall-e-3", "prompt": "x", "stream": True}
    )
    assert dalle.json()["error"]["code"] == "unknown_parameter"


def test_the_field_decides_not_the_accept_header(raw: TestClient) -> None:
    plain = raw.post(
        "/v1/images/generations",
        headers={"Accept": "text/event-stream"},
        json={"model": "gpt-image-1", "prompt": "x", "quality": "low"},
    )
    assert plain.headers["content-type"] == "application/json"
    streamed = raw.post(
        "/v1/images/generations",
        headers={"Accept": "application/json"},
        json={"model": "gpt-image-1", "prompt": "x", "quality": "low", "stream": True},
    )
    assert streamed.headers["content-type"].startswith("text/event-stream")


def test_exact_bytes_on_the_wire(live_server: LiveServer) -> None:
    with httpx.stream(
        "POST",
        f"{live_server.base_url}/v1/images/generations",
        headers={"Authorization": "Bearer sk-wire"},
        json={
            "model": "gpt-image-1",
            "prompt": "x",
            "quality": "low",
            "stream": True,
            "partial_images": 1,
        },
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/event-stream"
        assert response.headers["x-request-id"].startswith("req_")
        wire = response.read().decode()
    blocks = wire.split("\n\n")
    assert blocks[-1] == "" and len(blocks) == 3  # two events, each ended by a blank line
    assert "[DONE]" not in wire
    for block, kind in zip(blocks[:2], ["partial_image", "completed"], strict=True):
        event_line, data_line = block.split("\n")
        assert event_line == f"event: image_generation.{kind}"
        assert data_line.startswith("data: {") and ", " not in data_line[:200]
        payload = json.loads(data_line.removeprefix("data: "))
        assert payload["type"] == f"image_generation.{kind}"
        tail = ["partial_image_index"] if kind == "partial_image" else ["usage"]
        assert list(payload) == [
            "type",
            "b64_json",
            "created_at",
            "size",
            "quality",
            "background",
            "output_format",
            *tail,
        ]


def streamed_generation(
    live_server: LiveServer, *, delay_ms: int, **body: object
) -> AbstractContextManager[httpx.Response]:
    """A streamed low-quality gpt-image-1 generation with a pause between events."""
    return httpx.stream(
        "POST",
        f"{live_server.base_url}/v1/images/generations",
        headers={"Authorization": "Bearer sk-live", "x-emulator-stream-delay-ms": str(delay_ms)},
        json={"model": "gpt-image-1", "prompt": "x", "stream": True, "quality": "low", **body},
        timeout=30,
    )


def test_events_arrive_as_they_are_made(live_server: LiveServer) -> None:
    arrivals: list[tuple[float, str]] = []
    started = time.perf_counter()
    with streamed_generation(live_server, delay_ms=300, partial_images=3) as response:
        for line in response.iter_lines():
            if line.startswith("event: "):
                arrivals.append((time.perf_counter() - started, line.removeprefix("event: ")))
    assert [kind for _, kind in arrivals][-1] == "image_generation.completed"
    first, last = arrivals[0][0], arrivals[-1][0]
    assert last - first >= 0.85  # three pauses of 300 ms separate four events
    assert first < 0.85  # the first partial is not held back until the end


def test_disconnect_stops_the_work_quietly(live_server: LiveServer) -> None:
    emulator = live_server.app.state.emulator
    records: list[logging.LogRecord] = []
    handler = logging.Handler(level=logging.WARNING)
    handler.emit = records.append  # type: ignore[method-assign]
    loggers = [logging.getLogger(name) for name in ("uvicorn.error", "emulator", "uvicorn")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        before = emulator.streamed_events
        with streamed_generation(live_server, delay_ms=150, n=3, partial_images=3) as response:
            for line in response.iter_lines():
                if line.startswith("data: "):
                    break  # one event is enough: hang up
        time.sleep(0.8)
        after_hangup = emulator.streamed_events
        time.sleep(0.6)
        assert emulator.streamed_events == after_hangup  # no more frames are made
        assert after_hangup - before < 12  # of the 12 events the request asked for
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
    assert records == []
