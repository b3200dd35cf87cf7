"""Failures on purpose: magic inputs (like Stripe's test card numbers) and fault rules.

Magic inputs are words inside an input a client already sends, so every error path can be reached
from an unmodified client:

- API keys containing `invalid` are refused (401); `blocked` belong to a blocked account (403);
  `no-credits` / `no_credits` start with 0 credits, `low-credits` / `low_credits` with 2.
- Image URLs (or any text a vendor scans) containing `emulator-fail` make the job fail;
  `emulator-unavailable` make the request itself fail with the vendor's 503 / queueing error;
  `emulator-slow` make the job take ten times as long.

Fault rules, set through the control API, do the same for the next N requests of a vendor's
operation without touching the client.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

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


FaultAction = Literal["error", "fail_job"]


class FaultRule(BaseModel):
    """Make a vendor operation fail: answer with an error, or accept it and fail the job."""

    id: str = ""
    vendor: str
    operation: str = Field("*", description="the vendor handler name, or * for any")
    action: FaultAction = "error"
    status: int = Field(503, ge=400, le=599)
    message: str | None = None
    times: int | None = Field(None, ge=1, description="how many matches; unlimited when null")
    matched: int = 0


class Faults:
    def __init__(self, store: Store, ids: IdFactory) -> None:
        self._rules = Collection(store, "fault", FaultRule)
        self.ids = ids

    def add(self, rule: FaultRule) -> FaultRule:
        """Store a rule under a fresh id, its count starting at zero."""
        rule = rule.model_copy(update={"id": self.ids.uuid(), "matched": 0})
        return self._rules.save(rule, None)

    def list(self) -> list[FaultRule]:
        return self._rules.list()

    def remove(self, id: str) -> bool:
        return self._rules.delete(id)

    def clear(self) -> None:
        for rule in self._rules.list():
            self._rules.delete(rule.id)

    def take(self, vendor: str, operation: str, action: FaultAction) -> FaultRule | None:
        """The first rule that matches, counted as used (and dropped once used up)."""
        for rule in self._rules.list():
            if rule.vendor != vendor or rule.action != action:
                continue
            if rule.operation not in ("*", operation):
                continue
            rule.matched += 1
            if rule.times is not None and rule.matched >= rule.times:
                self._rules.delete(rule.id)
            else:
                self._rules.save(rule, None)
            return rule
        return None
