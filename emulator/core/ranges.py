"""Byte ranges of a stored file (RFC 9110 §14): what a `Range: bytes=...` header asks for.

Players fetch video this way (Safari will not play an MP4 from a server that cannot answer a range).
One range is answered with 206; a list of several may be answered whole (§14.2), which we do rather
than build multipart/byteranges bodies.
"""

from __future__ import annotations

import re

_SPEC = re.compile(r"^\s*(\d*)\s*-\s*(\d*)\s*$")
_BEYOND = 1 << 63  # a position of more than 18 digits: past the end of any file


class RangeNotSatisfiable(Exception):
    """No byte the header names exists in a file of this size (answer 416)."""


def byte_range(header: str | None, size: int) -> range | None:
    """The bytes one `Range` header asks for in a file of `size` bytes, or None to send it whole:
    no header, another unit, several ranges, or a header that does not parse (ignored, §14.2)."""
    if not header:
        return None
    unit, _, specs = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in specs:
        return None
    match = _SPEC.match(specs)
    if match is None or match.group(1) == match.group(2) == "":
        return None
    first, last = match.groups()
    if first == "":  # suffix: the last n bytes
        length = _position(last)
        if length == 0 or size == 0:
            raise RangeNotSatisfiable
        return range(max(size - length, 0), size)
    start = _position(first)
    end = _position(last) if last else _BEYOND
    if end < start:
        return None  # invalid, so ignored
    if start >= size:
        raise RangeNotSatisfiable
    return range(start, min(end, size - 1) + 1)


def _position(digits: str) -> int:
    return int(digits) if len(digits) <= 18 else _BEYOND
