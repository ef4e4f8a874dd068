"""A framework people use for multi-turn image work, against a running emulator: pydantic-ai's
image generation capability over the Responses API, two turns (draw, then edit)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from emulator.server import EmulatorServer

pydantic_ai = pytest.importorskip("pydantic_ai", reason="pydantic-ai-slim is in the test extra")


def test_pydantic_ai_draws_then_edits() -> None:
    from pydantic_ai import Agent, BinaryImage
    from pydantic_ai.capabilities import ImageGeneration
    from pydantic_ai.models.openai import OpenAIResponsesModel
    from pydantic_ai.providers.openai import OpenAIProvider

    with EmulatorServer() as server:
        provider = OpenAIProvider(base_url=f"{server.base_url}/v1", api_key="sk-framework")
        agent = Agent(
            OpenAIResponsesModel("gpt-5.4", provider=provider),
            capabilities=[ImageGeneration(quality="low", size="1024x1536")],
            output_type=BinaryImage,
        )
        first = agent.run_sync("Draw an otter")
        image = Image.open(io.BytesIO(first.output.data))
        assert (image.size, image.format) == ((1024, 1536), "PNG")
        second = agent.run_sync("Now give it a hat", message_history=first.all_messages())
        edited = Image.open(io.BytesIO(second.output.data))
        assert edited.size == (1024, 1536) and edited.tobytes() != image.tobytes()
        entries = server.emulator.requests(endpoint="responses")
    assert [(e.status, e.answered.get("action")) for e in entries] == [
        (200, "generate"),
        (200, "edit"),  # the earlier image passed back by pydantic-ai became the input
    ]
