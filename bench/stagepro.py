"""StagePro: time to the first server-sent event of the design agent, and status-poll throughput
of `GET /api/v1/jobs/{id}`.

    .venv/bin/python bench/stagepro.py

One `staging-emulator serve` process (manual clock, in-memory store, seed 1):

- first SSE event: `POST /agent/sessions/{id}/messages` with `stream: true`, read with httpx's
  streaming client; the time from sending the request to the first `message.delta` event, and to
  the end of the stream (`done`), median and p99 of RUNS replies on a kept-alive connection;
- status poll: `GET /jobs/{id}` of one queued job, 16 keep-alive connections for 5 s from the raw
  asyncio client of bench/run.py (req/s, p50, p99), and 200 polls one after another on one httpx
  connection, as an ordinary poller does (p50).

`bench_stagepro()` returns the figures; `rows()` formats them for bench/run.py's table.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from load import CONNECTIONS, hammer, percentiles_ms, raw_request  # noqa: E402
from run import server, wait_healthy  # noqa: E402

KEY = "sk_live_bench"
BASE = "/stagepro/api/v1"
SSE_RUNS = 30
SEQUENTIAL_POLLS = 200
# the limit StagePro reports (120 requests a minute per key) would cap the load at a few requests
NO_RATE_LIMIT = '{"stagepro": {"rate_limit_per_minute": 0}}'


def _auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {KEY}"}


def create_job(client: httpx.Client, url: str) -> str:
    body = {
        "type": "virtual-stage",
        "input": {
            "image_url": "https://example.com/bench/room.jpg",
            "style": "modern",
            "room_type": "living-room",
        },
    }
    response = client.post(f"{url}{BASE}/jobs", json=body, headers=_auth())
    response.raise_for_status()
    return response.json()["id"]


def first_sse_event(client: httpx.Client, url: str, runs: int = SSE_RUNS) -> dict[str, Any]:
    """Seconds from request to the first `message.delta`, and to the stream's end, per reply."""
    session = client.post(
        f"{url}{BASE}/agent/sessions",
        json={"image_url": "https://example.com/bench/living-room.jpg"},
        headers=_auth(),
    )
    session.raise_for_status()
    endpoint = f"{url}{BASE}/agent/sessions/{session.json()['id']}/messages"
    first, whole = [], []
    for n in range(runs):
        body = {"message": f"What would you change here? ({n})", "stream": True}
        started = time.perf_counter()
        got_first = None
        with client.stream("POST", endpoint, json=body, headers=_auth()) as response:
            response.raise_for_status()
            for line in response.iter_lines():
                if got_first is None and line.startswith("event: message.delta"):
                    got_first = time.perf_counter() - started
        whole.append(time.perf_counter() - started)
        assert got_first is not None, "no message.delta event"
        first.append(got_first)
    return {"first": percentiles_ms(first), "whole": percentiles_ms(whole), "runs": runs}


def poll_throughput(client: httpx.Client, url: str, job_id: str) -> dict[str, Any]:
    path = f"{BASE}/jobs/{job_id}"
    sequential = []
    for _ in range(SEQUENTIAL_POLLS):
        started = time.perf_counter()
        client.get(f"{url}{path}", headers=_auth()).raise_for_status()
        sequential.append(time.perf_counter() - started)
    load = hammer(url, raw_request("GET", path, _auth()))
    return {
        "rps": load.rps,
        "count": load.count,
        "elapsed": load.elapsed,
        "errors": load.errors,
        **percentiles_ms(load.latencies),
        "sequential_p50": percentiles_ms(sequential)["p50"],
    }


def bench_stagepro() -> dict[str, Any]:
    with (
        server("--clock", "manual", "--seed", "1", "--vendor-options", NO_RATE_LIMIT) as served,
        httpx.Client(trust_env=False, timeout=10) as client,
    ):
        proc, url, _ = served
        wait_healthy(client, proc, url)
        job_id = create_job(client, url)
        return {"sse": first_sse_event(client, url), "poll": poll_throughput(client, url, job_id)}


def rows(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    sse, poll = result["sse"], result["poll"]
    return [
        (
            "StagePro agent: first SSE event",
            f"p50 {sse['first']['p50']:.1f} ms",
            f"p99 {sse['first']['p99']:.1f} ms; whole stream p50 {sse['whole']['p50']:.0f} ms, "
            f"{sse['runs']} replies",
        ),
        (
            "StagePro GET /jobs/{id} throughput",
            f"{poll['rps']:.0f} req/s",
            f"p50 {poll['p50']:.1f} ms, p99 {poll['p99']:.1f} ms, {CONNECTIONS} conns, "
            f"{poll['errors']} errors",
        ),
        (
            "    one client polling in sequence",
            f"p50 {poll['sequential_p50']:.1f} ms",
            f"{SEQUENTIAL_POLLS} requests on one keep-alive connection (httpx)",
        ),
    ]


def main() -> int:
    for label, value, detail in rows(bench_stagepro()):
        print(f"{label:<36}  {value:<14}  {detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
