"""Checks on URLs clients send: image sources and webhook targets."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


def is_http_url(url: str, *, https_only: bool = False) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    schemes = ("https",) if https_only else ("http", "https")
    return parts.scheme in schemes and bool(parts.hostname) and " " not in url


def is_private_host(url: str) -> bool:
    """localhost, *.local/*.internal, or a private, loopback or reserved IP literal."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return ip.is_private or ip.is_loopback or ip.is_reserved or ip.is_link_local


def source_url_problem(url: str, *, https_only: bool = False) -> str | None:
    """Why a vendor could not fetch this image URL, in words, or None when it could."""
    if not is_http_url(url, https_only=https_only):
        return "expected an https:// URL" if https_only else "expected an http(s) URL"
    if is_private_host(url):
        return "localhost and private-network addresses are not reachable"
    return None
