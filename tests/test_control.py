"""The control plane: health, version, config, reset, clock, journal and faults."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import openai
import pytest
from starlette.testclient import TestClient

from emulator import __version__, create_app
from emulator.inprocess import openai_client
from emulator.testdouble import faults

from .conftest import LiveServer
from .images import decode, solid
from .latest import latest

GEN = "/v1/images/generations"


def test_health_version_config(raw: TestClient) -> None:
    assert raw.get("/_emulator/health").json() == {"status": "ok"}
    assert raw.get("/_emulator/version").json() == {
        "version": __version__,
        "openai_version": "2020-10-01",
    }
    config = raw.get("/_emulator/config").json()
    assert config["port"] == 8000 and config["url_ttl_seconds"] == 3600


def test_openapi_document_describes_every_route(raw: TestClient) -> None:
    document = raw.get("/_emulator/openapi.json").json()
    assert document["openapi"].startswith("3.")
    names = ("health", "version", "config", "reset", "clock", "journal", "faults", "eras")
    names += ("tool-calls", "models", "as-of", "turns", "webhooks", "webhooks/faults")
    names += ("azure-deployments",)
    inspector = ("", "journal/stream", "journal-images/{sha256}", "prices", "settings")
    assert set(document["paths"]) == {f"/_emulator/{name}" for name in (*names, *inspector)}


def test_clock_freeze_and_advance_drive_created_and_url_expiry(
    raw: TestClient, client: openai.OpenAI
) -> None:
    raw.post("/_emulator/clock", json={"freeze": True, "at": 1_800_000_000})
    assert (
        client.images.generate(model="dall-e-2", prompt="x", size="256x256").created
        == 1_800_000_000
    )
    url = client.images.generate(model="dall-e-2", prompt="x", size="256x256").data[0].url
    state = raw.post("/_emulator/clock", json={"advance": 3601}).json()
    assert state == {"now": 1_800_003_601, "frozen": True}
    assert raw.get(url).status_code == 403  # type: ignore[arg-type]
    raw.post("/_emulator/clock", json={"unfreeze": True})
    first = raw.get("/_emulator/clock").json()["now"]
    time.sleep(0.05)
    assert raw.get("/_emulator/clock").json()["now"] > first
    assert raw.post("/_emulator/clock", json={"advance": "soon"}).status_code == 400


def test_journal_records_generations_edits_and_errors(
    raw: TestClient, client: openai.OpenAI
) -> None:
    client.images.generate(model="gpt-image-1", prompt="otter", quality="low", n=2)
    client.images.edit(
        model="gpt-image-1", prompt="basket", image=("lotion.png", solid(640, 480), "image/png")
    )
    with pytest.raises(openai.BadRequestError):
        client.images.generate(model="dall-e-3", prompt="x", n=3)
    entries = raw.get("/_emulator/journal").json()["entries"]
    assert [(e["endpoint"], e["model"], e["status"]) for e in entries] == [
        ("generations", "gpt-image-1", 200),
        ("edits", "gpt-image-1", 200),
        ("generations", "dall-e-3", 400),
    ]
    generation, edit, failed = entries
    assert generation["params"]["prompt"] == "otter" and generation["params"]["n"] == 2
    assert generation["usage"]["output_tokens"] == 544
    assert len(generation["outputs"]) == 2
    assert all(
        len(o["sha256"]) == 64 and o["media_type"] == "image/png" for o in generation["outputs"]
    )
    (input_file,) = edit["inputs"]
    assert input_file["filename"] == "lotion.png" and (
        input_file["width"],
        input_file["height"],
    ) == (640, 480)
    assert input_file["content_type"] == "image/png" and len(input_file["sha256"]) == 64
    assert failed["error"]["code"] == "integer_above_max_value"
    assert generation["request_id"].startswith("req_")


def test_journal_filters_and_clears(raw: TestClient, client: openai.OpenAI) -> None:
    client.images.generate(model="dall-e-2", prompt="x", size="256x256")
    client.images.generate(model="gpt-image-1", prompt="x", quality="low")
    with pytest.raises(openai.BadRequestError):
        client.images.generate(model="gpt-image-1", prompt="x", size="1x1")  # type: ignore[arg-type]

    def count(**query: Any) -> int:
        return len(raw.get("/_emulator/journal", params=query).json()["entries"])

    assert (count(), count(model="gpt-image-1"), count(status=400), count(endpoint="edits")) == (
        3,
        2,
        1,
        0,
    )
    raw.delete("/_emulator/journal")
    assert count() == 0


def test_journal_is_bounded() -> None:
    app = create_app(latest(journal_size=3))
    sdk = openai_client(app, max_retries=0)
    for _ in range(5):
        sdk.images.generate(model="dall-e-2", prompt="x", size="256x256")
    assert len(app.state.emulator.journal.entries()) == 3


def test_journal_from_python(app: Any, client: openai.OpenAI) -> None:
    client.images.generate(model="dall-e-2", prompt="x", size="256x256", response_format="url")
    (entry,) = app.state.emulator.journal.entries(endpoint="generations")
    assert entry.outputs[0].url_name.startswith("img-")


def test_reset_clears_everything(raw: TestClient, client: openai.OpenAI) -> None:
    raw.post("/_emulator/clock", json={"reset": True, "freeze": True})  # frozen at real now
    url = client.images.generate(model="dall-e-2", prompt="x", size="256x256").data[0].url
    raw.post("/_emulator/faults", json={"kind": "server_error", "count": 5})
    raw.post("/_emulator/reset")
    assert raw.get("/_emulator/journal").json()["entries"] == []
    assert raw.get("/_emulator/faults").json()["faults"] == []
    assert raw.get("/_emulator/clock").json()["frozen"] is False
    assert raw.get(url).status_code == 404  # type: ignore[arg-type]


# --- faults ----------------------------------------------------------------------------------


def test_scripted_429_is_retried_by_the_sdk_honouring_retry_after(live_server: LiveServer) -> None:
    emulator = live_server.app.state.emulator
    emulator.reset()
    httpx.post(
        f"{live_server.base_url}/_emulator/faults",
        json={"kind": "rate_limit", "endpoint": "generations", "count": 2, "retry_after": 1},
    )
    sdk = openai.OpenAI(base_url=f"{live_server.base_url}/v1", api_key="sk-retry", max_retries=2)
    started = time.monotonic()
    result = sdk.images.generate(model="gpt-image-1", prompt="otter", quality="low")
    elapsed = time.monotonic() - started
    assert decode(result.data[0].b64_json).size == (1024, 1024)
    statuses = [e.status for e in emulator.journal.entries()]
    assert statuses == [429, 429, 200]
    assert elapsed >= 1.9  # two waits of Retry-After: 1
    assert [e.fault for e in emulator.journal.entries()] == ["rate_limit", "rate_limit", None]


def test_scripted_500s_exhaust_the_retries(live_server: LiveServer) -> None:
    emulator = live_server.app.state.emulator
    emulator.reset()
    httpx.post(
        f"{live_server.base_url}/_emulator/faults", json={"kind": "server_error", "count": 3}
    )
    sdk = openai.OpenAI(base_url=f"{live_server.base_url}/v1", api_key="sk-500", max_retries=2)
    with pytest.raises(openai.InternalServerError) as caught:
        sdk.images.generate(model="dall-e-2", prompt="x", size="256x256")
    assert caught.value.body == {
        "message": "The server had an error while processing your request. Sorry about that!",
        "type": "server_error",
        "param": None,
        "code": None,
    }
    assert [e.status for e in emulator.journal.entries()] == [500, 500, 500]


def test_rate_limit_body_and_optional_headers(raw: TestClient) -> None:
    raw.post(
        "/_emulator/faults",
        json={"kind": "rate_limit", "retry_after": 7, "ratelimit_headers": True},
    )
    response = raw.post(GEN, json={"model": "gpt-image-1", "prompt": "x"})
    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"
    assert response.headers["x-ratelimit-remaining-requests"] == "0"
    assert response.json()["error"] == {
        "message": "Rate limit reached for gpt-image-1 in organization org-emulator on images per "
        "min (IPM): Limit 5, Used 5, Requested 1. Please try again in 7s. Visit "
        "https://platform.openai.com/account/rate-limits to learn more.",
        "type": "requests",
        "param": None,
        "code": "rate_limit_exceeded",
    }
    plain = raw.post("/_emulator/faults", json={"kind": "rate_limit", "endpoint": "generations"})
    assert plain.status_code == 201
    response = raw.post(GEN, json={"model": "dall-e-2", "prompt": "x"})
    assert "x-ratelimit-limit-requests" not in response.headers
    assert response.json()["error"]["message"].startswith(
        "Rate limit exceeded for images per minute"
    )


@pytest.mark.parametrize(
    ("kind", "model", "status", "code"),
    [
        ("quota", "dall-e-2", 429, "insufficient_quota"),
        ("overloaded", "dall-e-2", 503, None),
        ("unverified_organization", "gpt-image-1", 403, None),
        ("content_policy", "dall-e-3", 400, "content_policy_violation"),
        ("content_policy", "gpt-image-1", 400, "moderation_blocked"),
    ],
)
def test_error_faults(
    raw: TestClient, kind: str, model: str, status: int, code: str | None
) -> None:
    raw.post("/_emulator/faults", json={"kind": kind})
    response = raw.post(GEN, json={"model": model, "prompt": "x"})
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert raw.post(GEN, json={"model": model, "prompt": "x"}).status_code == 200  # used up


def test_faults_match_by_endpoint_and_prompt_pattern(
    raw: TestClient, client: openai.OpenAI
) -> None:
    raw.post("/_emulator/faults", json={"kind": "server_error", "endpoint": "edits"})
    raw.post("/_emulator/faults", json={"kind": "content_policy", "prompt_pattern": "(?i)volcano"})
    assert client.images.generate(model="gpt-image-1", prompt="a lake", quality="low").data
    with pytest.raises(openai.BadRequestError) as refused:
        client.images.generate(model="gpt-image-1", prompt="A VOLCANO", quality="low")
    assert refused.value.code == "moderation_blocked"
    with pytest.raises(openai.InternalServerError):
        client.images.edit(
            model="gpt-image-1", prompt="x", image=("a.png", solid(8, 8), "image/png")
        )


def test_fault_through_a_header(client: openai.OpenAI) -> None:
    with pytest.raises(openai.RateLimitError) as caught:
        client.images.generate(
            model="gpt-image-1",
            prompt="x",
            extra_headers={"x-emulator-fault": "rate_limit; retry_after=2"},
        )
    assert caught.value.response.headers["retry-after"] == "2"


def test_delay_fault(client: openai.OpenAI, raw: TestClient) -> None:
    raw.post("/_emulator/faults", json={"kind": "delay", "delay_ms": 400})
    started = time.monotonic()
    client.images.generate(model="dall-e-2", prompt="x", size="256x256")
    assert time.monotonic() - started >= 0.4


def test_dropped_connection_is_a_connection_error_for_the_sdk(live_server: LiveServer) -> None:
    live_server.app.state.emulator.reset()
    httpx.post(f"{live_server.base_url}/_emulator/faults", json={"kind": "drop"})
    sdk = openai.OpenAI(base_url=f"{live_server.base_url}/v1", api_key="sk-drop", max_retries=0)
    with pytest.raises(openai.APIConnectionError):
        sdk.images.generate(model="dall-e-2", prompt="x", size="256x256")
    retried = openai.OpenAI(base_url=f"{live_server.base_url}/v1", api_key="sk-drop", max_retries=1)
    httpx.post(f"{live_server.base_url}/_emulator/faults", json={"kind": "drop"})
    assert retried.images.generate(model="dall-e-2", prompt="x", size="256x256").data


def test_refusal_words(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.generate(model="dall-e-3", prompt="a moderation-test please")
    assert caught.value.code == "content_policy_violation"
    custom = openai_client(create_app(latest(refusal_words="forbidden, taboo")), max_retries=0)
    with pytest.raises(openai.BadRequestError) as again:
        custom.images.generate(model="gpt-image-1", prompt="Something TABOO")
    assert again.value.code == "moderation_blocked"
    assert "include the request ID req_" in again.value.message


@pytest.mark.parametrize(("as_of", "details"), [("2026-09-19", False), ("2026-09-20", True)])
def test_a_gpt_image_refusal_has_moderation_details_from_its_day(as_of: str, details: bool) -> None:
    sdk = openai_client(create_app(latest(refusal_words="taboo")), max_retries=0)
    with pytest.raises(openai.BadRequestError) as caught:
        sdk.images.generate(
            model="gpt-image-1", prompt="taboo", extra_headers={"x-emulator-as-of": as_of}
        )
    error = caught.value.body
    assert isinstance(error, dict) and error["code"] == "moderation_blocked"
    assert list(error)[:4] == ["message", "type", "param", "code"]
    if details:
        assert error["moderation_details"] == {
            "moderation_stage": "input",
            "categories": ["sexual"],
        }
    else:
        assert "moderation_details" not in error


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "nope"},
        {"kind": "delay", "count": 0},
        {"kind": "rate_limit", "endpoint": "chat"},
        {"kind": "server_error", "prompt_pattern": "("},
        {"kind": "drop", "x": 1},
        [1],
    ],
)
def test_bad_fault_requests(raw: TestClient, body: object) -> None:
    response = raw.post("/_emulator/faults", json=body)
    assert response.status_code == 400 and response.json()["error"]["message"]


def test_a_backtracking_prompt_pattern_fails_only_its_own_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(faults, "MATCH_SECONDS", 1.0)  # long enough to watch others meanwhile
    with LiveServer(as_of="latest") as server:
        server.emulator.fail_next("server_error", prompt_pattern="(a|aa)+$")
        sdk = server.client(max_retries=0, timeout=10)
        finished: dict[str, float] = {}

        def slow_match() -> None:
            try:
                sdk.images.generate(model="dall-e-2", prompt="a" * 60 + "!", size="256x256")
            except openai.BadRequestError as error:
                finished["error"] = error.code  # type: ignore[assignment]
            finished["slow"] = time.monotonic()

        worker = threading.Thread(target=slow_match, daemon=True)
        worker.start()
        time.sleep(0.2)  # the slow match is under way
        for index in range(5):  # other clients are answered while it runs
            result = sdk.images.generate(model="dall-e-2", prompt=f"b {index}", size="256x256")
            assert result.data
        others_done = time.monotonic()
        worker.join(timeout=10)
        assert finished.get("error") == "fault_pattern_timeout"
        assert others_done < finished["slow"]
        # The fault stays scripted for prompts it can match in time.
        (pending,) = server.emulator.faults.pending()
        assert pending.prompt_pattern == "(a|aa)+$"
        with pytest.raises(openai.InternalServerError):
            sdk.images.generate(model="dall-e-2", prompt="aaaa", size="256x256")


def test_pattern_timeout_answer_names_the_fault(raw: TestClient) -> None:
    raw.post("/_emulator/faults", json={"kind": "rate_limit", "prompt_pattern": "(a|aa)+$"})
    response = raw.post(GEN, json={"model": "dall-e-2", "prompt": "a" * 60 + "!"})
    assert response.status_code == 400
    assert response.json()["error"] == {
        "message": "The emulator's scripted fault 1 has a prompt_pattern ('(a|aa)+$') that "
        "took longer than 100 ms to match this prompt. Script a simpler pattern (one without "
        "nested repetition).",
        "type": "emulator_error",
        "param": None,
        "code": "fault_pattern_timeout",
    }


# --- auth modes --------------------------------------------------------------------------------


def test_only_configured_keys() -> None:
    app = create_app(latest(api_keys="sk-good,sk-other"))
    assert (
        openai_client(app, api_key="sk-good")
        .images.generate(model="dall-e-2", prompt="x", size="256x256")
        .data
    )
    with pytest.raises(openai.AuthenticationError) as caught:
        openai_client(app, api_key="sk-proj-1234567890abcdefWXYZ", max_retries=0).images.generate(
            model="dall-e-2", prompt="x"
        )
    assert caught.value.body == {
        "message": "Incorrect API key provided: sk-proj-****************WXYZ. You can find "
        "your API key at https://platform.openai.com/account/api-keys.",
        "type": "invalid_request_error",
        "param": None,
        "code": "invalid_api_key",
    }
    with pytest.raises(openai.AuthenticationError) as short:
        openai_client(app, api_key="fake_key", max_retries=0).images.generate(
            model="dall-e-2", prompt="x"
        )
    assert "Incorrect API key provided: fake_key." in short.value.message


def test_required_organization_and_project() -> None:
    app = create_app(latest(require_organization=True, require_project=True))
    with pytest.raises(openai.AuthenticationError) as caught:
        openai_client(app, max_retries=0).images.generate(model="dall-e-2", prompt="x")
    assert caught.value.code == "mismatched_organization"
    with pytest.raises(openai.AuthenticationError) as project:
        openai_client(app, organization="org-1", max_retries=0).images.generate(
            model="dall-e-2", prompt="x"
        )
    assert project.value.code == "mismatched_project"
    ok = openai_client(app, organization="org-1", project="proj_1")
    assert ok.images.generate(model="dall-e-2", prompt="x", size="256x256").data
