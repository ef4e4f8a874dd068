"""The drift command: a readable field-by-field report, and record mode."""

from __future__ import annotations

import datetime
import io
import json
import shutil
from pathlib import Path

import pytest

from contract_tests import fixtures_drift as drift
from contract_tests.exchange import FIXTURES, load_fixtures
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
    assert report.strip().endswith(f"{len(load_fixtures())} agree, 0 differ")


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


def test_the_drift_command_prints_no_warning_without_httpx2(tmp_path: Path) -> None:
    # A user who installed the emulator alone has httpx but not httpx2 (the openai SDK's):
    # Starlette's TestClient would warn then. Every warning is an error here.
    import subprocess
    import sys

    from emulator.server import EmulatorServer as Server

    folder = tmp_path / "recorded"
    with Server() as upstream:
        from emulator import Config

        with Server(Config(record=str(folder), upstream=upstream.base_url)) as proxy:
            import httpx

            body = {"model": "gpt-image-2", "prompt": "x", "quality": "low"}
            key = {"Authorization": "Bearer sk-d"}
            httpx.post(f"{proxy.base_url}/v1/images/generations", headers=key, json=body)
    script = (
        "import sys, warnings\n"
        "sys.modules['httpx2'] = None\n"
        "warnings.simplefilter('error')\n"
        "from emulator.cli import main\n"
        f"main(['drift', {str(folder)!r}])\n"
    )
    ran = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120, cwd=Path(__file__).parents[1])  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert ran.stderr == ""
    assert ran.stdout.strip().endswith(
        "1 of 1 recordings agree on contract and shape (1 in every value); 0 contract difference(s)"
    )
