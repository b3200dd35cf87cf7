"""Shared infrastructure of the contract tests, for every vendor.

- `EmulatorControl`: the emulator's own `/_emulator` API over HTTP (clock, reset, accounts, jobs,
  webhook deliveries, fault rules), so the suite works against any running emulator.
- `VendorClient`: the base of each vendor's thin client (key in the vendor's auth header, base
  path, `request`, `with_key`/`with_base`, fetching results); `json_ok` for a response's JSON.
- `WebhookReceiver`: a real HTTP server on 127.0.0.1 that records every POST it gets and can be told
  to fail the first N of them, to test webhook retries, or to `answer` with a body of its own.
- Images: real JPEG/PNG/WebP bytes made with Pillow, data URLs, unique source URLs and a minimal
  HEIC/HEIF (ftyp + ispe boxes).
- `raw_http`: a request written byte for byte on a socket, for headers httpx will not lie about
  (a Content-Length with no body behind it); `DEEP_JSON` bodies nested 10000 levels deep.
- Assertions on the `{"error": ...}` envelopes and timestamps, parametrizing over documented enum
  values, the hypothesis settings and any-JSON strategies.

Nothing here knows a vendor; each vendor's package builds its client on top of it.
"""

from __future__ import annotations

import base64
import copy
import io
import json
import re
import socket
import struct
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import urlsplit

import httpx
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from PIL import Image

# --------------------------------------------------------------------------------------------------
# Bodies and API keys


class _Omit:
    def __repr__(self) -> str:
        return "OMIT"


OMIT: Any = _Omit()  # a body helper's `field=OMIT` leaves the field out


def without_omitted(body: dict[str, Any]) -> dict[str, Any]:
    """`body` without the fields given as OMIT."""
    return {k: v for k, v in body.items() if v is not OMIT}


def new_api_key(*magic: str) -> str:
    """A key no other test uses, so each test has its own account even on a shared emulator.

    `magic` words (`no-credits`, `low-credits`, `blocked`, `invalid`) reach the emulator's account
    error paths (see emulator/core/faults.py).
    """
    words = "-".join(magic)
    return f"ct-{words + '-' if words else ''}{uuid.uuid4().hex[:24]}"


# --------------------------------------------------------------------------------------------------
# The emulator's control API


class EmulatorControl:
    """A running emulator, reached over HTTP only (an `EmulatorServer` on a thread, or any URL)."""

    def __init__(self, url: str, server: Any = None, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.server = server  # the EmulatorServer we started, if any
        self._http = httpx.Client(timeout=timeout)
        self._index: dict[str, Any] | None = None

    def close(self) -> None:
        self._http.close()

    # discovery

    def index(self) -> dict[str, Any]:
        if self._index is None:
            response = self._http.get(f"{self.url}/")
            response.raise_for_status()
            self._index = response.json()
        return self._index

    def vendor_root(self, slug: str) -> str:
        """Where a vendor's real paths start: `http://host:port/<slug>`."""
        return f"{self.url}/{slug}"

    def base_url(self, slug: str) -> str:
        """The vendor's documented base URL on this emulator, e.g. `.../virtualstaging-art/api`."""
        for vendor in self.index().get("vendors", []):
            if vendor["slug"] == slug:
                # the path of the advertised URL, on the URL we reach the emulator at
                return self.url + urlsplit(vendor["base_url"]).path.rstrip("/")
        raise KeyError(f"the emulator at {self.url} has no vendor {slug!r}")

    # raw control calls

    def control(
        self,
        method: str,
        path: str,
        json: Any = None,
        params: dict[str, Any] | None = None,
        ok: tuple[int, ...] = (200, 201, 204),
    ) -> Any:
        response = self._http.request(
            method, f"{self.url}/_emulator{path}", json=json, params=params
        )
        if response.status_code not in ok:
            raise AssertionError(
                f"control API {method} {path} -> {response.status_code}: {response.text[:500]}"
            )
        return response.json() if response.content else None

    def health(self) -> dict[str, Any]:
        return self.control("GET", "/health")

    # the clock

    def clock(self) -> dict[str, Any]:
        return self.control("GET", "/clock")

    def now(self) -> float:
        return float(self.clock()["now"])

    def advance(self, seconds: float) -> dict[str, Any]:
        """Move the manual clock; every job transition and webhook due on the way happens before
        this returns. Skips the test when the emulator runs on a real clock."""
        response = self._http.post(f"{self.url}/_emulator/clock/advance", json={"seconds": seconds})
        if response.status_code == 409:
            pytest.skip("the emulator runs a real clock: this test needs --clock manual")
        response.raise_for_status()
        return response.json()

    # state

    def reset(self, vendor: str | None = None, api_key: str | None = None) -> None:
        """Reset one account (vendor + api_key) or, with no arguments, everything (and the clock)."""
        selector = {k: v for k, v in {"vendor": vendor, "api_key": api_key}.items() if v}
        self.control("POST", "/reset", selector)

    def accounts(self, vendor: str | None = None) -> list[dict[str, Any]]:
        return self.control("GET", "/accounts", params={"vendor": vendor} if vendor else None)

    def account(self, vendor: str, api_key: str) -> dict[str, Any] | None:
        return next((a for a in self.accounts(vendor) if a["api_key"] == api_key), None)

    def set_account(self, vendor: str, api_key: str, **fields: Any) -> dict[str, Any]:
        """Create or update an account: credits=, blocked=, meters=, data=."""
        return self.control("POST", "/accounts", {"vendor": vendor, "api_key": api_key, **fields})

    def credits(self, vendor: str, api_key: str) -> int:
        account = self.account(vendor, api_key)
        assert account is not None, f"no account yet for this key at {vendor}"
        return int(account["credits"])

    def jobs(self, vendor: str, api_key: str | None = None) -> list[dict[str, Any]]:
        """The vendor's jobs, newest first, optionally only one account's."""
        jobs = self.control("GET", "/jobs", params={"vendor": vendor})
        if api_key is not None:
            account = self.account(vendor, api_key)
            jobs = [j for j in jobs if account is not None and j["account_id"] == account["id"]]
        return jobs

    def deliveries(
        self, vendor: str | None = None, api_key: str | None = None, state: str | None = None
    ) -> list[dict[str, Any]]:
        """The webhook delivery log, optionally only one account's (vendor + api_key)."""
        params = {k: v for k, v in {"vendor": vendor, "state": state}.items() if v}
        items = self.control("GET", "/webhooks/deliveries", params=params or None)
        if api_key is not None:
            account = self.account(vendor, api_key) if vendor else None
            items = [d for d in items if account is not None and d["account_id"] == account["id"]]
        return items

    # fault rules

    def add_fault(self, **rule: Any) -> dict[str, Any]:
        return self.control("POST", "/faults", rule)

    def remove_fault(self, fault_id: str) -> None:
        self.control("DELETE", f"/faults/{fault_id}", ok=(204, 404))

    def faults(self) -> list[dict[str, Any]]:
        return self.control("GET", "/faults")

    @contextmanager
    def fault(self, **rule: Any) -> Iterator[dict[str, Any]]:
        """A fault rule for the duration of a `with` block (removed after, even if unused)."""
        added = self.add_fault(**rule)
        try:
            yield added
        finally:
            self.remove_fault(added["id"])


# --------------------------------------------------------------------------------------------------
# The base of every vendor's contract client


class VendorClient:
    """What every vendor's thin contract client shares: the session's httpx client, the vendor's
    root URL (`Target.vendor_root`), this test's key in the vendor's auth header and the base path
    the documented paths are relative to. Each vendor adds one method per documented endpoint,
    returning raw `httpx.Response`s so each test asserts on statuses and bodies itself."""

    base = ""  # the documented paths' prefix under the root, e.g. "/v2"
    auth_header = "Authorization"
    auth_scheme = "Bearer "  # what stands before the key in `auth_header`

    def __init__(
        self, http: httpx.Client, root: str, api_key: str | None, base: str | None = None
    ) -> None:
        self.http, self.root, self.api_key = http, root.rstrip("/"), api_key
        if base is not None:
            self.base = base

    def _with(self, **fields: Any) -> Self:
        clone = copy.copy(self)
        clone.__dict__.update(fields)
        return clone

    def with_key(self, api_key: str | None) -> Self:
        """The same client with another key (None: no auth header at all)."""
        return self._with(api_key=api_key)

    def with_base(self, base: str) -> Self:
        return self._with(base=base)

    @property
    def headers(self) -> dict[str, str]:
        if self.api_key is None:
            return {}
        return {self.auth_header: f"{self.auth_scheme}{self.api_key}"}

    def url(self, path: str, base: str | None = None) -> str:
        return f"{self.root}{self.base if base is None else base}{path}"

    def request(self, method: str, path: str, base: str | None = None, **kw: Any) -> httpx.Response:
        headers = self.headers | kw.pop("headers", {})
        return self.http.request(method, self.url(path, base), headers=headers, **kw)

    def get_media(self, url: str) -> httpx.Response:
        """GET a result URL as a browser would (no key), asserting it is there."""
        response = self.http.get(url)
        assert response.status_code == 200, f"GET {url} -> {response.status_code}"
        return response

    def image_at(self, url: str) -> tuple[str, Image.Image]:
        """GET a result URL: (content type, decoded image)."""
        response = self.get_media(url)
        return response.headers.get("content-type", ""), decode_image(response.content)


# --------------------------------------------------------------------------------------------------
# A real webhook receiver


@dataclass
class ReceivedRequest:
    method: str
    path: str  # relative to the receiver's URL, e.g. "/callback"
    full_path: str
    headers: httpx.Headers
    body: bytes
    json: Any
    answered: int
    received_at: float = field(default_factory=time.monotonic)


class WebhookReceiver:
    """A threaded HTTP server on 127.0.0.1 (free port) that records every POST.

    Its URLs carry a random path prefix, so a request meant for an earlier receiver that happened to
    have the same port (a late retry) is kept apart in `stray` and answered 404.

        with WebhookReceiver() as hook:
            hook.fail_first(2, status=500)       # then 200
            url = hook.url_for("callback")       # http://127.0.0.1:PORT/<token>/callback
            ...
            [req] = hook.received("/callback")
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        default_status: int = 200,
        answer: Callable[[ReceivedRequest], bytes | None] | None = None,
    ) -> None:
        """`answer` chooses the reply body to a request (None: the default `{"received": true}`),
        for a receiver that must say something back, like a verification challenge's echo."""
        self.host = host
        self.default_status = default_status
        self.answer = answer
        self.token = uuid.uuid4().hex[:12]
        self.requests: list[ReceivedRequest] = []
        self.stray: list[ReceivedRequest] = []
        self._statuses: list[int] = []
        self._cond = threading.Condition()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # lifecycle

    def start(self) -> WebhookReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                receiver._handle(self)

            do_PUT = do_PATCH = do_POST

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer((self.host, 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},  # so that stop() returns at once
            name="webhook-receiver",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> WebhookReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # addresses

    @property
    def port(self) -> int:
        assert self._server is not None, "the receiver is not started"
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/{self.token}"

    def url_for(self, name: str = "hook") -> str:
        return f"{self.url}/{name.lstrip('/')}"

    # behaviour

    def fail_first(self, n: int, status: int = 500) -> None:
        """Answer the next `n` requests with `status`, then `default_status` again."""
        self.respond_with(*([status] * n))

    def respond_with(self, *statuses: int) -> None:
        """Answer the next requests with these statuses, in order."""
        with self._cond:
            self._statuses.extend(statuses)

    def clear(self) -> None:
        with self._cond:
            self.requests.clear()
            self.stray.clear()

    # what arrived

    def received(self, path: str | None = None) -> list[ReceivedRequest]:
        """Requests received so far, optionally only those to `path` (e.g. "/callback")."""
        with self._cond:
            items = list(self.requests)
        if path is not None:
            want = "/" + path.lstrip("/")
            items = [r for r in items if r.path == want]
        return items

    def payloads(self, path: str | None = None) -> list[Any]:
        return [r.json for r in self.received(path)]

    def wait_for(self, count: int, path: str | None = None, timeout: float = 5.0) -> list[Any]:
        """Block until `count` requests (to `path`) arrived; for real-clock or real-vendor runs.
        On a manual clock everything due has already arrived when `advance` returns."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.received(path)) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
        return self.received(path)

    # the server side

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        body = _read_request_body(handler)
        try:
            parsed: Any = json.loads(body) if body else None
        except ValueError:
            parsed = None
        prefix = f"/{self.token}"
        mine = handler.path == prefix or handler.path.startswith(prefix + "/")
        with self._cond:
            status = (
                (self._statuses.pop(0) if self._statuses else self.default_status) if mine else 404
            )
            record = ReceivedRequest(
                method=handler.command,
                path=(handler.path[len(prefix) :] or "/") if mine else handler.path,
                full_path=handler.path,
                headers=httpx.Headers(list(handler.headers.items())),
                body=body,
                json=parsed,
                answered=status,
            )
            (self.requests if mine else self.stray).append(record)
            self._cond.notify_all()
        reply = self.answer(record) if mine and self.answer is not None else None
        if reply is None:
            reply = json.dumps({"received": mine}).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(reply)))
        handler.end_headers()
        handler.wfile.write(reply)


def _read_request_body(handler: BaseHTTPRequestHandler) -> bytes:
    if "chunked" in handler.headers.get("Transfer-Encoding", "").lower():
        chunks = []
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                handler.rfile.readline()
                break
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline()
        return b"".join(chunks)
    length = int(handler.headers.get("Content-Length") or 0)
    return handler.rfile.read(length) if length else b""


# --------------------------------------------------------------------------------------------------
# Images


def unique_image_url(folder: str, name: str = "room") -> str:
    """An https image URL nobody else uses (the emulator never fetches outside URLs, and ART makes
    its exact string an upload group); `folder` tells one suite's URLs from another's."""
    return f"https://images.example.com/{folder}/{uuid.uuid4().hex}/{name}.jpg"


def make_image(
    fmt: str = "JPEG",
    size: tuple[int, int] = (64, 48),
    color: tuple[int, int, int] = (90, 140, 200),
) -> bytes:
    """Real image bytes in `fmt` (JPEG, PNG, WEBP, GIF, ...) with a little structure in them."""
    img = Image.new("RGB", size, color)
    w, h = size
    img.paste((240, 230, 210), (w // 4, h // 4, max(w // 4 + 1, w // 2), max(h // 4 + 1, h // 2)))
    buf = io.BytesIO()
    img.save(buf, fmt)
    return buf.getvalue()


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def _full_box(kind: bytes, payload: bytes) -> bytes:
    return _box(kind, b"\x00\x00\x00\x00" + payload)  # version 0, flags 0


def heic_bytes(width: int = 640, height: int = 480, brand: bytes = b"heic") -> bytes:
    """A minimal HEIF container: `ftyp` (major brand `heic`, or `mif1` for plain HEIF) and a `meta`
    box whose item properties carry an `ispe` (image spatial extents) box with the size. No image
    data a decoder could use: enough for a server that identifies uploads by content."""
    ftyp = _box(b"ftyp", brand + b"\x00\x00\x00\x00" + b"mif1" + b"heic")
    hdlr = _full_box(b"hdlr", b"\x00" * 4 + b"pict" + b"\x00" * 12 + b"\x00")
    ispe = _full_box(b"ispe", struct.pack(">II", width, height))
    meta = _full_box(b"meta", hdlr + _box(b"iprp", _box(b"ipco", ispe)))
    return ftyp + meta + _box(b"mdat", b"\x00" * 32)


def json_ok(response: httpx.Response, status: int = 200) -> Any:
    """The JSON body of a response that must have `status` (200 by default)."""
    assert response.status_code == status, (
        f"expected {status}, got {response.status_code}: {response.text[:600]}"
    )
    return response.json()


def decode_image(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def data_url(data: bytes, content_type: str = "image/jpeg") -> str:
    return f"data:{content_type};base64,{base64.b64encode(data).decode()}"


def jpeg_bytes(
    size: tuple[int, int] = (640, 480),
    color: tuple[int, int, int] = (120, 150, 180),
    quality: int = 85,
) -> bytes:
    """A JPEG like a room photo: a wall colour and a lighter piece of furniture low in it."""
    img = Image.new("RGB", size, color)
    w, h = size
    img.paste((230, 220, 200), (w // 5, h // 2, w // 2, (h * 4) // 5))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def jpeg_data_url(size: tuple[int, int] = (640, 480), **kw: Any) -> str:
    return data_url(jpeg_bytes(size, **kw))


PIL_CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


# --------------------------------------------------------------------------------------------------
# Memory


@contextmanager
def rss_stays_bounded(pid: int) -> Iterator[None]:
    """Samples the RSS of the server process `pid` while the block runs, then asserts its peak
    (VmHWM) stayed under the memory tests' limit (tests/test_memory_bounds.py)."""
    from tests.test_memory_bounds import RSS_LIMIT_KB, RssSampler, _kb

    with RssSampler(pid) as rss:
        yield
    peak_kb = _kb(pid, "VmHWM")
    print(f"\nserver RSS: peak sampled {rss.peak_kb // 1024} MB, VmHWM {peak_kb // 1024} MB")
    assert peak_kb < RSS_LIMIT_KB


# --------------------------------------------------------------------------------------------------
# Raw HTTP


@dataclass
class RawResponse:
    status: int
    headers: httpx.Headers
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def raw_http(
    url: str, request_head: bytes, body: bytes = b"", timeout: float = 10.0
) -> RawResponse:
    """Write `request_head` (request line and headers, CRLF-terminated, no blank line) and `body`
    on a fresh socket to `url`'s host and port, and read one response. Lets a test send headers a
    client library would correct, like a Content-Length larger than the body."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if parts.scheme != "http":
        pytest.skip("raw_http speaks plain HTTP only")
    with socket.create_connection((parts.hostname, port), timeout=timeout) as sock:
        sock.sendall(request_head + b"Connection: close\r\n\r\n" + body)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = httpx.Headers(
            [tuple(x.strip() for x in line.split(":", 1)) for line in lines[1:]]
        )
        length = int(headers.get("content-length", "-1"))
        while length < 0 or len(rest) < length:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            rest += chunk
    return RawResponse(status, headers, rest[:length] if length >= 0 else rest)


# --------------------------------------------------------------------------------------------------
# Parametrization


def each_documented_value(**enums: list[str]) -> pytest.MarkDecorator:
    """Parametrizes `field, value` with every documented value of each enum field given, e.g.
    `each_documented_value(font=FONTS, music=MUSIC)`; ids read `font=Oswald`."""
    cases = [pytest.param(name, v, id=f"{name}={v}") for name, vs in enums.items() for v in vs]
    return pytest.mark.parametrize(("field", "value"), cases)


# --------------------------------------------------------------------------------------------------
# Deeply nested JSON (issue 9, item 4)

DEEP_JSON = "[" * 10_000 + "]" * 10_000  # a JSON text nested 10000 levels deep


def deeply_nested_bodies(field_template: bytes) -> pytest.MarkDecorator:
    """Parametrizes `body` with a JSON body nested 10000 levels deep, whole (`body`) and as the
    value of a field (`field`): `field_template` is an otherwise valid body with `%s` where that
    field's value goes, e.g. `b'{"image_url": "https://example.com/a.jpg", "config": %s}'`."""
    deep = DEEP_JSON.encode()
    return pytest.mark.parametrize("body", [deep, field_template % deep], ids=["body", "field"])


def post_json_bytes(client: Any, path: str, body: bytes) -> httpx.Response:
    """POST `body` as it is, labelled JSON, with a vendor client's `request(method, path, ...)`."""
    return client.request("POST", path, content=body, headers={"Content-Type": "application/json"})


# --------------------------------------------------------------------------------------------------
# Assertions


def error_message(response: httpx.Response | RawResponse, key: str = "error") -> str:
    """The message of a `{key: "..."}` error envelope (`error` by default, `message` for some
    vendors), asserting the envelope is JSON (never HTML) and the message is not empty."""
    content_type = response.headers.get("content-type", "")
    assert content_type.startswith("application/json"), (
        f"error response is {content_type!r}, not JSON: {response_text(response)[:300]}"
    )
    body = response.json()
    assert isinstance(body, dict) and isinstance(body.get(key), str), body
    assert body[key].strip(), "empty error message"
    return body[key]


def assert_error(
    response: httpx.Response | RawResponse, status: int, *mentions: str
) -> dict[str, Any]:
    """`response` has `status` and an `{"error": message}` body whose message mentions each of
    `mentions` (case-insensitively); returns the body."""
    actual = response.status_code if isinstance(response, httpx.Response) else response.status
    assert actual == status, f"expected {status}, got {actual}: {response_text(response)[:500]}"
    message = error_message(response)
    for word in mentions:
        assert word.lower() in message.lower(), f"error {message!r} does not mention {word!r}"
    return response.json()


def response_text(response: httpx.Response | RawResponse) -> str:
    if isinstance(response, httpx.Response):
        return response.text
    return response.body.decode("utf-8", "replace")


ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(\+00:00|Z)$")


def assert_iso_timestamp(value: Any) -> datetime:
    """An ISO-8601 UTC timestamp like the docs' `2026-05-15T12:00:30+00:00`."""
    assert isinstance(value, str) and ISO_UTC.match(value), f"not an ISO-8601 UTC time: {value!r}"
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def assert_uuid(value: Any) -> str:
    assert isinstance(value, str), value
    uuid.UUID(value)
    return value


# --------------------------------------------------------------------------------------------------
# Hypothesis


def contract_settings(max_examples: int = 50) -> settings:
    """Settings for property tests that talk HTTP: modest, no deadline, no example database on disk,
    and fixtures used only for factories (fresh keys) are fine."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


# any JSON, for bodies with a wrong type or value in them
safe_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=24)
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | safe_text
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(safe_text, inner, max_size=3),
    max_leaves=8,
)


def json_except(*valid: Any) -> st.SearchStrategy[Any]:
    """Any JSON value but the valid ones (a wrong enum value or a wrong type)."""
    return json_values.filter(lambda v: not any(v == x and type(v) is type(x) for x in valid))
