"""The image tool: which one a request offers, whether the emulated model calls it (a
documented rule), and the Images API request the call becomes for the tool's image model."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ...contract import errors
from ...contract import responses_api as api
from ...contract.params import Upload
from ...contract.parts import FormField, FormFile
from ...contract.specs import Endpoint
from ...contract.validation import check_request
from ...jobs.base import PromptedJob
from ...jobs.edit import plan_edit
from ...jobs.generation import GenerationJob
from ..pipeline import Call
from .function_call import Function, best_match
from .turn_input import Turn

TOOL_CALL_HEADER = "x-emulator-tool-call"  # always | never | auto, for one request

# --- the tool and whether the model calls it ------------------------------------------------


def image_tool(body: Mapping[str, object]) -> tuple[int, dict[str, object]] | None:
    tools = body.get("tools", [])
    if not isinstance(tools, list):
        raise errors.invalid_type("tools", "an array", "another type")
    found: tuple[int, dict[str, object]] | None = None
    for index, tool in enumerate(tools):
        if not isinstance(tool, dict) or not isinstance(tool.get("type"), str):
            raise errors.missing_required_parameter(f"tools[{index}].type")
        if tool["type"] == "image_generation":  # every one is checked; the first is used
            for name in tool:
                if name not in api.TOOL_OPTIONS:
                    raise errors.unknown_parameter(f"tools[{index}].{name}")
            found = found or (index, tool)
    return found


@dataclass(frozen=True)
class Decision:
    """What the emulated model does this turn: draw (``image``), call a ``function``, or
    answer ``text``."""

    tool: str
    function: Function | None = None


IMAGE, TEXT = Decision("image"), Decision("text")


def decide(
    call: Call,
    body: Mapping[str, object],
    turn: Turn,
    image_offered: bool,
    functions: list[Function],
) -> Decision:
    """The documented rule (docs/responses-api.md):

    - ``tool_choice: "none"``: text. A forced function (``{"type": "function", "name"}``) is
      called; the forced image tool (``{"type": "image_generation"}``) draws.
    - A turn that passes function outputs back ends: the image if it asks for a picture,
      else text.
    - An input that names a function tool calls it first, even when it asks for a picture
      ("an image of the animal returned by the get_animal tool": recorded).
    - A picture request (a word of ``PICTURE_WORDS``, an input image, or any instruction in a
      conversation that holds an earlier image) draws when the image tool is offered.
    - ``"required"``: else the function sharing the most words with the input (the first on
      a tie), else the image tool. ``"auto"``: else a function sharing a word, else text.

    The header ``x-emulator-tool-call`` or ``emulator.tool_calls`` (always/never) decides for
    the image tool."""
    choice = body.get("tool_choice", "auto")
    if isinstance(choice, str) and choice not in api.TOOL_CHOICES:
        raise errors.invalid_value("tool_choice", choice, api.TOOL_CHOICES)
    if choice == "none" or not (image_offered or functions):
        return TEXT
    if isinstance(choice, dict) and choice.get("type") == "function":
        name = choice.get("name")
        forced = next((f for f in functions if f.name == name), None)
        if forced is None:
            raise errors.unknown_forced_tool(str(name))
        return Decision("function", forced)
    override = call.request.headers.get(TOOL_CALL_HEADER) or call.emulator.tool_calls
    may_draw = image_offered and override != "never"
    if may_draw and override == "always":
        return IMAGE
    if may_draw and isinstance(choice, dict) and choice.get("type") == "image_generation":
        return IMAGE
    picture = may_draw and bool(
        api.PICTURE_WORDS.search(turn.text)
        or turn.images
        or (turn.earlier is not None and turn.text.strip())  # an instruction for it
    )
    if turn.function_outputs:  # the functions have answered: the turn ends
        return IMAGE if picture else TEXT
    named = named_function(functions, turn.text)
    if named is not None and choice != "none":  # the picture waits for what it names
        return Decision("function", named)
    if picture:
        return IMAGE
    best, shared = best_match(functions, turn.text)
    if choice == "required":
        if best is not None:
            return Decision("function", best)
        return IMAGE if may_draw else TEXT
    return Decision("function", best) if best is not None and shared > 0 else TEXT


def named_function(functions: list[Function], text: str) -> Function | None:
    """The first function tool whose name the input says as a word."""
    return next(
        (f for f in functions if re.search(rf"(?<!\w){re.escape(f.name)}(?!\w)", text)), None
    )


# --- the call: an Images API request for the tool's image model ------------------------------


def tool_model(call: Call, options: Mapping[str, object]) -> str:
    asked = options.get("model")
    if isinstance(asked, str):
        return asked
    served = call.catalog.endpoints["generations"].models
    return next((m for m in api.DEFAULT_TOOL_MODELS if m in served), api.DEFAULT_TOOL_MODELS[-1])


def resolved_size(options: Mapping[str, object], text: str) -> object:
    """``auto`` follows the prompt's shape through the tool (recordings: 1536x1024 and
    1024x1536 as often as square); the words that decide it are this emulator's rule."""
    size = options.get("size", "auto")
    if size != "auto":
        return size
    lowered = text.lower()
    if any(word in lowered for word in ("landscape", "wide", "panorama", "banner")):
        return "1536x1024"
    if any(word in lowered for word in ("portrait", "tall", "vertical", "poster")):
        return "1024x1536"
    return "1024x1024"


IMAGE_OPTIONS = (
    "background",
    "complexity",
    "frame_count",
    "frame_duration_ms",
    "moderation",
    "output_compression",
    "output_format",
    "partial_images",
    "quality",
    "svg",
)


def plan_image(
    call: Call,
    options: dict[str, object],
    index: int,
    turn: Turn,
    edit: bool,
    mask: FormFile | None,
    model_name: str,
    revised: str | None = None,
) -> tuple[PromptedJob, str]:
    """The Images API request the call stands for, checked and planned (blocking: inputs
    are decoded). The revised prompt is the user's text (or a scripted turn's), as the image
    model is given it."""
    prompt = revised or turn.text.strip() or ("Edit the image." if edit else "An image.")
    images_body: dict[str, object] = {"model": tool_model(call, options), "prompt": prompt}
    for name in IMAGE_OPTIONS:
        if name in options:
            images_body[name] = options[name]
    for name, value in api.TOOL_AUTO.items():
        if images_body.get(name, "auto") == "auto":
            images_body[name] = value
    if images_body.get("partial_images"):
        images_body["stream"] = True  # the Images API takes partial images with a stream
    endpoint: Endpoint = "edits" if edit else "generations"
    if edit:
        # Multipart edits take no moderation (JSON edits do): checked here, then left out.
        for name, kind in call.catalog.endpoints["edits"].json_only_params.items():
            if name in images_body:
                try:
                    kind.check(name, images_body.pop(name))
                except errors.APIError as error:
                    raise errors.tool_option(error, index) from None
        inputs = [*([turn.earlier] if turn.earlier else []), *turn.images]
        files: list[FormFile | FormField] = list(inputs)
        images_body["image"] = Upload(files, len(files) > 1)
        if mask is not None:
            images_body["mask"] = Upload([mask], False)
        if "input_fidelity" in options:
            images_body["input_fidelity"] = options["input_fidelity"]
        images_body["size"] = options.get("size", "auto")
    else:
        images_body["size"] = resolved_size(options, turn.text)
    try:
        checked = check_request(images_body, endpoint, call.catalog, lenient=call.lenient)
        if edit:
            entry = call.entry
            job: PromptedJob = plan_edit(
                checked,
                images_body,
                pool=call.emulator.decoders(),
                lenient=call.lenient,
                seen_images=lambda images: entry.record_checked(checked, images, model=model_name),
                seen_overlay=entry.record_overlay,
            )
        else:
            call.entry.record_checked(checked, [], model=model_name)
            job = GenerationJob.from_request(checked)
    except errors.APIError as error:
        raise (
            errors.tool_option(error, index) if error.param in api.TOOL_OPTIONS else error
        ) from None
    return job, prompt
