"""The AI design agent [DOC]: sessions with a 24 h TTL, chat (free) as JSON or server-sent events,
readyToRender, auto_render and /render; [PROPOSED] shapes and SSE events (notes 2.2)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from ..support import EmulatorControl, assert_iso_timestamp, make_image
from .client import StageProClient, assert_error, photo_url, sse_events


def test_session_and_a_question(sp: StageProClient):
    session = sp.session_ok(image_url=photo_url("kitchen"))
    assert session["id"].startswith("ses_") and session["status"] == "active"
    assert session["auto_render"] is False and session["readyToRender"] is False
    assert session["messages"] == []
    lifetime = assert_iso_timestamp(session["expires_at"]) - assert_iso_timestamp(
        session["created_at"]
    )
    assert lifetime.total_seconds() == 24 * 3600
    credits = sp.usage()["credits"]["remaining"]
    reply = sp.ok(sp.message(session["id"], "What would you improve in this room?"))
    assert reply["session_id"] == session["id"] and reply["job_id"] is None
    assert reply["message"]["role"] == "assistant"
    assert "kitchen" in reply["message"]["content"]  # the room in the photo
    assert reply["readyToRender"] is False
    assert sp.usage()["credits"]["remaining"] == credits  # chat is free


def test_naming_a_style_makes_it_ready_and_render_makes_a_job(
    sp: StageProClient, emulator: EmulatorControl
):
    session = sp.session_ok()
    assert_error(sp.render(session["id"]), 409, "not_ready_to_render")
    colour = sp.ok(sp.message(session["id"], "I love sage green"))
    assert "sage green" in colour["message"]["content"] and colour["readyToRender"] is False
    styled = sp.ok(sp.message(session["id"], "Let's go mid-century, please"))
    content = styled["message"]["content"]
    assert "mid century modern" in content and "sage green" in content
    assert "living room" in content and styled["readyToRender"] is True
    assert styled["job_id"] is None  # auto_render is off
    job = sp.ok(sp.render(session["id"], {"job_type": "interior-design"}), 202)
    assert job["type"] == "interior-design" and job["status"] == "queued"
    assert job["input"]["style"] == "mid-century-modern"
    assert job["metadata"]["agent_session_id"] == session["id"]
    assert sp.usage()["credits"]["used"] == 2  # the render costs like any job
    emulator.advance(40)
    assert sp.job(job["id"])["status"] == "completed"


def test_asking_for_the_render_is_enough(sp: StageProClient):
    session = sp.session_ok(image_url=photo_url("bedroom"))
    reply = sp.ok(sp.message(session["id"], "Just render it"))
    assert reply["readyToRender"] is True and "bedroom" in reply["message"]["content"]
    staged = sp.ok(sp.render(session["id"], {"job_type": "virtual-stage"}), 202)
    assert (staged["input"]["style"], staged["input"]["room_type"]) == ("modern", "bedroom")
    edit = sp.ok(sp.render(session["id"], {"job_type": "edit"}), 202)
    assert edit["input"]["prompt"] == "Just render it"
    assert_error(
        sp.render(session["id"], {"job_type": "listing-tool"}), 400, "validation_error", "job_type"
    )


def test_auto_render_queues_the_job(sp: StageProClient, sp_as: Callable[..., StageProClient]):
    session = sp.session_ok(auto_render=True, room_type="dining-room")
    first = sp.ok(sp.message(session["id"], "Any ideas?"))
    assert first["job_id"] is None
    ready = sp.ok(sp.message(session["id"], "Make it coastal"))
    assert ready["readyToRender"] is True and ready["job_id"] is not None
    job = sp.job(ready["job_id"])
    assert (job["input"]["style"], job["input"]["room_type"]) == ("coastal", "dining-room")
    assert job["status"] == "queued"
    broke = sp_as("no-credits")
    poor = broke.session_ok(auto_render=True)
    reply = broke.ok(broke.message(poor["id"], "Scandinavian please"))
    assert reply["readyToRender"] is True and reply["job_id"] is None
    assert reply["render_error"]["code"] == "insufficient_credits"


@pytest.mark.emulator_only
def test_a_session_expires_after_24_hours(sp: StageProClient, emulator: EmulatorControl):
    session = sp.session_ok()
    sp.ok(sp.message(session["id"], "Japandi"))
    emulator.advance(24 * 3600)
    assert_error(sp.message(session["id"], "still there?"), 410, "session_expired")
    assert_error(sp.render(session["id"]), 410, "session_expired")


def test_sessions_from_uploads_and_bad_requests(sp: StageProClient, sp_as: Callable[..., Any]):
    upload = sp.ok(sp.upload(make_image("PNG", (300, 200))), 201)
    session = sp.ok(sp.create_session({"upload_id": upload["upload_id"]}), 201)
    assert session["image_url"] == upload["url"] and session["upload_id"] == upload["upload_id"]
    assert_error(sp.create_session({}), 400, "validation_error", "image_url")
    assert_error(sp.create_session({"upload_id": "upl_x"}), 400, "validation_error", "upload_id")
    bad = {"image_url": photo_url(), "auto_render": "yes", "style": "gothic"}
    assert_error(sp.create_session(bad), 400, "validation_error", "auto_render", "style")
    assert_error(sp.message(session["id"], ""), 400, "validation_error", "message")
    assert_error(sp.message(session["id"], "hi", stream="yes"), 400, "validation_error", "stream")
    assert_error(sp.message("ses_nope", "hi"), 404, "not_found")
    assert_error(sp_as().message(session["id"], "hi"), 404, "not_found")


def test_streamed_reply_arrives_event_by_event(sp: StageProClient):
    session = sp.session_ok(image_url=photo_url("living-room"))
    url = sp.url(f"/agent/sessions/{session['id']}/messages")
    body = {"message": "Make it scandinavian with navy blue accents", "stream": True}
    arrivals: list[tuple[float, str, Any]] = []
    started = time.monotonic()
    with sp.http.stream("POST", url, json=body, headers=sp.headers) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        for event, data in sse_events(response.iter_lines()):
            arrivals.append((time.monotonic() - started, event, data))
    names = [name for _, name, _ in arrivals]
    deltas = [data["delta"] for _, name, data in arrivals if name == "message.delta"]
    assert len(deltas) >= 3 and names[-2:] == ["message.completed", "done"]
    assert names[: len(deltas)] == ["message.delta"] * len(deltas)
    completed = arrivals[-2][2]
    assert "".join(deltas) == completed["message"]["content"]
    assert "scandinavian" in completed["message"]["content"]
    assert "navy blue" in completed["message"]["content"]
    assert completed["readyToRender"] is True and arrivals[-1][2] == {}
    # flushed one by one: the last event comes noticeably after the first
    assert arrivals[-1][0] - arrivals[0][0] > 0.03
    again = sp.ok(sp.render(session["id"]), 202)
    assert again["input"]["style"] == "scandinavian"
