"""Scripted model turns: a test says what the Responses API's model does next (call a function
with these arguments, answer this text, refuse, fail, stop short, draw with these options),
through the control plane and in Python; with the official client and with pydantic-ai."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from typing import Any

import openai
import pytest
from PIL import Image
from starlette.testclient import TestClient

from emulator import Config, create_app
from emulator.contract import responses_api
from emulator.inprocess import openai_client
from emulator.server import EmulatorServer
from emulator.testdouble.turns import ScriptedTurn

TEXT = responses_api.STEADY_TEXT_MODEL
WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "Weather for a city",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
        "additionalProperties": False,
    },
}
IMAGE = {"type": "image_generation", "quality": "low"}


@pytest.fixture
def app() -> Any:
    return create_app(Config())


@pytest.fixture
def sdk(app: Any) -> Iterator[openai.OpenAI]:
    client = openai_client(app, max_retries=0)
    yield client
    client.close()


@pytest.fixture
def control(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


def script(control: TestClient, *turns: dict[str, Any]) -> list[dict[str, Any]]:
    answer = control.post("/_emulator/turns", json=list(turns))
    assert answer.status_code == 201, answer.text
    return answer.json()["turns"]


def test_a_scripted_function_call_with_its_arguments(
    sdk: openai.OpenAI, control: TestClient, app: Any
) -> None:
    script(control, {"kind": "function_call", "name": "get_weather",
                     "arguments": {"city": "Reykjavik"}, "reasoning": True})  # fmt: skip
    response = sdk.responses.create(model=TEXT, input="Hello", tools=[WEATHER, IMAGE])
    assert [item.type for item in response.output] == ["reasoning", "function_call"]
    call = response.output[1]
    assert call.name == "get_weather" and json.loads(call.arguments) == {"city": "Reykjavik"}  # type: ignore[union-attr]
    follow = sdk.responses.create(model=TEXT, input="Hello", tools=[WEATHER, IMAGE])
    assert [item.type for item in follow.output] == ["message"]  # used up: the rule again
    entry = app.state.emulator.requests(endpoint="responses")[0]
    assert entry.scripted_turn["kind"] == "function_call"
    assert control.get("/_emulator/turns").json() == {"turns": []}


def test_scripted_text_refusal_failure_and_incomplete_by_match(
    sdk: openai.OpenAI, control: TestClient
) -> None:
    script(
        control,
        {"kind": "text", "match": "capital", "text": "Paris, of course."},
        {"kind": "refusal", "pattern": r"\bsecret\b", "text": "I can't share that."},
        {"kind": "failed", "match": "break", "code": "server_error", "message": "Boom."},
        {"kind": "incomplete", "match": "long", "text": "Once upon", "reason": "max_output_tokens"},
    )
    refused = sdk.responses.create(model=TEXT, input="Tell me the secret")
    (message,) = refused.output
    assert message.content[0].type == "refusal"  # type: ignore[union-attr]
    assert message.content[0].refusal == "I can't share that."  # type: ignore[union-attr]
    answered = sdk.responses.create(model=TEXT, input="The capital of France?")
    assert answered.output_text == "Paris, of course." and answered.status == "completed"
    failed = sdk.responses.create(model=TEXT, input="please break")
    assert failed.status == "failed" and failed.output == [] and failed.completed_at is None
    assert failed.error is not None and (failed.error.code, failed.error.message) == (
        "server_error",
        "Boom.",
    )
    short = sdk.responses.create(model=TEXT, input="a long story")
    assert short.status == "incomplete"
    assert short.incomplete_details is not None
    assert short.incomplete_details.reason == "max_output_tokens"
    assert short.output_text == "Once upon"


def test_a_scripted_image_call_with_options_and_revised_prompt(
    sdk: openai.OpenAI, app: Any
) -> None:
    app.state.emulator.turns.add(
        ScriptedTurn.from_json(
            {"kind": "image", "image": {"size": "1536x1024", "quality": "high",
                                        "revised_prompt": "A wide red barn at dusk"}}
        )
    )  # fmt: skip
    response = sdk.responses.create(model=TEXT, input="Hello there", tools=[IMAGE])
    call, _ = response.output
    assert call.type == "image_generation_call"
    assert (call.size, call.quality, call.revised_prompt) == (  # type: ignore[union-attr]
        "1536x1024",
        "high",
        "A wide red barn at dusk",
    )
    image = Image.open(io.BytesIO(base64.b64decode(call.result)))  # type: ignore[union-attr,arg-type]
    assert image.size == (1536, 1024)


def test_a_scripted_failure_ends_a_stream_with_response_failed(
    sdk: openai.OpenAI, control: TestClient
) -> None:
    script(control, {"kind": "failed", "code": "server_error", "message": "Boom."})
    events = list(sdk.responses.create(model=TEXT, input="x", stream=True))
    assert [e.type for e in events] == [
        "response.created",
        "response.in_progress",
        "response.failed",
    ]
    assert events[-1].response.error.message == "Boom."  # type: ignore[union-attr]
    script(control, {"kind": "refusal", "text": "No."})
    streamed = list(sdk.responses.create(model=TEXT, input="x", stream=True))
    assert "response.refusal.done" in [e.type for e in streamed]
    assert streamed[-1].response.output[0].content[0].refusal == "No."  # type: ignore[union-attr]


def test_bad_scripts_are_refused(sdk: openai.OpenAI, control: TestClient) -> None:
    for bad in ({"kind": "dance"}, {"kind": "function_call"}, {"kind": "text", "count": 0},
                {"kind": "text", "pattern": "("}, {"kind": "text", "colour": "red"}):  # fmt: skip
        answer = control.post("/_emulator/turns", json=bad)
        assert answer.status_code == 400 and answer.json()["error"]["message"], bad
    script(control, {"kind": "function_call", "name": "get_time"})
    with pytest.raises(openai.BadRequestError) as refused:
        sdk.responses.create(model=TEXT, input="x", tools=[WEATHER])
    assert refused.value.body["code"] == "scripted_tool_not_offered"  # type: ignore[index]


pydantic_ai = pytest.importorskip("pydantic_ai", reason="pydantic-ai-slim is in the test extra")


def test_pydantic_ai_meets_scripted_function_call_text_and_refusal() -> None:
    from pydantic_ai import Agent
    from pydantic_ai.exceptions import ContentFilterError
    from pydantic_ai.models.openai import OpenAIResponsesModel
    from pydantic_ai.providers.openai import OpenAIProvider

    with EmulatorServer() as server:
        provider = OpenAIProvider(base_url=f"{server.base_url}/v1", api_key="sk-framework")
        agent = Agent(OpenAIResponsesModel(TEXT, provider=provider))
        seen: list[str] = []

        @agent.tool_plain
        def get_weather(city: str) -> str:
            """Weather for a city."""
            seen.append(city)
            return f"Sunny in {city}"

        server.emulator.turns.add(
            ScriptedTurn.from_json(
                {"kind": "function_call", "name": "get_weather", "arguments": {"city": "Lima"}}
            )
        )
        server.emulator.turns.add(ScriptedTurn.from_json({"kind": "text", "text": "It's sunny."}))
        result = agent.run_sync("What's it like in Lima?")
        assert seen == ["Lima"] and result.output == "It's sunny."
        server.emulator.turns.add(ScriptedTurn.from_json({"kind": "refusal", "text": "No."}))
        with pytest.raises(ContentFilterError, match=r"Refusal: 'No\.'"):
            agent.run_sync("Something I may not ask")
        scripted = [e.scripted_turn["kind"] for e in server.emulator.requests(endpoint="responses")]
    assert scripted == ["function_call", "text", "refusal"]


def test_the_safety_system_refusing_the_image_fails_the_response(
    sdk: openai.OpenAI, app: Any
) -> None:
    refused = sdk.responses.create(model=TEXT, input="Draw a moderation-test cat", tools=[IMAGE])
    assert refused.status == "failed" and refused.output == []
    assert refused.error is not None and refused.error.code == "image_content_policy_violation"
    assert refused.error.message.startswith("Your request was rejected by the safety system.")
    app.state.emulator.fail_next("content_policy", endpoint="responses")
    events = list(sdk.responses.create(model=TEXT, input="Draw a dog", tools=[IMAGE], stream=True))
    assert events[-1].type == "response.failed"
    assert events[-1].response.error.code == "image_content_policy_violation"  # type: ignore[union-attr]
    assert not any("image_generation_call" in e.type for e in events)
    with pytest.raises(openai.BadRequestError) as images_door:  # the Images API: a 400
        sdk.images.generate(model="gpt-image-2", prompt="a moderation-test cat")
    assert images_door.value.code == "moderation_blocked"
    entries = app.state.emulator.requests(endpoint="responses")
    assert [e.status for e in entries] == [200, 200] and entries[1].fault == "content_policy"
