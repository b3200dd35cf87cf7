"""Decor8 AI: time from request to answer of the synchronous `POST /generate_designs_for_room`.

    .venv/bin/python bench/decor8.py

One `staging-emulator serve` process (manual clock, in-memory store, seed 1). Each call is a job
that the handler waits out with `Engine.wait_until`: on a manual clock the clock jumps to the job's
end at once, so the figure is the emulator's own work per call (auth, body, planning the job and
its two renders, the clock step, the answer), not the 15 s a live call takes. RUNS calls one after
another on a kept-alive httpx connection, after WARMUP unmeasured ones; median and p99 in ms.

`bench_decor8()` returns the figures; `rows()` formats them for bench/run.py's table.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from run import server, wait_healthy  # noqa: E402

KEY = "bench-decor8-key"
RUNS = 100
WARMUP = 10
BODY = {
    "input_image_url": "https://example.com/bench/room.jpg",
    "room_type": "LIVINGROOM",
    "design_style": "MODERN",
    "num_images": 2,
}


def bench_decor8(runs: int = RUNS) -> dict[str, float]:
    """Median and p99 (ms) of `runs` calls of /generate_designs_for_room on a manual clock."""
    with (
        server("--clock", "manual", "--seed", "1") as (proc, url, _),
        httpx.Client(timeout=30) as client,
    ):
        wait_healthy(client, proc, url)
        endpoint = f"{url}/decor8/generate_designs_for_room"
        headers = {"Authorization": f"Bearer {KEY}"}
        samples = []
        for i in range(WARMUP + runs):
            started = time.perf_counter()
            response = client.post(endpoint, json=BODY, headers=headers)
            elapsed = time.perf_counter() - started
            if response.status_code != 200 or response.json()["error"] != "":
                raise RuntimeError(f"generate_designs_for_room failed: {response.text[:300]}")
            if i >= WARMUP:
                samples.append(elapsed * 1000)
    ordered = sorted(samples)
    return {
        "median_ms": statistics.median(ordered),
        "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
        "runs": float(runs),
    }


def rows(figures: dict[str, float]) -> list[tuple[str, ...]]:
    return [
        (
            "decor8 generate_designs_for_room (manual clock)",
            f"median {figures['median_ms']:.1f} ms",
            f"p99 {figures['p99_ms']:.1f} ms",
        )
    ]


def main() -> int:
    figures = bench_decor8()
    print(
        f"decor8 POST /generate_designs_for_room, manual clock: median "
        f"{figures['median_ms']:.1f} ms of {int(figures['runs'])} (p99 {figures['p99_ms']:.1f} ms)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
