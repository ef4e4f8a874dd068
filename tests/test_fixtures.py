"""Every exchange in fixtures/ is answered as it says, by the app in-process (the contract
suite in contract_tests/ does the same over a socket, and against the real API)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from starlette.testclient import TestClient

from contract_tests.exchange import compare, http_request, load_fixtures
from emulator import create_app

from .latest import latest

FIXTURES = load_fixtures()
SOURCE_KINDS = {"recorded", "quoted", "documented", "third-party", "inferred"}


def test_there_are_fixtures_and_each_names_its_source() -> None:
    assert len(FIXTURES) >= 40
    for name, fixture in FIXTURES:
        assert fixture["source"]["kind"] in SOURCE_KINDS, name
        assert fixture["source"]["reference"], name
        assert date.fromisoformat(fixture["as_of"]), name


@pytest.mark.parametrize("fixture", [f for _, f in FIXTURES], ids=[n for n, _ in FIXTURES])
def test_emulator_matches_fixture(fixture: dict[str, Any]) -> None:
    app = create_app(latest(api_keys="sk-fixture"))  # another key gets the real 401
    with TestClient(app) as http:
        response = http.request(**http_request(fixture["request"], "sk-fixture", fixture["as_of"]))
    assert compare(fixture, response) == []
