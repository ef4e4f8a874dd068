"""The Responses API's ``image_generation`` tool through the official SDK: create, stream and
the stream helper, stored responses, multi-turn edits both ways, masks, the wire shapes by
date, usage and tool_usage, and every refusal as a 400 with the API's error shape."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import numpy as np
import openai
import pytest
from PIL import Image
from starlette.testclient import TestClient

from emulator import Config, create_app
from emulator.contract import responses_api
from emulator.contract.specs import ResponsesRules
from emulator.contract.tokenizer import count_tokens
from emulator.inprocess import openai_client

from .images import encoded, mask_with_hole, solid, striped

DRAW = [{"type": "image_generation"}]
# Text models served for the foreseeable future (no shutdown announced): tests that are not
# about dates use them, so that none depends on the day it runs.
TEXT = responses_api.STEADY_TEXT_MODEL
TEXT_MINI = "gpt-5.4-mini"
# The gpt-5 family reasons before it calls the tool; it shuts down on 2026-12-11, so the
# tests about it pin a day it was served.
GPT_5_DAY = {"x-emulator-as-of": "2026-11-30"}


@pytest.fixture
def app() -> Any:
    return create_app(Config())  # today: gpt-image-2.6-sunburst is the tool's default


@pytest.fixture
def sdk(app: Any) -> openai.OpenAI:
    return openai_client(app, max_retries=0)


@pytest.fixture
def http(app: Any) -> Any:
    with TestClient(app, headers={"Authorization": "Bearer sk-r"}) as client:
        yield client


def image_of(response: Any) -> Image.Image:
    (call,) = [item for item in response.output if item.type == "image_generation_call"]
    return Image.open(io.BytesIO(base64.b64decode(call.result)))


def data_url(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode()


def a_turn_with_an_image(text: str, png: bytes) -> list[dict[str, Any]]:
    """A user turn with an instruction and one image, as a data: URL."""
    content = [
        {"type": "input_text", "text": text},
        {"type": "input_image", "image_url": data_url(png)},
    ]
    return [{"role": "user", "content": content}]


# --- create ------------------------------------------------------------------------------------


def test_a_reasoning_model_draws_an_image(sdk: openai.OpenAI) -> None:
    response = sdk.responses.create(
        model="gpt-5", extra_headers=GPT_5_DAY, input="Draw an otter", tools=DRAW
    )
    assert [item.type for item in response.output] == [
        "reasoning",
        "image_generation_call",
        "message",
    ]
    assert response.model == "gpt-5-2025-08-07" and response.status == "completed"
    image = image_of(response)
    assert (image.size, image.format, image.mode) == ((1024, 1024), "PNG", "RGB")
    call = response.output[1].to_dict()
    assert call["revised_prompt"] == "Draw an otter"
    assert (call["quality"], call["background"], call["output_format"], call["size"]) == (
        "high",
        "opaque",
        "png",
        "1024x1024",
    )  # auto through the tool: high quality, as recordings show
    assert call["action"] == "generate"
    assert response.output_text == ""  # the recordings' usual empty text


def test_the_tool_options_decide_the_picture(sdk: openai.OpenAI) -> None:
    tool = {
        "type": "image_generation",
        "model": "gpt-image-2",
        "size": "1536x864",
        "quality": "low",
        "output_format": "webp",
        "background": "transparent",
        "output_compression": 60,
    }
    response = sdk.responses.create(model=TEXT, input="Draw a sticker of a fox", tools=[tool])  # type: ignore[list-item]
    assert [item.type for item in response.output] == ["image_generation_call", "message"]
    image = image_of(response)
    assert (image.size, image.format, image.mode) == ((1536, 864), "WEBP", "RGBA")
    alpha = np.asarray(image)[..., 3]
    assert alpha.min() == 0 and alpha.max() == 255  # a truly transparent background
    usage = response.to_dict()["tool_usage"]["image_gen"]
    assert usage["output_tokens"] == 120  # the Images API's count for gpt-image-2 low 1536x864
    prompt = "Draw a sticker of a fox"
    assert usage["input_tokens_details"]["text_tokens"] == count_tokens(prompt) + 6


def test_auto_size_follows_the_prompt_s_shape(sdk: openai.OpenAI) -> None:
    wide = sdk.responses.create(model=TEXT, input="Draw a wide landscape", tools=DRAW)
    tall = sdk.responses.create(model=TEXT, input="Draw a tall portrait", tools=DRAW)
    assert image_of(wide).size == (1536, 1024) and image_of(tall).size == (1024, 1536)


def test_the_answer_s_keys_and_usage(http: TestClient) -> None:
    answer = http.post(
        "/v1/responses", json={"model": TEXT_MINI, "input": "Draw a kite", "tools": DRAW}
    ).json()
    assert list(answer) == list(responses_api.response_keys(ResponsesRules()))
    assert answer["tools"] == [
        {
            "type": "image_generation",
            "background": "auto",
            "model": "gpt-image-2.6-sunburst",
            "moderation": "auto",
            "n": 1,
            "output_compression": 100,
            "output_format": "png",
            "quality": "auto",
            "size": "auto",
        }
    ]
    call = answer["output"][0]
    assert list(call) == [
        "id", "type", "status", "action", "background", "output_format", "quality", "result",
        "revised_prompt", "size",
    ]  # fmt: skip
    # The 5.x models' message says its phase (recorded; its place last is inferred).
    assert list(answer["output"][1]) == ["id", "type", "status", "content", "role", "phase"]
    assert answer["output"][1]["phase"] == "final_answer"
    # gpt-5.4-mini's defaults as recorded: no reasoning effort, top_p 0.98, its reasoning
    # context and mode (2026-06 on), the prompt cache kept a day (2026-06-30 on).
    assert answer["reasoning"] == {
        "context": "current_turn", "effort": "none", "mode": "standard", "summary": None
    }  # fmt: skip
    assert answer["prompt_cache_retention"] == "24h"
    assert answer["top_p"] == 0.98 and answer["temperature"] == 1.0
    usage = answer["usage"]
    assert usage["input_tokens"] == count_tokens("Draw a kite") + 3200  # the tool's prompt
    assert usage["output_tokens"] == 30 and usage["output_tokens_details"] == {
        "reasoning_tokens": 0
    }
    assert answer["tool_usage"]["web_search"] == {"num_requests": 0}
    gen = answer["tool_usage"]["image_gen"]
    assert gen["output_tokens_details"]["image_tokens"] == gen["output_tokens"]
    shared = answer["id"][5:23]  # ids of one response share their first 18 hex characters
    assert all(item["id"].split("_", 1)[1][:18] == shared for item in answer["output"])


def test_keys_by_date(http: TestClient) -> None:
    body = {"model": "gpt-4o", "input": "Draw a kite", "tools": DRAW}
    old = http.post("/v1/responses", json=body, headers={"x-emulator-as-of": "2025-10-15"}).json()
    assert list(old) == list(responses_api.BASE_KEYS)  # the 2025-10 wire order
    assert "model" not in old["tools"][0]  # the echo named no model before 2025-11-10
    assert "action" not in old["output"][0]
    assert old["tools"][0]["type"] == "image_generation"
    assert "cache_write_tokens" not in old["usage"]["input_tokens_details"]


def test_without_the_tool_the_answer_is_a_fixed_sentence(sdk: openai.OpenAI) -> None:
    response = sdk.responses.create(model=TEXT, input="hello there")
    assert response.output_text == responses_api.TEXT_ONLY_ANSWER
    assert [item.type for item in response.output] == ["message"]


@pytest.mark.parametrize(
    ("text", "choice", "calls"),
    [
        ("Draw an otter", "auto", True),
        ("What is the capital of France?", "auto", False),
        ("What is the capital of France?", "required", True),
        ("What is the capital of France?", {"type": "image_generation"}, True),
        ("Draw an otter", "none", False),
    ],
)
def test_when_the_model_calls_the_tool(
    sdk: openai.OpenAI, text: str, choice: Any, calls: bool
) -> None:
    response = sdk.responses.create(model=TEXT, input=text, tools=DRAW, tool_choice=choice)
    assert any(item.type == "image_generation_call" for item in response.output) is calls


def test_the_control_plane_forces_either(http: TestClient, sdk: openai.OpenAI) -> None:
    assert http.post("/_emulator/tool-calls", json={"mode": "never"}).json() == {"mode": "never"}
    plain = sdk.responses.create(model=TEXT, input="Draw an otter", tools=DRAW)
    assert [item.type for item in plain.output] == ["message"]
    http.post("/_emulator/tool-calls", json={"mode": "always"})
    forced = sdk.responses.create(model=TEXT, input="Hi", tools=DRAW)
    assert forced.output[0].type == "image_generation_call"
    header = sdk.responses.create(
        model=TEXT, input="Hi", tools=DRAW, extra_headers={"x-emulator-tool-call": "never"}
    )
    assert [item.type for item in header.output] == ["message"]
    assert http.post("/_emulator/tool-calls", json={"mode": "maybe"}).status_code == 400
    http.post("/_emulator/reset")
    assert http.get("/_emulator/tool-calls").json() == {"mode": "auto"}


def test_encrypted_reasoning_when_included(sdk: openai.OpenAI) -> None:
    response = sdk.responses.create(
        model="o3",
        input="Draw an otter",
        tools=DRAW,
        include=["reasoning.encrypted_content"],
        extra_headers={"x-emulator-as-of": "2026-11-30"},
    )
    assert response.output[0].type == "reasoning"
    assert response.output[0].encrypted_content  # type: ignore[union-attr]


# --- edits ------------------------------------------------------------------------------------


def test_an_input_image_is_edited_with_its_mask(sdk: openai.OpenAI) -> None:
    source = striped(1024, 1024)
    hole = (256, 256, 640, 512)
    tool = {
        "type": "image_generation",
        "model": "gpt-image-2",
        "quality": "low",
        "input_image_mask": {"image_url": data_url(mask_with_hole(1024, 1024, hole))},
    }
    response = sdk.responses.create(
        model=TEXT,
        input=[
            {
                "role": "user",
                "content": [
                    {"type": "input_text", "text": "put a boat in the hole"},
                    {"type": "input_image", "image_url": data_url(encoded(source))},
                ],
            }
        ],
        tools=[tool],  # type: ignore[list-item]
    )
    call = response.output[0].to_dict()
    assert call["action"] == "edit"
    out = np.asarray(image_of(response).convert("RGB"))
    keep = np.ones((1024, 1024), bool)
    keep[hole[1] : hole[3], hole[0] : hole[2]] = False
    assert np.array_equal(out[keep], np.asarray(source)[keep])  # outside the mask: kept
    assert not np.array_equal(out[~keep], np.asarray(source)[~keep])  # inside: painted


def test_an_input_image_without_a_mask_is_a_reference(sdk: openai.OpenAI) -> None:
    file = sdk.files.create(file=("cat.png", solid(512, 512), "image/png"), purpose="vision")
    response = sdk.responses.create(
        model=TEXT,
        input=[
            {
                "role": "user",
                "content": [
                    {"type": "input_text", "text": "make it a poster"},
                    {"type": "input_image", "file_id": file.id},
                ],
            }
        ],
        tools=[{"type": "image_generation", "quality": "low"}],
    )
    assert response.output[0].to_dict()["action"] == "edit"
    assert image_of(response).size == (1024, 1024)
    gen = response.to_dict()["tool_usage"]["image_gen"]  # type: ignore[index]
    assert gen["input_tokens_details"]["image_tokens"] == 32 * 32  # 512² in 16-px patches


# --- multi-turn -------------------------------------------------------------------------------


def test_previous_response_id_edits_the_earlier_image(sdk: openai.OpenAI) -> None:
    tool = [{"type": "image_generation", "quality": "low"}]
    first = sdk.responses.create(
        model="gpt-5", extra_headers=GPT_5_DAY, input="Draw an otter", tools=tool
    )  # type: ignore[arg-type]
    second = sdk.responses.create(
        model="gpt-5",
        extra_headers=GPT_5_DAY,
        previous_response_id=first.id,
        input="Now add a hat",
        tools=tool,  # type: ignore[arg-type]
    )
    assert second.previous_response_id == first.id
    assert second.output[1].to_dict()["action"] == "edit"
    assert np.asarray(image_of(second)).tobytes() != np.asarray(image_of(first)).tobytes()


def test_an_earlier_call_passed_back_by_id_alone(sdk: openai.OpenAI) -> None:
    tool = [{"type": "image_generation", "quality": "low"}]
    first = sdk.responses.create(
        model="gpt-5", extra_headers=GPT_5_DAY, input="Draw an otter", tools=tool
    )  # type: ignore[arg-type]
    earlier = [item.to_dict() for item in first.output]
    passed_back = [
        {"role": "user", "content": "Draw an otter"},
        earlier[0],  # reasoning
        {"id": earlier[1]["id"], "type": "image_generation_call"},  # as pydantic-ai sends it
        earlier[2],  # the assistant message
        {"role": "user", "content": "Make it blue"},
    ]
    second = sdk.responses.create(
        model="gpt-5", extra_headers=GPT_5_DAY, input=passed_back, tools=tool
    )  # type: ignore[arg-type]
    assert second.output[1].to_dict()["action"] == "edit"
    with_result = sdk.responses.create(
        model=TEXT,
        input=[{**earlier[1], "type": "image_generation_call"}, {"role": "user", "content": "x"}],
        tools=[{"type": "image_generation", "quality": "low", "action": "edit"}],
        tool_choice="required",
        store=False,
    )
    assert with_result.output[0].to_dict()["action"] == "edit"
    reference = sdk.responses.create(
        model=TEXT,
        input=[
            {"type": "item_reference", "id": earlier[1]["id"]},
            {"role": "user", "content": "x"},
        ],
        tools=[{"type": "image_generation", "quality": "low"}],
        tool_choice="required",
    )
    assert reference.output[0].to_dict()["action"] == "edit"


def test_store_false_is_not_kept(sdk: openai.OpenAI) -> None:
    kept = sdk.responses.create(model=TEXT, input="hello", store=False)
    with pytest.raises(openai.NotFoundError):
        sdk.responses.retrieve(kept.id)
    with pytest.raises(openai.BadRequestError) as refused:
        sdk.responses.create(model=TEXT, input="again", previous_response_id=kept.id)
    assert refused.value.code == "previous_response_not_found"


# --- stored responses -------------------------------------------------------------------------


def test_retrieve_delete_and_input_items(sdk: openai.OpenAI) -> None:
    response = sdk.responses.create(
        model=TEXT,
        input=[{"role": "user", "content": "first"}, {"role": "user", "content": "Draw it"}],
        tools=DRAW,
    )
    again = sdk.responses.retrieve(response.id)
    assert again.to_dict() == response.to_dict()
    items = list(sdk.responses.input_items.list(response.id))
    assert [item.content[0].text for item in items] == ["Draw it", "first"]  # type: ignore[union-attr]
    ascending = list(sdk.responses.input_items.list(response.id, order="asc", limit=1))
    assert len(ascending) == 2  # paged one by one, in order
    assert [item.content[0].text for item in ascending] == ["first", "Draw it"]  # type: ignore[union-attr]
    sdk.responses.delete(response.id)
    with pytest.raises(openai.NotFoundError):
        sdk.responses.retrieve(response.id)


# --- streaming --------------------------------------------------------------------------------


def test_a_stream_with_partial_images(sdk: openai.OpenAI) -> None:
    tool = {"type": "image_generation", "partial_images": 2, "quality": "low"}
    events = list(
        sdk.responses.create(
            model="gpt-5", extra_headers=GPT_5_DAY, input="Draw an otter", tools=[tool], stream=True
        )  # type: ignore[list-item]
    )
    kinds = [event.type for event in events]
    assert kinds == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.output_item.done",
        "response.output_item.added",
        "response.image_generation_call.in_progress",
        "response.image_generation_call.generating",
        "response.image_generation_call.partial_image",
        "response.image_generation_call.partial_image",
        "response.image_generation_call.completed",
        "response.output_item.done",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert [event.sequence_number for event in events] == list(range(len(events)))
    partials = [e for e in events if e.type.endswith("partial_image")]
    final = image_of(events[-1].response)  # type: ignore[union-attr]
    for index, event in enumerate(partials):
        frame = Image.open(io.BytesIO(base64.b64decode(event.partial_image_b64)))  # type: ignore[union-attr]
        assert event.partial_image_index == index  # type: ignore[union-attr]
        assert frame.size == final.size and frame.format == "PNG"
        assert frame.tobytes() != final.tobytes()  # coarser than the final picture
    gen = events[-1].response.to_dict()["tool_usage"]["image_gen"]  # type: ignore[union-attr,index]
    assert gen["output_tokens"] == 196 + 2 * 100  # gpt-image-2.6 low 1024², +100 per partial
    created = events[0].response.to_dict()["tool_usage"]["image_gen"]  # type: ignore[union-attr,index]
    assert created["total_tokens"] == 0  # zeros until completed


def test_the_stream_helper_and_text_deltas(sdk: openai.OpenAI) -> None:
    with sdk.responses.stream(model=TEXT, input="hello") as stream:
        deltas = [e.delta for e in stream if e.type == "response.output_text.delta"]  # type: ignore[union-attr]
        final = stream.get_final_response()
    assert "".join(deltas) == responses_api.TEXT_ONLY_ANSWER == final.output_text
    with sdk.responses.stream(model=TEXT, input="Draw a cat", tools=DRAW) as stream:
        final = stream.get_final_response()
    assert image_of(final).size == (1024, 1024)
    assert sdk.responses.retrieve(final.id).id == final.id


def test_event_keys_are_sorted_from_2026_09(http: TestClient) -> None:
    body = {"model": TEXT, "input": "Draw", "tools": DRAW, "stream": True}
    text = http.post("/v1/responses", json=body).text
    first = json.loads(text.split("data: ", 2)[1].split("\n")[0])
    assert next(iter(first)) == "type" and list(first)[-1] == "sequence_number"
    body_then = {**body, "model": "gpt-4o"}  # served on that day
    old = http.post(
        "/v1/responses", json=body_then, headers={"x-emulator-as-of": "2025-10-01"}
    ).text
    first_old = json.loads(old.split("data: ", 2)[1].split("\n")[0])
    assert list(first_old)[:2] == ["type", "sequence_number"]


# --- refusals ---------------------------------------------------------------------------------


def refused(http: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    response = http.post("/v1/responses", json=body)
    assert response.status_code in (400, 404), response.text
    error: dict[str, Any] = response.json()["error"]
    assert list(error) == ["message", "type", "param", "code"]
    return error


@pytest.mark.parametrize(
    ("tool", "param"),
    [
        ({"size": "1000x1000"}, "tools[0].size"),
        ({"quality": "ultra"}, "tools[0].quality"),
        ({"output_format": "jpeg", "background": "transparent"}, "tools[0].background"),
        ({"output_compression": 101}, "tools[0].output_compression"),
        ({"partial_images": 4}, "tools[0].partial_images"),
        ({"model": "gpt-image-9"}, "tools[0].model"),
        ({"model": "gpt-image-1.5"}, None),  # shut down today: the retired-model answer
        ({"colour": "blue"}, "tools[0].colour"),
        ({"action": "paint"}, "tools[0].action"),
        ({"action": "edit"}, "tools[0].action"),  # nothing to edit
    ],
)
def test_tool_options_are_checked_by_the_image_model_s_rules(
    http: TestClient, tool: dict[str, Any], param: str | None
) -> None:
    body = {"model": TEXT, "input": "Draw", "tools": [{"type": "image_generation", **tool}]}
    error = refused(http, body)
    assert error["param"] == param, error
    if param is not None and param != "tools[0].colour":
        assert param in error["message"] or error["code"] in ("invalid_value", "model_not_found")


def test_input_fidelity_where_the_model_refuses_it(http: TestClient) -> None:
    body = {
        "model": TEXT,
        "input": a_turn_with_an_image("edit", solid(64, 64)),
        "tools": [{"type": "image_generation", "model": "gpt-image-2", "input_fidelity": "high"}],
    }
    error = refused(http, body)
    assert (error["param"], error["code"]) == (
        "tools[0].input_fidelity",
        "invalid_input_fidelity_model",
    )


@pytest.mark.parametrize(
    ("body", "param", "code"),
    [
        ({"input": "x"}, "model", "missing_required_parameter"),
        ({"model": "gpt-9", "input": "x"}, "model", "model_not_found"),
        ({"model": "gpt-image-2", "input": "x"}, "model", "invalid_value"),
        ({"model": TEXT, "input": "x", "temperture": 1}, "temperture", "unknown_parameter"),
        ({"model": TEXT, "input": "x", "previous_response_id": "resp_nope"},
         "previous_response_id", "previous_response_not_found"),
        ({"model": TEXT, "input": [{"id": "ig_nope", "type": "image_generation_call"}]},
         "input[0]", None),
        ({"model": TEXT, "input": "x", "tool_choice": "sometimes"}, "tool_choice",
         "invalid_value"),
        ({"model": TEXT, "input": 3}, "input", "invalid_type"),
        ({"model": TEXT, "input": "x", "stream": "yes"}, "stream", "invalid_type"),
    ],
)  # fmt: skip
def test_refusals(http: TestClient, body: dict[str, Any], param: str, code: str | None) -> None:
    error = refused(http, body)
    assert (error["param"], error["code"]) == (param, code)


def test_a_text_model_before_its_release_is_unknown(http: TestClient) -> None:
    response = http.post(
        "/v1/responses",
        json={"model": "gpt-5", "input": "x"},
        headers={"x-emulator-as-of": "2025-06-01"},
    )
    assert response.json()["error"]["code"] == "model_not_found"


def test_a_malformed_body_is_the_api_s_400(http: TestClient) -> None:
    response = http.post(
        "/v1/responses", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400


# --- everything else applies --------------------------------------------------------------------


def test_faults_latency_and_the_journal(http: TestClient, sdk: openai.OpenAI) -> None:
    http.post("/_emulator/faults", json={"kind": "rate_limit", "endpoint": "responses"})
    with pytest.raises(openai.RateLimitError):
        sdk.responses.create(model=TEXT, input="Draw an otter", tools=DRAW)
    sdk.responses.create(model=TEXT, input="Draw an otter", tools=DRAW)
    entries = http.get("/_emulator/journal", params={"endpoint": "responses"}).json()["entries"]
    assert [e["status"] for e in entries] == [429, 200]
    done = entries[-1]
    assert done["model"] == TEXT
    assert done["answered"]["image_model"] == "gpt-image-2.6-sunburst"
    assert done["usage"]["output_tokens"] > 0 and done["cost_usd"] > 0
    assert len(done["outputs"]) == 1 and done["outputs"][0]["media_type"] == "image/png"


def test_without_a_key_it_is_the_401(app: Any) -> None:
    with TestClient(app) as client:
        assert client.post("/v1/responses", json={"model": TEXT, "input": "x"}).status_code == 401


@pytest.mark.parametrize(("moderation", "status"), [("low", 200), ("strict", 400)])
def test_moderation_on_a_tool_edit(http: TestClient, moderation: str, status: int) -> None:
    body = {
        "model": TEXT,
        "input": a_turn_with_an_image("edit", solid(64, 64)),
        "tools": [{"type": "image_generation", "quality": "low", "moderation": moderation}],
    }
    response = http.post("/v1/responses", json=body)
    assert response.status_code == status
    if status == 400:
        assert response.json()["error"]["param"] == "tools[0].moderation"


def test_the_tools_echo_names_the_default_model_when_no_call_is_made(http: TestClient) -> None:
    answer = http.post(
        "/v1/responses", json={"model": TEXT, "input": "hello", "tools": DRAW}
    ).json()
    assert [item["type"] for item in answer["output"]] == ["message"]
    assert answer["tools"][0]["model"] == "gpt-image-2.6-sunburst"


@pytest.mark.parametrize(
    ("model", "as_of", "retention", "reasoning"),
    [
        ("gpt-5.4", "2026-04-16", None, {"effort": "none", "summary": None}),
        ("gpt-5.4", "2026-05-11", "in_memory", {"effort": "none", "summary": None}),
        ("gpt-5.5", "2026-05-11", "24h", {"effort": "medium", "summary": None}),
        ("gpt-5.4", "2026-07-20", "24h",
         {"context": "current_turn", "effort": "none", "mode": "standard", "summary": None}),
        ("gpt-5.6-sol", "2026-07-24", "24h",
         {"context": "all_turns", "effort": "medium", "mode": "standard", "summary": None}),
        ("gpt-5", "2026-07-21", "in_memory",
         {"context": "current_turn", "effort": "medium", "mode": "standard", "summary": None}),
    ],
)  # fmt: skip
def test_cache_retention_and_reasoning_as_recorded_by_day(
    http: TestClient, model: str, as_of: str, retention: str | None, reasoning: dict[str, Any]
) -> None:
    answer = http.post(
        "/v1/responses",
        json={"model": model, "input": "hello"},
        headers={"x-emulator-as-of": as_of},
    ).json()
    assert answer["prompt_cache_retention"] == retention
    assert answer["reasoning"] == reasoning
    asked = http.post(
        "/v1/responses",
        json={"model": model, "input": "hello", "prompt_cache_retention": "24h",
              "reasoning": {"effort": "low", "context": "all_turns"}},
        headers={"x-emulator-as-of": "2026-07-24"},
    ).json()  # fmt: skip
    assert asked["prompt_cache_retention"] == "24h"
    assert asked["reasoning"]["context"] == "all_turns" and asked["reasoning"]["effort"] == "low"
