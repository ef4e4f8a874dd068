"""The emulator's options. Each one is a CLI flag and an environment variable with one prefix.

``OPTIONS`` below is the single list both the command line and the environment are read
from, so a new option is one ``field`` with its help text.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

ENV_PREFIX = "IMAGES_EMULATOR_"


def _option(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


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
    log_level: str = _option("info", "uvicorn log level: critical, error, warning, info, debug")

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
    if type_name in ("int", int):
        try:
            return int(raw)
        except ValueError:
            raise SystemExit(f"{Config.env_name(name)} must be an integer, got {raw!r}") from None
    return raw


OPTIONS = fields(Config)
