"""The rate limit GET /usage reports [PROPOSED] `rate_limit_per_minute: 120`, enforced per API key
on the machine's clock [EMULATOR]: past it, 429 `rate_limited` with Retry-After; an account's
meter `rate_limit_per_minute` changes it, 0 or null turns it off."""

from __future__ import annotations

import pytest

from ..support import EmulatorControl
from .client import SLUG, StageProClient, assert_error

pytestmark = pytest.mark.emulator_only


def _limit_of(sp: StageProClient) -> int | None:
    return sp.usage()["limits"]["rate_limit_per_minute"]


def test_the_reported_limit_is_enforced_per_key(sp: StageProClient):
    assert _limit_of(sp) == 120
    answers = [sp.capabilities().status_code for _ in range(119)]  # 120 with the usage call
    assert set(answers) == {200}
    refused = sp.capabilities()
    error = assert_error(refused, 429, "rate_limited")
    assert "120 requests per minute" in error["message"], error
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert_error(sp.capabilities(), 429, "rate_limited")  # the minute is still full


def test_a_meter_changes_the_limit_and_each_key_has_its_own_minute(
    sp: StageProClient, emulator: EmulatorControl
):
    emulator.set_account(SLUG, sp.api_key, meters={"rate_limit_per_minute": 4})
    assert _limit_of(sp) == 4
    second = sp.with_key(sp.ok(sp.create_key({"name": "CI"}), 201)["key"])
    assert sp.capabilities().status_code == 200
    assert sp.capabilities().status_code == 200
    refused = sp.capabilities()
    assert_error(refused, 429, "rate_limited")
    assert refused.headers["Retry-After"].isdigit()
    assert [second.capabilities().status_code for _ in range(5)] == [200] * 4 + [429]


@pytest.mark.parametrize("off", [0, None])
def test_zero_or_null_turns_it_off(sp: StageProClient, emulator: EmulatorControl, off):
    emulator.set_account(SLUG, sp.api_key, meters={"rate_limit_per_minute": off})
    assert _limit_of(sp) is None
    assert {sp.capabilities().status_code for _ in range(130)} == {200}
