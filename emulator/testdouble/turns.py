"""Scripted model turns: what the Responses API's emulated model does next, as a test says,
instead of its rule. Per namespace, oldest first, each for ``count`` turns, for any turn or
one whose text contains ``match`` or matches ``pattern``:

- ``{"kind": "image", "image": {"size": "1536x1024", "quality": "high", "action": "generate",
  "revised_prompt": "…"}}``: call the image tool with these options;
- ``{"kind": "function_call", "name": "get_weather", "arguments": {"city": "Paris"}}``;
- ``{"kind": "text", "text": "…"}``; ``{"kind": "refusal", "text": "…"}`` (a refusal part);
- ``{"kind": "failed", "code": "server_error", "message": "…"}``;
- ``{"kind": "incomplete", "reason": "max_output_tokens"}``;

and ``"reasoning": true`` puts a reasoning item first. Queued with ``POST /_emulator/turns``,
``Emulator.turns.add(ScriptedTurn.from_json({...}))`` or the pytest marker's ``turns``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

import regex

from ..contract import errors
from .faults import ScriptQueue, checked_kind, compiled, searched

KINDS = ("image", "function_call", "text", "refusal", "failed", "incomplete")
IMAGE_OPTIONS = ("size", "quality", "action", "revised_prompt", "background", "output_format")
INCOMPLETE_REASONS = ("max_output_tokens", "content_filter")
FIELDS = {"kind", "match", "pattern", "count", "reasoning", "image", "name", "arguments",
          "text", "code", "message", "reason"}  # fmt: skip


@dataclass
class ScriptedTurn:
    kind: str
    match: str | None = None  # a substring of the turn's text
    pattern: str | None = None  # a regular expression searched in it
    count: int = 1
    reasoning: bool = False
    image: dict[str, str] = field(default_factory=dict)
    name: str | None = None
    arguments: object = None  # an object, or the JSON text itself
    text: str = ""
    code: str = "server_error"
    message: str = "The model failed to answer (a scripted turn)."
    reason: str = "max_output_tokens"
    id: int = 0
    _regex: regex.Pattern[str] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> ScriptedTurn:
        """Validate a scripted turn; ValueError says what is wrong."""
        kind = checked_kind(data, FIELDS, KINDS)
        count = data.get("count", 1)
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError("count must be an integer >= 1")
        strings = {}
        for name in ("match", "pattern", "name", "text", "code", "message", "reason"):
            value = data.get(name)
            if value is not None and not isinstance(value, str):
                raise ValueError(f"{name} must be a string")
            strings[name] = value
        image = data.get("image", {})
        if not isinstance(image, dict) or any(
            key not in IMAGE_OPTIONS or not isinstance(value, str) for key, value in image.items()
        ):
            raise ValueError(f"image takes string options among {', '.join(IMAGE_OPTIONS)}")
        if kind == "function_call" and not strings["name"]:
            raise ValueError("a function_call turn needs the function's name")
        if kind == "incomplete" and data.get("reason", "max_output_tokens") not in (
            INCOMPLETE_REASONS
        ):
            raise ValueError(f"reason must be one of {', '.join(INCOMPLETE_REASONS)}")
        arguments = data.get("arguments")
        if arguments is not None and not isinstance(arguments, dict | str):
            raise ValueError("arguments must be an object or its JSON text")
        turn = cls(
            kind=str(kind),
            match=strings["match"],
            pattern=strings["pattern"],
            count=count,
            reasoning=data.get("reasoning") is True,
            image=dict(image),
            name=strings["name"],
            arguments=arguments,
            text=strings["text"] or "",
            code=strings["code"] or cls.code,
            message=strings["message"] or cls.message,
            reason=strings["reason"] or cls.reason,
        )
        turn._regex = compiled(turn.pattern, "pattern")
        return turn

    @property
    def has_pattern(self) -> bool:
        return self._regex is not None

    def matches(self, text: str) -> bool:
        if self.match is not None and self.match not in text:
            return False
        if self._regex is None:
            return True
        try:
            return searched(self._regex, text)
        except TimeoutError:
            raise errors.turn_pattern_timeout(self.id, self.pattern or "") from None

    def as_dict(self) -> dict[str, object]:
        return {k: v for k, v in asdict(self).items() if not k.startswith("_")}


class ScriptedTurns(ScriptQueue[ScriptedTurn]):
    def take(self, text: str) -> ScriptedTurn | None:
        return self._take(lambda turn: turn.matches(text))
