"""End to end, as a real integration would run it: no upload (the photo travels as a data URL),
a webhook secret, furniture removal plus two staging variations reported to a local webhook
receiver, then every signed delivery verified and every result image fetched and decoded."""

from __future__ import annotations

import hmac

import pytest

from ..support import EmulatorControl, WebhookReceiver, jpeg_data_url
from .client import (
    JOB_SECONDS,
    SIGNATURE_HEADER,
    VsaiClient,
    by_type,
    items,
    removal_and_staging,
    sign,
)

pytestmark = pytest.mark.emulator_only


def test_removal_and_staging_with_signed_webhooks(
    vsai: VsaiClient, emulator: EmulatorControl, webhook_receiver: WebhookReceiver
):
    secret = "e2e_Secret-42"
    assert vsai.set_secret(secret).status_code == 200
    hook = webhook_receiver.url_for("vsai/webhook")
    body = {
        "config": removal_and_staging("on", room_type="living", style="scandinavian"),
        "image_url": jpeg_data_url((1280, 720)),
        "variation_count": 2,
        "webhook_url": hook,
    }
    created = vsai.create_ok(body)
    assert created["variations"]["total_count"] == 3
    assert vsai.photos_used() == 1

    emulator.advance(JOB_SECONDS)

    received = webhook_receiver.received("/vsai/webhook")
    assert len(received) == 3
    payloads = []
    for request in received:
        assert hmac.compare_digest(request.headers[SIGNATURE_HEADER], sign(secret, request.body))
        assert request.answered == 200
        payloads.append(request.json)
    assert {p["event_type"] for p in payloads} == {"done"}
    assert {p["render_id"] for p in payloads} == {created["id"]}
    [removal] = [p for p in payloads if p["variation_type"] == "removal"]
    staged = [p for p in payloads if p["variation_type"] == "staging"]
    assert len(staged) == 2
    assert all(p["base_variation_id"] == removal["variation_id"] for p in staged)
    assert removal["timestamp"] < min(p["timestamp"] for p in staged)
    assert len({p["variation_id"] for p in payloads}) == 3

    render = vsai.render_ok(created["id"])
    assert render["eta"] is None
    assert [v["id"] for v in by_type(render, "removal")] == [removal["variation_id"]]
    log = emulator.deliveries("virtualstagingai", vsai.api_key)
    assert sorted(d["state"] for d in log) == ["delivered"] * 3

    for variation in items(render):
        assert variation["status"] == "done"
        [payload] = [p for p in payloads if p["variation_id"] == variation["id"]]
        assert payload["result"] == variation["result"]
        kind, img = vsai.image_at(variation["result"]["url"])
        assert kind == "image/jpeg" and img.format == "JPEG"
        assert img.size == (1536, 864)  # the 16:9 photo at the 1536 px floor
        kind, optimized = vsai.image_at(variation["result"]["optimized_url"])
        assert kind == "image/webp" and optimized.size == img.size
        _, thumb = vsai.image_at(variation["result"]["thumbnail_url"])
        assert max(thumb.size) < 1536
        assert abs(thumb.size[0] / thumb.size[1] - 16 / 9) < 0.02
