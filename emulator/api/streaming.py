"""Streamed answers: partial images, then the finished one, as server-sent events (§7).

For each image: ``partial_images`` frames that approach the final picture (pixelated with
blocks that halve each time), then the ``completed`` event with the image and its usage.
Each frame is encoded and sent before the next is made, and the final image is encoded
only after its partials went out. A client that disconnects cancels the generator, so no
further frame is made. No ``[DONE]`` sentinel: the official examples send none.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable

import anyio
import anyio.to_thread
import numpy as np
import pybase64
from PIL import Image
from starlette.types import Receive, Scope, Send

from ..contract.usage import with_partial_images
from ..jobs.base import PromptedJob
from ..render import encode

EVENT_PREFIX = {"generations": "image_generation", "edits": "image_edit"}


def partial_picture(final: np.ndarray, step: int, steps: int) -> np.ndarray:
    """Frame ``step`` of ``steps``: the final picture in blocks of 8 × 2^(steps-1-step) px."""
    block = 8 * 2 ** (steps - 1 - step)
    height, width, channels = final.shape
    image = Image.fromarray(final, "RGBA" if channels == 4 else "RGB")
    small = image.resize((max(1, width // block), max(1, height // block)), Image.Resampling.BOX)
    return np.asarray(small.resize((width, height), Image.Resampling.NEAREST))


def sse(event: str, payload: dict[str, object]) -> bytes:
    data = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    return f"event: {event}\ndata: {data}\n\n".encode()


async def image_events(
    job: PromptedJob,
    endpoint: str,
    created_at: int,
    delay_seconds: float = 0.0,
    on_event: Callable[[], None] | None = None,
    on_image: Callable[[bytes], None] | None = None,
    on_partial: Callable[[bytes], None] | None = None,
) -> AsyncIterator[bytes]:
    prefix = EVENT_PREFIX[endpoint]
    common = {
        "created_at": created_at,
        "size": job.size,
        "quality": job.quality,
        "background": job.background,
        "output_format": job.output_format,
    }

    def reported(data: bytes, report: Callable[[bytes], None] | None) -> str:
        if report:
            report(data)
        return pybase64.b64encode(data).decode()

    def encoded_final(pixels: np.ndarray, index: int) -> str:  # the bytes a plain answer has
        return reported(job.encoded(index, pixels), on_image)

    def encoded_partial(final: np.ndarray, step: int) -> str:
        frame = partial_picture(final, step, job.partial_images)
        return reported(encode(frame, job.output_format, job.output_compression), on_partial)

    pause = False
    for index in range(job.n):
        final = await anyio.to_thread.run_sync(job.picture, index)
        for step in range(job.partial_images + 1):
            if pause and delay_seconds:
                await asyncio.sleep(delay_seconds)
            pause = True
            extra: dict[str, object]
            if step < job.partial_images:
                frame = await anyio.to_thread.run_sync(encoded_partial, final, step)
                event, extra = f"{prefix}.partial_image", {"partial_image_index": step}
            else:
                frame = await anyio.to_thread.run_sync(encoded_final, final, index)
                usage = with_partial_images(job.usage(images=1) or {}, job.model, step)
                event, extra = f"{prefix}.completed", {"usage": usage}
                if job.safety_identifier is not None:
                    extra["safety_identifier"] = job.safety_identifier
            yield sse(event, {"type": event, "b64_json": frame, **common, **extra})
            if on_event:
                on_event()


class EventStream:
    """An ASGI response for ``image_events``: stops making frames when the client leaves.

    A task watches for ``http.disconnect`` and cancels the stream; a send that fails because
    the peer is gone ends it quietly too. Neither is an error worth a log line.
    """

    def __init__(self, events: AsyncIterator[bytes], headers: dict[str, str] | None = None) -> None:
        self.events = events
        # Called once the stream has ended, however it ended (the journal prices it then).
        self.on_end: Callable[[], None] | None = None
        self.headers = {"content-type": "text/event-stream", "cache-control": "no-cache"}
        self.headers.update(headers or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw_headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in self.headers.items()]
        await send({"type": "http.response.start", "status": 200, "headers": raw_headers})
        async with anyio.create_task_group() as group:

            async def watch_for_disconnect() -> None:
                while (await receive())["type"] != "http.disconnect":
                    pass
                group.cancel_scope.cancel()

            group.start_soon(watch_for_disconnect)
            try:
                async for chunk in self.events:
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
                await send({"type": "http.response.body", "body": b"", "more_body": False})
            except OSError:  # the client went away between our check and the send
                pass
            finally:
                await _close(self.events)
                if self.on_end is not None:
                    self.on_end()
            group.cancel_scope.cancel()


async def _close(events: AsyncIterator[bytes]) -> None:
    close = getattr(events, "aclose", None)
    if close is not None:
        with anyio.CancelScope(shield=True):
            await close()
