"""Function tools beside the image tool, through the official SDK in-process: which tool the
emulated model calls, arguments valid against the function's schema, the output passed back
ending the turn, the stream's function-call events, and the refusals around them."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from typing import Any

import jsonschema_rs
import openai
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from emulator import Config, create_app
from emulator.api.responses_endpoint.function_call import Function, arguments
from emulator.contract import responses_api
from emulator.inprocess import openai_client

TEXT = responses_api.STEADY_TEXT_MODEL
WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "Get the current weather for a city",
    "parameters": {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            "days": {"type": "integer", "minimum": 1, "maximum": 7},
        },
        "required": ["city", "unit", "days"],
        "additionalProperties": False,
    },
    "strict": True,
}
STOCK = {
    "type": "function",
    "name": "lookup_stock",
    "description": "Price of a stock ticker",
    "parameters": {
        "type": "object",
        "properties": {"ticker": {"type": "string", "maxLength": 8}},
        "required": ["ticker"],
    },
}
IMAGE = {"type": "image_generation", "quality": "low", "size": "1024x1024"}


@pytest.fixture
def sdk() -> Iterator[openai.OpenAI]:
    client = openai_client(create_app(Config()), max_retries=0)
    yield client
    client.close()


def kinds(response: Any) -> list[str]:
    return [item.type for item in response.output]


def valid(schema: dict[str, Any], text: str) -> dict[str, Any]:
    value = json.loads(text)
    jsonschema_rs.validate(schema, value)
    return value


def test_a_forced_function_is_called_with_arguments_valid_against_its_schema(
    sdk: openai.OpenAI,
) -> None:
    response = sdk.responses.create(
        model=TEXT,
        input="What's the weather in Paris for 3 days, in fahrenheit?",
        tools=[WEATHER, IMAGE],
        tool_choice={"type": "function", "name": "get_weather"},
    )
    assert kinds(response) == ["function_call"]
    (call,) = response.output
    assert call.name == "get_weather" and call.status == "completed"
    assert call.call_id.startswith("call_") and len(call.call_id) == 29
    assert call.id is not None and call.id.startswith("fc_")
    args = valid(WEATHER["parameters"], call.arguments)  # type: ignore[arg-type]
    assert args == {"city": "Paris", "unit": "fahrenheit", "days": 3}


def test_the_output_passed_back_ends_the_turn_with_a_message(sdk: openai.OpenAI) -> None:
    first = sdk.responses.create(
        model=TEXT, input="Weather in Oslo?", tools=[WEATHER], tool_choice="required"
    )
    (call,) = first.output
    assert call.type == "function_call"
    second = sdk.responses.create(
        model=TEXT,
        previous_response_id=first.id,
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": "4°C, rain"}],
        tools=[WEATHER],
    )
    assert kinds(second) == ["message"]
    assert second.output_text == "get_weather returned: 4°C, rain"
    by_input = sdk.responses.create(  # the whole conversation in the input instead
        model=TEXT,
        input=[
            {"role": "user", "content": "Weather in Oslo?"},
            {
                "type": "function_call",
                "call_id": call.call_id,
                "name": call.name,
                "arguments": call.arguments,
            },
            {"type": "function_call_output", "call_id": call.call_id, "output": "4°C, rain"},
        ],
        tools=[WEATHER],
    )
    assert by_input.output_text == "get_weather returned: 4°C, rain"


def test_required_calls_the_function_for_a_question_and_the_image_tool_for_a_picture(
    sdk: openai.OpenAI,
) -> None:
    question = sdk.responses.create(
        model=TEXT, input="How warm is it in Rome?", tools=[WEATHER, IMAGE], tool_choice="required"
    )
    assert kinds(question) == ["function_call"]
    picture = sdk.responses.create(
        model=TEXT, input="Draw a lighthouse", tools=[WEATHER, IMAGE], tool_choice="required"
    )
    assert kinds(picture) == ["image_generation_call", "message"]
    (call, _) = picture.output
    image = Image.open(io.BytesIO(base64.b64decode(call.result)))  # type: ignore[union-attr,arg-type]
    assert image.size == (1024, 1024)


def test_auto_picks_the_function_that_shares_the_most_words_or_answers_text(
    sdk: openai.OpenAI,
) -> None:
    stock = sdk.responses.create(
        model=TEXT, input="What is the stock price of ACME?", tools=[WEATHER, STOCK]
    )
    assert kinds(stock) == ["function_call"] and stock.output[0].name == "lookup_stock"  # type: ignore[union-attr]
    args = valid(STOCK["parameters"], stock.output[0].arguments)  # type: ignore[union-attr,arg-type]
    assert len(args["ticker"]) <= 8
    chat = sdk.responses.create(model=TEXT, input="Hello there", tools=[WEATHER, STOCK])
    assert kinds(chat) == ["message"]
    none = sdk.responses.create(
        model=TEXT, input="Weather in Rome?", tools=[WEATHER], tool_choice="none"
    )
    assert kinds(none) == ["message"]


def test_the_tools_echo_puts_functions_first_each_in_the_request_s_order(
    sdk: openai.OpenAI,
) -> None:
    # Recorded: [image_generation, get_animal] was echoed [get_animal, image_generation].
    response = sdk.responses.create(model=TEXT, input="Hello", tools=[STOCK, IMAGE, WEATHER])
    echoed = [tool.model_dump(exclude_none=False) for tool in response.tools]
    assert [tool["type"] for tool in echoed] == ["function", "function", "image_generation"]
    assert echoed[0]["name"] == "lookup_stock" and echoed[0]["strict"] is True
    assert echoed[1]["parameters"] == WEATHER["parameters"]
    assert echoed[2]["size"] == "1024x1024" and echoed[2]["output_format"] == "png"


def test_a_picture_of_what_a_function_returns_calls_the_function_first(
    sdk: openai.OpenAI,
) -> None:
    animal = {
        "type": "function",
        "name": "get_animal",
        "parameters": {"type": "object", "properties": {}, "additionalProperties": False},
        "strict": False,
    }
    asked = "Generate an image of the animal returned by the get_animal tool."
    first = sdk.responses.create(
        model="gpt-5", input=asked, tools=[IMAGE, animal], tool_choice="required",
        extra_headers={"x-emulator-as-of": "2025-10-01"},
    )  # fmt: skip
    assert [item.type for item in first.output] == ["reasoning", "function_call"]
    call = first.output[1]
    assert call.type == "function_call" and call.name == "get_animal"
    assert call.arguments == "{}"
    # The output handed back, with the reasoning and the call: the picture, no new reasoning.
    second = sdk.responses.create(
        model="gpt-5",
        input=[
            {"role": "user", "content": asked},
            *[item.model_dump(exclude_none=True) for item in first.output],
            {"type": "function_call_output", "call_id": call.call_id, "output": "axolotl"},
        ],
        tools=[IMAGE, animal],
        tool_choice="required",
        extra_headers={"x-emulator-as-of": "2025-10-01"},
    )
    assert [item.type for item in second.output] == ["image_generation_call", "message"]
    drawn = second.output[0]
    assert drawn.type == "image_generation_call" and drawn.result is not None
    image = Image.open(io.BytesIO(base64.b64decode(drawn.result)))
    assert image.format == "PNG" and image.size == (1024, 1024) and image.mode == "RGB"


def test_the_stream_has_the_function_call_events(sdk: openai.OpenAI) -> None:
    events = list(
        sdk.responses.create(
            model=TEXT,
            input="Weather in Lima, celsius",
            tools=[WEATHER],
            tool_choice="required",
            stream=True,
        )
    )
    types = [event.type for event in events]
    assert types[:3] == ["response.created", "response.in_progress", "response.output_item.added"]
    assert "response.function_call_arguments.delta" in types
    assert types[-3:] == [
        "response.function_call_arguments.done",
        "response.output_item.done",
        "response.completed",
    ]
    deltas = "".join(e.delta for e in events if e.type == "response.function_call_arguments.delta")
    done = next(e for e in events if e.type == "response.function_call_arguments.done")
    assert deltas == done.arguments
    assert valid(WEATHER["parameters"], done.arguments)["unit"] == "celsius"  # type: ignore[arg-type]
    assert [e.sequence_number for e in events] == list(range(len(events)))
    assert kinds(events[-1].response) == ["function_call"]


def test_outputs_and_calls_must_pair(sdk: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as orphan:
        sdk.responses.create(
            model=TEXT,
            input=[{"type": "function_call_output", "call_id": "call_nope", "output": "x"}],
            tools=[WEATHER],
        )
    assert orphan.value.body == {
        "message": "No tool call found for function call output with call_id call_nope.",
        "type": "invalid_request_error",
        "param": "input",
        "code": None,
    }
    first = sdk.responses.create(
        model=TEXT, input="Weather in Oslo?", tools=[WEATHER], tool_choice="required"
    )
    with pytest.raises(openai.BadRequestError) as missing:
        sdk.responses.create(
            model=TEXT, previous_response_id=first.id, input="and tomorrow?", tools=[WEATHER]
        )
    call_id = first.output[0].call_id  # type: ignore[union-attr]
    assert missing.value.body["message"] == f"No tool output found for function call {call_id}."  # type: ignore[index]
    with pytest.raises(openai.BadRequestError) as unknown:
        sdk.responses.create(
            model=TEXT,
            input="x",
            tools=[WEATHER],
            tool_choice={"type": "function", "name": "get_time"},
        )
    assert unknown.value.body["param"] == "tool_choice"  # type: ignore[index]


SCHEMAS = st.deferred(
    lambda: st.one_of(
        st.fixed_dictionaries({"type": st.just("string")}, optional={
            "minLength": st.integers(0, 5), "maxLength": st.integers(5, 12),
            "format": st.sampled_from(["date", "email", "uri", "date-time"]),
        }),
        st.fixed_dictionaries({"type": st.sampled_from(["integer", "number"])}, optional={
            "minimum": st.integers(-50, 50), "exclusiveMaximum": st.integers(60, 100),
            "multipleOf": st.sampled_from([1, 2, 5]),
        }),
        st.fixed_dictionaries({"enum": st.lists(st.text("abcxyz", min_size=1), min_size=1,
                                                unique=True)}),
        st.just({"type": "boolean"}),
        st.just({"type": ["string", "null"]}),
        st.fixed_dictionaries({"type": st.just("array"), "items": SCHEMAS}, optional={
            "minItems": st.integers(0, 3), "maxItems": st.integers(3, 4),
        }),
        st.fixed_dictionaries({"anyOf": st.lists(SCHEMAS, min_size=1, max_size=2)}),
        st.builds(
            lambda props: {"type": "object", "properties": props, "required": sorted(props),
                           "additionalProperties": False},
            st.dictionaries(st.text("abcdefgh_", min_size=1, max_size=6), SCHEMAS, max_size=3),
        ),
    )
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(schema=SCHEMAS, text=st.text(max_size=40))
def test_arguments_are_valid_for_any_schema(schema: dict[str, Any], text: str) -> None:
    made = arguments(Function("f", "", schema, True), text)
    jsonschema_rs.validate(schema, json.loads(made))
    assert arguments(Function("f", "", schema, True), text) == made  # the same for the same


def test_text_format_is_echoed_and_rate_limit_headers_count_down(sdk: openai.OpenAI) -> None:
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"],
              "additionalProperties": False}  # fmt: skip
    text = {"format": {"type": "json_schema", "name": "place", "schema": schema, "strict": True}}
    raw = sdk.responses.with_raw_response.create(model=TEXT, input="Hello", text=text)  # type: ignore[arg-type]
    echoed = raw.http_response.json()["text"]  # as on the wire, keys in their order
    assert list(echoed["format"]) == ["type", "description", "name", "schema", "strict"]
    assert echoed["format"] == {"type": "json_schema", "description": None, "name": "place",
                                "schema": schema, "strict": True}  # fmt: skip
    assert echoed["verbosity"] == "medium"
    plain = sdk.responses.create(
        model=TEXT, input="Hello", text={"format": {"type": "json_object"}}
    )
    assert plain.text.format.type == "json_object"  # type: ignore[union-attr]
    first = dict(raw.headers)
    again = sdk.responses.with_raw_response.retrieve(raw.parse().id)
    assert first["x-ratelimit-limit-requests"] == again.headers["x-ratelimit-limit-requests"]
    remaining = int(first["x-ratelimit-remaining-requests"])
    assert int(again.headers["x-ratelimit-remaining-requests"]) == remaining - 2
    assert first["x-ratelimit-reset-requests"].endswith("ms")
    # As recorded: 765 tokens for the one input message, a reset under a millisecond "0s";
    # a retrieve spends a request and no tokens.
    limit = int(first["x-ratelimit-limit-tokens"])
    assert (limit, first["x-ratelimit-limit-requests"]) == (150_000_000, "30000")
    spent = limit - int(again.headers["x-ratelimit-remaining-tokens"])
    assert spent == 765 * 2  # this create and the json_object one
    assert first["x-ratelimit-reset-tokens"] == "0s"
    images = sdk.images.with_raw_response.generate(model="gpt-image-2", prompt="x", quality="low")
    assert not any(h.startswith("x-ratelimit") for h in images.headers)  # the Images API: none
