"""The web inspector in a real browser: live rows, real thumbnails, the mask overlay, cost
totals, copy-as-curl that reproduces the request, and the fault button."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
from PIL import Image

from emulator.server import EmulatorServer

from .browser import chromium
from .images import encoded, mask_with_hole, solid
from .latest import latest

GREY = (128, 128, 128)
HOLE = (256, 256, 768, 768)


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(as_of="latest") as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Any, server: EmulatorServer) -> Iterator[Any]:
    server.emulator.reset()
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{server.base_url}/_emulator/")
    page.wait_for_function("document.getElementById('live').textContent === 'live'")
    yield page
    page.close()


@pytest.fixture
def sdk(server: EmulatorServer) -> Iterator[openai.OpenAI]:
    client = server.client(max_retries=0)
    yield client
    client.close()


def settled(condition: Any, seconds: float = 10) -> None:
    """Wait until ``condition()`` holds (a control the page posted has reached the server)."""
    import time

    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the page's control never reached the server"
        time.sleep(0.02)


def rows(page: Any, count: int) -> None:
    page.wait_for_function(f"document.querySelectorAll('#rows tr').length === {count}")


def test_rows_appear_live_with_real_thumbnails(page: Any, sdk: openai.OpenAI) -> None:
    sdk.images.generate(model="gpt-image-2", prompt="a red kite", size="1280x720", quality="low")
    rows(page, 1)
    sdk.images.generate(
        model="dall-e-2", prompt="a blue kite", size="256x256", response_format="b64_json"
    )
    rows(page, 2)  # no reload: the event stream brought it
    cells = page.eval_on_selector_all(
        "#rows tr", "trs => trs.map(tr => [...tr.cells].map(td => td.textContent.trim()))"
    )
    assert [c[2] for c in cells] == ["dall-e-2", "gpt-image-2"]  # newest first
    assert cells[1][4] == "1280x720" and cells[1][3] == "200"
    sizes = page.eval_on_selector_all(
        "#rows img.thumb",
        """imgs => Promise.all(imgs.map(img => img.decode().then(
            () => [img.naturalWidth, img.naturalHeight])))""",
    )
    assert sizes == [[256, 256], [1280, 720]]


def test_detail_shows_the_mask_over_its_image(page: Any, sdk: openai.OpenAI) -> None:
    sdk.images.edit(
        model="gpt-image-1.5",
        image=("grey.png", solid(1024, 1024, GREY), "image/png"),
        mask=("mask.png", mask_with_hole(1024, 1024, HOLE), "image/png"),
        prompt="put a boat here",
        quality="low",
    )
    rows(page, 1)
    # The row appears when the request opens; its detail is whole once the answer is sent.
    page.wait_for_function(
        "() => document.querySelector('#rows tr')?.cells[3]?.textContent.trim() === '200'"
    )
    page.click("#rows tr")
    page.wait_for_selector("canvas.overlay[data-drawn='true']")
    inside, outside = page.eval_on_selector(
        "canvas.overlay",
        """canvas => {
            const context = canvas.getContext('2d');
            const at = ([x, y]) => [...context.getImageData(x, y, 1, 1).data];
            return [[512, 512], [50, 50]].map(at);
        }""",
    )
    assert outside == [*GREY, 255]
    assert inside[0] > 180 and inside[1] < 80  # the edited area, highlighted
    text = page.inner_text("#detail-body")
    assert "grey.png" in text and "mask.png" in text and "put a boat here" in text
    assert "x-request-id" in text and "image_tokens" in text
    full = page.eval_on_selector(
        "figure.output img", "img => img.decode().then(() => img.naturalWidth)"
    )
    assert full == 1024


def test_cost_total_matches_the_journal(
    page: Any, sdk: openai.OpenAI, server: EmulatorServer
) -> None:
    sdk.images.generate(model="gpt-image-1", prompt="x", quality="high")
    sdk.images.generate(model="dall-e-3", prompt="x", quality="hd", size="1792x1024")
    list(sdk.images.generate(model="gpt-image-2", prompt="x", stream=True, partial_images=1))
    rows(page, 3)
    journal = httpx.get(f"{server.base_url}/_emulator/journal").json()["entries"]
    total = sum(entry["cost_usd"] for entry in journal)
    page.wait_for_function(f"document.getElementById('total-cost').textContent === '${total:.6f}'")
    chips = page.eval_on_selector_all(
        "#cost-by-model span", "spans => spans.map(s => s.textContent)"
    )
    assert sorted(chips) == sorted(f"{e['model']} ${e['cost_usd']:.6f}" for e in journal)


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
def run_curl_snippet(page: Any, folder: Any) -> subprocess.CompletedProcess[str]:
    """The detail view's curl snippet, run with bash in ``folder`` (where its files are)."""
    ran = subprocess.run(
        ["bash", "-c", page.inner_text("#curl")],
        capture_output=True,
        text=True,
        cwd=folder,
        env={**os.environ, "OPENAI_API_KEY": "sk-curl"},
        timeout=60,
    )
    assert ran.returncode == 0, ran.stderr
    return ran


def test_copy_as_curl_reproduces_the_request(
    page: Any, sdk: openai.OpenAI, server: EmulatorServer, tmp_path: Any
) -> None:
    sdk.images.generate(model="gpt-image-1", prompt="a 'quoted' otter", quality="low", n=2)
    (tmp_path / "in.png").write_bytes(encoded(Image.new("RGB", (512, 512), GREY)))
    sdk.images.edit(
        model="gpt-image-1",
        image=("in.png", (tmp_path / "in.png").read_bytes(), "image/png"),
        prompt="hat",
    )
    rows(page, 2)
    # The generation (JSON), then the edit (a form with its file by name).
    for original in server.emulator.journal.entries():
        page.click(f"#rows tr[data-id='{original.id}']")
        page.wait_for_function(
            f"document.querySelector('#detail-body h2').textContent.startsWith('#{original.id} ')"
        )
        ran = run_curl_snippet(page, tmp_path)
        again = server.emulator.journal.entries()[-1]
        assert again.status == 200, ran.stdout
        assert (again.endpoint, again.params) == (original.endpoint, original.params)
        assert [i.sha256 for i in again.inputs] == [i.sha256 for i in original.inputs]
    python = page.inner_text("#python")
    assert "client.images.edit(" in python and 'image=open("in.png", "rb")' in python


def test_fault_button_makes_the_next_call_fail(page: Any, sdk: openai.OpenAI) -> None:
    page.select_option("#fault-kind", "server_error")
    page.select_option("#fault-endpoint", "generations")
    page.click("#fault")
    page.wait_for_function(
        "document.getElementById('fault-state').textContent.startsWith('scripted')"
    )
    with pytest.raises(openai.InternalServerError):
        sdk.images.generate(model="dall-e-2", prompt="x")
    assert sdk.images.generate(model="dall-e-2", prompt="x").data
    rows(page, 2)
    page.select_option("#filter-status", "fault")
    rows(page, 1)


def test_clock_lenient_and_reset_controls(
    page: Any, sdk: openai.OpenAI, server: EmulatorServer
) -> None:
    page.click("#freeze")
    page.wait_for_function(
        "document.getElementById('clock-state').textContent.startsWith('frozen')"
    )
    assert server.emulator.clock.frozen
    page.check("#lenient")
    settled(lambda: server.emulator.config.lenient)  # the page's POST has landed
    sdk_result = sdk.images.generate(model="gpt-image-1", prompt="x", style="vivid")  # lenient
    assert sdk_result.data
    page.uncheck("#lenient")
    settled(lambda: not server.emulator.config.lenient)
    with pytest.raises(openai.BadRequestError):
        sdk.images.generate(model="gpt-image-1", prompt="x", style="vivid")
    rows(page, 2)
    page.click("#reset")
    rows(page, 0)
    assert server.emulator.requests() == [] and not server.emulator.clock.frozen


def test_filters_and_search(page: Any, sdk: openai.OpenAI) -> None:
    sdk.images.generate(model="dall-e-2", prompt="a lighthouse", size="256x256")
    sdk.images.generate(model="dall-e-3", prompt="a harbour")
    with pytest.raises(openai.BadRequestError):
        sdk.images.generate(model="dall-e-2", prompt="x", n=50)
    rows(page, 3)
    page.fill("#filter-text", "light")
    rows(page, 1)
    page.fill("#filter-text", "")
    page.select_option("#filter-status", "4xx")
    rows(page, 1)
    page.select_option("#filter-status", "")
    page.select_option("#filter-model", "dall-e-3")
    rows(page, 1)


def test_polling_when_there_is_no_event_stream(
    browser: Any, server: EmulatorServer, sdk: openai.OpenAI
) -> None:
    server.emulator.reset()
    page = browser.new_page()
    page.add_init_script("delete window.EventSource")
    page.goto(f"{server.base_url}/_emulator/ui")  # /ui leads to the page
    page.wait_for_function("document.getElementById('live').textContent.startsWith('polling')")
    sdk.images.generate(model="dall-e-2", prompt="x", size="256x256")
    rows(page, 1)
    assert page.url == f"{server.base_url}/_emulator/"
    page.close()


def test_images_beyond_the_bound_are_dropped_but_entries_stay() -> None:
    with EmulatorServer(latest(journal_images_mb=1)) as small:
        client = small.client(max_retries=0)
        for index in range(8):  # each answer ~0.2 MB of JPEG: 1.6 MB in all
            client.images.generate(
                model="gpt-image-2",
                prompt=f"detail {index}",
                size="3840x2160",
                quality="high",
                output_format="jpeg",
            )
        entries = httpx.get(f"{small.base_url}/_emulator/journal").json()["entries"]
        assert len(entries) == 8
        kept = [entry["outputs"][0]["kept"] for entry in entries]
        assert kept[-1] and not kept[0]
        assert small.emulator.journal.images.size_bytes <= 1024 * 1024
        first = entries[0]["outputs"][0]["sha256"]
        gone = httpx.get(f"{small.base_url}/_emulator/journal-images/{first}")
        assert gone.status_code == 404 and "dropped" in gone.json()["error"]["message"]


def test_the_page_uses_only_relative_urls() -> None:
    """So it works behind a proxy that mounts the emulator under a path."""
    from importlib import resources

    web = resources.files("emulator.ui.web")
    html = web.joinpath("index.html").read_text()
    script = web.joinpath("app.js").read_text()
    assert not re.search(r'(src|href)="/', html)
    assert not re.search(r'(fetch|EventSource|post)\(\s*["`]/', script)
    assert "https://" not in html + script and "http://" not in html + script


def test_a_deprecated_model_and_a_refused_upload_are_flagged(
    page: Any, sdk: openai.OpenAI, server: EmulatorServer
) -> None:
    sdk.images.generate(
        model="gpt-image-1.5",
        prompt="going soon",
        quality="low",
        extra_headers={"x-emulator-as-of": "2026-11-20"},
    )
    rows(page, 1)
    badge = page.inner_text("#rows tr .deprecated")
    assert badge == "deprecated"
    page.click("#rows tr")
    page.wait_for_selector("#detail-body .deprecated-note")
    note = page.inner_text("#detail-body .deprecated-note")
    assert "gpt-image-1.5 shuts down on 2026-12-01" in note
    assert "replacement: gpt-image-2.6-sunburst or gpt-image-2.6-flare" in note
    response = httpx.post(
        f"{server.base_url}/v1/images/edits",
        headers={"Authorization": "Bearer sk-x"},
        data={"model": "gpt-image-2", "prompt": "x"},
        files={"image": ("photo.png", solid(64, 64), "text/plain")},
    )
    assert response.status_code == 400
    rows(page, 2)
    page.click("#rows tr")  # the newest row: the refused edit
    page.wait_for_selector("#detail-body table.uploads")
    cells = page.eval_on_selector_all(
        "#detail-body table.uploads tr", "trs => trs.map(tr => tr.innerText.split('\\t'))"
    )
    assert [c.strip() for c in cells[1]] == [
        "image",
        "photo.png",
        "text/plain",
        str(len(solid(64, 64))),
        "PNG",
    ]


def test_a_responses_row_and_its_detail(
    page: Any, sdk: openai.OpenAI, server: EmulatorServer, tmp_path: Any
) -> None:
    sdk.responses.create(
        model="gpt-4o",
        input="Draw a lighthouse",
        tools=[{"type": "image_generation", "model": "gpt-image-2", "quality": "low"}],
    )
    rows(page, 1)
    # The row appears when the request opens; its status once the answer is sent.
    page.wait_for_function(
        "() => document.querySelector('#rows tr')?.cells[3]?.textContent.trim() === '200'"
    )
    cells = page.eval_on_selector_all(
        "#rows tr", "trs => trs.map(tr => [...tr.cells].map(td => td.textContent.trim()))"
    )
    assert cells[0][1:4] == ["responses", "gpt-4o", "200"]
    page.click("#rows tr")
    page.wait_for_selector("figure.output img")
    width = page.eval_on_selector(
        "figure.output img", "img => img.decode().then(() => img.naturalWidth)"
    )
    assert width == 1024
    assert "client.responses.create(" in page.inner_text("#python")
    assert "/v1/responses" in page.inner_text("#curl")
    run_curl_snippet(page, tmp_path)
    again = server.emulator.journal.entries()[-1]
    assert (again.endpoint, again.status, again.answered["image_model"]) == (
        "responses",
        200,
        "gpt-image-2",
    )


def test_the_layout_at_1280_with_the_panel_open(browser: Any, server: EmulatorServer) -> None:
    server.emulator.reset()
    sdk = server.client(max_retries=0)
    for model in ("gpt-image-2.6-sunburst", "gpt-image-2.5-flare", "gpt-image-2", "dall-e-3"):
        sdk.images.generate(model=model, prompt=f"a long prompt about a {model} lighthouse at dawn",
                            quality="standard" if model == "dall-e-3" else "low")  # fmt: skip
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("response", lambda answer: errors.append(answer.url) if answer.status >= 400 else None)
    page.goto(f"{server.base_url}/_emulator/")
    rows(page, 4)
    header = page.eval_on_selector_all("#requests th", "ths => ths.map(th => th.textContent)")
    assert "prompt" in header
    prompts = page.eval_on_selector_all("#rows td.prompt", "tds => tds.map(td => td.title)")
    assert prompts[0] == "a long prompt about a dall-e-3 lighthouse at dawn"  # newest first
    same_line = page.evaluate(
        "() => Math.abs(document.getElementById('live').getBoundingClientRect().top - "
        "document.querySelector('header h1').getBoundingClientRect().top) < 12"
    )
    assert same_line  # the cost chips leave "live" on the title's line
    page.click("#rows tr")
    page.wait_for_selector("#detail:not([hidden])")
    fits = page.evaluate(
        "() => { const list = document.getElementById('list');"
        " return [list.scrollWidth, list.clientWidth]; }"
    )
    assert fits[0] <= fits[1] + 1, fits  # every column readable, no sideways scrolling
    bottom = page.evaluate(
        "() => [document.getElementById('detail').getBoundingClientRect().bottom, innerHeight]"
    )
    assert abs(bottom[0] - bottom[1]) <= 1, bottom  # the panel reaches the window's bottom
    assert page.evaluate("() => document.querySelector('link[rel=icon]').href").endswith(
        "favicon.svg"
    )
    assert errors == []  # no favicon 404, no script error
    page.close()


def test_background_state_scripted_turns_and_function_calls_are_shown(
    page: Any, sdk: openai.OpenAI, server: EmulatorServer
) -> None:
    weather = {
        "type": "function",
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    }
    server.emulator.clock.freeze()
    try:
        held = sdk.responses.create(
            model="gpt-5.4",
            input="Draw a slow lighthouse",
            tools=[{"type": "image_generation", "quality": "low"}],
            background=True,
            extra_headers={"x-emulator-background-delay-seconds": "60"},
        )
        assert held.status == "queued"
        rows(page, 1)
        page.wait_for_function(
            "document.querySelector('#rows tr .background-state')?.textContent === 'queued'"
        )
        sdk.responses.cancel(held.id)
        page.wait_for_function(
            "document.querySelector('#rows tr .background-state')?.textContent === 'cancelled'"
        )
    finally:
        server.emulator.clock.unfreeze()
    server.emulator.script_turn(
        kind="function_call", name="get_weather", arguments={"city": "Lima"}, match="weather"
    )
    called = sdk.responses.create(model="gpt-5.4", input="weather please", tools=[weather])
    assert called.output[0].type == "function_call"
    page.wait_for_function("document.querySelectorAll('#rows tr').length >= 3")
    page.click("#rows tr:first-child")  # the newest first
    page.wait_for_selector("#detail-script")
    page.wait_for_selector("#detail-function")
    assert page.inner_text("#detail-function") == "get_weather"
    assert "function_call" in page.inner_text("#detail-script")


def test_webhook_deliveries_are_listed(
    page: Any, sdk: openai.OpenAI, server: EmulatorServer
) -> None:
    from emulator.testdouble.webhook_receiver import receiver

    with receiver([500]) as hooks:
        sdk.webhooks.create(name="page", url=hooks.url, event_types=["response.completed"])
        made = sdk.responses.create(model="gpt-5.4", input="x", background=True)
        hooks.wait_for(2)  # the 500, then the retry
        page.click("#webhooks summary")
        state = "document.querySelector('#webhook-rows tr td:nth-child(4)')?.textContent"
        page.wait_for_function(f"{state} === 'delivered'", timeout=10_000)
        cells = page.eval_on_selector_all(
            "#webhook-rows tr", "trs => trs.map(tr => [...tr.cells].map(td => td.textContent))"
        )
        assert cells[0][:2] == ["response.completed", made.id]
        assert cells[0][4] == "500, 200"


def test_the_azure_door_and_its_deployment_are_shown(page: Any, server: EmulatorServer) -> None:
    azure = openai.AzureOpenAI(
        azure_endpoint=server.base_url,
        api_key="k",
        api_version="2025-04-01-preview",
        max_retries=0,
    )
    azure.images.generate(model="gpt-image-2", prompt="a kite", quality="low")
    rows(page, 1)
    page.wait_for_function(
        "() => document.querySelector('#rows tr .door')?.textContent === 'azure: gpt-image-2'"
    )
    page.click("#rows tr")
    page.wait_for_selector("#detail-deployment")
    assert page.inner_text("#detail-deployment") == "gpt-image-2"
