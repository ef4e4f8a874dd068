"""A scripted turn (``testdouble.turns``) applied: what the emulated model does instead of its
rule, with the image options, function arguments, text, refusal or failure the test gave."""

from __future__ import annotations

import json
from collections.abc import Mapping

from ...contract import errors
from ...testdouble.turns import ScriptedTurn
from .answer import Answer, reasoning_item
from .function_call import Function
from .tool_call import IMAGE, TEXT, Decision


def scripted_decision(
    script: ScriptedTurn,
    image_tool: tuple[int, dict[str, object]] | None,
    functions: list[Function],
) -> Decision:
    """The tool the script calls, which the request must offer."""
    if script.kind == "image":
        if image_tool is None:
            raise errors.scripted_tool_not_offered(script.id, "the image_generation tool")
        return IMAGE
    if script.kind == "function_call":
        function = next((f for f in functions if f.name == script.name), None)
        if function is None:
            raise errors.scripted_tool_not_offered(script.id, f"the function {script.name!r}")
        return Decision("function", function)
    return TEXT


def scripted_options(script: ScriptedTurn, options: Mapping[str, object]) -> dict[str, object]:
    """The image tool's options with the script's (size, quality, action …) over them."""
    chosen = {k: v for k, v in script.image.items() if k != "revised_prompt"}
    return {**options, **chosen}


def apply_script(script: ScriptedTurn, answer: Answer, body: Mapping[str, object]) -> None:
    """What the answer says besides the tool call: reasoning first, the text, the refusal,
    the failure, the function's arguments."""
    if script.reasoning and answer.reasoning is None:
        answer.reasoning = reasoning_item(answer.ids, body)
    if script.kind in ("text", "incomplete") and script.text:
        answer.text = script.text
    if script.kind == "refusal":
        answer.refusal = script.text or "I can't help with that."
    if script.kind == "failed":
        answer.failure = {"code": script.code, "message": script.message}
    if script.kind == "incomplete":
        answer.incomplete_reason = script.reason
    if answer.function_call is not None and script.arguments is not None:
        arguments = script.arguments
        shown = arguments if isinstance(arguments, str) else json.dumps(arguments)
        answer.function_call["arguments"] = shown
