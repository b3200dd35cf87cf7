"""How uvicorn serves the emulator: bounded connections and request heads, JSON refusals.

uvicorn answers some requests itself, before any application code sees them: an unparsable request
line (an unknown method such as `FOO`), malformed headers. Its answers are plain text. It also sets
no bound on the length of a URL or of the headers, nor on how long a client may take to send them,
nor on how many connections stay open. `EmulatorHttpProtocol` (uvicorn's httptools protocol,
which uvicorn lets a server choose by class) closes those gaps:

- at most `MAX_CONNECTIONS` open connections; one more is answered 503 and closed;
- the request line and headers must arrive within `HEAD_TIMEOUT` seconds (408 otherwise);
- URLs up to `MAX_URL_BYTES` (414 past it), headers up to `MAX_HEADER_BYTES` in all and
  `MAX_HEADERS` of them (431 past either);
- every refusal it makes is JSON, `{"error": "...", "message": "..."}` (the two keys vendor
  envelopes use), with `Connection: close`.

An unknown method is a JSON 405, a request that is not HTTP at all a JSON 400. Without httptools installed, uvicorn's h11 protocol is used unchanged
(`server_options` says so), and these bounds do not apply.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import uvicorn

if TYPE_CHECKING:
    from ..tls import HttpsListener

MAX_CONNECTIONS = 1000
HEAD_TIMEOUT = 10.0
MAX_URL_BYTES = 8 * 1024
MAX_HEADER_BYTES = 64 * 1024
MAX_HEADERS = 100

_REASONS = {
    400: b"Bad Request",
    405: b"Method Not Allowed",
    408: b"Request Timeout",
    414: b"URI Too Long",
    431: b"Request Header Fields Too Large",
    503: b"Service Unavailable",
}


def refusal_bytes(status: int, message: str) -> bytes:
    """A whole HTTP/1.1 response refusing a request in JSON, closing the connection."""
    body = json.dumps({"error": message, "message": message}).encode()
    head = (
        b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n"
        b"connection: close\r\n\r\n" % (status, _REASONS.get(status, b"Error"), len(body))
    )
    return head + body


try:
    import httptools
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # pragma: no cover - uvicorn without httptools
    EmulatorHttpProtocol: Any = None
else:

    class EmulatorHttpProtocol(HttpToolsProtocol):  # type: ignore[no-redef]
        """uvicorn's httptools protocol with bounded request heads and JSON refusals."""

        _refusal: tuple[int, str] | None = None
        _head_timer: asyncio.TimerHandle | None = None
        _head_bytes = 0
        _head_count = 0

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if len(self.connections) > MAX_CONNECTIONS:
                self._refuse(503, "Too many open connections: try again later")
                return
            self._arm_head_timer()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm_head_timer()
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            """uvicorn's own, but telling an unknown method from other malformed requests."""
            if self._refusal is not None or self.transport.is_closing():
                return
            self._unset_keepalive_if_required()
            try:
                self.parser.feed_data(data)
            except httptools.HttpParserInvalidMethodError:
                if data[:1] == b"\x16":  # a TLS handshake
                    self._refuse(400, "This port speaks plain HTTP, not HTTPS")
                else:
                    self._refuse(405, "Method not allowed: not an HTTP method this server knows")
            except httptools.HttpParserError:
                self._refuse(*(self._refusal or (400, "Invalid HTTP request")))
            except httptools.HttpParserUpgrade:
                if self._should_upgrade():
                    self.handle_websocket_upgrade()
                else:
                    self._unsupported_upgrade_warning()

        def send_400_response(self, msg: str) -> None:  # any other refusal uvicorn makes
            self._refuse(*(self._refusal or (400, "Invalid HTTP request")))

        # parser callbacks

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._head_bytes = self._head_count = 0
            if self._head_timer is None:
                self._arm_head_timer()

        def on_url(self, url: bytes) -> None:
            super().on_url(url)
            if len(self.url) > MAX_URL_BYTES:
                self._stop(414, f"URL too long (max {MAX_URL_BYTES} bytes)")

        def on_header(self, name: bytes, value: bytes) -> None:
            self._head_bytes += len(name) + len(value)
            self._head_count += 1
            if self._head_bytes > MAX_HEADER_BYTES or self._head_count > MAX_HEADERS:
                self._stop(
                    431,
                    f"Request headers too large (max {MAX_HEADERS} headers, "
                    f"{MAX_HEADER_BYTES} bytes in all)",
                )
            super().on_header(name, value)

        def on_headers_complete(self) -> None:
            self._disarm_head_timer()
            super().on_headers_complete()

        # helpers

        def _stop(self, status: int, message: str) -> None:
            """Refuse from inside a parser callback: the raise stops the parser."""
            self._refusal = (status, message)
            raise ValueError(message)

        def _refuse(self, status: int, message: str) -> None:
            self._refusal = (status, message)
            self._disarm_head_timer()
            if not self.transport.is_closing():
                self.transport.write(refusal_bytes(status, message))
                self.transport.close()

        def _arm_head_timer(self) -> None:
            self._disarm_head_timer()
            self._head_timer = self.loop.call_later(HEAD_TIMEOUT, self._head_timed_out)

        def _disarm_head_timer(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None

        def _head_timed_out(self) -> None:
            self._head_timer = None
            if self.cycle is None or self.cycle.response_complete:
                self._refuse(408, f"Request head not received within {HEAD_TIMEOUT:g} s")


def server_options() -> dict[str, Any]:
    """Options for `uvicorn.Config` that every server of the emulator uses."""
    options: dict[str, Any] = {"timeout_keep_alive": 5}
    if EmulatorHttpProtocol is not None:
        options["http"] = EmulatorHttpProtocol
    return options


class StartupFailed(Exception):
    """A server could not start serving: its port taken between bind and listen, its TLS
    certificate unusable. The cause is the original error."""

    def __init__(self, message: str, scheme: str) -> None:
        super().__init__(message)
        self.scheme = scheme


async def _serve(server: uvicorn.Server, sock: socket.socket, scheme: str) -> None:
    try:
        await server.serve(sockets=[sock])
    except Exception as exc:
        if server.started:
            raise
        host, port = sock.getsockname()[:2]
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        message = f"cannot serve {scheme} on {host}:{port}: {reason}"
        raise StartupFailed(message, scheme) from exc


class _HttpsServer(uvicorn.Server):
    """The HTTPS half: the HTTP server owns the signals (and the app's lifespan); this one stops
    when that one does."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class Servers:
    """The HTTP server and, with TLS, the HTTPS one beside it: one event loop, one app (its
    lifespan run once, by the HTTP server). Either stopping stops the other; Ctrl+C stops both."""

    def __init__(
        self,
        app: Any,
        http_socket: socket.socket,
        https: HttpsListener | None = None,
        **config: Any,
    ) -> None:
        config = server_options() | config
        self.http = uvicorn.Server(uvicorn.Config(app, **config))
        self.http_socket, self.listener = http_socket, https
        self.https: uvicorn.Server | None = None
        if https is not None:
            https_config = {**config, "lifespan": "off"}
            self.https = _HttpsServer(
                uvicorn.Config(
                    app,
                    **https_config,
                    ssl_certfile=str(https.files.cert),
                    ssl_keyfile=str(https.files.key),
                )
            )

    @property
    def started(self) -> bool:
        return self.http.started and (self.https is None or self.https.started)

    @property
    def should_exit(self) -> bool:
        return self.http.should_exit

    @should_exit.setter
    def should_exit(self, value: bool) -> None:
        self.http.should_exit = value
        if self.https is not None:
            self.https.should_exit = value

    async def serve(self) -> None:
        if self.https is None or self.listener is None:
            await _serve(self.http, self.http_socket, "HTTP")
            return
        https_task = asyncio.create_task(_serve(self.https, self.listener.socket, "HTTPS"))
        https_task.add_done_callback(lambda _: setattr(self.http, "should_exit", True))
        try:
            await _serve(self.http, self.http_socket, "HTTP")
        finally:
            self.https.should_exit = True
            await https_task

    def run(self) -> None:
        """Serve until stopped, on uvicorn's event loop of choice (uvloop when installed)."""
        with asyncio.Runner(loop_factory=self.http.config.get_loop_factory()) as runner:
            runner.run(self.serve())
