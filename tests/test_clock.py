from __future__ import annotations

import time

import pytest

from emulator.core.clock import MANUAL_EPOCH, ManualClock, RealClock, epoch_ms, iso8601


def test_real_clock_follows_wall_time() -> None:
    clock = RealClock()
    before = time.time()
    now = clock.now()
    assert before <= now <= time.time()
    assert clock.mode == "real"


@pytest.mark.parametrize(
    ("speed", "nominal", "lasts"),
    [(1, 10.0, 10.0), (10, 10.0, 1.0), (0.5, 10.0, 20.0), (0, 10.0, 0.0), (0, 0.0, 0.0)],
)
def test_real_clock_speed_scales_durations(speed: float, nominal: float, lasts: float) -> None:
    assert RealClock(speed).scale(nominal) == pytest.approx(lasts)


def test_real_clock_refuses_negative_speed() -> None:
    with pytest.raises(ValueError):
        RealClock(-1)


def test_manual_clock_starts_at_fixed_epoch_and_stands_still() -> None:
    clock = ManualClock()
    assert clock.mode == "manual"
    assert clock.now() == MANUAL_EPOCH == 1_767_225_600.0
    assert iso8601(clock.now()) == "2026-01-01T00:00:00+00:00"
    assert clock.now() == clock.now()
    assert clock.scale(12.5) == 12.5  # durations are nominal on a manual clock


def test_manual_clock_moves_forward_only() -> None:
    clock = ManualClock(start=100.0)
    clock.set(150.0)
    clock.set(150.0)  # standing still is allowed
    assert clock.now() == 150.0
    with pytest.raises(ValueError, match="never goes back"):
        clock.set(149.9)
    assert clock.now() == 150.0


def test_manual_clock_rewind_starts_over() -> None:
    clock = ManualClock()
    clock.set(MANUAL_EPOCH + 3600)
    clock.rewind()
    assert clock.now() == MANUAL_EPOCH
    clock.rewind(to=5.0)
    assert clock.now() == 5.0


def test_time_formats() -> None:
    assert iso8601(None) is None
    assert iso8601(MANUAL_EPOCH + 30.4) == "2026-01-01T00:00:30+00:00"
    assert epoch_ms(None) is None
    assert epoch_ms(1.2346) == 1235
