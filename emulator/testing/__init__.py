"""Run the emulator from your own tests: on a thread with a real port, manual clock by default.

    with EmulatorServer() as emu:
        client = MyVendorClient(base_url=emu.base_url("virtualstaging-art"))
        ...
        emu.advance(60)          # every job and webhook due in the next minute happens now
        emu.deliveries()         # what was sent to your webhook URLs

With pytest, the `staging_emulator` fixture gives one such server per session, reset before each
test.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import httpx
import uvicorn

from ..app import EmulatorApp
from ..net import listen_socket
from ..settings import Settings


class EmulatorServer:
    def __init__(self, settings: Settings | None = None, **overrides: Any) -> None:
        base = {"store": "memory", "clock": "manual", "seed": 1, "port": 0, "log_level": "warning"}
        values = (settings.model_dump() if settings else base) | overrides
        self._socket = listen_socket(values.get("host", "127.0.0.1"), values.get("port") or 0)
        values["port"] = self._socket.getsockname()[1]
        self.settings = Settings.model_validate(values)
        self.app = EmulatorApp(self.settings)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return self.settings.resolved_public_url()

    def base_url(self, vendor: str) -> str:
        return self.app.base_urls()[vendor]

    def start(self) -> EmulatorServer:
        config = uvicorn.Config(self.app, log_level=self.settings.log_level, lifespan="on")
        self._server = uvicorn.Server(config)
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
        asyncio.run(self._server.serve(sockets=[self._socket]))

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        self._server = self._thread = None
        self._socket.close()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # control API shortcuts

    def control(self, method: str, path: str, json: Any = None) -> Any:
        response = httpx.request(method, f"{self.url}/_emulator{path}", json=json, timeout=30)
        response.raise_for_status()
        return response.json() if response.content else None

    def advance(self, seconds: float) -> dict[str, Any]:
        return self.control("POST", "/clock/advance", {"seconds": seconds})

    def reset(self, **selector: str) -> None:
        self.control("POST", "/reset", selector)

    def deliveries(self, vendor: str | None = None) -> list[dict[str, Any]]:
        query = f"?vendor={vendor}" if vendor else ""
        return self.control("GET", f"/webhooks/deliveries{query}")


__all__ = ["EmulatorServer"]
