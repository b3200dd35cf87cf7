"""The TLS side of the command line: HTTPS at start-up (`serve --tls`), `staging-emulator ca` and
`staging-emulator hosts`. Kept apart from `cli` so that a plain start never loads `cryptography`.
"""

from __future__ import annotations

import argparse
import errno
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import hosts as hosts_file
from .hosts import every_vendor, vendor_hosts

if TYPE_CHECKING:
    from .app import EmulatorApp
    from .settings import Settings
    from .tls import HttpsListener

PRIVILEGED_PORT_HINT = (
    "ports below 1024 need root, the capability (sudo setcap cap_net_bind_service=+ep "
    "$(readlink -f .venv/bin/python)) or a port mapping (docker -p 443:8443, or "
    "--tls-port 8443 with --tls-public-port 443 behind a redirect)"
)


class TlsProblem(Exception):
    """HTTPS cannot start, said in one line with what to do."""


def tls_directory(settings: Settings) -> Path:
    from .tls import data_dir

    return data_dir(settings.store, settings.tls_dir)


def start_https(
    settings: Settings,
    app: EmulatorApp,
    default_port: int | None = None,
    default_public_port: int | None = None,
) -> HttpsListener:
    """Bind the HTTPS port and make or reuse the certificates (see `tls.listen_https`)."""
    from .tls import DEFAULT_TLS_PORT, listen_https

    port = settings.tls_port if settings.tls_port is not None else default_port
    directory = tls_directory(settings)
    public_port = settings.tls_public_port or default_public_port
    try:
        return listen_https(app, settings.host, port, directory, public_port)
    except OSError as exc:
        tried = str(port) if port is not None else f"443 or {DEFAULT_TLS_PORT}"
        where = f"{settings.host}:{tried}"
        if exc.errno == errno.EADDRINUSE:
            raise TlsProblem(
                f"cannot listen for HTTPS on {where}: the port is in use; pick another with "
                "--tls-port or STAGING_EMULATOR_TLS_PORT"
            ) from exc
        if exc.errno in (errno.EACCES, errno.EPERM) and exc.filename is None:
            raise TlsProblem(f"cannot listen for HTTPS on {where}: {PRIVILEGED_PORT_HINT}") from exc
        raise TlsProblem(
            f"cannot keep the CA in {directory}: {exc.strerror or exc}; choose a writable folder "
            "with --tls-dir"
        ) from exc


def banner(listener: HttpsListener, app: EmulatorApp) -> list[str]:
    """The start-up lines for HTTPS: each vendor at its real host, and where the CA is."""
    port = "" if listener.port == 443 else f":{listener.port}"
    lines = [f"  HTTPS on port {listener.port} at the vendors' real hostnames:"]
    for vendor in app.vendors:
        media = f" (results at {vendor.media_host})" if vendor.media_host else ""
        lines.append(
            f"  {vendor.slug:<20} https://{vendor.hosts[0]}{port}{vendor.docs_base}{media}"
        )
    lines += [
        f"  CA certificate       {listener.files.ca}",
        "  trust it and map the hosts: `staging-emulator ca`, `staging-emulator hosts --write`",
    ]
    return lines


# commands

Handler = Callable[[argparse.Namespace, "Settings"], int]


def add_commands(
    commands: Any, add_setting_flags: Callable[[argparse.ArgumentParser], None]
) -> None:
    """`ca` and `hosts`; each parser gets `local`, a handler that needs no running emulator."""
    ca = commands.add_parser(
        "ca",
        help="print the local CA's path and how to trust it (--install: system store)",
        description="Print where the emulator's CA certificate is (made on first use) and how to "
        "make curl, Python, Node, PHP and the system trust it.",
    )
    ca.add_argument("--install", action="store_true", help="add it to the system trust store")
    ca.add_argument("--path", action="store_true", help="print only the certificate's path")
    ca.set_defaults(local=run_ca)
    add_setting_flags(ca)

    hosts = commands.add_parser(
        "hosts",
        help="print (--write, --remove) the hosts-file lines for every vendor host",
        description="Hosts-file lines that send every vendor's API and media host to the "
        "emulator. --write adds them between markers (again: no change), --remove takes them out.",
    )
    action = hosts.add_mutually_exclusive_group()
    action.add_argument("--write", action="store_true", help="add them to the hosts file")
    action.add_argument("--remove", action="store_true", help="take them out of the hosts file")
    hosts.add_argument(
        "--file", type=Path, help=f"hosts file (default {hosts_file.default_hosts_file()})"
    )
    hosts.add_argument("--address", default="127.0.0.1", help="where to send them (127.0.0.1)")
    hosts.add_argument(
        "--format", choices=["hosts", "compose"], default="hosts", help="compose: extra_hosts"
    )
    hosts.set_defaults(local=run_hosts)
    add_setting_flags(hosts)


def run_ca(args: argparse.Namespace, settings: Settings) -> int:
    from . import tls

    directory = tls_directory(settings)
    try:
        ca = tls.ensure_ca(directory)
        bundle = tls.ca_bundle(ca)
    except OSError as exc:
        print(f"staging-emulator: cannot keep the CA in {directory}: {exc}", file=sys.stderr)
        return 1
    if args.path:
        print(ca)
        return 0
    if not args.install:
        print(tls.trust_instructions(ca, bundle))
        return 0
    try:
        commands = tls.install_ca(ca)
    except (OSError, subprocess.CalledProcessError, RuntimeError) as exc:
        print(f"staging-emulator: could not install the CA: {exc}", file=sys.stderr)
        try:
            todo = tls.install_commands(ca)
            print("run as root (sudo):", *(" ".join(c) for c in todo), sep="\n  ", file=sys.stderr)
        except RuntimeError:
            pass
        return 1
    print(f"installed {ca} in the system trust store:")
    for command in commands:
        print("  " + " ".join(command))
    return 0


def run_hosts(args: argparse.Namespace, settings: Settings) -> int:
    names = vendor_hosts(every_vendor(settings.vendor_options))
    if not (args.write or args.remove):
        if args.format == "compose":
            print("extra_hosts:")
            print("\n".join("  " + line for line in hosts_file.compose_lines(names, args.address)))
        else:
            print("\n".join(hosts_file.host_lines(names, args.address)))
        return 0
    path = args.file or hosts_file.default_hosts_file()
    try:
        if args.write:
            changed = hosts_file.write(path, names, args.address)
            print(f"{path}: {'added' if changed else 'already has'} {len(names)} hosts")
        else:
            changed = hosts_file.remove(path)
            print(f"{path}: {'removed the' if changed else 'had no'} staging-emulator lines")
    except OSError as exc:
        print(
            f"staging-emulator: cannot change {path}: {exc.strerror or exc} (run it with sudo)",
            file=sys.stderr,
        )
        return 1
    return 0
