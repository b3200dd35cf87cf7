"""The request journal: what clients sent and what they got back, oldest first (like WireMock's).

Each entry keeps the request's headers (secrets masked) and body, the response's status, headers
and body; bodies are capped at `body_limit` bytes, images are summarised by type, size and
dimensions, multipart bodies part by part. Kept in memory and bounded (`size` entries, each at
most about twice `body_limit` plus its headers): a diagnostic of this process, not emulated vendor
state, so it is neither reset nor exported with the state.
"""

from __future__ import annotations

import functools
import itertools
import re
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import NamedTuple

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..core.accounts import account_id
from ..core.clock import Clock
from ..core.http import credential
from ..core.openapi import RouteIndex
from ..core.renders import image_size, sniff_image
from ..core.vendor import VendorApi
from .models import JournalEntry, JournalMessage

# (method, path, headers) -> (vendor slug, operation, account id), each None when unknown
Resolver = Callable[[str, str, dict[str, str]], tuple[str | None, str | None, str | None]]

SECRET_HEADERS = frozenset(
    {
        "authorization",
        "apikey",
        "api-key",
        "x-api-key",
        "cookie",
        "set-cookie",
        "proxy-authorization",
    }
)
SECRET_FIELDS = ("apiKey", "api_key", "apikey", "token", "access_token", "webhook_secret", "secret")
_SECRETS = "|".join(SECRET_FIELDS)
_SECRET_JSON = re.compile(r'("(?:' + _SECRETS + r')"\s*:\s*)"(?:[^"\\]|\\.)*"')
_SECRET_QUERY = re.compile(r"(?i)(^|&)((?:" + _SECRETS + r")=)[^&]*")
_DATA_URL = re.compile(r"data:(image/[\w.+-]+);base64,([A-Za-z0-9+/=]{64,})(\"?)")
MAX_HEADERS = 64
MAX_HEADER_VALUE = 1024
MAX_PARTS = 20
PART_TEXT = 256  # bytes of a text form field kept
OPERATION_CACHE = 4096  # (vendor, method, path) triples whose handler is remembered
CACHED_PATH = 256  # longest path remembered
SNIFF = 64 * 1024  # bytes of an image kept to read its type and dimensions from the header


def mask(value: str) -> str:
    """`Bearer ***wxyz`: the scheme and the last four characters, enough to tell keys apart."""
    scheme, _, secret = value.rpartition(" ")
    tail = secret[-4:] if len(secret) >= 12 else ""
    return f"{scheme} ***{tail}".strip()


def masked_headers(pairs: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for raw_name, raw_value in itertools.islice(pairs, MAX_HEADERS):
        name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
        value = mask(value) if name in SECRET_HEADERS else value[:MAX_HEADER_VALUE]
        out[name] = f"{out[name]}, {value}" if name in out else value
    return out


def masked_query(query: str) -> str:
    return _SECRET_QUERY.sub(lambda m: f"{m.group(1)}{m.group(2)}***", query)


def _image_summary(content_type: str | None, head: bytes, size: int) -> str | None:
    kind = sniff_image(head) or (
        content_type if content_type and content_type.startswith("image/") else None
    )
    if kind is None:
        return None
    dims = image_size(head) if head else None
    return f"<{kind}, {size} bytes" + (f", {dims[0]}x{dims[1]}>" if dims else ">")


def _text(data: bytes) -> str:
    text = data.decode("utf-8", "replace")
    text = _SECRET_JSON.sub(lambda m: f'{m.group(1)}"***"', text)

    def summarise(m: re.Match[str]) -> str:
        if not m.group(3):  # cut by the cap: the size is unknown
            return f"<{m.group(1)} data URL, truncated>"
        size = len(m.group(2)) * 3 // 4 - m.group(2).count("=")
        return f'<{m.group(1)} data URL, {size} bytes>"'

    return _DATA_URL.sub(summarise, text)


class _Part:
    def __init__(self) -> None:
        self.headers: dict[str, str] = {}
        self.size = 0
        self.head = bytearray()

    def describe(self) -> str:
        _, params = parse_options_header(self.headers.get("content-disposition", ""))
        name = params.get(b"name", b"").decode("utf-8", "replace")
        filename = params.get(b"filename")
        content_type = self.headers.get("content-type")
        label = f"part {name!r}" + (
            f" (file {filename.decode('utf-8', 'replace')!r})" if filename else ""
        )
        image = _image_summary(content_type, bytes(self.head), self.size)
        if image is not None:
            return f"{label}: {image}"
        if filename is not None or (content_type and not content_type.startswith("text/")):
            return f"{label}: <{content_type or 'application/octet-stream'}, {self.size} bytes>"
        value = _text(bytes(self.head[:PART_TEXT]))
        if name.lower() in {f.lower() for f in SECRET_FIELDS}:
            value = "***"
        return f"{label}: {value}" + ("…" if self.size > PART_TEXT else "")


class _Multipart:
    """Summarises a multipart body as it streams past, part by part, in bounded memory."""

    def __init__(self, boundary: bytes) -> None:
        self.parts: list[_Part] = []
        self.broken = False
        self._field = self._value = b""
        self._count = 0
        self.parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._begin,
                "on_part_data": self._data,
                "on_header_field": self._header_field,
                "on_header_value": self._header_value,
                "on_header_end": self._header_end,
            },
        )

    def _begin(self) -> None:
        self._count += 1
        if len(self.parts) < MAX_PARTS:
            self.parts.append(_Part())

    def _current(self) -> _Part | None:
        return self.parts[-1] if self.parts and self._count <= MAX_PARTS else None

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end][:MAX_HEADER_VALUE]

    def _header_end(self) -> None:
        part = self._current()
        if part is not None:
            name = self._field.decode("latin-1").lower()
            part.headers[name] = self._value.decode("latin-1")[:MAX_HEADER_VALUE]
        self._field = self._value = b""

    def _data(self, data: bytes, start: int, end: int) -> None:
        part = self._current()
        if part is None:
            return
        part.size += end - start
        room = SNIFF - len(part.head)
        if room > 0:
            part.head += data[start : start + min(room, end - start)]

    def feed(self, chunk: bytes) -> None:
        if self.broken:
            return
        try:
            self.parser.write(chunk)
        except Exception:  # a malformed body: say so, keep the raw prefix
            self.broken = True

    def summary(self) -> str:
        lines = [part.describe() for part in self.parts]
        if self._count > MAX_PARTS:
            lines.append(f"... {self._count - MAX_PARTS} more parts")
        if self.broken:
            lines.append("(malformed multipart body)")
        return "\n".join(lines)


class _DataUrls:
    """Collapses base64 image data URLs in a streaming text body into `<image/jpeg data URL, N
    bytes>` as the chunks pass, so a JSON body carrying megabytes of photo keeps its other fields
    within the journal's cap."""

    MARK = re.compile(rb"data:(image/[\w.+-]{1,40});base64,")
    RUN = re.compile(rb"[A-Za-z0-9+/=]*")
    TAIL = 64  # bytes held back at a chunk's end: they may start a mark

    def __init__(self) -> None:
        self.carry = b""
        self.kind: str | None = None
        self.count = self.padding = 0

    def _summary(self) -> bytes:
        size = self.count * 3 // 4 - self.padding
        self.kind, text = None, f"<{self.kind} data URL, {size} bytes>"
        return text.encode()

    def feed(self, chunk: bytes) -> bytes:
        data, self.carry = self.carry + chunk, b""
        out, i = bytearray(), 0
        while i < len(data):
            if self.kind is not None:
                end = self.RUN.match(data, i).end()  # type: ignore[union-attr]
                self.count += end - i
                self.padding = data[i:end].count(b"=") or self.padding
                i = end
                if i < len(data):
                    out += self._summary()
                continue
            mark = self.MARK.search(data, i)
            if mark is None:
                hold = max(i, len(data) - self.TAIL)
                out += data[i:hold]
                self.carry = data[hold:]
                break
            out += data[i : mark.start()]
            self.kind, self.count, self.padding = mark.group(1).decode(), 0, 0
            i = mark.end()
        return bytes(out)

    def finish(self) -> bytes:
        rest, self.carry = self.carry, b""
        return rest + (self._summary() if self.kind is not None else b"")


class _Capture:
    """One body as it streams: its size, its first `limit` bytes, a multipart summary."""

    def __init__(self, limit: int) -> None:
        self.limit, self.keep, self.size, self.kept = limit, limit, 0, 0
        self.head = bytearray()
        self.multipart: _Multipart | None = None
        self.content_type: str | None = None
        self.data_urls: _DataUrls | None = None

    def expect(self, content_type: str | None) -> None:
        self.content_type = content_type
        kind, params = parse_options_header(content_type or "")
        if kind == b"multipart/form-data" and params.get(b"boundary"):
            self.multipart = _Multipart(params[b"boundary"])
        elif not kind.startswith(b"image/"):
            self.data_urls = _DataUrls()

    def feed(self, chunk: bytes) -> None:
        if not chunk:
            return
        if self.size == 0 and sniff_image(chunk):  # raw image bytes: summarised, not squashed
            self.keep, self.data_urls = max(self.limit, SNIFF), None
        self.size += len(chunk)
        self._keep(self.data_urls.feed(chunk) if self.data_urls is not None else chunk)
        if self.multipart is not None:
            self.multipart.feed(chunk)

    def _keep(self, data: bytes) -> None:
        self.kept += len(data)
        room = self.keep - len(self.head)
        if room > 0:
            self.head += data[:room]

    def message(self, headers: dict[str, str]) -> JournalMessage:
        if self.data_urls is not None:
            self._keep(self.data_urls.finish())
        head = bytes(self.head)
        if self.size == 0:
            body = None
        elif self.multipart is not None:
            body = self.multipart.summary()
        elif (image := _image_summary(self.content_type, head, self.size)) is not None:
            body = image
        else:
            body = _text(head[: self.limit]) if self.limit else None
        truncated = self.kept > self.limit and self.multipart is None and body is not None
        truncated = truncated and not body.startswith("<image/")
        return JournalMessage(headers=headers, body=body, body_size=self.size, truncated=truncated)


class _Kept(NamedTuple):
    """One entry as the journal keeps it: one object of plain values, not a tree of models and
    dicts for the garbage collector to walk."""

    vendor: str | None
    operation: str | None
    account_id: str | None
    method: str
    status: int
    json: str


class Journal:
    def __init__(
        self,
        clock: Clock,
        resolve: Resolver,
        size: int = 1000,
        body_limit: int = 4096,
        enabled: bool = True,
    ) -> None:
        """`resolve` tells a request's vendor, operation and account from its method, path and
        headers."""
        self.clock, self.resolve = clock, resolve
        self.size, self.body_limit, self.enabled = size, body_limit, enabled
        self._kept: deque[_Kept] = deque(maxlen=size)
        self._ids = itertools.count(1)

    async def record(self, scope: Scope, receive: Receive, send: Send, app: ASGIApp) -> None:
        path = scope["path"]
        if not self.enabled or path.startswith(("/_emulator", "/_media")):
            await app(scope, receive, send)
            return
        request_headers = {
            k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])
        }
        request_body, response_body = _Capture(self.body_limit), _Capture(self.body_limit)
        request_body.expect(request_headers.get("content-type"))
        status, response_headers = 500, {}
        started = time.perf_counter()

        async def capturing_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                request_body.feed(message.get("body", b""))
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal status, response_headers
            if message["type"] == "http.response.start":
                status = message["status"]
                response_headers = masked_headers(message.get("headers", []))
                response_body.expect(response_headers.get("content-type"))
            elif message["type"] == "http.response.body":
                response_body.feed(message.get("body", b""))
            await send(message)

        try:
            await app(scope, capturing_receive, tracking_send)
        finally:
            vendor, operation, account = self.resolve(scope["method"], path, request_headers)
            self._keep(
                JournalEntry(
                    id=next(self._ids),
                    at=self.clock.now(),
                    method=scope["method"],
                    path=path,
                    query=masked_query(scope.get("query_string", b"").decode("latin-1")),
                    host=request_headers.get("host", ""),
                    vendor=vendor,
                    operation=operation,
                    account_id=account,
                    status=status,
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                    content_type=request_headers.get("content-type"),
                    request=request_body.message(masked_headers(scope.get("headers", []))),
                    response=response_body.message(response_headers),
                )
            )

    @property
    def entries(self) -> list[JournalEntry]:
        """Every entry, oldest first."""
        return self.select()

    def _keep(self, entry: JournalEntry) -> None:
        # Kept as JSON text beside the fields `select` filters on: a thousand entries as objects
        # made the garbage collector walk them all, again and again, under load.
        self._kept.append(
            _Kept(
                entry.vendor,
                entry.operation,
                entry.account_id,
                entry.method,
                entry.status,
                entry.model_dump_json(),
            )
        )

    def select(
        self,
        vendor: str | None = None,
        operation: str | None = None,
        status: str | None = None,
        account_id: str | None = None,
        method: str | None = None,
    ) -> list[JournalEntry]:
        """Entries matching every filter given; `status` is a code (`404`) or a class (`4xx`)."""

        def status_matches(code: int) -> bool:
            if status is None:
                return True
            if status[1:].lower() == "xx":
                return str(code)[0] == status[0]
            return str(code) == status

        return [
            JournalEntry.model_validate_json(e.json)
            for e in self._kept
            if vendor in (None, e.vendor)
            and operation in (None, e.operation)
            and account_id in (None, e.account_id)
            and (method is None or e.method == method.upper())
            and status_matches(e.status)
        ]

    def clear(self) -> None:
        self._kept.clear()


def vendor_resolver(vendors: Iterable[VendorApi]) -> Resolver:
    """Tells a request's vendor (by real host or slug prefix), operation (the handler its route
    table sends it to) and account (from the vendor's credential header)."""
    vendors = list(vendors)
    by_host = {host: v for v in vendors for host in v.hosts}
    by_slug = {v.slug: v for v in vendors}
    indexes = {v.slug: RouteIndex(v.routes()) for v in vendors}

    # A path answers to the same handler every time: match the route table once per path (a
    # poller asks about the same few paths over and over), remembering a bounded number of short
    # paths.
    @functools.lru_cache(maxsize=OPERATION_CACHE)
    def remembered(slug: str, method: str, path: str) -> str | None:
        return indexes[slug].operation(method, path)

    def operation(slug: str, method: str, path: str) -> str | None:
        if len(path) > CACHED_PATH:
            return indexes[slug].operation(method, path)
        return remembered(slug, method, path)

    def resolve(
        method: str, path: str, headers: dict[str, str]
    ) -> tuple[str | None, str | None, str | None]:
        vendor = by_host.get(headers.get("host", "").rsplit(":", 1)[0].lower())
        if vendor is None:
            slug, _, rest = path.lstrip("/").partition("/")
            vendor, path = by_slug.get(slug), "/" + rest
        if vendor is None:
            return None, None, None
        token = credential(headers.get(vendor.auth_header.lower()), vendor.auth_scheme)
        owner = account_id(vendor.slug, token) if token else None
        return vendor.slug, operation(vendor.slug, method, path), owner

    return resolve
