"""Webhook outbox: sign, deliver, retry with exponential backoff, and keep a delivery log.

A delivery is planned as a timer, so on a manual clock it goes out when the clock is advanced past
it, and its retries land at their backoff times on the same clock. Each vendor decides the payload,
the headers (its signature scheme) and which answers count as delivered.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any, Literal

import httpx
from pydantic import BaseModel, Field

from .clock import Clock
from .ids import IdFactory
from .store import Collection, Store

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
    headers: dict[str, str] = Field(default_factory=dict)  # the signature sent with this attempt
    status: int | None = None
    error: str | None = None
    duration_ms: float = 0.0


class Delivery(BaseModel):
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

    def payload(self) -> Any:
        return json.loads(self.body)


class Outbox:
    def __init__(self, store: Store, clock: Clock, ids: IdFactory, timeout: float = 5.0) -> None:
        self._items = Collection(store, "delivery", Delivery)
        self.store, self.clock, self.ids, self.timeout = store, clock, ids, timeout
        self._client: httpx.AsyncClient | None = None
        self._client_loop: asyncio.AbstractEventLoop | None = None
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

    async def attempt(self, delivery_id: str) -> None:
        delivery = self.get(delivery_id)
        if delivery is None or delivery.state != "pending":
            return
        attempt = Attempt(at=self.clock.now())
        signer = self.signers.get(delivery.vendor)
        if signer is not None:
            attempt.headers = signer(delivery.account_id, delivery.body.encode(), attempt.at)
        started = time.perf_counter()
        try:
            response = await self._http().post(
                delivery.url,
                content=delivery.body.encode(),
                headers=delivery.headers | attempt.headers,
            )
            attempt.status = response.status_code
        except httpx.HTTPError as exc:
            attempt.error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        attempt.duration_ms = round((time.perf_counter() - started) * 1000, 2)
        delivery.attempts.append(attempt)
        if attempt.status is not None and delivery.policy.delivered(attempt.status):
            delivery.state, delivery.next_attempt_at = "delivered", None
        elif len(delivery.attempts) >= delivery.policy.max_attempts:
            delivery.state, delivery.next_attempt_at = "failed", None
        else:
            wait = self.clock.scale(delivery.policy.delay(len(delivery.attempts)))
            delivery.next_attempt_at = self.clock.now() + wait
            self.store.add_timer(
                delivery.next_attempt_at, WEBHOOK_ATTEMPT, delivery.id, delivery.account_id
            )
        self._items.save(delivery, delivery.account_id)

    def _http(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        if self._client is None or self._client_loop is not loop:
            # trust_env=False: a CI runner's HTTP_PROXY must not swallow posts to local receivers
            self._client = httpx.AsyncClient(
                timeout=self.timeout, follow_redirects=False, trust_env=False
            )
            self._client_loop = loop
        return self._client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
