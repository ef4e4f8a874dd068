"""The drift command: a readable field-by-field report, and record mode."""

from __future__ import annotations

import datetime
import io
import json
import shutil
from pathlib import Path

import pytest

from contract_tests import drift
from contract_tests.exchange import FIXTURES
from emulator.server import EmulatorServer


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    parser_args = drift.argparse.Namespace(
        target="emulator",
        record=False,
        max_paid_calls=5,
        real_base_url=drift.REAL_API,
        fixtures=str(FIXTURES),
    )
    for flag, value in zip(argv[::2], argv[1::2], strict=True):
        setattr(parser_args, flag.lstrip("-").replace("-", "_"), value)
    return drift.run(parser_args, out), out.getvalue()


def test_fixtures_agree_with_the_emulator() -> None:
    status, report = run()
    assert status == 0
    assert report.strip().endswith(f"{len(list(FIXTURES.rglob('*.json')))} agree, 0 differ")


def test_a_drift_is_reported_field_by_field(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "generations" / "unknown-model.json", tmp_path / "a.json")
    fixture = json.loads((tmp_path / "a.json").read_text())
    fixture["response"]["body"]["error"]["param"] = "engine"
    (tmp_path / "a.json").write_text(json.dumps(fixture))
    status, report = run("--fixtures", str(tmp_path))
    assert status == 1
    assert "DIFFERS  a (recorded)" in report
    assert 'emulator: .body.error.param: expected "engine", got "model"' in report


def test_record_mode_writes_what_the_real_api_answered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("unknown-model", "gpt-image-1-low"):
        shutil.copy(FIXTURES / "generations" / f"{name}.json", tmp_path / f"{name}.json")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-stand-in")
    # Plays the real API of the unknown-model fixture's days (its list grew on 2025-07-25).
    with EmulatorServer(as_of="2025-07-20") as stand_in:
        status, report = run(
            "--fixtures",
            str(tmp_path),
            "--target",
            "real",
            "--record",
            True,
            "--real-base-url",
            stand_in.base_url,
            "--max-paid-calls",
            1,
        )
    assert status == 0, report
    assert report.startswith("1 paid call(s) to the real API (of 1; --max-paid-calls 1)")
    recorded = json.loads((tmp_path / "gpt-image-1-low.json").read_text())
    assert recorded["source"]["kind"] == "recorded"
    assert recorded["as_of"] == datetime.date.today().isoformat()  # what the real API is
    assert recorded["response"]["body"]["data"][0]["b64_json"]["image"]["size"] == [1024, 1024]


def test_real_target_without_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    status, report = run("--target", "real")
    assert status == 2 and "needs OPENAI_API_KEY" in report
