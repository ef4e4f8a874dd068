"""Azure OpenAI's door (docs/azure.md): its paths lead into the same pipeline as OpenAI's.

``serve`` turns an Azure path into the OpenAI one (``api-key`` into a Bearer key) and marks
the request with an ``AzureDoor``; the pipeline calls ``admitted`` once it has the body, to
check the api-version, resolve the deployment into a model and put that model in the body;
on the way out, ``AzureAnswer`` gives the answer Azure's headers and shapes (errors as its
gateway words them, DALL·E 3's filter blocks, the deployment as the Responses ``model``).
"""

from __future__ import annotations

import datetime
import json
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..contract import azure, eras, errors
from ..contract.parts import FormField
from ..contract.specs import Catalog
from ..testdouble.journal import Entry
from ..testdouble.state import Emulator
from ..transport.multipart import Form
from ..transport.wire import error_response

STATE_KEY = "azure"
# Keys a gpt-image answer on the deployments path leaves out (recorded: only created, data
# and usage on 2025-04-01-preview).
NOT_ECHOED = ("background", "output_format", "quality", "size")
DROPPED_HEADERS = (b"openai-version", b"openai-processing-ms", b"openai-organization",
                   b"openai-project")  # fmt: skip


@dataclass
class AzureDoor:
    route: azure.AzureRoute
    deployment: str | None = None
    model: str | None = None  # what the deployment serves
    filter_blocks: bool = False  # its answers carry Azure's filter results (the catalog says)
    gpt_image: bool = False
    client_request_id: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


def door_of(request: Request) -> AzureDoor | None:
    found = request.scope.get("state", {}).get(STATE_KEY)
    return found if isinstance(found, AzureDoor) else None


async def serve(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    pairs = parse_qsl(scope.get("query_string", b"").decode("latin-1"))
    route = azure.route_of(scope["path"], dict(pairs))
    if route is None:
        await error_response(errors.azure_resource_not_found())(scope, receive, AzureAnswer(send))
        return
    headers = [(k, v) for k, v in scope.get("headers", [])]
    names = {k.lower() for k, _ in headers}
    key = next((v for k, v in headers if k.lower() == b"api-key"), None)
    if key is not None and b"authorization" not in names:  # the AzureOpenAI client's way
        headers.append((b"authorization", b"Bearer " + key))
    client_id = next(
        (v.decode() for k, v in headers if k.lower() == b"x-ms-client-request-id"), None
    )
    door = AzureDoor(route, client_request_id=client_id)
    rest = urlencode([(k, v) for k, v in pairs if k != "api-version"])
    inner = {
        **scope,
        "path": route.openai_path,
        "raw_path": route.openai_path.encode(),
        "query_string": rest.encode(),
        "headers": headers,
        "state": {**scope.get("state", {}), STATE_KEY: door},
    }
    await app(inner, receive, AzureAnswer(send, door))


def admitted(
    door: AzureDoor, request: Request, emulator: Emulator, catalog: Catalog, body: object,
    entry: Entry,
) -> object:  # fmt: skip
    """The body as the OpenAI door takes it, once the Azure door's own checks pass."""
    route = door.route
    version = route.api_version
    if version is None and not route.v1:
        raise errors.azure_resource_not_found()
    if version is not None and not azure.version_known(version, route.v1):
        raise errors.azure_version_unsupported()
    named = route.deployment or _model_field(body)
    if named is None:  # files, batches, models: no deployment
        entry.record_door("azure", None)
        return body
    door.deployment = named
    entry.record_door("azure", named)
    door.model = model = _deployed(named, emulator, catalog)
    spec = catalog.models.get(model)
    door.filter_blocks = spec is not None and spec.azure_filter_blocks
    door.gpt_image = spec is not None and spec.gpt_image
    if (
        version is not None
        and not route.v1
        and not azure.serves_on_version(door.gpt_image, version)
    ):
        raise errors.azure_model_not_on_version(model, version)
    body = _with_model(body, model)
    if route.openai_path == "/v1/responses" and isinstance(body, dict):
        body = _with_image_deployment(body, request, emulator, catalog)
    return body


def _deployed(name: str, emulator: Emulator, catalog: Catalog) -> str:
    mapped = emulator.azure_deployments().get(name)
    if mapped is not None:
        return mapped
    if name in catalog.models or name in emulator.text_models:  # named after a model
        return name
    raise errors.azure_deployment_not_found()


def _model_field(body: object) -> str | None:
    if isinstance(body, dict):
        model = body.get("model")
        return model if isinstance(model, str) else None
    if isinstance(body, Form):
        return next(
            (p.value for p in body.parts if isinstance(p, FormField) and p.name == "model"), None
        )
    return None


def _with_model(body: object, model: str) -> object:
    if isinstance(body, dict):
        return {**body, "model": model}
    if isinstance(body, Form):
        kept = [p for p in body.parts if not (isinstance(p, FormField) and p.name == "model")]
        body.parts = [FormField("model", model), *kept]
    return body


def _with_image_deployment(
    body: dict[str, Any], request: Request, emulator: Emulator, catalog: Catalog
) -> dict[str, Any]:
    tools = body.get("tools")
    if not isinstance(tools, list) or not any(
        isinstance(t, dict) and t.get("type") == "image_generation" for t in tools
    ):
        return body
    named = request.headers.get(azure.IMAGE_DEPLOYMENT_HEADER)
    if not named:
        raise errors.azure_image_deployment_missing()
    model = _deployed(named, emulator, catalog)
    shown = [
        {**t, "model": model} if isinstance(t, dict) and t.get("type") == "image_generation" else t
        for t in tools
    ]
    return {**body, "tools": shown}


# --- the answer --------------------------------------------------------------------------------


class AzureAnswer:
    """An ASGI ``send`` that gives the answer Azure's headers and, for JSON, its shapes."""

    def __init__(self, send: Send, door: AzureDoor | None = None) -> None:
        self.send = send
        self.door = door
        self.start: Message | None = None
        self.buffering = False  # a JSON answer, held whole to be reshaped
        self.chunks: list[bytes] = []

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.start = {**message, "headers": self._headers(message)}
            self.buffering = any(
                k == b"content-type" and v.startswith(b"application/json")
                for k, v in self.start["headers"]
            )
            if not self.buffering:
                await self.send(self.start)
            return
        if message["type"] != "http.response.body" or not self.buffering:
            await self.send(message)
            return
        self.chunks.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        await self._send_json(b"".join(self.chunks))

    def _headers(self, message: Message) -> list[tuple[bytes, bytes]]:
        status = message["status"]
        kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in DROPPED_HEADERS]
        kept = [(k, str(uuid.uuid4()).encode()) if k.lower() == b"x-request-id" else (k, v)
                for k, v in kept]  # fmt: skip
        kept.append((b"apim-request-id", str(uuid.uuid4()).encode()))
        door = self.door
        if door is not None and 200 <= status < 300:
            kept.append((b"x-ms-region", azure.REGION.encode()))
            if door.client_request_id:
                kept.append((b"x-ms-client-request-id", door.client_request_id.encode()))
            day = _day(kept)
            if door.route.deployment and (day is None or day >= azure.DEPLOYMENT_HEADER_FROM):
                kept.append((b"x-ms-deployment-name", door.route.deployment.encode()))
        return kept

    async def _send_json(self, raw: bytes) -> None:
        assert self.start is not None
        start = self.start
        try:
            answer = json.loads(raw)
        except ValueError:
            answer = None
        if isinstance(answer, dict):
            answer, more = self._shaped(start["status"], answer, start["headers"])
            raw = json.dumps(answer, indent=2).encode() + b"\n"
            start["headers"] = (
                [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
                + more
                + [(b"content-length", str(len(raw)).encode())]
            )
        await self.send(start)
        await self.send({"type": "http.response.body", "body": raw})

    def _shaped(
        self, status: int, answer: dict[str, Any], headers: list[tuple[bytes, bytes]]
    ) -> tuple[dict[str, Any], list[tuple[bytes, bytes]]]:
        door = self.door
        more: list[tuple[bytes, bytes]] = []
        if status >= 400 and isinstance(answer.get("error"), dict):
            route = door.route if door is not None else None
            operation = azure.OPERATIONS.get(
                (route.openai_path.removeprefix("/v1/") if route else ""), "Request"
            )
            version = (route.api_version if route else None) or "v1"
            retry = azure.RATE_LIMIT_RETRY_SECONDS
            for k, v in headers:
                if k.lower() == b"retry-after" and v.isdigit():
                    retry = int(v)
            if status == 429:
                more = [(b"policy-id", b"DeploymentRatelimit-Call")]
                if not any(k.lower() == b"retry-after" for k, _ in headers):
                    more.append((b"retry-after", str(retry).encode()))
            return errors.azure_error_body(status, answer["error"], operation, version, retry), more
        if door is None or status != 200 or door.model is None:
            return answer, more
        if answer.get("object") == "response":  # the Responses answer names the deployment
            return {**answer, "model": door.deployment, "content_filters": None}, more
        day = _day(headers)
        data = answer.get("data")
        if (
            door.filter_blocks
            and isinstance(data, list)
            and (day is None or day >= azure.FILTER_BLOCKS_FROM)
        ):
            answer["data"] = [
                {**item, "content_filter_results": azure.filter_results(False),
                 "prompt_filter_results": azure.filter_results(True)}
                for item in data
            ]  # fmt: skip
        elif door.gpt_image and not door.route.v1:
            answer = {k: v for k, v in answer.items() if k not in NOT_ECHOED}
        return answer, more


def _day(headers: list[tuple[bytes, bytes]]) -> datetime.date | None:
    for k, v in headers:
        if k.lower() == eras.HEADER.encode():
            try:
                return datetime.date.fromisoformat(v.decode())
            except ValueError:
                return None
    return None
