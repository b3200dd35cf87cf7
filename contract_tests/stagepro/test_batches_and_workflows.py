"""POST /batches, GET /batches/{id}, POST /workflows, GET /workflows/{id} [DOC]; [PROPOSED] shapes,
counts by state and terminal statuses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ..support import EmulatorControl
from .client import TEMPLATES, StageProClient, assert_error, photo_url


def batch_body(*urls: str, **extra: Any) -> dict[str, Any]:
    """[DOC] example: a listing tool over labelled photos."""
    photos = [{"image_url": url, "label": f"photo-{i}"} for i, url in enumerate(urls)]
    return {
        "type": "listing-tool",
        "input": {"listing_tool": "room-declutter"},
        "listing_id": "MLS-8842",
        "photos": photos,
    } | extra


def test_batch_counts_and_labels(sp: StageProClient, emulator: EmulatorControl):
    created = sp.ok(sp.create_batch(batch_body(photo_url("kitchen"), photo_url("living"))), 202)
    assert created["batch_id"].startswith("bat_") and created["status"] == "queued"
    assert created["total"] == 2 and len(created["job_ids"]) == 2
    batch = sp.batch(created["batch_id"])
    assert batch["counts"] == {
        "total": 2,
        "queued": 2,
        "processing": 0,
        "completed": 0,
        "failed": 0,
    }
    assert (batch["object"], batch["type"], batch["listing_id"]) == (
        "batch",
        "listing-tool",
        "MLS-8842",
    )
    emulator.advance(5)
    assert sp.batch(created["batch_id"])["status"] == "processing"
    emulator.advance(40)
    batch = sp.batch(created["batch_id"])
    assert batch["status"] == "completed" and batch["completed_at"] is not None
    assert batch["counts"]["completed"] == 2
    for index, job_id in enumerate(created["job_ids"]):
        job = sp.job(job_id)
        assert job["batch_id"] == created["batch_id"]
        assert job["metadata"] == {
            "listing_id": "MLS-8842",
            "label": f"photo-{index}",
            "photo_index": index,
        }
        assert job["input"]["listing_tool"] == "room-declutter"
    assert sp.usage()["credits"]["used"] == 2
    listed = sp.ok(sp.jobs(listing_id="MLS-8842"))["data"]
    assert {j["id"] for j in listed} == set(created["job_ids"])


@pytest.mark.emulator_only
def test_partially_failed_and_failed_batches(sp: StageProClient, emulator: EmulatorControl):
    partial = sp.ok(sp.create_batch(batch_body(photo_url(), photo_url("emulator-fail"))), 202)
    failed = sp.ok(sp.create_batch(batch_body(photo_url("emulator-fail"))), 202)
    with emulator.fault(vendor="stagepro", operation="create_batch", action="fail_job", times=1):
        ruled = sp.ok(sp.create_batch(batch_body(photo_url(), photo_url())), 202)
    emulator.advance(60)
    assert sp.batch(partial["batch_id"])["status"] == "partially_failed"
    assert sp.batch(partial["batch_id"])["counts"]["failed"] == 1
    assert sp.batch(failed["batch_id"])["status"] == "failed"
    assert sp.batch(ruled["batch_id"])["counts"] | {} == {
        "total": 2,
        "queued": 0,
        "processing": 0,
        "completed": 1,
        "failed": 1,
    }


def test_invalid_batches_name_the_photo(sp: StageProClient):
    body = batch_body(photo_url())
    body["photos"].append({"label": "no image"})
    assert_error(sp.create_batch(body), 400, "validation_error", "photos[1].image_url")
    assert_error(sp.create_batch(batch_body()), 400, "validation_error", "photos")
    staged = {
        "type": "virtual-stage",
        "input": {"style": "modern"},
        "photos": [{"image_url": photo_url()}],
    }
    assert_error(sp.create_batch(staged), 400, "validation_error", "photos[0].room_type")
    too_many = batch_body(*[photo_url() for _ in range(101)])
    assert_error(sp.create_batch(too_many), 400, "validation_error", "photos")
    bad_upload = batch_body() | {"photos": [{"upload_id": "upl_nope"}]}
    assert_error(sp.create_batch(bad_upload), 400, "validation_error", "photos[0].upload_id")
    assert sp.usage()["credits"]["used"] == 0


@pytest.mark.emulator_only
def test_a_batch_is_charged_all_or_nothing(sp_as: Callable[..., StageProClient]):
    low = sp_as("low-credits")  # 2 credits
    body = batch_body(photo_url(), photo_url(), photo_url())
    assert_error(low.create_batch(body), 402, "insufficient_credits")
    assert low.usage()["credits"] == low.usage()["credits"] | {"remaining": 2, "used": 0}
    assert low.ok(low.jobs())["data"] == []


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_each_template_expands_into_a_batch(
    sp: StageProClient, emulator: EmulatorControl, template: str
):
    job_type, tool = TEMPLATES[template]
    body = {
        "template": template,
        "listing_id": "MLS-77",
        "defaults": {"style": "modern", "room_type": "bedroom"},
        "photos": [
            {"image_url": photo_url(), "label": "living", "room_type": "living-room"},
            {"image_url": photo_url(), "label": "bed"},
        ],
    }
    created = sp.ok(sp.create_workflow(body), 202)
    assert created["workflow_id"].startswith("wf_") and created["template"] == template
    assert created["status"] == "queued" and created["batch_id"].startswith("bat_")
    jobs = [sp.job(j) for j in created["job_ids"]]
    assert {j["type"] for j in jobs} == {job_type}
    assert {j["input"].get("listing_tool") for j in jobs} == {tool}
    assert [j["input"]["room_type"] for j in jobs] == ["living-room", "bedroom"]  # photo wins
    assert [j["metadata"]["label"] for j in jobs] == ["living", "bed"]
    assert {j["batch_id"] for j in jobs} == {created["batch_id"]}
    emulator.advance(40)
    workflow = sp.workflow(created["workflow_id"])
    assert workflow["status"] == "completed" and workflow["counts"]["completed"] == 2
    assert sp.batch(created["batch_id"])["workflow_id"] == created["workflow_id"]


def test_invalid_workflows(sp: StageProClient):
    body = {"template": "mls-staging", "photos": [{"image_url": photo_url()}]}
    assert_error(sp.create_workflow(body), 400, "validation_error", "template")
    body = {
        "template": "mls-virtual-stage",
        "photos": [{"image_url": photo_url(), "room_type": "kitchen"}],
    }
    assert_error(sp.create_workflow(body), 400, "validation_error", "defaults.style")
    body["defaults"] = {"style": "gothic"}
    assert_error(sp.create_workflow(body), 400, "validation_error", "defaults.style")
    assert_error(sp.request("GET", "/workflows/wf_nope"), 404, "not_found")
    assert_error(sp.request("GET", "/batches/bat_nope"), 404, "not_found")
