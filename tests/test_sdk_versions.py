"""The guide's era of the official client (openai 1.99.x, built on httpx) works unchanged.

The installed ``openai`` is the newest; 1.99.9 is installed beside it into a cache folder
and driven in a subprocess against a live emulator.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import LiveServer

OLD_SDK = "openai==1.99.9"
# openai 1.99.9's own dependencies that the newest openai no longer brings along.
OLD_SDK_EXTRAS = ["distro>=1.7", "tqdm>4"]
CACHE = Path(__file__).parents[1] / ".cache" / "openai-1.99.9"

SCRIPT = r"""
import base64, io, json, sys
import openai
from PIL import Image

assert openai.__version__ == "1.99.9", openai.__version__
client = openai.OpenAI(base_url=sys.argv[1], api_key="sk-old", max_retries=0)
out = {}
r = client.images.generate(model="gpt-image-1", prompt="otter", size="1536x1024", quality="low",
                           background="transparent", output_format="webp", output_compression=80,
                           moderation="low", n=2, user="u1")
im = Image.open(io.BytesIO(base64.b64decode(r.data[0].b64_json)))
out["gpt"] = [im.format, im.mode, list(im.size), r.size, r.quality, r.background,
              r.output_format, r.usage.output_tokens, len(r.data)]
r = client.images.generate(model="dall-e-3", prompt="otter", size="1792x1024", quality="hd",
                           style="natural", response_format="b64_json")
im = Image.open(io.BytesIO(base64.b64decode(r.data[0].b64_json)))
out["dalle3"] = [list(im.size), bool(r.data[0].revised_prompt)]
r = client.images.generate(model="dall-e-2", prompt="otter", size="256x256", n=2)
out["dalle2"] = [bool(d.url) for d in r.data]
try:
    client.images.generate(model="gpt-image-1", prompt="otter", response_format="url")
except openai.BadRequestError as e:
    out["error"] = [e.status_code, e.code, e.param]

def png(w, h, mode="RGB", colour=(200, 30, 30)):
    buffer = io.BytesIO()
    Image.new(mode, (w, h), colour).save(buffer, "PNG")
    return buffer.getvalue()

mask = Image.new("RGBA", (512, 512), (0, 0, 0, 255))
mask.paste((0, 0, 0, 0), (0, 0, 256, 512))
mask_bytes = io.BytesIO()
mask.save(mask_bytes, "PNG")
r = client.images.edit(model="gpt-image-1", prompt="basket", input_fidelity="high",
                       image=[("a.png", png(512, 512), "image/png"),
                              ("b.png", png(1536, 1024), "image/png")],
                       mask=("m.png", mask_bytes.getvalue(), "image/png"), size="1024x1024")
out["edit"] = [r.size, r.usage.input_tokens_details.image_tokens]
r = client.images.create_variation(image=("v.png", png(256, 256), "image/png"), n=2,
                                   response_format="b64_json", size="256x256")
out["variation"] = [Image.open(io.BytesIO(base64.b64decode(d.b64_json))).size for d in r.data]
events = client.images.generate(model="gpt-image-1", prompt="otter", stream=True, partial_images=2)
out["stream"] = [event.type for event in events]
# The later models through the old client: any model name and size string pass through.
r = client.images.generate(model="gpt-image-2", prompt="otter", size="1280x720", quality="low")
im = Image.open(io.BytesIO(base64.b64decode(r.data[0].b64_json)))
out["gpt2"] = [list(im.size), r.size, r.usage.output_tokens]
r = client.images.edit(model="gpt-image-1.5", prompt="hat", quality="low",
                       image=("a.png", png(1024, 1024), "image/png"))
out["gpt15"] = [r.size, r.usage.output_tokens, r.usage.input_tokens_details.image_tokens]
print(json.dumps(out))
"""


def _install_old_sdk() -> Path:
    if (CACHE / "openai" / "__init__.py").exists():
        return CACHE
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--no-deps",
        "--target",
        str(CACHE),
        OLD_SDK,
        *OLD_SDK_EXTRAS,
    ]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        if os.environ.get("CI"):
            raise AssertionError(f"could not install {OLD_SDK}: {result.stderr}")
        pytest.skip(f"could not install {OLD_SDK} (no package registry?)")
    return CACHE


def test_openai_1_99_against_a_live_server(live_server: LiveServer) -> None:
    target = _install_old_sdk()
    env = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, f"{live_server.base_url}/v1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["gpt"] == [
        "WEBP",
        "RGBA",
        [1536, 1024],
        "1536x1024",
        "low",
        "transparent",
        "webp",
        800,
        2,
    ]
    assert out["dalle3"] == [[1792, 1024], True]
    assert out["dalle2"] == [True, True]
    assert out["error"] == [400, "unknown_parameter", "response_format"]
    assert out["edit"] == ["1024x1024", 194 + 323 + 4160 + 6240]
    assert out["variation"] == [[256, 256], [256, 256]]
    assert out["stream"] == ["image_generation.partial_image"] * 2 + ["image_generation.completed"]
    assert out["gpt2"] == [[1280, 720], "1280x720", 106]  # a recorded answer's tokens
    assert out["gpt15"] == ["1024x1024", 272, 194]
