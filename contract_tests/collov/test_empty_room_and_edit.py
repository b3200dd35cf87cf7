"""Room clearing (generateEmptyRoom, getEmptyRoomRecord?id=) and photo chat editing
(edit/generate, polled at edit/getRecord [CLIENT] and at getEmptyRoomRecord?uuid= [DOC])."""

from __future__ import annotations

import re

import pytest

from .client import CollovClient, ok_data, photo_url, refusal

pytestmark = pytest.mark.emulator_only


def test_an_empty_room_has_a_numeric_id_and_both_url_fields(collov: CollovClient, finish):
    upload = photo_url()
    created = ok_data(collov.empty_room({"uploadUrl": upload}))
    assert isinstance(created["id"], int) and not isinstance(created["id"], bool)
    pending = ok_data(collov.empty_room_record(id=created["id"]))
    assert pending["id"] == created["id"] and pending["uploadUrl"] == upload
    assert pending["status"] == "PENDING" and pending["emptyRoomUrl"] is None
    finish()
    done = ok_data(collov.empty_room_record(id=created["id"]))
    assert done["status"] == "SUCCESS" and done["failReason"] is None
    assert done["emptyRoomUrl"] == done["generateUrl"]
    emptied = collov.fetch_image(done["emptyRoomUrl"])
    assert emptied.size[0] > emptied.size[1]


def test_ids_are_distinct_and_increasing(loaded: CollovClient):
    ids = [loaded.empty_room_ok() for _ in range(3)]
    assert ids == sorted(ids) and len(set(ids)) == 3


@pytest.mark.parametrize(
    ("params", "mentions"),
    [
        ({"id": "abc"}, ["id"]),
        ({"id": "-4"}, ["id"]),
        ({"id": "1.5"}, ["id"]),
        ({"id": "1"}, ["id", "no task"]),
        ({}, ["id is required"]),
        ({"uuid": "0" * 32}, ["uuid"]),
    ],
)
def test_bad_empty_room_polls_are_named(collov: CollovClient, params, mentions):
    refusal(collov.empty_room_record(**params), 400, *mentions)


def test_an_empty_room_needs_an_upload_url(collov: CollovClient):
    refusal(collov.empty_room({}), 400, "uploadUrl is required")
    refusal(collov.empty_room({"uploadUrl": "file:///etc/passwd"}), 400, "uploadUrl")


def test_a_failed_empty_room(collov: CollovClient, finish):
    room = collov.empty_room_ok(photo_url("emulator-fail"))
    finish()
    failed = ok_data(collov.empty_room_record(id=room))
    assert failed["status"] == "FAILED" and failed["failReason"]
    assert failed["emptyRoomUrl"] is None and failed["generateUrl"] is None


def test_a_photo_edit_answers_at_both_poll_paths(collov: CollovClient, finish):
    upload = photo_url()
    uuid_ = collov.edit_ok("replace the sofa with a green velvet one", uploadUrl=upload)
    assert re.fullmatch(r"[0-9a-f]{32}", uuid_)
    pending = ok_data(collov.edit_record(uuid_))
    assert pending["status"] == "PENDING" and pending["generateUrl"] is None
    finish()
    done = ok_data(collov.edit_record(uuid_))
    assert done == ok_data(collov.empty_room_record(uuid=uuid_))
    assert done["uuid"] == uuid_ and done["status"] == "SUCCESS"
    assert done["prompt"] == "replace the sofa with a green velvet one"
    assert done["uploadUrl"] == upload and done["failReason"] is None
    collov.fetch_image(done["generateUrl"])


def test_the_edited_picture_shows_its_prompt(loaded: CollovClient, finish):
    upload = photo_url()
    first = loaded.edit_ok("add a fireplace", uploadUrl=upload)
    second = loaded.edit_ok("remove the rug", uploadUrl=upload)
    finish()
    a, b = (
        loaded.fetch_image(ok_data(loaded.edit_record(u))["generateUrl"]) for u in (first, second)
    )
    assert a.size == b.size and a.tobytes() != b.tobytes()


@pytest.mark.parametrize(
    ("body", "mentions"),
    [
        ({"uploadUrl": "https://example.com/a.jpg"}, ["prompt is required"]),
        ({"uploadUrl": "https://example.com/a.jpg", "prompt": ""}, ["prompt"]),
        ({"prompt": "add a lamp"}, ["uploadUrl is required"]),
        ({"uploadUrl": "https://example.com/a.jpg", "prompt": "x" * 2001}, ["prompt"]),
    ],
)
def test_bad_edits_are_named(collov: CollovClient, body, mentions):
    refusal(collov.edit(body), 400, *mentions)


def test_tasks_of_one_kind_are_not_found_as_another(collov: CollovClient):
    design = collov.generate_ok()
    edit = collov.edit_ok()
    refusal(collov.edit_record(design), 400, "uuid")
    refusal(collov.record(edit), 400, "uuid")
    refusal(collov.regenerate(edit), 400, "uuid")
    refusal(collov.empty_room_record(uuid=design), 400, "uuid")
