"""``--data-dir``: state kept across a clean stop and a SIGKILL, one server per folder, a
version the folder records, nothing written without it."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import openai
import pytest

from emulator import Config
from emulator.server import EmulatorServer
from emulator.testdouble.data_dir import DATABASE, DataDir, DataDirError

from .images import decode

ROOT = Path(__file__).parents[1]
DRAW = [{"type": "image_generation", "quality": "low"}]


def _line(number: int) -> bytes:
    body = {"model": "gpt-image-2", "prompt": f"kite {number}", "quality": "low",
            "size": "1024x1024"}  # fmt: skip
    row = {"custom_id": f"line-{number}", "method": "POST", "url": "/v1/images/generations",
           "body": body}  # fmt: skip
    return json.dumps(row).encode() + b"\n"


def test_everything_comes_back_after_a_clean_stop(tmp_path: Path) -> None:
    config = Config(data_dir=str(tmp_path / "state"))
    payload = os.urandom(200_000)
    with EmulatorServer(config) as first:
        sdk = first.client(max_retries=0)
        kept = sdk.files.create(file=("blob.bin", io.BytesIO(payload)), purpose="user_data")
        drawn = sdk.responses.create(model="gpt-5.4", input="Draw a kite", tools=DRAW)  # type: ignore[arg-type]
        team = first.client(max_retries=0, default_headers={"x-emulator-namespace": "team-b"})
        theirs = team.files.create(file=("b.txt", io.BytesIO(b"b")), purpose="user_data")
        batch_input = sdk.files.create(file=("in.jsonl", io.BytesIO(_line(1))), purpose="batch")
        batch = sdk.batches.create(
            input_file_id=batch_input.id, endpoint="/v1/images/generations",
            completion_window="24h",
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while sdk.batches.retrieve(batch.id).status != "completed":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        first.emulator.clock.freeze(at=1_900_000_000)
    with EmulatorServer(config) as again:
        sdk = again.client(max_retries=0)
        assert sdk.files.content(kept.id).read() == payload  # byte-identical
        back = sdk.responses.retrieve(drawn.id)
        assert back.output[0].result == drawn.output[0].result  # type: ignore[union-attr]
        done = sdk.batches.retrieve(batch.id)
        assert done.status == "completed" and done.output_file_id
        rows = sdk.files.content(done.output_file_id).read().splitlines()
        assert [json.loads(r)["custom_id"] for r in rows] == ["line-1"]
        team = again.client(max_retries=0, default_headers={"x-emulator-namespace": "team-b"})
        assert [f.id for f in team.files.list()] == [theirs.id]
        assert theirs.id not in [f.id for f in sdk.files.list()]  # namespaces apart
        assert again.emulator.clock.now() == 1_900_000_000 and again.emulator.clock.frozen
        went_on = sdk.responses.create(
            model="gpt-5.4", previous_response_id=drawn.id, input="Now add a hat", tools=DRAW,  # type: ignore[arg-type]
        )  # fmt: skip
        call = went_on.output[0]
        assert call.type == "image_generation_call" and call.action == "edit"  # type: ignore[union-attr]
        assert decode(call.result).size == (1024, 1024)
        shown = sdk.get("/../_emulator/config", cast_to=dict)  # type: ignore[type-var]
        assert shown["data_dir_bytes"] > len(payload)
    with EmulatorServer(config) as third:  # a reset empties the folder too
        third.emulator.reset()
    with EmulatorServer(config) as fourth:
        assert fourth.client().files.list().data == []


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(folder: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "emulator", "--port", str(port), "--data-dir", str(folder),
               "--log-level", "warning", "--as-of", "latest"]  # fmt: skip
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise AssertionError("the emulator did not start")


def test_a_batch_killed_mid_run_completes_with_every_line_once(tmp_path: Path) -> None:
    folder, port = tmp_path / "state", _free_port()
    process = _serve(folder, port)
    sdk = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="k", max_retries=0)
    data = b"".join(_line(n) for n in range(120))
    uploaded = sdk.files.create(file=("in.jsonl", io.BytesIO(data)), purpose="batch")
    batch = sdk.batches.create(
        input_file_id=uploaded.id, endpoint="/v1/images/generations", completion_window="24h"
    )
    deadline = time.monotonic() + 30
    while (sdk.batches.retrieve(batch.id).request_counts.completed or 0) < 10:  # type: ignore[union-attr]
        assert time.monotonic() < deadline
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    answered = (
        sqlite3.connect(folder / DATABASE)
        .execute("SELECT count(*) FROM batch_answers")
        .fetchone()[0]
    )
    assert answered < 120  # killed in the middle (the disk may trail the counts shown)
    process = _serve(folder, port)
    try:
        deadline = time.monotonic() + 60
        while (found := sdk.batches.retrieve(batch.id)).status != "completed":
            assert time.monotonic() < deadline, found.status
            time.sleep(0.05)
        assert found.request_counts.completed == 120  # type: ignore[union-attr]
        rows = sdk.files.content(found.output_file_id).read().splitlines()  # type: ignore[arg-type]
        ids = sorted(json.loads(row)["custom_id"] for row in rows)
        assert ids == sorted(f"line-{n}" for n in range(120))  # each exactly once
        assert sdk.files.content(uploaded.id).read() == data
        second = subprocess.run(
            [sys.executable, "-m", "emulator", "--port", str(_free_port()), "--data-dir",
             str(folder)], env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True, text=True, timeout=30,
        )  # fmt: skip
        assert second.returncode != 0 and "in use by another emulator" in second.stderr
        assert sdk.batches.retrieve(batch.id).status == "completed"  # the first unharmed
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)


def test_a_newer_folder_is_refused_and_an_older_one_read(tmp_path: Path) -> None:
    folder = tmp_path / "state"
    DataDir(folder).close()
    db = sqlite3.connect(folder / DATABASE)
    db.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    db.commit()
    db.close()
    with pytest.raises(DataDirError, match="newer emulator"):
        DataDir(folder)
    held = DataDir(tmp_path / "other")
    with pytest.raises(DataDirError, match="in use"):
        DataDir(tmp_path / "other")
    held.close()
    DataDir(tmp_path / "other").close()  # free again once closed


def test_without_data_dir_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with EmulatorServer(Config()) as plain:
        sdk = plain.client(max_retries=0)
        sdk.files.create(file=("a.txt", io.BytesIO(b"a")), purpose="user_data")
    assert list(tmp_path.iterdir()) == []


def test_a_background_response_a_restart_interrupted_comes_back_failed(tmp_path: Path) -> None:
    config = Config(data_dir=str(tmp_path / "state"))
    with EmulatorServer(config) as first:
        first.emulator.clock.freeze()  # held queued
        held = first.client(max_retries=0).responses.create(
            model="gpt-5.4", input="Draw a kite", tools=DRAW, background=True,  # type: ignore[arg-type]
            extra_headers={"x-emulator-background-delay-seconds": "60"},
        )  # fmt: skip
        assert held.status == "queued"
    with EmulatorServer(config) as again:
        back = again.client(max_retries=0).responses.retrieve(held.id)
        assert back.status == "failed" and back.error is not None
        assert back.error.code == "server_error"


def test_sigkills_during_uploads_lose_nothing_acknowledged(tmp_path: Path) -> None:
    import random
    import threading

    folder, port = tmp_path / "state", _free_port()
    acknowledged: dict[str, bytes] = {}
    chance = random.Random(34)
    for _ in range(4):
        process = _serve(folder, port)
        sdk = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="k", max_retries=0)
        for file_id, data in acknowledged.items():  # every acknowledged upload, whole
            assert sdk.files.content(file_id).read() == data
        stop = threading.Event()

        def upload(sdk: openai.OpenAI = sdk, stop: threading.Event = stop) -> None:
            while not stop.is_set():
                data = os.urandom(chance.randint(1, 300_000))
                try:
                    made = sdk.files.create(file=("x.bin", io.BytesIO(data)), purpose="user_data")
                except openai.APIError:
                    return  # killed while it was sent: never acknowledged
                acknowledged[made.id] = data

        uploader = threading.Thread(target=upload)
        uploader.start()
        time.sleep(chance.uniform(0.2, 0.6))
        process.send_signal(signal.SIGKILL)
        process.wait()
        stop.set()
        uploader.join(timeout=20)
        sdk.close()
    process = _serve(folder, port)
    try:
        sdk = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="k", max_retries=0)
        assert len(acknowledged) >= 4
        listed = {f.id for f in sdk.files.list()}
        assert set(acknowledged) <= listed
        for file_id, data in acknowledged.items():
            assert sdk.files.content(file_id).read() == data
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
