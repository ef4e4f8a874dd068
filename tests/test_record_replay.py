"""Record once, replay offline, see the drift: with an upstream that is a second emulator on
loopback (the real API is not reachable here), the official SDK and raw HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import openai
import pytest
from PIL import Image

from emulator import Config
from emulator.server import EmulatorServer

from .images import encoded, solid

KEY = "sk-proj-the-caller-s-secret-key-0123456789"
GEN = "/v1/images/generations"


def through(server: EmulatorServer) -> httpx.Client:
    return httpx.Client(
        base_url=server.base_url, headers={"Authorization": f"Bearer {KEY}"}, timeout=60
    )


def distinct_pngs(count: int) -> list[bytes]:
    return [
        encoded(Image.new("RGB", (64, 64), (i * 13 % 256, i * 7 % 256, 40))) for i in range(count)
    ]


EXCHANGES: list[tuple[str, dict[str, Any]]] = [
    (GEN, {"json": {"model": "gpt-image-2", "prompt": "an otter", "quality": "low"}}),
    (
        GEN,
        {
            "json": {
                "model": "gpt-image-2.5-flare",
                "prompt": "a tower",
                "quality": "low",
                "output_format": "webp",
            }
        },
    ),
    (
        GEN,
        {
            "json": {
                "model": "gpt-image-2",
                "prompt": "a kite",
                "quality": "low",
                "stream": True,
                "partial_images": 2,
            }
        },
    ),
    (
        "/v1/images/edits",
        {
            "data": {"model": "gpt-image-2", "prompt": "two", "quality": "low"},
            "files": [("image[]", ("a.png", png, "image/png")) for png in distinct_pngs(2)],
        },
    ),
    (
        "/v1/responses",
        {
            "json": {
                "model": "gpt-5.4",
                "input": "Draw a boat",
                "tools": [{"type": "image_generation", "quality": "low"}],
            }
        },
    ),
]


@pytest.fixture
def recorded(tmp_path: Path) -> Iterator[tuple[Path, list[httpx.Response]]]:
    """Every exchange sent through a recording proxy to an upstream emulator (answering as of
    today, as the real API does), then the upstream stopped."""
    folder = tmp_path / "recordings"
    answers = []
    with EmulatorServer() as upstream:
        config = Config(record=str(folder), upstream=upstream.base_url)
        with EmulatorServer(config) as proxy, through(proxy) as http:
            for path, request in EXCHANGES:
                answers.append(http.post(path, **request))
            assert [e.origin for e in proxy.emulator.requests()] == ["recorded"] * len(EXCHANGES)
    yield folder, answers


def test_replay_gives_the_same_answers_byte_for_byte(recorded: Any) -> None:
    folder, answers = recorded
    assert all(answer.status_code == 200 for answer in answers), [a.text for a in answers]
    with EmulatorServer(Config(replay=str(folder))) as replay, through(replay) as http:
        for (path, request), original in zip(EXCHANGES, answers, strict=True):
            again = http.post(path, **request)
            assert again.status_code == original.status_code
            assert again.content == original.content, path
        entries = replay.emulator.requests()
    assert [e.origin for e in entries] == ["replayed"] * len(EXCHANGES)
    assert all(e.recording for e in entries)


def test_a_stream_replays_event_by_event(recorded: Any) -> None:
    folder, answers = recorded
    original = answers[2].text.split("\n\n")
    with EmulatorServer(Config(replay=str(folder))) as replay:
        client = replay.client(max_retries=0)
        events = list(
            client.images.generate(
                model="gpt-image-2", prompt="a kite", quality="low", stream=True, partial_images=2
            )
        )
    assert [e.type for e in events] == [
        "image_generation.partial_image",
        "image_generation.partial_image",
        "image_generation.completed",
    ]
    assert len([block for block in original if block.strip()]) == len(events)


def test_no_key_is_written_and_images_are_files(recorded: Any) -> None:
    folder, _ = recorded
    every_file = [p for p in folder.rglob("*") if p.is_file()]
    for path in every_file:
        assert KEY.encode() not in path.read_bytes(), path
    recordings = [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]
    assert len(recordings) == len(EXCHANGES)
    for data in recordings:
        assert "authorization" not in json.dumps(data).lower()
        assert data["response"]["headers"]["openai-organization"] == "<redacted>"
    edit = recordings[3]["request"]
    assert [f["field"] for f in edit["files"]] == ["image[]", "image[]"]
    assert "boundary" not in json.dumps(edit)  # the form by its fields and files' hashes
    text = json.dumps(recordings[0])
    assert '"$image:' in text and "iVBORw0KGgo" not in text  # no base64 in the JSON


def test_sixteen_images_are_stored_once_each(tmp_path: Path) -> None:
    folder = tmp_path / "edits"
    pngs = distinct_pngs(16)
    with EmulatorServer(as_of="latest") as upstream:
        config = Config(record=str(folder), upstream=upstream.base_url)
        with EmulatorServer(config) as proxy, through(proxy) as http:
            for _ in range(2):  # the same edit twice: its images are not stored again
                answer = http.post(
                    "/v1/images/edits",
                    data={"model": "gpt-image-2", "prompt": "all", "quality": "low"},
                    files=[
                        ("image[]", (f"{i}.png", png, "image/png")) for i, png in enumerate(pngs)
                    ],
                )
                assert answer.status_code == 200
    stored = sorted(p.name for p in (folder / "images").iterdir())
    assert len(stored) == 16 + 1  # each input once, and the (same) output once
    assert len(list(folder.glob("*.json"))) == 2


def test_replay_strict_names_the_closest_recording(recorded: Any) -> None:
    folder, _ = recorded
    config = Config(replay=str(folder), replay_strict=True)
    with EmulatorServer(config) as replay:
        client = replay.client(max_retries=0)
        with pytest.raises(openai.BadRequestError) as refused:
            client.images.generate(model="gpt-image-2", prompt="an otter", quality="medium")
    error = refused.value.body
    assert error["code"] == "no_recording" and error["type"] == "emulator_error"  # type: ignore[index]
    assert "00001-v1-images-generations" in error["message"]  # type: ignore[index]
    assert "json.quality" in error["message"]  # type: ignore[index]


def test_an_unrecorded_request_is_emulated_unless_strict(recorded: Any) -> None:
    folder, _ = recorded
    with EmulatorServer(Config(replay=str(folder), replay_ignore="user")) as replay:
        client = replay.client(max_retries=0)
        fresh = client.images.generate(model="gpt-image-2", prompt="a new prompt", quality="low")
        ignored = client.images.generate(
            model="gpt-image-2", prompt="an otter", quality="low", user="someone"
        )
        entries = replay.emulator.requests()
    assert fresh.data and ignored.data
    assert [e.origin for e in entries] == ["emulated", "replayed"]


def test_drift_finds_a_planted_difference(recorded: Any) -> None:
    folder, _ = recorded
    command = [sys.executable, "-m", "emulator", "drift", str(folder)]
    clean = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert f"{len(EXCHANGES)} of {len(EXCHANGES)} recordings agree" in clean.stdout
    first = sorted(folder.glob("*.json"))[0]
    data = json.loads(first.read_text())
    data["response"]["body"]["usage"]["output_tokens"] += 1  # planted
    data["response"]["body"]["data"][0]["b64_json"] = data["response"]["body"]["data"][0][
        "b64_json"
    ]
    first.write_text(json.dumps(data))
    planted = subprocess.run([*command, "--json"], capture_output=True, text=True, timeout=120)
    assert planted.returncode == 1
    report = json.loads(planted.stdout)
    assert report["contract_differences"] >= 1
    (finding,) = [r for r in report["recordings"] if r["differences"]]
    assert finding["recording"] == first.stem
    assert any(
        ".usage.output_tokens" in d["what"] and d["grade"] == "contract"
        for d in finding["differences"]
    )


def test_an_unreachable_upstream_is_the_emulator_s_502(tmp_path: Path) -> None:
    config = Config(record=str(tmp_path), upstream="http://127.0.0.1:9")
    with EmulatorServer(config) as proxy, through(proxy) as http:
        answer = http.post(GEN, json={"model": "gpt-image-2", "prompt": "x"})
    assert answer.status_code == 502
    assert answer.json()["error"]["code"] == "upstream_unreachable"


def test_a_replayed_url_image_is_served_by_the_replaying_emulator(tmp_path: Path) -> None:
    folder = tmp_path / "urls"
    with EmulatorServer(as_of="latest") as upstream:
        config = Config(record=str(folder), upstream=upstream.base_url)
        with EmulatorServer(config) as proxy, through(proxy) as http:
            recorded = http.post(GEN, json={"model": "dall-e-2", "prompt": "x", "size": "256x256"})
            original = httpx.get(recorded.json()["data"][0]["url"]).content
    with EmulatorServer(Config(replay=str(folder))) as replay, through(replay) as http:
        again = http.post(GEN, json={"model": "dall-e-2", "prompt": "x", "size": "256x256"})
        url = again.json()["data"][0]["url"]
        assert url.startswith(replay.base_url)
        served = httpx.get(url).content
    assert served == original
    assert np.asarray(Image.open(__import__("io").BytesIO(served))).shape == (256, 256, 3)


def test_the_sdk_through_the_proxy(tmp_path: Path) -> None:
    with EmulatorServer(as_of="latest") as upstream:
        config = Config(record=str(tmp_path), upstream=upstream.base_url)
        with EmulatorServer(config) as proxy:
            client = proxy.client(api_key=KEY, max_retries=0)
            file = client.files.create(
                file=("in.png", solid(32, 32), "image/png"), purpose="vision"
            )
            assert client.files.content(file.id).content == solid(32, 32)
            with pytest.raises(openai.BadRequestError):  # refusals come back unchanged too
                client.images.generate(model="gpt-image-2", prompt="x", size="1000x1000")
    assert len(list(tmp_path.glob("*.json"))) == 3


def test_the_inspector_says_replayed(recorded: Any) -> None:
    from .browser import chromium

    folder, _ = recorded
    with EmulatorServer(Config(replay=str(folder))) as replay, chromium() as browser:
        client = replay.client(max_retries=0)
        client.images.generate(model="gpt-image-2", prompt="an otter", quality="low")
        client.images.generate(model="gpt-image-2", prompt="not recorded", quality="low")
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"{replay.base_url}/_emulator/")
        page.wait_for_function("document.querySelectorAll('#rows tr').length === 2")
        badges = page.eval_on_selector_all(
            "#rows tr", "trs => trs.map(tr => tr.querySelector('.origin')?.textContent ?? '')"
        )
        assert badges == ["", "replayed"]  # newest first: the unrecorded one was emulated
        page.click("#rows tr:last-child")
        page.wait_for_selector("#detail-body .origin-note")
        assert "replayed (00001-v1-images-generations)" in page.inner_text("#detail-body")


@pytest.mark.parametrize("suffix", ["", "/", "/v1", "/v1/"])
def test_the_upstream_with_or_without_v1(tmp_path: Path, suffix: str) -> None:
    # OPENAI_BASE_URL is usually written with /v1; request paths bring their own.
    with EmulatorServer() as upstream:
        config = Config(record=str(tmp_path), upstream=upstream.base_url + suffix)
        with EmulatorServer(config) as proxy, through(proxy) as http:
            path, request = EXCHANGES[0]
            answer = http.post(path, **request)
        (entry,) = upstream.emulator.requests()
    assert answer.status_code == 200, answer.text
    assert entry.path == "/v1/images/generations"


@contextmanager
def echoing_upstream() -> Iterator[str]:
    """An upstream that echoes whatever key it was sent: in its error message and its
    x-request-id (as a careless proxy in front of the real API might)."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from threading import Thread
    from urllib.parse import parse_qs, urlsplit

    class Echo(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length", 0)))
            in_query = parse_qs(urlsplit(self.path).query).get("api_key", [""])[0]
            key = in_query or self.headers.get("authorization", "").removeprefix("Bearer ")
            data = json.dumps({"error": {"message": f"Incorrect API key provided: {key}."}})
            self.send_response(401)
            self.send_header("content-type", "application/json")
            self.send_header("x-request-id", f"req_{key}")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data.encode())

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_the_recorder_writes_no_key_even_where_the_upstream_echoes_it(tmp_path: Path) -> None:
    secret = "sk-proj-ECHOED0123456789abcdef"
    with echoing_upstream() as upstream:
        config = Config(record=str(tmp_path), upstream=upstream)
        with EmulatorServer(config) as proxy:
            body = {"model": "gpt-image-2", "prompt": "x"}
            in_header = httpx.post(f"{proxy.base_url}/v1/images/generations", json=body,
                                   headers={"Authorization": f"Bearer {secret}"})  # fmt: skip
            other = {"Authorization": "Bearer sk-other-key-1"}
            in_query = httpx.post(f"{proxy.base_url}/v1/images/generations?api_key={secret}",
                                  json=body, headers=other)  # fmt: skip
    assert secret in in_header.text and secret in in_query.text  # the caller sees the echo
    written = [p.read_text() for p in tmp_path.rglob("*.json")]
    assert len(written) == 2
    for text in written:
        assert secret not in text and "sk-other-key-1" not in text
        assert "<redacted>" in text
