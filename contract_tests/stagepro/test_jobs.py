"""POST /jobs, GET /jobs/{id}, GET /jobs, regenerate: types, validation, timeline, outputs, credits,
idempotency, test keys, concurrency."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ..support import EmulatorControl, assert_iso_timestamp
from .client import (
    ASPECT_SIZES,
    JOB_SECONDS,
    LISTING_TOOLS,
    OUTPUT_LONG_EDGE,
    StageProClient,
    assert_error,
    job_body,
    photo_url,
)

JOB_FIELDS = {
    "id",
    "object",
    "type",
    "status",
    "input",
    "output",
    "error",
    "metadata",
    "batch_id",
    "parent_job_id",
    "idempotency_key",
    "webhook_endpoint_id",
    "credits_charged",
    "livemode",
    "created_at",
    "updated_at",
    "completed_at",
}


@pytest.mark.parametrize(
    "job_type", ["empty-room", "virtual-stage", "interior-design", "edit", "listing-tool"]
)
def test_every_job_type_is_queued_then_completes(
    sp: StageProClient, emulator: EmulatorControl, job_type: str
):
    job = sp.create_job_ok(job_body(job_type) | {"metadata": {"listing_id": "MLS-1", "n": 1}})
    assert set(job) == JOB_FIELDS
    assert job["id"].startswith("job_") and job["object"] == "job"
    assert (job["type"], job["status"], job["output"], job["error"]) == (
        job_type,
        "queued",
        None,
        None,
    )
    assert job["metadata"] == {"listing_id": "MLS-1", "n": 1}
    assert job["livemode"] is True and job["credits_charged"] >= 1
    assert_iso_timestamp(job["created_at"])

    emulator.advance(5)
    assert sp.job(job["id"])["status"] == "processing"
    emulator.advance(JOB_SECONDS)
    done = sp.job(job["id"])
    assert done["status"] == "completed" and done["metadata"] == job["metadata"]
    elapsed = assert_iso_timestamp(done["completed_at"]) - assert_iso_timestamp(done["created_at"])
    assert 10 <= elapsed.total_seconds() <= 30  # [DOC] "typical jobs complete in 10-30 seconds"
    [image] = done["output"]["images"]
    assert done["output"]["image_url"] == image["url"]
    picture = sp.fetch(image["url"])
    assert picture.size == (image["width"], image["height"])
    assert max(picture.size) == OUTPUT_LONG_EDGE


@pytest.mark.parametrize("aspect", sorted(ASPECT_SIZES))
def test_aspect_ratio_shapes_the_output(sp: StageProClient, finish: Callable[[], Any], aspect: str):
    job = sp.create_job_ok(job_body(options={"aspect_ratio": aspect, "creativity": 5}))
    finish()
    [image] = sp.job(job["id"])["output"]["images"]
    assert (image["width"], image["height"]) == ASPECT_SIZES[aspect]
    assert sp.fetch(image["url"]).size == ASPECT_SIZES[aspect]


@pytest.mark.parametrize("tool", LISTING_TOOLS)
def test_every_listing_tool_runs_and_costs_its_credits(sp: StageProClient, tool: str):
    costs = {t["slug"]: t["credits"] for t in sp.ok(sp.capabilities())["listing_tools"]}
    job = sp.create_job_ok(job_body("listing-tool", listing_tool=tool))
    assert job["credits_charged"] == costs[tool]
    assert sp.usage()["credits"]["used"] == costs[tool]


@pytest.mark.parametrize(
    "body, fields",
    [
        (job_body(style="victorian"), ["input.style"]),
        (job_body(room_type="garage"), ["input.room_type"]),
        (job_body(options={"creativity": 6}), ["input.options.creativity"]),
        (job_body(options={"aspect_ratio": "2:1"}), ["input.options.aspect_ratio"]),
        (job_body("edit", prompt=None), ["input.prompt"]),
        (job_body("listing-tool", listing_tool="teleporter"), ["input.listing_tool"]),
        (job_body("virtual-stage", style=None, room_type=None), ["input.style", "input.room_type"]),
        (job_body(image_url=None), ["input.image_url"]),
        ({"type": "restage", "input": {"image_url": photo_url()}}, ["type"]),
        ({"input": {"image_url": photo_url()}}, ["type"]),
        (job_body() | {"metadata": "MLS-1"}, ["metadata"]),
        (job_body(image_url="ftp://example.com/a.jpg"), ["input.image_url"]),
        (job_body(image_url="http://localhost/a.jpg"), ["input.image_url"]),
    ],
)
def test_invalid_bodies_name_each_field(
    sp: StageProClient, body: dict[str, Any], fields: list[str]
):
    assert_error(sp.create_job(body), 400, "validation_error", *fields)
    assert sp.usage()["credits"]["used"] == 0


@pytest.mark.parametrize(
    "tool, name", [("furniture-try-on", "Furniture Try-On"), ("magic-editor", "Magic Editor")]
)
def test_app_only_tools_are_refused_clearly(sp: StageProClient, tool: str, name: str):
    error = assert_error(
        sp.create_job(job_body("listing-tool", listing_tool=tool)),
        400,
        "validation_error",
        "input.listing_tool",
    )
    assert name in error["message"] and "app-only" in error["message"]


def test_not_json_is_a_400_in_the_envelope(sp: StageProClient):
    response = sp.request(
        "POST", "/jobs", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400, "validation_error")
    assert_error(sp.create_job([1, 2]), 400, "validation_error")


@pytest.mark.emulator_only
def test_failing_job_has_an_error_code_and_message(sp: StageProClient, finish: Callable[[], Any]):
    job = sp.create_job_ok(job_body(image_url=photo_url("emulator-fail")))
    finish()
    failed = sp.job(job["id"])
    assert failed["status"] == "failed" and failed["output"] is None
    assert failed["error"]["code"] == "generation_failed" and failed["error"]["message"]
    assert failed["completed_at"] is not None


@pytest.mark.emulator_only
def test_fault_rules_fail_a_job_or_answer_an_error(
    sp: StageProClient, emulator: EmulatorControl, finish: Callable[[], Any]
):
    with emulator.fault(vendor="stagepro", operation="create_job", action="fail_job", times=1):
        job = sp.create_job_ok(job_body())
    with emulator.fault(vendor="stagepro", operation="create_job", status=429, times=1):
        assert_error(sp.create_job(job_body()), 429, "rate_limited")
    finish()
    assert sp.job(job["id"])["status"] == "failed"
    assert_error(
        sp.create_job(job_body(image_url=photo_url("emulator-unavailable"))),
        503,
        "service_unavailable",
    )


@pytest.mark.emulator_only
def test_credits_are_charged_and_402_when_short(sp_as: Callable[..., StageProClient]):
    low = sp_as("low-credits")  # 2 credits
    assert low.create_job_ok(job_body("virtual-stage"))["credits_charged"] == 2
    error = assert_error(low.create_job(job_body("empty-room")), 402, "insufficient_credits")
    assert "credits" in error["message"]
    usage = low.usage()["credits"]
    assert (usage["remaining"], usage["used"], usage["included"]) == (0, 2, 2)


@pytest.mark.emulator_only
def test_test_keys_are_quick_free_and_not_live(
    sp_as: Callable[..., StageProClient], emulator: EmulatorControl
):
    test = sp_as("no-credits", mode="test")
    job = test.create_job_ok(job_body("interior-design"))
    assert job["livemode"] is False and job["credits_charged"] == 0
    emulator.advance(3)  # [PROPOSED] "about 2 s"
    done = test.job(job["id"])
    assert done["status"] == "completed"
    assert test.fetch(done["output"]["image_url"]).size[0] == OUTPUT_LONG_EDGE
    assert test.usage()["credits"]["used"] == 0 and test.usage()["livemode"] is False


def test_idempotency_key_replays_or_conflicts(
    sp: StageProClient, sp_as: Callable[..., StageProClient]
):
    body = job_body() | {"idempotency_key": "listing-1-photo-1-v1"}
    first = sp.create_job_ok(body)
    again = sp.create_job(body)
    assert again.status_code == 200 and again.json()["id"] == first["id"]
    assert again.json()["idempotency_key"] == "listing-1-photo-1-v1"
    changed = body | {"metadata": {"photo_index": 2}}
    assert_error(sp.create_job(changed), 409, "idempotency_conflict")
    assert sp.usage()["credits"]["used"] == first["credits_charged"]
    other = sp_as().create_job(body)  # keys are per account
    assert other.status_code == 202 and other.json()["id"] != first["id"]


def test_list_by_listing_with_cursor_pagination(sp: StageProClient):
    ids = [
        sp.create_job_ok(job_body("empty-room") | {"metadata": {"listing_id": "MLS-8842"}})["id"]
        for _ in range(5)
    ]
    sp.create_job_ok(job_body("empty-room") | {"metadata": {"listing_id": "MLS-other"}})
    seen, cursor = [], None
    while True:
        params = {"listing_id": "MLS-8842", "limit": 2} | ({"cursor": cursor} if cursor else {})
        page = sp.ok(sp.jobs(**params))
        assert page["object"] == "list" and len(page["data"]) <= 2
        seen += [j["id"] for j in page["data"]]
        if not page["has_more"]:
            assert page["next_cursor"] is None
            break
        cursor = page["next_cursor"]
    assert seen == list(reversed(ids))  # newest first
    assert len(sp.ok(sp.jobs())["data"]) == 6
    for params, field in [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "x"}, "limit"),
        ({"cursor": "job_nope"}, "cursor"),
    ]:
        assert_error(sp.jobs(**params), 400, "validation_error", field)


def test_unknown_or_foreign_job_is_404(sp: StageProClient, sp_as: Callable[..., StageProClient]):
    job = sp.create_job_ok(job_body())
    assert_error(sp_as().request("GET", f"/jobs/{job['id']}"), 404, "not_found")
    assert_error(sp.request("GET", "/jobs/job_missing"), 404, "not_found")


def test_regenerate_needs_a_completed_job(sp: StageProClient, finish: Callable[[], Any]):
    job = sp.create_job_ok(job_body(options={"aspect_ratio": "1:1"}))
    assert_error(sp.regenerate(job["id"]), 409, "job_not_completed")
    finish()
    again = sp.ok(sp.regenerate(job["id"]), 202)
    assert again["parent_job_id"] == job["id"] and again["status"] == "queued"
    assert again["input"] == job["input"] and again["type"] == job["type"]
    finish()
    first, second = sp.job(job["id"]), sp.job(again["id"])
    assert second["status"] == "completed"
    a = sp.http.get(first["output"]["image_url"]).content
    b = sp.http.get(second["output"]["image_url"]).content
    assert a != b and sp.fetch(second["output"]["image_url"]).size == (1536, 1536)
    assert sp.usage()["credits"]["used"] == 4


@pytest.mark.emulator_only
def test_concurrency_keeps_extra_jobs_queued(sp: StageProClient, emulator: EmulatorControl):
    emulator.set_account("stagepro", sp.api_key, meters={"concurrency": 2})
    assert sp.usage()["plan"]["concurrency"] == 2
    jobs = [sp.create_job_ok(job_body("listing-tool"))["id"] for _ in range(3)]
    emulator.advance(3)
    assert [sp.job(j)["status"] for j in jobs] == ["processing", "processing", "queued"]
    emulator.advance(JOB_SECONDS)
    third = sp.job(jobs[2])
    assert third["status"] == "completed"
    firsts = [assert_iso_timestamp(sp.job(j)["completed_at"]) for j in jobs[:2]]
    assert assert_iso_timestamp(third["updated_at"]) >= min(firsts)


@pytest.mark.emulator_only
def test_default_plan_concurrency_from_the_notes(
    sp: StageProClient, sp_as: Callable[..., StageProClient]
):
    usage = sp.usage()
    assert usage["plan"] == {"name": "pro", "status": "active", "concurrency": 5}
    assert sp_as("plan-enterprise").usage()["plan"]["concurrency"] == 20


def test_recommended_workflow_empty_room_then_virtual_stage(
    sp: StageProClient, finish: Callable[[], Any]
):
    """[DOC] "Recommended staging workflow": empty-room, then virtual-stage over its output."""
    original = photo_url("original")
    cleared = sp.create_job_ok(job_body("empty-room", image_url=original))
    early = job_body(image_url=original, empty_room_url="")
    assert_error(sp.create_job(early), 400, "validation_error", "input.empty_room_url")
    finish()
    empty_url = sp.job(cleared["id"])["output"]["image_url"]
    staged = sp.create_job_ok(job_body(image_url=original, empty_room_url=empty_url))
    assert staged["input"]["empty_room_url"] == empty_url
    finish()
    done = sp.job(staged["id"])
    assert done["status"] == "completed"
    assert sp.fetch(done["output"]["image_url"]).size == (1536, 1024)


@pytest.mark.emulator_only
def test_a_render_url_is_not_a_source_before_its_job_is_done(
    sp: StageProClient, emulator: EmulatorControl
):
    cleared = sp.create_job_ok(job_body("empty-room"))
    planned_url = next(
        j for j in emulator.jobs("stagepro", sp.api_key) if j["id"] == cleared["id"]
    )["output_urls"][0]
    error = assert_error(
        sp.create_job(job_body(empty_room_url=planned_url)),
        400,
        "validation_error",
        "input.empty_room_url",
    )
    assert "not available yet" in error["message"]


def test_list_pages_hold_20_jobs_by_default(sp_as: Callable[..., StageProClient]):
    tester = sp_as(mode="test")  # test-mode jobs: free and quick
    ids = [tester.create_job_ok(job_body("empty-room"))["id"] for _ in range(21)]
    page = tester.ok(tester.jobs())
    assert len(page["data"]) == 20 and page["has_more"] is True
    assert page["next_cursor"] == ids[1]
    rest = tester.ok(tester.jobs(cursor=page["next_cursor"]))
    assert [j["id"] for j in rest["data"]] == [ids[0]] and rest["has_more"] is False
