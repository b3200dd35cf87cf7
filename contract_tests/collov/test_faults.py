"""Fault rules reach every Collov operation by its handler name, in Collov's envelope; vendor
options change the defaults (a server of its own, started here)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from emulator.testing import EmulatorServer

from ..support import EmulatorControl
from .client import SLUG, CollovClient, ok_data, photo_url, refusal, staging_body, tour_body

pytestmark = pytest.mark.emulator_only

CALLS: dict[str, Callable[[CollovClient], httpx.Response]] = {
    "generate_img_on_common": lambda c: c.generate(staging_body()),
    "regenerate_img_on_common": lambda c: c.regenerate("0" * 32),
    "get_record": lambda c: c.record("0" * 32),
    "generate_empty_room": lambda c: c.empty_room({"uploadUrl": photo_url()}),
    "get_empty_room_record": lambda c: c.empty_room_record(id=1),
    "edit_generate": lambda c: c.edit({"uploadUrl": photo_url(), "prompt": "add a lamp"}),
    "edit_get_record": lambda c: c.edit_record("0" * 32),
    "vgs_task": lambda c: c.tour(tour_body(photos=1)),
    "load_video_info": lambda c: c.video_info("0" * 32),
}


@pytest.mark.parametrize("operation", sorted(CALLS))
def test_an_error_rule_reaches_every_operation(
    collov: CollovClient, emulator: EmulatorControl, operation: str
):
    rule = {"vendor": SLUG, "operation": operation, "status": 503, "message": "down", "times": 1}
    with emulator.fault(**rule):
        refusal(CALLS[operation](collov), 503, "down")


def test_a_business_error_rule_answers_http_200(collov: CollovClient, emulator: EmulatorControl):
    rule = {"vendor": SLUG, "operation": "generate_img_on_common", "status": 400, "times": 1}
    with emulator.fault(**rule, message="image could not be read"):
        refusal(collov.generate(staging_body()), 400, "could not be read")
    ok_data(collov.generate(staging_body()))


def test_a_fail_job_rule_fails_the_task(collov: CollovClient, emulator: EmulatorControl, finish):
    rule = {"vendor": SLUG, "operation": "generate_empty_room", "action": "fail_job", "times": 1}
    with emulator.fault(**rule, message="room could not be cleared"):
        room = collov.empty_room_ok()
    finish()
    failed = ok_data(collov.empty_room_record(id=room))
    assert failed["status"] == "FAILED" and failed["failReason"] == "room could not be cleared"


def test_a_fail_job_rule_on_regeneration_fails_only_the_new_record(
    collov: CollovClient, emulator: EmulatorControl, finish
):
    uuid_ = collov.generate_ok()
    rule = {"vendor": SLUG, "operation": "regenerate_img_on_common", "action": "fail_job"}
    with emulator.fault(**rule, times=1):
        ok_data(collov.regenerate(uuid_))
    finish()
    design = collov.record_ok(uuid_)
    assert [r["status"] for r in design["generateRecordList"]] == ["SUCCESS", "FAILED"]
    assert design["status"] == "FAILED" and design["failReason"]


def test_vendor_options_set_the_defaults():
    options: dict[str, Any] = {
        "rate_limit": 2,
        "concurrency_limit": 1,
        "concurrency_mode": "queue",
        "task_seconds": {"design": 30},
    }
    with (
        EmulatorServer(vendor_options={SLUG: options}) as server,
        httpx.Client(timeout=30) as http,
    ):
        control = EmulatorControl(server.url, server)
        client = CollovClient(http, control.vendor_root(SLUG), "options-key")
        first = client.generate_ok()
        second = client.generate_ok()  # queued behind the first: one slot
        refusal(client.record(first), 429, "2 requests per second")
        control.set_account(SLUG, "options-key", meters={"rateLimit": None})
        # a design takes 1 s queued + 30 s, each +-20 %: the first ends within 24.8-37.2 s, the
        # second starts then and ends after 48.8 s
        control.advance(20)
        assert [client.record_ok(u)["status"] for u in (first, second)] == ["PENDING"] * 2
        control.advance(25)
        assert [client.record_ok(u)["status"] for u in (first, second)] == ["SUCCESS", "PENDING"]
        control.advance(60)
        assert client.record_ok(second)["status"] == "SUCCESS"
        control.close()


def test_a_refused_request_does_not_use_up_a_fail_job_rule(
    collov: CollovClient, emulator: EmulatorControl, finish
):
    collov.generate_ok()
    collov.generate_ok()
    rule = {"vendor": SLUG, "operation": "generate_img_on_common", "action": "fail_job"}
    with emulator.fault(**rule, times=1):
        refusal(collov.generate(staging_body()), 429, "concurrency")
        finish()
        uuid_ = collov.generate_ok()
    finish()
    assert collov.record_ok(uuid_)["status"] == "FAILED"
