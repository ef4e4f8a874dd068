"""Uploads are bounded and safe: limits, draining, and nothing left behind."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from starlette.testclient import TestClient

from emulator.contract.errors import APIError
from emulator.transport.multipart import FormFile, FormLimits, read_form

from .conftest import LiveServer
from .images import solid

BOUNDARY = "b0undary"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"


def form_chunks(fields: dict[str, str], file_bytes: int, chunk: int = 1 << 20) -> Iterator[bytes]:
    """A form whose one file part is ``file_bytes`` long, produced piece by piece."""
    for name, value in fields.items():
        yield (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        ).encode()
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="image"; filename="big.png"'
        "\r\nContent-Type: image/png\r\n\r\n"
    ).encode()
    yield solid(8, 8)
    sent = 0
    while sent < file_bytes:
        piece = min(chunk, file_bytes - sent)
        yield bytes(piece)
        sent += piece
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


async def as_async(chunks: Iterator[bytes], seen: list[int]) -> AsyncIterator[bytes]:
    for piece in chunks:
        seen.append(len(piece))
        yield piece


def test_a_file_over_its_limit_is_counted_not_kept() -> None:
    limits = FormLimits(file_bytes=1000, field_bytes=100, request_bytes=10_000_000)
    seen: list[int] = []
    form = asyncio.run(
        read_form(CONTENT_TYPE, as_async(form_chunks({"prompt": "x"}, 50_000), seen), limits)
    )
    try:
        (file,) = [p for p in form.parts if isinstance(p, FormFile)]
        assert file.truncated and file.size > 50_000
        assert len(file.read()) == 1000
    finally:
        form.close()


def test_a_request_over_its_limit_is_read_to_the_end_then_refused() -> None:
    limits = FormLimits(file_bytes=1000, field_bytes=100, request_bytes=20_000)
    seen: list[int] = []
    chunks = list(form_chunks({"prompt": "x"}, 200_000, chunk=10_000))
    with pytest.raises(APIError) as caught:
        asyncio.run(read_form(CONTENT_TYPE, as_async(iter(chunks), seen), limits))
    assert caught.value.status == 413
    assert len(seen) == len(chunks)  # drained: the client was never cut off


def deleted_temp_files() -> int:
    fd_dir = "/proc/self/fd"
    count = 0
    for fd in os.listdir(fd_dir):
        try:
            if "(deleted)" in os.readlink(os.path.join(fd_dir, fd)):
                count += 1
        except OSError:
            pass
    return count


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc")
def test_no_temporary_file_outlives_its_request(raw: TestClient) -> None:
    before = deleted_temp_files()
    big = solid(64, 64) + bytes(3 * 1024 * 1024)  # spills to disk, then fails the size check
    for _ in range(3):
        ok = raw.post(
            "/v1/images/edits",
            files=[("image", ("a.png", big, "image/png"))],
            data={"model": "gpt-image-1", "prompt": "x"},
        )
        refused = raw.post(
            "/v1/images/edits",
            files=[("image", ("a.png", big, "image/png"))],
            data={"model": "dall-e-2", "prompt": "x"},
        )
        assert (ok.status_code, refused.status_code) == (200, 400)
    assert deleted_temp_files() == before


def test_live_oversized_upload_gets_the_error_not_a_broken_pipe(live_server: LiveServer) -> None:
    # 120 MB streamed to a real socket: far over the 50 MB file limit.
    body = form_chunks({"model": "gpt-image-1", "prompt": "x"}, 120 * 1024 * 1024)
    response = httpx.post(
        f"{live_server.base_url}/v1/images/edits",
        content=body,
        timeout=120,
        headers={"content-type": CONTENT_TYPE, "authorization": "Bearer sk-big"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "file_too_large"
