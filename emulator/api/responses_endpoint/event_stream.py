"""The answer as server-sent events, in the recorded order, with partial images."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import anyio.to_thread
import numpy as np
import pybase64

from ...contract import errors
from ...contract.specs import ResponsesRules
from ...jobs.base import PromptedJob
from ...render import encode
from ...testdouble.clock import held_until
from ...testdouble.stores import BackgroundRun
from ..pipeline import Call
from ..scheduling import rendered
from ..streaming import partial_picture
from .answer import (
    Answer,
    completed_answer,
    failed_object,
    keep,
    message_item,
    response_object,
)
from .turn_input import Turn

# --- streaming ----------------------------------------------------------------------------------


def sse_event(event: dict[str, object], rules: ResponsesRules) -> bytes:
    """One server-sent event; its keys in the order of the day (``rules.sorted_event_keys``:
    type first, the rest sorted, sequence_number last)."""
    if rules.sorted_event_keys:
        rest = {k: event[k] for k in sorted(event) if k not in ("type", "sequence_number")}
        event = {"type": event["type"], **rest, "sequence_number": event["sequence_number"]}
    return f"event: {event['type']}\ndata: {json.dumps(event, ensure_ascii=False)}\n\n".encode()


def _function_call_events(item: dict[str, object], index: int) -> list[dict[str, object]]:
    """A function call's events: the item added, its arguments in deltas, done, the item."""
    arguments = str(item["arguments"])
    item_id = item["id"]
    pieces = [arguments[i : i + 24] for i in range(0, len(arguments), 24)] or [""]
    made: list[dict[str, object]] = [
        {
            "type": "response.output_item.added",
            "output_index": index,
            "item": {**item, "status": "in_progress", "arguments": ""},
        }
    ]
    made += [
        {
            "type": "response.function_call_arguments.delta",
            "item_id": item_id,
            "output_index": index,
            "delta": piece,
        }
        for piece in pieces
    ]
    made.append(
        {
            "type": "response.function_call_arguments.done",
            "item_id": item_id,
            "output_index": index,
            "arguments": arguments,
        }
    )
    made.append({"type": "response.output_item.done", "output_index": index, "item": item})
    return made


def _message_events(
    message: dict[str, object], text: str, refusal: str | None, index: int
) -> list[dict[str, object]]:
    """The assistant message's events: added, its one part (text in word deltas, or a
    refusal), done."""
    message_id = message["id"]
    at = {"item_id": message_id, "output_index": index, "content_index": 0}
    empty: dict[str, object] = {
        "type": "output_text",
        "annotations": [],
        "logprobs": [],
        "text": "",
    }
    added = message_item(str(message_id), "", status="in_progress", phase="phase" in message)
    made: list[dict[str, object]] = [
        {"type": "response.output_item.added", "output_index": index, "item": added}
    ]
    if refusal is not None:
        part: dict[str, object] = {"type": "refusal", "refusal": ""}
        made.append({"type": "response.content_part.added", **at, "part": part})
        made.append({"type": "response.refusal.delta", **at, "delta": refusal})
        made.append({"type": "response.refusal.done", **at, "refusal": refusal})
        made.append(
            {"type": "response.content_part.done", **at, "part": {**part, "refusal": refusal}}
        )
    else:
        made.append({"type": "response.content_part.added", **at, "part": empty})
        words = text.split(" ") if text else []
        for position, word in enumerate(words):
            delta = word if position == 0 else " " + word
            made.append(
                {"type": "response.output_text.delta", **at, "delta": delta, "logprobs": []}
            )
        made.append({"type": "response.output_text.done", **at, "text": text, "logprobs": []})
        made.append({"type": "response.content_part.done", **at, "part": {**empty, "text": text}})
    made.append({"type": "response.output_item.done", "output_index": index, "item": message})
    return made


async def events(
    call: Call,
    answer: Answer,
    turn: Turn,
    job: PromptedJob | None,
    offered: bool,
    created_at: int,
    run: BackgroundRun | None = None,
) -> AsyncIterator[bytes]:
    """The answer's events. A background response's (``run``) are kept on the run as they
    are made, each event that carries the response becoming its state; it is queued first,
    held there by its delay in the emulator's clock."""
    rules = answer.rules
    sequence = 0

    def event(kind: str, **fields: object) -> bytes:
        nonlocal sequence
        made = sse_event({"type": kind, "sequence_number": sequence, **fields}, rules)
        sequence += 1
        call.emulator.count_event()
        if run is not None:
            response = fields.get("response")
            run.sent(made, response if isinstance(response, dict) else None)
        return made

    if run is not None:
        queued = response_object(answer, "queued", created_at, final=False)
        yield event("response.created", response=queued)
        yield event("response.queued", response=queued)
        await held_until(call.emulator.clock, created_at + run.delay, lambda: run.finished)
        started = response_object(answer, "in_progress", created_at, final=False)
        call.entry.record_background("in_progress")
        call.emulator.journal.touch(call.entry)
    else:
        started = response_object(answer, "in_progress", created_at, final=False)
        yield event("response.created", response=started)
    yield event("response.in_progress", response=started)
    try:
        index = 0
        if answer.reasoning is not None:
            yield event("response.output_item.added", output_index=index, item=answer.reasoning)
            yield event("response.output_item.done", output_index=index, item=answer.reasoning)
            index += 1
        images: list[bytes] = []
        partials = 0
        if job is not None:
            call_id = answer.call_id
            yield event(
                "response.output_item.added",
                output_index=index,
                item={"id": call_id, "type": "image_generation_call", "status": "in_progress"},
            )
            for kind in ("in_progress", "generating"):
                yield event(
                    f"response.image_generation_call.{kind}", item_id=call_id, output_index=index
                )
            picture: np.ndarray | None = None
            if job.partial_images and job.output_format in ("png", "jpeg", "webp"):
                picture = await anyio.to_thread.run_sync(job.picture, 0)

            def partial(step: int, final: np.ndarray, image_job: PromptedJob) -> bytes:
                steps = image_job.partial_images
                frame = partial_picture(final, step, steps)
                return encode(frame, image_job.output_format, image_job.output_compression)

            for step in range(job.partial_images if picture is not None else 0):
                assert picture is not None
                frame = await anyio.to_thread.run_sync(partial, step, picture, job)
                call.entry.add_output(frame, job.media_type, partial=True)
                partials += 1
                yield event(
                    "response.image_generation_call.partial_image",
                    item_id=call_id,
                    output_index=index,
                    partial_image_index=step,
                    partial_image_b64=pybase64.b64encode(frame).decode(),
                    background=job.background,
                    output_format=job.output_format,
                    quality=job.quality,
                    size=job.size,
                )
            if picture is not None:  # drawn once for the partial images: encoded as the final
                final = picture
                images = [
                    await anyio.to_thread.run_sync(
                        encode, final, job.output_format, job.output_compression
                    )
                ]
            else:
                images = await rendered(call, job)
            yield event(
                "response.image_generation_call.completed", item_id=call_id, output_index=index
            )
        finished = completed_answer(call, answer, turn, job, images, offered, partials)
        if finished.image_call is not None:
            yield event("response.output_item.done", output_index=index, item=finished.image_call)
            index += 1
        if answer.function_call is not None:
            for chunk in _function_call_events(answer.function_call, index):
                yield event(str(chunk.pop("type")), **chunk)
        if finished.message:
            for made in _message_events(finished.message, answer.text, answer.refusal, index):
                yield event(str(made.pop("type")), **made)
        if run is not None:
            finished.completed_at = int(call.emulator.clock.now())
        body_out = response_object(finished, "completed", created_at, final=True)
        keep(call, finished, body_out, images)
        call.emulator.journal.touch(call.entry)
        yield event(f"response.{body_out['status']}", response=body_out)
    except errors.APIError as refusal:  # the work failed: the stream says so and ends
        failed = failed_object(answer, created_at, refusal)
        call.entry.record_error(refusal)
        yield event("response.failed", response=failed)
