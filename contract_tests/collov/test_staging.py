"""Virtual staging: generateImgOnCommon, getRecord and reGenerateImgOnCommon [DOC], with the
record shapes real clients read [CLIENT]."""

from __future__ import annotations

import re

import pytest

from ..support import OMIT, EmulatorControl, each_documented_value
from .client import ROOM_TYPES, STYLES, CollovClient, ok_data, photo_url, refusal, staging_body

TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
RECORD_KEYS = {"id", "status", "generateUrl", "failReason", "createTime", "durationTime"}

pytestmark = pytest.mark.emulator_only


def test_a_design_goes_from_pending_to_success_with_its_image(collov: CollovClient, finish):
    upload = photo_url()
    uuid_ = collov.generate_ok(uploadUrl=upload, roomType="bedroom", style="scandinavian")
    assert re.fullmatch(r"[0-9a-f]{32}", uuid_)

    pending = collov.record_ok(uuid_)
    assert pending["status"] == "PENDING"
    assert pending["uuid"] == uuid_ and pending["uploadUrl"] == upload
    assert pending["roomType"] == "bedroom" and pending["style"] == "scandinavian"
    assert pending["emptyRoomUrl"] is None and pending["durationTime"] is None
    assert pending["watermark"] is False and pending["proMode"] is False
    [record] = pending["generateRecordList"]
    assert set(record) == RECORD_KEYS
    assert record["status"] == "PENDING" and record["generateUrl"] is None
    assert pending["aiGenerateRecord"] == record

    finish()
    done = collov.record_ok(uuid_)
    assert done["status"] == "SUCCESS" and done["failReason"] is None
    assert isinstance(done["durationTime"], int) and 5 <= done["durationTime"] <= 15
    [record] = done["generateRecordList"]
    assert record["status"] == "SUCCESS" and TIME.match(record["createTime"])
    assert done["aiGenerateRecord"] == record
    img = collov.fetch_image(record["generateUrl"])
    assert img.size[0] > img.size[1] > 0


def test_the_prompt_is_echoed_or_described(collov: CollovClient):
    given = collov.generate_ok(prompt="cosy reading nook by the window", renderingType="realistic")
    assert collov.record_ok(given)["prompt"] == "cosy reading nook by the window"
    described = collov.generate_ok(roomType="home office", style="industrial")
    prompt = collov.record_ok(described)["prompt"]
    assert "home office" in prompt and "industrial" in prompt


def test_room_type_and_style_are_drawn_on_the_result(loaded: CollovClient, finish):
    upload = photo_url()
    uuids = [
        loaded.generate_ok(uploadUrl=upload, roomType="kitchen", style="modern"),
        loaded.generate_ok(uploadUrl=upload, roomType="kitchen", style="luxury"),
        loaded.generate_ok(uploadUrl=upload, roomType="bathroom", style="modern"),
    ]
    finish()
    urls = [loaded.record_ok(u)["aiGenerateRecord"]["generateUrl"] for u in uuids]
    images = [loaded.fetch_image(url).tobytes() for url in urls]
    assert len(set(images)) == 3


def test_staging_over_an_emptied_room(collov: CollovClient, finish):
    room = collov.empty_room_ok()
    finish()
    emptied = ok_data(collov.empty_room_record(id=room))["emptyRoomUrl"]
    uuid_ = collov.generate_ok(emptyRoomUrl=emptied, style="farmhouse")
    assert collov.record_ok(uuid_)["emptyRoomUrl"] == emptied
    finish()
    staged = collov.record_ok(uuid_)["aiGenerateRecord"]["generateUrl"]
    assert collov.fetch_image(staged).size == collov.fetch_image(emptied).size


@each_documented_value(roomType=ROOM_TYPES, style=STYLES)
def test_every_documented_room_type_and_style(loaded: CollovClient, field: str, value: str):
    assert loaded.record_ok(loaded.generate_ok(**{field: value}))[field] == value


@pytest.mark.parametrize(
    ("fields", "mentions"),
    [
        ({"uploadUrl": OMIT}, ["uploadUrl is required"]),
        ({"roomType": OMIT}, ["roomType is required"]),
        ({"style": OMIT}, ["style is required"]),
        ({"roomType": "Living Room"}, ["roomType", "lower case", "living room"]),
        ({"style": "MODERN"}, ["style", "lower case"]),
        ({"roomType": "garage"}, ["roomType", "expected one of", "game room"]),
        ({"style": "baroque"}, ["style", "expected one of", "mid-century"]),
        ({"uploadUrl": "not a url"}, ["uploadUrl"]),
        ({"uploadUrl": "ftp://example.com/a.jpg"}, ["uploadUrl"]),
        ({"uploadUrl": "http://localhost/a.jpg"}, ["uploadUrl", "localhost"]),
        ({"emptyRoomUrl": "http://10.0.0.7/empty.jpg"}, ["emptyRoomUrl"]),
        ({"prompt": "x" * 2001}, ["prompt"]),
    ],
)
def test_each_wrong_field_is_named(collov: CollovClient, fields, mentions):
    refusal(collov.generate(staging_body(**fields)), 400, *mentions)


def test_json_values_of_the_wrong_type_are_named(collov: CollovClient):
    response = collov.generate(staging_body(roomType=3), encoding="json")
    refusal(response, 400, "roomType")
    response = collov.generate(staging_body(uploadUrl=["https://a/b.jpg"]), encoding="json")
    refusal(response, 400, "uploadUrl")


def test_an_empty_optional_field_is_absent(collov: CollovClient):
    uuid_ = collov.generate_ok(emptyRoomUrl="", prompt="")
    assert collov.record_ok(uuid_)["emptyRoomUrl"] is None


def test_unknown_uuid(collov: CollovClient):
    refusal(collov.record("0" * 32), 400, "uuid")
    refusal(collov.record(""), 400, "uuid")
    refusal(collov.request("GET", "/vst/getRecord"), 400, "uuid is required")
    refusal(collov.regenerate("f" * 32), 400, "uuid")


def test_regenerations_append_records_in_request_order(collov: CollovClient, finish):
    uuid_ = collov.generate_ok()
    finish()
    first = collov.record_ok(uuid_)["aiGenerateRecord"]
    assert ok_data(collov.regenerate(uuid_)) == {"uuid": uuid_}
    pending = collov.record_ok(uuid_)
    assert pending["status"] == "PENDING"  # the top level follows the latest generation
    assert [r["status"] for r in pending["generateRecordList"]] == ["SUCCESS", "PENDING"]
    assert pending["generateRecordList"][0] == first
    ok_data(collov.regenerate(uuid_))
    finish()
    done = collov.record_ok(uuid_)
    records = done["generateRecordList"]
    assert [r["id"] for r in records] == [1, 2, 3]
    assert [r["status"] for r in records] == ["SUCCESS"] * 3
    assert done["aiGenerateRecord"] == records[-1]
    assert [r["createTime"] for r in records] == sorted(r["createTime"] for r in records)
    images = {collov.fetch_image(r["generateUrl"]).tobytes() for r in records}
    assert len(images) == 3  # each generation is its own picture


def test_twenty_regenerations_per_source_image_then_a_clear_refusal(loaded: CollovClient):
    uuid_ = loaded.generate_ok()
    for _ in range(20):
        ok_data(loaded.regenerate(uuid_))
    refusal(loaded.regenerate(uuid_), 400, "regeneration", "20", "generateImgOnCommon")
    assert len(loaded.record_ok(uuid_)["generateRecordList"]) == 21
    fresh = loaded.generate_ok()  # a new series starts over
    ok_data(loaded.regenerate(fresh))


def test_a_failing_generation_reports_its_reason(collov: CollovClient, finish):
    uuid_ = collov.generate_ok(uploadUrl=photo_url() + "?emulator-fail")
    assert collov.record_ok(uuid_)["status"] == "PENDING"
    finish()
    failed = collov.record_ok(uuid_)
    assert failed["status"] == "FAILED" and failed["failReason"]
    [record] = failed["generateRecordList"]
    assert record["failReason"] == failed["failReason"] and record["generateUrl"] is None


def test_a_slow_generation_takes_ten_times_as_long(collov: CollovClient, emulator: EmulatorControl):
    uuid_ = collov.generate_ok(uploadUrl=photo_url() + "?emulator-slow")
    emulator.advance(20)
    assert collov.record_ok(uuid_)["status"] == "PENDING"
    emulator.advance(100)
    assert collov.record_ok(uuid_)["status"] == "SUCCESS"


def test_an_unavailable_service_is_503(collov: CollovClient):
    response = collov.generate(staging_body(uploadUrl=photo_url() + "?emulator-unavailable"))
    refusal(response, 503)
