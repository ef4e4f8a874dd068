"""Parameter kinds: how one request value is type-checked and range-checked.

The catalog says which kind each parameter of each model is; these classes say how a kind
judges a value and which error it raises, in the API's wording (``errors``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from . import errors


def json_type_name(value: object) -> str:
    """The API's name for a JSON value's type, as used in ``invalid_type`` messages."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return "null"


class Param(Protocol):
    def check(self, name: str, value: object) -> object:
        """Return the value, normalised, or raise ``errors.APIError``."""


@dataclass(frozen=True)
class Text:
    max_length: int | None = None
    non_empty: bool = False

    def check(self, name: str, value: object) -> str:
        if not isinstance(value, str):
            raise errors.invalid_type(name, "a string", json_type_name(value))
        if self.non_empty and value == "":
            raise errors.empty_string(name)
        if self.max_length is not None and len(value) > self.max_length:
            raise errors.string_too_long(name, self.max_length, len(value))
        return value


@dataclass(frozen=True)
class Integer:
    minimum: int
    maximum: int

    def check(self, name: str, value: object) -> int:
        # JSON Schema semantics: 2.0 is an integer, 2.5 and true are not.
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise errors.invalid_type(name, "an integer", json_type_name(value))
        if value > self.maximum:
            raise errors.integer_above_max(name, self.maximum, value)
        if value < self.minimum:
            raise errors.integer_below_min(name, self.minimum, value)
        return value


@dataclass(frozen=True)
class Choice:
    values: tuple[str, ...]

    def check(self, name: str, value: object) -> str:
        if not isinstance(value, str):
            expected = "one of " + errors.quote_list(self.values, "or")
            if len(self.values) == 1:
                expected = errors.quote_list(self.values, "or")
            raise errors.invalid_type(name, expected, json_type_name(value))
        if value not in self.values:
            raise errors.invalid_value(name, value, self.values)
        return value


@dataclass(frozen=True)
class Boolean:
    def check(self, name: str, value: object) -> bool:
        if not isinstance(value, bool):
            raise errors.invalid_type(name, "a boolean", json_type_name(value))
        return value
