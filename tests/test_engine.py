from __future__ import annotations

import asyncio
from typing import Any

import pytest

from emulator.core.clock import MANUAL_EPOCH
from emulator.core.engine import VENDOR_CALLBACK, Engine, EngineConfig
from emulator.core.jobs import Job, JobState, Timing
from emulator.core.webhooks import RetryPolicy

from .helpers import manual_engine


def fixed(run: float) -> Timing:
    return Timing(queue=0, run=run, jitter=0)


def create(engine: Engine, run: float, account: str = "acc", vendor: str = "v") -> Job:
    return engine.jobs.create(vendor=vendor, account_id=account, operation="o", timing=fixed(run))


def record_finishes(engine: Engine, vendor: str = "v") -> list[tuple[str, float]]:
    seen: list[tuple[str, float]] = []

    async def handler(job: Job) -> None:
        seen.append((job.id, engine.now()))

    engine.on_job_finished(vendor, handler)
    return seen


async def test_advance_runs_timers_in_due_order_at_their_own_time(engine: Engine) -> None:
    seen = record_finishes(engine)
    slow, fast, middle = create(engine, 30), create(engine, 10), create(engine, 20)
    ran = await engine.advance(100)
    assert ran == 3
    # each handler sees the clock at exactly its job's end
    assert seen == [
        (fast.id, MANUAL_EPOCH + 10),
        (middle.id, MANUAL_EPOCH + 20),
        (slow.id, MANUAL_EPOCH + 30),
    ]
    assert engine.now() == MANUAL_EPOCH + 100
    assert engine.store.pending_timers() == 0


async def test_advance_stops_short_of_what_is_not_yet_due(engine: Engine) -> None:
    seen = record_finishes(engine)
    job = create(engine, 10)
    assert await engine.advance(9.5) == 0
    assert seen == [] and job.state(engine.now()) == JobState.PROCESSING
    assert await engine.advance(0.5) == 1  # due exactly at the new time runs
    assert seen == [(job.id, MANUAL_EPOCH + 10)]
    assert await engine.advance(50) == 0  # runs once only


async def test_timers_scheduled_during_a_run_inside_the_window_also_run(engine: Engine) -> None:
    seen: list[tuple[str, float]] = []

    async def chain(job: Job) -> None:
        seen.append((job.operation, engine.now()))
        if job.operation == "o":  # the first job starts a follow-up lasting 15 s, then 50 s
            for run, name in ((15, "inside"), (50, "outside")):
                engine.jobs.create(vendor="v", account_id="a", operation=name, timing=fixed(run))

    engine.on_job_finished("v", chain)
    create(engine, 10)
    assert await engine.advance(30) == 2
    assert seen == [("o", MANUAL_EPOCH + 10), ("inside", MANUAL_EPOCH + 25)]
    assert await engine.advance(30) == 1
    assert seen[-1] == ("outside", MANUAL_EPOCH + 60)


async def test_a_failing_handler_does_not_stop_the_others(engine: Engine) -> None:
    seen = []

    async def handler(job: Job) -> None:
        seen.append(job.id)
        if len(seen) == 1:
            raise RuntimeError("vendor bug")

    engine.on_job_finished("v", handler)
    create(engine, 1), create(engine, 2)
    assert await engine.advance(5) == 2
    assert len(seen) == 2


async def test_jobs_of_a_vendor_without_handler_still_finish(engine: Engine) -> None:
    job = create(engine, 5, vendor="nobody")
    assert await engine.advance(10) == 1
    assert engine.jobs.get(job.id).state(engine.now()) == JobState.SUCCEEDED


async def test_advance_on_a_real_clock_is_refused() -> None:
    engine = Engine(EngineConfig(clock="real"))
    with pytest.raises(RuntimeError):
        await engine.advance(1)


async def test_run_due_with_real_clock_at_speed_zero_runs_everything_at_once() -> None:
    engine = Engine(EngineConfig(clock="real", speed=0, seed=1))
    seen = record_finishes(engine)
    job = create(engine, 60)
    assert job.state(engine.now()) == JobState.SUCCEEDED
    assert await engine.run_due() == 1
    assert [j for j, _ in seen] == [job.id]
    assert await engine.run_due() == 0


async def test_run_due_on_a_manual_clock_leaves_the_clock_alone(engine: Engine) -> None:
    seen = record_finishes(engine)
    create(engine, 0)
    create(engine, 5)
    assert await engine.run_due() == 1
    assert engine.now() == MANUAL_EPOCH and len(seen) == 1


async def test_manual_clock_position_survives_a_restart(tmp_path) -> None:
    path = str(tmp_path / "state.db")
    engine = manual_engine(store=path)
    job = create(engine, 100)
    await engine.advance(40)
    await engine.close()

    engine = manual_engine(store=path)
    seen = record_finishes(engine)
    assert engine.now() == MANUAL_EPOCH + 40
    assert engine.jobs.get(job.id).state(engine.now()) == JobState.PROCESSING
    assert await engine.advance(60) == 1
    assert seen == [(job.id, MANUAL_EPOCH + 100)]
    await engine.close()


async def test_reset_all_rewinds_the_manual_clock_and_repeats_seeded_ids(engine: Engine) -> None:
    first = create(engine, 10)
    await engine.advance(5)
    engine.reset()
    assert engine.now() == MANUAL_EPOCH
    assert engine.jobs.list() == [] and engine.store.pending_timers() == 0
    assert create(engine, 10).id == first.id  # same seed, fresh run: same ids


async def test_reset_one_account_keeps_the_clock_and_other_accounts(engine: Engine) -> None:
    seen = record_finishes(engine)
    gone, kept = create(engine, 10, account="a1"), create(engine, 10, account="a2")
    await engine.advance(5)
    engine.reset("a1")
    assert engine.now() == MANUAL_EPOCH + 5
    assert engine.jobs.get(gone.id) is None and engine.jobs.get(kept.id) is not None
    assert await engine.advance(10) == 1  # the reset account's timer is gone too
    assert seen == [(kept.id, MANUAL_EPOCH + 10)]


async def test_wait_until_on_a_manual_clock_jumps_there_and_finishes_jobs(engine: Engine) -> None:
    seen = record_finishes(engine)
    job = create(engine, 30)
    await engine.wait_until(job.finished_at)
    assert engine.now() == job.finished_at
    assert seen == [(job.id, job.finished_at)]
    await engine.wait_until(job.finished_at - 10)  # never goes back
    assert engine.now() == job.finished_at


# vendor callbacks: a vendor's own timed work, not a job


def record_callbacks(engine: Engine, name: str = "ping", vendor: str = "v") -> list[tuple]:
    seen: list[tuple] = []

    async def handler(payload: dict[str, Any]) -> None:
        seen.append((payload["n"], engine.now()))

    engine.on_timer(vendor, name, handler)
    return seen


async def test_callbacks_run_in_time_order_with_jobs_and_webhook_attempts(
    engine: Engine,
) -> None:
    order: list[tuple[str, float]] = []

    async def on_job(job: Job) -> None:
        order.append(("job", engine.now()))

    async def on_callback(payload: dict[str, Any]) -> None:
        order.append((f"callback {payload['n']}", engine.now()))

    def signer(account_id: str, body: bytes, now: float) -> dict[str, str]:
        order.append(("webhook", now))
        return {}

    engine.on_job_finished("v", on_job)
    engine.on_timer("v", "ping", on_callback)
    engine.outbox.signers["v"] = signer
    policy = RetryPolicy(max_attempts=1)
    for delay in (5, 15):  # to a closed port: each attempt fails at once, no retry
        engine.outbox.enqueue(
            vendor="v", account_id="a", url="http://127.0.0.1:9/", event="e", payload={},
            policy=policy, delay=delay,
        )  # fmt: skip
    create(engine, 10, account="a")
    for n, at in ((3, 20), (2, 12), (1, 3), (4, 10)):  # at 10 after the job: scheduled later
        engine.schedule("v", MANUAL_EPOCH + at, "ping", {"n": n}, "a")
    assert engine.store.pending_timers() == 7 and engine.jobs.list() != []
    assert await engine.advance(30) == 7
    await engine.outbox.close()
    # an attempt runs concurrently (its signer may run after the next timer), stamped with its time
    at = [(what, when - MANUAL_EPOCH) for what, when in sorted(order, key=lambda o: o[1])]
    assert at == [
        ("callback 1", 3),
        ("webhook", 5),
        ("job", 10),
        ("callback 4", 10),
        ("callback 2", 12),
        ("webhook", 15),
        ("callback 3", 20),
    ]
    assert len(engine.jobs.list()) == 1  # callbacks are no jobs


async def test_a_callback_runs_once_with_its_payload_then_is_gone(engine: Engine) -> None:
    seen = record_callbacks(engine)
    callback = engine.schedule("v", engine.now(), "ping", {"n": 1}, "acc")
    assert engine.store.get("engine.callback", callback.id) is not None
    assert seen == []  # nothing runs before the clock does
    assert await engine.advance(0) == 1  # due now: the next advance runs it
    assert seen == [(1, MANUAL_EPOCH)]
    assert await engine.advance(100) == 0 and await engine.run_due() == 0
    assert seen == [(1, MANUAL_EPOCH)]
    assert engine.store.get("engine.callback", callback.id) is None
    assert engine.store.pending_timers() == 0


async def test_a_failing_or_unknown_callback_is_dropped_and_the_others_run(
    engine: Engine,
) -> None:
    calls: list[int] = []

    async def flaky(payload: dict[str, Any]) -> None:
        calls.append(payload["n"])
        raise RuntimeError("vendor bug")

    engine.on_timer("v", "flaky", flaky)
    seen = record_callbacks(engine)
    engine.schedule("v", MANUAL_EPOCH + 1, "flaky", {"n": 1}, "acc")
    engine.schedule("v", MANUAL_EPOCH + 2, "nobody", {"n": 2}, "acc")
    engine.schedule("v", MANUAL_EPOCH + 3, "ping", {"n": 3}, "acc")
    assert await engine.advance(5) == 3
    assert calls == [1] and seen == [(3, MANUAL_EPOCH + 3)]
    assert engine.store.list("engine.callback") == [] and await engine.advance(5) == 0
    assert calls == [1]  # never retried


async def test_reset_of_an_account_removes_its_callbacks(engine: Engine) -> None:
    seen = record_callbacks(engine)
    gone = engine.schedule("v", MANUAL_EPOCH + 5, "ping", {"n": 1}, "a1")
    engine.schedule("v", MANUAL_EPOCH + 5, "ping", {"n": 2}, "a2")
    engine.reset("a1")
    assert engine.store.get("engine.callback", gone.id) is None
    assert await engine.advance(10) == 1
    assert seen == [(2, MANUAL_EPOCH + 5)]
    engine.schedule("v", MANUAL_EPOCH + 20, "ping", {"n": 3}, "a2")
    engine.reset()
    assert engine.store.pending_timers() == 0 and engine.store.list("engine.callback") == []


async def test_a_callback_survives_a_restart(tmp_path) -> None:
    path = str(tmp_path / "state.db")
    engine = manual_engine(store=path)
    engine.schedule("v", MANUAL_EPOCH + 30, "ping", {"n": 1}, "acc")
    await engine.advance(10)
    await engine.close()

    engine = manual_engine(store=path)
    seen = record_callbacks(engine)
    assert await engine.advance(30) == 1
    assert seen == [(1, MANUAL_EPOCH + 30)]
    await engine.close()


async def test_a_real_clock_runs_a_callback_due_now_at_once() -> None:
    engine = Engine(EngineConfig(clock="real", seed=1))
    ran = asyncio.Event()

    async def handler(payload: dict[str, Any]) -> None:
        ran.set()

    engine.on_timer("v", "ping", handler)
    runner = asyncio.ensure_future(engine.run_forever(idle=30))
    await asyncio.sleep(0)  # the runner is idle, waiting up to 30 s for a wake-up
    engine.schedule("v", engine.now(), "ping", {}, "acc")
    try:
        await asyncio.wait_for(ran.wait(), timeout=5)
    finally:
        runner.cancel()
        await engine.close()


async def test_the_callback_timer_kind_is_neutral(engine: Engine) -> None:
    callback = engine.schedule("v", MANUAL_EPOCH + 1, "ping", {"n": 1}, "acc")
    timer = engine.store.next_timer(MANUAL_EPOCH + 1)
    assert timer is not None and (timer.kind, timer.target) == (VENDOR_CALLBACK, callback.id)
