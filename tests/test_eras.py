"""The API as it was on a given date: the era fixtures pass at their day and differ as the
real API did on another; the date comes from --as-of, the header, the plugin marker."""

from __future__ import annotations

import datetime
import subprocess
import sys
from typing import Any

import openai
import pytest
from starlette.testclient import TestClient

from contract_tests.exchange import FIXTURES, compare, http_request
from emulator import Config, create_app
from emulator.contract.eras import CHANGES
from emulator.inprocess import openai_client
from emulator.server import EmulatorServer

from .images import decode, solid
from .latest import latest

GEN = "/v1/images/generations"


def load(name: str) -> dict[str, Any]:
    import json

    return json.loads((FIXTURES / f"{name}.json").read_text())


def answer_at(fixture: dict[str, Any], day: str) -> list[str]:
    with TestClient(create_app(latest())) as http:
        return compare(fixture, http.request(**http_request(fixture["request"], "sk", day)))


# One fixture per era: it passes at its own day, and at the other day the API answered
# otherwise, which the emulator reproduces (each other day is on the far side of a change).
ERA_FIXTURES = [
    ("generations/dall-e-3-n-2023", "2025-08-12", "integer_above_max_value"),
    ("edits/dall-e-2-octet-stream-2023", "2025-08-12", "expected 200, got 400"),
    ("generations/gpt-image-1-low-2025-05", "2025-08-12", "background"),
    ("generations/gpt-image-1-low", "2025-05-15", "background"),
    ("generations/gpt-image-1-retired", "2025-08-12", "200"),
    ("generations/gpt-image-2-before-release", "2026-05-01", "200"),
    ("generations/gpt-image-2-transparent-2026-06", "2026-09-01", "200"),
    ("generations/unknown-model", "2026-11-20", "does not exist"),  # 2026-04-17 wording
    ("edits/json-body", "2026-06-01", "images"),
    ("variations/retired", "2026-10-01", "does not exist"),  # dall-e-2 retired, endpoint not
    ("variations/retired", "2026-05-11", "200"),
]


@pytest.mark.parametrize(("name", "other_day", "telltale"), ERA_FIXTURES)
def test_era_fixture_holds_at_its_day_and_not_at_another(
    name: str, other_day: str, telltale: str
) -> None:
    fixture = load(name)
    assert answer_at(fixture, fixture["as_of"]) == []
    differences = answer_at(fixture, other_day)
    assert differences, f"{name} answers the same on {other_day}"
    assert telltale in " ".join(differences)


# --- what a date decides ----------------------------------------------------------------------


def client_at(day: str | None) -> openai.OpenAI:
    return openai_client(create_app(Config(as_of=day or "latest")), max_retries=0)


def test_models_exist_from_release_to_shutdown() -> None:
    assert client_at("2025-10-06").images.generate(model="gpt-image-1-mini", prompt="x").data
    with pytest.raises(openai.BadRequestError) as early:
        client_at("2025-10-05").images.generate(model="gpt-image-1-mini", prompt="x")
    assert early.value.body["message"] == (  # type: ignore[index]
        "Invalid value: 'gpt-image-1-mini'. Supported values are: 'gpt-image-1', "
        "'gpt-image-1-io', 'gpt-image-0721-mini-alpha', 'dall-e-2', and 'dall-e-3'."
    )  # the names real answers listed from 2025-08-23 until gpt-image-1-mini came
    assert client_at("2026-05-11").images.generate(model="dall-e-3", prompt="x").data
    with pytest.raises(openai.NotFoundError) as retired:
        client_at("2026-05-12").images.generate(model="dall-e-3", prompt="x")
    assert retired.value.code == "model_not_found"


def test_default_edit_model_by_date() -> None:
    image = ("in.png", solid(256, 256, (1, 2, 3, 0), "RGBA"), "image/png")
    before = client_at("2026-02-09").images.edit(image=image, prompt="x", size="256x256")
    assert before.data[0].url  # dall-e-2 answers with a URL
    after = client_at("2026-02-10").images.edit(image=image, prompt="x", quality="low")
    assert after.usage is not None and after.usage.output_tokens_details is not None  # 1.5


def test_parameters_exist_from_their_day() -> None:
    with pytest.raises(openai.BadRequestError) as early:
        client_at("2025-07-15").images.generate(model="gpt-image-1", prompt="x", stream=True)
    assert early.value.body["message"] == "Unknown parameter: 'stream'."  # type: ignore[index]
    events = list(
        client_at("2025-07-16").images.generate(model="gpt-image-1", prompt="x", stream=True)
    )
    assert events[-1].type == "image_generation.completed"
    with pytest.raises(openai.BadRequestError):
        client_at("2026-09-07").images.generate(
            model="gpt-image-2", prompt="x", user="u", safety_identifier="s"
        )
    later = client_at("2026-09-08").images.generate(
        model="gpt-image-2", prompt="x", quality="low", safety_identifier="s"
    )
    assert later.safety_identifier == "s"


def test_no_date_serves_every_model_with_the_seed_defaults(client: openai.OpenAI) -> None:
    for model in ("dall-e-2", "dall-e-3", "gpt-image-1", "gpt-image-2.6-flare"):
        assert client.images.generate(model=model, prompt="x").data
    defaulted = client.images.generate(prompt="x", size="256x256")
    assert defaulted.data[0].url  # no model: dall-e-2


# --- choosing the date -------------------------------------------------------------------------


def test_header_wins_and_is_echoed_and_journaled(app, raw: TestClient) -> None:
    response = raw.post(
        GEN,
        json={"model": "dall-e-3", "prompt": "x", "n": 2},
        headers={"x-emulator-as-of": "2023-12-01"},
    )
    assert response.json()["error"]["message"] == "You must provide n=1 for this model."
    assert response.headers["x-emulator-as-of"] == "2023-12-01"
    assert (
        raw.post(GEN, json={"model": "dall-e-2", "prompt": "x"}).headers.get("x-emulator-as-of")
        is None
    )
    entries = app.state.emulator.requests()
    assert [e.as_of for e in entries] == ["2023-12-01", None]


def test_a_malformed_header_is_the_control_layer_s_400(raw: TestClient) -> None:
    response = raw.post(
        GEN, json={"model": "dall-e-2", "prompt": "x"}, headers={"x-emulator-as-of": "June"}
    )
    assert (response.status_code, response.json()) == (
        400,
        {
            "error": {
                "message": (
                    "x-emulator-as-of must be a date as YYYY-MM-DD, 'today' or 'latest', "
                    "got 'June'."
                ),
                "type": "emulator_error",
                "param": None,
                "code": "invalid_as_of",
            }
        },
    )


def test_option_header_and_sdk(raw: TestClient) -> None:
    dated = openai_client(create_app(Config(as_of="2025-05-15")), max_retries=0)
    old = dated.images.generate(model="gpt-image-1", prompt="x", quality="low")
    assert old.size is None and old.usage is not None  # created, data, usage
    newer = dated.images.generate(
        model="gpt-image-1",
        prompt="x",
        quality="low",
        extra_headers={"x-emulator-as-of": "2025-08-12"},
    )
    assert newer.size == "1024x1024"
    assert decode(newer.data[0].b64_json).size == (1024, 1024)


def test_server_and_cli_take_the_date() -> None:
    with EmulatorServer(as_of="2026-11-20") as server:
        with pytest.raises(openai.NotFoundError):
            server.client(max_retries=0).images.generate(model="gpt-image-1", prompt="x")
        server.emulator.reset()
        assert server.emulator.as_of == datetime.date(2026, 11, 20)
    result = subprocess.run(
        [sys.executable, "-m", "emulator", "--as-of", "2026-13-01"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode != 0
    assert (
        "--as-of must be a date as YYYY-MM-DD, 'today' or 'latest', got '2026-13-01'"
        in result.stderr
    )


def test_eras_listing(raw: TestClient) -> None:
    listing = raw.get("/_emulator/eras", params={"as_of": "2026-06-01"}).json()
    assert listing["as_of"] == "2026-06-01"
    dates = [change["date"] for change in listing["changes"]]
    assert dates == sorted(dates) and len(dates) >= len(CHANGES) + 10
    assert all(change["source"] and change["what"] for change in listing["changes"])
    assert "gpt-image-2" in listing["served"]["generations"]
    assert "gpt-image-2.5-flare" not in listing["served"]["generations"]
    assert listing["retired"]["generations"] == ["dall-e-2", "dall-e-3"]
    assert listing["default_models"]["edits"] == "gpt-image-1.5"
    today = raw.get("/_emulator/eras").json()
    assert today["as_of"] is None and "dall-e-2" in today["served"]["generations"]
    assert raw.get("/_emulator/eras", params={"as_of": "soon"}).status_code == 400
