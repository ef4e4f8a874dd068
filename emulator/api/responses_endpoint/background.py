"""Background responses (``background: true``): the create call answers ``queued`` at once
while the answer's events are made by a task and kept on a ``BackgroundRun``; a poll sees the
run's state, ``GET …?stream=true&starting_after=N`` replays its events after N (and follows
the rest), and cancel stops it. A delay in the emulator's clock
(``--background-delay-seconds``, or the create call's ``x-emulator-background-delay-seconds``)
holds it queued until the clock has moved that far: freeze the clock, then advance it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from collections.abc import AsyncIterator

from ...contract import errors
from ...jobs.base import PromptedJob
from ...testdouble.clock import asked_delay
from ...testdouble.state import Emulator
from ...testdouble.stores import BackgroundRun
from ..pipeline import Call, estimated_cost
from .answer import Answer, failed_object, keep, response_object
from .event_stream import events
from .turn_input import Turn

DELAY_HEADER = "x-emulator-background-delay-seconds"

log = logging.getLogger("emulator")


def start(
    call: Call, answer: Answer, turn: Turn, job: PromptedJob | None, offered: bool, created_at: int
) -> BackgroundRun:
    """Queue the response and start making it; the run, whose ``body`` is what the create
    call answers."""
    delay = asked_delay(
        call.request.headers.get(DELAY_HEADER, ""), call.emulator.config.background_delay_seconds
    )
    answer.background = True
    run = BackgroundRun(response_object(answer, "queued", created_at, final=False), delay)
    run.entry = call.entry
    call.emulator.background.put(run)
    call.entry.record_background("queued")
    if call.emulator.durable is not None:  # the queued response outlives a restart
        keep(call, answer, run.body, [])
    made = events(call, answer, turn, job, offered, created_at, run)
    run.task = asyncio.get_running_loop().create_task(_drive(call, run, answer, made, created_at))
    return run


async def _drive(
    call: Call, run: BackgroundRun, answer: Answer, made: AsyncIterator[bytes], created_at: int
) -> None:
    """Make every event (kept on the run as made); whatever happens, the run ends."""
    try:
        async for _ in made:
            pass
    except asyncio.CancelledError:  # a cancel (which set the state) or a reset
        return
    except Exception:  # a bug of ours must not leave the response in progress for ever
        log.exception("background response %s failed", run.id)
        failure = errors.server_error()
        call.entry.record_error(failure)
        run.end(failed_object(answer, created_at, failure))
    finally:
        call.entry.record_background(run.status)
        call.entry.record_cost(estimated_cost(call.entry, 200, call.catalog))
        call.emulator.journal.touch(call.entry)
        if run.finished and run.status != "cancelled":  # a cancel tells its own
            told(call.emulator, run)


def told(emulator: Emulator, run: BackgroundRun) -> None:
    """A background response that ended: its stored state brought up to date (a cancel or a
    failure after the queued one was kept) and its webhook event sent (response.completed,
    .failed, .incomplete or .cancelled)."""
    stored = emulator.responses.get(run.id)
    if stored is not None and stored.body.get("status") != run.status:
        data = json.dumps(run.body).encode()
        emulator.responses.put(dataclasses.replace(stored, body=run.body, data=data))
    emulator.webhooks.emit(f"response.{run.status}", run.id, int(emulator.clock.now()))


def cancelled(run: BackgroundRun) -> dict[str, object]:
    """Cancel a queued or in-progress run (one that has ended is answered as it is)."""
    if not run.finished:
        run.stop()
        run.end(run.body | {"status": "cancelled", "usage": None, "error": None})
        if run.entry is not None:
            run.entry.record_background("cancelled")
    return run.body


async def replayed(run: BackgroundRun, after: int) -> AsyncIterator[bytes]:
    """The run's events numbered above ``after``, then each new one until it ends."""
    index = max(after + 1, 0)
    while True:
        while index < len(run.events):
            yield run.events[index]
            index += 1
        if run.finished:
            return
        await run.changed()
