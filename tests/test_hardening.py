"""Deeply nested JSON, stalled bodies, what the HTTP server refuses itself, JSON from the control API
whatever happens, a closed store on shutdown, and a manual clock that never goes back in time."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from emulator.app import EmulatorApp
from emulator.core import http as core_http
from emulator.core import server as core_server
from emulator.core.clock import MANUAL_EPOCH
from emulator.core.engine import Engine, EngineConfig
from emulator.core.jobs import JobState, Timing
from emulator.core.server import server_options
from emulator.net import listen_socket
from emulator.settings import Settings
from emulator.testing import EmulatorServer

from .helpers import manual_engine

ART = "virtualstaging-art"
VSAI = "virtualstagingai"
DEEP = b"[" * 100_000 + b"]" * 100_000
NESTED_70 = json.dumps({"vendor": VSAI, "api_key": "k", "data": json.loads("[" * 70 + "]" * 70)})


class Served:
    """The emulator on a thread, served as the CLI serves it (`server_options`)."""

    def __init__(self, **settings) -> None:
        self.socket = listen_socket("127.0.0.1", 0)
        self.port = self.socket.getsockname()[1]
        values = {"store": "memory", "clock": "manual", "port": self.port} | settings
        self.app = EmulatorApp(Settings(**values))
        config = uvicorn.Config(self.app, log_level="critical", **server_options())
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=lambda: asyncio.run(self.server.serve(sockets=[self.socket])), daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Served:
        self.thread.start()
        while not self.server.started:
            time.sleep(0.005)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.socket.close()

    def raw(self, data: bytes, wait: float = 3.0) -> bytes:
        """Send bytes on a fresh connection; everything the server answers before closing."""
        with socket.create_connection(("127.0.0.1", self.port)) as sock:
            sock.sendall(data)
            sock.settimeout(wait)
            out = b""
            try:
                while chunk := sock.recv(65536):
                    out += chunk
            except TimeoutError:
                out += b"<still open>"
            return out


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    with Served() as server:
        yield server


def status_and_json(raw: bytes) -> tuple[int, dict]:
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), json.loads(body)


# deeply nested JSON: a 400 in the right envelope everywhere


@pytest.mark.parametrize(
    ("path", "envelope"),
    [
        (f"/{ART}/api/image/render/request", "error"),
        (f"/{VSAI}/v2/renders", "message"),
        ("/_emulator/accounts", "error"),
        ("/_emulator/faults", "error"),
    ],
)
def test_deeply_nested_json_is_a_400_in_the_envelope(served: Served, path, envelope) -> None:
    headers = {"Authorization": "Bearer k" if ART in path else "Api-Key k"}
    for body in (DEEP, NESTED_70.encode()):
        answer = httpx.post(f"{served.url}{path}", content=body, headers=headers)
        assert answer.status_code == 400, answer.text
        assert "nested deeper than 64" in answer.json()[envelope]


def test_the_control_api_answers_json_when_a_handler_crashes(served: Served) -> None:
    broken = served.app.engine.faults
    original = broken.list
    broken.list = lambda: 1 / 0  # type: ignore[method-assign]
    try:
        answer = httpx.get(f"{served.url}/_emulator/faults")
    finally:
        broken.list = original  # type: ignore[method-assign]
    assert answer.status_code == 500
    assert answer.json() == {"error": "internal error: ZeroDivisionError"}
    missing = httpx.get(f"{served.url}/_emulator/nope")
    assert missing.status_code == 404 and "error" in missing.json()


# stalled bodies and what the server refuses itself


def test_a_stalled_body_is_refused_with_408_in_the_vendors_envelope(
    served: Served, monkeypatch
) -> None:
    monkeypatch.setattr(core_http, "BODY_IDLE_TIMEOUT", 0.3)
    head = (
        f"POST /{VSAI}/v2/renders HTTP/1.1\r\nHost: x\r\nAuthorization: Api-Key k\r\n"
        "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
    )
    started = time.monotonic()
    status, body = status_and_json(served.raw(head.encode() + b'{"config":'))
    assert status == 408 and "nothing received for 0.3 s" in body["message"]
    assert time.monotonic() - started < 2


def test_a_stalled_request_head_is_refused_and_closed(served: Served, monkeypatch) -> None:
    monkeypatch.setattr(core_server, "HEAD_TIMEOUT", 0.3)
    raw = served.raw(b"GET /_emulator/health HTTP/1.1\r\nHost: x\r\n", wait=3)
    status, body = status_and_json(raw)
    assert status == 408 and "Request head" in body["error"] == body["message"]


def test_open_connections_are_bounded(served: Served, monkeypatch) -> None:
    monkeypatch.setattr(core_server, "MAX_CONNECTIONS", 3)
    held = [socket.create_connection(("127.0.0.1", served.port)) for _ in range(3)]
    try:
        time.sleep(0.1)
        status, body = status_and_json(served.raw(b""))  # answered on connecting
        assert status == 503 and "Too many open connections" in body["error"]
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.1)
    assert httpx.get(f"{served.url}/_emulator/health").status_code == 200


@pytest.mark.parametrize(
    ("request_bytes", "status", "words"),
    [
        (b"FOO / HTTP/1.1\r\nHost: x\r\n\r\n", 405, "Method not allowed"),
        (b"GET /" + b"a" * 20_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, "URL too long"),
        (
            b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(200)) + b"\r\n",
            431,
            "headers too large",
        ),
        (b"GET / HTTP/1.1\r\nX-Big: " + b"y" * 70_000 + b"\r\n\r\n", 431, "headers too large"),
        (b"GET / HTTP/1.1\r\nHost x\r\n\r\n", 400, "Invalid HTTP request"),
        (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 400, "not HTTPS"),
    ],
    ids=["unknown-method", "long-url", "many-headers", "big-header", "bad-header", "tls"],
)
def test_requests_the_server_refuses_itself_get_json(served, request_bytes, status, words) -> None:
    answered, body = status_and_json(served.raw(request_bytes))
    assert answered == status and words in body["error"] and body["message"] == body["error"]


def test_a_known_method_on_a_vendor_path_gets_the_vendors_405(served: Served) -> None:
    raw = served.raw(f"PROPFIND /{VSAI}/v2/user HTTP/1.1\r\nHost: x\r\n\r\n".encode(), wait=0.5)
    status, body = status_and_json(raw.removesuffix(b"<still open>"))
    assert status == 405 and body == {"message": "Method not allowed"}


# the store is closed on shutdown


def test_shutdown_closes_the_store_leaving_no_wal(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with EmulatorServer(store=str(path)) as emu:
        answer = httpx.get(f"{emu.base_url(VSAI)}/user", headers={"Authorization": "Api-Key k"})
        assert answer.status_code == 200
        assert path.with_name("state.db-wal").exists()
    assert not path.with_name("state.db-wal").exists()
    assert not path.with_name("state.db-shm").exists()


# a manual clock never starts before what the store has seen


async def test_a_store_from_a_real_clock_starts_a_manual_clock_where_it_left(
    tmp_path: Path,
) -> None:
    path = str(tmp_path / "state.db")
    real = Engine(EngineConfig(clock="real", speed=0, store=path))
    done = real.jobs.create(
        vendor="v", account_id="a", operation="o", timing=Timing(queue=1, run=1)
    )
    real.clock.speed = 1  # type: ignore[attr-defined] # the next job takes its time
    pending = real.jobs.create(
        vendor="v", account_id="a", operation="o", timing=Timing(queue=50, run=50)
    )
    last_write = real.store.latest_time()
    await real.close()
    assert last_write is not None and last_write > MANUAL_EPOCH

    manual = manual_engine(store=path)
    assert manual.now() >= last_write
    assert manual.jobs.get(done.id).state(manual.now()) == JobState.SUCCEEDED
    assert manual.jobs.get(pending.id).state(manual.now()) == JobState.QUEUED
    await manual.advance(200)
    assert manual.jobs.get(pending.id).state(manual.now()) == JobState.SUCCEEDED
    await manual.close()


async def test_a_manual_clock_keeps_its_own_position_when_it_is_later(tmp_path: Path) -> None:
    path = str(tmp_path / "state.db")
    engine = manual_engine(store=path)
    engine.jobs.create(vendor="v", account_id="a", operation="o", timing=Timing(queue=1, run=1))
    await engine.advance(3600)
    await engine.close()
    again = manual_engine(store=path)
    assert again.now() == MANUAL_EPOCH + 3600
    again.reset()
    assert again.now() == MANUAL_EPOCH  # a full reset forgets the store's times too
    await again.close()


def test_a_failed_write_does_not_move_the_high_water_mark() -> None:
    engine = manual_engine()
    engine.store.put("k", "1", {}, None)
    seen = engine.store.latest_time()
    engine.clock.set(MANUAL_EPOCH + 10)  # type: ignore[attr-defined]
    with pytest.raises(RuntimeError), engine.store.transaction():
        engine.store.put("k", "2", {}, None)
        raise RuntimeError
    assert engine.store.latest_time() == seen == MANUAL_EPOCH
    engine.store.put("k", "3", {}, None)
    assert engine.store.latest_time() == MANUAL_EPOCH + 10
