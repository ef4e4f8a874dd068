"""The README and the docs pages: short enough to read, every link resolves, and their Python
and shell snippets run as written against a live emulator (where a snippet needs no files of
the reader's own)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from emulator.server import EmulatorServer

ROOT = Path(__file__).parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"```(python|bash)\n(.*?)```", re.S)
LINK = re.compile(r"\]\(([^)#]+)(#[^)]*)?\)")
# Snippets that need what a reader brings (their own files, key, suite or a running Docker).
NOT_PRACTICAL = ("open(\"photo", "open(\"body-lotion", "open(\"mask", "sk-...", "my_suite",
                 "def test_", "docker ", "file-...", "base64,...", "--record", "...\n")  # fmt: skip


def snippets(language: str) -> list[tuple[str, str]]:
    found = []
    for page in PAGES:
        for number, (kind, code) in enumerate(BLOCK.findall(page.read_text())):
            if kind == language and not any(marker in code for marker in NOT_PRACTICAL):
                found.append((f"{page.relative_to(ROOT)}#{number}", code))
    return found


def test_the_readme_is_short() -> None:
    assert len((ROOT / "README.md").read_text().splitlines()) <= 200


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_link_resolves(page: Path) -> None:
    for target, _ in LINK.findall(page.read_text()):
        if target.startswith(("http://", "https://")):
            continue
        assert (page.parent / target).exists(), f"{page.name}: {target}"


@pytest.fixture(scope="module")
def server() -> EmulatorServer:
    with EmulatorServer() as running:
        yield running  # type: ignore[misc]


def localised(code: str, server: EmulatorServer) -> str:
    return code.replace("http://127.0.0.1:8000", server.base_url).replace(
        "localhost:8000", server.base_url.removeprefix("http://")
    )


PYTHON, SHELL = snippets("python"), snippets("bash")


@pytest.mark.parametrize(("where", "code"), PYTHON, ids=[where for where, _ in PYTHON])
def test_python_snippets_run(where: str, code: str, server: EmulatorServer, tmp_path: Path) -> None:
    script = tmp_path / "snippet.py"
    base = f"{server.base_url}/v1"
    setup = f"client = __import__('openai').OpenAI(base_url={base!r}, api_key='sk-docs')\n"
    body = localised(code, server)
    standalone = "OpenAI(" in body or "from emulator" in body
    script.write_text(body if standalone else setup + body)  # else: the page's `client`
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    ran = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True,
                         text=True, timeout=120)  # fmt: skip
    assert ran.returncode == 0, f"{where}\n{body}\n{ran.stderr[-2000:]}"


@pytest.mark.skipif(shutil.which("jq") is None, reason="the shell snippets pipe through jq")
@pytest.mark.parametrize(("where", "code"), SHELL, ids=[where for where, _ in SHELL])
def test_shell_snippets_run(where: str, code: str, server: EmulatorServer, tmp_path: Path) -> None:
    env = {**os.environ, "OPENAI_API_KEY": "sk-docs"}
    ran = subprocess.run(["bash", "-euo", "pipefail", "-c", localised(code, server)], cwd=tmp_path,
                         env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert ran.returncode == 0, f"{where}\n{code}\n{ran.stderr[-2000:]}"


def readme_curl_recipe() -> str:
    (recipe,) = [code for _, code in SHELL if code.startswith("answer=$(curl")]
    return recipe


@pytest.mark.skipif(shutil.which("jq") is None, reason="the recipe pipes through jq")
@pytest.mark.parametrize("shell", [["bash", "-c"], ["sh", "-c"]], ids=["bash", "sh"])
def test_the_curl_recipe_fails_on_an_error_and_leaves_no_file(
    shell: list[str], server: EmulatorServer, tmp_path: Path
) -> None:
    # As a reader pastes it: no pipefail, no errexit.
    recipe = localised(readme_curl_recipe(), server)
    env = {**os.environ, "OPENAI_API_KEY": "sk-docs"}
    unknown = recipe.replace('"model": "gpt-image-2"', '"model": "gpt-image-9"')
    ran = subprocess.run([*shell, unknown], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=60)  # fmt: skip
    assert ran.returncode != 0
    assert "The model 'gpt-image-9' does not exist." in ran.stderr
    assert not (tmp_path / "otter.png").exists()
    ran = subprocess.run([*shell, recipe], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=60)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    from PIL import Image

    with Image.open(tmp_path / "otter.png") as otter:
        assert (otter.format, otter.size) == ("PNG", (1024, 1024))


def test_the_plugin_installs_from_a_clone() -> None:
    # The README's line installs this checkout with the extra the plugin needs.
    readme = (ROOT / "README.md").read_text()
    (line,) = re.findall(r"`(pip install [^`]*\[pytest\][^`]*)`", readme)
    assert line == "pip install -e '.[pytest]'"
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'^pytest = \["pytest>=8", "openai>=1\.99"\]$', pyproject, re.M)
    # The versions the README names are the ones tests/test_sdk_versions.py drives.
    from tests.test_sdk_versions import OLD_SDK

    assert OLD_SDK.removeprefix("openai==") in readme
