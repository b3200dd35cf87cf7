"""An account's limits: requests per second and active tasks [DOC], each adjustable.

Vendor options set the defaults (`rate_limit`, `concurrency_limit`, `concurrency_mode`); an
account's meters override them (`rateLimit`, `concurrencyLimit`, `concurrencyMode`, set through
`POST /_emulator/accounts`). A limit of null or 0 is off, for tests that load an account.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from ...core.accounts import Account
from . import proposed

Mode = Literal["reject", "queue"]


@dataclass(frozen=True)
class Limits:
    rate: int | None  # requests per second, None: off
    concurrency: int | None  # active tasks, None: off
    mode: Mode  # what a task past the concurrency limit gets

    @classmethod
    def of(cls, account: Account, options: dict[str, Any]) -> Limits:
        rate = _limit(options.get("rate_limit", proposed.RATE_LIMIT), proposed.RATE_LIMIT)
        concurrency = _limit(
            options.get("concurrency_limit", proposed.CONCURRENCY_LIMIT),
            proposed.CONCURRENCY_LIMIT,
        )
        mode = _mode(options.get("concurrency_mode"), proposed.CONCURRENCY_MODE)
        meters = account.meters
        if "rateLimit" in meters:
            rate = _limit(meters["rateLimit"], rate)
        if "concurrencyLimit" in meters:
            concurrency = _limit(meters["concurrencyLimit"], concurrency)
        return cls(rate, concurrency, _mode(meters.get("concurrencyMode"), mode))


def _limit(value: Any, otherwise: int | None) -> int | None:
    """A whole number turns the limit on at that value, null/0/false off; anything else leaves
    `otherwise` (a bad value in the control API never breaks the vendor)."""
    if value is None or value is False or value == 0:
        return None
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return otherwise


def _mode(value: Any, otherwise: str) -> Mode:
    if value in ("reject", "queue"):
        return value
    return "queue" if otherwise == "queue" else "reject"
