"""Benchmarks of staging-emulator: start-up time, status-poll throughput, render time, memory.

    .venv/bin/python bench/run.py

(a) start-up: from launching `staging-emulator serve --store memory` to the first 200 from
    /_emulator/health, median of 5 launches;
(b) throughput: Virtual Staging ART `POST /api/image/check-status` on one uvicorn worker (manual
    clock, in-memory store), hammered for ~5 s by keep-alive connections over loopback; req/s,
    p50 and p99 latency. The load generator is a small raw HTTP/1.1 client on asyncio, lighter than
    httpx, so that the figure is the server's rather than the client's; client and server share
    the machine's cores;
(c) placeholder render time in-process (`emulator.core.renders.render`, stage operation): over a
    1920x1080 JPEG photo, and a synthetic room for an outside URL, median of 10;
(d) peak memory (VmHWM) of the server process after the load of (b).

Everything runs on 127.0.0.1 and stops by itself in well under a minute.
"""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from emulator.core import renders  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from load import CONNECTIONS, LOAD_SECONDS, hammer, raw_request  # noqa: E402

STARTS = 5
RENDER_RUNS = 10
TOTAL_BUDGET = 120  # seconds: a safety net, the whole run takes about 30 s
KEY = "sk_bench"
# Benches of one vendor or feature each, run after the tables above, each printing its own lines.
VENDOR_BENCHES = [
    ("renders", "render time per operation at 1920x1080"),
    ("decor8", "Decor8 AI: a synchronous call on a manual clock"),
    ("stagepro", "StagePro: first SSE event and GET /jobs/{id} throughput"),
    ("collov", "Collov: a 1080p three-photo video tour"),
    ("tls", "TLS: what HTTPS adds to a status poll"),
]


def server_command() -> list[str]:
    script = ROOT / ".venv" / "bin" / "staging-emulator"
    if script.exists():
        return [str(script)]
    found = shutil.which("staging-emulator")
    return [found] if found else [sys.executable, "-m", "emulator.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def server(*args: str, baseline: bool = False):
    """A `staging-emulator serve` process on a free port (or, with `baseline`, the bare Starlette
    app of bench/baseline.py): yields (process, base URL, start time)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("STAGING_EMULATOR_")}
    if baseline:
        command = [sys.executable, str(ROOT / "bench" / "baseline.py"), str(port)]
    else:
        command = [*server_command(), "serve", "--port", str(port), "--store", "memory"]
        command += ["--log-level", "warning", *args]
    started = time.perf_counter()
    proc = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield proc, f"http://127.0.0.1:{port}", started
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def wait_healthy(client: httpx.Client, proc: subprocess.Popen, url: str, limit: float = 15) -> None:
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            if client.get(f"{url}/_emulator/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.002)
    raise TimeoutError("the server did not answer /_emulator/health")


# (a) start-up


def bench_startup(baseline: bool = False) -> list[float]:
    times = []
    with httpx.Client(trust_env=False) as client:
        for _ in range(STARTS):
            with server(baseline=baseline) as (proc, url, started):
                wait_healthy(client, proc, url)
                times.append(time.perf_counter() - started)
    return times


# (b) check-status throughput and (d) memory


def jpeg(width: int, height: int) -> bytes:
    img = renders.synthetic_room("bench-source", (width, height))
    noise = Image.effect_noise((width, height), 40).convert("RGB")
    img = Image.blend(img, noise, 0.15)  # photo-like detail, so the JPEG codec has work to do
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def prepare_group(client: httpx.Client, url: str) -> str:
    """Upload a photo and request a render of it; the upload group's id."""
    base = f"{url}/virtualstaging-art/api"
    auth = {"Authorization": f"Bearer {KEY}"}
    data_url = "data:image/jpeg;base64," + base64.b64encode(jpeg(640, 480)).decode()
    upload = client.post(f"{base}/image/upload", json={"data_url": data_url}, headers=auth)
    upload.raise_for_status()
    body = {"image_url": upload.json()["url"], "room_type": "living", "style": "modern"}
    render = client.post(f"{base}/image/render/request", json=body, headers=auth)
    render.raise_for_status()
    return render.json()["upload_id"]


def memory_kib(pid: int) -> dict[str, int]:
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            name, _, rest = line.partition(":")
            if name in ("VmHWM", "VmRSS"):
                values[name] = int(rest.split()[0])
    return values


CHECK_STATUS = "/virtualstaging-art/api/image/check-status"


def bench_load(baseline: bool = False) -> dict[str, object]:
    """(b) and (d) on the emulator, or on the bare Starlette app with the same requests."""
    args = () if baseline else ("--clock", "manual", "--seed", "1")
    with (
        server(*args, baseline=baseline) as (proc, url, _),
        httpx.Client(trust_env=False, timeout=10) as client,
    ):
        wait_healthy(client, proc, url)
        idle = memory_kib(proc.pid)
        path = "/check-status" if baseline else CHECK_STATUS
        upload_id = "bench-upload" if baseline else prepare_group(client, url)
        check = client.post(
            f"{url}{path}",
            json={"upload_id": upload_id},
            headers={"Authorization": f"Bearer {KEY}"},
        )
        assert check.json()["status"] == "rendering", check.text
        poll = sequential_polls(client, url + path, upload_id)
        payload = json.dumps({"upload_id": upload_id}).encode()
        headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
        load = hammer(url, raw_request("POST", path, headers, payload))
        after = memory_kib(proc.pid)
    return {
        "count": load.count,
        "elapsed": load.elapsed,
        "errors": load.errors,
        "rps": load.rps,
        "p50": load.p50,
        "p99": load.p99,
        "poll_p50": statistics.median(poll) * 1000,
        "idle_rss": idle.get("VmRSS", 0),
        "hwm": after.get("VmHWM", 0),
        "rss": after.get("VmRSS", 0),
    }


def sequential_polls(
    client: httpx.Client, endpoint: str, upload_id: str, count: int = 200
) -> list[float]:
    """One keep-alive connection polling as an ordinary client does, one request at a time (a
    Nagle / delayed-ACK stall shows here as ~40 ms, not in the concurrent load)."""
    out = []
    for _ in range(count):
        started = time.perf_counter()
        client.post(
            endpoint, json={"upload_id": upload_id}, headers={"Authorization": f"Bearer {KEY}"}
        ).raise_for_status()
        out.append(time.perf_counter() - started)
    return out


# (c) render time


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def bench_render() -> dict[str, tuple[list[float], tuple[int, int]]]:
    photo = jpeg(1920, 1080)
    stage = renders.RenderSpec(vendor="Bench", room_type="living_room", style="modern")
    outside = stage.model_copy(update={"source_key": "https://example.com/listing/1.jpg"})
    _, photo_size = renders.render(stage, photo)  # warm-up (fonts, codecs)
    _, room_size = renders.render(outside, None)
    return {
        "photo": (timed(lambda: renders.render(stage, photo), RENDER_RUNS), photo_size),
        "synthetic": (timed(lambda: renders.render(outside, None), RENDER_RUNS), room_size),
    }


def _timeout(signum, frame):
    raise TimeoutError(f"benchmark exceeded {TOTAL_BUDGET} s")


def ratio(ours: float, bare: float) -> str:
    return f"x{ours / bare:.2f}" if bare else "-"


def main() -> int:
    signal.signal(signal.SIGALRM, _timeout)
    signal.alarm(TOTAL_BUDGET)
    began = time.perf_counter()
    print(f"staging-emulator bench: python {sys.version.split()[0]}, {os.cpu_count()} CPUs")

    starts, bare_starts = bench_startup(), bench_startup(baseline=True)
    load, bare = bench_load(), bench_load(baseline=True)
    render = bench_render()
    ms = lambda seconds: f"{seconds * 1000:.0f} ms"  # noqa: E731
    mib = lambda kib: f"{kib / 1024:.1f} MiB"  # noqa: E731
    start, bare_start = statistics.median(starts), statistics.median(bare_starts)

    print("\nside by side with a bare Starlette app (bench/baseline.py, same uvicorn and socket):")
    req_s = lambda value: f"{value:.0f} req/s"  # noqa: E731
    ms1 = lambda value: f"{value:.1f} ms"  # noqa: E731
    ms2 = lambda value: f"{value:.2f} ms"  # noqa: E731

    def measured(label: str, key: str, shown) -> tuple[str, str, str, str]:
        return (label, shown(load[key]), shown(bare[key]), ratio(load[key], bare[key]))

    rows = [
        ("", "emulator", "bare Starlette", "ratio"),
        ("(a) start-up to first health 200", ms(start), ms(bare_start), ratio(start, bare_start)),
        measured("(b) check-status throughput", "rps", req_s),
        measured("    latency p50 under load", "p50", ms1),
        measured("    latency p99 under load", "p99", ms1),
        measured("    one client polling in sequence, p50", "poll_p50", ms2),
        measured("(d) idle RSS", "idle_rss", mib),
        measured("    peak RSS after load (VmHWM)", "hwm", mib),
    ]
    print_table(rows)
    print(
        f"({CONNECTIONS} keep-alive connections for {LOAD_SECONDS:.0f} s each; errors: emulator "
        f"{load['errors']}, bare {bare['errors']}; sequential: 200 requests on one connection)"
    )
    print("\nemulator only:")
    rows = [("", "median", "detail")]
    for label, key in (("photo 1920x1080", "photo"), ("synthetic room", "synthetic")):
        times, size = render[key]
        rows.append(
            (
                f"(c) render, stage, {label}",
                ms(statistics.median(times)),
                f"{RENDER_RUNS} runs, output {size[0]}x{size[1]}, min {ms(min(times))}",
            )
        )
    print_table(rows)
    signal.alarm(0)
    for name, what in VENDOR_BENCHES:
        print(f"\n{what} (bench/{name}.py):", flush=True)
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / f"{name}.py")], check=True, timeout=300
        )
    print(f"\ntotal {time.perf_counter() - began:.1f} s")
    return 0


def print_table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [f"{cell:<{widths[i]}}" for i, cell in enumerate(row[:-1])]
        print("  ".join([*cells, row[-1]]))


if __name__ == "__main__":
    sys.exit(main())
