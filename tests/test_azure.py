"""The Azure OpenAI door: deployments and the v1 path, api-key and Bearer, Azure's headers,
answers and errors, through the official ``AzureOpenAI`` client (and the plain one at
``/openai/v1``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import numpy as np
import openai
import pytest

from emulator import Config
from emulator.server import EmulatorServer

from .images import decode, encoded, mask_with_hole, pixels, striped

VERSION = "2025-04-01-preview"
DAY = {"x-emulator-as-of": "2025-06-01"}  # gpt-image-1 and DALL·E 3 both served
HOLE = (256, 256, 768, 768)


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(Config(azure_deployment="painter=gpt-image-1")) as running:
        yield running


@pytest.fixture
def azure(server: EmulatorServer) -> Iterator[openai.AzureOpenAI]:
    server.emulator.reset()
    client = openai.AzureOpenAI(
        azure_endpoint=server.base_url, api_key="azure-key", api_version=VERSION, max_retries=0
    )
    yield client
    client.close()


@pytest.mark.parametrize("deployment", ["gpt-image-1", "painter"])
def test_generate_on_a_deployment_with_azure_s_headers(
    azure: openai.AzureOpenAI, deployment: str
) -> None:
    raw = azure.images.with_raw_response.generate(
        model=deployment, prompt="a kite", quality="low", size="1536x1024", extra_headers=DAY
    )
    answer = json.loads(raw.text)
    assert list(answer) == ["created", "data", "usage"]  # as recorded on 2025-04-01-preview
    image = decode(answer["data"][0]["b64_json"])
    assert (image.format, image.size, image.mode) == ("PNG", (1536, 1024), "RGB")
    headers = raw.headers
    assert headers["apim-request-id"] and headers["x-ms-region"]
    assert headers["x-ms-deployment-name"] == deployment
    assert "openai-version" not in headers and "openai-processing-ms" not in headers
    assert not headers["x-request-id"].startswith("req_")  # a plain UUID


def test_an_edit_keeps_the_pixels_outside_the_mask(azure: openai.AzureOpenAI) -> None:
    source = striped(1024, 1024)
    edited = azure.images.edit(
        model="painter",
        image=("in.png", encoded(source), "image/png"),
        mask=("mask.png", mask_with_hole(1024, 1024, HOLE), "image/png"),
        prompt="a boat in the hole",
        quality="low",
        extra_headers=DAY,
    )
    out = pixels(decode(edited.data[0].b64_json))  # type: ignore[index]
    keep = np.ones((1024, 1024), bool)
    keep[HOLE[1] : HOLE[3], HOLE[0] : HOLE[2]] = False
    assert np.array_equal(out[..., :3][keep], pixels(source)[keep])
    assert not np.array_equal(out[..., :3][~keep], pixels(source)[~keep])


def test_azure_s_errors(azure: openai.AzureOpenAI, server: EmulatorServer) -> None:
    with pytest.raises(openai.NotFoundError) as unknown:
        azure.images.generate(model="nobody", prompt="x", extra_headers=DAY)
    assert unknown.value.body == {
        "code": "DeploymentNotFound",
        "message": "The API deployment for this resource does not exist. If you created the "
        "deployment within the last 5 minutes, please wait a moment and try again.",
    }
    url = f"{server.base_url}/openai/deployments/gpt-image-1/images/generations"
    no_key = httpx.post(f"{url}?api-version={VERSION}", json={"prompt": "x"}, headers=DAY)
    assert no_key.status_code == 401
    assert no_key.json()["error"]["code"] == "401" and list(no_key.json()["error"]) == [
        "code",
        "message",
    ]
    no_version = httpx.post(url, json={"prompt": "x"}, headers={"api-key": "k", **DAY})
    assert (no_version.status_code, no_version.json()["error"]["code"]) == (404, "404")
    odd = httpx.post(f"{url}?api-version=someday", json={"prompt": "x"}, headers={"api-key": "k"})
    assert (odd.status_code, odd.json()["error"]["message"]) == (400, "API version not supported")
    server.emulator.fail_next("rate_limit", retry_after=7)
    with pytest.raises(openai.RateLimitError) as limited:
        azure.images.generate(model="painter", prompt="x", extra_headers=DAY)
    assert limited.value.response.headers["retry-after"] == "7"
    assert limited.value.body["code"] == "429"  # type: ignore[index]
    assert "ImageGenerations_Create Operation" in limited.value.body["message"]  # type: ignore[index]
    entries = server.emulator.journal.entries()
    assert {(e.door, e.deployment) for e in entries} >= {("azure", "nobody"), ("azure", "painter")}


def test_bearer_works_as_the_api_key_does(server: EmulatorServer) -> None:
    entra = openai.AzureOpenAI(
        azure_endpoint=server.base_url, azure_ad_token="token", api_version=VERSION, max_retries=0
    )
    assert entra.images.generate(
        model="gpt-image-1", prompt="x", quality="low", extra_headers=DAY
    ).data


def test_dall_e_3_answers_with_both_filter_blocks_and_refuses_with_inner_error(
    server: EmulatorServer,
) -> None:
    older = openai.AzureOpenAI(
        azure_endpoint=server.base_url, api_key="k", api_version="2024-10-21", max_retries=0
    )
    raw = older.images.with_raw_response.generate(
        model="dall-e-3", prompt="a kite", response_format="b64_json", extra_headers=DAY
    )
    item = json.loads(raw.text)["data"][0]
    assert item["prompt_filter_results"]["jailbreak"] == {"filtered": False, "detected": False}
    assert item["content_filter_results"]["hate"] == {"filtered": False, "severity": "safe"}
    assert decode(item["b64_json"]).size == (1024, 1024)
    server.emulator.fail_next("content_policy")
    with pytest.raises(openai.BadRequestError) as refused:
        older.images.generate(model="dall-e-3", prompt="a kite", extra_headers=DAY)
    body: Any = refused.value.body
    assert body["code"] == "content_policy_violation"
    assert body["inner_error"]["code"] == "ResponsibleAIPolicyViolation"
    with pytest.raises(openai.BadRequestError):  # gpt-image-1 needs 2025-04-01-preview
        older.images.generate(model="gpt-image-1", prompt="x", extra_headers=DAY)


def test_the_v1_path_with_the_plain_client(server: EmulatorServer) -> None:
    plain = openai.OpenAI(base_url=f"{server.base_url}/openai/v1", api_key="k", max_retries=0)
    made = plain.images.generate(model="painter", prompt="a kite", quality="low", extra_headers=DAY)
    assert decode(made.data[0].b64_json).size == (1024, 1024)  # type: ignore[index]
    draw = [{"type": "image_generation", "quality": "low"}]
    answer = plain.responses.create(
        model="gpt-5.4", input="Draw a kite", tools=draw,  # type: ignore[list-item]
        extra_headers={"x-ms-oai-image-generation-deployment": "gpt-image-2"},
    )  # fmt: skip
    assert answer.model == "gpt-5.4"  # the deployment's name
    call = answer.output[0]
    assert call.type == "image_generation_call" and decode(call.result).size == (1024, 1024)
    with pytest.raises(openai.BadRequestError) as missing:
        plain.responses.create(model="gpt-5.4", input="Draw a kite", tools=draw)  # type: ignore[list-item]
    assert missing.value.param == "tools"
    assert plain.models.list().data  # the Models API on the v1 path
    direct = openai.OpenAI(base_url=f"{server.base_url}/v1", api_key="k", max_retries=0)
    assert direct.images.generate(model="gpt-image-2", prompt="x", quality="low").data


def test_a_deployment_added_through_the_control_plane(server: EmulatorServer) -> None:
    control = f"{server.base_url}/_emulator/azure-deployments"
    added = httpx.post(control, json={"deployment": "sketcher", "model": "gpt-image-2"})
    assert added.json()["deployments"]["sketcher"] == "gpt-image-2"
    assert httpx.post(control, json={"deployment": "x", "model": "nope"}).status_code == 400
    azure = openai.AzureOpenAI(
        azure_endpoint=server.base_url, api_key="k", api_version=VERSION, max_retries=0
    )
    assert decode(
        azure.images.generate(model="sketcher", prompt="x", quality="low").data[0].b64_json
    )  # type: ignore[index]
    server.emulator.reset()
    assert "sketcher" not in httpx.get(control).json()["deployments"]
    assert httpx.get(control).json()["deployments"] == {"painter": "gpt-image-1"}  # the option's
