"""The load generator every bench shares: keep-alive connections on asyncio sending one raw
HTTP/1.1 request over and over (lighter than httpx, so the figure is the server's).

    result = hammer(url, raw_request("GET", "/path", {"Authorization": "Bearer k"}))
    result.rps, result.p50, result.p99, result.errors
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass

LOAD_SECONDS = 5.0
CONNECTIONS = 16
MAX_REQUESTS = 500_000


def raw_request(method: str, path: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def percentiles_ms(samples: list[float]) -> dict[str, float]:
    """Median and 99th percentile of seconds, in milliseconds."""
    ordered = sorted(samples)
    return {
        "p50": statistics.median(ordered) * 1000,
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
    }


@dataclass
class Load:
    count: int
    elapsed: float
    latencies: list[float]
    errors: int  # answers that were not 200 with a "status" in the body

    @property
    def rps(self) -> float:
        return self.count / self.elapsed

    @property
    def p50(self) -> float:
        return percentiles_ms(self.latencies)["p50"]

    @property
    def p99(self) -> float:
        return percentiles_ms(self.latencies)["p99"]


def hammer(url: str, request: bytes) -> Load:
    """`request` sent on CONNECTIONS keep-alive connections for LOAD_SECONDS (or MAX_REQUESTS)."""
    return asyncio.run(_hammer(int(url.rsplit(":", 1)[1]), request))


async def _hammer(port: int, request: bytes) -> Load:
    latencies: list[float] = []
    budget = [MAX_REQUESTS]
    started = time.perf_counter()
    stop_at = started + LOAD_SECONDS
    results = await asyncio.wait_for(
        asyncio.gather(
            *(_connection(port, request, stop_at, budget, latencies) for _ in range(CONNECTIONS))
        ),
        timeout=LOAD_SECONDS + 10,
    )
    return Load(len(latencies), time.perf_counter() - started, latencies, sum(results))


async def _connection(
    port: int, request: bytes, stop_at: float, budget: list[int], latencies: list[float]
) -> int:
    """One keep-alive connection sending `request` until the time or the request budget is up;
    returns how many answers were not 200 with a status."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    errors = 0
    try:
        while time.perf_counter() < stop_at and budget[0] > 0:
            budget[0] -= 1
            sent = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            body = await reader.readexactly(length)
            latencies.append(time.perf_counter() - sent)
            if not head.startswith(b"HTTP/1.1 200") or b'"status"' not in body:
                errors += 1
    finally:
        writer.close()
    return errors
