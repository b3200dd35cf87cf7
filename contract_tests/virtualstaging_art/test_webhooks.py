"""7. Webhook callbacks and 8. webhook subscriptions: CRUD, payloads, both firing on one completion.

Deliveries go to a real HTTP server on 127.0.0.1 (support.WebhookReceiver); on the manual clock
every delivery due has arrived when `advance` returns."""

from __future__ import annotations

import pytest

from ..support import assert_error, assert_iso_timestamp, assert_uuid
from .client import ArtClient, declutter_body, source_url, staging_body

SUBSCRIPTION_FIELDS = {"id", "target_url", "event_type", "created_at"}
SUCCEEDED_FIELDS = {
    "event",
    "render_run_id",
    "upload_id",
    "tier",
    "flow",
    "render_urls",
    "completed_at",
}
FAILED_FIELDS = {"event", "render_run_id", "upload_id", "tier", "flow", "error", "completed_at"}


def _subscribe(art: ArtClient, url: str, event: str) -> dict:
    response = art.subscribe(url, event)
    assert response.status_code == 201, response.text
    sub = response.json()
    assert set(sub) == SUBSCRIPTION_FIELDS, sub
    assert sub["target_url"] == url
    assert sub["event_type"] == event
    assert isinstance(sub["id"], str) and sub["id"]
    assert_iso_timestamp(sub["created_at"])
    return sub


# subscriptions CRUD


@pytest.mark.emulator_only  # a fresh account has no subscriptions
def test_subscription_lifecycle(art_v1: ArtClient):
    art = art_v1
    url = "https://hooks.example.com/zapier/" + art.api_key
    listed = art.subscriptions()
    assert listed.status_code == 200 and listed.json() == []
    succeeded = _subscribe(art, url, "render.succeeded")
    failed = _subscribe(art, url, "render.failed")
    assert succeeded["id"] != failed["id"]

    listed = art.subscriptions()
    assert listed.status_code == 200
    assert isinstance(listed.json(), list)
    assert sorted(s["id"] for s in listed.json()) == sorted([succeeded["id"], failed["id"]])
    assert all(set(s) == SUBSCRIPTION_FIELDS for s in listed.json())

    deleted = art.unsubscribe(succeeded["id"])
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert [s["id"] for s in art.subscriptions().json()] == [failed["id"]]
    assert_error(art.unsubscribe(succeeded["id"]), 404)


def test_create_is_idempotent_on_target_and_event(art_v1: ArtClient):
    art = art_v1
    url = "https://hooks.example.com/idempotent/" + art.api_key
    first = _subscribe(art, url, "render.succeeded")
    again = art.subscribe(url, "render.succeeded")
    assert again.status_code in (200, 201), again.text
    assert again.json() == first  # the existing subscription, not a duplicate
    ids = [s["id"] for s in art.subscriptions().json() if s["target_url"] == url]
    assert ids == [first["id"]]
    assert art.unsubscribe(first["id"]).status_code == 204


def test_delete_unknown_subscription_is_404(art_v1: ArtClient):
    art = art_v1
    assert_error(art.unsubscribe("00000000-0000-4000-8000-000000000000"), 404)
    assert_error(art.unsubscribe("not-a-uuid"), 404)


@pytest.mark.emulator_only
def test_subscriptions_are_per_account(art_v1: ArtClient, new_key):
    art = art_v1
    sub = _subscribe(art, "https://hooks.example.com/mine", "render.failed")
    other = art.with_key(new_key())
    assert other.subscriptions().json() == []
    assert_error(other.unsubscribe(sub["id"]), 404)
    assert [s["id"] for s in art.subscriptions().json()] == [sub["id"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"event_type": "render.succeeded"}, "target_url"),
        ({"target_url": None, "event_type": "render.succeeded"}, "target_url"),
        ({"target_url": "not a url", "event_type": "render.succeeded"}, "target_url"),
        ({"target_url": 3, "event_type": "render.succeeded"}, "target_url"),
        ({"target_url": "https://hooks.example.com/x"}, "event_type"),
        ({"target_url": "https://hooks.example.com/x", "event_type": "render.done"}, "event_type"),
        ({"target_url": "https://hooks.example.com/x", "event_type": "*"}, "event_type"),
    ],
)
def test_invalid_subscription_is_400(art_v1: ArtClient, body, field):
    art = art_v1
    response = art.request("POST", "/webhooks", base="/v1", json=body)
    assert_error(response, 400, field)


@pytest.mark.parametrize("raw", [b"", b"{", b"[]"])
def test_subscription_body_must_be_a_json_object(art_v1: ArtClient, raw):
    art = art_v1
    response = art.request(
        "POST", "/webhooks", base="/v1", content=raw, headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400)


# deliveries


def _render_rows(art: ArtClient) -> dict[str, dict]:
    return {row["id"]: row for row in art.render_rows(limit=100)}


@pytest.mark.emulator_only
def test_success_fires_callback_and_subscription(art: ArtClient, webhook_receiver, finish_jobs):
    hook = webhook_receiver
    _subscribe(art, hook.url_for("succeeded"), "render.succeeded")
    _subscribe(art, hook.url_for("failed"), "render.failed")
    body = staging_body(callback_url=hook.url_for("callback"), number_of_renders=2)
    upload_id = art.render_ok(body)["upload_id"]
    assert hook.received() == []  # nothing before the job completes

    finish_jobs()

    [callback] = hook.received("/callback")
    assert callback.method == "POST"
    assert callback.headers["content-type"].startswith("application/json")
    assert set(callback.json) == {"status", "render_urls"}  # [DOC] success payload
    assert callback.json["status"] == "done"
    urls = callback.json["render_urls"]
    assert isinstance(urls, list) and len(urls) == 2 and len(set(urls)) == 2

    [event] = hook.received("/succeeded")
    assert event.headers["content-type"].startswith("application/json")
    payload = event.json
    assert set(payload) == SUCCEEDED_FIELDS, payload  # [DOC] subscription payload
    assert payload["event"] == "render.succeeded"
    assert payload["upload_id"] == upload_id
    assert payload["tier"] == "classic"
    assert payload["flow"] == "staging"
    assert payload["render_urls"] == urls
    assert_uuid(payload["render_run_id"])
    assert_iso_timestamp(payload["completed_at"])
    assert hook.received("/failed") == []

    row = _render_rows(art)[payload["render_run_id"]]
    assert row["upload_id"] == upload_id
    assert row["status"] == "done"
    assert row["render_urls"] == urls
    assert row["completed_at"] == payload["completed_at"]
    for url in urls:
        assert art.http.get(url).status_code == 200


@pytest.mark.emulator_only
def test_failure_fires_error_callback_and_render_failed(
    art: ArtClient, webhook_receiver, finish_jobs
):
    hook = webhook_receiver
    _subscribe(art, hook.url_for("succeeded"), "render.succeeded")
    _subscribe(art, hook.url_for("failed"), "render.failed")
    body = staging_body(
        image_url=source_url("emulator-fail"), callback_url=hook.url_for("callback"), tier="premium"
    )
    upload_id = art.render_ok(body)["upload_id"]
    finish_jobs()

    [callback] = hook.payloads("/callback")
    assert set(callback) == {"status", "error"}  # [DOC] error payload
    assert callback["status"] == "error"
    assert isinstance(callback["error"], str) and callback["error"]

    [event] = hook.payloads("/failed")
    assert set(event) == FAILED_FIELDS, event  # [DOC] render.failed payload
    assert event["event"] == "render.failed"
    assert event["upload_id"] == upload_id
    assert event["tier"] == "premium"
    assert event["flow"] == "staging"
    assert isinstance(event["error"], str) and event["error"]
    assert_iso_timestamp(event["completed_at"])
    assert hook.received("/succeeded") == []

    row = _render_rows(art)[event["render_run_id"]]
    assert row["status"] == "error"
    assert row["error"] == event["error"]
    assert row["render_urls"] == []
    assert row["completed_at"] == event["completed_at"]
    assert art.status_of(upload_id) == "error"


@pytest.mark.emulator_only
def test_declutter_completion_is_delivered(art: ArtClient, webhook_receiver, finish_jobs):
    hook = webhook_receiver
    _subscribe(art, hook.url_for("succeeded"), "render.succeeded")
    body = declutter_body(callback_url=hook.url_for("callback"))
    upload_id = art.declutter_ok(body)["upload_id"]
    finish_jobs()
    [callback] = hook.payloads("/callback")
    assert callback["status"] == "done" and len(callback["render_urls"]) == 1
    [event] = hook.payloads("/succeeded")
    assert set(event) == SUCCEEDED_FIELDS
    assert event["upload_id"] == upload_id
    assert isinstance(event["flow"], str) and event["flow"]
    assert event["render_urls"] == callback["render_urls"]


@pytest.mark.emulator_only
def test_without_callback_only_subscriptions_fire(art: ArtClient, webhook_receiver, finish_jobs):
    hook = webhook_receiver
    _subscribe(art, hook.url_for("events"), "render.succeeded")
    art.render_ok(staging_body())
    art.render_ok(staging_body())
    finish_jobs()
    assert [r.json["event"] for r in hook.received()] == ["render.succeeded"] * 2
    assert {r.path for r in hook.received()} == {"/events"}


@pytest.mark.emulator_only
def test_each_matching_subscription_gets_the_event(art: ArtClient, webhook_receiver, finish_jobs):
    hook = webhook_receiver
    _subscribe(art, hook.url_for("a"), "render.succeeded")
    _subscribe(art, hook.url_for("b"), "render.succeeded")
    art.render_ok(staging_body())
    finish_jobs()
    [a], [b] = hook.payloads("/a"), hook.payloads("/b")
    assert a == b


@pytest.mark.emulator_only
def test_deleted_subscription_stops_firing(art: ArtClient, webhook_receiver, finish_jobs):
    hook = webhook_receiver
    sub = _subscribe(art, hook.url_for("events"), "render.succeeded")
    assert art.unsubscribe(sub["id"]).status_code == 204
    art.render_ok(staging_body(callback_url=hook.url_for("callback")))
    finish_jobs()
    assert hook.received("/events") == []
    assert len(hook.received("/callback")) == 1


@pytest.mark.emulator_only
def test_other_accounts_events_are_not_delivered(
    art: ArtClient, art_as, webhook_receiver, finish_jobs
):
    hook = webhook_receiver
    _subscribe(art, hook.url_for("mine"), "render.succeeded")
    art_as().render_ok(staging_body())
    finish_jobs()
    assert hook.received() == []
