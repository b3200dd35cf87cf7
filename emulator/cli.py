"""`staging-emulator`: serve the emulator, or talk to a running one through its control API.

    staging-emulator                       serve (same as `staging-emulator serve`)
    staging-emulator serve --clock manual  every setting is a flag, a STAGING_EMULATOR_* variable
                                           or a key of staging-emulator.toml
    staging-emulator status | clock [advance 90s] | reset | jobs | deliveries [--follow]
                     delivery ID | resend ID | faults [add|clear|remove] | requests [count|clear]
                     state export FILE | state import FILE

Commands that talk to a running emulator find it at --url, else STAGING_EMULATOR_URL, else the
address the settings give. They print tables; --json prints JSON for scripts.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn, get_args

from pydantic import BaseModel

from . import __version__
from .client import EmulatorClient, EmulatorError, parse_duration
from .core.faults import FaultAction
from .core.http import load_json
from .core.server import Servers, StartupFailed
from .settings import Settings, SettingsProblem, env_name, flag_name, load_settings

PROG = "staging-emulator"
URL_ENV = "STAGING_EMULATOR_URL"
USAGE_ERROR = 2


class _Parser(argparse.ArgumentParser):
    """Usage errors in one line, exit status 2."""

    def error(self, message: str) -> NoReturn:
        fail(f"{message} (see {self.prog} --help)")


def fail(message: str) -> NoReturn:
    print(f"{PROG}: error: {message}", file=sys.stderr, flush=True)
    raise SystemExit(USAGE_ERROR)


# serving


def _add_setting_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per setting, named after it, its help naming the environment variable."""
    group = parser.add_argument_group(
        "settings", "flags > STAGING_EMULATOR_* variables > staging-emulator.toml > pyproject.toml"
    )
    for name, field in Settings.model_fields.items():
        default = field.get_default(call_default_factory=True)
        shown = "none" if default is None else json.dumps(default) if default == {} else default
        help_text = f"{field.description or name} [{env_name(name)}; default {shown}]"
        options: dict[str, Any] = {"dest": name, "default": argparse.SUPPRESS, "help": help_text}
        if field.annotation is bool:
            options["action"] = argparse.BooleanOptionalAction
        else:
            options["metavar"] = name.upper()
        group.add_argument(flag_name(name), **options)


def _flags(args: argparse.Namespace) -> dict[str, Any]:
    values = {name: getattr(args, name) for name in Settings.model_fields if hasattr(args, name)}
    if isinstance(values.get("vendor_options"), str):
        try:
            values["vendor_options"] = load_json(values["vendor_options"])
        except ValueError as exc:
            fail(f"--vendor-options: not JSON ({exc})")
    return values


def serve(settings: Settings) -> int:
    from .app import create_app
    from .net import listen_socket

    try:
        sock = listen_socket(settings.host, settings.port)
    except OSError as exc:
        hint = ""
        if exc.errno == errno.EADDRINUSE:
            hint = f"; the port is in use: pick another with --port or {env_name('port')}"
        fail(f"cannot listen on {settings.host}:{settings.port}: {exc.strerror or exc}{hint}")
    settings = settings.model_copy(update={"port": sock.getsockname()[1]})
    try:
        app = create_app(settings)
        if settings.seed_file:
            _load_seed(app, Path(settings.seed_file))
    except (OSError, sqlite3.Error) as exc:
        sock.close()
        fail(f"cannot open the store {settings.store!r}: {exc}")
    https = _start_https(settings, app, sock) if settings.tls else None
    print(f"{PROG} {__version__} on http://{settings.host}:{settings.port}", flush=True)
    print(f"  clock {settings.clock} (speed {settings.speed}), store {settings.store}", flush=True)
    for slug, url in app.base_urls().items():
        print(f"  {slug:<20} {url}", flush=True)
    print(f"  {'control API':<20} {settings.resolved_public_url()}/_emulator", flush=True)
    if https is not None:
        from .tls_cli import banner

        print("\n".join(banner(https, app)), flush=True)
    try:
        Servers(app, sock, https, log_level=settings.log_level).run()
    except StartupFailed as exc:
        fail(f"{exc}{_in_use_hint(exc)}")
    return 0


def _in_use_hint(exc: StartupFailed) -> str:
    setting = "tls_port" if exc.scheme == "HTTPS" else "port"
    cause = exc.__cause__
    if isinstance(cause, OSError) and cause.errno == errno.EADDRINUSE:
        return (
            f"; the port is in use: pick another with {flag_name(setting)} or {env_name(setting)}"
        )
    return ""


def _start_https(settings: Settings, app: Any, sock: Any) -> Any:
    from .tls_cli import TlsProblem, start_https

    try:
        return start_https(settings, app)
    except TlsProblem as exc:
        sock.close()
        fail(str(exc))


def _load_seed(app: Any, path: Path) -> None:
    from .control.state import StateArchiveError, import_archive

    try:
        summary = import_archive(app, path.read_bytes())
    except OSError as exc:
        fail(f"--seed-file {path}: {exc.strerror or exc}")
    except StateArchiveError as exc:
        fail(f"--seed-file {path}: {exc}")
    kinds = ", ".join(f"{n} {kind}" for kind, n in summary.documents.items()) or "nothing"
    print(f"  seeded from {path}: {kinds}, {summary.blobs} blobs", flush=True)


# talking to a running emulator


def _default_url(flags: dict[str, Any]) -> str:
    if os.environ.get(URL_ENV):
        return os.environ[URL_ENV]
    try:
        return load_settings(flags).resolved_public_url()
    except SettingsProblem:
        return "http://127.0.0.1:8080"


def _client_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--url", help=f"root URL of the emulator [{URL_ENV}; default from the settings]"
    )
    common.add_argument("--json", action="store_true", help="print JSON instead of a table")
    return common


def _when(ts: float | None) -> str:
    if ts is None:
        return "-"
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S")


def _short(text: Any, width: int = 48) -> str:
    text = "-" if text is None else str(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def table(rows: Iterable[Sequence[Any]], headers: Sequence[str]) -> str:
    cells = [[str(h).upper() for h in headers], *[[_short(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(line.rstrip() for line in lines)


def _print(args: argparse.Namespace, data: Any, render: Callable[[Any], str]) -> None:
    if args.json:
        print(json.dumps(_plain(data), indent=2))
    else:
        print(render(data))


def _plain(data: Any) -> Any:
    if isinstance(data, BaseModel):
        return data.model_dump(mode="json")
    if isinstance(data, list):
        return [_plain(item) for item in data]
    return data


def _clock_text(clock: Any) -> str:
    speed = f", speed {clock.speed}" if clock.mode == "real" else ""
    due = f", next due {_when(clock.next_due)}" if clock.next_due is not None else ""
    return f"clock {clock.mode}{speed}: {clock.now_iso} ({clock.pending_timers} pending{due})"


def cmd_status(client: EmulatorClient, args: argparse.Namespace) -> None:
    def render(health: Any) -> str:
        lines = [f"staging-emulator {health.version} at {client.url}: {health.status}"]
        lines += [_clock_text(health.clock), f"store {health.store}", ""]
        lines.append(table(health.vendors.items(), ["vendor", "base url"]))
        return "\n".join(lines)

    _print(args, client.health(), render)


def cmd_clock(client: EmulatorClient, args: argparse.Namespace) -> None:
    if args.action == "advance":
        if args.duration is None:
            fail("clock advance needs a duration, e.g. 90s, 2m or 1h30m")
        try:
            seconds = parse_duration(args.duration)
        except ValueError as exc:
            fail(str(exc))
        result = client.advance(seconds)
        _print(args, result, lambda r: f"advanced {seconds:g}s, ran {r.ran}; {_clock_text(r)}")
    else:
        _print(args, client.clock(), _clock_text)


def cmd_reset(client: EmulatorClient, args: argparse.Namespace) -> None:
    if args.api_key and not args.vendor:
        fail("reset --api-key needs --vendor")
    result = client.reset(vendor=args.vendor, api_key=args.api_key, account_id=args.account_id)
    _print(args, result, lambda r: f"reset {r.reset}")


def cmd_jobs(client: EmulatorClient, args: argparse.Namespace) -> None:
    jobs = client.jobs(
        args.vendor, api_key=args.api_key, account_id=args.account_id, limit=args.limit
    )

    def render(items: list[Any]) -> str:
        rows = [
            (j.id, j.vendor, j.operation, j.state, _when(j.created_at), len(j.output_urls))
            for j in items
        ]
        return table(rows, ["id", "vendor", "operation", "state", "created", "outputs"])

    _print(args, jobs, render)


def _delivery_row(d: Any) -> tuple[Any, ...]:
    last = d.attempts[-1] if d.attempts else None
    answer = None if last is None else (last.status or last.error)
    return (d.id, d.vendor, d.event, d.state, len(d.attempts), answer, d.url)


DELIVERY_HEADERS = ["id", "vendor", "event", "state", "attempts", "last answer", "url"]


def cmd_deliveries(client: EmulatorClient, args: argparse.Namespace) -> None:
    def fetch() -> list[Any]:
        return client.deliveries(
            args.vendor, state=args.state, api_key=args.api_key, account_id=args.account_id
        )

    items = fetch()
    if not args.follow:
        _print(args, items, lambda xs: table(map(_delivery_row, xs), DELIVERY_HEADERS))
        return
    _follow(args, fetch)


def _follow(args: argparse.Namespace, fetch: Callable[[], list[Any]]) -> None:
    """Print each delivery as it appears and again whenever it changes, until interrupted
    (or --for seconds have passed)."""
    seen: dict[str, tuple[str, int]] = {}
    deadline = None if args.for_seconds is None else time.monotonic() + args.for_seconds
    if not args.json:
        print(table([], DELIVERY_HEADERS), flush=True)
    try:
        while True:
            for delivery in fetch():
                version = (delivery.state, len(delivery.attempts))
                if seen.get(delivery.id) == version:
                    continue
                seen[delivery.id] = version
                if args.json:
                    print(json.dumps(delivery.model_dump(mode="json")), flush=True)
                else:
                    line = table([_delivery_row(delivery)], DELIVERY_HEADERS).splitlines()[1]
                    print(line, flush=True)
            if deadline is not None and time.monotonic() >= deadline:
                return
            time.sleep(args.interval)
    except KeyboardInterrupt:
        return


def _delivery_text(d: Any) -> str:
    lines = [
        f"delivery {d.id} ({d.vendor}, {d.event}): {d.state}",
        f"  POST {d.url}",
        f"  payload {json.dumps(d.payload)}",
    ]
    for n, attempt in enumerate(d.attempts, 1):
        answer = attempt.status if attempt.status is not None else attempt.error
        signed = f" signed {sorted(attempt.headers)}" if attempt.headers else ""
        lines.append(f"  attempt {n} at {_when(attempt.at)}: {answer}{signed}")
    if d.next_attempt_at is not None:
        lines.append(f"  next attempt at {_when(d.next_attempt_at)}")
    return "\n".join(lines)


def cmd_delivery(client: EmulatorClient, args: argparse.Namespace) -> None:
    _print(args, client.delivery(args.id), _delivery_text)


def cmd_resend(client: EmulatorClient, args: argparse.Namespace) -> None:
    _print(args, client.resend(args.id), _delivery_text)


def _fault_rows(rules: list[Any]) -> str:
    rows = [
        (r.id, r.vendor, r.operation, r.action, r.status, r.times or "∞", r.matched) for r in rules
    ]
    return table(rows, ["id", "vendor", "operation", "action", "status", "times", "matched"])


def cmd_faults(client: EmulatorClient, args: argparse.Namespace) -> None:
    if args.action == "add":
        given = {
            "operation": args.operation,
            "action": args.fault_action,
            "status": args.status,
            "message": args.message,
            "retry_after": args.retry_after,
            "delay": args.delay,
            "probability": args.probability,
            "seed": args.seed,
            "times": args.times,
        }
        rule = client.add_fault(args.vendor, **{k: v for k, v in given.items() if v is not None})
        _print(args, rule, lambda r: _fault_rows([r]))
    elif args.action == "clear":
        client.clear_faults()
        print("{}" if args.json else "fault rules cleared")
    elif args.action == "remove":
        client.remove_fault(args.id)
        print("{}" if args.json else f"fault rule {args.id} removed")
    else:
        _print(args, client.faults(), _fault_rows)


def cmd_requests(client: EmulatorClient, args: argparse.Namespace) -> None:
    filters = {
        "operation": args.operation,
        "status": args.status,
        "account_id": args.account_id,
        "api_key": args.api_key,
        "method": args.method,
    }
    if args.action == "clear":
        client.clear_requests()
        print("{}" if args.json else "request journal cleared")
    elif args.action in ("on", "off"):
        settings = client.journal(enabled=args.action == "on")
        _print(args, settings, lambda s: f"request journal {'on' if s.enabled else 'off'}")
    elif args.action == "count":
        count = client.count_requests(args.vendor, **filters)
        print(json.dumps({"count": count}) if args.json else count)
    else:
        entries = client.requests(args.vendor, limit=args.limit, **filters)

        def render(items: list[Any]) -> str:
            rows = [
                (_when(e.at), e.method, e.path, e.status, e.operation, e.duration_ms) for e in items
            ]
            return table(rows, ["at", "method", "path", "status", "operation", "ms"])

        _print(args, entries, render)


def cmd_state(client: EmulatorClient, args: argparse.Namespace) -> None:
    path = Path(args.file)
    if args.action == "export":
        data = client.export_state()
        path.write_bytes(data)
        print(json.dumps({"file": str(path), "bytes": len(data)}) if args.json else f"wrote {path}")
        return
    try:
        archive = path.read_bytes()
    except OSError as exc:
        fail(f"{path}: {exc.strerror or exc}")
    summary = client.import_state(archive)
    _print(args, summary, lambda s: f"imported {path}: {s.documents}, {s.blobs} blobs")


def _client_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    def add(name: str, handler: Callable[..., None], help_text: str) -> argparse.ArgumentParser:
        parser = commands.add_parser(name, parents=[common], help=help_text, description=help_text)
        parser.set_defaults(handler=handler)
        return parser

    def owner(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--vendor", help="vendor slug")
        parser.add_argument("--api-key", help="only this key's account (with --vendor)")
        parser.add_argument("--account-id", help="only this account")

    add("status", cmd_status, "health, clock and every vendor's base URL")
    clock = add("clock", cmd_clock, "show the clock, or `clock advance 90s` (manual clock)")
    clock.add_argument("action", nargs="?", choices=["show", "advance"], default="show")
    clock.add_argument("duration", nargs="?", help="90, 90s, 2m, 1h30m")
    reset = add("reset", cmd_reset, "forget everything, or one account")
    owner(reset)
    jobs = add("jobs", cmd_jobs, "jobs, newest first")
    owner(jobs)
    jobs.add_argument("--limit", type=int)
    deliveries = add("deliveries", cmd_deliveries, "webhook deliveries; --follow streams them")
    owner(deliveries)
    deliveries.add_argument("--state", choices=["pending", "delivered", "failed"])
    deliveries.add_argument("--follow", "-f", action="store_true", help="keep printing changes")
    deliveries.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
    deliveries.add_argument(
        "--for", dest="for_seconds", type=float, help="stop following after this many seconds"
    )
    add("delivery", cmd_delivery, "one delivery with its attempts").add_argument("id")
    add("resend", cmd_resend, "send a delivery again (new attempt, signed anew)").add_argument("id")
    faults = add("faults", cmd_faults, "fault rules: list, add, remove ID, clear")
    faults.add_argument("action", nargs="?", choices=["list", "add", "remove", "clear"])
    faults.add_argument("id", nargs="?", help="rule id (remove)")
    faults.add_argument("--vendor", help="vendor slug (add)")
    faults.add_argument("--operation", default="*", help="handler name or * (add)")
    faults.add_argument(
        "--action", dest="fault_action", choices=get_args(FaultAction), default="error"
    )
    faults.add_argument("--status", type=int, help="error status (default 503; rate_limit 429)")
    faults.add_argument("--message", help="message in the vendor's envelope")
    faults.add_argument("--retry-after", type=int, help="seconds, sent as Retry-After")
    faults.add_argument("--delay", type=float, help="latency: real seconds added")
    faults.add_argument("--probability", type=float, help="chance a matching call fires (0-1)")
    faults.add_argument("--seed", type=int, help="the probability's draws repeat for a seed")
    faults.add_argument("--times", type=int, help="how many firings (default unlimited)")
    requests = add("requests", cmd_requests, "the request journal: list, count, clear, on, off")
    requests.add_argument("action", nargs="?", choices=["list", "count", "clear", "on", "off"])
    owner(requests)
    requests.add_argument("--operation", help="handler name")
    requests.add_argument("--status", help="404, or a class: 4xx")
    requests.add_argument("--method")
    requests.add_argument("--limit", type=int)
    state = add("state", cmd_state, "export the whole state to a file, or import one")
    state.add_argument("action", choices=["export", "import"])
    state.add_argument("file")


def parser() -> argparse.ArgumentParser:
    root = _Parser(
        prog=PROG,
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        epilog="With no command it serves. `staging-emulator COMMAND --help` for each command.",
    )
    root.add_argument("--version", action="version", version=__version__)
    _add_setting_flags(root)
    commands = root.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    serve_parser = commands.add_parser(
        "serve", help="start the emulator (the default)", description="start the emulator"
    )
    _add_setting_flags(serve_parser)
    from .tls_cli import add_commands as add_tls_commands

    add_tls_commands(commands, _add_setting_flags)  # ca, hosts
    _client_commands(commands, _client_options())
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if getattr(args, "local", None) is not None:  # ca, hosts: no running emulator needed
        try:
            return int(args.local(args, load_settings(_flags(args))))
        except SettingsProblem as exc:
            fail(str(exc))
    if getattr(args, "handler", None) is None:  # serve
        try:
            settings = load_settings(_flags(args))
        except SettingsProblem as exc:
            fail(str(exc))
        return serve(settings)
    if args.command == "faults" and args.action == "add" and not args.vendor:
        fail("faults add needs --vendor")
    if args.command == "faults" and args.action == "remove" and not args.id:
        fail("faults remove needs the rule id")
    with EmulatorClient(args.url or _default_url(_flags(args))) as client:
        try:
            args.handler(client, args)
        except EmulatorError as exc:
            print(f"{PROG}: {exc.message}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
