"""Simulated time.

A real clock follows wall time; a speed factor shrinks every simulated duration (speed 10 makes a
10 s job take 1 s, speed 0 finishes it at once). A manual clock stands still until `advance` moves
it, which is what deterministic tests use.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Literal, Protocol

ClockMode = Literal["real", "manual"]

# 2026-01-01T00:00:00Z: where a fresh manual clock starts, so manual runs are reproducible.
MANUAL_EPOCH = 1_767_225_600.0


class Clock(Protocol):
    mode: ClockMode

    def now(self) -> float:
        """Current simulated time, epoch seconds."""
        ...

    def scale(self, seconds: float) -> float:
        """How long a nominal duration lasts on this clock."""
        ...


class RealClock:
    mode: ClockMode = "real"

    def __init__(self, speed: float = 1.0) -> None:
        if speed < 0:
            raise ValueError("speed must be >= 0")
        self.speed = speed

    def now(self) -> float:
        return time.time()

    def scale(self, seconds: float) -> float:
        return 0.0 if self.speed == 0 else seconds / self.speed


class ManualClock:
    mode: ClockMode = "manual"

    def __init__(self, start: float = MANUAL_EPOCH) -> None:
        self._now = start

    def now(self) -> float:
        return self._now

    def scale(self, seconds: float) -> float:
        return seconds

    def set(self, when: float) -> None:
        if when < self._now:
            raise ValueError("a manual clock never goes back")
        self._now = when

    def rewind(self, to: float = MANUAL_EPOCH) -> None:
        """Start over (a full reset only: nothing planned on the old timeline survives it)."""
        self._now = to


def iso8601(ts: float | None) -> str | None:
    """`2026-05-15T12:00:30+00:00`, the shape vendors print (seconds, explicit UTC offset)."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds")


def epoch_ms(ts: float | None) -> int | None:
    return None if ts is None else round(ts * 1000)
