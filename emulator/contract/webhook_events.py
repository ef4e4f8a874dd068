"""The webhook events the emulator sends, as the official SDK types them
(openai-python ``types/webhooks/*_webhook_event.py``; docs/webhooks.md): an event's body and
the types an endpoint may subscribe to."""

from __future__ import annotations

import json
import secrets

# What the emulator sends: the end of a batch and of a background response.
SENT = (
    "batch.completed",
    "batch.failed",
    "batch.expired",
    "batch.cancelled",
    "response.completed",
    "response.failed",
    "response.cancelled",
    "response.incomplete",
)
# Every type an endpoint may name (the SDK's ``event_types`` values, 3.63.0); the others are
# accepted and never sent here.
KNOWN = (
    "health.alert.triggered",
    "health.alert.resolved",
    *SENT,
    "eval.run.succeeded",
    "eval.run.failed",
    "eval.run.canceled",
    "fine_tuning.job.succeeded",
    "fine_tuning.job.failed",
    "fine_tuning.job.cancelled",
    "realtime.call.incoming",
    "video.completed",
    "video.failed",
    "agent.environment.ready",
    "agent.environment.failed",
    "agent.environment.suspended",
    "agent.environment.expired",
    "agent.session.created",
    "agent.session.action_required",
    "agent.session.in_progress",
    "agent.session.idle",
    "agent.session.failed",
    "safety.alert.created",
)


def event_id() -> str:
    return "evt_" + secrets.token_hex(16)


def event_body(event_type: str, object_id: str, created_at: int, evt_id: str) -> bytes:
    """The event as sent: ``{"id", "object": "event", "created_at", "type", "data": {"id"}}``,
    spaced as the SDK's published example is."""
    event = {
        "id": evt_id,
        "object": "event",
        "created_at": created_at,
        "type": event_type,
        "data": {"id": object_id},
    }
    return json.dumps(event).encode()
