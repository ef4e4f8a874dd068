"""Real Responses exchanges from public projects' recordings (fixtures/recordings/responses),
replayed at their dates: the emulator agrees with them on contract and shape."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

from PIL import Image

from contract_tests.public_recordings import OUT, replayable, stand_in, urls_inlined
from emulator.recordings_drift import drift


def test_the_real_responses_exchanges_agree_on_contract_and_shape() -> None:
    report = drift(OUT)
    assert len(report) >= 20
    assert {r["request"] for r in report} == {"POST /v1/responses"}
    agree = [r for r in report if all(d["grade"] == "cosmetic" for d in r["differences"])]
    missed = [(r["recording"], r["differences"]) for r in report if r not in agree]
    assert len(agree) >= 0.9 * len(report), missed
    # Each names its public source and its day.
    for path in OUT.glob("*.json"):
        data = json.loads(path.read_text())
        assert data["source"]["repository"] in ("openai/openai-dotnet", "pydantic/pydantic-ai")
        assert len(data["source"]["commit"]) == 40 and data["as_of"] >= "2025-09-01"


def test_a_planted_difference_is_found(tmp_path: Path) -> None:
    folder = tmp_path / "planted"
    (folder / "images").mkdir(parents=True)
    for image in (OUT / "images").iterdir():
        (folder / "images" / image.name).write_bytes(image.read_bytes())
    source = next(p for p in sorted(OUT.glob("openai-dotnet-*.json")))
    data = json.loads(source.read_text())
    data["response"]["body"]["output"][0]["quality"] = "medium-rare"
    data["response"]["headers"]["x-ratelimit-limit-widgets"] = "1"
    (folder / source.name).write_text(json.dumps(data))
    (found,) = drift(folder)
    graded = {(d["grade"], d["what"].split(":")[0]) for d in found["differences"]}
    assert ("cosmetic", ".output[0].quality") in graded
    assert ("contract", "header x-ratelimit-limit-widgets") in graded


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_a_stand_in_keeps_what_drift_compares() -> None:
    mask = Image.new("RGBA", (64, 32), (200, 10, 10, 255))
    mask.paste((0, 0, 0, 0), (0, 0, 16, 16))
    kept = Image.open(io.BytesIO(stand_in(_png(mask), keep_alpha=True)))
    assert (kept.format, kept.mode, kept.size) == ("PNG", "RGBA", (64, 32))
    assert kept.getpixel((1, 1))[3] == 0 and kept.getpixel((40, 20))[3] == 255
    flat = Image.open(io.BytesIO(stand_in(_png(mask))))
    assert flat.getchannel("A").getextrema() == (0, 0)  # transparent, as the original
    opaque = Image.open(io.BytesIO(stand_in(_png(Image.new("RGB", (8, 8), "red")))))
    assert opaque.mode == "RGB"


def test_only_exchanges_that_stand_on_their_own_are_kept() -> None:
    assert replayable({"input": "Draw a kite"})
    assert not replayable({"input": "x", "previous_response_id": "resp_1"})
    assert not replayable({"input": [{"type": "input_image", "file_id": "file-1"}]})
    bare = {"id": "ig_1", "type": "image_generation_call"}
    assert not replayable({"input": [{"role": "user", "content": "x"}, bare]})
    assert replayable({"input": [{**bare, "result": "aGk="}]})


def test_linked_images_become_data_urls_of_their_stand_ins() -> None:
    png = _png(Image.new("RGB", (16, 8), "blue"))
    request = {"input": [{"image_url": "https://example.test/a.png"}, {"text": "https://x"}]}
    inlined, changed = urls_inlined(request, lambda url: png if url.endswith(".png") else None)
    assert changed and inlined["input"][1] == {"text": "https://x"}
    url = inlined["input"][0]["image_url"]
    assert url.startswith("data:image/png;base64,")
    image = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
    assert image.size == (16, 8)
