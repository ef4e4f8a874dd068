"""How a suite uses the pytest plugin (``pip install 'openai-images-emulator[pytest]'``).

The plugin starts one emulator for the session and resets it before each test; ``.ci/run``
runs this file like any other test.
"""

from __future__ import annotations

import base64
import io

import openai
import pytest
from PIL import Image


def test_an_image_of_the_asked_size(images_client: openai.OpenAI) -> None:
    result = images_client.images.generate(
        model="gpt-image-2", prompt="a lighthouse", size="1536x864", quality="low"
    )
    image = Image.open(io.BytesIO(base64.b64decode(result.data[0].b64_json or "")))
    assert image.size == (1536, 864)


@pytest.mark.images_emulator(faults=["rate_limit"])
def test_my_code_sees_a_rate_limit(images_emulator, images_client: openai.OpenAI) -> None:
    with pytest.raises(openai.RateLimitError):
        images_client.images.generate(model="gpt-image-2", prompt="x")
    assert [e.status for e in images_emulator.emulator.requests()] == [429]


@pytest.mark.images_emulator(as_of="2026-11-20")
def test_a_model_before_its_shutdown(images_client: openai.OpenAI) -> None:
    raw = images_client.images.with_raw_response.generate(model="gpt-image-1.5", prompt="x")
    assert "x-emulator-deprecation" in raw.headers  # the header says it is about to go


@pytest.mark.images_emulator(lenient=True)
def test_lenient_for_one_test(images_client: openai.OpenAI) -> None:
    assert images_client.images.generate(model="not-a-model", prompt="x").data
