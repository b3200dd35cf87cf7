"""The engine: one object that owns the store, the clock and every service built on them.

It runs what falls due: job completions (handed to the vendor that owns the job), webhook
attempts and vendor callbacks (`schedule`: a vendor's own timed work that is no job), in time
order. A real clock runs them from a background task; a manual clock runs them inside `advance`,
stepping the clock to each one's due time, so a test sees every transition and webhook before its
advance call returns. Webhook attempts run concurrently (see `Outbox`): the runner starts them and
moves on; a manual clock waits for one before stepping past the time its retry could fall due, and
`advance` returns once every attempt it started has ended.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

from .accounts import Accounts
from .clock import MANUAL_EPOCH, Clock, ManualClock, RealClock
from .faults import Faults
from .ids import IdFactory
from .jobs import JOB_FINISHED, Job, Jobs
from .media import MediaLibrary
from .store import Collection, Dump, Store, Timer
from .webhooks import WEBHOOK_ATTEMPT, Outbox

log = logging.getLogger("staging_emulator")

JobHandler = Callable[[Job], Awaitable[None]]
CallbackHandler = Callable[[dict[str, Any]], Awaitable[None]]
VENDOR_CALLBACK = "vendor.callback"  # a timer whose target is a `Callback` document
CLOCK_KEY = "clock:manual"  # where a manual clock stands, in the store's meta


class Callback(BaseModel):
    """A vendor's timed callback, as stored until it runs (see `Engine.schedule`)."""

    id: str
    vendor: str
    name: str
    account_id: str | None = None
    due: float
    payload: dict[str, Any] = Field(default_factory=dict)


@dataclass
class EngineConfig:
    clock: str = "real"
    speed: float = 1.0
    seed: int | None = None
    store: str = ":memory:"
    public_url: str = "http://127.0.0.1:8080"
    default_credits: int = 10_000
    webhook_concurrency: int = 64  # attempts in flight in all
    webhook_per_target: int = 4  # attempts in flight to one host and port
    webhook_timeout: float = 5.0
    allow_private_urls: bool = False  # image URLs on private hosts accepted (see core/urls.py)
    vendor_options: dict[str, dict[str, object]] = field(default_factory=dict)


class Engine:
    def __init__(self, config: EngineConfig) -> None:
        self.config = config
        self.store = Store(config.store)
        self.clock: Clock = self._make_clock(config)
        self.store.now = self.clock.now
        self.ids = IdFactory(self.store, config.seed)
        self.accounts = Accounts(self.store, self.clock, config.default_credits)
        self.jobs = Jobs(self.store, self.clock, self.ids)
        self.media = MediaLibrary(self.store, self.clock, self.ids, config.public_url)
        self.outbox = Outbox(
            self.store,
            self.clock,
            self.ids,
            config.webhook_timeout,
            max_in_flight=config.webhook_concurrency,
            per_target=config.webhook_per_target,
        )
        self.faults = Faults(self.store, self.ids)
        self._job_handlers: dict[str, JobHandler] = {}
        self._callbacks = Collection(self.store, "engine.callback", Callback)
        self._callback_handlers: dict[tuple[str, str], CallbackHandler] = {}
        self._run_lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._background: set[asyncio.Future[object]] = set()

    def _make_clock(self, config: EngineConfig) -> Clock:
        if config.clock == "manual":
            return ManualClock(self._manual_start())
        return RealClock(config.speed)

    def _manual_start(self) -> float:
        """Where a manual clock stood in the store, but never before anything the store has seen
        (a store kept from a real clock starts its manual clock where the real one left it)."""
        saved = float(self.store.get_meta(CLOCK_KEY) or MANUAL_EPOCH)
        return max(saved, self.store.latest_time() or MANUAL_EPOCH)

    def on_job_finished(self, vendor: str, handler: JobHandler) -> None:
        self._job_handlers[vendor] = handler

    def on_timer(self, vendor: str, name: str, handler: CallbackHandler) -> None:
        """Run `handler(payload)` for each of `vendor`'s callbacks called `name` (see `schedule`)."""
        self._callback_handlers[(vendor, name)] = handler

    def schedule(
        self,
        vendor: str,
        when: float,
        name: str,
        payload: dict[str, Any] | None = None,
        account_id: str | None = None,
    ) -> Callback:
        """Run `vendor`'s `name` handler with `payload` (JSON) once, at `when`, in time order with
        jobs and webhook attempts: a manual clock at the advance that reaches it, a real clock from
        the background runner. It lives in the store (a restart keeps it) and an account's reset
        removes it."""
        callback = Callback(
            id=self.ids.uuid(),
            vendor=vendor,
            name=name,
            account_id=account_id,
            due=when,
            payload=payload or {},
        )
        with self.store.transaction():
            self._callbacks.save(callback, account_id)
            self.store.add_timer(when, VENDOR_CALLBACK, callback.id, account_id)
        self.wake()
        return callback

    def now(self) -> float:
        return self.clock.now()

    # running what falls due

    async def run_due(self) -> int:
        """Run every timer due by now; returns how many ran."""
        async with self._run_lock:
            return await self._run_until(self.clock.now(), step_clock=False)

    async def advance(self, seconds: float) -> int:
        """Move a manual clock forward, running each timer at its own time on the way."""
        if not isinstance(self.clock, ManualClock):
            raise RuntimeError("only a manual clock can be advanced")
        async with self._run_lock:
            target = self.clock.now() + seconds
            ran = await self._run_until(target, step_clock=True)
            await self.outbox.settle()  # every attempt that fell due has ended
            self.clock.set(target)
            self.store.set_meta(CLOCK_KEY, repr(target))
            return ran

    async def wait_until(self, when: float, max_real_wait: float = 600.0) -> None:
        """Let time pass until `when`, for vendor calls that block until a job is done.

        A manual clock jumps there at once, running the job transitions due on the way; webhooks
        due on the way go out right after (in the background, holding the run lock, so a
        single-threaded client that receives its own webhooks never deadlocks, and a following
        `advance(0)` waits for them). A real clock sleeps, at most `max_real_wait` seconds.
        """
        if isinstance(self.clock, ManualClock):
            async with self._run_lock:
                if when > self.clock.now():
                    await self._run_until(when, step_clock=True, skip_kind=WEBHOOK_ATTEMPT)
                    self.clock.set(when)
                    self.store.set_meta(CLOCK_KEY, repr(when))
            self._in_background(self.run_due())
            return
        deadline = min(when, self.clock.now() + max_real_wait)
        while (left := deadline - self.clock.now()) > 0:
            await asyncio.sleep(min(left, 0.05))
        await self.run_due()

    def _in_background(self, work: Awaitable[object]) -> None:
        task = asyncio.ensure_future(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _run_until(self, until: float, step_clock: bool, skip_kind: str | None = None) -> int:
        manual = isinstance(self.clock, ManualClock)
        ran = 0
        while True:
            timer = self.store.next_timer(until, skip_kind)
            # a manual clock never steps past the time an attempt in flight may plan its retry for
            if manual and await self.outbox.settle(timer.due if timer else until):
                continue  # a retry may now fall due before `timer`
            if timer is None:
                return ran
            if step_clock and manual:
                self.clock.set(max(self.clock.now(), timer.due))
            self.store.remove_timer(timer.seq)
            await self._dispatch(timer)
            ran += 1

    async def _dispatch(self, timer: Timer) -> None:
        try:
            if timer.kind == JOB_FINISHED:
                job = self.jobs.get(timer.target)
                handler = self._job_handlers.get(job.vendor) if job else None
                if job is not None and handler is not None:
                    await handler(job)
            elif timer.kind == WEBHOOK_ATTEMPT:
                self.outbox.start(timer.target)  # runs on, concurrently with the others
            elif timer.kind == VENDOR_CALLBACK:
                await self._run_callback(timer.target)
        except Exception:  # one bad timer must not stop the others
            log.exception("timer %s for %s failed", timer.kind, timer.target)

    async def _run_callback(self, callback_id: str) -> None:
        callback = self._callbacks.get(callback_id)
        if callback is None:  # its account was reset meanwhile
            return
        self._callbacks.delete(callback.id)  # once only, even when the handler fails
        handler = self._callback_handlers.get((callback.vendor, callback.name))
        if handler is None:
            log.warning("no handler for %s callback %s", callback.vendor, callback.name)
            return
        await handler(callback.payload)

    def wake(self) -> None:
        """Tell the background runner that something new may fall due soon."""
        self._wake.set()

    async def run_forever(self, idle: float = 0.5) -> None:
        """The real clock's runner: sleep until the next timer (or a wake-up), run what is due."""
        while True:
            await self.run_due()
            next_due = self.store.next_due()
            wait = idle if next_due is None else max(0.0, min(idle, next_due - self.clock.now()))
            self._wake.clear()
            if wait > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=wait)

    def reset(self, account_id: str | None = None) -> None:
        self.store.reset(account_id)
        if account_id is None and isinstance(self.clock, ManualClock):
            self.clock.rewind()

    def load(self, dump: Dump) -> None:
        """Replace all state with `dump` (see `Store.load`); a manual clock goes back (or on) to
        where it stood in it, and what falls due runs at its time."""
        self.store.load(dump)
        if isinstance(self.clock, ManualClock):
            self.clock.rewind(self._manual_start())
        self.wake()

    async def close(self) -> None:
        await self.outbox.close()
        self.store.close()
