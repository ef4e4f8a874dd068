"""Every exchange in fixtures/ answers as recorded (or, for inferred ones, as decided)."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from .fixture_requests import http_request, load_all

FIXTURES = load_all()
SOURCE_KINDS = {"recorded", "quoted", "documented", "third-party", "inferred"}


def test_there_are_fixtures_and_each_names_its_source() -> None:
    assert len(FIXTURES) >= 40
    for name, fixture in FIXTURES:
        assert fixture["source"]["kind"] in SOURCE_KINDS, name
        assert fixture["source"]["reference"], name


@pytest.mark.parametrize("fixture", [f for _, f in FIXTURES], ids=[n for n, _ in FIXTURES])
def test_emulator_matches_fixture(app: Any, fixture: dict[str, Any]) -> None:
    with TestClient(app) as http:
        response = http.request(**http_request(fixture["request"], "sk-fixture"))
    expected = fixture["response"]
    assert response.status_code == expected["status"], response.text
    if expected["body"] is not None:
        assert response.json() == expected["body"]
        assert list(response.json()["error"]) == list(expected["body"]["error"])  # key order
