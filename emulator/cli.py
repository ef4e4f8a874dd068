"""``openai-images-emulator`` / ``python -m emulator``: a thin command line over ``create_app``.

Every option of ``Config`` is a flag here and an ``IMAGES_EMULATOR_*`` variable; a flag
wins over the variable, the variable over the default.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import socket
import sys
from collections.abc import Sequence

import uvicorn

from . import __version__
from .app import added_models_of, create_app
from .config import OPTIONS, Config
from .contract.dates import LATEST, TODAY, AsOf, today
from .testdouble.data_dir import DataDirError
from .transport.header_timeout import with_header_timeout
from .transport.webhook_signature import new_secret


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
        if option.metadata.get("repeatable"):
            cli.add_argument(flag, action="append", default=None, metavar=option.name.upper(),
                             help=help_text)  # fmt: skip
            continue
        cli.add_argument(flag, type=kind, default=None, metavar=option.name.upper(), help=help_text)
    return cli


def config_from(argv: Sequence[str] | None = None) -> Config:
    args = vars(parser().parse_args(argv))
    for name, value in args.items():
        if isinstance(value, list):  # a repeatable flag: its values, as the variable holds them
            args[name] = ",".join(value)
    return Config.from_env().with_overrides(**args)


def as_of_description(as_of: AsOf) -> str:
    if as_of == LATEST:
        return "no date ('latest'): every model served, each with its latest behaviour"
    if as_of == TODAY:
        return (
            f"today ({today().isoformat()}, the machine's date, read per request; pin a day "
            "with --as-of or the x-emulator-as-of header)"
        )
    assert isinstance(as_of, datetime.date)
    return f"{as_of.isoformat()} (pinned with --as-of)"


def main(argv: Sequence[str] | None = None) -> None:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["drift"]:  # openai-images-emulator drift DIR [--json]
        from .recordings_drift import main as drift

        raise SystemExit(drift(arguments[1:]))
    config = config_from(arguments)
    try:
        as_of = config.as_of_setting  # checked before anything starts
        added = added_models_of(config)
    except ValueError as error:
        raise SystemExit(str(error)) from None
    listening = bound(config.host, config.port)  # the banner only once the port is ours
    # A wildcard address is not one a client can call; show loopback instead.
    shown = "127.0.0.1" if config.host in ("0.0.0.0", "::", "") else config.host
    base = f"http://{shown}:{listening.getsockname()[1]}"
    public = config.public_url.rstrip("/") or base
    print(f"openai-images-emulator {__version__}: OpenAI(base_url='{public}/v1', api_key='any')")
    print(f"inspector: {public}/_emulator/")
    print(f"answering as of {as_of_description(as_of)}")
    for model in added:
        print(f"serving {model.name} as a copy of {model.copy_of} (--model)")
    if config.record:
        print(f"recording to {config.record} from {config.upstream_base}")
    elif config.replay:
        strict = (
            "strict: a request no recording matches is refused"
            if config.replay_strict
            else ("a request no recording matches is emulated")
        )
        print(f"replaying {config.replay} ({strict})")
    if config.webhook_url_list:
        if not config.webhook_secret:  # made here, so that the banner can show it
            config = config.with_overrides(webhook_secret=new_secret())
        urls = ", ".join(config.webhook_url_list)
        print(f"webhooks to {urls}, signed with {config.webhook_secret}")
    sys.stdout.flush()
    config = served(config)
    try:
        app = create_app(config)
    except DataDirError as refused:
        raise SystemExit(f"openai-images-emulator: {refused}") from None
    if config.data_dir:
        print(f"keeping state in {config.data_dir}")
        sys.stdout.flush()
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            log_level=config.log_level,
            server_header=False,
            timeout_graceful_shutdown=2,  # the inspector's live stream never ends by itself
            http=with_header_timeout(config.header_timeout_seconds),
        )
    )
    # After a Ctrl-C shutdown uvicorn raises the signal again; its own command line takes
    # the KeyboardInterrupt back, and so does this one (no traceback).
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=[listening])


def served(config: Config) -> Config:
    """The options a served emulator runs with: by default, a render worker per core."""
    if config.render_workers < 0:
        return config.with_overrides(render_workers=os.cpu_count() or 1)
    return config


def bound(host: str, port: int) -> socket.socket:
    """A listening socket on host:port, or one clear line and exit 1 when it is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.socket(family, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind((host, port))
    except OSError as error:
        listening.close()
        print(
            f"openai-images-emulator: cannot listen on {host}:{port}: {error.strerror} "
            "(another server there? choose one with --port or IMAGES_EMULATOR_PORT)",
            file=sys.stderr,
        )
        raise SystemExit(1) from None
    listening.listen(2048)
    listening.set_inheritable(True)
    return listening
