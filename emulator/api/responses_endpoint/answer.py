"""The answer's shapes: the response object, its items and usage, as real recordings show
them on the request's day (``contract.responses_api``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import pybase64

from ...contract import responses_api as api
from ...contract.errors import APIError
from ...contract.specs import ResponsesRules
from ...contract.tokenizer import count_tokens
from ...contract.usage import usage_object, with_partial_images
from ...jobs.base import PromptedJob
from ...testdouble.stores import StoredResponse
from ..pipeline import Call
from .function_call import Function
from .turn_input import Turn

TOOL_CALL_TOKENS = 30  # output tokens of the model's call to the tool (inferred)
INPUT_IMAGE_TOKENS = 25_500  # the text model's tokens per input image (one recording: inferred)

# --- the answer -------------------------------------------------------------------------------


@dataclass
class Answer:
    """Everything an answer says, made once and shaped for the body and the stream."""

    ids: api.Ids
    model: api.TextModel
    body: Mapping[str, object]
    rules: ResponsesRules  # how the API answers on the request's day (the dated catalog's)
    text: str
    reasoning: dict[str, object] | None = None
    image_call: dict[str, object] | None = None
    function_call: dict[str, object] | None = None  # the call, when the model makes one
    functions: list[Function] = field(default_factory=list)  # the function tools offered
    message: dict[str, object] = field(default_factory=dict)
    usage: dict[str, object] = field(default_factory=dict)
    tool_usage: dict[str, object] | None = None
    response_id: str = ""
    image_model: str | None = None  # the tool's image model (echoed in ``tools``)
    input_items: list[dict[str, object]] = field(default_factory=list)
    # The tool call, once the model makes one: its id, the prompt the image model was given,
    # and whether it generated or edited.
    call_id: str | None = None
    revised_prompt: str = ""
    action: str = "generate"
    background: bool = False  # made in the background (``background: true``)
    # A scripted turn's ending: a refusal part, a failure (code, message), or incomplete.
    refusal: str | None = None
    failure: dict[str, str] | None = None
    incomplete_reason: str | None = None
    completed_at: int | None = None  # when a background response completed


def text_echo(text: object) -> dict[str, object]:
    """``text`` as the answer echoes it: the format as sent (a ``json_schema`` with its
    description, name, schema and strict filled in), ``{"type": "text"}`` by default."""
    sent = text if isinstance(text, dict) else {}
    format_sent = sent.get("format")
    shown: dict[str, object] = {"type": "text"}
    if isinstance(format_sent, dict) and format_sent.get("type") == "json_schema":
        shown = {
            "type": "json_schema",
            "description": format_sent.get("description"),
            "name": format_sent.get("name"),
            "schema": format_sent.get("schema"),
            "strict": format_sent.get("strict", False) is True,
        }
    elif isinstance(format_sent, dict) and isinstance(format_sent.get("type"), str):
        shown = {"type": format_sent["type"]}
    verbosity = sent.get("verbosity")
    return {"format": shown, "verbosity": verbosity if isinstance(verbosity, str) else "medium"}


def final_status(answer: Answer) -> str:
    if answer.failure is not None:
        return "failed"
    return "incomplete" if answer.incomplete_reason is not None else "completed"


def tools_echo(
    body: Mapping[str, object],
    model: str | None,
    rules: ResponsesRules,
    offered: list[Function],
) -> list[object]:
    """The request's tools with defaults filled in: its function tools first (``offered``,
    read, in the request's order), then the others in the request's order, as recorded
    (pydantic-ai's cassettes, 2025-10: ``[image_generation, get_animal]`` echoed as
    ``[get_animal, image_generation]``)."""
    echoed: list[object] = [function.echo() for function in offered]
    tools = body.get("tools", [])
    for tool in tools if isinstance(tools, list) else []:
        if isinstance(tool, dict) and tool.get("type") == "function":
            continue
        if not isinstance(tool, dict) or tool.get("type") != "image_generation":
            echoed.append(tool)
            continue
        shown: dict[str, object] = {
            "type": "image_generation",
            "background": tool.get("background", "auto"),
        }
        if rules.tool_echo_names_model:
            shown["model"] = tool.get("model", model)
        shown |= {
            "moderation": tool.get("moderation", "auto"),
            "n": 1,
            "output_compression": tool.get("output_compression", 100),
            "output_format": tool.get("output_format", "png"),
            "quality": tool.get("quality", "auto"),
            "size": tool.get("size", "auto"),
        }
        echoed.append(shown)
    return echoed


def text_usage(answer: Answer, turn: Turn, offered: bool) -> dict[str, object]:
    spoken = sum(count_tokens(t) for t in turn.texts if t)
    instructions = answer.body.get("instructions")
    if isinstance(instructions, str):
        spoken += count_tokens(instructions)
    input_tokens = spoken + (answer.model.tool_prompt_tokens if offered else 0)
    input_tokens += INPUT_IMAGE_TOKENS * len(turn.images)
    reasoning = answer.model.reasoning_tokens if answer.reasoning is not None else 0
    if answer.function_call is not None:  # the call's arguments are what the model wrote
        said = TOOL_CALL_TOKENS + count_tokens(str(answer.function_call["arguments"]))
    else:
        said = count_tokens(answer.text) + (TOOL_CALL_TOKENS if answer.call_id else 0)
    output = reasoning + said
    details: dict[str, object] = {"cached_tokens": 0}
    if answer.rules.cache_write_tokens:
        details["cache_write_tokens"] = 0
    return {
        "input_tokens": input_tokens,
        "input_tokens_details": details,
        "output_tokens": output,
        "output_tokens_details": {"reasoning_tokens": reasoning},
        "total_tokens": input_tokens + output,
    }


def empty_tool_usage() -> dict[str, object]:
    zero = usage_object(text_tokens=0, image_tokens=0, output_tokens=0, output_details=True)
    return {"image_gen": zero, "web_search": {"num_requests": 0}}


def response_object(
    answer: Answer, status: str, created_at: int, *, final: bool
) -> dict[str, object]:
    body, rules = answer.body, answer.rules
    output: list[object] = []
    if final:
        status = final_status(answer)
    if final and answer.failure is None:
        items = (answer.reasoning, answer.image_call, answer.function_call, answer.message)
        output = [item for item in items if item]
    values: dict[str, object] = {
        "id": answer.response_id,
        "object": "response",
        "created_at": created_at,
        "status": status,
        "background": answer.background,
        "billing": {"payer": "developer"},
        "completed_at": (
            (answer.completed_at or created_at) if final and status == "completed" else None
        ),
        "error": answer.failure if final else None,
        "frequency_penalty": 0.0,
        "incomplete_details": (
            {"reason": answer.incomplete_reason} if final and answer.incomplete_reason else None
        ),
        "instructions": body.get("instructions"),
        "max_output_tokens": body.get("max_output_tokens"),
        "max_tool_calls": body.get("max_tool_calls"),
        "model": answer.model.answered_as,
        "moderation": body.get("moderation"),
        "output": output,
        "parallel_tool_calls": body.get("parallel_tool_calls", True),
        "presence_penalty": 0.0,
        "previous_response_id": body.get("previous_response_id"),
        "prompt_cache_key": body.get("prompt_cache_key"),
        "prompt_cache_retention": cache_retention(body, answer.model, rules),
        "reasoning": reasoning_echo(body, answer.model, rules),
        "safety_identifier": body.get("safety_identifier"),
        # A background response says "auto" unless it completed (recordings).
        "service_tier": "auto" if answer.background and status != "completed" else "default",
        "store": body.get("store", True) is not False,
        "temperature": body.get("temperature", 1.0),
        "text": text_echo(body.get("text")),
        "tool_choice": body.get("tool_choice", "auto"),
        "tool_usage": (answer.tool_usage or empty_tool_usage()) if final else empty_tool_usage(),
        "tools": tools_echo(body, answer.image_model, rules, answer.functions),
        "top_logprobs": 0,
        "top_p": body.get("top_p", answer.model.family.default_top_p),
        "truncation": "disabled",
        "usage": (answer.usage or None) if final else None,  # none before it was counted
        "user": body.get("user"),
        "metadata": body.get("metadata") or {},
    }
    return {key: values[key] for key in api.response_keys(rules)}


def reasoning_echo(
    body: Mapping[str, object], model: api.TextModel, rules: ResponsesRules
) -> dict[str, object]:
    """The request's reasoning settings, the model family's defaults where unset (``context:
    auto`` resolved); ``context`` and ``mode`` from their day (keys in the order of the
    recordings' YAML, which sorts them: inferred)."""
    asked = body.get("reasoning")
    asked = asked if isinstance(asked, dict) else {}
    echoed: dict[str, object] = {}
    if rules.reasoning_context:
        context = asked.get("context", "auto")
        echoed["context"] = model.family.reasoning_context if context == "auto" else context
    echoed["effort"] = asked.get("effort", model.family.default_effort)
    if rules.reasoning_context:
        echoed["mode"] = asked.get("mode", "standard")
    echoed["summary"] = asked.get("summary")
    return echoed


def cache_retention(
    body: Mapping[str, object], model: api.TextModel, rules: ResponsesRules
) -> object:
    """The retention asked, else the one the model used once answers named it."""
    if "prompt_cache_retention" in body or not rules.cache_retention_named:
        return body.get("prompt_cache_retention")
    return "24h" if model.family.name in rules.day_long_cache else "in_memory"


def failed_object(answer: Answer, created_at: int, refusal: APIError) -> dict[str, object]:
    """The response once its work failed: ``status: failed`` with the error's code and
    message (``ResponseError``), no output (as a scripted failure says it)."""
    answer.failure = {"code": refusal.code or "server_error", "message": refusal.message}
    return response_object(answer, "failed", created_at, final=True)


def image_call_item(
    call_id: str,
    job: PromptedJob,
    result: str,
    revised: str,
    action: str,
    rules: ResponsesRules,
    status: str = "completed",
) -> dict[str, object]:
    item: dict[str, object] = {"id": call_id, "type": "image_generation_call", "status": status}
    if rules.call_has_action:
        item["action"] = action
    item |= {
        "background": job.background,
        "output_format": job.output_format,
        "quality": job.quality,
        "result": result,
        "revised_prompt": revised,
        "size": job.size,
    }
    return item


def message_item(
    message_id: str,
    text: str,
    status: str = "completed",
    refusal: str | None = None,
    phase: bool = False,
) -> dict[str, object]:
    """``phase``: the 5.x models' messages say they are the final answer (recorded; the key's
    place after ``role`` is inferred, as the SDK's type declares it last)."""
    content: list[dict[str, object]] = [
        {"type": "output_text", "annotations": [], "logprobs": [], "text": text}
    ]
    if refusal is not None:
        content = [{"type": "refusal", "refusal": refusal}]
    item: dict[str, object] = {
        "id": message_id,
        "type": "message",
        "status": status,
        "content": content if status in ("completed", "incomplete") else [],
        "role": "assistant",
    }
    if phase:
        item["phase"] = "final_answer"
    return item


def reasoning_item(ids: api.Ids, body: Mapping[str, object]) -> dict[str, object]:
    item: dict[str, object] = {"id": ids.new("rs"), "type": "reasoning", "summary": []}
    include = body.get("include")
    if isinstance(include, list) and "reasoning.encrypted_content" in include:
        item["encrypted_content"] = pybase64.b64encode(
            b"emulator reasoning " + ids.shared.encode()
        ).decode()
    return item


def tool_image_usage(job: PromptedJob, partials: int) -> dict[str, object]:
    """The Images API's usage of the call's image (+100 per partial image sent), with
    output_tokens_details on every model, as the tool reports them."""
    usage = with_partial_images(job.usage() or {}, job.model, partials)
    details = usage["input_tokens_details"]
    assert isinstance(details, dict)
    return usage_object(
        text_tokens=int(details["text_tokens"]),
        image_tokens=int(details["image_tokens"]),
        output_tokens=int(usage["output_tokens"]),  # type: ignore[call-overload]
        output_details=True,
    )


def completed_answer(
    call: Call,
    answer: Answer,
    turn: Turn,
    job: PromptedJob | None,
    images: list[bytes],
    offered: bool,
    partials: int,
) -> Answer:
    """Fill in the items and usage once the image (if any) is made; journal the answer."""
    # A function call is the turn's only output (recordings); a failed turn has none.
    if answer.function_call is None and answer.failure is None:
        status = "incomplete" if answer.incomplete_reason else "completed"
        answer.message = message_item(
            answer.ids.new("msg"),
            answer.text,
            status,
            answer.refusal,
            phase=answer.model.family.message_phase,
        )
    settings: dict[str, object] = {"text_model": answer.model.id}
    if answer.function_call is not None:
        settings["function_call"] = answer.function_call["name"]
    if job is not None and answer.call_id is not None:
        result = pybase64.b64encode(images[0]).decode()
        answer.image_call = image_call_item(
            answer.call_id, job, result, answer.revised_prompt, answer.action, answer.rules
        )
        answer.tool_usage = {
            "image_gen": tool_image_usage(job, partials),
            "web_search": {"num_requests": 0},
        }
        settings |= {"image_model": job.model.id, "action": answer.action, **job.settings()}
        call.entry.add_output(images[0], job.media_type)
    answer.usage = text_usage(answer, turn, offered)
    tool_usage = answer.tool_usage["image_gen"] if answer.tool_usage else None
    call.entry.record_answer(settings, tool_usage if isinstance(tool_usage, dict) else None)
    return answer


def keep(call: Call, answer: Answer, body_out: dict[str, object], images: list[bytes]) -> None:
    if answer.body.get("store") is False:
        return
    stored_images = {}
    if answer.image_call is not None and images:
        stored_images[str(answer.image_call["id"])] = images[0]
    data = json.dumps(body_out).encode()
    call.emulator.responses.put(
        StoredResponse(str(body_out["id"]), body_out, answer.input_items, stored_images, data)
    )
