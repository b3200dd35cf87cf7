from __future__ import annotations

import time

import pytest

from emulator.core.clock import MANUAL_EPOCH, ManualClock, RealClock
from emulator.core.engine import Engine
from emulator.core.ids import IdFactory
from emulator.core.jobs import JOB_FINISHED, Job, Jobs, JobState, Timing
from emulator.core.store import Store

from .helpers import manual_engine

FIXED = Timing(queue=1.0, run=8.0, jitter=0)


def new_job(engine: Engine, timing: Timing = FIXED, **kw) -> Job:
    return engine.jobs.create(vendor="v", account_id="acc", operation="stage", timing=timing, **kw)


def test_timeline_is_fixed_at_creation(engine: Engine) -> None:
    job = new_job(engine, params={"a": 1}, outputs=["m1"], group="g")
    assert job.created_at == MANUAL_EPOCH
    assert job.started_at == MANUAL_EPOCH + 1
    assert job.finished_at == MANUAL_EPOCH + 9
    stored = engine.jobs.get(job.id)
    assert stored == job
    assert engine.jobs.list("acc", group="g") == [job]


def test_creating_a_job_plans_its_completion_timer(engine: Engine) -> None:
    job = new_job(engine)
    timer = engine.store.next_timer(until=job.finished_at)
    assert timer is not None
    assert (timer.kind, timer.target, timer.due) == (JOB_FINISHED, job.id, job.finished_at)
    assert engine.store.next_timer(until=job.finished_at - 0.001) is None


def test_state_by_time_queued_processing_succeeded(engine: Engine) -> None:
    job = new_job(engine)
    t0 = job.created_at
    assert job.state(t0) == JobState.QUEUED
    assert job.state(t0 + 0.999) == JobState.QUEUED
    assert job.state(t0 + 1) == JobState.PROCESSING
    assert job.state(t0 + 8.999) == JobState.PROCESSING
    assert job.state(t0 + 9) == JobState.SUCCEEDED
    assert job.state(t0 + 10_000) == JobState.SUCCEEDED
    assert not JobState.PROCESSING.finished and JobState.SUCCEEDED.finished
    assert job.progress(t0) == 0.0
    assert job.progress(t0 + 5) == pytest.approx(0.5)
    assert job.progress(t0 + 100) == 1.0


def test_failing_job_ends_failed_with_its_error(engine: Engine) -> None:
    job = new_job(engine, fails=True, error="no room found")
    assert job.state(job.started_at) == JobState.PROCESSING
    assert job.state(job.finished_at) == JobState.FAILED
    assert job.error == "no room found"
    ok = new_job(engine, fails=False, error="ignored")
    assert ok.error is None


async def test_reading_state_does_not_change_anything(engine: Engine) -> None:
    job = new_job(engine)
    snapshot = (engine.store.list("job"), engine.store.pending_timers(), engine.now())
    for t in range(0, 20):
        job.state(job.created_at + t)
        engine.jobs.get(job.id).state(engine.now())
        engine.jobs.list("acc")
    assert (engine.store.list("job"), engine.store.pending_timers(), engine.now()) == snapshot
    await engine.advance(5)
    assert engine.jobs.get(job.id) == job  # the plan itself never moves
    assert engine.jobs.get(job.id).state(engine.now()) == JobState.PROCESSING


def timeline(seed: int | None, jitter: float = 0.2) -> tuple[str, float, float]:
    engine = manual_engine(seed=seed)
    job = new_job(engine, Timing(queue=1.0, run=8.0, jitter=jitter))
    return job.id, job.started_at - job.created_at, job.finished_at - job.started_at


def test_jitter_is_seeded_same_seed_same_timeline() -> None:
    assert timeline(11) == timeline(11)
    assert timeline(11) != timeline(12)


def test_jitter_stays_within_its_fraction() -> None:
    for seed in range(20):
        _, queued, ran = timeline(seed, jitter=0.2)
        assert 0.8 <= queued <= 1.2
        assert 6.4 <= ran <= 9.6


def test_not_before_holds_the_start(engine: Engine) -> None:
    job = new_job(engine, not_before=MANUAL_EPOCH + 30)
    assert job.started_at == MANUAL_EPOCH + 30
    assert job.finished_at == MANUAL_EPOCH + 38
    early = new_job(engine, not_before=MANUAL_EPOCH - 30)  # already past: no effect
    assert early.started_at == MANUAL_EPOCH + 1


def test_slow_takes_ten_times_as_long(engine: Engine) -> None:
    job = new_job(engine, slow=True)
    assert job.started_at - job.created_at == pytest.approx(10)
    assert job.finished_at - job.started_at == pytest.approx(80)


def real_jobs(speed: float) -> Jobs:
    store = Store()
    return Jobs(store, RealClock(speed), IdFactory(store, seed=1))


def test_speed_scales_the_timeline_on_a_real_clock() -> None:
    before = time.time()
    job = real_jobs(10).create(vendor="v", account_id="a", operation="o", timing=FIXED)
    assert before <= job.created_at <= time.time()
    assert job.started_at - job.created_at == pytest.approx(0.1)
    assert job.finished_at - job.started_at == pytest.approx(0.8)


def test_speed_zero_finishes_at_once_on_a_real_clock() -> None:
    job = real_jobs(0).create(vendor="v", account_id="a", operation="o", timing=FIXED)
    assert job.created_at == job.started_at == job.finished_at
    assert job.state(job.created_at) == JobState.SUCCEEDED


def test_manual_clock_durations_are_nominal() -> None:
    store = Store()
    jobs = Jobs(store, ManualClock(start=0.0), IdFactory(store, seed=1))
    job = jobs.create(
        vendor="v", account_id="a", operation="o", timing=Timing(queue=2, run=3, jitter=0)
    )
    assert (job.started_at, job.finished_at) == (2.0, 5.0)


def test_concurrency_holds_jobs_queued_until_a_slot_frees(engine: Engine) -> None:
    jobs, clock = engine.jobs, engine.clock
    timing = Timing(queue=0, run=10, jitter=0)
    first = jobs.create(vendor="v", account_id="a", operation="x", timing=timing, concurrency=2)
    second = jobs.create(vendor="v", account_id="a", operation="x", timing=timing, concurrency=2)
    third = jobs.create(vendor="v", account_id="a", operation="x", timing=timing, concurrency=2)
    other = jobs.create(vendor="v", account_id="b", operation="x", timing=timing, concurrency=2)
    now = clock.now()
    assert first.started_at == second.started_at == now
    assert third.started_at == now + 10 and third.finished_at == now + 20
    assert third.state(now + 5).value == "queued"
    assert other.started_at == now  # another account has its own slots
    assert len(jobs.active("v", "a")) == 3
    fourth = jobs.create(vendor="v", account_id="a", operation="x", timing=timing, concurrency=2)
    assert fourth.started_at == now + 10  # second slot frees at 10 too
    fifth = jobs.create(vendor="v", account_id="a", operation="x", timing=timing, concurrency=2)
    assert fifth.started_at == now + 20
