"""End to end over real HTTP, as an integration would run it: upload a photo, register a webhook
with a local receiver that answers the challenge, run a three-photo workflow, advance the clock,
verify every signed event and decode every output; then a design-agent conversation read as a
stream, event by event, and its render."""

from __future__ import annotations

import hmac
import time
from typing import Any

import pytest

from ..support import EmulatorControl, make_image
from .client import (
    JOB_SECONDS,
    StageProClient,
    expected_signature,
    photo_url,
    sse_events,
)
from .receiver import ChallengeReceiver

pytestmark = pytest.mark.emulator_only


def test_workflow_with_verified_signed_webhooks(
    sp: StageProClient,
    emulator: EmulatorControl,
    receiver: ChallengeReceiver,
    active_endpoint: dict[str, Any],
):
    endpoint = active_endpoint  # registered, challenged and verified
    upload = sp.ok(sp.upload(make_image("JPEG", (1200, 900)), "kitchen.jpg"), 201)

    workflow = sp.ok(
        sp.create_workflow(
            {
                "template": "mls-virtual-stage",
                "listing_id": "MLS-E2E",
                "defaults": {"style": "scandinavian", "options": {"aspect_ratio": "3:2"}},
                "webhook_endpoint_id": endpoint["id"],
                "photos": [
                    {"upload_id": upload["upload_id"], "label": "kitchen", "room_type": "kitchen"},
                    {
                        "image_url": photo_url("living"),
                        "label": "living",
                        "room_type": "living-room",
                    },
                    {"image_url": photo_url("bed"), "label": "bed", "room_type": "bedroom"},
                ],
            }
        ),
        202,
    )
    assert len(workflow["job_ids"]) == 3
    emulator.advance(JOB_SECONDS)

    # deliveries due at one moment go out concurrently: their order of arrival is free
    events = sorted(receiver.events("/hooks"), key=lambda r: r.json["type"] == "batch.completed")
    assert [r.headers["X-StagePro-Event"] for r in events] == ["job.completed"] * 3 + [
        "batch.completed"
    ]
    for request in events:
        signature = expected_signature(endpoint["secret"], request.body)
        assert hmac.compare_digest(request.headers["X-StagePro-Signature"], signature)
        assert abs(int(request.headers["X-StagePro-Timestamp"]) - emulator.now()) < 120
        assert request.json["type"] == request.headers["X-StagePro-Event"]
    batch = events[-1].json["data"]["batch"]
    assert batch["id"] == workflow["batch_id"] and batch["status"] == "completed"
    assert batch["counts"]["completed"] == 3

    jobs = {r.json["data"]["job"]["id"]: r.json["data"]["job"] for r in events[:3]}
    assert set(jobs) == set(workflow["job_ids"])
    for job_id in workflow["job_ids"]:
        job = sp.job(job_id)
        assert job == jobs[job_id] | {"updated_at": job["updated_at"]}
        assert job["metadata"]["listing_id"] == "MLS-E2E"
        [image] = job["output"]["images"]
        picture = sp.fetch(image["url"])
        assert picture.format == "JPEG"
        assert picture.size == (image["width"], image["height"]) == (1536, 1024)
    assert sp.workflow(workflow["workflow_id"])["status"] == "completed"
    log = emulator.deliveries("stagepro", sp.api_key)
    assert sorted(d["state"] for d in log) == ["delivered"] * 4


def test_design_agent_conversation_streamed(sp: StageProClient, emulator: EmulatorControl):
    session = sp.session_ok(image_url=photo_url("living-room"), auto_render=True)
    url = sp.url(f"/agent/sessions/{session['id']}/messages")
    replies = []
    for text in ("What would you change here?", "Let's try japandi with terracotta accents"):
        events = []
        first_at = None
        started = time.monotonic()
        with sp.http.stream(
            "POST", url, json={"message": text, "stream": True}, headers=sp.headers
        ) as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            for name, data in sse_events(response.iter_lines()):
                first_at = first_at or time.monotonic() - started
                events.append((name, data))
        assert first_at is not None and first_at < 1.0
        assert [n for n, _ in events][-2:] == ["message.completed", "done"]
        deltas = "".join(d["delta"] for n, d in events if n == "message.delta")
        completed = events[-2][1]
        assert deltas == completed["message"]["content"]
        replies.append(completed)
    assert replies[0]["readyToRender"] is False and replies[0]["job_id"] is None
    assert "living room" in replies[0]["message"]["content"]
    assert replies[1]["readyToRender"] is True and replies[1]["job_id"]
    assert "japandi" in replies[1]["message"]["content"]
    assert "terracotta" in replies[1]["message"]["content"]
    emulator.advance(JOB_SECONDS)
    job = sp.job(replies[1]["job_id"])
    assert job["status"] == "completed" and job["input"]["style"] == "japandi"
    assert sp.fetch(job["output"]["image_url"]).size == (1536, 1024)
