"""The request journal: what clients sent and what they got back, newest last (like WireMock's).

Kept in memory, bounded: it is a diagnostic of this process, not emulated vendor state.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..core.clock import Clock


class Journal:
    def __init__(self, clock: Clock, host_slugs: dict[str, str], size: int = 1000) -> None:
        """`host_slugs` maps each vendor's real host to its slug."""
        self.clock, self.host_slugs = clock, host_slugs
        self.slugs = sorted(set(host_slugs.values()))
        self.entries: deque[dict[str, Any]] = deque(maxlen=size)

    def _vendor(self, path: str, host: str) -> str | None:
        by_host = self.host_slugs.get(host.rsplit(":", 1)[0].lower())
        if by_host is not None:
            return by_host
        return next((slug for slug in self.slugs if path.startswith(f"/{slug}/")), None)

    async def record(self, scope: Scope, receive: Receive, send: Send, app: ASGIApp) -> None:
        path = scope["path"]
        if path.startswith(("/_emulator", "/_media")):
            await app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def tracking_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await app(scope, receive, tracking_send)
        finally:
            headers = {
                k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])
            }
            self.entries.append(
                {
                    "at": self.clock.now(),
                    "method": scope["method"],
                    "path": path,
                    "query": scope.get("query_string", b"").decode("latin-1"),
                    "host": headers.get("host", ""),
                    "vendor": self._vendor(path, headers.get("host", "")),
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "content_type": headers.get("content-type"),
                }
            )

    def list(self, vendor: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        items = [e for e in self.entries if vendor in (None, e["vendor"])]
        return items[-limit:]

    def clear(self) -> None:
        self.entries.clear()
