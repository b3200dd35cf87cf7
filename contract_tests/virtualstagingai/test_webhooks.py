"""Webhooks [D-WH]: one POST per variation reaching done or error (removal included), none for the
parent render; the done/error payloads; retries "up to 3 times if your endpoint fails to respond
with a 200 status"; POST/DELETE /v2/user/webhook-secret [D-EP] and the signature [INFERRED:
X-Signature = lowercase hex HMAC-SHA256(secret, raw body), notes 1.14]."""

from __future__ import annotations

import re

import pytest

from ..support import EmulatorControl, WebhookReceiver
from .client import (
    RETRY_SECONDS,
    SIGNATURE_HEADER,
    VsaiClient,
    assert_message,
    by_type,
    items,
    removal_and_staging,
    render_body,
    sign,
    source_url,
)

pytestmark = pytest.mark.emulator_only

DONE_FIELDS = {"render_id", "variation_id", "variation_type", "timestamp", "event_type", "result"}
ERROR_FIELDS = {
    "render_id",
    "variation_id",
    "variation_type",
    "timestamp",
    "event_type",
    "error_message",
}


# the secret


@pytest.mark.parametrize("secret", ["abc", "A-Z_0-9", "x" * 64, "-_-"])
def test_set_and_delete_secret(vsai: VsaiClient, secret):
    response = vsai.set_secret(secret)
    assert response.status_code == 200, response.text
    assert isinstance(response.json().get("message"), str)
    response = vsai.delete_secret()
    assert response.status_code == 200, response.text
    assert isinstance(response.json().get("message"), str)
    assert vsai.delete_secret().status_code == 200  # nothing left to remove: still fine


@pytest.mark.parametrize(
    "secret", ["", "has space", "slash/", "dot.", "ümlaut", "semi;colon", 5, None, ["a"]]
)
def test_bad_secret_is_400(vsai: VsaiClient, secret):
    assert_message(vsai.set_secret(secret), 400, starts_with="webhook_secret")


def test_missing_secret_is_400(vsai: VsaiClient):
    response = vsai.request("POST", "/user/webhook-secret", json={})
    assert_message(response, 400, starts_with="webhook_secret")


# signing


def _assert_signed(received, secret: str) -> None:
    for request in received:
        signature = request.headers.get(SIGNATURE_HEADER)
        assert signature is not None, f"no {SIGNATURE_HEADER} header: {dict(request.headers)}"
        assert re.fullmatch(r"[0-9a-f]{64}", signature), signature
        assert signature == sign(secret, request.body)


def test_deliveries_are_signed_with_the_secret(
    vsai: VsaiClient, finish, webhook_receiver: WebhookReceiver
):
    secret = "s3cret_Key-1"
    assert vsai.set_secret(secret).status_code == 200
    hook = webhook_receiver.url_for("signed")
    vsai.create_ok(render_body(removal_and_staging(), webhook_url=hook))
    vsai.analyze({"image_url": source_url(), "webhook_url": hook})
    finish()
    received = webhook_receiver.received("/signed")
    assert len(received) == 3
    _assert_signed(received, secret)
    for request in received:
        assert request.headers["content-type"].startswith("application/json")
        assert sign("another", request.body) != request.headers[SIGNATURE_HEADER]


def test_no_secret_no_signature(vsai: VsaiClient, finish, webhook_receiver: WebhookReceiver):
    vsai.create_ok(render_body(webhook_url=webhook_receiver.url_for("plain")))
    finish()
    [request] = webhook_receiver.received("/plain")
    assert SIGNATURE_HEADER not in request.headers


def test_secret_changes_and_removal_apply_to_later_deliveries(
    vsai: VsaiClient, finish, webhook_receiver: WebhookReceiver
):
    vsai.set_secret("first")
    vsai.create_ok(render_body(webhook_url=webhook_receiver.url_for("one")))
    finish()
    vsai.set_secret("second")
    vsai.create_ok(render_body(webhook_url=webhook_receiver.url_for("two")))
    finish()
    vsai.delete_secret()
    vsai.create_ok(render_body(webhook_url=webhook_receiver.url_for("three")))
    finish()
    _assert_signed(webhook_receiver.received("/one"), "first")
    _assert_signed(webhook_receiver.received("/two"), "second")
    [last] = webhook_receiver.received("/three")
    assert SIGNATURE_HEADER not in last.headers


def test_secrets_are_per_account(vsai: VsaiClient, vsai_as, finish, webhook_receiver):
    vsai.set_secret("mine")
    other = vsai_as()
    other.create_ok(render_body(webhook_url=webhook_receiver.url_for("other")))
    finish()
    [request] = webhook_receiver.received("/other")
    assert SIGNATURE_HEADER not in request.headers


# payloads


def test_one_delivery_per_variation_with_done_payloads(
    vsai: VsaiClient, emulator: EmulatorControl, finish, webhook_receiver: WebhookReceiver
):
    hook = webhook_receiver.url_for("done")
    render = vsai.create_ok(render_body(removal_and_staging(), variation_count=2, webhook_url=hook))
    [removal] = by_type(render, "removal")
    emulator.advance(0)
    assert webhook_receiver.received("/done") == []
    finish()
    payloads = webhook_receiver.payloads("/done")
    assert len(payloads) == 3  # none for the parent render
    by_id = {p["variation_id"]: p for p in payloads}
    assert set(by_id) == {v["id"] for v in items(render)}
    final = vsai.render_ok(render["id"])
    for variation in items(final):
        payload = by_id[variation["id"]]
        assert payload["render_id"] == render["id"]
        assert payload["event_type"] == "done"
        assert payload["variation_type"] == variation["type"]
        assert isinstance(payload["timestamp"], int)
        assert render["created_at"] < payload["timestamp"] <= round(emulator.now() * 1000)
        assert payload["result"] == variation["result"]
        assert set(payload["result"]) >= {"url", "optimized_url", "thumbnail_url"}
        if variation["type"] == "removal":
            assert set(payload) == DONE_FIELDS
        else:
            assert set(payload) == DONE_FIELDS | {"base_variation_id"}
            assert payload["base_variation_id"] == removal["id"]
            assert payload["timestamp"] > by_id[removal["id"]]["timestamp"]
    # nothing more arrives later
    finish()
    assert len(webhook_receiver.received("/done")) == 3


def test_error_payloads(vsai: VsaiClient, finish, webhook_receiver: WebhookReceiver):
    hook = webhook_receiver.url_for("error")
    url = "https://images.example.com/emulator-fail/room.jpg"
    render = vsai.create_ok(
        render_body(removal_and_staging(), variation_count=1, image_url=url, webhook_url=hook)
    )
    finish()
    payloads = webhook_receiver.payloads("/error")
    assert len(payloads) == 2
    assert {p["variation_id"] for p in payloads} == {v["id"] for v in items(render)}
    for payload in payloads:
        assert payload["event_type"] == "error"
        assert set(payload) >= ERROR_FIELDS
        assert "result" not in payload
        assert isinstance(payload["error_message"], str) and payload["error_message"]
        assert payload["render_id"] == render["id"]


def test_no_webhook_url_no_deliveries(vsai: VsaiClient, finish, deliveries):
    vsai.create_ok(render_body(variation_count=2))
    finish()
    assert deliveries() == []


# retries


@pytest.mark.parametrize(
    ("answers", "attempts", "state"),
    [
        ((), 1, "delivered"),
        ((500,), 2, "delivered"),
        ((500, 503, 404), 4, "delivered"),
        ((201, 204), 3, "delivered"),  # only a 200 counts
        ((500, 500, 500, 500), 4, "failed"),  # retried up to 3 times
        ((201, 202, 500, 301), 4, "failed"),
    ],
    ids=["ok", "500-once", "three-failures", "2xx-not-200", "always-500", "never-200"],
)
def test_retries(
    vsai: VsaiClient,
    emulator: EmulatorControl,
    finish,
    deliveries,
    webhook_receiver: WebhookReceiver,
    answers,
    attempts,
    state,
):
    webhook_receiver.respond_with(*answers)
    hook = webhook_receiver.url_for("retry")
    render = vsai.create_ok(render_body(webhook_url=hook))
    finish()
    emulator.advance(RETRY_SECONDS)
    received = webhook_receiver.received("/retry")
    assert [r.answered for r in received] == [*answers, 200][:attempts]
    assert len({r.body for r in received}) == 1  # the same payload every time
    [delivery] = deliveries()
    assert delivery["state"] == state
    assert [a["status"] for a in delivery["attempts"]] == [r.answered for r in received]
    assert delivery["payload"]["variation_id"] == items(render)[0]["id"]
    emulator.advance(RETRY_SECONDS * 4)
    assert len(webhook_receiver.received("/retry")) == attempts  # and then no more
