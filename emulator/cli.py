"""`staging-emulator serve`: start the emulator on one port and print every vendor's base URL."""

from __future__ import annotations

import argparse
import sys

import uvicorn

from . import __version__
from .app import create_app
from .net import listen_socket
from .settings import DEFAULT_STORE, Settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="staging-emulator", description=__doc__)
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve", help="start the emulator (settings also from STAGING_EMULATOR_*)"
    )
    serve.add_argument("--host", help="interface to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 8080; 0 picks a free one)")
    serve.add_argument("--clock", choices=["real", "manual"], help="real (default) or manual")
    serve.add_argument(
        "--speed", type=float, help="real clock speed factor (0 = jobs finish at once)"
    )
    serve.add_argument("--seed", type=int, help="repeatable ids and timing jitter")
    serve.add_argument(
        "--public-url", help="base of every URL handed out (default: the listen address)"
    )
    serve.add_argument("--store", help=f"SQLite file or 'memory' (default {DEFAULT_STORE})")
    serve.add_argument("--log-level", help="uvicorn log level (default info)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    overrides = {k: v for k, v in vars(args).items() if k != "command"}
    settings = Settings.from_env(**overrides)
    sock = listen_socket(settings.host, settings.port)
    settings = settings.model_copy(update={"port": sock.getsockname()[1]})
    app = create_app(settings)
    print(f"staging-emulator {__version__} on http://{settings.host}:{settings.port}", flush=True)
    print(f"  clock {settings.clock} (speed {settings.speed}), store {settings.store}", flush=True)
    for slug, url in app.base_urls().items():
        print(f"  {slug:<20} {url}", flush=True)
    print(f"  {'control API':<20} {settings.resolved_public_url()}/_emulator", flush=True)
    config = uvicorn.Config(app, log_level=settings.log_level)
    uvicorn.Server(config).run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())
