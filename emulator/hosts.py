"""The hosts the emulator answers for, and hosts-file lines that send them to it.

Each vendor has its real API hosts and a media host (where its result URLs point with TLS on; its
`media_url` vendor option overrides it). Hosts-file lines send them all to the emulator: `write`
puts them between two marker lines (replacing an earlier block, so running it twice
changes nothing) and `remove` takes the block out; every other line of the file is kept as it is.
The file is rewritten whole, through a temporary file, so it is never left half-written.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

BEGIN = "# >>> staging-emulator >>>"
END = "# <<< staging-emulator <<<"
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


class VendorApi(Protocol):
    """What the functions below read of a vendor (a `core.vendor.VendorApi` or `VendorHosts`)."""

    slug: str
    hosts: tuple[str, ...]
    media_host: str | None
    options: dict[str, Any]


@dataclass(frozen=True)
class VendorHosts:
    """A vendor's hosts without building its API (for commands that serve nothing)."""

    slug: str
    hosts: tuple[str, ...]
    media_host: str | None
    options: dict[str, Any] = field(default_factory=dict)


def every_vendor(vendor_options: dict[str, dict[str, Any]] | None = None) -> list[VendorHosts]:
    """Every vendor's hosts, with its options (`media_url`) from the settings."""
    from .vendors import vendor_classes

    options = vendor_options or {}
    return [
        VendorHosts(cls.slug, cls.hosts, cls.media_host, dict(options.get(cls.slug, {})))
        for cls in vendor_classes()
    ]


def media_url_of(vendor: VendorApi, public_port: int = 443) -> str:
    """The base of a vendor's result URLs over TLS: its `media_url` option, else its media host
    (with the port clients reach HTTPS at, when it is not 443)."""
    configured = str(vendor.options.get("media_url") or "").rstrip("/")
    if configured or not vendor.media_host:
        return configured
    port = "" if public_port == 443 else f":{public_port}"
    return f"https://{vendor.media_host}{port}"


def media_host_of(vendor: VendorApi) -> str | None:
    """The host a vendor's media is served at: that of its `media_url` option, else its class's."""
    configured = vendor.options.get("media_url")
    if configured:
        return urlsplit(str(configured)).hostname
    return vendor.media_host


def media_bases(vendors: Iterable[VendorApi], public_port: int = 443) -> dict[str, str]:
    """Vendor slug -> base URL of its result URLs, for vendors that have a media host."""
    return {v.slug: base for v in vendors if (base := media_url_of(v, public_port))}


def certificate_hosts(vendors: Iterable[VendorApi], extra: Iterable[str] = ()) -> list[str]:
    """Every name the server certificate covers: each vendor's API hosts and media host, the
    loopback names and any `extra` (e.g. the public URL's host), deduplicated in a stable order."""
    names: list[str] = []
    for vendor in vendors:
        names += [*vendor.hosts, *filter(None, [media_host_of(vendor)])]
    names += [*LOCAL_HOSTS, *extra]
    return list(dict.fromkeys(name.lower().strip("[]") for name in names if name))


def vendor_hosts(vendors: Iterable[VendorApi]) -> list[str]:
    """Every vendor's API hosts and media host: what the hosts file maps to the emulator."""
    return [h for h in certificate_hosts(vendors) if h not in LOCAL_HOSTS]


def default_hosts_file(platform: str = sys.platform) -> Path:
    if platform.startswith("win"):
        root = os.environ.get("SYSTEMROOT", r"C:\Windows")
        return Path(root) / "System32" / "drivers" / "etc" / "hosts"
    return Path("/etc/hosts")


def host_lines(hosts: Iterable[str], address: str = "127.0.0.1") -> list[str]:
    """One `address host` line per host, skipping the loopback names and IP literals."""
    names = [h for h in dict.fromkeys(hosts) if h not in LOCAL_HOSTS and not _is_ip(h)]
    return [f"{address} {name}" for name in names]


def compose_lines(hosts: Iterable[str], address: str) -> list[str]:
    """The same mapping as Docker Compose `extra_hosts` entries (`- "host:address"`)."""
    names = [h for h in dict.fromkeys(hosts) if h not in LOCAL_HOSTS and not _is_ip(h)]
    return [f'- "{name}:{address}"' for name in names]


def block(hosts: Iterable[str], address: str = "127.0.0.1") -> str:
    return "\n".join([BEGIN, *host_lines(hosts, address), END]) + "\n"


def without_block(text: str) -> str:
    """The file's text with every staging-emulator block taken out."""
    kept: list[str] = []
    inside = False
    for line in text.splitlines(keepends=True):
        marker = line.strip()
        if marker == BEGIN:
            inside = True
        elif marker == END and inside:
            inside = False
        elif not inside:
            kept.append(line)
    return "".join(kept)


def write(path: Path, hosts: Iterable[str], address: str = "127.0.0.1") -> bool:
    """Put the block in `path` (in place of an earlier one); True when the file changed."""
    current = path.read_text() if path.exists() else ""
    rest = without_block(current)
    if rest and not rest.endswith("\n"):
        rest += "\n"
    wanted = rest + block(hosts, address)
    if wanted == current:
        return False
    _replace(path, wanted)
    return True


def remove(path: Path) -> bool:
    """Take the block out of `path`; True when there was one."""
    if not path.exists():
        return False
    current = path.read_text()
    rest = without_block(current)
    if rest == current:
        return False
    _replace(path, rest)
    return True


def _replace(path: Path, text: str) -> None:
    mode = path.stat().st_mode & 0o7777 if path.exists() else 0o644
    temp = path.with_name(f".{path.name}.staging-emulator.tmp")
    try:
        temp.write_text(text)
        os.chmod(temp, mode)
        os.replace(temp, path)
    except OSError:
        temp.unlink(missing_ok=True)
        # /etc/hosts inside a container is a bind mount: it cannot be replaced, only rewritten.
        path.write_text(text)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
