"""Checks on URLs clients send: image sources and webhook targets.

One policy for image URLs, used by every vendor through `VendorApi.check_source_url`: the host is
normalised the way a fetcher would read it (percent-encoding, IDNA, trailing dots, the short,
decimal, hex and octal IPv4 forms `inet_aton` accepts, IPv6 with IPv4 inside) before it is checked,
so `https://127.1/`, `https://0x7f000001/` or `https://[::ffff:127.0.0.1]/` are seen as the
loopback address they are. The emulator never resolves names: a public name that points at a
private address is accepted, as it cannot be told apart without DNS.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import SplitResult, unquote, urlsplit

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Names that only resolve inside a machine or a private network, and cloud metadata services.
_LOCAL_NAMES = frozenset({"localhost", "metadata", "instance-data", "metadata.google.internal"})
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain", ".home.arpa", ".lan")
# Cloud metadata services, by address (AWS/GCP/Azure, AWS IPv6, Alibaba, Oracle).
_METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200", "192.0.0.192")
)
# IPv6 prefixes that carry an IPv4 address in their last 32 bits (NAT64 well-known and local).
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def is_http_url(url: str, *, https_only: bool = False) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    schemes = ("https",) if https_only else ("http", "https")
    return parts.scheme in schemes and bool(parts.hostname) and " " not in url


@dataclass(frozen=True)
class Host:
    """A URL's host as a fetcher would contact it: a lower-case name or an IP address."""

    name: str
    ip: IpAddress | None = None


def normalized_host(url: str) -> Host:
    """The host of `url`, normalised; ValueError when there is none a fetcher could use."""
    parts = urlsplit(url)
    raw = _raw_host(parts)
    if not raw:
        raise ValueError("the URL has no host")
    if raw.startswith("["):
        if not raw.endswith("]"):
            raise ValueError("the IPv6 address is not closed by ]")
        return _ipv6_host(unquote(raw[1:-1]))
    name = unquote(raw, errors="strict")
    try:
        name = name.encode("idna").decode("ascii").lower()  # IDNA maps look-alike characters
    except UnicodeError as exc:
        raise ValueError("the host name is not a valid domain name") from exc
    name = name.rstrip(".")
    if not name or any(c in name for c in "%/\\@:[] "):
        raise ValueError("the host name is not a valid domain name")
    ip = _ipv4(name)
    return Host(str(ip) if ip else name, ip)


def _raw_host(parts: SplitResult) -> str:
    """The host between userinfo and port, as written (urlsplit's `hostname` drops brackets)."""
    netloc = parts.netloc.rpartition("@")[2]
    if netloc.startswith("["):
        return netloc[: netloc.find("]") + 1] if "]" in netloc else netloc
    return netloc.partition(":")[0].lower()


def _ipv6_host(text: str) -> Host:
    address = text.partition("%")[0]  # a zone (`%eth0`) names an interface, not an address
    try:
        ip = ipaddress.IPv6Address(address)
    except ValueError as exc:
        raise ValueError("the IPv6 address is not valid") from exc
    return Host(str(ip), ip)


def _ipv4(name: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address a numeric host stands for in any form `inet_aton` and browsers accept:
    1 to 4 parts, each decimal, hex (0x) or octal (leading 0), the last filling what is left
    (`127.1`, `2130706433`, `0x7f000001`, `0177.0.0.1`); None when the name is not numeric."""
    parts = name.split(".")
    numbers = [_ipv4_part(p) for p in parts]
    if any(n is None for n in numbers):
        if _ipv4_part(parts[-1]) is not None:  # a numeric last label makes it an address
            raise ValueError("the host is not a valid IPv4 address")
        return None
    values = [n for n in numbers if n is not None]
    if len(values) > 4 or any(v > 255 for v in values[:-1]):
        raise ValueError("the host is not a valid IPv4 address")
    last_bits = 8 * (5 - len(values))
    if values[-1] >= 1 << last_bits:
        raise ValueError("the host is not a valid IPv4 address")
    value = values[-1]
    for index, part in enumerate(values[:-1]):
        value |= part << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def _ipv4_part(text: str) -> int | None:
    try:
        if text[:2].lower() == "0x":
            return int(text[2:], 16) if text[2:] else 0
        if len(text) > 1 and text.startswith("0"):
            return int(text[1:], 8)
        return int(text, 10) if text.isdigit() else None
    except ValueError:
        return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries: mapped, compatible, 6to4, Teredo or NAT64."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if any(ip in net for net in _NAT64) or (int(ip) >> 32 == 0 and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)  # NAT64, or IPv4-compatible ::a.b.c.d
    return None


def host_problem(host: Host) -> str | None:
    """Why a fetcher on the internet could not reach `host`, in words, or None when it could."""
    if host.ip is None:
        if host.name in _LOCAL_NAMES or host.name.endswith(_LOCAL_SUFFIXES):
            what = "a metadata service" if "metadata" in host.name else "a local name"
            return f"'{host.name}' is {what}, not reachable from the internet"
        return None
    ip = host.ip
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None:
            return host_problem(Host(str(inner), inner))
    if ip in _METADATA_ADDRESSES:
        kind = "a cloud metadata-service address"
    elif ip.is_loopback:
        kind = "a loopback address"
    elif ip.is_link_local:
        kind = "a link-local address"
    elif ip.is_unspecified:
        kind = "the unspecified address"
    elif ip.is_multicast:
        kind = "a multicast address"
    elif ip.is_private:
        kind = "a private-network address"
    elif not ip.is_global:
        kind = "a reserved address"
    else:
        return None
    return f"{ip} is {kind}, not reachable from the internet"


def source_url_problem(
    url: str, *, https_only: bool = False, allow_private: bool = False
) -> str | None:
    """Why a vendor could not fetch this image URL, in words, or None when it could.

    Refused: other schemes (and http where `https_only`), a user name or password in the URL, and
    (unless `allow_private`) hosts that are local names or loopback, private, link-local,
    metadata-service, multicast or reserved addresses, however they are written."""
    expected = "expected an https:// URL" if https_only else "expected an http(s) URL"
    try:
        parts = urlsplit(url)
        _ = parts.port  # ValueError when the port is not a number in range
    except ValueError:
        return f"{expected} (this one cannot be parsed)"
    if not is_http_url(url, https_only=https_only) or any(c in url for c in "\t\r\n"):
        return expected
    if parts.username is not None or parts.password is not None:
        return "URLs with a user name or password (user:pass@host) cannot be fetched"
    try:
        host = normalized_host(url)
    except ValueError as exc:
        return f"{expected}: {exc}"
    return None if allow_private else host_problem(host)
