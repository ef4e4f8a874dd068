"""Starting the emulator the ways the README says, and its options' environment twins."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from emulator.cli import config_from
from emulator.config import Config

from .conftest import free_socket


def test_every_option_has_an_env_twin_and_a_flag() -> None:
    env = {
        "IMAGES_EMULATOR_PORT": "9001",
        "IMAGES_EMULATOR_PUBLIC_URL": "http://e:1",
        "IMAGES_EMULATOR_URL_TTL_SECONDS": "60",
    }
    config = Config.from_env(env)
    assert (config.port, config.public_url, config.url_ttl_seconds) == (9001, "http://e:1", 60)


def test_flag_wins_over_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMAGES_EMULATOR_PORT", "9001")
    monkeypatch.setenv("IMAGES_EMULATOR_HOST", "0.0.0.0")
    config = config_from(["--port", "9002"])
    assert (config.host, config.port) == ("0.0.0.0", 9002)


def test_bad_env_value_is_a_clear_exit() -> None:
    with pytest.raises(SystemExit, match="IMAGES_EMULATOR_PORT must be a number"):
        Config.from_env({"IMAGES_EMULATOR_PORT": "eighty"})


def _start_and_call(command: list[str], env: dict[str, str], port: int) -> None:
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                response = httpx.post(
                    f"http://127.0.0.1:{port}/v1/images/generations",
                    json={"model": "gpt-image-2", "prompt": "otter", "quality": "low"},
                    headers={"Authorization": "Bearer sk-cli"},
                )
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    output = process.stdout.read().decode() if process.stdout else ""
                    raise AssertionError(f"server did not start: {output}") from None
                time.sleep(0.1)
        assert response.status_code == 200
        assert response.json()["size"] == "1024x1024"
        page = httpx.get(f"http://127.0.0.1:{port}/_emulator/")
        assert page.status_code == 200 and "inspector" in page.text
    finally:
        process.terminate()
        process.wait(timeout=10)
    output = process.stdout.read().decode() if process.stdout else ""
    assert f"OpenAI(base_url='http://127.0.0.1:{port}/v1'" in output
    assert f"inspector: http://127.0.0.1:{port}/_emulator/" in output
    assert "answering as of today (" in output  # the date it answers as, unless pinned


def _port() -> int:
    sock = free_socket()
    port = sock.getsockname()[1]
    sock.close()
    return port


def test_python_dash_m_with_flags() -> None:
    port = _port()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
    _start_and_call(
        [
            sys.executable,
            "-m",
            "emulator",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env,
        port,
    )


def test_console_script_with_env() -> None:
    script = shutil.which("openai-images-emulator", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.skip("the package is not installed in this environment (pip install -e .)")
    port = _port()
    env = {**os.environ, "IMAGES_EMULATOR_PORT": str(port), "IMAGES_EMULATOR_LOG_LEVEL": "warning"}
    _start_and_call([script], env, port)


def test_boolean_and_float_options_have_both_twins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMAGES_EMULATOR_LENIENT", "true")
    monkeypatch.setenv("IMAGES_EMULATOR_LATENCY_FACTOR", "0.5")
    config = config_from(["--require-project", "--api-keys", "sk-a,sk-b"])
    assert (config.lenient, config.latency_factor, config.require_project) == (True, 0.5, True)
    assert config.accepted_keys == frozenset({"sk-a", "sk-b"})
    assert config_from([]).require_organization is False
    with pytest.raises(SystemExit, match="must be true or false"):
        Config.from_env({"IMAGES_EMULATOR_LENIENT": "perhaps"})


def test_a_taken_port_is_one_clear_line_and_no_banner() -> None:
    sock = free_socket()
    sock.listen(1)
    port = sock.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
    try:
        ran = subprocess.run(
            [sys.executable, "-m", "emulator", "--port", str(port)],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )
    finally:
        sock.close()
    assert ran.returncode == 1
    assert ran.stdout == ""  # no banner for a server that never started
    assert ran.stderr.strip().splitlines() == [
        f"openai-images-emulator: cannot listen on 127.0.0.1:{port}: Address already in use "
        "(another server there? choose one with --port or IMAGES_EMULATOR_PORT)"
    ]


def test_the_start_up_lines_say_what_the_emulator_does(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
    base = [sys.executable, "-m", "emulator", "--port", "0", "--log-level", "warning"]
    cases = [
        (["--record", str(tmp_path / "r"), "--upstream", "https://api.openai.com/v1/"],
         f"recording to {tmp_path / 'r'} from https://api.openai.com\n"),
        (["--replay", str(tmp_path), "--replay-strict"],
         f"replaying {tmp_path} (strict: a request no recording matches is refused)\n"),
        (["--model", "gpt-6.3-sol=gpt-6.2-sol"],
         "serving gpt-6.3-sol as a copy of gpt-6.2-sol (--model)\n"),
    ]  # fmt: skip
    for flags, line in cases:
        process = subprocess.Popen([*base, *flags], env=env, stdout=subprocess.PIPE, text=True)
        try:
            assert process.stdout is not None
            lines = [process.stdout.readline() for _ in range(4)]
        finally:
            process.terminate()
            process.wait(timeout=10)
        assert lines[2].startswith("answering as of today (")
        assert lines[3] == line, lines


def test_a_model_that_cannot_be_added_stops_the_start() -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
    ran = subprocess.run([sys.executable, "-m", "emulator", "--model", "gpt-6.3-sol=gpt-9"],
                         env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert ran.returncode == 1
    assert "'gpt-9' is not a model the catalog knows" in ran.stderr
