"""Collov's limits, hit on purpose [DOC]: 10 requests per second (real time, even on a manual clock)
and 2 active tasks per key, each a 429 with `Retry-After`; credits, whose refusal says "credit"
[CLIENT]. Every limit is adjustable per account through the control API and off for load tests."""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from ..support import EmulatorControl
from .client import SLUG, CollovClient, ok_data, photo_url, refusal, staging_body

pytestmark = pytest.mark.emulator_only


def burst(client: CollovClient, count: int) -> tuple[list[int], float]:
    """`count` polls sent as fast as one connection allows: their statuses and the seconds taken
    (on a busy machine a burst may outlast the one-second window, which the tests allow for)."""
    started = time.monotonic()
    statuses = [client.record("0" * 32).status_code for _ in range(count)]
    return statuses, time.monotonic() - started


def until_limited(client: CollovClient, most: int = 40) -> tuple[list[httpx.Response], float]:
    """Polls as fast as one connection allows until the first 429: the answers and the seconds."""
    started, responses = time.monotonic(), []
    while len(responses) < most:
        responses.append(client.record("0" * 32))
        if responses[-1].status_code == 429:
            break
    return responses, time.monotonic() - started


def test_the_eleventh_request_within_a_second_is_429(collov_as):
    client = collov_as(limits=True)
    responses, seconds = until_limited(client)
    accepted, limited = responses[:-1], responses[-1]
    assert {r.status_code for r in accepted} == {200}  # business answers, not limits
    if seconds < 1.0:
        assert len(accepted) == 10
    assert len(accepted) >= 10
    refusal(limited, 429, "rate limit", "10 requests per second")
    assert int(limited.headers["retry-after"]) == 1


def test_the_limit_is_per_key_and_counted_in_real_time(collov_as, emulator: EmulatorControl):
    for _ in range(3):  # a machine too busy to answer within the window gets another try
        first, second = collov_as(limits=True), collov_as(limits=True)
        responses, seconds = until_limited(first)
        assert responses[-1].status_code == 429
        limited_at = time.monotonic()
        emulator.advance(3600)  # simulated time does not refill it: the client's pace is real
        again = first.generate(staging_body())  # tasks count the same as polls
        # the oldest request in the window is at most `seconds` old at `limited_at`
        if time.monotonic() < limited_at + 1.0 - seconds:
            refusal(again, 429, "rate limit")
            break
    else:
        pytest.skip("the machine is too busy to send 11 requests within a second")
    assert second.record("0" * 32).status_code == 200


def test_parallel_requests_never_exceed_the_limit(collov_as):
    client = collov_as(limits=True)
    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: client.record("0" * 32).status_code, range(40)))
    seconds = time.monotonic() - started
    assert set(statuses) <= {200, 429}
    assert statuses.count(200) <= 10 * math.ceil(seconds)  # 10 in any one-second window
    if seconds < 1.0:
        assert statuses.count(200) == 10


def test_the_rate_limit_is_adjustable_per_account(collov_as, emulator: EmulatorControl):
    client = collov_as(limits=True)
    emulator.set_account(SLUG, client.api_key, meters={"rateLimit": 3})
    statuses, seconds = burst(client, 4)
    if seconds < 1.0:
        assert statuses == [200, 200, 200, 429]
    loaded = collov_as(limits=True)
    emulator.set_account(SLUG, loaded.api_key, meters={"rateLimit": None})
    assert set(burst(loaded, 50)[0]) == {200}


def test_the_third_active_task_is_refused(collov: CollovClient, finish):
    first = collov.generate_ok()
    collov.empty_room_ok()  # tasks of any kind count
    response = collov.edit({"uploadUrl": photo_url(), "prompt": "add a plant"})
    message = refusal(response, 429, "concurrency", "2 active tasks")
    assert "retry" in message.lower()
    assert 1 <= int(response.headers["retry-after"]) <= 15
    refusal(collov.regenerate(first), 429, "concurrency")  # a regeneration is a task too
    ok_data(collov.record(first))  # polls are never refused by it
    finish()
    collov.edit_ok()  # both ended: slots are free again
    collov.generate_ok()


def test_a_failed_task_frees_its_slot_when_it_ends(collov: CollovClient, finish):
    collov.generate_ok(uploadUrl=photo_url() + "?emulator-fail")
    collov.generate_ok()
    refusal(collov.generate(staging_body()), 429, "concurrency")
    finish()
    collov.generate_ok()


def test_queue_mode_keeps_the_third_task_pending_until_a_slot_frees(
    collov: CollovClient, emulator: EmulatorControl
):
    emulator.set_account(SLUG, collov.api_key, meters={"concurrencyMode": "queue"})
    uuids = [collov.generate_ok() for _ in range(3)]
    emulator.advance(12)  # the first two end (1 s queue + 8 s run, +-20 %)
    statuses = [collov.record_ok(u)["status"] for u in uuids]
    assert statuses == ["SUCCESS", "SUCCESS", "PENDING"]
    emulator.advance(12)
    assert collov.record_ok(uuids[2])["status"] == "SUCCESS"


def test_the_concurrency_limit_is_adjustable_and_can_be_off(
    collov: CollovClient, emulator: EmulatorControl
):
    emulator.set_account(SLUG, collov.api_key, meters={"concurrencyLimit": 1})
    collov.generate_ok()
    refusal(collov.generate(staging_body()), 429, "1 active task")
    emulator.set_account(SLUG, collov.api_key, meters={"concurrencyLimit": None})
    for _ in range(5):
        collov.generate_ok()


def test_parallel_tasks_never_exceed_the_concurrency_limit(collov: CollovClient):
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda _: collov.generate(staging_body()), range(12)))
    accepted = [r for r in responses if r.json()["success"]]
    assert len(accepted) == 2
    assert all(r.status_code == 429 for r in responses if not r.json()["success"])


def test_no_credits_is_refused_with_the_word_credit(collov_as):
    broke = collov_as("no-credits")
    for response in (
        broke.generate(staging_body()),
        broke.empty_room({"uploadUrl": photo_url()}),
        broke.edit({"uploadUrl": photo_url(), "prompt": "add a lamp"}),
    ):
        refusal(response, 402, "credit")


def test_credits_are_charged_per_task_and_exhausted_through_the_control_api(
    collov: CollovClient, emulator: EmulatorControl, finish
):
    emulator.set_account(SLUG, collov.api_key, credits=2)
    uuid_ = collov.generate_ok()
    assert emulator.credits(SLUG, collov.api_key) == 1
    ok_data(collov.regenerate(uuid_))  # [DOC] regenerations are free
    assert emulator.credits(SLUG, collov.api_key) == 1
    finish()
    collov.tour_ok(photos=1)
    assert emulator.credits(SLUG, collov.api_key) == 0
    refusal(collov.generate(staging_body()), 402, "credit")
    emulator.set_account(SLUG, collov.api_key, credits=0)
    refusal(collov.empty_room({"uploadUrl": photo_url()}), 402, "credit")


def test_parallel_tasks_never_overspend(collov_as, emulator: EmulatorControl):
    client = collov_as(loaded=True)
    emulator.set_account(SLUG, client.api_key, credits=3)
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda _: client.generate(staging_body()), range(16)))
    assert sum(r.json()["success"] for r in responses) == 3
    assert emulator.credits(SLUG, client.api_key) == 0
