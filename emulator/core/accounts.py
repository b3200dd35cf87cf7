"""Accounts: one per (vendor, API key), each with its own isolated state.

By default any well-formed key is accepted and becomes its own account with a generous balance.
Magic keys reach the account error paths on purpose (see `faults.MAGIC_KEYS`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, Field

from .clock import Clock
from .faults import magic_key
from .store import Collection, Store

T = TypeVar("T")


class Account(BaseModel):
    id: str
    vendor: str
    api_key: str
    created_at: float
    credits: int
    blocked: bool = False
    # Vendor-metered quotas and usage (e.g. a photo limit), by name.
    meters: dict[str, Any] = Field(default_factory=dict)
    # Vendor-private settings of this account (e.g. a webhook secret).
    data: dict[str, Any] = Field(default_factory=dict)


def account_id(vendor: str, api_key: str) -> str:
    return f"{vendor}:{hashlib.sha256(api_key.encode()).hexdigest()[:16]}"


class Accounts:
    def __init__(self, store: Store, clock: Clock, default_credits: int) -> None:
        self._items = Collection(store, "account", Account)
        self.clock, self.default_credits = clock, default_credits

    def open(self, vendor: str, api_key: str, meters: dict[str, Any] | None = None) -> Account:
        """The account of this key, created on first use with the defaults and `meters`."""
        id = account_id(vendor, api_key)
        existing = self._items.get(id)
        if existing is not None:  # the usual case: no write transaction to open
            return existing
        with self._items.store.transaction():  # two first requests create it once
            existing = self._items.get(id)
            if existing is not None:
                return existing
            magic = magic_key(api_key)
            account = Account(
                id=id,
                vendor=vendor,
                api_key=api_key,
                created_at=self.clock.now(),
                credits=magic.credits if magic.credits is not None else self.default_credits,
                blocked=magic.blocked,
                meters=dict(meters or {}),
            )
            return self.save(account)

    def save(self, account: Account) -> Account:
        return self._items.save(account, account.id)

    def get(self, id: str) -> Account | None:
        return self._items.get(id)

    def list(self, vendor: str | None = None) -> list[Account]:
        return [a for a in self._items.list() if vendor is None or a.vendor == vendor]

    def update(self, account_id: str, change: Callable[[Account], T]) -> T:
        """Read the account fresh, apply `change` and save it, all in one store transaction.

        Every check-then-write of account state (credits, meters, secrets, limits) goes through
        here, after the request body has been read: a copy loaded before an `await` is stale.
        `change` may raise (an ApiError, say) to refuse; then nothing is written. Its return value
        is passed back."""
        with self._items.store.transaction():
            account = self._items.get(account_id)
            if account is None:
                raise KeyError(account_id)
            result = change(account)
            self.save(account)
            return result

    def charge(self, account_id: str, credits: int) -> Account | None:
        """Take `credits` from the balance atomically: the account after the charge, or None (and
        nothing taken) when the balance is short."""
        if credits < 0:
            raise ValueError("a charge cannot be negative")

        def take(account: Account) -> Account | None:
            if account.credits < credits:
                return None
            account.credits -= credits
            return account

        return self.update(account_id, take)
