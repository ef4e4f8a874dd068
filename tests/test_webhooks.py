"""Webhooks: signed events for batches and background responses, verified by the official
client's ``webhooks.unwrap``; retries with the same webhook-id; the endpoints API."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from typing import Any

import openai
import pytest

from emulator import Config
from emulator.server import EmulatorServer
from emulator.testdouble.webhook_receiver import Receiver, receiver
from emulator.transport.webhook_signature import signature

SECRET = "whsec_RdvaYFYUXuIFuEbvZHwMfYFhUf7aMYjYcmM24+Aj40c="
DRAW = [{"type": "image_generation", "quality": "low"}]
TEXT = "gpt-5.4"


def test_the_sdk_s_published_vector_is_reproduced_byte_for_byte() -> None:
    body = (
        b'{"id": "evt_685c059ae3a481909bdc86819b066fb6", "object": "event", "created_at": '
        b'1750861210, "type": "response.completed", "data": {"id": "resp_123"}}'
    )
    made = signature(SECRET, "wh_685c059ae39c8190af8c71ed1022a24d", 1750861210, body)
    assert made == "v1,gUAg4R2hWouRZqRQG4uJypNS8YK885G838+EHb4nKBY="


@pytest.fixture
def hooks() -> Iterator[Receiver]:
    with receiver() as made:
        yield made


@pytest.fixture
def server(hooks: Receiver) -> Iterator[EmulatorServer]:
    config = Config(webhook_url=hooks.url, webhook_secret=SECRET, webhook_retry_seconds=0.05)
    with EmulatorServer(config) as running:
        yield running


@pytest.fixture
def sdk(server: EmulatorServer) -> Iterator[openai.OpenAI]:
    client = openai.OpenAI(
        base_url=server.base_url + "/v1", api_key="sk-hooks", webhook_secret=SECRET, max_retries=0
    )
    yield client
    client.close()


def _events(sdk: openai.OpenAI, hooks: Receiver, count: int) -> list[Any]:
    return [sdk.webhooks.unwrap(r.body, r.headers) for r in hooks.wait_for(count)]


def _settled(sdk: openai.OpenAI, response_id: str) -> Any:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        response = sdk.responses.retrieve(response_id)
        if response.status not in ("queued", "in_progress"):
            return response
        time.sleep(0.02)
    raise AssertionError("the background response never ended")


def test_a_background_response_s_completion_is_told_and_verified(
    sdk: openai.OpenAI, hooks: Receiver
) -> None:
    made = sdk.responses.create(model=TEXT, input="Draw a kite", tools=DRAW, background=True)
    assert _settled(sdk, made.id).status == "completed"
    (event,) = _events(sdk, hooks, 1)
    assert (event.type, event.data.id, event.object) == ("response.completed", made.id, "event")
    headers = hooks.received[0].headers
    assert headers["webhook-id"].startswith("wh_") and headers["content-type"] == "application/json"
    assert headers["user-agent"].startswith("OpenAI/1.0")
    assert abs(int(headers["webhook-timestamp"]) - time.time()) < 60
    with pytest.raises(openai.InvalidWebhookSignatureError):  # a wrong secret fails
        sdk.webhooks.unwrap(
            hooks.received[0].body, headers, secret="whsec_" + "QUFBQUFBQUFBQUFBQUFBQUFBQUE="
        )


def test_a_cancelled_background_response_is_told(
    sdk: openai.OpenAI, hooks: Receiver, server: EmulatorServer
) -> None:
    server.emulator.clock.freeze()  # held queued: the frozen clock holds its event too
    try:
        made = sdk.responses.create(
            model=TEXT, input="Draw a kite", tools=DRAW, background=True,
            extra_headers={"x-emulator-background-delay-seconds": "60"},
        )  # fmt: skip
        time.sleep(0.2)
        assert hooks.received == []
        assert sdk.responses.cancel(made.id).status == "cancelled"
        (event,) = _events(sdk, hooks, 1)
        assert (event.type, event.data.id) == ("response.cancelled", made.id)
        sdk.responses.cancel(made.id)  # cancelled twice: told once
        time.sleep(0.2)
        assert len(hooks.received) == 1
    finally:
        server.emulator.clock.unfreeze()


def test_a_batch_s_completion_is_told(sdk: openai.OpenAI, hooks: Receiver) -> None:
    line = {
        "custom_id": "one",
        "method": "POST",
        "url": "/v1/images/generations",
        "body": {"model": "gpt-image-2", "prompt": "a kite", "quality": "low", "size": "1024x1024"},
    }
    uploaded = sdk.files.create(
        file=("in.jsonl", io.BytesIO(json.dumps(line).encode() + b"\n")), purpose="batch"
    )
    batch = sdk.batches.create(
        input_file_id=uploaded.id, endpoint="/v1/images/generations", completion_window="24h"
    )
    (event,) = _events(sdk, hooks, 1)
    assert (event.type, event.data.id) == ("batch.completed", batch.id)
    assert sdk.batches.retrieve(batch.id).status == "completed"


def test_a_receiver_answering_500_gets_the_event_again_with_the_same_id(
    sdk: openai.OpenAI, hooks: Receiver, server: EmulatorServer
) -> None:
    hooks.statuses[:] = [500, 503]
    made = sdk.responses.create(model=TEXT, input="Draw a kite", tools=DRAW, background=True)
    _settled(sdk, made.id)
    tries = hooks.wait_for(3)
    assert len({t.headers["webhook-id"] for t in tries}) == 1
    assert all(sdk.webhooks.unwrap(t.body, t.headers).data.id == made.id for t in tries)
    (delivery,) = server.emulator.webhooks.listing()
    assert delivery["state"] == "delivered"
    assert [a["status"] for a in delivery["attempts"]] == [500, 503, 200]  # type: ignore[index]


def test_a_refused_connection_is_retried_then_given_up() -> None:
    with receiver() as gone:
        url = gone.url  # closed at once: nothing listens there any more
    config = Config(webhook_url=url, webhook_attempts=3, webhook_retry_seconds=0.01)
    with EmulatorServer(config) as running:
        sdk = running.client(max_retries=0)
        made = sdk.responses.create(model=TEXT, input="x", background=True)
        _settled(sdk, made.id)
        assert running.emulator.webhooks.sender is not None
        assert running.emulator.webhooks.sender.idle(10)
        (delivery,) = running.emulator.webhooks.listing()
        assert delivery["state"] == "given_up" and len(delivery["attempts"]) == 3  # type: ignore[arg-type]
        assert "error" in delivery["attempts"][0]  # type: ignore[index]
        assert running.emulator.config.webhook_secret.startswith("whsec_")  # one was made


def test_the_endpoints_api_through_the_official_client() -> None:
    with receiver() as hooks, EmulatorServer(Config()) as running:
        sdk = running.client(max_retries=0)
        made = sdk.webhooks.create(
            name="images done", url=hooks.url, event_types=["response.completed"]
        )
        assert made.object == "webhook_endpoint" and made.signing_secret.startswith("whsec_")
        assert made.signing_secret_hint and made.signing_secret_hint.endswith(
            made.signing_secret[-4:]
        )
        assert [e.id for e in sdk.webhooks.list()] == [made.id]
        seen = sdk.webhooks.retrieve(made.id)
        assert seen.url == hooks.url and not hasattr(seen, "signing_secret")
        same = sdk.webhooks.update(made.id, name="images done")
        assert same.updated_at == made.updated_at  # an unchanged update does not advance it
        renamed = sdk.webhooks.update(
            made.id, event_types=["response.completed", "batch.completed"]
        )
        assert renamed.event_types == ["response.completed", "batch.completed"]
        tested = sdk.webhooks.test(made.id, event_type="batch.completed")
        assert (tested.status_code, tested.success) == (200, True)
        (sample,) = hooks.wait_for(1)
        assert sdk.webhooks.unwrap(
            sample.body, sample.headers, secret=made.signing_secret
        ).type == ("batch.completed")
        rotated = sdk.webhooks.rotate_secret(made.id, keep_old_secret_active_for_24_hours=True)
        assert rotated.signing_secret != made.signing_secret
        background = sdk.responses.create(model=TEXT, input="x", background=True)
        _settled(sdk, background.id)
        told = hooks.wait_for(2)[1]
        assert len(told.headers["webhook-signature"].split(" ")) == 2  # old and new both sign
        for secret in (made.signing_secret, rotated.signing_secret):
            assert sdk.webhooks.unwrap(told.body, told.headers, secret=secret).data.id == (
                background.id
            )
        other = running.client(max_retries=0, default_headers={"x-emulator-namespace": "other"})
        elsewhere = other.responses.create(model=TEXT, input="x", background=True)
        _settled(other, elsewhere.id)
        time.sleep(0.2)
        assert len(hooks.received) == 2  # another namespace's events are its own
        assert sdk.webhooks.delete(made.id).deleted is True
        with pytest.raises(openai.NotFoundError):
            sdk.webhooks.retrieve(made.id)
        with pytest.raises(openai.BadRequestError) as refused:
            sdk.webhooks.create(name="x", url="ftp://nowhere", event_types=["batch.completed"])
        assert refused.value.param == "url"
        with pytest.raises(openai.BadRequestError) as unknown:
            sdk.webhooks.create(name="x", url=hooks.url, event_types=["image.done"])  # type: ignore[list-item]
        assert unknown.value.code == "invalid_value"


def test_scripted_delivery_faults_for_a_handler_s_idempotency(
    sdk: openai.OpenAI, hooks: Receiver, server: EmulatorServer
) -> None:
    import httpx

    control = f"{server.base_url}/_emulator/webhooks/faults"
    assert httpx.post(control, json={"kind": "duplicate"}).status_code == 201
    assert httpx.post(control, json={"kind": "out_of_order"}).status_code == 201
    assert httpx.post(control, json={"kind": "sideways"}).status_code == 400
    first = sdk.responses.create(model=TEXT, input="x", background=True)
    _settled(sdk, first.id)
    twice = hooks.wait_for(2)
    assert twice[0].headers["webhook-id"] == twice[1].headers["webhook-id"]  # a duplicate
    second = sdk.responses.create(model=TEXT, input="y", background=True)  # held: out of order
    _settled(sdk, second.id)
    time.sleep(0.3)
    assert len(hooks.received) == 2  # held until the next event goes
    third = sdk.responses.create(model=TEXT, input="z", background=True)
    _settled(sdk, third.id)
    order = [sdk.webhooks.unwrap(r.body, r.headers).data.id for r in hooks.wait_for(4)[2:]]
    assert order == [third.id, second.id]
    listed = httpx.get(f"{server.base_url}/_emulator/webhooks").json()
    assert (
        listed["endpoints"][0]["from_flag"] is True
        and "signing_secret" not in listed["endpoints"][0]
    )
    assert [d["duplicate"] for d in listed["deliveries"]] == [False, True, False, False]


def test_the_python_and_remote_faces_of_the_controls(
    sdk: openai.OpenAI, hooks: Receiver, server: EmulatorServer
) -> None:
    from emulator.testdouble.remote import RemoteEmulator

    remote = RemoteEmulator(server.base_url)
    try:
        assert remote.webhook_fault("late", seconds=0.3)["kind"] == "late"
        made = sdk.responses.create(model=TEXT, input="x", background=True)
        _settled(sdk, made.id)
        time.sleep(0.1)
        assert hooks.received == []  # held for the 0.3 seconds asked
        hooks.wait_for(1)
        (delivery,) = remote.webhook_deliveries()
        assert delivery == server.emulator.webhook_deliveries()[0]
        assert delivery["state"] == "delivered" and delivery["object_id"] == made.id
        with pytest.raises(ValueError):
            server.emulator.webhook_fault("sideways")
    finally:
        remote.close()
