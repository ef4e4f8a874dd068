"""The contract as behaviour: every fixture's request, sent to the target, must be answered
as the fixture says (status, body or events, images by their decoded properties)."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Target
from .exchange import compare, http_request, load_fixtures, runs_on

FIXTURES = load_fixtures()


@pytest.mark.parametrize("fixture", [f for _, f in FIXTURES], ids=[n for n, _ in FIXTURES])
def test_exchange(target: Target, fixture: dict[str, Any]) -> None:
    if not runs_on(fixture, target.name):
        pytest.skip(f"only for {', '.join(fixture['targets'])}")
    target.before_each()
    as_of = fixture["as_of"] if target.name == "emulator" else None  # the real API: today
    response = target.http.request(**http_request(fixture["request"], target.api_key, as_of))
    found = compare(fixture, response)
    assert found == [], f"{fixture['name']} ({fixture['source']['kind']}):\n  " + "\n  ".join(found)
