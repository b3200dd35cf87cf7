"""The control API on this vendor: fault rules (POST /_emulator/faults), accounts, reset."""

from __future__ import annotations

import pytest

from ..support import EmulatorControl, assert_error
from .client import SLUG, ArtClient, declutter_body, staging_body

pytestmark = pytest.mark.emulator_only


@pytest.mark.parametrize(
    ("operation", "call"),
    [
        ("request_render", lambda a: a.render(staging_body())),
        ("request_declutter", lambda a: a.declutter(declutter_body())),
    ],
    ids=["request_render", "request_declutter"],
)
def test_error_rule_answers_503_once(art: ArtClient, emulator: EmulatorControl, operation, call):
    with emulator.fault(vendor=SLUG, operation=operation, status=503, times=1) as rule:
        assert rule["id"]
        assert_error(call(art), 503)
        assert call(art).status_code == 200  # used up
        assert all(r["id"] != rule["id"] for r in emulator.faults())


def test_error_rule_with_status_and_message(art: ArtClient, emulator: EmulatorControl):
    with emulator.fault(
        vendor=SLUG, operation="request_render", status=402, message="Out of credits", times=2
    ):
        assert assert_error(art.render(staging_body()), 402)["error"] == "Out of credits"
        assert_error(art.render(staging_body()), 402)
        assert art.render(staging_body()).status_code == 200


def test_error_rule_for_another_operation_does_not_match(art: ArtClient, emulator):
    with emulator.fault(vendor=SLUG, operation="request_declutter", status=503, times=1):
        assert art.render(staging_body()).status_code == 200
        assert_error(art.declutter(declutter_body()), 503)


# The rule names the handler, as for action "error" (FaultRule.operation: "the vendor handler
# name").


def submit_render(art: ArtClient, **fields):
    return art.render_ok(staging_body(**fields))


def submit_declutter(art: ArtClient, **fields):
    return art.declutter_ok(declutter_body(**fields))


@pytest.mark.parametrize(
    ("operation", "submit"),
    [
        pytest.param("request_render", submit_render, id="request_render"),
        pytest.param("request_declutter", submit_declutter, id="request_declutter"),
        pytest.param("*", submit_render, id="any-render"),
        pytest.param("*", submit_declutter, id="any-declutter"),
    ],
)
def test_fail_job_rule(
    art: ArtClient, emulator: EmulatorControl, webhook_receiver, finish_jobs, operation, submit
):
    hook = webhook_receiver
    assert art.subscribe(hook.url_for("failed"), "render.failed").status_code == 201
    with emulator.fault(vendor=SLUG, operation=operation, action="fail_job", times=1):
        failing = submit(art, callback_url=hook.url_for("callback"))
        fine = submit(art, callback_url=hook.url_for("callback"))
    finish_jobs()
    assert art.status_of(failing["upload_id"]) == "error"
    assert art.status_of(fine["upload_id"]) == "done"
    statuses = sorted(p["status"] for p in hook.payloads("/callback"))
    assert statuses == ["done", "error"]
    [event] = hook.payloads("/failed")
    assert event["upload_id"] == failing["upload_id"]
    [row] = art.render_rows(status="error")
    assert row["upload_id"] == failing["upload_id"] and row["error"]


def test_fault_rule_for_an_unknown_vendor_is_refused(emulator: EmulatorControl):
    response = emulator._http.post(
        f"{emulator.url}/_emulator/faults", json={"vendor": "nope", "operation": "x"}
    )
    assert_error(response, 400, "vendor")


def test_account_credits_can_be_set(art: ArtClient, emulator: EmulatorControl):
    emulator.set_account(SLUG, art.api_key, credits=1)
    assert art.render(staging_body()).status_code == 200
    assert_error(art.render(staging_body()), 402, "credit")
    emulator.set_account(SLUG, art.api_key, blocked=True)
    assert_error(art.me(), 403)


def test_reset_of_one_account(art: ArtClient, art_as, emulator: EmulatorControl, webhook_sink):
    other = art_as()
    for client in (art, other):
        client.render_ok(staging_body())
        assert client.subscribe(webhook_sink.url_for("reset"), "render.failed").status_code == 201
    emulator.set_account(SLUG, art.api_key, credits=5)
    emulator.reset(vendor=SLUG, api_key=art.api_key)
    assert art.render_rows() == []
    assert art.subscriptions().json() == []
    assert emulator.credits(SLUG, art.api_key) > 5  # a new account with the default balance
    assert len(other.render_rows()) == 1
    assert len(other.subscriptions().json()) == 1
