"""``POST /v1/responses`` and the stored responses (``GET``/``DELETE /v1/responses/{id}``,
``GET /v1/responses/{id}/input_items``): the thin endpoint that reads, plans, draws and
answers through the modules beside it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

import anyio.to_thread
from starlette.responses import Response

from ...contract import errors
from ...contract import responses_api as api
from ...contract.validation import check_params
from ...jobs.base import PromptedJob
from ...testdouble.rate_limits import estimated_tokens
from ...testdouble.stores import BackgroundRun, StoredResponse
from ...transport.wire import json_response
from ..image_refs import Sources, reference_parts, resolve
from ..paging import cursor_page
from ..pipeline import ApiEndpoint, Body, Call, admit, body_kind, found_by_path
from ..scheduling import rendered
from ..streaming import EventStream
from . import background
from .answer import (
    Answer,
    completed_answer,
    keep,
    reasoning_item,
    response_object,
)
from .event_stream import events
from .function_call import function_call_item, offered_functions
from .scripted import apply_script, scripted_decision, scripted_options
from .tool_call import decide, image_tool, plan_image, tool_model
from .turn_input import read_input

# --- create -----------------------------------------------------------------------------------


def _checked_top_level(call: Call) -> dict[str, object]:
    return check_params(
        call.body, api.REQUEST_PARAMS, required=api.REQUIRED_PARAMS, lenient=call.lenient
    )


def shown_view(body: Mapping[str, object]) -> dict[str, object]:
    """The body as the journal keeps it: long data: URLs shortened."""

    def short(value: object) -> object:
        if isinstance(value, str) and value.startswith("data:") and len(value) > 80:
            return value[:80] + "…"
        if isinstance(value, list):
            return [short(v) for v in value]
        if isinstance(value, dict):
            return {k: short(v) for k, v in value.items()}
        return value

    return {k: short(v) for k, v in body.items()}


async def create_response(call: Call) -> Response | EventStream:
    body = _checked_top_level(call)
    call.entry.record_asked(shown_view(body))
    in_background = body.get("background") is True
    if in_background and body.get("store") is False:
        raise errors.background_needs_store()
    day = call.day
    model = api.text_model(str(body["model"]), day, call.emulator.text_models)
    if model is None:
        if str(body["model"]) in call.catalog.models:
            raise errors.image_model_as_response_model(str(body["model"]))
        raise errors.response_model_not_found(str(body["model"]))
    created_at = int(call.emulator.clock.now())
    ids = api.Ids(created_at)
    tool = image_tool(body)
    emulator = call.emulator
    sources = Sources(emulator.images, emulator.files, emulator.config.fetch_image_urls)
    turn = await anyio.to_thread.run_sync(read_input, call, body, ids)
    functions = offered_functions(body)
    turns = call.emulator.turns
    if turns.any_pattern():  # a pattern may take its time: off the event loop, as faults'
        script = await anyio.to_thread.run_sync(turns.take, turn.text)
    else:
        script = turns.take(turn.text)
    if script is not None:
        call.entry.record_script(script.as_dict())
        decision = scripted_decision(script, tool, functions)
    else:
        decision = decide(call, body, turn, tool is not None, functions)
    calls = decision.tool == "image"
    answer = Answer(ids, model, body, call.catalog.responses, text=api.TEXT_ONLY_ANSWER)
    answer.functions = functions
    if decision.function is not None:
        answer.function_call = function_call_item(ids, decision.function, turn.text)
    elif turn.function_outputs:
        answer.text = api.after_function_outputs(turn.function_calls, turn.function_outputs)
    if script is not None:
        apply_script(script, answer, body)
    answer.response_id = ids.new("resp")
    answer.input_items = turn.items
    # A turn that hands function outputs back goes on from the reasoning passed back with
    # them: no new reasoning item (recorded: pydantic-ai's cassettes, gpt-5, 2025-10).
    if model.reasoning and answer.reasoning is None and not turn.function_outputs:
        answer.reasoning = reasoning_item(ids, body)
    job: PromptedJob | None = None
    if tool is not None:
        answer.image_model = tool_model(call, tool[1])
    if calls and tool is not None:
        index, options = tool
        if script is not None:
            options = scripted_options(script, options)
        action = str(options.get("action", "auto"))
        if action not in api.ACTIONS:
            raise errors.tool_option(errors.invalid_value("action", action, api.ACTIONS), index)
        mask_ref = options.get("input_image_mask")
        can_edit = bool(turn.images or turn.earlier)
        if action == "edit" and not can_edit:
            raise errors.no_image_to_edit(f"tools[{index}].action")
        action = "edit" if action == "edit" or (action == "auto" and can_edit) else "generate"
        mask = None
        if mask_ref is not None and action == "edit":
            key, value = reference_parts(mask_ref, f"tools[{index}].input_image_mask")
            mask = await anyio.to_thread.run_sync(
                resolve, {key: value}, f"tools[{index}].input_image_mask", sources
            )
        planned, revised = await anyio.to_thread.run_sync(
            plan_image,
            call,
            options,
            index,
            turn,
            action == "edit",
            mask,
            str(body["model"]),
            script.image.get("revised_prompt") if script is not None else None,
        )
        try:
            await admit(call, planned)
        except errors.APIError as refused:
            if refused.code in errors.SAFETY_CODES:
                # The safety system refused the image: the response fails, as the SDK's
                # ResponseError code says (inferred: no recorded refusal of the tool exists).
                answer.failure = errors.image_refusal_of_response(refused)
            elif in_background and refused.status >= 500:
                # Queued work that breaks fails the response the create already answered
                # (a ResponseError ``server_error``); a 429 still refuses the create itself.
                answer.failure = {"code": "server_error", "message": refused.message}
            else:
                raise
        else:
            job = planned
            answer.text = api.CAPTION
            answer.call_id, answer.revised_prompt, answer.action = ids.new("ig"), revised, action
    stream = body.get("stream") is True
    call.entry.record_stream(stream)
    if in_background:
        run = background.start(call, answer, turn, job, tool is not None, created_at)
        return EventStream(background.replayed(run, -1)) if stream else json_response(run.body)
    if stream:
        return EventStream(events(call, answer, turn, job, tool is not None, created_at))
    images: list[bytes] = []
    if job is not None:
        images = await rendered(call, job)  # render workers and the per-core limit apply
    offered = tool is not None or answer.function_call is not None
    finished = completed_answer(call, answer, turn, job, images, offered, partials=0)
    body_out = response_object(finished, "completed", created_at, final=True)
    keep(call, finished, body_out, images)
    return json_response(body_out)


# --- stored responses ---------------------------------------------------------------------------


def _stored(call: Call) -> StoredResponse:
    return found_by_path(
        call, "response_id", call.emulator.responses.get, errors.response_not_found
    )


def _background_run(call: Call) -> BackgroundRun | None:
    return call.emulator.background.get(str(call.request.path_params["response_id"]))


async def retrieve_response(call: Call) -> Response | EventStream:
    """The response as it stands; with ``stream=true`` a background response's events after
    ``starting_after`` (all of them without), and the rest as they come."""
    run = _background_run(call)
    query = call.request.query_params
    if query.get("stream", "").lower() == "true":
        if run is None:
            raise errors.stream_not_background(_stored(call).id)
        after = query.get("starting_after", "-1")
        if not after.lstrip("-").isdigit():
            raise errors.invalid_starting_after(after)
        return EventStream(background.replayed(run, int(after)))
    return json_response(run.body if run is not None else _stored(call).body)


async def cancel_response(call: Call) -> Response:
    run = _background_run(call)
    if run is None:
        _stored(call)  # 404 when there is no such response
        raise errors.cancel_not_background()
    was_running = not run.finished
    body = background.cancelled(run)
    if run.entry is not None:  # the inspector's row of the create call says cancelled
        call.emulator.journal.touch(run.entry)
    if was_running:
        background.told(call.emulator, run)
    return json_response(body)


async def delete_response(call: Call) -> Response:
    run = _background_run(call)
    response_id = run.id if run is not None else _stored(call).id
    call.emulator.background.delete(response_id)  # a run still going stops
    call.emulator.responses.delete(response_id)
    return json_response({"id": response_id, "object": "response.deleted", "deleted": True})


async def list_input_items(call: Call) -> Response:
    items = _stored(call).input_items
    query = call.request.query_params
    return json_response(cursor_page(items, query, max_limit=100, default_limit=20))


Handler = Callable[[Call], Awaitable[Response | EventStream]]


def _with_rate_limit_headers(answer: Handler) -> Handler:
    """Every answer of the Responses API carries its ``x-ratelimit-*`` headers (recordings),
    counted for the caller's key: a create spends its input messages' estimate
    (``rate_limits.estimated_tokens``), a retrieve, cancel or delete a request only."""

    async def answered(call: Call) -> Response | EventStream:
        reply = await answer(call)
        _, _, key = call.request.headers.get("authorization", "").partition(" ")
        spent = estimated_tokens(call.body) if call.request.method == "POST" else 0
        reply.headers.update(
            call.emulator.rate_limits.headers(key.strip(), spent, call.emulator.clock.now())
        )
        return reply

    return answered


ROUTES: tuple[tuple[tuple[str, str], Body, Handler], ...] = (
    (("", "POST"), "json", create_response),
    (("/{response_id}", "GET"), "none", retrieve_response),
    (("/{response_id}/cancel", "POST"), "none", cancel_response),
    (("/{response_id}", "DELETE"), "none", delete_response),
    (("/{response_id}/input_items", "GET"), "none", list_input_items),
)
RESPONSES = {
    route: ApiEndpoint(
        name="responses", reads=body_kind(body), answer=_with_rate_limit_headers(answer)
    )
    for route, body, answer in ROUTES
}
