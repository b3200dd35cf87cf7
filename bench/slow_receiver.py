"""How long does another account's webhook wait behind a receiver that sleeps 30 s?

    .venv/bin/python bench/slow_receiver.py [SECONDS]

Account A's callback goes to a receiver that sleeps SECONDS (default 30) before answering;
account B's to one that answers at once. Prints how long B's callback takes on a real clock
(speed 0) and, on a manual clock, how long `advance(30)` takes and when B's callback arrives in
it. Both against a real `staging-emulator serve` process on 127.0.0.1.
"""

import re
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

SLEEP = float(sys.argv[1]) if len(sys.argv) > 1 else 30.0


def receiver(sleep):
    arrivals = []

    class H(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            arrivals.append(time.monotonic())
            time.sleep(sleep)
            try:
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
            except OSError:
                pass

        def log_message(self, *a):
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{srv.server_address[1]}/hook", arrivals


def serve(*args):
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "emulator.cli",
            "serve",
            "--port",
            "0",
            "--store",
            "memory",
            "--log-level",
            "warning",
            *args,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    url = re.search(r"http://[\d.]+:\d+", proc.stdout.readline()).group(0)
    for _ in range(200):
        try:
            httpx.get(f"{url}/_emulator/health")
            break
        except httpx.HTTPError:
            time.sleep(0.05)
    return proc, url


PNG = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQ"
    "DwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def render(http, url, key, callback):
    base, h = f"{url}/virtualstaging-art/api", {"Authorization": f"Bearer {key}"}
    src = http.post(f"{base}/image/upload", json={"data_url": PNG}, headers=h).json()["url"]
    sent = time.monotonic()
    body = {"image_url": src, "room_type": "bed", "style": "modern", "callback_url": callback}
    assert http.post(f"{base}/image/render/request", headers=h, json=body).status_code == 200
    return sent


slow_url, slow = receiver(SLEEP)
fast_url, fast = receiver(0)
proc, url = serve("--clock", "real", "--speed", "0")
with httpx.Client(trust_env=False, timeout=120) as http:
    render(http, url, "sk_A", slow_url)
    while not slow:
        time.sleep(0.005)
    sent = render(http, url, "sk_B", fast_url)
    while not fast:
        time.sleep(0.005)
    print(f"real clock: B's callback after {1000 * (fast[0] - sent):.1f} ms")
proc.terminate()
proc.wait()
slow.clear()
fast.clear()
proc, url = serve("--clock", "manual")
with httpx.Client(trust_env=False, timeout=300) as http:
    render(http, url, "sk_A", slow_url)
    render(http, url, "sk_B", fast_url)
    started = time.monotonic()
    http.post(f"{url}/_emulator/clock/advance", json={"seconds": 30})
    print(
        f"manual clock: advance(30) took {time.monotonic() - started:.2f} s "
        f"({len(slow)} attempts to A); B's callback {1000 * (fast[0] - started):.0f} ms into it"
    )
proc.terminate()
proc.wait()
