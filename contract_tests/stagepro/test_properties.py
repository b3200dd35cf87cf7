"""Property tests of POST /jobs, generated from GET /capabilities: valid bodies give 202 and a queued
job that echoes its input and costs what the capabilities say; a body with one wrong field gives a
400 whose `details` name that field; nothing gives a 500 or charges credits when refused."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ..conftest import Target
from ..support import contract_settings, json_except, json_scalars, json_values, safe_text
from .client import SLUG, StageProClient, assert_error


@pytest.fixture
def sp(sp: StageProClient, target: Target) -> StageProClient:
    """One key sends hundreds of requests a minute here: on the emulator its account's rate
    limit is turned off (meter `rate_limit_per_minute: 0`); test_rate_limit.py tests the limit."""
    if target.emulator is not None:
        target.emulator.set_account(SLUG, sp.api_key, meters={"rate_limit_per_minute": 0})
    return sp


@pytest.fixture
def caps(sp: StageProClient) -> dict[str, Any]:
    return sp.ok(sp.capabilities())


@st.composite
def valid_bodies(draw, caps: dict[str, Any]) -> dict[str, Any]:
    job_type = draw(st.sampled_from(caps["job_types"]))
    given: dict[str, Any] = {
        "image_url": f"https://images.example.com/p/{uuid.uuid4().hex}.jpg",
    }
    styles, rooms = st.sampled_from(caps["styles"]), st.sampled_from(caps["room_types"])
    if job_type in ("virtual-stage", "interior-design") or draw(st.booleans()):
        given["style"] = draw(styles)
    if job_type == "virtual-stage" or draw(st.booleans()):
        given["room_type"] = draw(rooms)
    if job_type == "edit":
        given["prompt"] = draw(
            st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=80)
        )
    if job_type == "listing-tool":
        given["listing_tool"] = draw(st.sampled_from([t["slug"] for t in caps["listing_tools"]]))
    if draw(st.booleans()):
        options = caps["options"]
        given["options"] = {}
        if draw(st.booleans()):
            creativity = options["creativity"]
            given["options"]["creativity"] = draw(st.integers(creativity["min"], creativity["max"]))
        if draw(st.booleans()):
            given["options"]["aspect_ratio"] = draw(st.sampled_from(options["aspect_ratio"]))
    body: dict[str, Any] = {"type": job_type, "input": given}
    if draw(st.booleans()):
        body["metadata"] = draw(st.dictionaries(safe_text, json_scalars, max_size=4))
    if draw(st.booleans()):
        body["idempotency_key"] = uuid.uuid4().hex
    return body


def cost(caps: dict[str, Any], body: dict[str, Any]) -> int:
    if body["type"] == "listing-tool":
        return next(
            t["credits"]
            for t in caps["listing_tools"]
            if t["slug"] == body["input"]["listing_tool"]
        )
    return caps["credits"][body["type"]]


@contract_settings(40)
@given(data=st.data())
def test_valid_bodies_are_queued(sp: StageProClient, caps: dict[str, Any], data: st.DataObject):
    body = data.draw(valid_bodies(caps))
    before = sp.usage()["credits"]["used"]
    job = sp.create_job_ok(body)
    assert job["status"] == "queued" and job["type"] == body["type"]
    for name, value in body["input"].items():
        if name != "options":
            assert job["input"][name] == value
    for name, value in body["input"].get("options", {}).items():
        assert job["input"]["options"][name] == value
    assert job["metadata"] == body.get("metadata", {})
    assert job["credits_charged"] == cost(caps, body)
    assert sp.usage()["credits"]["used"] == before + cost(caps, body)


@st.composite
def invalid_bodies(draw, caps: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """A valid body with exactly one field made wrong, and that field's path."""
    body = draw(valid_bodies(caps))
    given = body["input"]
    choice = draw(
        st.sampled_from(
            [
                "type",
                "style",
                "room_type",
                "creativity",
                "aspect_ratio",
                "image_url",
                "metadata",
                "idempotency_key",
                "listing_tool",
                "input",
            ]
        )
    )
    if choice == "type":
        body["type"] = draw(json_except(*caps["job_types"]))
        return body, "type"
    if choice == "input":
        body["input"] = draw(json_values.filter(lambda v: not isinstance(v, dict)))
        return body, "input"
    if choice in ("style", "room_type"):
        allowed = caps["styles"] if choice == "style" else caps["room_types"]
        given[choice] = draw(json_except(*allowed, None))
        return body, f"input.{choice}"
    if choice in ("creativity", "aspect_ratio"):
        options = caps["options"]
        valid = range(options["creativity"]["min"], options["creativity"]["max"] + 1)
        wrong = (
            json_except(*valid) if choice == "creativity" else json_except(*options["aspect_ratio"])
        )
        given["options"] = dict(given.get("options", {})) | {choice: draw(wrong)}
        return body, f"input.options.{choice}"
    if choice == "image_url":
        given["image_url"] = draw(
            json_values.filter(lambda v: not isinstance(v, str) and v is not None)
            | st.sampled_from(["", "not a url", "ftp://x/y.jpg", "http://10.0.0.1/a.jpg"])
        )
        return body, "input.image_url"
    if choice == "metadata":
        body["metadata"] = draw(
            json_values.filter(lambda v: not isinstance(v, dict) and v is not None)
        )
        return body, "metadata"
    if choice == "idempotency_key":
        body["idempotency_key"] = draw(
            json_values.filter(lambda v: not isinstance(v, str) and v is not None) | st.just("")
        )
        return body, "idempotency_key"
    body["type"] = "listing-tool"
    tools = [t["slug"] for t in caps["listing_tools"]]
    given["listing_tool"] = draw(json_except(*tools, None))
    return body, "input.listing_tool"


@contract_settings(60)
@given(data=st.data())
def test_one_wrong_field_is_named(sp: StageProClient, caps: dict[str, Any], data: st.DataObject):
    body, field = data.draw(invalid_bodies(caps))
    error = assert_error(sp.create_job(body), 400, "validation_error")
    assert field in [d["field"] for d in error["details"]], (field, error)


@contract_settings(40)
@given(body=json_values)
def test_any_json_is_answered_in_the_envelope(sp: StageProClient, body: Any):
    response = sp.create_job(body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "validation_error"


@st.composite
def workflow_bodies(draw, caps: dict[str, Any]) -> dict[str, Any]:
    """A valid POST /workflows body: any template, defaults that satisfy it, 1-4 photos."""
    template = draw(st.sampled_from([t["template"] for t in caps["workflow_templates"]]))
    defaults: dict[str, Any] = {"style": draw(st.sampled_from(caps["styles"]))}
    if draw(st.booleans()):
        defaults["room_type"] = draw(st.sampled_from(caps["room_types"]))
    photos = []
    for _ in range(draw(st.integers(1, 4))):
        photo: dict[str, Any] = {
            "image_url": f"https://images.example.com/w/{uuid.uuid4().hex}.jpg"
        }
        if "room_type" not in defaults or draw(st.booleans()):
            photo["room_type"] = draw(st.sampled_from(caps["room_types"]))
        if draw(st.booleans()):
            photo["label"] = draw(safe_text)
        photos.append(photo)
    return {"template": template, "listing_id": "MLS-P", "defaults": defaults, "photos": photos}


@contract_settings(15)
@given(data=st.data())
def test_valid_workflows_expand(sp: StageProClient, caps: dict[str, Any], data: st.DataObject):
    body = data.draw(workflow_bodies(caps))
    created = sp.ok(sp.create_workflow(body), 202)
    job_type = next(
        t["job_type"] for t in caps["workflow_templates"] if t["template"] == body["template"]
    )
    assert len(created["job_ids"]) == len(body["photos"])
    for job_id, photo in zip(created["job_ids"], body["photos"], strict=True):
        job = sp.job(job_id)
        assert job["type"] == job_type and job["batch_id"] == created["batch_id"]
        room = photo.get("room_type", body["defaults"].get("room_type"))
        assert job["input"]["room_type"] == room
        assert job["metadata"].get("label") == photo.get("label")


@contract_settings(30)
@given(data=st.data())
def test_a_wrong_photo_is_named(sp: StageProClient, caps: dict[str, Any], data: st.DataObject):
    body = data.draw(workflow_bodies(caps))
    index = data.draw(st.integers(0, len(body["photos"]) - 1))
    field = data.draw(st.sampled_from(["image_url", "room_type", "style", "label"]))
    photo = body["photos"][index]
    if field == "image_url":
        photo["image_url"] = data.draw(
            json_values.filter(lambda v: not isinstance(v, str) and v is not None)
        )
    elif field == "label":
        photo["label"] = data.draw(
            json_values.filter(lambda v: not isinstance(v, str) and v is not None)
        )
    else:
        allowed = caps["styles"] if field == "style" else caps["room_types"]
        photo[field] = data.draw(json_except(*allowed, None))
    error = assert_error(sp.create_workflow(body), 400, "validation_error")
    assert f"photos[{index}].{field}" in [d["field"] for d in error["details"]], error
    assert sp.usage()["credits"]["used"] == 0
