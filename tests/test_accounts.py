from __future__ import annotations

import pytest

from emulator.core.accounts import Accounts, account_id
from emulator.core.clock import MANUAL_EPOCH, ManualClock
from emulator.core.faults import magic_key
from emulator.core.store import Store


@pytest.fixture
def accounts() -> Accounts:
    return Accounts(Store(), ManualClock(), default_credits=100)


def test_any_key_opens_its_own_account(accounts: Accounts) -> None:
    acc = accounts.open("vendor-a", "sk_anything_at_all", meters={"photos": 5})
    assert acc.id == account_id("vendor-a", "sk_anything_at_all")
    assert acc.api_key == "sk_anything_at_all" and acc.vendor == "vendor-a"
    assert acc.credits == 100 and not acc.blocked
    assert acc.meters == {"photos": 5}
    assert acc.created_at == MANUAL_EPOCH
    assert "sk_anything" not in acc.id  # the key itself is not in the id


def test_open_again_returns_the_same_account_with_its_state(accounts: Accounts) -> None:
    acc = accounts.open("v", "key1")
    assert accounts.charge(acc.id, 30)
    again = accounts.open("v", "key1", meters={"ignored": 1})
    assert again.id == acc.id and again.credits == 70 and again.meters == {}


def test_accounts_are_isolated_by_key_and_vendor(accounts: Accounts) -> None:
    a = accounts.open("v", "key-a")
    b = accounts.open("v", "key-b")
    other_vendor = accounts.open("w", "key-a")
    assert len({a.id, b.id, other_vendor.id}) == 3
    accounts.charge(a.id, 60)
    assert accounts.get(a.id).credits == 40
    assert accounts.get(b.id).credits == 100
    assert accounts.get(other_vendor.id).credits == 100
    assert {x.id for x in accounts.list("v")} == {a.id, b.id}
    assert len(accounts.list()) == 3


@pytest.mark.parametrize(
    ("key", "invalid", "blocked", "credits"),
    [
        ("sk_test_123", False, False, 100),
        ("sk_invalid_123", True, False, 100),
        ("sk_INVALID", True, False, 100),
        ("sk_blocked_1", False, True, 100),
        ("sk_no-credits", False, False, 0),
        ("sk_no_credits", False, False, 0),
        ("sk_low-credits", False, False, 2),
        ("sk_LOW_CREDITS", False, False, 2),
    ],
)
def test_magic_keys(
    accounts: Accounts, key: str, invalid: bool, blocked: bool, credits: int
) -> None:
    assert magic_key(key).invalid is invalid
    acc = accounts.open("v", key)
    assert acc.blocked is blocked
    assert acc.credits == credits


def test_charge_never_goes_negative(accounts: Accounts) -> None:
    acc = accounts.open("v", "sk_low-credits")
    charged = accounts.charge(acc.id, 2)
    assert charged is not None and charged.credits == 0
    assert accounts.charge(acc.id, 1) is None
    assert accounts.get(acc.id).credits == 0

    acc = accounts.open("v", "sk_low_credits")
    assert accounts.charge(acc.id, 3) is None  # nothing taken when it would go negative
    assert accounts.get(acc.id).credits == 2


def test_update_reads_fresh_and_writes_nothing_when_refused(accounts: Accounts) -> None:
    stale = accounts.open("v", "key")
    accounts.charge(stale.id, 10)

    def spend(account):  # sees the charge above, not the stale copy's 100
        account.credits -= 5
        return account.credits

    assert accounts.update(stale.id, spend) == 85

    def refuse(account):
        account.credits = 0
        raise ValueError("no")

    with pytest.raises(ValueError):
        accounts.update(stale.id, refuse)
    assert accounts.get(stale.id).credits == 85
