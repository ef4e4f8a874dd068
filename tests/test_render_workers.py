"""Render worker processes draw the same bytes as the server would, and never lose an answer.

The workers (``emulator.jobs.workers``) get a picture's scene, format and compression and
hand back its bytes; while other requests wait, the pipeline hands them large renders.
"""

from __future__ import annotations

import asyncio
import base64
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import openai
import pytest
from PIL import Image

from emulator import Config, cli, create_app
from emulator.contract.catalog import CATALOG
from emulator.contract.validation import check_request
from emulator.inprocess import openai_client
from emulator.jobs import workers as workers_module
from emulator.jobs.generation import GenerationJob, Picture, encoded_picture
from emulator.jobs.workers import RenderWorkers, WorkerGone
from emulator.render import render
from emulator.server import EmulatorServer

from .images import decode
from .latest import latest


def pictures(**asked: object) -> list[Picture]:
    body = {"model": "gpt-image-2", "prompt": "an otter at dusk", "quality": "low"} | asked
    job = GenerationJob.from_request(check_request(body, "generations", CATALOG))
    return [job.picture_of(index) for index in range(job.n)]


CASES = [
    pictures(),
    pictures(size="1536x1024", output_format="jpeg", output_compression=60),
    pictures(background="transparent", output_format="webp", n=2),
]


async def _drawn_by_workers(batches: list[list[Picture]]) -> list[list[bytes]]:
    workers = RenderWorkers(2)
    await workers.start()
    try:
        assert workers.ready and len(workers.processes) == 2
        answers = await asyncio.gather(*(workers.draw(batch) for batch in batches))
        assert workers.drawn == sum(map(len, batches))
        return answers
    finally:
        await workers.aclose()
        assert not any(process.is_alive() for process in workers.processes)


async def _quick_and_large() -> tuple[list[int], list[int]]:
    """Pictures each of two workers drew: twelve quick cards at once, then twelve large."""
    workers = RenderWorkers(2)
    await workers.start()
    try:
        cards = [pictures(prompt=f"a quick card {i}") for i in range(12)]
        await asyncio.gather(*(workers.draw(card, quick=True) for card in cards))
        after_cards = workers.drawn_by
        large = [pictures(prompt=f"a large one {i}", size="1536x1024") for i in range(12)]
        await asyncio.gather(*(workers.draw(picture) for picture in large))
        return after_cards, workers.drawn_by
    finally:
        await workers.aclose()


def test_quick_cards_leave_a_core_to_the_server_large_renders_take_every_worker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On two cores one worker takes the quick cards (the server's process needs the other
    core); large renders go to every worker."""
    monkeypatch.setattr(workers_module, "QUICK_WORKERS", 1)
    after_cards, after_large = asyncio.run(_quick_and_large())
    assert after_cards == [12, 0]
    assert after_large[0] >= 12 and after_large[1] > 0 and sum(after_large) == 24


def test_workers_draw_the_bytes_the_server_would_draw() -> None:
    answers = asyncio.run(_drawn_by_workers(CASES))
    for batch, drawn in zip(CASES, answers, strict=True):
        assert drawn == [encoded_picture(*picture) for picture in batch]
        for (scene, output_format, _), data in zip(batch, drawn, strict=True):
            image = Image.open(io.BytesIO(data))
            assert image.format == output_format.upper() and image.size == (
                scene.width,
                scene.height,
            )
            if output_format == "png":  # lossless: exactly the scene's pixels
                assert np.array_equal(np.asarray(image), render(scene))
            if scene.transparent:
                assert image.mode == "RGBA"
                alpha = np.asarray(image)[..., 3]
                assert alpha.min() == 0 and alpha.max() == 255


async def _after_a_worker_dies() -> tuple[BaseException | None, list[bytes]]:
    workers = RenderWorkers(1)
    await workers.start()
    try:
        workers.processes[0].kill()
        workers.processes[0].join(5)
        gone: BaseException | None = None
        try:
            await asyncio.wait_for(workers.draw(CASES[0]), 10)
        except WorkerGone as error:
            gone = error
        # Nothing left to draw with: refused at once, never a hang.
        with pytest.raises(WorkerGone):
            await asyncio.wait_for(workers.draw(CASES[0]), 10)
        assert not workers.ready
        return gone, [encoded_picture(*picture) for picture in CASES[0]]
    finally:
        await workers.aclose()


def test_a_dead_worker_fails_its_pictures_and_takes_no_more() -> None:
    gone, drawn_here = asyncio.run(_after_a_worker_dies())
    assert isinstance(gone, WorkerGone)
    assert decode_png_size(drawn_here[0]) == (1024, 1024)


def decode_png_size(data: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(data)).size


def _started_workers(server: EmulatorServer) -> RenderWorkers:
    """The served app's render workers, once up (they start in the background)."""
    workers = server.app.state.render_workers
    assert isinstance(workers, RenderWorkers)
    for _ in range(200):
        if workers.ready:
            break
        time.sleep(0.05)
    assert workers.ready
    return workers


def test_the_server_hands_large_renders_to_workers_while_others_wait() -> None:
    config = latest().with_overrides(render_workers=1)
    asked = {"model": "gpt-image-2", "quality": "low", "size": "1536x1024", "output_format": "jpeg"}
    with EmulatorServer(config) as server:
        workers = _started_workers(server)
        client = server.client(max_retries=0)

        def generate(i: int) -> bytes:
            result = client.images.generate(prompt=f"a heron {i}", **asked)  # type: ignore[arg-type]
            assert result.data
            image = decode(result.data[0].b64_json)
            assert image.size == (1536, 1024) and image.format == "JPEG"
            return image.tobytes()

        with ThreadPoolExecutor(6) as pool:
            together = list(pool.map(generate, range(12)))
        assert workers.drawn > 0  # some went to the worker: others were waiting
        for i, pixels in enumerate(together):  # what the server draws itself, pixel for pixel
            picture = pictures(prompt=f"a heron {i}", **asked)[0]
            assert pixels == Image.open(io.BytesIO(encoded_picture(*picture))).tobytes()
        assert all(entry.status == 200 for entry in server.emulator.journal.entries())
    assert not any(process.is_alive() for process in workers.processes)


def test_quick_cards_go_to_workers_only_while_requests_overlap() -> None:
    """A 1024x1024 PNG card is drawn on the event loop in one go, so no request waits for
    it: from one client it stays in the server's process; from several at once, requests
    overlap and the cards go to the workers (with the pixels the server would draw)."""
    config = latest().with_overrides(render_workers=1)
    asked = {"model": "gpt-image-2", "quality": "low"}
    with EmulatorServer(config) as server:
        workers = _started_workers(server)
        client = server.client(max_retries=0)

        def generate(prompt: str) -> bytes:
            result = client.images.generate(prompt=prompt, **asked)  # type: ignore[arg-type]
            assert result.data
            image = decode(result.data[0].b64_json)
            assert image.size == (1024, 1024) and image.format == "PNG" and image.mode == "RGB"
            return image.tobytes()

        for i in range(12):  # one client, one request at a time
            generate(f"a lone heron {i}")
        assert workers.drawn == 0
        prompts = [f"a crowd of herons {i}" for i in range(48)]
        with ThreadPoolExecutor(8) as pool:
            together = list(pool.map(generate, prompts))
        assert workers.drawn > 0  # requests overlapped: some cards went to the worker
        for prompt, pixels in zip(prompts, together, strict=True):
            picture = pictures(prompt=prompt, **asked)[0]
            assert pixels == render(picture[0]).tobytes()
        time.sleep(0.2)  # longer than overlaps are remembered
        drawn = workers.drawn
        for i in range(6):
            generate(f"a lone heron again {i}")
        assert workers.drawn == drawn  # one client again: drawn in the server's process
        assert all(entry.status == 200 for entry in server.emulator.journal.entries())


def test_a_worker_per_core_from_the_command_line_none_in_process() -> None:
    assert Config().render_workers == -1
    assert cli.served(Config()).render_workers == (os.cpu_count() or 1)
    assert cli.served(Config(render_workers=0)).render_workers == 0
    with EmulatorServer(latest()) as server:
        assert server.app.state.render_workers is None


def _children(pid: int) -> set[int]:
    found = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return {int(line) for line in found.stdout.split()}


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.skipif(shutil.which("ps") is None, reason="needs ps to see the worker processes")
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_the_command_line_starts_workers_answers_and_leaves_none_behind(stop: int) -> None:
    """Stopped as a service manager or a terminal stops it: the workers end with the server,
    which says nothing more than its shutdown (no traceback, as uvicorn's own command)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
    command = [sys.executable, "-m", "emulator", "--port", str(port), "--render-workers", "2",
               "--log-level", "warning"]  # fmt: skip
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        client = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="sk-cli")
        deadline = time.monotonic() + 30
        while len(_children(server.pid)) < 2:  # spawned a moment after the start
            assert time.monotonic() < deadline and server.poll() is None, "no workers started"
            time.sleep(0.1)
        workers = _children(server.pid)

        def generate(i: int) -> tuple[int, int]:
            result = client.images.generate(
                model="gpt-image-2", prompt=f"a kite {i}", size="1536x1024", quality="low",
                output_format="jpeg",
            )  # fmt: skip
            assert result.data
            image = decode(result.data[0].b64_json)
            assert image.format == "JPEG"
            return image.size

        with ThreadPoolExecutor(4) as pool:
            assert list(pool.map(generate, range(8))) == [(1536, 1024)] * 8
    finally:
        server.send_signal(stop)
        server.wait(timeout=15)
    assert server.returncode in (0, -stop)  # its own exit, or the signal's once shut down
    deadline = time.monotonic() + 10
    while not all(_gone(pid) for pid in workers):
        assert time.monotonic() < deadline, "worker processes outlived the server"
        time.sleep(0.1)
    output = server.stdout.read().decode() if server.stdout else ""
    assert "Traceback" not in output, output


def test_the_responses_tool_s_images_go_to_the_workers_too() -> None:
    """The Responses API draws through the same path as the Images API: while requests
    overlap its generations go to a render worker, with the bytes an in-process draw gives."""
    config = latest().with_overrides(render_workers=1)
    tool = [{"type": "image_generation", "model": "gpt-image-2", "quality": "low",
             "size": "1536x1024", "output_format": "jpeg"}]  # fmt: skip
    with EmulatorServer(config) as server:
        workers = _started_workers(server)
        client = server.client(max_retries=0)

        def draw(i: int) -> bytes:
            response = client.responses.create(
                model="gpt-5.4", input=f"Draw a heron {i}", tools=tool, tool_choice="required"
            )
            call = next(item for item in response.output if item.type == "image_generation_call")
            return base64.b64decode(call.result or "")

        with ThreadPoolExecutor(6) as pool:
            together = list(pool.map(draw, range(12)))
        assert workers.drawn > 0
    alone = openai_client(create_app(latest()), max_retries=0)
    for i, data in enumerate(together):
        again = alone.responses.create(
            model="gpt-5.4", input=f"Draw a heron {i}", tools=tool, tool_choice="required"
        )
        call = next(item for item in again.output if item.type == "image_generation_call")
        assert base64.b64decode(call.result or "") == data  # same bytes either way
        assert Image.open(io.BytesIO(data)).size == (1536, 1024)
