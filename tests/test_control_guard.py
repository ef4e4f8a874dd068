"""The control plane is closed when keys are required, shows no key, takes JSON writes only and
refuses writes from other origins' pages (``testdouble/control_guard.py``); the inspector still
works, with the key."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from emulator import Config, create_app
from emulator.server import EmulatorServer

KEY = "sk-guarded-key-123456"
ROUTES = [
    ("GET", "/_emulator/config"),
    ("GET", "/_emulator/journal"),
    ("DELETE", "/_emulator/journal"),
    ("POST", "/_emulator/reset"),
    ("GET", "/_emulator/clock"),
    ("GET", "/_emulator/faults"),
    ("GET", "/_emulator/eras"),
    ("GET", "/_emulator/tool-calls"),
    ("GET", "/_emulator/models"),
    ("GET", "/_emulator/as-of"),
    ("GET", "/_emulator/version"),
    ("GET", "/_emulator/openapi.json"),
    ("GET", "/_emulator/prices"),
    ("GET", "/_emulator/journal/stream"),
    ("GET", "/_emulator/journal-images/" + "0" * 64),
    ("POST", "/_emulator/settings"),
]


@pytest.fixture
def guarded() -> TestClient:
    return TestClient(create_app(Config(api_keys=f"{KEY},sk-other")))


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_no_control_route_answers_without_a_key(
    guarded: TestClient, method: str, path: str
) -> None:
    anonymous = guarded.request(method, path)
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["message"].startswith("You didn't provide an API key.")
    wrong = guarded.request(method, path, headers={"Authorization": "Bearer sk-wrong-key-0000"})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "invalid_api_key"


def test_with_the_key_they_answer_and_never_show_a_key(guarded: TestClient) -> None:
    auth = {"Authorization": f"Bearer {KEY}"}
    config = guarded.get("/_emulator/config", headers=auth)
    assert config.status_code == 200
    assert config.json()["api_keys"] == "<2 key(s), not shown>"
    assert KEY not in config.text and "sk-other" not in config.text
    assert guarded.post("/_emulator/reset", headers=auth).json() == {"reset": True}
    # What a user of the API needs stays open: health, the page, image URLs.
    assert guarded.get("/_emulator/health").status_code == 200
    assert guarded.get("/_emulator/").status_code == 200
    image = guarded.get("/_emulator/images/img-unknown.png")
    assert image.status_code != 401


def test_the_inspector_s_session_cookie_opens_the_stream_and_images(guarded: TestClient) -> None:
    refused = guarded.post("/_emulator/session", headers={"Authorization": "Bearer sk-nope-0000"})
    assert refused.status_code == 401
    opened = guarded.post("/_emulator/session", headers={"Authorization": f"Bearer {KEY}"})
    assert opened.status_code == 200
    cookie = opened.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/_emulator" in cookie
    assert guarded.get("/_emulator/journal").status_code == 200  # the cookie, no header
    guarded.cookies.clear()
    assert guarded.get("/_emulator/journal").status_code == 401


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", '{"kind": "server_error"}'),
        ("application/x-www-form-urlencoded", "kind=server_error"),
        ("multipart/form-data; boundary=x", "--x--"),
    ],
)
def test_control_writes_take_json_only(content_type: str, body: str) -> None:
    # The bodies a page may send cross-site without a preflight.
    http = TestClient(create_app(Config()))
    refused = http.post("/_emulator/faults", content=body, headers={"Content-Type": content_type})
    assert refused.status_code == 415
    assert refused.json()["error"]["code"] == "unsupported_media_type"
    assert http.get("/_emulator/faults").json() == {"faults": []}
    assert http.post("/_emulator/faults", json={"kind": "server_error"}).status_code == 201
    assert http.post("/_emulator/reset").status_code == 200  # no body: curl -X POST


def test_writes_from_another_origin_s_page_are_refused() -> None:
    http = TestClient(create_app(Config()))
    for path in ("/_emulator/reset", "/_emulator/clock", "/_emulator/faults"):
        refused = http.post(path, json={}, headers={"Origin": "http://evil.example"})
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "cross_origin_refused"
    own = http.post("/_emulator/reset", headers={"Origin": "http://testserver"})
    assert own.status_code == 200  # the inspector's own page


# --- the inspector in a browser, with a key ------------------------------------------------


@pytest.fixture(scope="module")
def keyed_server() -> Iterator[EmulatorServer]:
    with EmulatorServer(Config(api_keys=KEY)) as running:
        yield running


def test_the_inspector_works_with_the_key(keyed_server: EmulatorServer) -> None:
    from .browser import chromium

    with chromium() as browser:
        page: Any = browser.new_page()
        asked: list[str] = []

        def answer(dialog: Any) -> None:
            asked.append(dialog.message)
            dialog.accept(KEY)

        page.on("dialog", answer)
        page.goto(f"{keyed_server.base_url}/_emulator/")
        page.wait_for_function("document.getElementById('live').textContent === 'live'")
        client = keyed_server.client(api_key=KEY, max_retries=0)
        client.images.generate(model="gpt-image-2", prompt="a kite", quality="low")
        page.wait_for_function("document.querySelectorAll('#rows tr').length === 1")
        page.wait_for_function(
            "[...document.querySelectorAll('#rows img.thumb')].every(i => i.naturalWidth > 0)"
        )
        assert len(asked) == 1 and "API key" in asked[0]
        page.close()
