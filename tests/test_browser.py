"""A page on another origin calls the emulator with ``fetch`` in headless Chromium.

Needs Debian's ``chromium`` at /usr/bin/chromium (``.ci/run`` installs it on CI) and the
``playwright`` package, which drives it; playwright's own browser download is not used.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from emulator.server import EmulatorServer

from .browser import chromium
from .static_host import serving

# What a browser app does with the official JS client (dangerouslyAllowBrowser) or fetch:
# JSON with the key and the SDK's headers, a multipart edit, and reading an error body.
PAGE = """<!doctype html>
<meta charset="utf-8">
<title>emulator from another origin</title>
<script>
const SDK = {"X-Stainless-Lang": "js", "X-Stainless-Package-Version": "6.9.0",
             "X-Stainless-OS": "Linux", "X-Stainless-Retry-Count": "0",
             "OpenAI-Organization": "org-browser"};

async function decoded(b64, type) {
  const image = new Image();
  image.src = `data:${type};base64,${b64}`;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = image.naturalWidth;
  canvas.height = image.naturalHeight;
  const context = canvas.getContext("2d");
  context.drawImage(image, 0, 0);
  const corner = context.getImageData(0, 0, 1, 1).data;
  return {width: image.naturalWidth, height: image.naturalHeight, cornerAlpha: corner[3]};
}

async function generate(base) {
  const response = await fetch(`${base}/v1/images/generations`, {
    method: "POST",
    headers: {"Authorization": "Bearer sk-browser", "Content-Type": "application/json", ...SDK},
    body: JSON.stringify({model: "gpt-image-1", prompt: "an otter", quality: "low",
                          background: "transparent", output_format: "webp", size: "1536x1024"}),
  });
  const body = await response.json();
  return {status: response.status, requestId: response.headers.get("x-request-id"),
          processingMs: response.headers.get("openai-processing-ms"),
          image: await decoded(body.data[0].b64_json, "image/webp"), usage: body.usage};
}

async function edit(base) {
  const canvas = document.createElement("canvas");
  canvas.width = 256; canvas.height = 256;
  canvas.getContext("2d").fillRect(0, 0, 256, 256);
  const png = await new Promise(resolve => canvas.toBlob(resolve, "image/png"));
  const form = new FormData();
  form.append("model", "gpt-image-1");
  form.append("prompt", "a hat");
  form.append("quality", "low");
  form.append("image", png, "in.png");
  const response = await fetch(`${base}/v1/images/edits`, {
    method: "POST", headers: {"Authorization": "Bearer sk-browser", ...SDK}, body: form});
  const body = await response.json();
  return {status: response.status, image: await decoded(body.data[0].b64_json, "image/png")};
}

async function refused(base) {
  const response = await fetch(`${base}/v1/images/generations`, {
    method: "POST",
    headers: {"Authorization": "Bearer sk-browser", "Content-Type": "application/json"},
    body: JSON.stringify({model: "gpt-image-1", prompt: "x", n: 11}),
  });
  return {status: response.status, error: (await response.json()).error,
          requestId: response.headers.get("x-request-id")};
}
</script>
"""


@pytest.fixture(scope="module")
def page_origin() -> Iterator[str]:
    """The app's origin: another port, so every call to the emulator is cross-origin."""
    with serving({"/": ("text/html; charset=utf-8", PAGE.encode())}) as origin:
        yield origin


@pytest.fixture(scope="module")
def browser_page(page_origin: str) -> Iterator[Any]:
    with chromium() as browser:
        page = browser.new_page()
        page.goto(page_origin)
        yield page


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(as_of="latest") as server:
        yield server


def test_generation_from_another_origin(browser_page: Any, emulator: EmulatorServer) -> None:
    result = browser_page.evaluate("base => generate(base)", emulator.base_url)
    assert result["status"] == 200
    assert result["requestId"].startswith("req_")
    assert result["processingMs"].isdigit()
    assert result["image"] == {"width": 1536, "height": 1024, "cornerAlpha": 0}
    assert result["usage"]["output_tokens"] == 400
    (entry,) = emulator.emulator.requests(endpoint="generations")
    assert entry.status == 200


def test_multipart_edit_from_another_origin(browser_page: Any, emulator: EmulatorServer) -> None:
    result = browser_page.evaluate("base => edit(base)", emulator.base_url)
    assert result == {
        "status": 200,
        "image": {"width": 1024, "height": 1024, "cornerAlpha": 255},
    }


def test_error_bodies_are_readable_from_another_origin(
    browser_page: Any, emulator: EmulatorServer
) -> None:
    result = browser_page.evaluate("base => refused(base)", emulator.base_url)
    assert result["status"] == 400
    assert result["error"]["code"] == "integer_above_max_value"
    assert result["requestId"].startswith("req_")
