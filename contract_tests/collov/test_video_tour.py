"""The AI virtual tour: vgs/task and vgs/loadVideoInfo [DOC]; the video is a real MP4 (H.264) at
the asked resolution and orientation."""

from __future__ import annotations

import json

import pytest

from ..support import DEEP_JSON, OMIT, each_documented_value
from .client import FONTS, FRAME_SIZES, MUSIC, CollovClient, ok_data, photo_url, refusal, tour_body

pytestmark = pytest.mark.emulator_only

# [PROPOSED] 12 frames per second, 2.5 s per photo
FPS, SECONDS_PER_PHOTO = 12, 2.5


def test_a_tour_goes_from_pending_to_a_playable_video(collov: CollovClient, finish):
    task_id = collov.tour_ok(
        photos=2,
        resolution="720p",
        orientation="Portrait",
        intro="Welcome to 12 Oak Street",
        agentName="Jane Agent",
        phoneNumber="+1 555 0100",
        email="jane@example.com",
        font="Montserrat",
        music="Waterfall",
    )
    pending = collov.video_info_ok(task_id)
    assert pending["taskId"] == task_id and pending["status"] == "PENDING"
    assert pending["videoUrl"] is None and pending["coverUrl"] is None
    assert pending["resolution"] == "720p" and pending["orientation"] == "Portrait"
    assert pending["font"] == "Montserrat" and pending["music"] == "Waterfall"
    finish()
    done = collov.video_info_ok(task_id)
    assert done["status"] == "SUCCESS" and done["failReason"] is None
    assert done["videoDuration"] == pytest.approx(2 * SECONDS_PER_PHOTO)
    video = collov.fetch_video(done["videoUrl"])
    assert video["codec"] == "h264" and video["pix_fmt"] == "yuv420p"
    assert video["size"] == (720, 1280)
    assert video["frames"] == 2 * SECONDS_PER_PHOTO * FPS
    assert video["duration"] == pytest.approx(2 * SECONDS_PER_PHOTO, abs=0.1)
    assert video["audio"] == ["aac"]
    cover = collov.fetch_image(done["coverUrl"])
    assert cover.size == (720, 1280)


@pytest.mark.parametrize("orientation", ["Landscape", "Square"])
def test_orientations_at_720p(collov: CollovClient, finish, orientation):
    task_id = collov.tour_ok(photos=1, orientation=orientation)
    finish()
    video = collov.fetch_video(collov.video_info_ok(task_id)["videoUrl"])
    assert video["size"] == FRAME_SIZES[("720p", orientation)]
    assert video["audio"] == []  # no music asked, no sound track [PROPOSED]


def test_images_travel_in_every_encoding(loaded: CollovClient):
    body = tour_body(photos=2)
    for encoding in ("multipart", "form", "json"):
        ok_data(loaded.tour(body, encoding=encoding))
    # a JSON body may also carry the array as text, as a form does
    ok_data(loaded.tour(body | {"images": json.dumps(body["images"])}, encoding="json"))
    # repeated form fields, one JSON object each
    images = [("images", (None, json.dumps(image))) for image in body["images"]]
    response = loaded.request(
        "POST", "/vgs/task", data={"resolution": "1080p", "orientation": "Square"}, files=images
    )
    task_id = ok_data(response)["taskId"]
    assert loaded.video_info_ok(task_id)["resolution"] == "1080p"


@pytest.mark.parametrize(
    ("fields", "mentions"),
    [
        ({"images": OMIT}, ["images is required"]),
        ({"images": "not json"}, ["images", "JSON array"]),
        ({"images": []}, ["images"]),
        ({"images": [{"width": 10}]}, ["images[0].imageUrl is required"]),
        ({"images": [{"imageUrl": "http://127.0.0.1/a.jpg"}]}, ["images[0].imageUrl"]),
        ({"images": [{"imageUrl": photo_url(), "width": -1}]}, ["images[0].width"]),
        ({"images": [{"imageUrl": photo_url()}] * 21}, ["images"]),
        ({"resolution": OMIT}, ["resolution is required"]),
        ({"resolution": "4k"}, ["resolution", "1080p, 720p"]),
        ({"orientation": "landscape"}, ["orientation", "Landscape, Portrait, Square"]),
        ({"font": "Comic Sans"}, ["font", "Oswald"]),
        ({"music": "Jazz"}, ["music", "Embrace"]),
        ({"intro": "x" * 201}, ["intro"]),
        ({"profileUrl": "javascript:alert(1)"}, ["profileUrl"]),
        ({"logoUrl": "http://192.168.1.5/logo.png"}, ["logoUrl"]),
    ],
)
def test_each_wrong_field_is_named(collov: CollovClient, fields, mentions):
    refusal(collov.tour(tour_body(**fields)), 400, *mentions)


@pytest.mark.parametrize("encoding", ["multipart", "form", "json"])
def test_images_nested_too_deep_are_refused_naming_the_field(collov: CollovClient, encoding):
    response = collov.tour(tour_body(images=DEEP_JSON), encoding=encoding)
    refusal(response, 400, "images", "nested deeper")


@each_documented_value(font=FONTS, music=MUSIC)
def test_every_documented_font_and_tune(loaded: CollovClient, field: str, value: str):
    assert loaded.video_info_ok(loaded.tour_ok(**{field: value}))[field] == value


def test_declared_image_sizes_change_nothing(collov: CollovClient, finish):
    body = tour_body(photos=1)
    body["images"][0] |= {"width": 100_000, "height": 100_000}
    task_id = ok_data(collov.tour(body))["taskId"]
    finish()
    video = collov.fetch_video(collov.video_info_ok(task_id)["videoUrl"])
    assert video["size"] == (1280, 720)


def test_unknown_task_and_failures(collov: CollovClient, finish):
    refusal(collov.video_info("0" * 32), 400, "taskId")
    refusal(collov.request("GET", "/vgs/loadVideoInfo"), 400, "taskId is required")
    failing = tour_body(photos=1)
    failing["images"][0]["imageUrl"] += "?emulator-fail"
    task_id = ok_data(collov.tour(failing))["taskId"]
    finish()
    failed = collov.video_info_ok(task_id)
    assert failed["status"] == "FAILED" and failed["failReason"]
    assert failed["videoUrl"] is None and failed["coverUrl"] is None
