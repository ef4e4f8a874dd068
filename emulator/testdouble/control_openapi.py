"""The OpenAPI document of the control plane, served at ``/_emulator/openapi.json``."""

from __future__ import annotations

from typing import Any

from .faults import ENDPOINTS, KINDS
from .turns import IMAGE_OPTIONS as TURN_IMAGE_OPTIONS
from .turns import INCOMPLETE_REASONS
from .turns import KINDS as TURN_KINDS


def _json_body(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON request body of ``schema`` (the control plane takes JSON bodies only)."""
    return {"content": {"application/json": {"schema": schema}}}


def _required_fields(properties: dict[str, Any]) -> dict[str, Any]:
    """An object schema whose ``properties`` are all required."""
    return {"type": "object", "properties": properties, "required": list(properties)}


def _ok(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    content = {"application/json": {"schema": schema or {"type": "object"}}}
    return {"200": {"description": description, "content": content}}


def _scripted_item(kinds: tuple[str, ...], **properties: object) -> dict[str, Any]:
    """A fault's or a scripted turn's schema: a ``kind``, a ``count``, and its own fields."""
    shown = {"kind": {"type": "string", "enum": list(kinds)}, **properties}
    shown["count"] = {"type": "integer", "minimum": 1, "default": 1}
    return {"type": "object", "required": ["kind"], "additionalProperties": False,
            "properties": shown}  # fmt: skip


FAULT = _scripted_item(
    KINDS,
    **{
        "endpoint": {"type": "string", "enum": list(ENDPOINTS), "description": "any if absent"},
        "prompt_pattern": {"type": "string", "description": "regular expression on the prompt"},
        "retry_after": {"type": "integer", "minimum": 0, "default": 1},
        "ratelimit_headers": {"type": "boolean", "default": False},
        "delay_ms": {"type": "integer", "minimum": 0, "default": 0},
    },
)
TURN = _scripted_item(
    TURN_KINDS,
    **{
        "match": {"type": "string", "description": "a substring of the turn's text"},
        "pattern": {"type": "string", "description": "a regular expression on the turn's text"},
        "reasoning": {"type": "boolean", "default": False},
        "image": {
            "type": "object",
            "properties": {name: {"type": "string"} for name in TURN_IMAGE_OPTIONS},
            "additionalProperties": False,
        },
        "name": {"type": "string", "description": "the function a function_call turn calls"},
        "arguments": {"type": ["object", "string"]},
        "text": {"type": "string"},
        "code": {"type": "string"},
        "message": {"type": "string"},
        "reason": {"type": "string", "enum": list(INCOMPLETE_REASONS)},
    },
)
CLOCK_STATE = {
    "type": "object",
    "properties": {"now": {"type": "number"}, "frozen": {"type": "boolean"}},
}


def document(version: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "openai-images-emulator control plane",
            "version": version,
            "description": "Test-double controls, apart from the emulated OpenAI Images API.",
        },
        "paths": {
            "/_emulator/health": {"get": {"summary": "Liveness", "responses": _ok("ok")}},
            "/_emulator/version": {
                "get": {"summary": "Emulator and OpenAI API versions", "responses": _ok("versions")}
            },
            "/_emulator/config": {
                "get": {"summary": "The effective configuration", "responses": _ok("options")}
            },
            "/_emulator/reset": {
                "post": {
                    "summary": "Clear journal, faults and URL images; real time again",
                    "responses": _ok("reset"),
                }
            },
            "/_emulator/clock": {
                "get": {"summary": "Current time", "responses": _ok("clock", CLOCK_STATE)},
                "post": {
                    "summary": "Freeze (optionally at a time), advance, unfreeze or reset",
                    "requestBody": _json_body(
                        {
                            "type": "object",
                            "properties": {
                                "freeze": {"type": "boolean"},
                                "at": {"type": "number"},
                                "advance": {"type": "number"},
                                "unfreeze": {"type": "boolean"},
                                "reset": {"type": "boolean"},
                            },
                        }
                    ),
                    "responses": _ok("clock", CLOCK_STATE),
                },
            },
            "/_emulator/journal": {
                "get": {
                    "summary": "Recorded requests, oldest first",
                    "parameters": [
                        {"name": name, "in": "query", "schema": {"type": kind}}
                        for name, kind in (
                            ("endpoint", "string"),
                            ("model", "string"),
                            ("status", "integer"),
                        )
                    ],
                    "responses": _ok("entries"),
                },
                "delete": {"summary": "Clear the journal", "responses": _ok("cleared")},
            },
            "/_emulator/faults": {
                "get": {"summary": "Pending faults", "responses": _ok("faults")},
                "post": {
                    "summary": "Queue one fault or a list of them",
                    "requestBody": _json_body(
                        {"oneOf": [FAULT, {"type": "array", "items": FAULT}]}
                    ),
                    "responses": {"201": {"description": "queued"}},
                },
                "delete": {"summary": "Drop every pending fault", "responses": _ok("cleared")},
            },
            "/_emulator/turns": {
                "get": {"summary": "Pending scripted model turns", "responses": _ok("turns")},
                "post": {
                    "summary": "Script the Responses API model's next turn, or a list of them",
                    "requestBody": _json_body({"oneOf": [TURN, {"type": "array", "items": TURN}]}),
                    "responses": {"201": {"description": "queued"}},
                },
                "delete": {"summary": "Drop every scripted turn", "responses": _ok("cleared")},
            },
            "/_emulator/azure-deployments": {
                "get": {
                    "summary": "Azure OpenAI deployments and their models",
                    "responses": _ok("deployments"),
                },
                "post": {
                    "summary": "Serve an Azure deployment name with a model",
                    "requestBody": _json_body(
                        _required_fields(
                            {"deployment": {"type": "string"}, "model": {"type": "string"}}
                        )
                    ),
                    "responses": _ok("deployments"),
                },
            },
            "/_emulator/webhooks": {
                "get": {
                    "summary": "Webhook endpoints (no secrets) and deliveries with every attempt",
                    "responses": _ok("endpoints and deliveries"),
                }
            },
            "/_emulator/webhooks/faults": {
                "post": {
                    "summary": "Make the next deliveries late, duplicated or out of order",
                    "requestBody": _json_body(
                        {
                            "type": "object",
                            "required": ["kind"],
                            "properties": {
                                "kind": {"enum": ["late", "duplicate", "out_of_order"]},
                                "count": {"type": "integer", "minimum": 1},
                                "seconds": {"type": "number", "minimum": 0},
                            },
                        }
                    ),
                    "responses": {"201": {"description": "queued"}},
                }
            },
            "/_emulator/": {
                "get": {"summary": "The inspector page (HTML)", "responses": _ok("the page")}
            },
            "/_emulator/journal/stream": {
                "get": {
                    "summary": "Journal entries as server-sent events: every entry, then each "
                    "new or changed one ('entry'), and 'reset' when cleared",
                    "responses": _ok("text/event-stream"),
                }
            },
            "/_emulator/journal-images/{sha256}": {
                "get": {
                    "summary": "An image the journal kept (404 once dropped)",
                    "parameters": [
                        {
                            "name": "sha256",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": _ok("the image bytes"),
                }
            },
            "/_emulator/prices": {
                "get": {"summary": "The price table, with sources", "responses": _ok("prices")}
            },
            "/_emulator/settings": {
                "post": {
                    "summary": "Change what may change at run time: lenient mode",
                    "requestBody": _json_body(_required_fields({"lenient": {"type": "boolean"}})),
                    "responses": _ok("the new setting"),
                }
            },
            "/_emulator/eras": {
                "get": {
                    "summary": "Dated changes of the API, and what is served on a day",
                    "parameters": [{"name": "as_of", "in": "query", "schema": {"type": "string"}}],
                    "responses": _ok("changes, served and retired models, default models"),
                },
            },
            "/_emulator/as-of": {
                "get": {
                    "summary": "The day this namespace answers as of",
                    "responses": _ok("the setting"),
                },
                "post": {
                    "summary": "Answer as of a day (YYYY-MM-DD, today or latest) until a reset",
                    "requestBody": _json_body(_required_fields({"as_of": {"type": "string"}})),
                    "responses": _ok("the setting"),
                },
            },
            "/_emulator/models": {
                "get": {
                    "summary": "The models added past the catalog's horizon",
                    "responses": _ok("the added models"),
                },
                "post": {
                    "summary": "Serve a model the catalog does not know as a copy of a known one",
                    "requestBody": _json_body(
                        _required_fields(
                            {
                                "model": {"type": "string"},
                                "copy_of": {"type": "string"},
                            }
                        )
                    ),
                    "responses": _ok("the added models"),
                },
            },
            "/_emulator/tool-calls": {
                "get": {
                    "summary": "Whether the Responses API's model calls the image tool",
                    "responses": _ok("the mode"),
                },
                "post": {
                    "summary": "Force the image tool's calls: auto (the rule), always or never",
                    "requestBody": _json_body(
                        _required_fields(
                            {
                                "mode": {
                                    "type": "string",
                                    "enum": ["auto", "always", "never"],
                                }
                            }
                        )
                    ),
                    "responses": _ok("the mode"),
                },
            },
        },
    }
