"""Clients that reach the emulator at the vendors' real hostnames without touching the hosts file.

    transport = HostMapTransport(HostMap(hosts, https_port, http_port, ca))
    client = httpx.Client(transport=transport)
    client.get("https://api.collov.ai/...")      # goes to 127.0.0.1:<https_port>

A request to a mapped host is sent to the emulator's port, while TLS still runs against the real
name: the server name (SNI) is the vendor host and the certificate is checked for it against the
emulator's CA (and the public CAs). Host and URL stay those of the request, so a client sees
`https://api.collov.ai/...` as in production. Other hosts pass through unchanged.
"""

from __future__ import annotations

import ssl
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import certifi
import httpx

from ..hosts import vendor_hosts

if TYPE_CHECKING:
    import requests

    from ..app import EmulatorApp
    from ..tls import HttpsListener


@dataclass(frozen=True)
class HostMap:
    """Which hosts go to the emulator, and where."""

    hosts: frozenset[str]
    https_port: int
    http_port: int
    ca: Path
    address: str = "127.0.0.1"

    def target(self, scheme: str, host: str | None) -> int | None:
        """The emulator's port for a request to `host`, or None when the host is not mapped."""
        if host is None or host.lower() not in self.hosts:
            return None
        return self.https_port if scheme == "https" else self.http_port


def ssl_context(ca: Path) -> ssl.SSLContext:
    """Verifies certificates against the public CAs and the emulator's CA, hostnames checked."""
    context = ssl.create_default_context(cafile=certifi.where())
    context.load_verify_locations(cafile=str(ca))
    return context


def _mapped(request: httpx.Request, port: int, address: str) -> httpx.Request:
    extensions = dict(request.extensions)
    if request.url.scheme == "https":
        extensions["sni_hostname"] = request.url.host
    return httpx.Request(
        request.method,
        request.url.copy_with(host=address, port=port),
        headers=request.headers,  # Host stays the vendor's
        stream=request.stream,
        extensions=extensions,
    )


class HostMapTransport(httpx.BaseTransport):
    """An httpx transport that sends the mapped hosts to the emulator (see the module doc)."""

    def __init__(self, host_map: HostMap, **transport_options: Any) -> None:
        self.map = host_map
        self._options = {"verify": ssl_context(host_map.ca), **transport_options}
        self._other = httpx.HTTPTransport(**self._options)
        # one pool per host, so each connection's certificate is checked for its own name
        self._by_host: dict[str, httpx.HTTPTransport] = {}
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        port = self.map.target(request.url.scheme, request.url.host)
        if port is None:
            return self._other.handle_request(request)
        with self._lock:
            transport = self._by_host.get(request.url.host)
            if transport is None:
                transport = self._by_host[request.url.host] = httpx.HTTPTransport(**self._options)
        return transport.handle_request(_mapped(request, port, self.map.address))

    def close(self) -> None:
        for transport in [self._other, *self._by_host.values()]:
            transport.close()


class AsyncHostMapTransport(httpx.AsyncBaseTransport):
    """The same for `httpx.AsyncClient`."""

    def __init__(self, host_map: HostMap, **transport_options: Any) -> None:
        self.map = host_map
        self._options = {"verify": ssl_context(host_map.ca), **transport_options}
        self._other = httpx.AsyncHTTPTransport(**self._options)
        self._by_host: dict[str, httpx.AsyncHTTPTransport] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        port = self.map.target(request.url.scheme, request.url.host)
        if port is None:
            return await self._other.handle_async_request(request)
        transport = self._by_host.get(request.url.host)
        if transport is None:  # no await in between: one event loop cannot race here
            transport = self._by_host[request.url.host] = httpx.AsyncHTTPTransport(**self._options)
        return await transport.handle_async_request(_mapped(request, port, self.map.address))

    async def aclose(self) -> None:
        for transport in [self._other, *self._by_host.values()]:
            await transport.aclose()


def https_client(host_map: HostMap, **client_options: Any) -> httpx.Client:
    """An httpx client that trusts the emulator's CA and resolves the vendor hosts to it.
    Environment proxies are ignored (they would take the vendor hosts elsewhere)."""
    options = {"timeout": 30.0, "trust_env": False, **client_options}
    return httpx.Client(transport=HostMapTransport(host_map), **options)


def async_https_client(host_map: HostMap, **client_options: Any) -> httpx.AsyncClient:
    options = {"timeout": 30.0, "trust_env": False, **client_options}
    return httpx.AsyncClient(transport=AsyncHostMapTransport(host_map), **options)


def requests_session(host_map: HostMap) -> requests.Session:
    """A `requests` session that trusts the emulator's CA and resolves the vendor hosts to it."""
    import requests

    session = requests.Session()
    session.trust_env = False
    adapter = _requests_adapter_class()(host_map)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def _requests_adapter_class() -> type[Any]:
    from requests.adapters import HTTPAdapter

    class HostMapAdapter(HTTPAdapter):
        """Sends the mapped hosts to the emulator's port; urllib3 checks the certificate for the
        vendor's name (`server_hostname`) against the emulator's CA."""

        def __init__(self, host_map: HostMap, **options: Any) -> None:
            self.map = host_map
            self._ssl = ssl_context(host_map.ca)  # one context: one pool per host, kept alive
            super().__init__(**options)

        def _port(self, url: str) -> int | None:
            parts = urlsplit(url)
            return self.map.target(parts.scheme, parts.hostname)

        def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
            if self._port(request.url) is not None and "Host" not in request.headers:
                request.headers["Host"] = urlsplit(request.url).netloc.rpartition("@")[2]
            return super().send(request, *args, **kwargs)

        def get_connection_with_tls_context(
            self, request: Any, verify: Any, proxies: Any = None, cert: Any = None
        ) -> Any:
            port = self._port(request.url)
            if port is None:
                return super().get_connection_with_tls_context(request, verify, proxies, cert)
            parts = urlsplit(request.url)
            pool_options = {}
            if parts.scheme == "https":
                pool_options = {
                    "cert_reqs": "CERT_REQUIRED",
                    "ssl_context": self._ssl,
                    "server_hostname": parts.hostname,
                    "assert_hostname": parts.hostname,
                }
            return self.poolmanager.connection_from_host(
                self.map.address, port, scheme=parts.scheme, pool_kwargs=pool_options
            )

        def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
            if self._port(url) is None:
                super().cert_verify(conn, url, verify, cert)
            # mapped: the pool already verifies against the emulator's CA (above)

    return HostMapAdapter


class TlsClients:
    """What `EmulatorServer(tls=True)` adds: the CA's path and clients that trust it and send the
    vendors' real hosts to this emulator (no hosts file, no `verify=False`)."""

    tls: HttpsListener | None
    app: EmulatorApp
    settings: Any

    def _listener(self) -> HttpsListener:
        if self.tls is None:
            raise RuntimeError("this emulator serves no HTTPS: start it with tls=True")
        return self.tls

    @property
    def ca_path(self) -> Path:
        """The emulator's CA certificate (PEM), for clients configured by path."""
        return self._listener().files.ca

    @property
    def https_url(self) -> str:
        return f"https://127.0.0.1:{self._listener().port}"

    @property
    def host_map(self) -> HostMap:
        """Every vendor's API and media host, sent to this emulator's ports."""
        return HostMap(
            frozenset(vendor_hosts(self.app.vendors)),
            self._listener().port,
            self.settings.port,
            self.ca_path,
        )

    def https_client(self, **client_options: Any) -> httpx.Client:
        """An `httpx.Client` for `https://api.collov.ai/...` and the like, as production calls."""
        return https_client(self.host_map, **client_options)

    def async_https_client(self, **client_options: Any) -> httpx.AsyncClient:
        return async_https_client(self.host_map, **client_options)

    def requests_session(self) -> requests.Session:
        """The same as a `requests.Session`."""
        return requests_session(self.host_map)


def https_for_tests(app: EmulatorApp, settings: Any) -> HttpsListener | None:
    """The HTTPS side of an `EmulatorServer` when its settings say `tls`: a free port unless
    `tls_port` is given, and result URLs without a port (the clients above map port 443)."""
    if not settings.tls:
        return None
    from ..tls_cli import start_https

    return start_https(settings, app, default_port=0, default_public_port=443)
