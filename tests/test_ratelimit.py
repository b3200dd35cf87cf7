"""The real-time rate limiter: a sliding window per key, bounded state."""

from __future__ import annotations

import threading

import pytest

from emulator.core.ratelimit import RateLimiter, retry_after_header


class FakeTime:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_accepts_the_limit_then_refuses_with_the_wait():
    t = FakeTime()
    limiter = RateLimiter(t)
    assert all(limiter.hit("k", 10) is None for _ in range(10))
    t.now += 0.25
    assert limiter.hit("k", 10) == pytest.approx(0.75)


def test_the_window_slides_and_refusals_are_not_counted():
    t = FakeTime()
    limiter = RateLimiter(t)
    for i in range(3):
        t.now = 1000 + i * 0.1
        assert limiter.hit("k", 3) is None
    for _ in range(50):  # a client hammering while refused does not dig itself deeper
        assert limiter.hit("k", 3) is not None
    t.now = 1001.0  # the first request has left the window
    assert limiter.hit("k", 3) is None
    assert limiter.hit("k", 3) == pytest.approx(0.1)
    t.now = 1001.2
    assert limiter.hit("k", 3) is None


def test_keys_are_independent():
    t = FakeTime()
    limiter = RateLimiter(t)
    assert limiter.hit("a", 1) is None
    assert limiter.hit("a", 1) is not None
    assert limiter.hit("b", 1) is None


def test_a_changed_limit_applies_at_once():
    t = FakeTime()
    limiter = RateLimiter(t)
    for _ in range(2):
        assert limiter.hit("k", 2) is None
    assert limiter.hit("k", 2) is not None
    assert limiter.hit("k", 5) is None  # raised: room again
    assert limiter.hit("k", 1) is not None  # lowered: the window already holds more


def test_state_is_bounded_by_keys_and_limit():
    t = FakeTime()
    limiter = RateLimiter(t, max_keys=100)
    for i in range(1000):
        limiter.hit(f"key-{i}", 5)
    assert len(limiter) == 100
    for _ in range(1000):
        limiter.hit("busy", 5)
    assert len(limiter._seen["busy"]) == 5
    limiter.forget("busy")
    assert "busy" not in limiter._seen
    limiter.forget()
    assert len(limiter) == 0


def test_least_recently_seen_key_is_forgotten_first():
    t = FakeTime()
    limiter = RateLimiter(t, max_keys=2)
    assert limiter.hit("a", 1) is None
    assert limiter.hit("b", 1) is None
    assert limiter.hit("a", 1) is not None  # "a" is now the most recent
    assert limiter.hit("c", 1) is None  # "b" goes
    assert limiter.hit("a", 1) is not None
    assert limiter.hit("b", 1) is None  # started over


def test_threads_never_overshoot_the_limit():
    limiter = RateLimiter(FakeTime())
    accepted = []

    def worker() -> None:
        for _ in range(100):
            if limiter.hit("k", 10) is None:
                accepted.append(1)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(accepted) == 10


def test_uses_real_time_by_default():
    limiter = RateLimiter()
    assert limiter.hit("k", 1) is None
    wait = limiter.hit("k", 1)
    assert wait is not None and 0 < wait <= 1


def test_bad_limits_are_refused():
    limiter = RateLimiter(FakeTime())
    with pytest.raises(ValueError):
        limiter.hit("k", 0)
    with pytest.raises(ValueError):
        limiter.hit("k", 1, per=0)


@pytest.mark.parametrize(("seconds", "header"), [(0.0, "1"), (0.2, "1"), (1.0, "1"), (1.01, "2")])
def test_retry_after_header_rounds_up_to_whole_seconds(seconds, header):
    assert retry_after_header(seconds) == header
