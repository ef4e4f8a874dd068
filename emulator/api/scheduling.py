"""Where a job's pictures are drawn: by a render worker while other requests wait (a hand-over
is worth it only then), else on the event loop (a small PNG card) or in a thread, at most one
render per core at a time."""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import os
import time
from typing import TYPE_CHECKING

import anyio.to_thread

from ..jobs.base import ImageJob
from ..jobs.generation import GenerationJob, draw_elsewhere
from ..jobs.workers import RenderWorkers, WorkerGone

if TYPE_CHECKING:
    from .pipeline import Call

log = logging.getLogger("emulator")


# Renders at once in threads: one per core. More only queue for the GIL (the Python between
# the encoders' GIL-free stretches) and make every one of them slower.
RENDERS = anyio.CapacityLimiter(os.cpu_count() or 2)


class InFlight:
    """How many API requests this process is answering now (all apps in it together: they
    share its cores), and when one last began while another was answered: a render worker
    is worth its hand-over only when others wait."""

    count = 0
    overlapped_at = -math.inf  # time.monotonic()


# How long requests count as overlapping after two last did: under a steady load from several
# clients, hand-overs keep them overlapping; a single client's requests never overlap.
OVERLAP_MEMORY_SECONDS = 0.05


async def rendered(call: Call, job: ImageJob) -> list[bytes]:
    """The job's images: by a render worker while other requests wait, else on the event
    loop (a small PNG card) or in a thread."""
    workers: RenderWorkers | None = getattr(call.request.app.state, "render_workers", None)
    workers = workers if workers is not None and workers.ready else None
    if workers is not None and isinstance(job, GenerationJob) and job.drawn_anywhere:
        if InFlight.count == 1 and not _overlapping():
            # A request on the event loop runs to its end in one go: requests already read
            # start only if it lets them, and only then do they count.
            await asyncio.sleep(0)
        if InFlight.count > 1 or _overlapping():
            try:
                return await draw_elsewhere(job, functools.partial(workers.draw, quick=job.quick))
            except WorkerGone as gone:
                log.warning("drawing in-process: %s", gone)
    if job.quick:
        return job.render_images()
    return await anyio.to_thread.run_sync(job.render_images, limiter=RENDERS)


def _overlapping() -> bool:
    return time.monotonic() - InFlight.overlapped_at < OVERLAP_MEMORY_SECONDS
