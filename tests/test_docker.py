"""The Dockerfile is right by construction: a pinned base, the installed console script as
its command, and a HEALTHCHECK whose command passes against a running emulator (no Docker
engine runs here, so its steps are checked one by one)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from emulator.server import EmulatorServer

DOCKERFILE = (Path(__file__).parents[1] / "Dockerfile").read_text()


def test_the_base_image_is_pinned_to_a_patch_release() -> None:
    (base,) = re.findall(r"^FROM (\S+)", DOCKERFILE, re.M)
    assert re.fullmatch(r"python:3\.11\.\d+-slim-\w+", base), base


def test_the_healthcheck_command_passes_against_a_live_emulator() -> None:
    found = re.search(r"HEALTHCHECK.*?CMD (\[.*?\])\n", DOCKERFILE, re.S)
    assert found is not None
    command = json.loads(found[1])
    assert command[:2] == ["python", "-c"]
    with EmulatorServer() as server:
        script = command[2].replace("127.0.0.1:8000", f"127.0.0.1:{server.port}")
        ran = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=30)
    assert ran.returncode == 0, ran.stderr
    down = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=30)
    assert down.returncode != 0  # the server has stopped: unhealthy


def test_the_command_is_the_console_script() -> None:
    assert DOCKERFILE.rstrip().endswith('CMD ["openai-images-emulator"]')
    assert "IMAGES_EMULATOR_HOST=0.0.0.0" in DOCKERFILE
