"""Today's API by default: what was shut down is refused, what is deprecated says so, the
models the SDK lists are the ones served, and the era details that real recordings show.

These tests use the emulator's default (today, the machine's date) or pin a day; none uses
``latest``. Today is 2026-12-01 or later here, the day gpt-image-1.5 and its siblings went.
"""

from __future__ import annotations

import base64
import datetime
import io
import logging
from typing import Any

import httpx
import openai
import pytest
from PIL import Image
from starlette.testclient import TestClient

from emulator import Config, create_app
from emulator.contract.catalog import CATALOG
from emulator.contract.dates import today
from emulator.contract.eras import catalog_at
from emulator.contract.gpt_image_models import PIXEL_TOKENS
from emulator.contract.tokenizer import count_tokens
from emulator.inprocess import openai_client
from emulator.server import EmulatorServer

from .expect import error
from .images import decode, encoded, mask_with_hole, solid

GEN, EDITS = "/v1/images/generations", "/v1/images/edits"
# Today's catalog: what it retired and what it serves (image models, snapshots included).
TODAY_S_CATALOG = catalog_at(CATALOG, today())
SHUT_DOWN = list(TODAY_S_CATALOG.endpoints["generations"].retired)
TODAY_S_MODELS = list(TODAY_S_CATALOG.endpoints["generations"].models)
# As of 2026-12-01, the day gpt-image-1.5 and its siblings were shut down (the catalog's sources).
SERVED_ON_2026_12_01 = [
    "gpt-image-2",
    "gpt-image-2-2026-04-21",
    "gpt-image-2.5-sunburst",
    "gpt-image-2.5-sunburst-2026-09-08",
    "gpt-image-2.5-flare",
    "gpt-image-2.5-flare-2026-09-08",
    "gpt-image-2.6-sunburst",
    "gpt-image-2.6-flare",
]


@pytest.fixture(scope="module")
def today_app() -> Any:
    return create_app(Config())  # no date: today


@pytest.fixture
def sdk(today_app: Any) -> openai.OpenAI:
    return openai_client(today_app, max_retries=0)


@pytest.fixture
def http(today_app: Any) -> Any:
    with TestClient(today_app, headers={"Authorization": "Bearer sk-today"}) as client:
        yield client


def at(day: str) -> dict[str, str]:
    return {"x-emulator-as-of": day}


# --- today by default -----------------------------------------------------------------------


def test_today_is_the_machine_s_date() -> None:
    assert today() >= datetime.date(2026, 12, 1)  # the premise of this file


@pytest.mark.parametrize("model", SHUT_DOWN)
def test_what_was_shut_down_is_the_retired_model_404(sdk: openai.OpenAI, model: str) -> None:
    with pytest.raises(openai.NotFoundError) as gone:
        sdk.images.generate(model=model, prompt="an otter")
    assert (
        gone.value.body
        == error(  # type: ignore[comparison-overlap]
            f"The model `{model}` does not exist or you do not have access to it.",
            code="model_not_found",
        )["error"]
    )


@pytest.mark.parametrize("model", TODAY_S_MODELS)
def test_today_s_families_are_served(sdk: openai.OpenAI, model: str) -> None:
    result = sdk.images.generate(model=model, prompt="an otter", quality="low", size="1024x1024")
    assert decode(result.data[0].b64_json).size == (1024, 1024)  # type: ignore[index]


def test_the_answer_says_which_day_it_answered_as_of(http: TestClient) -> None:
    response = http.post(GEN, json={"model": "gpt-image-2", "prompt": "x", "quality": "low"})
    assert response.headers["x-emulator-as-of"] == today().isoformat()
    assert "x-emulator-deprecation" not in response.headers  # gpt-image-2 is not deprecated


def test_variations_are_the_unknown_route_today(http: TestClient) -> None:
    files = {"image": ("a.png", solid(256, 256), "image/png")}
    response = http.post("/v1/images/variations", files=files)
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "Invalid URL (POST /v1/images/variations)"


def test_an_edit_without_a_model_is_gpt_image_2_6_sunburst(sdk: openai.OpenAI) -> None:
    result = sdk.images.edit(image=("a.png", solid(64, 64), "image/png"), prompt="x")
    assert result.usage is not None and result.size == "1024x1024"
    entry = sdk_entries(sdk)[-1]
    assert entry.model == "gpt-image-2.6-sunburst"


def sdk_entries(sdk: openai.OpenAI) -> list[Any]:
    transport = sdk._client._transport  # type: ignore[attr-defined]
    app = transport._asgi.app
    return list(app.state.emulator.requests())


def test_a_day_crosses_midnight(monkeypatch: pytest.MonkeyPatch, http: TestClient) -> None:
    # The date is read per request: a server started before a shutdown refuses after it.
    from emulator.contract import dates

    class Clock(datetime.datetime):
        day = datetime.datetime(2026, 11, 30, 23, 59, tzinfo=datetime.UTC)

        @classmethod
        def now(cls, tz: datetime.tzinfo | None = None) -> Any:
            return cls.day

    monkeypatch.setattr(dates.datetime, "datetime", Clock)
    monkeypatch.delenv(dates.SHIFT_ENV, raising=False)  # both sides pinned
    body = {"model": "gpt-image-1.5", "prompt": "x", "quality": "low"}
    assert http.post(GEN, json=body).status_code == 200
    Clock.day = datetime.datetime(2026, 12, 1, 0, 0, 1, tzinfo=datetime.UTC)
    assert http.post(GEN, json=body).status_code == 404


def test_latest_serves_every_model() -> None:
    sdk = openai_client(create_app(Config(as_of="latest")), max_retries=0)
    assert sdk.images.generate(model="dall-e-3", prompt="x").data
    header = openai_client(create_app(Config()), max_retries=0).images.with_raw_response
    raw = header.generate(model="dall-e-2", prompt="x", extra_headers=at("latest"))
    assert raw.http_response.status_code == 200
    assert "x-emulator-as-of" not in raw.headers


# --- deprecation notices --------------------------------------------------------------------


def test_a_deprecated_model_says_when_it_goes(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="emulator")
    sdk = openai_client(create_app(Config()), max_retries=0)  # nothing announced yet
    raw = sdk.images.with_raw_response.generate(
        model="gpt-image-1.5", prompt="x", quality="low", extra_headers=at("2026-11-20")
    )
    assert raw.http_response.status_code == 200
    assert raw.headers["x-emulator-deprecation"] == (
        'gpt-image-1.5; shutdown=2026-12-01; replacement="gpt-image-2.6-sunburst or '
        'gpt-image-2.6-flare"'
    )
    again = sdk.images.with_raw_response.generate(
        model="gpt-image-1.5", prompt="y", quality="low", extra_headers=at("2026-11-21")
    )
    assert "x-emulator-deprecation" in again.headers
    entry = sdk_entries(sdk)[-1]
    assert entry.deprecation == {
        "model": "gpt-image-1.5",
        "announced": "2026-06-02",
        "shutdown": "2026-12-01",
        "replacement": "gpt-image-2.6-sunburst or gpt-image-2.6-flare",
    }
    logged = [r.getMessage() for r in caplog.records if "deprecated" in r.getMessage()]
    assert logged == [
        "gpt-image-1.5 is deprecated (announced 2026-06-02): it shuts down on 2026-12-01; "
        "replacement: gpt-image-2.6-sunburst or gpt-image-2.6-flare"
    ]  # once per model, however many requests


def test_the_notice_names_the_replacement_of_its_day(http: TestClient) -> None:
    body = {"model": "gpt-image-1-mini", "prompt": "x", "quality": "low"}
    october = http.post(GEN, json=body, headers=at("2026-10-01"))
    assert (
        'replacement="gpt-image-2.5-sunburst or gpt-image-2.5-flare"'
        in (october.headers["x-emulator-deprecation"])
    )
    before_notice = http.post(GEN, json=body, headers=at("2026-06-01"))
    assert "x-emulator-deprecation" not in before_notice.headers
    dall_e = http.post(GEN, json={"model": "dall-e-3", "prompt": "x"}, headers=at("2026-01-10"))
    assert dall_e.headers["x-emulator-deprecation"] == (
        'dall-e-3; shutdown=2026-05-12; replacement="gpt-image-1 or gpt-image-1-mini"'
    )


def test_the_eras_table_lists_the_notices_and_shutdowns(http: TestClient) -> None:
    listing = http.get("/_emulator/eras", params={"as_of": "2026-12-01"}).json()
    rows = {(c["date"], c["what"]) for c in listing["changes"]}
    assert ("2026-06-02", "gpt-image-1.5, gpt-image-1.5-2025-12-16 deprecated: shutdown on "
            "2026-12-01") in rows  # fmt: skip
    assert ("2026-12-01", "chatgpt-image-latest shut down") in rows
    assert ("2026-11-04", "gpt-image-2.6-sunburst released") in rows
    assert "gpt-image-1.5" in listing["retired"]["generations"]
    assert listing["served"]["generations"] == SERVED_ON_2026_12_01


# --- /v1/models -------------------------------------------------------------------------------


def test_models_list_is_exactly_today_s_image_models(sdk: openai.OpenAI) -> None:
    models = list(sdk.models.list())
    assert [m.id for m in models] == TODAY_S_MODELS
    assert all(m.object == "model" and m.owned_by == "system" for m in models)
    sunburst = sdk.models.retrieve("gpt-image-2.6-sunburst")
    assert datetime.datetime.fromtimestamp(sunburst.created, datetime.UTC).date() == (
        datetime.date(2026, 11, 4)
    )


@pytest.mark.parametrize("model", ["gpt-image-1.5", "dall-e-3", "gpt-4o", "gpt-image-9"])
def test_retrieving_a_model_not_served_is_model_not_found(sdk: openai.OpenAI, model: str) -> None:
    with pytest.raises(openai.NotFoundError) as missing:
        sdk.models.retrieve(model)
    assert missing.value.code == "model_not_found"


def test_models_on_a_pinned_day_carry_their_shutdown_date(http: TestClient) -> None:
    listed = http.get("/v1/models", headers=at("2026-11-20")).json()
    assert list(listed) == ["object", "data"]
    by_id = {m["id"]: m for m in listed["data"]}
    assert list(by_id["gpt-image-1.5"]) == ["id", "object", "created", "owned_by", "shutdown_date"]
    assert by_id["gpt-image-1.5"]["shutdown_date"] == "2026-12-01"
    assert "shutdown_date" not in by_id["gpt-image-2"]
    assert "gpt-image-1" not in by_id and "dall-e-2" not in by_id  # shut down before
    assert http.get("/v1/models").status_code == 200
    assert http.get("/v1/models", headers={"Authorization": ""}).status_code == 401


# --- era details that real recordings show ------------------------------------------------------


def test_output_tokens_details_on_every_gpt_image_model_from_2026_04_17(http: TestClient) -> None:
    body = {"model": "gpt-image-1", "prompt": "x", "quality": "low"}
    before = http.post(GEN, json=body, headers=at("2026-04-16")).json()["usage"]
    after = http.post(GEN, json=body, headers=at("2026-04-17")).json()["usage"]
    assert "output_tokens_details" not in before
    assert list(after) == [
        "input_tokens",
        "input_tokens_details",
        "output_tokens",
        "output_tokens_details",
        "total_tokens",
    ]
    assert after["output_tokens_details"] == {"image_tokens": 272, "text_tokens": 0}


@pytest.mark.parametrize(
    ("day", "listed"),
    [
        ("2025-07-23", "'gpt-image-1', 'dall-e-2', and 'dall-e-3'"),
        ("2025-07-25", "'gpt-image-1', 'gpt-image-0721-mini-alpha', 'dall-e-2', and 'dall-e-3'"),
        (
            "2025-08-23",
            "'gpt-image-1', 'gpt-image-1-io', 'gpt-image-0721-mini-alpha', 'dall-e-2', and "
            "'dall-e-3'",
        ),
        ("2025-10-20", "'gpt-image-1', 'gpt-image-1-mini', 'dall-e-2', and 'dall-e-3'"),
    ],
)
def test_the_unknown_model_list_by_day(http: TestClient, day: str, listed: str) -> None:
    response = http.post(GEN, json={"model": "bad model", "prompt": "x"}, headers=at(day))
    assert response.json() == error(
        f"Invalid value: 'bad model'. Supported values are: {listed}.", "model", "invalid_value"
    )


def test_an_unknown_model_does_not_exist_from_2026_04_17(http: TestClient) -> None:
    for day in ("2026-04-17", today().isoformat()):
        response = http.post(GEN, json={"model": "bad model", "prompt": "x"}, headers=at(day))
        assert response.status_code == 400
        assert response.json() == error(
            "The model 'bad model' does not exist.",
            "model",
            "invalid_value",
            type="image_generation_user_error",
        )
    earlier = http.post(GEN, json={"model": "bad model", "prompt": "x"}, headers=at("2026-04-16"))
    assert earlier.json()["error"]["message"].startswith("Invalid value: 'bad model'.")


def test_numbered_image_parts_are_the_image_list(http: TestClient) -> None:
    files = [
        ("image[0]", ("a.png", solid(64, 64), "image/png")),
        ("image[1]", ("b.png", solid(64, 64, (0, 0, 200)), "image/png")),
    ]
    data = {"model": "gpt-image-2", "prompt": "both", "quality": "low"}
    response = http.post(EDITS, data=data, files=files)
    assert response.status_code == 200, response.text
    assert response.json()["usage"]["input_tokens_details"]["image_tokens"] == 2 * 16
    image = Image.open(io.BytesIO(base64.b64decode(response.json()["data"][0]["b64_json"])))
    assert image.size == (1024, 1024)


def test_a_numbered_image_part_that_is_text_expects_a_file(http: TestClient) -> None:
    files = [("image[0]", ("a.png", solid(64, 64), "image/png"))]
    data = {"model": "gpt-image-2", "prompt": "x", "image[1]": "not a file"}
    response = http.post(EDITS, data=data, files=files)
    assert response.json() == error(
        "Invalid type for 'image[1]': expected a file, but got a string instead.",
        "image[1]",
        "invalid_type",
    )


def test_a_2023_dall_e_2_mask_typed_octet_stream_is_judged_by_its_bytes(
    http: TestClient,
) -> None:
    image = Image.new("RGBA", (256, 256), (10, 120, 200, 255))
    files = {
        "image": ("i.png", encoded(image), "application/octet-stream"),
        "mask": ("m.png", mask_with_hole(256, 256, (0, 0, 128, 128)), "application/octet-stream"),
    }
    data = {"prompt": "x", "size": "256x256", "response_format": "b64_json"}
    may_2023 = http.post(EDITS, data=data, files=files, headers=at("2023-05-20"))
    assert may_2023.status_code == 200, may_2023.text
    out = decode(may_2023.json()["data"][0]["b64_json"]).convert("RGBA")
    assert out.getpixel((200, 200)) == (10, 120, 200, 255)  # outside the hole: kept
    later = http.post(EDITS, data=data, files=files, headers=at("2024-01-10"))
    assert later.json()["error"]["param"] == "mask"


def test_dall_e_2_refuses_quality_from_2026_03_31(http: TestClient) -> None:
    body = {"model": "dall-e-2", "prompt": "x", "quality": "standard"}
    assert http.post(GEN, json=body, headers=at("2026-03-30")).status_code == 200
    refused = http.post(GEN, json=body, headers=at("2026-03-31"))
    assert refused.json() == error("Unknown parameter: 'quality'.", "quality", "unknown_parameter")


@pytest.mark.parametrize(
    ("quality", "size", "tokens"),
    [
        ("low", "1024x1024", 196),  # recorded (and forum)
        ("low", "1280x720", 106),  # recorded
        ("low", "1536x864", 120),  # recorded
        ("low", "976x704", 129),  # forum, kept
        ("low", "960x720", 130),  # forum, kept
        ("medium", "1254x1254", 2058),  # recorded at the auto size
    ],
)
def test_gpt_image_2_output_tokens_give_every_recorded_point(
    quality: str, size: str, tokens: int
) -> None:
    width, height = (int(side) for side in size.split("x"))
    assert PIXEL_TOKENS.tokens(quality, width, height) == tokens


def test_gpt_image_2_wide_low_tokens_through_the_sdk(sdk: openai.OpenAI) -> None:
    result = sdk.images.generate(model="gpt-image-2", prompt="x", size="1536x864", quality="low")
    assert result.usage is not None and result.usage.output_tokens == 120
    assert decode(result.data[0].b64_json).size == (1536, 864)  # type: ignore[index]


def test_a_gpt_image_2_json_edit_bills_a_small_input_in_patches(http: TestClient) -> None:
    prompt = "add a hat to the otter"
    data_url = "data:image/png;base64," + base64.b64encode(solid(128, 128)).decode()
    body = {"model": "gpt-image-2", "prompt": prompt, "images": [{"image_url": data_url}]}
    usage = http.post(EDITS, json=body).json()["usage"]
    assert usage["input_tokens_details"] == {
        "image_tokens": 64,
        "text_tokens": count_tokens(prompt) + 7,
    }


# --- a refused upload is journaled with what was sent -------------------------------------------


def test_a_refused_upload_shows_its_parts_in_the_journal(http: TestClient) -> None:
    files = [
        ("image", ("photo.png", solid(64, 64), "text/plain")),
        ("mask", ("m.bin", b"not an image at all", None)),
    ]
    response = http.post(EDITS, data={"model": "gpt-image-2", "prompt": "x"}, files=files)
    assert response.status_code == 400
    entry = http.get("/_emulator/journal").json()["entries"][-1]
    assert entry["inputs"] == []
    assert entry["uploads"] == [
        {
            "field": "image",
            "filename": "photo.png",
            "content_type": "text/plain",
            "bytes": len(solid(64, 64)),
            "sniffed": "PNG",
        },
        {
            "field": "mask",
            "filename": "m.bin",
            "content_type": "application/octet-stream",
            "bytes": 19,
            "sniffed": None,
        },
    ]


def test_the_start_line_says_the_date(tmp_path: Any) -> None:
    from emulator.cli import as_of_description

    assert as_of_description("today").startswith(f"today ({today().isoformat()}")
    assert as_of_description("latest").startswith("no date ('latest')")
    assert as_of_description(datetime.date(2026, 5, 1)) == "2026-05-01 (pinned with --as-of)"


def test_a_live_server_answers_as_of_today() -> None:
    with EmulatorServer() as server:
        response = httpx.post(
            f"{server.base_url}/v1/images/generations",
            json={"model": "gpt-image-1.5", "prompt": "x"},
            headers={"Authorization": "Bearer sk-live"},
        )
    assert response.status_code == 404
    assert response.headers["x-emulator-as-of"] == today().isoformat()
