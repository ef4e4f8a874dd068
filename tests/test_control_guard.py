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


# --- bounded control: the clock, namespaces, keys' namespaces --------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"advance": 1e308},
        {"advance": -1e12},
        {"freeze": True, "at": 1e300},
        {"freeze": True, "at": -5},
    ],
)
def test_the_clock_refuses_what_it_cannot_represent(body: dict[str, Any]) -> None:
    http = TestClient(create_app(Config()), headers={"Authorization": "Bearer sk-t"})
    before = http.get("/_emulator/clock").json()
    for _ in range(2):
        refused = http.post("/_emulator/clock", json=body)
        assert refused.status_code == 400 and "1970 to 9999" in refused.text
    after = http.get("/_emulator/clock").json()
    assert after["frozen"] == before["frozen"] and abs(after["now"] - before["now"]) < 60
    made = http.post("/v1/images/generations", json={"model": "gpt-image-2", "prompt": "x",
                                                     "quality": "low"})  # fmt: skip
    assert made.status_code == 200
    assert http.get("/_emulator/journal").status_code == 200


def test_reading_an_unknown_namespace_creates_nothing_and_reset_frees_them() -> None:
    app = create_app(Config())
    http = TestClient(app, headers={"Authorization": "Bearer sk-t"})
    root = app.state.emulator
    for index in range(300):
        assert http.get(f"/_emulator/journal?namespace=z{index}").json() == {"entries": []}
        assert (
            http.get("/v1/files", headers={"x-emulator-namespace": f"y{index}"}).status_code == 200
        )
    assert root.namespaces() == [""]
    for index in range(256):  # writes make namespaces, up to the bound
        http.post(
            "/_emulator/faults", json={"kind": "server_error"}, params={"namespace": f"w{index}"}
        )
    full = http.post("/_emulator/reset", params={"namespace": "one-more"})
    assert full.status_code == 400 and full.json()["error"]["code"] == "too_many_namespaces"
    assert http.post("/_emulator/reset").status_code == 200  # the default one: frees them all
    assert root.namespaces() == [""]
    assert http.post("/_emulator/reset", params={"namespace": "one-more"}).status_code == 200


def test_idle_namespaces_make_room(monkeypatch: pytest.MonkeyPatch) -> None:
    from emulator.testdouble import state

    app = create_app(Config())
    root = app.state.emulator
    for index in range(state.MAX_NAMESPACES):
        root.namespace(f"n{index}")
    clock = [state.time.monotonic()]
    monkeypatch.setattr(state.time, "monotonic", lambda: clock[0])
    root.namespace("n0")  # used just now: stays
    clock[0] += state.NAMESPACE_IDLE_SECONDS + 1
    root.namespace("n1")
    fresh = root.namespace("a-new-one")
    assert fresh.name == "a-new-one" and "n1" in root.namespaces()
    assert "n0" not in root.namespaces() and "n2" not in root.namespaces()


def test_a_key_reaches_only_its_own_namespace() -> None:
    app = create_app(Config(namespace_by_key=True))
    alice = TestClient(app, headers={"Authorization": "Bearer sk-alice"})
    mallory = TestClient(app, headers={"Authorization": "Bearer sk-mallory"})
    uploaded = alice.post(
        "/v1/files", files={"file": ("a.jsonl", b"{}\n")}, data={"purpose": "batch"}
    )
    assert uploaded.status_code == 200
    alice_ns = app.state.emulator.namespaces()[1]
    assert alice_ns.startswith("key-")
    for where in (
        {"headers": {"x-emulator-namespace": alice_ns}},
        {"params": {"namespace": alice_ns}},
    ):
        refused = mallory.get("/v1/files", **where)  # type: ignore[arg-type]
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "namespace_of_another_key"
    assert mallory.get("/v1/files").json()["data"] == []
    assert [f["filename"] for f in alice.get("/v1/files").json()["data"]] == ["a.jsonl"]


# --- connections that stall inside their headers ---------------------------------------------


def test_a_connection_stalled_in_its_headers_is_closed() -> None:
    import socket
    import time

    import httpx

    with EmulatorServer(Config(header_timeout_seconds=0.5)) as server:
        stalled = socket.create_connection(("127.0.0.1", server.port))
        stalled.sendall(b"POST /v1/images/generations HTTP/1.1\r\nHost: x\r\n")  # and no more
        stalled.settimeout(5)
        started = time.monotonic()
        assert stalled.recv(100) == b""  # closed by the server
        assert 0.3 < time.monotonic() - started < 3
        stalled.close()
        # A second request on a kept-alive connection that stalls is closed too.
        with socket.create_connection(("127.0.0.1", server.port)) as kept:
            kept.sendall(b"GET /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n")
            kept.settimeout(5)
            assert kept.recv(1000).startswith(b"HTTP/1.1 200")
            kept.sendall(b"GET /_emulator/health HTTP/1.1\r\nHo")
            assert kept.recv(100) == b""
        # Whole headers in time are answered as ever.
        assert httpx.get(f"{server.base_url}/_emulator/health").status_code == 200


def test_the_settings_route_takes_the_control_plane_s_body_rules() -> None:
    http = TestClient(create_app(Config()))
    deep = "[" * 5000 + "]" * 5000
    nested = http.post(
        "/_emulator/settings", content=deep, headers={"Content-Type": "application/json"}
    )
    assert nested.status_code == 400
    huge = http.post("/_emulator/settings", content=b"{" + b" " * (5 * 1024 * 1024) + b"}",
                     headers={"Content-Type": "application/json"})  # fmt: skip
    assert huge.status_code == 400
    assert http.post("/_emulator/settings", json={"lenient": True}).json() == {"lenient": True}


# --- bounded stores ---------------------------------------------------------------------------


def test_the_responses_store_counts_the_inputs_it_holds() -> None:
    from emulator.testdouble.stores import ResponseStore, StoredResponse

    store = ResponseStore(8 * 1024 * 1024)
    big = "data:image/png;base64," + "A" * (3 * 1024 * 1024)
    for number in range(60):
        items = [{"id": f"msg_{number}", "type": "message", "content": [{"image_url": big}]}]
        store.put(StoredResponse(f"resp_{number}", {"output": []}, items, {}, b"{}"))
    assert store.size_bytes <= 8 * 1024 * 1024 and len(store) == 2
    assert store.item("msg_59") is not None and store.item("msg_0") is None  # pushed out
    store.delete("resp_59")
    assert store.item("msg_59") is None and store.size_bytes < 4 * 1024 * 1024


def test_many_item_references_resolve_by_index() -> None:
    app = create_app(Config())
    http = TestClient(app, headers={"Authorization": "Bearer sk-t"})
    ids = []
    for number in range(20):
        body = {"model": "gpt-5.4", "input": f"hello {number}"}
        ids.append(http.post("/v1/responses", json=body).json()["output"][0]["id"])
    references = [{"type": "item_reference", "id": ids[n % 20]} for n in range(2000)]
    answer = http.post("/v1/responses", json={"model": "gpt-5.4", "input": references})
    assert answer.status_code == 200
    stored = app.state.emulator.responses
    assert all(stored.item(item_id)["id"] == item_id for item_id in ids)  # type: ignore[index]
