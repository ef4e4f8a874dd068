"""The emulator's options. Each one is a CLI flag and an environment variable with one prefix.

``OPTIONS`` below is the single list both the command line and the environment are read
from, so a new option is one ``field`` with its help text.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from .contract.added_models import AddedModel, parse_pairs
from .contract.dates import AsOf, parse_as_of

ENV_PREFIX = "IMAGES_EMULATOR_"


def _option(default: Any, help: str, repeatable: bool = False) -> Any:
    """An option; ``repeatable``: the flag may be given more than once (values joined by
    commas, as the environment variable holds them)."""
    return field(default=default, metadata={"help": help, "repeatable": repeatable})


@dataclass(frozen=True)
class Config:
    host: str = _option("127.0.0.1", "address to listen on (the Docker image uses 0.0.0.0)")
    port: int = _option(8000, "port to listen on")
    public_url: str = _option(
        "",
        "base of the image URLs handed out (e.g. http://emulator:8000 behind a proxy or "
        "from another container); empty: the URL the request came in on",
    )
    url_ttl_seconds: int = _option(
        3600, "how long an image URL works, as the real API's 60 minutes"
    )
    url_store_mb: int = _option(
        256, "memory kept for images served by URL; the oldest go first beyond it"
    )
    stream_delay_ms: int = _option(
        0,
        "pause between streamed events, to watch a progress display (per request: header "
        "x-emulator-stream-delay-ms)",
    )
    body_timeout_seconds: float = _option(
        10.0,
        "a request body that stops arriving for this long (short of its Content-Length) "
        "is answered with a 400",
    )
    header_timeout_seconds: float = _option(
        30.0,
        "a connection whose request headers have not all arrived this long after it opened "
        "(or after its request began) is closed",
    )
    files_store_mb: int = _option(
        256, "memory for files uploaded to /v1/files; an upload past it is refused"
    )
    responses_store_mb: int = _option(
        256,
        "memory for stored Responses API answers (store: true) with their images; the oldest "
        "go first beyond it",
    )
    fetch_image_urls: bool = _option(
        False,
        "let JSON edits fetch image_url references from the network (off: only data: URLs "
        "and the emulator's own image URLs)",
    )
    journal_size: int = _option(1000, "requests kept in the journal; the oldest go first")
    journal_images_mb: int = _option(
        64,
        "memory for the images the inspector shows (inputs, masks, outputs); the oldest "
        "go first, their entries stay",
    )
    api_keys: str = _option(
        "", "comma-separated keys accepted; empty: any non-empty key (the default)"
    )
    control_origins: str = _option(
        "",
        "comma-separated origins (scheme://host:port) whose pages may call the control plane "
        "and the inspector's data from a browser; empty: only the emulator's own pages",
    )
    require_organization: bool = _option(False, "refuse requests without OpenAI-Organization")
    require_project: bool = _option(False, "refuse requests without OpenAI-Project")
    refusal_words: str = _option(
        "moderation-test",
        "comma-separated words that make a prompt be refused by the safety system",
    )
    as_of: str = _option(
        "today",
        "answer as the API did on this date, YYYY-MM-DD (per request: header "
        "x-emulator-as-of); 'today' (the default): the machine's date, read per request; "
        "'latest': every model served, each with its latest behaviour",
    )
    model: str = _option(
        "",
        "serve a model the catalog does not know as a copy of one it knows, NEW=KNOWN (e.g. "
        "gpt-6.3-sol=gpt-6.2-sol), image and text models alike; repeat the flag or separate "
        "pairs with commas",
        repeatable=True,
    )
    record: str = _option(
        "",
        "a folder: be a proxy to --upstream and write every exchange there (the caller's key "
        "is forwarded, never written)",
    )
    upstream: str = _option(
        "https://api.openai.com",
        "where --record sends requests, with or without the /v1 an OPENAI_BASE_URL ends in",
    )
    replay: str = _option("", "a folder of recordings: answer a request that matches one with it")
    replay_strict: bool = _option(
        False, "with --replay: refuse a request no recording matches (naming the closest)"
    )
    replay_ignore: str = _option(
        "", "with --replay: comma-separated body fields matching ignores (e.g. user)"
    )
    batch_delay_seconds: float = _option(
        0.0,
        "seconds (in the emulator's clock) a batch waits before it completes; 0: as soon as "
        "its lines are answered (per batch: header x-emulator-batch-delay-seconds)",
    )
    background_delay_seconds: float = _option(
        0.0,
        "seconds (in the emulator's clock) a background response stays queued; 0: it starts "
        "at once (per response: header x-emulator-background-delay-seconds)",
    )
    data_dir: str = _option(
        "",
        "keep files, batches, stored and background responses, namespaces and clocks in this "
        "folder across restarts and crashes (an SQLite database and blob files); empty: "
        "memory only, nothing written",
    )
    azure_deployment: str = _option(
        "",
        "on the Azure OpenAI door, serve deployment NAME with model MODEL, NAME=MODEL (a "
        "deployment named after a model served that day needs none); repeat the flag or "
        "separate pairs with commas",
        repeatable=True,
    )
    webhook_url: str = _option(
        "",
        "send webhook events (batch.completed, response.completed, …) to this URL, in every "
        "namespace; repeat the flag or separate URLs with commas",
        repeatable=True,
    )
    webhook_secret: str = _option(
        "",
        "the whsec_… secret the --webhook-url deliveries are signed with; empty: one is made "
        "and shown at start-up and in GET /_emulator/config",
    )
    webhook_attempts: int = _option(
        5,
        "attempts per webhook delivery before it is given up (a non-2xx answer, a refused "
        "connection or a timeout is retried with the same webhook-id)",
    )
    webhook_retry_seconds: float = _option(
        1.0, "wait before a delivery's first retry; each later one waits twice as long"
    )
    webhook_timeout_seconds: float = _option(10.0, "how long a receiver has to answer one delivery")
    namespace_by_key: bool = _option(
        False,
        "keep journal, faults, clock, images, files and responses apart per API key (as the "
        "x-emulator-namespace header does per name)",
    )
    lenient: bool = _option(
        False,
        "accept what the OpenAPI schema allows (unknown models, parameters a model does not "
        "take, non-image bytes as images) and still answer valid shapes",
    )
    latency_factor: float = _option(
        0.0, "sleep as long as the real model would take, times this factor (0: off)"
    )
    render_workers: int = _option(
        -1,
        "processes that draw fresh images while the server answers other requests; -1 (the "
        "default): one per core when run from the command line or Docker, none in-process "
        "(tests, the pytest plugin); 0: none",
    )
    log_level: str = _option("info", "uvicorn log level: critical, error, warning, info, debug")

    @property
    def as_of_setting(self) -> AsOf:
        """``as_of`` as a day, ``today`` or ``latest``; a ValueError says what is wrong."""
        return parse_as_of(self.as_of, "--as-of")

    @property
    def upstream_base(self) -> str:
        """``upstream`` without a trailing slash or ``/v1``: request paths bring their own
        ``/v1`` (``https://api.openai.com/v1``, as OPENAI_BASE_URL is written, would double it)."""
        base = self.upstream.strip().rstrip("/")
        return base.removesuffix("/v1")

    @property
    def added_models(self) -> tuple[AddedModel, ...]:
        """``model`` as pairs (a ValueError says what is wrong; the catalog checks the names)."""
        return parse_pairs(self.model, "--model")

    @property
    def accepted_keys(self) -> frozenset[str]:
        return frozenset(key.strip() for key in self.api_keys.split(",") if key.strip())

    @property
    def control_origin_set(self) -> frozenset[str]:
        return frozenset(
            origin.strip().rstrip("/").lower()
            for origin in self.control_origins.split(",")
            if origin.strip()
        )

    @property
    def azure_deployments(self) -> dict[str, str]:
        """``azure_deployment`` as NAME to MODEL (a ValueError says what is wrong)."""
        pairs = {}
        for pair in (part.strip() for part in self.azure_deployment.split(",")):
            if not pair:
                continue
            name, sep, model = (side.strip() for side in pair.partition("="))
            if not sep or not name or not model:
                raise ValueError(f"--azure-deployment takes NAME=MODEL, got {pair!r}")
            pairs[name] = model
        return pairs

    @property
    def webhook_url_list(self) -> tuple[str, ...]:
        return tuple(url.strip() for url in self.webhook_url.split(",") if url.strip())

    @property
    def refusal_word_list(self) -> tuple[str, ...]:
        return tuple(word.strip().lower() for word in self.refusal_words.split(",") if word.strip())

    @staticmethod
    def env_name(name: str) -> str:
        return ENV_PREFIX + name.upper()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Config:
        """Defaults overridden by ``IMAGES_EMULATOR_*`` variables."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for option in fields(cls):
            raw = environ.get(cls.env_name(option.name))
            if raw is not None:
                values[option.name] = _parse(option.name, option.type, raw)
        return cls(**values)

    def with_overrides(self, **overrides: Any) -> Config:
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


def _parse(name: str, type_name: object, raw: str) -> Any:
    if type_name in ("bool", bool):
        if raw.strip().lower() in ("1", "true", "yes", "on"):
            return True
        if raw.strip().lower() in ("0", "false", "no", "off", ""):
            return False
        raise SystemExit(f"{Config.env_name(name)} must be true or false, got {raw!r}")
    for kind in (int, float):
        if type_name in (kind.__name__, kind):
            try:
                return kind(raw)
            except ValueError:
                raise SystemExit(
                    f"{Config.env_name(name)} must be a number ({kind.__name__}), got {raw!r}"
                ) from None
    return raw


OPTIONS = fields(Config)
