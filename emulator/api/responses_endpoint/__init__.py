"""``POST /v1/responses`` with the ``image_generation`` tool, and the stored responses
(``GET``/``DELETE /v1/responses/{id}``, ``GET /v1/responses/{id}/input_items``).

A request offers the tool; the emulated model calls it by a documented rule (``call_tool``);
the call becomes an Images API generation or edit for the tool's image model, checked by that
model's rules and drawn by the same jobs, so the image, its tokens and its refusals are the
Images API's. Around it, the answer has the shapes and key orders real recordings show on the
request's day (``contract.responses_api``). Without the tool, or when the rule says no, the
answer is a fixed sentence: the emulator does not pretend to be a chat model.
"""

from .endpoint import RESPONSES

__all__ = ["RESPONSES"]
