"""Azure OpenAI's door to the same models, as data (docs/azure.md): its paths, which
api-versions it takes, how a deployment names a model, and what its answers add or leave out.
The wording of its errors is in ``errors`` with the rest."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass

# /openai/deployments/{deployment}/{rest}  and  /openai/v1/{rest}
DEPLOYMENTS_PATH = re.compile(r"^/openai/deployments/([^/]+)/(images/generations|images/edits)$")
V1_PATH = re.compile(
    r"^/openai/v1/(images/generations|images/edits|responses(?:/.*)?|files(?:/.*)?"
    r"|batches(?:/.*)?|models(?:/.*)?)$"
)
# A dated api-version, e.g. 2024-10-21 or 2025-04-01-preview; the v1 path also takes these.
DATED_VERSION = re.compile(r"^(\d{4}-\d{2}-\d{2})(-preview)?$")
V1_VERSIONS = ("v1", "preview")
# gpt-image models came to the deployments path with 2025-04-01-preview (Azure's changelog,
# "GPT-image-1 support"); DALL·E is served on the versions before.
GPT_IMAGE_FROM_VERSION = datetime.date(2025, 4, 1)
# The image deployment the Responses tool draws with (Azure's samples and tests).
IMAGE_DEPLOYMENT_HEADER = "x-ms-oai-image-generation-deployment"
# Answer headers (recorded: the Azure SDKs' test recordings, 2023-12 … 2026-07).
REGION = "eastus"  # the region an answer names (inferred: any one)
DEPLOYMENT_HEADER_FROM = datetime.date(2025, 4, 1)  # x-ms-deployment-name, recorded from 2025-04
# DALL·E 3 answers carry the filter blocks per item from 2024-03 (a 2023-12 answer has none).
FILTER_BLOCKS_FROM = datetime.date(2024, 3, 1)
OPERATIONS = {"images/generations": "ImageGenerations_Create", "images/edits": "ImageEdits_Create",
              "responses": "Responses_Create"}  # fmt: skip
RATE_LIMIT_RETRY_SECONDS = 20  # the wait a recorded 429 named


@dataclass(frozen=True)
class AzureRoute:
    """What an Azure path asks for: the OpenAI path it becomes, the deployment (the
    deployments path's), and the api-version given."""

    openai_path: str
    deployment: str | None
    api_version: str | None
    v1: bool


def route_of(path: str, query: Mapping[str, str]) -> AzureRoute | None:
    version = query.get("api-version")
    found = DEPLOYMENTS_PATH.match(path)
    if found is not None:
        return AzureRoute("/v1/" + found[2], found[1], version, v1=False)
    found = V1_PATH.match(path)
    if found is not None:
        return AzureRoute("/v1/" + found[1], None, version, v1=True)
    return None


def version_day(version: str) -> datetime.date | None:
    """The day a dated api-version names; None for ``v1``/``preview`` or a malformed one."""
    found = DATED_VERSION.match(version)
    if found is None:
        return None
    try:
        return datetime.date.fromisoformat(found[1])
    except ValueError:
        return None


def version_known(version: str, v1: bool) -> bool:
    return (v1 and version in V1_VERSIONS) or version_day(version) is not None


def serves_on_version(gpt_image: bool, version: str) -> bool:
    """Whether a dated api-version of the deployments path serves a model (``gpt_image``: a
    GPT image model, ``ModelSpec.gpt_image``; text models and DALL·E on any)."""
    day = version_day(version)
    return day is None or not gpt_image or day >= GPT_IMAGE_FROM_VERSION


def filter_results(prompt_side: bool) -> dict[str, object]:
    """A clean answer's filter block: every category safe (the prompt side adds profanity,
    jailbreak and custom blocklists), as Azure's reference shows it."""
    block: dict[str, object] = {
        name: {"filtered": False, "severity": "safe"}
        for name in ("hate", "self_harm", "sexual", "violence")
    }
    if prompt_side:
        block["custom_blocklists"] = {"filtered": False, "details": []}
        block["jailbreak"] = {"filtered": False, "detected": False}
        block["profanity"] = {"filtered": False, "detected": False}
    return block
