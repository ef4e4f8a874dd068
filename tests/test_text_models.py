"""The text models that call the image tool (``contract/text_models.py``), the calendar moving
on without the suite noticing, and models added past the catalog's horizon
(``contract/added_models.py``)."""

from __future__ import annotations

import base64
import datetime
import io
import json
import logging
import time
from typing import Any

import openai
import pytest
from PIL import Image
from starlette.testclient import TestClient

from emulator import Config, create_app
from emulator.contract import dates
from emulator.contract.added_models import parse_pairs
from emulator.contract.text_models import STEADY_TEXT_MODEL, TEXT_MODEL_LIST, TEXT_MODELS
from emulator.inprocess import openai_client

DRAW = [{"type": "image_generation", "quality": "low"}]
TODAY = datetime.date(2026, 12, 5)  # the day these facts were gathered
AHEAD = TODAY + datetime.timedelta(days=120)

# Every GPT-5.4-and-later and GPT-6 name in the official SDK's ChatModel (openai 3.63.0,
# src/openai/types/shared/chat_model.py), as listed there: written out, so that a newer SDK
# in CI cannot change what this test asks.
SDK_3_63_NAMES = (
    "gpt-6-astra", "gpt-6.2-astra", "gpt-6.1-sol", "gpt-6.2-sol", "gpt-6.1-terra", "gpt-6-sol",
    "gpt-6-luna", "gpt-5.6-sol", "gpt-5.6-terra", "gpt-5.6-luna", "gpt-5.5",
    "gpt-5.5-2026-04-23", "gpt-5.4", "gpt-5.4-mini", "gpt-5.4-nano", "gpt-5.4-mini-2026-03-17",
    "gpt-5.4-nano-2026-03-17",
)  # fmt: skip


def image_of(response: Any) -> Image.Image:
    call = next(item for item in response.output if item.type == "image_generation_call")
    return Image.open(io.BytesIO(base64.b64decode(call.result)))


@pytest.fixture
def sdk() -> openai.OpenAI:
    return openai_client(create_app(Config()), max_retries=0)


def at(day: datetime.date) -> dict[str, str]:
    return {"x-emulator-as-of": day.isoformat()}


# --- the catalog -------------------------------------------------------------------------


def test_every_record_has_its_dates_in_order_and_a_source() -> None:
    for model in TEXT_MODEL_LIST:
        assert datetime.date.fromisoformat(model.released) and model.released_source
        if model.notice is not None:
            notice = model.notice
            assert model.released < notice.announced < notice.shutdown, model.id
            assert notice.source.startswith("deprecations page, section " + notice.announced)
    assert len({m.id for m in TEXT_MODEL_LIST}) == len(TEXT_MODEL_LIST)


def test_the_steady_model_has_no_shutdown_announced() -> None:
    assert TEXT_MODELS[STEADY_TEXT_MODEL].notice is None


@pytest.mark.parametrize("name", SDK_3_63_NAMES)
def test_today_s_sdk_names_take_the_image_tool_today_and_120_days_on(
    sdk: openai.OpenAI, name: str
) -> None:
    model = TEXT_MODELS[name]
    for day in (TODAY, AHEAD):
        if model.shutdown is not None and day.isoformat() >= model.shutdown:
            # gpt-5.4-nano shuts down on 2027-04-01, 117 days on: then the real API's 400.
            with pytest.raises(openai.BadRequestError) as gone:
                sdk.responses.create(model=name, input="Draw", tools=DRAW, extra_headers=at(day))
            assert gone.value.code == "model_not_found"
            continue
        response = sdk.responses.create(
            model=name, input="Draw an otter", tools=DRAW, extra_headers=at(day)
        )
        assert response.status == "completed"
        assert response.model == model.answered_as
        image = image_of(response)
        assert (image.size, image.format) == ((1024, 1024), "PNG")


@pytest.mark.parametrize(
    ("name", "last_day", "replacement"),
    [
        ("gpt-5", "2026-12-10", "gpt-6.1-sol"),
        ("o3-2025-04-16", "2026-12-10", "gpt-6.1-sol"),
        ("gpt-4o", "2027-01-13", "gpt-6-luna"),
        ("o4-mini", "2026-10-22", "gpt-5.6-terra"),
    ],
)
def test_a_text_model_is_served_until_its_shutdown_with_the_notice_before(
    name: str, last_day: str, replacement: str, caplog: pytest.LogCaptureFixture
) -> None:
    http = TestClient(create_app(Config()), headers={"Authorization": "Bearer sk-t"})
    body = {"model": name, "input": "Draw", "tools": DRAW}
    last = datetime.date.fromisoformat(last_day)
    with caplog.at_level(logging.WARNING, logger="emulator"):
        served = http.post("/v1/responses", json=body, headers=at(last))
    assert served.status_code == 200
    notice = served.headers["x-emulator-deprecation"]
    shutdown = (last + datetime.timedelta(days=1)).isoformat()
    assert notice == f'{TEXT_MODELS[name].id}; shutdown={shutdown}; replacement="{replacement}"'
    assert f"shuts down on {shutdown}" in caplog.text
    gone = http.post("/v1/responses", json=body, headers=at(last + datetime.timedelta(days=1)))
    assert gone.status_code == 400 and gone.json()["error"]["code"] == "model_not_found"


def test_a_model_before_its_release_is_unknown(sdk: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError):
        sdk.responses.create(
            model="gpt-6.2-sol", input="x", extra_headers=at(datetime.date(2026, 11, 16))
        )
    assert sdk.responses.create(
        model="gpt-6.2-sol", input="x", extra_headers=at(datetime.date(2026, 11, 17))
    ).output_text


# --- the calendar moves on -----------------------------------------------------------------


def test_today_moves_by_the_shift_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(dates.SHIFT_ENV, raising=False)
    now = dates.today()
    monkeypatch.setenv(dates.SHIFT_ENV, "120")
    assert dates.today() == now + datetime.timedelta(days=120)
    monkeypatch.setenv(dates.SHIFT_ENV, "soon")
    with pytest.raises(ValueError, match="whole number of days"):
        dates.today()


def test_the_flows_120_days_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Responses, batch and today's-API flows as the emulator will answer them 120 days
    from the day the test runs (the machine's clock untouched)."""
    monkeypatch.setenv(dates.SHIFT_ENV, "120")
    app = create_app(Config())
    sdk = openai_client(app, max_retries=0)
    ahead = dates.today()
    # Today's API: the default image model, the listing and an edit.
    generated = sdk.images.with_raw_response.generate(
        model="gpt-image-2", prompt="a lighthouse", quality="low"
    )
    assert generated.headers["x-emulator-as-of"] == ahead.isoformat()
    image = Image.open(io.BytesIO(base64.b64decode(generated.parse().data[0].b64_json or "")))
    assert image.size == (1024, 1024)
    assert "gpt-image-2" in [m.id for m in sdk.models.list()]
    png = io.BytesIO()
    Image.new("RGB", (64, 64), "red").save(png, "PNG")
    edited = sdk.images.edit(
        model="gpt-image-2", image=("a.png", png.getvalue(), "image/png"), prompt="x", quality="low"
    )
    assert Image.open(io.BytesIO(base64.b64decode(edited.data[0].b64_json or ""))).size
    # The Responses API: a draw, its edit by previous_response_id, a stream.
    first = sdk.responses.create(model=STEADY_TEXT_MODEL, input="Draw an otter", tools=DRAW)
    again = sdk.responses.create(
        model=STEADY_TEXT_MODEL, previous_response_id=first.id, input="Add a hat", tools=DRAW
    )
    assert image_of(again).tobytes() != image_of(first).tobytes()
    kinds = [e.type for e in sdk.responses.create(model="gpt-6.1-sol", input="Draw a kite",
                                                   tools=DRAW, stream=True)]  # fmt: skip
    assert kinds[-1] == "response.completed"
    # Batches of generations and of Responses calls.
    image_line = {"model": "gpt-image-2", "prompt": "x", "quality": "low"}
    assert batch_rows(sdk, "/v1/images/generations", image_line) == [("a", 200)]
    text_line = {"model": STEADY_TEXT_MODEL, "input": "Draw", "tools": DRAW}
    assert batch_rows(sdk, "/v1/responses", text_line) == [("a", 200)]


def batch_rows(sdk: openai.OpenAI, url: str, body: dict[str, Any]) -> list[tuple[str, int]]:
    """A one-line batch run to its end: its output rows' ids and statuses."""
    line = {"custom_id": "a", "method": "POST", "url": url, "body": body}
    uploaded = sdk.files.create(file=("lines.jsonl", json.dumps(line).encode()), purpose="batch")
    batch = sdk.batches.create(
        input_file_id=uploaded.id,
        endpoint=url,  # type: ignore[arg-type]
        completion_window="24h",
    )
    deadline = time.monotonic() + 30
    while batch.status not in ("completed", "failed", "expired", "cancelled"):
        assert time.monotonic() < deadline, batch
        time.sleep(0.05)
        batch = sdk.batches.retrieve(batch.id)
    assert batch.status == "completed" and batch.output_file_id, batch
    output = sdk.files.content(batch.output_file_id).text.splitlines()
    return [(row["custom_id"], row["response"]["status_code"]) for row in map(json.loads, output)]


# --- models past the horizon ----------------------------------------------------------------


def test_pairs_are_parsed_and_checked() -> None:
    assert [m.as_dict() for m in parse_pairs(" a=b , c = d ", "--model")] == [
        {"model": "a", "copy_of": "b"},
        {"model": "c", "copy_of": "d"},
    ]
    with pytest.raises(ValueError, match="NEW=KNOWN"):
        parse_pairs("gpt-6.3-sol", "--model")
    for bad, why in [
        ("gpt-6.3-sol=gpt-9", "not a model the catalog knows"),
        ("gpt-5.4=gpt-6.2-sol", "knows already"),
        ("gpt image=gpt-image-2", "not a model name"),
        ("x=gpt-image-2,x=gpt-image-2", "added already"),
    ]:
        with pytest.raises(ValueError, match=why):
            create_app(Config(model=bad))


def test_an_added_text_and_image_model_answer_as_their_originals(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = create_app(Config(model="gpt-6.3-sol=gpt-6.2-sol,gpt-image-3=gpt-image-2"))
    sdk = openai_client(app, max_retries=0)
    tool = [{"type": "image_generation", "model": "gpt-image-3", "size": "1536x864",
             "quality": "low"}]  # fmt: skip
    response = sdk.responses.create(
        model="gpt-6.3-sol", input="Draw", tools=tool, extra_headers=at(datetime.date(2031, 1, 1))
    )
    assert response.model == "gpt-6.3-sol" and image_of(response).size == (1536, 864)
    # gpt-image-2's free sizes and token counts; listed as served.
    made = sdk.images.generate(model="gpt-image-3", prompt="x", size="1536x864", quality="low")
    assert made.usage is not None and made.usage.output_tokens == 120
    assert "gpt-image-3" in [m.id for m in sdk.models.list()]
    entries = app.state.emulator.requests()
    assert [(e.model, e.model_copy_of) for e in entries[:2]] == [
        ("gpt-6.3-sol", "gpt-6.2-sol"),
        ("gpt-image-3", "gpt-image-2"),
    ]
    sdk.images.generate(model="gpt-image-2", prompt="x", size="1536x864", quality="low")
    assert entries[1].cost_usd == app.state.emulator.requests()[-1].cost_usd > 0  # its prices
    # An unknown model keeps the real API's error; the log says once how to add it.
    with caplog.at_level(logging.WARNING, logger="emulator"):
        for _ in range(2):
            with pytest.raises(openai.BadRequestError) as unknown:
                sdk.responses.create(model="gpt-6.4-sol", input="x")
    assert unknown.value.code == "model_not_found"
    assert "The requested model 'gpt-6.4-sol' does not exist." in unknown.value.message
    hints = [r.message for r in caplog.records if "--model gpt-6.4-sol=KNOWN" in r.message]
    assert len(hints) == 1


def test_the_control_plane_adds_a_model_until_a_reset() -> None:
    app = create_app(Config(model="gpt-image-3=gpt-image-2"))
    http = TestClient(app, headers={"Authorization": "Bearer sk-t"})
    body = {"model": "gpt-6.3-sol", "input": "Draw", "tools": DRAW}
    assert http.post("/v1/responses", json=body).status_code == 400
    added = http.post("/_emulator/models", json={"model": "gpt-6.3-sol", "copy_of": "gpt-6.2-sol"})
    assert added.json() == {
        "added": [
            {"model": "gpt-image-3", "copy_of": "gpt-image-2"},
            {"model": "gpt-6.3-sol", "copy_of": "gpt-6.2-sol"},
        ]
    }
    in_a_namespace = http.post("/v1/responses", json=body, headers={"x-emulator-namespace": "n"})
    assert in_a_namespace.status_code == 200  # the catalog is shared
    refused = http.post("/_emulator/models", json={"model": "gpt-6.4-sol", "copy_of": "nope"})
    assert refused.status_code == 400 and "not a model the catalog knows" in refused.text
    assert http.post("/_emulator/models", json={"model": 1}).status_code == 400
    http.post("/_emulator/reset")
    assert http.get("/_emulator/models").json()["added"] == [
        {"model": "gpt-image-3", "copy_of": "gpt-image-2"}  # the option's stays
    ]
    assert http.post("/v1/responses", json=body).status_code == 400


def test_the_command_line_takes_the_flag_repeated(monkeypatch: pytest.MonkeyPatch) -> None:
    from emulator.cli import config_from

    monkeypatch.setenv("IMAGES_EMULATOR_MODEL", "a=gpt-image-2")
    assert config_from([]).model == "a=gpt-image-2"
    both = config_from(["--model", "gpt-6.3-sol=gpt-6.2-sol", "--model", "b=gpt-image-2"])
    assert [m.name for m in both.added_models] == ["gpt-6.3-sol", "b"]


# --- prices -------------------------------------------------------------------------------


def test_a_streamed_responses_call_is_priced_as_the_same_call_unstreamed() -> None:
    app = create_app(Config())
    sdk = openai_client(app, max_retries=0)
    list(sdk.responses.create(model=STEADY_TEXT_MODEL, input="Draw", tools=DRAW, stream=True))
    sdk.responses.create(model=STEADY_TEXT_MODEL, input="Draw", tools=DRAW)
    streamed, plain = app.state.emulator.requests(endpoint="responses")
    assert streamed.stream and not plain.stream
    assert streamed.cost_usd is not None and streamed.cost_usd == plain.cost_usd > 0
    shown = TestClient(app).get("/_emulator/journal?endpoint=responses").json()["entries"]
    assert shown[0]["cost_usd"] == streamed.cost_usd
