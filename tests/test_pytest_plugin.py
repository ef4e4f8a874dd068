"""The pytest plugin, used from a test file the way a user would write one."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import pytest

USER_TESTS = """
import base64, io
import openai
import pytest
from PIL import Image


def test_generate(images_client):
    result = images_client.images.generate(model="gpt-image-2", prompt="an otter", quality="low")
    image = Image.open(io.BytesIO(base64.b64decode(result.data[0].b64_json)))
    assert image.size == (1024, 1024)


def test_fault_and_journal_in_a_line_each(images_emulator, images_client):
    images_emulator.emulator.fail_next("rate_limit", retry_after=3)
    with pytest.raises(openai.RateLimitError):
        images_client.images.generate(model="gpt-image-2", prompt="x")
    assert [e.status for e in images_emulator.emulator.requests()] == [429]


def test_each_test_starts_clean(images_emulator):
    assert images_emulator.emulator.requests() == []
    images_emulator.emulator.clock.freeze(1_000_000)


@pytest.mark.images_emulator(reset=False)
def test_unless_asked_to_keep(images_emulator):
    assert images_emulator.emulator.clock.now() == 1_000_000


def test_in_process(images_inprocess_client, images_emulator_app):
    images_inprocess_client.images.generate(model="gpt-image-2.5-flare", prompt="x")
    assert len(images_emulator_app.state.emulator.requests(model="gpt-image-2.5-flare")) == 1


@pytest.mark.images_emulator(as_of="2026-06-01")
def test_across_a_retirement(images_client):
    with pytest.raises(openai.NotFoundError):
        images_client.images.generate(model="dall-e-3", prompt="x")


@pytest.mark.images_emulator(as_of="2026-11-20")
def test_before_a_shutdown(images_client):
    assert images_client.images.generate(model="gpt-image-1.5", prompt="x").data


def test_the_date_ends_with_its_test(images_client):
    with pytest.raises(openai.NotFoundError):  # today: shut down on 2026-12-01
        images_client.images.generate(model="gpt-image-1.5", prompt="x")


@pytest.mark.images_emulator(as_of="latest")
def test_every_model_on_request(images_client):
    assert images_client.images.generate(model="dall-e-3", prompt="x").data


@pytest.mark.images_emulator(turns=[{"kind": "text", "text": "Scripted hello."}])
def test_a_scripted_turn_from_the_marker(images_emulator, images_client):
    answer = images_client.responses.create(model="gpt-5.4", input="Hi")
    assert answer.output_text == "Scripted hello."
    images_emulator.emulator.script_turn("refusal", text="No.")
    refused = images_client.responses.create(model="gpt-5.4", input="Hi")
    assert refused.output[0].content[0].refusal == "No."


def test_a_webhook_for_a_background_response(images_webhooks, images_client):
    made = images_client.responses.create(model="gpt-5.4", input="Hi", background=True)
    (event,) = images_webhooks.verified(1)
    assert (event["type"], event["data"]["id"]) == ("response.completed", made.id)
    raw = images_webhooks.received[0]
    told = images_client.webhooks.unwrap(raw.body, raw.headers, secret=images_webhooks.secret)
    assert told.data.id == made.id


def test_the_azure_door(images_azure_client):
    made = images_azure_client.images.generate(model="gpt-image-2", prompt="x", quality="low")
    image = Image.open(io.BytesIO(base64.b64decode(made.data[0].b64_json)))
    assert image.size == (1024, 1024)
"""


def test_plugin_from_a_users_test_file(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Importable whether or not the package is installed in this environment.
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parents[1]))
    pytester.makepyfile(test_user=USER_TESTS)
    # Installed, the plugin loads by itself; from a bare checkout it is named explicitly.
    load = [] if installed() else ["-p", "emulator.pytest_plugin"]
    result = pytester.runpytest_subprocess(*load, "-p", "no:cacheprovider")
    result.assert_outcomes(passed=12)


def installed() -> bool:
    return any(
        entry.value == "emulator.pytest_plugin" for entry in metadata.entry_points(group="pytest11")
    )


def test_plugin_is_registered_once_installed() -> None:
    if not installed():
        pytest.skip("the package is not installed in this environment (pip install -e .)")
    (entry,) = [e for e in metadata.entry_points(group="pytest11") if e.name == "images_emulator"]
    assert entry.load().MARKER == "images_emulator"


OPTION_TESTS = """
import openai, pytest


def test_the_session_server_took_the_options(images_emulator, images_client):
    config = images_emulator.emulator.config
    assert config.api_keys == "sk-emulator" and config.latency_factor == 0.0
    assert config.lenient  # from the command line
    assert images_client.images.generate(model="not-a-model", prompt="x").data


@pytest.mark.images_emulator(lenient=False, faults=[{"kind": "server_error"}])
def test_the_marker_for_one_test(images_emulator, images_client):
    with pytest.raises(openai.InternalServerError):
        images_client.images.generate(model="gpt-image-2", prompt="x")
    with pytest.raises(openai.BadRequestError):
        images_client.images.generate(model="not-a-model", prompt="x")


def test_and_back_after_it(images_emulator):
    assert images_emulator.emulator.config.lenient
"""


def test_plugin_options_and_marker(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parents[1]))
    pytester.makeini("[pytest]\nimages_emulator_options =\n    api_keys = sk-emulator\n")
    pytester.makepyfile(test_options=OPTION_TESTS)
    load = [] if installed() else ["-p", "emulator.pytest_plugin"]
    result = pytester.runpytest_subprocess(
        *load, "-p", "no:cacheprovider", "--images-emulator-option", "lenient=true"
    )
    result.assert_outcomes(passed=3)
    bad = pytester.runpytest_subprocess(
        *load, "-p", "no:cacheprovider", "--images-emulator-option", "colour=blue"
    )
    assert bad.ret != 0
    assert "images emulator option 'colour=blue'" in bad.stderr.str()


def test_fixtures_say_what_they_are(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parents[1]))
    load = [] if installed() else ["-p", "emulator.pytest_plugin"]
    listed = pytester.runpytest_subprocess(*load, "--fixtures").stdout.str()
    for name in (
        "images_emulator",
        "images_client",
        "images_emulator_app",
        "images_inprocess_client",
        "images_emulator_server",
    ):
        section = listed.split(name, 1)[1].split("\n\n", 1)[0]
        assert "no docstring available" not in section, name


def test_the_examples_pass_against_a_shared_emulator(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # IMAGES_EMULATOR_URL, as docs/docker.md sets it up: the marker's faults, as_of and lenient
    # reach the shared emulator through its control plane, for that test only.
    from emulator.server import EmulatorServer

    root = Path(__file__).parents[1]
    monkeypatch.setenv("PYTHONPATH", str(root))
    pytester.makepyfile(test_examples=(root / "examples" / "test_with_the_plugin.py").read_text())
    pytester.makepyfile(
        test_after=(
            "def test_the_settings_went_back(images_emulator):\n"
            "    remote = images_emulator.emulator\n"
            "    assert remote.as_of == 'today' and remote.lenient is False\n"
            "    assert remote.requests() == []\n"
        )
    )
    load = [] if installed() else ["-p", "emulator.pytest_plugin"]
    with EmulatorServer() as shared:
        monkeypatch.setenv("IMAGES_EMULATOR_URL", shared.base_url)
        result = pytester.runpytest_subprocess(*load, "-p", "no:cacheprovider")
        result.assert_outcomes(passed=5)
        assert shared.emulator.as_of == "today" and not shared.emulator.config.lenient


def test_a_marker_the_shared_emulator_refuses_fails_the_test(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    from emulator.server import EmulatorServer

    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parents[1]))
    pytester.makepyfile(
        test_bad=(
            "import pytest\n"
            "@pytest.mark.images_emulator(as_of='someday')\n"
            "def test_it(images_client):\n"
            "    pass\n"
        )
    )
    load = [] if installed() else ["-p", "emulator.pytest_plugin"]
    with EmulatorServer() as shared:
        monkeypatch.setenv("IMAGES_EMULATOR_URL", shared.base_url)
        result = pytester.runpytest_subprocess(*load, "-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*images_emulator marker on a shared emulator*as_of must be*"])
