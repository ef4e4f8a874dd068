"""A multipart form as a request body: text fields as values, file parameters as uploads.

``image[]`` parts (also ``image[0]``, ``image[1]`` ..., and a repeated ``image``) become one
array-form upload named ``image``;
anything sent as a file where text is expected stays an upload, so the type check can say
"expected a string, but got a file".
"""

from __future__ import annotations

import re

from ..contract.params import Upload
from .multipart import Form, FormField, FormFile

FILE_PARAMS = ("image", "mask", "markup")
# An object sent as bracketed fields, as the SDK encodes nested values: svg[reasoning][effort].
_NESTED = re.compile(r"([A-Za-z_]\w*)((?:\[[A-Za-z_]\w*\])+)")
_KEY = re.compile(r"\[([A-Za-z_]\w*)\]")
# The array parameter's parts numbered one by one, as some clients send them: the API takes
# them as the list (recorded answers; a text part there is "expected a file").
_INDEXED = re.compile(r"(image)\[(\d+)\]")


def _set_nested(body: dict[str, object], name: str, keys: list[str], value: str) -> None:
    """body[name][k1][k2]... = value, making the objects on the way (a text field that is
    already there stays, and the nested one is dropped: the type check will say so)."""
    target = body.setdefault(name, {})
    for key in keys[:-1]:
        if not isinstance(target, dict):
            return
        target = target.setdefault(key, {})
    if isinstance(target, dict):
        target[keys[-1]] = value


def form_body(form: Form) -> dict[str, object]:
    body: dict[str, object] = {}
    grouped: dict[str, list[FormFile | FormField]] = {}
    array_form: set[str] = set()
    for part in form.parts:
        name = part.name.removesuffix("[]")
        if indexed := _INDEXED.fullmatch(part.name):  # image[0], image[1] ... (ruby-openai)
            name = indexed[1]
        if name != part.name:
            array_form.add(name)
        if isinstance(part, FormFile) or name in FILE_PARAMS:
            grouped.setdefault(name, []).append(part)
        elif nested := _NESTED.fullmatch(part.name):
            _set_nested(body, nested[1], _KEY.findall(nested[2]), part.value)
        else:
            body[part.name] = part.value  # a repeated text field: the last one counts
    for name, parts in grouped.items():
        # Numbered parts stand at their number, however a client ordered its fields.
        parts.sort(key=lambda part: _number(part.name))
        body[name] = Upload(parts, name in array_form or len(parts) > 1)
    return body


def _number(name: str) -> int:
    indexed = _INDEXED.fullmatch(name)
    return int(indexed[2]) if indexed else -1  # unnumbered parts keep their order, first
