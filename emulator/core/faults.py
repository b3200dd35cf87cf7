"""Failures on purpose: magic inputs (like Stripe's test card numbers) and fault rules.

Magic inputs are words inside an input a client already sends, so every error path can be reached
from an unmodified client:

- API keys containing `invalid` are refused (401); `blocked` belong to a blocked account (403);
  `no-credits` / `no_credits` start with 0 credits, `low-credits` / `low_credits` with 2.
- Image URLs (or any text a vendor scans) containing `emulator-fail` make the job fail;
  `emulator-unavailable` make the request itself fail with the vendor's 503 / queueing error;
  `emulator-slow` make the job take ten times as long.

Fault rules, set through the control API, reach any operation of any vendor (by handler name, or
`*`) without touching the client: answer with an error or a 429 and `Retry-After`, add latency,
drop the connection, or accept the request and fail its job; for the first N calls, or with a
seeded probability.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from .ids import IdFactory
from .store import Collection, Store

MAGIC_FAIL = "emulator-fail"
MAGIC_UNAVAILABLE = "emulator-unavailable"
MAGIC_SLOW = "emulator-slow"


@dataclass(frozen=True)
class MagicKey:
    invalid: bool = False
    blocked: bool = False
    credits: int | None = None


def magic_key(api_key: str) -> MagicKey:
    key = api_key.lower()
    credits = None
    if "no-credits" in key or "no_credits" in key:
        credits = 0
    elif "low-credits" in key or "low_credits" in key:
        credits = 2
    return MagicKey(invalid="invalid" in key, blocked="blocked" in key, credits=credits)


@dataclass(frozen=True)
class MagicInput:
    fail: bool = False
    unavailable: bool = False
    slow: bool = False


def magic_input(*texts: str | None) -> MagicInput:
    joined = " ".join(t.lower() for t in texts if t)
    return MagicInput(
        fail=MAGIC_FAIL in joined,
        unavailable=MAGIC_UNAVAILABLE in joined,
        slow=MAGIC_SLOW in joined,
    )


FaultAction = Literal["error", "rate_limit", "latency", "drop", "fail_job"]
# Actions a rule takes on the request itself, before its handler runs; `fail_job` instead accepts
# the request and fails the job it creates.
REQUEST_ACTIONS: tuple[FaultAction, ...] = ("error", "rate_limit", "latency", "drop")


class FaultRule(BaseModel):
    """Make a vendor operation misbehave: answer with an error or a 429, answer late, drop the
    connection, or accept the request and fail its job."""

    id: str = ""
    vendor: str
    operation: str = Field("*", description="the vendor handler name, or * for any")
    action: FaultAction = "error"
    status: int = Field(503, ge=400, le=599, description="error: the status (rate_limit: 429)")
    message: str | None = None
    retry_after: int | None = Field(
        None, ge=0, le=86_400, description="Retry-After seconds (rate_limit: 1 unless given)"
    )
    delay: float = Field(0.0, ge=0, le=60, description="latency: real seconds added")
    probability: float = Field(1.0, ge=0, le=1, description="chance that a matching call fires")
    seed: int = Field(0, description="the probability's draws repeat for the same seed")
    times: int | None = Field(None, ge=1, description="how many firings; unlimited when null")
    matched: int = Field(0, description="how many times it fired")
    seen: int = Field(0, description="how many matching calls it has been asked about")

    @model_validator(mode="after")
    def _action_defaults(self) -> FaultRule:
        if self.action == "rate_limit":
            if "status" not in self.model_fields_set:
                self.status = 429
            if self.retry_after is None:
                self.retry_after = 1
        if self.action == "latency" and self.delay <= 0:
            raise ValueError("delay: a latency rule needs a delay in seconds above 0")
        return self

    def draw(self) -> bool:
        """Whether this call fires: the `seen`-th draw of a generator seeded with `seed`, so the
        same sequence of calls fires the same way run after run."""
        if self.probability >= 1:
            return True
        return random.Random(f"{self.seed}:{self.seen}").random() < self.probability


@dataclass
class RequestFaults:
    """What the rules do to one request: a delay first, then at most one answer (or a drop)."""

    delay: float = 0.0
    rule: FaultRule | None = None


class Faults:
    def __init__(self, store: Store, ids: IdFactory) -> None:
        self._rules = Collection(store, "fault", FaultRule)
        self.ids = ids

    def add(self, rule: FaultRule) -> FaultRule:
        """Store a rule under a fresh id, its counts starting at zero."""
        rule = rule.model_copy(update={"id": self.ids.uuid(), "matched": 0, "seen": 0})
        return self._rules.save(rule, None)

    def list(self) -> list[FaultRule]:
        return self._rules.list()

    def remove(self, id: str) -> bool:
        return self._rules.delete(id)

    def clear(self) -> None:
        for rule in self._rules.list():
            self._rules.delete(rule.id)

    def take(
        self, vendor: str, operation: str | tuple[str, ...], action: FaultAction
    ) -> FaultRule | None:
        """The first rule of `action` that matches and fires, counted as used (and dropped once
        used up). `operation` may name several handlers (a request and the operation within)."""
        names = (operation,) if isinstance(operation, str) else operation
        if not self._any_matching(vendor, names, (action,)):
            return None
        with self._rules.store.transaction():
            for rule in self._matching(vendor, names, (action,)):
                if self._fire(rule):
                    return rule
        return None

    def for_request(self, vendor: str, operation: str) -> RequestFaults:
        """Apply every request-level rule of this operation in order: latency rules add up, the
        first error, rate limit or drop that fires answers the request."""
        out = RequestFaults()
        if not self._any_matching(vendor, (operation,), REQUEST_ACTIONS):
            return out
        with self._rules.store.transaction():
            for rule in self._matching(vendor, (operation,), REQUEST_ACTIONS):
                if not self._fire(rule):
                    continue
                if rule.action == "latency":
                    out.delay += rule.delay
                else:
                    out.rule = rule
                    break
        return out

    def _any_matching(
        self, vendor: str, operations: tuple[str, ...], actions: tuple[FaultAction, ...]
    ) -> bool:
        """Whether some stored rule matches, read without a transaction or validation: the usual
        request, with no rule for it, then costs one read. A rule added a moment later applies
        from the next request on, as it would had it been added after the transaction."""
        store = self._rules.store
        return any(_matches(rule, vendor, operations, actions) for rule in store.list("fault"))

    def _matching(
        self, vendor: str, operations: tuple[str, ...], actions: tuple[FaultAction, ...]
    ) -> list[FaultRule]:
        return [
            rule
            for rule in self._rules.list()
            if rule.vendor == vendor
            and rule.action in actions
            and (rule.operation == "*" or rule.operation in operations)
        ]

    def _fire(self, rule: FaultRule) -> bool:
        """Ask a matching rule whether it fires on this call, and record the answer."""
        fires = rule.draw()
        rule.seen += 1
        if fires:
            rule.matched += 1
        if fires and rule.times is not None and rule.matched >= rule.times:
            self._rules.delete(rule.id)
        else:
            self._rules.save(rule, None)
        return fires


def _matches(
    rule: dict[str, Any], vendor: str, operations: tuple[str, ...], actions: tuple[str, ...]
) -> bool:
    """Whether a stored rule (as its document) is about this vendor, one of `operations` and one
    of `actions`; fields left out take the model's defaults."""
    operation = rule.get("operation", "*")
    return (
        rule.get("vendor") == vendor
        and rule.get("action", "error") in actions
        and (operation == "*" or operation in operations)
    )
