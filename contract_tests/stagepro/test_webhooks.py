"""Webhook endpoints [DOC]: registration (session auth, here the API key), the verification
challenge, signed events job.completed, job.failed, batch.completed; [PROPOSED] shapes, signature
schemes and retries (notes 2.2)."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import httpx
import pytest

from emulator.testing import EmulatorServer

from ..support import EmulatorControl
from .client import (
    JOB_SECONDS,
    RETRY_SECONDS,
    StageProClient,
    assert_error,
    expected_signature,
    job_body,
    make_key,
    photo_url,
)
from .receiver import ChallengeReceiver, register_unechoed

pytestmark = pytest.mark.emulator_only


def test_registration_and_verification_challenge(
    sp: StageProClient, receiver: ChallengeReceiver, emulator: EmulatorControl
):
    created = sp.ok(sp.create_webhook({"url": receiver.url_for("hooks")}), 201)
    assert created["id"].startswith("we_") and created["secret"].startswith("whsec_")
    assert created["status"] == "pending_verification"
    assert created["events"] == ["job.completed", "job.failed", "batch.completed"]
    emulator.advance(0)
    [challenge] = receiver.received("/hooks")
    assert challenge.json["type"] == "webhook.verification" and challenge.json["challenge"]
    assert challenge.headers["X-StagePro-Event"] == "webhook.verification"
    signature = expected_signature(created["secret"], challenge.body)
    assert hmac.compare_digest(challenge.headers["X-StagePro-Signature"], signature)
    assert challenge.headers["X-StagePro-Timestamp"].isdigit()
    endpoint = sp.webhook(created["id"])
    assert endpoint["status"] == "active" and endpoint["verified_at"] is not None
    assert endpoint["last_challenge"]["echoed"] is True


def test_the_challenge_is_no_job(
    sp: StageProClient, receiver: ChallengeReceiver, emulator: EmulatorControl
):
    """Registering (and re-verifying) an endpoint sends a challenge, never adds a job."""
    created = sp.ok(sp.create_webhook({"url": receiver.url_for("hooks")}), 201)
    sp.ok(sp.verify_webhook(created["id"]), 202)
    assert emulator.jobs("stagepro", sp.api_key) == []
    emulator.advance(0)
    assert len(receiver.received("/hooks")) == 2
    assert emulator.jobs("stagepro", sp.api_key) == []
    assert sp.ok(sp.jobs())["data"] == [] and sp.usage()["jobs"]["active"] == 0


def test_on_a_real_clock_the_challenge_goes_out_at_once():
    with (
        EmulatorServer(clock="real") as server,
        ChallengeReceiver() as hook,
        httpx.Client() as http,
    ):
        control = EmulatorControl(server.url)
        client = StageProClient(http, control.vendor_root("stagepro"), make_key())
        created = client.ok(client.create_webhook({"url": hook.url_for("h")}), 201)
        [challenge] = hook.wait_for(1, "/h")
        assert challenge.json["type"] == "webhook.verification"
        for _ in range(50):  # the endpoint turns active once the echo is read back
            if client.webhook(created["id"])["status"] == "active":
                break
            hook.wait_for(2, "/h", timeout=0.05)
        assert client.webhook(created["id"])["status"] == "active"
        assert control.jobs("stagepro") == []
        control.close()


def test_an_endpoint_that_does_not_echo_stays_unverified(
    sp: StageProClient, emulator: EmulatorControl
):
    with ChallengeReceiver(echo=False) as silent:
        created = register_unechoed(sp, emulator, silent, "x")
        body = job_body() | {"webhook_endpoint_id": created["id"]}
        error = assert_error(sp.create_job(body), 400, "validation_error", "webhook_endpoint_id")
        assert "verification" in error["message"]
        silent.echo = True
        assert sp.ok(sp.verify_webhook(created["id"]), 202)["id"] == created["id"]
        emulator.advance(0)
        assert len(silent.received("/x")) == 2
        assert sp.webhook(created["id"])["status"] == "active"
        sp.create_job_ok(body)


@pytest.mark.emulator_only
def test_an_echo_past_64_kib_is_no_echo(sp: StageProClient, emulator: EmulatorControl):
    """[EMULATOR] the challenge answer is read up to 64 KiB, never whole."""
    with ChallengeReceiver(pad=1024 * 1024) as padded:
        register_unechoed(sp, emulator, padded, "padded")
        padded.pad = 1024
        created = sp.ok(sp.create_webhook({"url": padded.url_for("short")}), 201)
        emulator.advance(0)
        assert sp.webhook(created["id"])["status"] == "active"


def test_unreachable_endpoint_records_the_error(sp: StageProClient, emulator: EmulatorControl):
    created = sp.ok(sp.create_webhook({"url": "http://127.0.0.1:9/closed"}), 201)
    emulator.advance(0)
    endpoint = sp.webhook(created["id"])
    assert endpoint["status"] == "pending_verification"
    assert endpoint["last_challenge"]["error"]


def test_invalid_registrations(sp: StageProClient):
    assert_error(sp.create_webhook({"url": "ftp://x"}), 400, "validation_error", "url")
    assert_error(sp.create_webhook({}), 400, "validation_error", "url")
    bad = {"url": "https://example.com/h", "events": ["job.started"]}
    assert_error(sp.create_webhook(bad), 400, "validation_error", "events[0]")
    unknown = job_body() | {"webhook_endpoint_id": "we_nope"}
    assert_error(sp.create_job(unknown), 400, "validation_error", "webhook_endpoint_id")


def test_signed_job_events_with_retries(
    sp: StageProClient,
    receiver: ChallengeReceiver,
    emulator: EmulatorControl,
    active_endpoint: dict[str, Any],
):
    hook = active_endpoint["id"]
    done = sp.create_job_ok(job_body() | {"webhook_endpoint_id": hook})
    sp.create_job_ok(job_body(image_url=photo_url("emulator-fail")) | {"webhook_endpoint_id": hook})
    assert done["webhook_endpoint_id"] == hook
    receiver.fail_first(2, status=500)
    emulator.advance(JOB_SECONDS + RETRY_SECONDS)
    events = receiver.events("/hooks")
    delivered = [r for r in events if r.answered == 200]
    assert len(delivered) == 2 and len(events) == 4  # two failures retried
    by_type = {r.json["type"]: r for r in delivered}
    assert set(by_type) == {"job.completed", "job.failed"}
    for request in delivered:
        signature = expected_signature(active_endpoint["secret"], request.body)
        assert hmac.compare_digest(request.headers["X-StagePro-Signature"], signature)
        assert request.headers["X-StagePro-Event"] == request.json["type"]
        assert request.json["id"].startswith("evt_")
    assert by_type["job.completed"].json["data"]["job"]["id"] == done["id"]
    assert by_type["job.completed"].json["data"]["job"]["status"] == "completed"
    assert by_type["job.failed"].json["data"]["job"]["error"]["code"] == "generation_failed"
    log = emulator.deliveries("stagepro", sp.api_key)
    assert sorted(d["state"] for d in log) == ["delivered", "delivered"]
    assert sum(len(d["attempts"]) for d in log) == 4


def test_events_filter_and_delete(
    sp: StageProClient, receiver: ChallengeReceiver, emulator: EmulatorControl
):
    only_failures = {"url": receiver.url_for("failures"), "events": ["job.failed"]}
    created = sp.ok(sp.create_webhook(only_failures), 201)
    emulator.advance(0)
    body = job_body() | {"webhook_endpoint_id": created["id"]}
    sp.create_job_ok(body)
    failing = job_body(image_url=photo_url("emulator-fail"))
    sp.create_job_ok(failing | {"webhook_endpoint_id": created["id"]})
    emulator.advance(JOB_SECONDS)
    assert [r.json["type"] for r in receiver.events("/failures")] == ["job.failed"]
    deleted = sp.ok(sp.delete_webhook(created["id"]))
    assert deleted == {"id": created["id"], "object": "webhook_endpoint", "deleted": True}
    assert_error(sp.delete_webhook(created["id"]), 404, "not_found")
    assert_error(sp.create_job(body), 400, "validation_error", "webhook_endpoint_id")
    assert sp.webhooks()["data"] == []


@pytest.mark.parametrize("scheme", ["sha256", "stripe"])
def test_alternative_signature_schemes(scheme: str):
    """Vendor option `signature_scheme` ([PROPOSED] the two alternatives of notes 2.2)."""
    options = {"stagepro": {"signature_scheme": scheme}}
    with (
        EmulatorServer(vendor_options=options) as server,
        ChallengeReceiver() as hook,
        httpx.Client() as http,
    ):
        control = EmulatorControl(server.url)
        client = StageProClient(http, control.vendor_root("stagepro"), make_key())
        created = client.ok(client.create_webhook({"url": hook.url_for("h")}), 201)
        control.advance(0)
        client.create_job_ok(job_body() | {"webhook_endpoint_id": created["id"]})
        control.advance(JOB_SECONDS)
        control.close()
        requests = hook.received("/h")
        assert [r.headers["X-StagePro-Event"] for r in requests] == [
            "webhook.verification",
            "job.completed",
        ]
        secret = created["secret"].encode()
        for request in requests:
            header = request.headers["X-StagePro-Signature"]
            if scheme == "sha256":
                digest = hmac.new(secret, request.body, hashlib.sha256).hexdigest()
                assert header == f"sha256={digest}"
            else:
                parts = dict(item.split("=", 1) for item in header.split(","))
                assert parts["t"] == request.headers["X-StagePro-Timestamp"]
                signed = parts["t"].encode() + b"." + request.body
                assert parts["v1"] == hmac.new(secret, signed, hashlib.sha256).hexdigest()
        assert json.loads(requests[1].body)["type"] == "job.completed"
