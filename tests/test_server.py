"""Over a real port: EmulatorServer on a thread, and `python -m emulator.cli serve` as a process."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
import time

import httpx

from emulator.core.renders import image_size
from emulator.testing import EmulatorServer

from .helpers import Receiver, data_url, image_bytes

KEY = {"Authorization": "Bearer sk_test_server"}


def test_emulator_server_render_and_callback_end_to_end(receiver: Receiver) -> None:
    with EmulatorServer() as emu, httpx.Client(trust_env=False, timeout=10) as http:
        base = emu.base_url("virtualstaging-art")
        assert base == f"{emu.url}/virtualstaging-art/api"
        source = http.post(
            f"{base}/image/upload", json={"data_url": data_url(image_bytes(200, 100))}, headers=KEY
        ).json()["url"]
        accepted = http.post(
            f"{base}/image/render/request",
            json={
                "image_url": source,
                "room_type": "bed",
                "style": "modern",
                "callback_url": receiver.url,
            },
            headers=KEY,
        )
        assert accepted.status_code == 200, accepted.text
        assert receiver.requests == []

        emu.advance(120)  # the job finishes and its callback goes out before this returns

        [callback] = receiver.requests
        payload = httpx.Response(200, content=callback["body"]).json()
        assert payload["status"] == "done" and len(payload["render_urls"]) == 1
        render = http.get(payload["render_urls"][0])
        assert render.status_code == 200 and image_size(render.content) == (200, 100)
        [delivery] = emu.deliveries("virtualstaging-art")
        assert delivery["state"] == "delivered" and delivery["payload"] == payload

        emu.reset()
        assert emu.deliveries() == []


def test_cli_serve_prints_base_urls_and_answers_health() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STAGING_EMULATOR_")}
    command = [sys.executable, "-m", "emulator.cli", "serve", "--port", "0", "--store", "memory"]
    proc = subprocess.Popen(
        [*command, "--log-level", "warning"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True)
    reader.start()
    try:
        printed, deadline = [], time.monotonic() + 10
        while not any("control API" in line for line in printed):
            assert time.monotonic() < deadline, printed
            printed.append(lines.get(timeout=max(0.01, deadline - time.monotonic())))
        text = "".join(printed)
        url = re.search(r"on (http://127\.0\.0\.1:\d+)", text).group(1)
        assert f"{url}/virtualstaging-art/api" in text
        assert f"{url}/_emulator" in text

        while True:
            try:
                response = httpx.get(f"{url}/_emulator/health", trust_env=False, timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.02)
        assert response.status_code == 200 and response.json()["status"] == "ok"
        assert response.json()["store"] == ":memory:"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        reader.join(timeout=2)
        proc.stdout.close()
