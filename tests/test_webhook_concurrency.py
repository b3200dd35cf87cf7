"""A slow or dead receiver delays only its own deliveries; advance stays deterministic.

Receivers here are real HTTP servers that sleep before answering; timeouts are short so the tests
stay fast (the same holds at 30 s receivers and the default 5 s timeout, see the README).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from emulator.core.clock import MANUAL_EPOCH
from emulator.core.webhooks import RetryPolicy, target_of
from emulator.testing import EmulatorServer

from .helpers import LocalServer, QuietHandler, data_url, image_bytes, manual_engine

POLICY = RetryPolicy(max_attempts=3, first_delay=10, factor=2)


class SleepyReceiver(LocalServer):
    """Answers every POST after `sleep` seconds; records when each arrived and the most requests
    it held at once."""

    def __init__(self, sleep: float = 0.0) -> None:
        self.sleep, self.arrivals, self.in_flight, self.most = sleep, [], 0, 0
        self._lock = threading.Lock()
        outer = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with outer._lock:
                    outer.arrivals.append(time.monotonic())
                    outer.in_flight += 1
                    outer.most = max(outer.most, outer.in_flight)
                time.sleep(outer.sleep)
                with outer._lock:
                    outer.in_flight -= 1
                try:
                    self.send_response(200)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the emulator gave up waiting

        super().__init__(Handler)


@pytest.fixture
def slow() -> Iterator[SleepyReceiver]:
    with SleepyReceiver(sleep=1.5) as receiver:
        yield receiver


@pytest.fixture
def fast() -> Iterator[SleepyReceiver]:
    with SleepyReceiver() as receiver:
        yield receiver


def enqueue(engine, url: str, account: str = "acc", delay: float = 0.0):
    return engine.outbox.enqueue(
        vendor="v", account_id=account, url=url, event="e", payload={"a": account},
        policy=POLICY, delay=delay,
    )  # fmt: skip


async def test_a_slow_receiver_does_not_hold_up_another_targets_delivery(slow, fast) -> None:
    engine = manual_engine(webhook_timeout=1.0)
    stuck = enqueue(engine, slow.url, "slow-account")
    quick = enqueue(engine, fast.url, "fast-account")
    started = time.monotonic()
    assert await engine.advance(0) == 2
    took = time.monotonic() - started
    [arrived] = fast.arrivals
    assert arrived - started < 0.7  # long before the slow attempt's timeout
    assert 0.95 < took < 1.45  # advance waited for the slow attempt, bounded by the timeout
    assert engine.outbox.get(quick.id).state == "delivered"
    slow_attempt = engine.outbox.get(stuck.id).attempts[0]
    assert slow_attempt.status is None and "Timeout" in (slow_attempt.error or "")
    await engine.outbox.close()


async def test_retries_of_a_slow_receiver_land_at_their_times_whatever_it_took(slow) -> None:
    engine = manual_engine(webhook_timeout=0.2)
    delivery = enqueue(engine, slow.url)
    started = time.monotonic()
    await engine.advance(30)  # attempts at 0, 10 and 30: each bounded by the timeout
    assert time.monotonic() - started < 1.5
    stored = engine.outbox.get(delivery.id)
    assert [a.at - MANUAL_EPOCH for a in stored.attempts] == [0, 10, 30]
    assert stored.state == "failed"
    await engine.outbox.close()


async def test_timeline_is_the_same_with_parallel_attempts(fast) -> None:
    """Deliveries at different times and their retries (a 500 then 200) interleave exactly as on
    a sequential runner: every attempt recorded at its own due time."""
    engine = manual_engine()
    ids = [enqueue(engine, f"{fast.url}?n={n}", f"a{n}", delay=n * 3).id for n in range(6)]
    await engine.advance(100)
    for n, delivery_id in enumerate(ids):
        [attempt] = engine.outbox.get(delivery_id).attempts
        assert attempt.at == MANUAL_EPOCH + n * 3 and attempt.status == 200
    await engine.outbox.close()


async def test_deliveries_to_one_target_are_bounded() -> None:
    with SleepyReceiver(sleep=0.2) as receiver:
        engine = manual_engine(webhook_per_target=2, webhook_timeout=2)
        for n in range(6):
            enqueue(engine, receiver.url, f"a{n}")
        started = time.monotonic()
        await engine.advance(0)
        assert receiver.most == 2 and len(receiver.arrivals) == 6
        assert time.monotonic() - started >= 0.55  # three rounds of two
        await engine.outbox.close()


async def test_deliveries_in_all_are_bounded() -> None:
    receivers = [SleepyReceiver(sleep=0.2).__enter__() for _ in range(4)]
    engine = manual_engine(webhook_concurrency=2, webhook_timeout=2)
    for receiver in receivers:
        enqueue(engine, receiver.url)
    started = time.monotonic()
    await engine.advance(0)
    assert time.monotonic() - started >= 0.35  # two at a time
    assert all(len(r.arrivals) == 1 for r in receivers)
    for receiver in receivers:
        receiver.__exit__()
    await engine.outbox.close()


def test_target_is_host_and_port() -> None:
    assert target_of("http://Example.com/a") == "example.com:80"
    assert target_of("https://example.com/a") == "example.com:443"
    assert target_of("http://127.0.0.1:9000/x?y") == "127.0.0.1:9000"


def test_another_accounts_callback_is_not_delayed_on_a_real_clock(slow, fast) -> None:
    """Real server, real clock (jobs finish at once): account B's callback arrives while account
    A's receiver is still sleeping."""
    with EmulatorServer(clock="real", speed=0, webhook_timeout=1.0) as emu:
        base = emu.base_url("virtualstaging-art")
        with httpx.Client(trust_env=False, timeout=10) as http:

            def render(key: str, callback: str) -> float:
                headers = {"Authorization": f"Bearer {key}"}
                source = http.post(
                    f"{base}/image/upload",
                    json={"data_url": data_url(image_bytes())},
                    headers=headers,
                ).json()["url"]
                body = {
                    "image_url": source,
                    "room_type": "bed",
                    "style": "modern",
                    "callback_url": callback,
                }
                sent = time.monotonic()
                assert http.post(
                    f"{base}/image/render/request", json=body, headers=headers
                ).is_success
                return sent

            render("sk_slow_receiver", slow.url)
            deadline = time.monotonic() + 5
            while not slow.arrivals:  # A's callback is in flight, its receiver asleep
                assert time.monotonic() < deadline
                time.sleep(0.01)
            sent = render("sk_fast_receiver", fast.url)
            while not fast.arrivals:
                assert time.monotonic() < deadline
                time.sleep(0.01)
            waited = fast.arrivals[0] - sent
            assert waited < 0.8, waited  # long before A's attempt times out (1 s)
            assert slow.in_flight == 1  # still asleep on A's callback


async def test_an_attempt_cut_short_by_shutdown_is_due_again_after_a_restart(
    slow, fast, tmp_path
) -> None:
    path = str(tmp_path / "state.db")
    engine = manual_engine(store=path, webhook_timeout=5)
    delivery = enqueue(engine, slow.url)
    started = asyncio.ensure_future(engine.advance(0))
    while not slow.arrivals:
        await asyncio.sleep(0.01)
    await engine.close()  # while the receiver sleeps
    started.cancel()
    again = manual_engine(store=path)
    assert again.outbox.get(delivery.id).state == "pending"
    assert again.store.pending_timers() == 1
    await again.close()
