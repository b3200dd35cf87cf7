"""The typical workflow of the docs, over real HTTP: upload, render with a callback and a
subscription, advance the clock, receive both webhooks, fetch the renders; and webhook retries."""

from __future__ import annotations

import pytest

from ..support import (
    EmulatorControl,
    WebhookReceiver,
    assert_iso_timestamp,
    decode_image,
    make_image,
)
from .client import JOB_SECONDS, SLUG, ArtClient, staging_body

pytestmark = pytest.mark.emulator_only


def test_upload_render_webhooks_and_renders(
    art: ArtClient, emulator: EmulatorControl, webhook_receiver: WebhookReceiver
):
    hook = webhook_receiver
    # 1. upload a 1280x720 JPEG
    upload = art.upload_file(make_image("JPEG", (1280, 720)), "living.jpg", "image/jpeg")
    assert upload.status_code == 200, upload.text
    image_url = upload.json()["url"]

    # subscribe to render.succeeded (the Zapier model)
    sub = art.subscribe(hook.url_for("events"), "render.succeeded")
    assert sub.status_code == 201, sub.text

    # 3. submit a staging render with a callback_url
    accepted = art.render_ok(
        staging_body(
            image_url=image_url,
            room_type="living",
            style="scandinavian",
            number_of_renders=2,
            callback_url=hook.url_for("callback"),
        )
    )
    assert accepted["status"] == "rendering"
    upload_id = accepted["upload_id"]
    assert art.status_of(upload_id) == "rendering"
    assert hook.received() == []

    # time passes
    emulator.advance(JOB_SECONDS)
    assert art.status_of(upload_id) == "done"

    # the per-request callback: the familiar status + render_urls shape
    [callback] = hook.received("/callback")
    assert callback.headers["content-type"].startswith("application/json")
    assert callback.json["status"] == "done"
    assert set(callback.json) == {"status", "render_urls"}
    render_urls = callback.json["render_urls"]
    assert len(render_urls) == 2

    # the subscription event: the richer payload, same completion
    [event] = hook.received("/events")
    payload = event.json
    assert payload["event"] == "render.succeeded"
    assert payload["upload_id"] == upload_id
    assert payload["tier"] == "classic"
    assert payload["flow"] == "staging"
    assert payload["render_urls"] == render_urls
    completed = assert_iso_timestamp(payload["completed_at"])
    [row] = art.render_rows()
    assert row["id"] == payload["render_run_id"]
    assert row["status"] == "done" and row["source_image_url"] == image_url
    assert assert_iso_timestamp(row["created_at"]) < completed

    # 4. use the render URLs: real images the size of the photo
    for url in render_urls:
        response = art.http.get(url)
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/jpeg"
        img = decode_image(response.content)
        assert img.format == "JPEG"
        assert img.size == (1280, 720)

    # the delivery log agrees: two deliveries, each delivered at the first attempt
    log = emulator.deliveries(SLUG, api_key=art.api_key)
    assert sorted(d["url"] for d in log) == sorted(
        [hook.url_for("callback"), hook.url_for("events")]
    )
    assert all(d["state"] == "delivered" and len(d["attempts"]) == 1 for d in log)


def test_callback_is_retried_with_backoff(
    art: ArtClient, emulator: EmulatorControl, webhook_receiver: WebhookReceiver
):
    hook = webhook_receiver
    hook.fail_first(2, status=500)
    url = art.upload(make_image("JPEG", (1280, 720)))
    upload_id = art.render_ok(staging_body(image_url=url, callback_url=hook.url_for("callback")))[
        "upload_id"
    ]

    emulator.advance(JOB_SECONDS)  # the job ends; attempt 1 fails at once
    emulator.advance(120)  # backoff: attempt 2 fails, attempt 3 succeeds

    received = hook.received("/callback")
    assert [r.answered for r in received] == [500, 500, 200]
    assert len({r.body for r in received}) == 1  # the same payload every time
    assert received[0].json["status"] == "done"

    [delivery] = emulator.deliveries(SLUG, api_key=art.api_key)
    assert delivery["url"] == hook.url_for("callback")
    assert delivery["state"] == "delivered"
    assert delivery["next_attempt_at"] is None
    assert delivery["payload"] == received[0].json
    attempts = delivery["attempts"]
    assert [a["status"] for a in attempts] == [500, 500, 200]
    policy = delivery["policy"]
    first_gap = attempts[1]["at"] - attempts[0]["at"]
    second_gap = attempts[2]["at"] - attempts[1]["at"]
    assert first_gap == pytest.approx(policy["first_delay"])
    assert second_gap == pytest.approx(policy["first_delay"] * policy["factor"])
    assert second_gap > first_gap > 0  # exponential backoff

    # the first attempt went out when the job finished
    [row] = art.render_rows()
    assert row["upload_id"] == upload_id
    finished = assert_iso_timestamp(row["completed_at"]).timestamp()
    assert attempts[0]["at"] == pytest.approx(finished, abs=1.0)
