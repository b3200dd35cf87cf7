"""9. List recent renders (GET /v1/renders) and 10. identity check (GET /v1/me)."""

from __future__ import annotations

import pytest

from ..support import assert_error, assert_iso_timestamp, assert_uuid
from .client import ArtClient, declutter_body, source_url, staging_body

ROW_FIELDS = {
    "id",
    "upload_id",
    "status",
    "tier",
    "flow",
    "room_type",
    "style",
    "source_image_url",
    "render_urls",
    "error",
    "created_at",
    "completed_at",
}

pytestmark = pytest.mark.parametrize("prefix", ["/v1"], indirect=True)  # documented under /v1 only


@pytest.mark.parametrize("limit", ["0", "101", "-1", "abc", "1.5", ""])
def test_limit_out_of_range_is_400(art: ArtClient, limit):
    assert_error(art.renders(limit=limit), 400, "limit")


@pytest.mark.parametrize("status", ["finished", "DONE", "failed", "queued"])
def test_unknown_status_filter_is_400(art: ArtClient, status):
    assert_error(art.renders(status=status), 400, "status")


@pytest.mark.parametrize("limit", ["1", "100"])
def test_limit_bounds_are_accepted(art: ArtClient, limit):
    response = art.renders(limit=limit)
    assert response.status_code == 200, response.text
    assert isinstance(response.json(), list)


@pytest.mark.emulator_only  # a fresh account
def test_new_account_has_no_renders(art: ArtClient):
    assert art.render_rows() == []
    for status in ("done", "error", "rendering"):
        assert art.render_rows(status=status) == []


@pytest.mark.emulator_only
def test_default_limit_25_newest_first(art: ArtClient):
    created = [art.render_ok(staging_body())["upload_id"] for _ in range(27)]
    rows = art.render_rows()
    assert len(rows) == 25
    assert [r["upload_id"] for r in rows] == created[::-1][:25]
    assert [r["upload_id"] for r in art.render_rows(limit=100)] == created[::-1]
    assert [r["upload_id"] for r in art.render_rows(limit=3)] == created[::-1][:3]
    assert [r["upload_id"] for r in art.render_rows(limit=1)] == created[-1:]


@pytest.mark.emulator_only
def test_rows_while_rendering(art: ArtClient):
    body = staging_body(room_type="living", style="modern", tier="premium")
    upload_id = art.render_ok(body)["upload_id"]
    [row] = art.render_rows()
    assert set(row) == ROW_FIELDS, row  # [DOC] response row
    assert_uuid(row["id"])
    assert row["upload_id"] == upload_id
    assert row["status"] == "rendering"
    assert row["tier"] == "premium"
    assert row["flow"] == "staging"
    assert row["room_type"] == "living_room"  # [DOC] example: requested as "living"
    assert row["style"] == "modern"
    assert row["source_image_url"] == body["image_url"]
    assert row["render_urls"] == []
    assert row["error"] is None
    assert_iso_timestamp(row["created_at"])
    assert row["completed_at"] is None


@pytest.mark.emulator_only
def test_status_filter_and_finished_rows(art: ArtClient, finish_jobs):
    done = art.render_ok(staging_body(number_of_renders=2))["upload_id"]
    finish_jobs()
    failed = art.render_ok(staging_body(image_url=source_url("emulator-fail")))["upload_id"]
    finish_jobs()
    rendering = art.declutter_ok(declutter_body())["upload_id"]

    rows = art.render_rows()
    assert [r["upload_id"] for r in rows] == [rendering, failed, done]
    assert all(set(r) == ROW_FIELDS for r in rows)
    [row_done] = art.render_rows(status="done")
    [row_failed] = art.render_rows(status="error")
    [row_rendering] = art.render_rows(status="rendering")
    assert (row_done["upload_id"], row_failed["upload_id"]) == (done, failed)
    assert row_rendering["upload_id"] == rendering

    assert len(row_done["render_urls"]) == 2 and row_done["error"] is None
    created, completed = (assert_iso_timestamp(row_done[k]) for k in ("created_at", "completed_at"))
    assert completed > created
    assert row_failed["render_urls"] == []
    assert isinstance(row_failed["error"], str) and row_failed["error"]
    assert_iso_timestamp(row_failed["completed_at"])
    assert row_rendering["completed_at"] is None
    assert art.render_rows(status="done", limit=1) == [row_done]


@pytest.mark.emulator_only
def test_renders_are_per_account(art: ArtClient, art_as):
    art.render_ok(staging_body())
    assert art_as().render_rows() == []


# 10. Identity


def test_me(art: ArtClient):
    response = art.me()
    assert response.status_code == 200, response.text
    me = response.json()
    assert set(me) == {"user_id", "email", "name"}, me  # [DOC]
    assert all(isinstance(v, str) and v for v in me.values())
    assert_uuid(me["user_id"])
    assert "@" in me["email"]
    assert art.me().json() == me  # stable for the same token
