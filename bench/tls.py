"""What HTTPS adds to a status poll: the same poll over HTTP and over HTTPS, on one server.

    .venv/bin/python bench/tls.py

One `staging-emulator serve --tls` process (manual clock, in-memory store, the CA in a temporary
folder) serves both ports. The poll is Virtual Staging ART `POST /api/image/check-status`, as in
bench/run.py (b):

- keep-alive: 300 polls one after another on one kept-alive connection per scheme, HTTP and HTTPS
  interleaved so drift hits both alike; the TLS cost here is record encryption only;
- new connection: 50 polls each on a fresh connection, i.e. TCP (+ TLS handshake) every time, as a
  client that does not keep connections alive pays.

The HTTPS client is the same httpx client with the emulator's CA trusted, calling the same path at
https://127.0.0.1 (the certificate covers the IP), so the only difference is TLS. `bench_tls()`
returns the medians and p99s in ms; bench/run.py can print them as a row.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from run import KEY, free_port, prepare_group, server, wait_healthy  # noqa: E402

from emulator.testing.tls import ssl_context  # noqa: E402

KEEP_ALIVE_POLLS = 300
FRESH_POLLS = 50
WARMUP = 20
PATH = "/virtualstaging-art/api/image/check-status"


def _poll(client: httpx.Client, url: str, upload_id: str) -> float:
    started = time.perf_counter()
    response = client.post(
        url, json={"upload_id": upload_id}, headers={"Authorization": f"Bearer {KEY}"}
    )
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    return elapsed


def _summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50": statistics.median(ordered) * 1000,
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
    }


def bench_tls(
    keep_alive_polls: int = KEEP_ALIVE_POLLS, fresh_polls: int = FRESH_POLLS
) -> dict[str, dict[str, float]]:
    """{"http"|"https"|"http_fresh"|"https_fresh": {"p50", "p99"}} in ms, plus "extra" (the
    HTTPS p50 minus the HTTP p50, keep-alive and fresh)."""
    tls_port = free_port()
    with tempfile.TemporaryDirectory() as tls_dir:
        args = ("--clock", "manual", "--tls", "--tls-port", str(tls_port), "--tls-dir", tls_dir)
        with (
            server(*args) as (proc, http_url, _),
            httpx.Client(trust_env=False, timeout=10) as plain,
        ):
            wait_healthy(plain, proc, http_url)
            upload_id = prepare_group(plain, http_url)
            verify = ssl_context(Path(tls_dir) / "ca.pem")
            https_url = f"https://127.0.0.1:{tls_port}"
            samples: dict[str, list[float]] = {k: [] for k in ("http", "https")}
            with httpx.Client(trust_env=False, timeout=10, verify=verify) as secure:
                for i in range(WARMUP + keep_alive_polls):
                    http = _poll(plain, http_url + PATH, upload_id)
                    https = _poll(secure, https_url + PATH, upload_id)
                    if i >= WARMUP:
                        samples["http"].append(http)
                        samples["https"].append(https)
            fresh: dict[str, list[float]] = {k: [] for k in ("http", "https")}
            limits = httpx.Limits(max_keepalive_connections=0)
            with (
                httpx.Client(trust_env=False, timeout=10, limits=limits) as plain_fresh,
                httpx.Client(
                    trust_env=False, timeout=10, limits=limits, verify=verify
                ) as tls_fresh,
            ):
                for _ in range(fresh_polls):
                    fresh["http"].append(_poll(plain_fresh, http_url + PATH, upload_id))
                    fresh["https"].append(_poll(tls_fresh, https_url + PATH, upload_id))
    result = {
        "http": _summary(samples["http"]),
        "https": _summary(samples["https"]),
        "http_fresh": _summary(fresh["http"]),
        "https_fresh": _summary(fresh["https"]),
    }
    result["extra"] = {
        "keep_alive": result["https"]["p50"] - result["http"]["p50"],
        "fresh": result["https_fresh"]["p50"] - result["http_fresh"]["p50"],
    }
    return result


def main() -> int:
    result = bench_tls()
    print("status poll (VS ART check-status), ms   p50      p99")
    for name, label in (
        ("http", "HTTP, keep-alive"),
        ("https", "HTTPS, keep-alive"),
        ("http_fresh", "HTTP, new connection each"),
        ("https_fresh", "HTTPS, new connection each"),
    ):
        print(f"  {label:<36} {result[name]['p50']:7.2f}  {result[name]['p99']:7.2f}")
    extra = result["extra"]
    print(
        f"TLS adds {extra['keep_alive']:.2f} ms per keep-alive poll (p50), "
        f"{extra['fresh']:.2f} ms per poll on a new connection (handshake)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
