"""``openai-images-emulator`` / ``python -m emulator``: a thin command line over ``create_app``.

Every option of ``Config`` is a flag here and an ``IMAGES_EMULATOR_*`` variable; a flag
wins over the variable, the variable over the default.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import uvicorn

from . import __version__
from .app import create_app
from .config import OPTIONS, Config


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(
        prog="openai-images-emulator",
        description="An offline emulator of the OpenAI Images API.",
    )
    cli.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    for option in OPTIONS:
        flag = "--" + option.name.replace("_", "-")
        help_text = (
            f"{option.metadata['help']} (env {Config.env_name(option.name)}, "
            f"default {option.default!r})"
        )
        if option.type in ("bool", bool):
            cli.add_argument(flag, action="store_const", const=True, default=None, help=help_text)
            continue
        kind = {"int": int, "float": float}.get(str(option.type), str)
        cli.add_argument(flag, type=kind, default=None, metavar=option.name.upper(), help=help_text)
    return cli


def config_from(argv: Sequence[str] | None = None) -> Config:
    args = parser().parse_args(argv)
    return Config.from_env().with_overrides(**vars(args))


def main(argv: Sequence[str] | None = None) -> None:
    config = config_from(argv)
    try:
        config.as_of_day  # noqa: B018 - checked before anything starts
    except ValueError as error:
        raise SystemExit(str(error)) from None
    # A wildcard address is not one a client can call; show loopback instead.
    shown = "127.0.0.1" if config.host in ("0.0.0.0", "::", "") else config.host
    base = f"http://{shown}:{config.port}"
    public = config.public_url.rstrip("/") or base
    print(f"openai-images-emulator {__version__}: OpenAI(base_url='{public}/v1', api_key='any')")
    print(f"inspector: {public}/_emulator/", flush=True)
    uvicorn.run(
        create_app(config),
        host=config.host,
        port=config.port,
        log_level=config.log_level,
        server_header=False,
        timeout_graceful_shutdown=2,  # the inspector's live stream never ends by itself
    )
