"""Namespaces: one emulator shared by many suites, each with its own journal, faults, clock,
lenient mode, URL images, files and stored responses (``x-emulator-namespace``)."""

from __future__ import annotations

from typing import Any

import httpx
import openai
import pytest
from starlette.testclient import TestClient

from emulator import Config, create_app
from emulator.inprocess import openai_client
from emulator.server import EmulatorServer

BODY = {"model": "gpt-image-2", "prompt": "x", "quality": "low"}
GEN = "/v1/images/generations"


def ns(name: str) -> dict[str, str]:
    return {"x-emulator-namespace": name, "Authorization": "Bearer sk-ns"}


@pytest.fixture
def http() -> Any:
    with TestClient(create_app(Config())) as client:
        yield client


def test_two_namespaces_do_not_see_each_other(http: TestClient) -> None:
    http.post("/_emulator/faults", json={"kind": "rate_limit"}, headers=ns("a"))
    assert http.post(GEN, json=BODY, headers=ns("b")).status_code == 200  # b's queue is empty
    assert http.post(GEN, json=BODY, headers=ns("a")).status_code == 429  # a's fault
    assert http.post(GEN, json=BODY, headers=ns("a")).status_code == 200
    journal_a = http.get("/_emulator/journal", headers=ns("a")).json()["entries"]
    journal_b = http.get("/_emulator/journal", params={"namespace": "b"}).json()["entries"]
    default = http.get("/_emulator/journal").json()["entries"]
    assert [e["status"] for e in journal_a] == [429, 200]
    assert [e["status"] for e in journal_b] == [200]
    assert default == []


def test_clock_lenient_and_reset_are_per_namespace(http: TestClient) -> None:
    http.post("/_emulator/clock", json={"freeze": True, "at": 1_800_000_000}, headers=ns("a"))
    frozen = http.post(GEN, json=BODY, headers=ns("a")).json()["created"]
    assert frozen == 1_800_000_000
    assert http.post(GEN, json=BODY, headers=ns("b")).json()["created"] != 1_800_000_000
    http.post("/_emulator/settings", json={"lenient": True}, headers=ns("a"))
    odd = {**BODY, "model": "not-a-model"}
    assert http.post(GEN, json=odd, headers=ns("a")).status_code == 200  # lenient in a
    assert http.post(GEN, json=odd, headers=ns("b")).status_code == 400  # strict in b
    http.post("/_emulator/reset", headers=ns("a"))
    assert http.get("/_emulator/journal", headers=ns("a")).json()["entries"] == []
    assert len(http.get("/_emulator/journal", headers=ns("b")).json()["entries"]) == 2


def test_url_images_files_and_responses_stay_in_their_namespace(http: TestClient) -> None:
    url = http.post(
        GEN,
        json={"model": "dall-e-2", "prompt": "x", "size": "256x256"},
        headers={**ns("a"), "x-emulator-as-of": "latest"},
    ).json()["data"][0]["url"]
    assert "namespace=a" in url and http.get(url).status_code == 200
    assert http.get(url.replace("&namespace=a", "")).status_code == 404  # not in the default
    uploaded = http.post(
        "/v1/files",
        headers=ns("a"),
        files={"file": ("a.png", b"\x89PNG....", "image/png")},
        data={"purpose": "vision"},
    ).json()
    assert http.get(f"/v1/files/{uploaded['id']}", headers=ns("a")).status_code == 200
    assert http.get(f"/v1/files/{uploaded['id']}", headers=ns("b")).status_code == 404
    response = http.post(
        "/v1/responses", json={"model": "gpt-5.4", "input": "hello"}, headers=ns("a")
    ).json()
    assert http.get(f"/v1/responses/{response['id']}", headers=ns("a")).status_code == 200
    assert http.get(f"/v1/responses/{response['id']}", headers=ns("b")).status_code == 404


def test_a_malformed_namespace_is_the_emulator_s_400(http: TestClient) -> None:
    for path in (GEN, "/_emulator/journal"):
        answer = http.post(path, json=BODY, headers=ns("no spaces please"))
        if path != GEN:
            answer = http.get(path, headers=ns("no spaces please"))
        assert answer.status_code == 400
        assert answer.json()["error"]["code"] == "invalid_namespace"


def test_the_api_key_can_choose_the_namespace() -> None:
    app = create_app(Config(namespace_by_key=True))
    first = openai_client(app, api_key="sk-team-one", max_retries=0)
    second = openai_client(app, api_key="sk-team-two", max_retries=0)
    first.images.generate(**BODY)  # type: ignore[arg-type]
    root = app.state.emulator
    assert root.requests() == []
    names = root.namespaces()
    assert len(names) == 2 and names[1].startswith("key-") and "sk-team" not in names[1]
    second.images.generate(**BODY)  # type: ignore[arg-type]
    assert [len(root.namespace(n).requests()) for n in root.namespaces()[1:]] == [1, 1]


def test_the_python_face_of_a_namespace() -> None:
    with EmulatorServer() as server:
        worker = server.emulator.namespace("gw1")
        worker.fail_next("server_error")
        client = server.client(max_retries=0, default_headers={"x-emulator-namespace": "gw1"})
        with pytest.raises(openai.InternalServerError):
            client.images.generate(**BODY)  # type: ignore[arg-type]
        assert [e.status for e in worker.requests()] == [500]
        assert server.emulator.requests() == []
        plain = httpx.post(
            f"{server.base_url}{GEN}", json=BODY, headers={"Authorization": "Bearer x"}
        )
        assert plain.status_code == 200 and len(server.emulator.requests()) == 1


def plugin() -> list[str]:
    """Installed, the plugin loads by itself; from a bare checkout it is named."""
    from .test_pytest_plugin import installed

    return [] if installed() else ["-p", "emulator.pytest_plugin"]


PLUGIN_TESTS = """
import openai, pytest


def test_a_worker_has_its_own_namespace(images_emulator, images_client):
    assert images_emulator.namespace == "gw7"
    images_emulator.emulator.fail_next("rate_limit")
    with pytest.raises(openai.RateLimitError):
        images_client.images.generate(model="gpt-image-2", prompt="x")
    assert images_emulator.server.emulator.requests() == []  # the default saw nothing


@pytest.mark.images_emulator(namespace=True)
def test_a_test_of_its_own(images_emulator, images_client):
    assert images_emulator.namespace.startswith("gw7.test-")
    images_client.images.generate(model="gpt-image-2", prompt="x", quality="low")
    assert len(images_emulator.emulator.requests()) == 1
"""


def test_the_plugin_gives_workers_and_tests_their_namespaces(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pathlib import Path

    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parents[1]))
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw7")
    pytester.makepyfile(test_workers=PLUGIN_TESTS)
    result = pytester.runpytest_subprocess(*plugin(), "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_the_plugin_shares_a_running_emulator(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pathlib import Path

    with EmulatorServer() as shared:
        monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parents[1]))
        monkeypatch.setenv("IMAGES_EMULATOR_URL", shared.base_url)
        monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw3")
        pytester.makepyfile(
            test_shared="""
def test_through_the_shared_server(images_client):
    images_client.images.generate(model="gpt-image-2", prompt="x", quality="low")
"""
        )
        result = pytester.runpytest_subprocess(*plugin(), "-p", "no:cacheprovider")
        result.assert_outcomes(passed=1)
        assert len(shared.emulator.namespace("gw3").requests()) == 1
        assert shared.emulator.requests() == []
