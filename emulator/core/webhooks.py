"""Webhook outbox: sign, deliver, retry with exponential backoff, and keep a delivery log.

A delivery is planned as a timer, so on a manual clock it goes out when the clock is advanced past
it, and its retries land at their backoff times on the same clock. Each vendor decides the payload,
the headers (its signature scheme) and which answers count as delivered.

Attempts run concurrently, at most `max_in_flight` in all and `per_target` to one target (host and
port), each bounded by `timeout` seconds in total: a slow or dead receiver delays only its own
deliveries. A retry is planned from the attempt's own time, so where it lands does not depend on
how long the receiver took to answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import time
from collections.abc import AsyncIterator, Callable
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, Field

from .clock import Clock
from .ids import IdFactory
from .store import Collection, Store

log = logging.getLogger("staging_emulator")

WEBHOOK_ATTEMPT = "webhook.attempt"

# (account id, raw body, send time) -> signature headers; run at every attempt, so a timestamped
# signature is fresh on each retry and a secret changed meanwhile applies.
Signer = Callable[[str, bytes, float], dict[str, str]]


class RetryPolicy(BaseModel):
    max_attempts: int = Field(5, ge=1, description="first try included")
    first_delay: float = Field(10.0, ge=0, description="seconds before the first retry")
    factor: float = Field(2.0, ge=1)
    only_200: bool = False  # some vendors retry anything but a 200, not just non-2xx

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        return self.first_delay * self.factor ** (attempt - 1)

    def delivered(self, status: int) -> bool:
        return status == 200 if self.only_200 else 200 <= status < 300


class Attempt(BaseModel):
    at: float
    headers: dict[str, str] = Field(default_factory=dict, description="signature headers sent")
    status: int | None = None
    error: str | None = None
    duration_ms: float = 0.0


class DeliveryRecord(BaseModel):
    """A webhook delivery as stored: what goes where, and every attempt so far."""

    id: str
    vendor: str
    account_id: str
    event: str
    url: str
    body: str
    headers: dict[str, str]
    created_at: float
    policy: RetryPolicy
    state: Literal["pending", "delivered", "failed"] = "pending"
    attempts: list[Attempt] = Field(default_factory=list)
    next_attempt_at: float | None = None


class Delivery(DeliveryRecord):
    def payload(self) -> Any:
        return json.loads(self.body)


class DeliveryPending(Exception):
    """A pending delivery cannot be resent: its next attempt is already planned."""


def target_of(url: str) -> str:
    """Where a delivery goes, as far as concurrency is concerned: host and port."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return url
    return f"{(parts.hostname or '').lower()}:{port}"


class Outbox:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        ids: IdFactory,
        timeout: float = 5.0,
        max_in_flight: int = 64,
        per_target: int = 4,
    ) -> None:
        self._items = Collection(store, "delivery", Delivery)
        self.store, self.clock, self.ids, self.timeout = store, clock, ids, timeout
        self.max_in_flight, self.per_target = max_in_flight, per_target
        self._client: httpx.AsyncClient | None = None
        self._client_loop: asyncio.AbstractEventLoop | None = None
        self._slots: asyncio.Semaphore | None = None
        self._targets: dict[str, tuple[asyncio.Semaphore, list[int]]] = {}
        # attempt task -> the earliest time a retry it plans could fall due
        self._in_flight: dict[asyncio.Task[None], float] = {}
        self.signers: dict[str, Signer] = {}  # by vendor

    def enqueue(
        self,
        *,
        vendor: str,
        account_id: str,
        url: str,
        event: str,
        payload: Any,
        policy: RetryPolicy,
        delay: float = 0.0,
    ) -> Delivery:
        body = json.dumps(payload, separators=(",", ":"))
        now = self.clock.now()
        headers = {"Content-Type": "application/json", "User-Agent": "staging-emulator-webhooks"}
        delivery = Delivery(
            id=self.ids.uuid(),
            vendor=vendor,
            account_id=account_id,
            event=event,
            url=url,
            body=body,
            headers=headers,
            created_at=now,
            policy=policy,
            next_attempt_at=now + delay,
        )
        self._items.save(delivery, account_id)
        self.store.add_timer(now + delay, WEBHOOK_ATTEMPT, delivery.id, account_id)
        return delivery

    def get(self, id: str) -> Delivery | None:
        return self._items.get(id)

    def list(self, account_id: str | None = None) -> list[Delivery]:
        return self._items.list(account_id)

    def start(self, delivery_id: str) -> None:
        """Start the attempt that fell due now, without waiting for it (see `settle`)."""
        delivery = self.get(delivery_id)
        if delivery is None or delivery.state != "pending":
            return
        at = self.clock.now()
        tries = len(delivery.attempts) + 1
        retry_at = (
            at + self.clock.scale(delivery.policy.delay(tries))
            if tries < delivery.policy.max_attempts
            else math.inf
        )
        task = asyncio.ensure_future(self._attempt_in_slot(delivery_id, at))
        self._in_flight[task] = retry_at
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._in_flight.pop(task, None)
        if not task.cancelled() and task.exception() is not None:
            log.error("webhook attempt failed", exc_info=task.exception())

    async def settle(self, until: float | None = None) -> bool:
        """Wait for the attempts in flight whose retry could fall due by `until` (all of them when
        None); True when there were any. A manual clock calls this before stepping past a time,
        so every retry lands on the timeline where it belongs."""
        waited = False
        while tasks := [t for t, due in self._in_flight.items() if until is None or due <= until]:
            await asyncio.wait(tasks)
            waited = True
        return waited

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    async def _attempt_in_slot(self, delivery_id: str, at: float) -> None:
        delivery = self.get(delivery_id)
        if delivery is None:
            return
        try:
            async with self._slot(target_of(delivery.url)):
                # a real clock signs and records the moment the request leaves; a manual one the
                # moment it fell due, so a run repeats
                await self.attempt(delivery_id, at if self.clock.mode == "manual" else None)
        except asyncio.CancelledError:  # shutting down: the attempt is due again after a restart
            self.store.add_timer(at, WEBHOOK_ATTEMPT, delivery_id, delivery.account_id)
            raise

    @contextlib.asynccontextmanager
    async def _slot(self, target: str) -> AsyncIterator[None]:
        """One of `per_target` places for this target, then one of `max_in_flight` in all (in this
        order, so deliveries queued behind a slow target hold no place of others')."""
        self._loop_state()
        gate = self._targets.get(target)
        if gate is None:
            gate = self._targets[target] = (asyncio.Semaphore(self.per_target), [0])
        semaphore, users = gate
        users[0] += 1
        try:
            assert self._slots is not None
            async with semaphore, self._slots:
                yield
        finally:
            users[0] -= 1
            if users[0] == 0 and self._targets.get(target) is gate:
                del self._targets[target]

    async def attempt(self, delivery_id: str, at: float | None = None) -> None:
        """One attempt now (recorded at `at`, default now); plans the retry if it fails."""
        delivery = self.get(delivery_id)
        if delivery is None or delivery.state != "pending":
            return
        self._record(delivery_id, await self._send(delivery, at), retry=True)

    async def resend(self, delivery_id: str) -> Delivery | None:
        """Send a delivery that is no longer pending once more, now: same payload, signed anew,
        the attempt logged with the others. It plans no retry: the delivery ends delivered or
        failed by this attempt. None when there is no such delivery."""
        delivery = self.get(delivery_id)
        if delivery is None:
            return None
        if delivery.state == "pending":
            raise DeliveryPending(delivery_id)
        async with self._slot(target_of(delivery.url)):
            attempt = await self._send(delivery, None)
        return self._record(delivery_id, attempt, retry=False)

    async def _send(self, delivery: Delivery, at: float | None) -> Attempt:
        """POST the delivery once, signed for the attempt's time; what came of it."""
        attempt = Attempt(at=self.clock.now() if at is None else at)
        signer = self.signers.get(delivery.vendor)
        if signer is not None:
            attempt.headers = signer(delivery.account_id, delivery.body.encode(), attempt.at)
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.timeout):  # in total, however the receiver trickles
                response = await self._http().post(
                    delivery.url,
                    content=delivery.body.encode(),
                    headers=delivery.headers | attempt.headers,
                )
            attempt.status = response.status_code
        except httpx.HTTPError as exc:
            attempt.error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        except TimeoutError:
            attempt.error = f"Timeout: no answer within {self.timeout:g} s"
        attempt.duration_ms = round((time.perf_counter() - started) * 1000, 2)
        return attempt

    def _record(self, delivery_id: str, attempt: Attempt, retry: bool) -> Delivery | None:
        """Add the attempt to the delivery as stored now (gone after a reset: nothing to do);
        with `retry`, a failed attempt within the policy plans the next one."""
        with self.store.transaction():
            delivery = self.get(delivery_id)
            if delivery is None:
                return None
            delivery.attempts.append(attempt)
            if attempt.status is not None and delivery.policy.delivered(attempt.status):
                delivery.state, delivery.next_attempt_at = "delivered", None
            elif not retry or len(delivery.attempts) >= delivery.policy.max_attempts:
                delivery.state, delivery.next_attempt_at = "failed", None
            else:
                wait = self.clock.scale(delivery.policy.delay(len(delivery.attempts)))
                delivery.next_attempt_at = attempt.at + wait
                self.store.add_timer(
                    delivery.next_attempt_at, WEBHOOK_ATTEMPT, delivery.id, delivery.account_id
                )
            return self._items.save(delivery, delivery.account_id)

    def _loop_state(self) -> None:
        """Semaphores and the HTTP client belong to one event loop: new ones for a new loop."""
        loop = asyncio.get_running_loop()
        if self._client_loop is not loop:
            self._client = None
            self._slots = asyncio.Semaphore(self.max_in_flight)
            self._targets = {}
            self._client_loop = loop

    def _http(self) -> httpx.AsyncClient:
        self._loop_state()
        if self._client is None:
            # trust_env=False: a CI runner's HTTP_PROXY must not swallow posts to local receivers
            self._client = httpx.AsyncClient(
                timeout=self.timeout,
                follow_redirects=False,
                trust_env=False,
                limits=httpx.Limits(max_connections=self.max_in_flight),
            )
        return self._client

    async def close(self) -> None:
        """Stop the attempts in flight (they stay pending) and close the client."""
        for task in list(self._in_flight):
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*self._in_flight, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
            self._client = None
