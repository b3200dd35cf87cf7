"""Jobs whose whole timeline is fixed when they are created.

A job is queued, then processing, then succeeded or failed; the times of each step and the outcome
are decided at creation from the timing, a seeded jitter and the fault rules. Reading a job's state
is a pure function of the clock, so polling never changes an outcome, and a store shared by several
processes would agree on it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from .clock import Clock
from .ids import IdFactory
from .store import Collection, Store

JOB_FINISHED = "job.finished"


class JobState(StrEnum):
    QUEUED = "queued"
    PROCESSING = "processing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        return self in (JobState.SUCCEEDED, JobState.FAILED)


class Timing(BaseModel):
    """Nominal durations in seconds, before the clock's speed factor."""

    queue: float = 1.0
    run: float = 8.0
    jitter: float = Field(0.2, ge=0, le=1, description="+/- this fraction, seeded per job")


class JobRecord(BaseModel):
    """A job as stored: when it starts and ends, and how (see `Job` for its state at a time)."""

    id: str
    vendor: str
    account_id: str
    operation: str
    group: str | None = None
    created_at: float
    started_at: float
    finished_at: float
    fails: bool = False
    error: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    outputs: list[str] = Field(default_factory=list)


class Job(JobRecord):
    def state(self, now: float) -> JobState:
        if now < self.started_at:
            return JobState.QUEUED
        if now < self.finished_at:
            return JobState.PROCESSING
        return JobState.FAILED if self.fails else JobState.SUCCEEDED

    def progress(self, now: float) -> float:
        """0..1 through the processing step."""
        if now <= self.started_at:
            return 0.0
        span = self.finished_at - self.started_at
        return 1.0 if span <= 0 else min(1.0, (now - self.started_at) / span)


class Jobs:
    def __init__(self, store: Store, clock: Clock, ids: IdFactory) -> None:
        self._items = Collection(store, "job", Job)
        self.store, self.clock, self.ids = store, clock, ids

    def create(
        self,
        *,
        vendor: str,
        account_id: str,
        operation: str,
        timing: Timing,
        id: str | None = None,
        group: str | None = None,
        params: dict[str, Any] | None = None,
        outputs: list[str] | None = None,
        fails: bool = False,
        error: str | None = None,
        slow: bool = False,
        not_before: float | None = None,
        concurrency: int | None = None,
    ) -> Job:
        """Plan a job. `not_before` holds its start until then (a job that builds on another).
        `concurrency` caps how many of the account's jobs of this vendor process at once: the job
        stays queued until a slot frees (every earlier job's timeline is already fixed, so the
        moment is known now and never moves)."""
        job_id = id or self.ids.uuid()
        rng = self.ids.rng("job", job_id)
        now = self.clock.now()

        def jittered(seconds: float) -> float:
            factor = 1 + rng.uniform(-timing.jitter, timing.jitter)
            return self.clock.scale(seconds * factor * (10 if slow else 1))

        started = max(now + jittered(timing.queue), not_before or now)
        run = jittered(timing.run)
        if concurrency is not None:
            started = self.free_slot(vendor, account_id, concurrency, started, run)
        job = Job(
            id=job_id,
            vendor=vendor,
            account_id=account_id,
            operation=operation,
            group=group,
            created_at=now,
            started_at=started,
            finished_at=started + run,
            fails=fails,
            error=error if fails else None,
            params=params or {},
            outputs=outputs or [],
        )
        self._items.save(job, account_id, ref=group)
        self.store.add_timer(job.finished_at, JOB_FINISHED, job.id, account_id)
        return job

    def get(self, id: str) -> Job | None:
        return self._items.get(id)

    def active(self, vendor: str, account_id: str, now: float | None = None) -> list[Job]:
        """The account's jobs of this vendor that have not finished (queued or processing)."""
        now = self.clock.now() if now is None else now
        return [
            j for j in self._items.list(account_id) if j.vendor == vendor and j.finished_at > now
        ]

    def free_slot(
        self, vendor: str, account_id: str, limit: int, earliest: float, duration: float
    ) -> float:
        """The first moment from `earliest` at which a job lasting `duration` can process with
        fewer than `limit` of the account's other jobs processing at any point of its run."""
        if limit < 1:
            raise ValueError("a concurrency limit is at least 1")
        spans = [(j.started_at, j.finished_at) for j in self.active(vendor, account_id)]
        for start in sorted({earliest, *(end for _, end in spans if end > earliest)}):
            end = start + duration
            # the most jobs running at once during [start, end): counted where each one begins
            points = [start, *(s for s, _ in spans if start < s < end)]
            if all(sum(s <= p < e for s, e in spans) < limit for p in points):
                return start
        return earliest  # unreachable: after the last end nothing runs

    def save(self, job: Job) -> Job:
        return self._items.save(job, job.account_id, ref=job.group)

    def list(
        self,
        account_id: str | None = None,
        group: str | None = None,
        newest_first: bool = False,
        limit: int | None = None,
    ) -> list[Job]:
        return self._items.list(account_id, group, newest_first, limit)
