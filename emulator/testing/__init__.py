"""Run the emulator from your own tests: on a thread with a real port, manual clock by default.

    with EmulatorServer() as emu:
        client = MyVendorClient(base_url=emu.base_url("virtualstaging-art"))
        ...
        emu.advance(60)          # every job and webhook due in the next minute happens now
        emu.deliveries()         # what was sent to your webhook URLs

`emu.client` is the typed control client (`emulator.client.EmulatorClient`); `advance`, `reset`,
`deliveries`, `jobs` and `requests` are shortcuts to it. With pytest, the `staging_emulator`
fixture gives one such server per session, reset before each test (see `pytest_plugin`).
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

from ..app import EmulatorApp
from ..client import EmulatorClient
from ..control.models import AdvanceResult, DeliveryView, JobView, JournalEntry
from ..core.server import Servers
from ..net import listen_socket
from ..settings import Settings
from .tls import TlsClients, https_for_tests

TEST_DEFAULTS = {"store": "memory", "clock": "manual", "seed": 1, "port": 0, "log_level": "warning"}


class _Shortcuts:
    """Control API shortcuts, all through the typed client."""

    client: EmulatorClient
    url: str

    def control(self, method: str, path: str, json: Any = None) -> Any:
        """A raw control call, for anything the typed client does not cover."""
        response = self.client.http.request(method, f"{self.url}/_emulator{path}", json=json)
        response.raise_for_status()
        return response.json() if response.content else None

    def advance(self, seconds: float | str) -> AdvanceResult:
        return self.client.advance(seconds)

    def reset(self, **selector: str) -> None:
        self.client.reset(**selector)

    def deliveries(self, vendor: str | None = None, **filters: Any) -> list[DeliveryView]:
        return self.client.deliveries(vendor, **filters)

    def jobs(self, vendor: str | None = None, **filters: Any) -> list[JobView]:
        return self.client.jobs(vendor, **filters)

    def requests(self, vendor: str | None = None, **filters: Any) -> list[JournalEntry]:
        return self.client.requests(vendor, **filters)


class RunningEmulator(_Shortcuts):
    """An emulator already running at `url` (e.g. `staging-emulator serve` or the Docker image),
    with the same shortcuts as `EmulatorServer`."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self.client = EmulatorClient(self.url)
        self._base_urls: dict[str, str] | None = None

    def base_url(self, vendor: str) -> str:
        if self._base_urls is None:
            self._base_urls = self.client.health().vendors
        return self._base_urls[vendor]

    def stop(self) -> None:
        self.client.close()


class EmulatorServer(_Shortcuts, TlsClients):
    def __init__(self, settings: Settings | None = None, **overrides: Any) -> None:
        values = (settings.model_dump() if settings else dict(TEST_DEFAULTS)) | overrides
        self._socket = listen_socket(values.get("host", "127.0.0.1"), values.get("port") or 0)
        values["port"] = self._socket.getsockname()[1]
        self.settings = Settings.model_validate(values)
        self.app = EmulatorApp(self.settings)
        # tls=True: HTTPS too, with `ca_path`, `https_client()`, `requests_session()` (see .tls)
        self.tls = https_for_tests(self.app, self.settings)
        self.client = EmulatorClient(self.url)
        self._server: Servers | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return self.settings.resolved_public_url()

    def base_url(self, vendor: str) -> str:
        return self.app.base_urls()[vendor]

    def start(self) -> EmulatorServer:
        if self.settings.seed_file:
            from ..control.state import import_archive

            with open(self.settings.seed_file, "rb") as archive:
                import_archive(self.app, archive.read())
        self._server = Servers(
            self.app, self._socket, self.tls, log_level=self.settings.log_level, lifespan="on"
        )
        self._thread = threading.Thread(target=self._serve, name="staging-emulator", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the emulator did not start")
            time.sleep(0.005)
        return self

    def _serve(self) -> None:
        assert self._server is not None
        asyncio.run(self._server.serve())

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        self._server = self._thread = None
        self._socket.close()
        if self.tls is not None:
            self.tls.socket.close()
        self.client.close()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


__all__ = ["EmulatorServer", "RunningEmulator"]
