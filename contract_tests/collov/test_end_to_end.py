"""End to end over real HTTP, as a listing tool would run it: empty the room, stage the emptied
room, regenerate twice, make a video tour of the results; fetch and decode every image and the MP4
(PyAV opens it: right size, frames, duration)."""

from __future__ import annotations

import pytest

from ..support import EmulatorControl
from .client import CollovClient, ok_data, photo_url

pytestmark = pytest.mark.emulator_only


def test_empty_stage_regenerate_and_tour(collov: CollovClient, emulator: EmulatorControl):
    def finish() -> None:
        emulator.advance(20)

    # 1. clear the room [DOC recommended workflow]
    original = photo_url("listing-living-room")
    room_id = collov.empty_room_ok(original)
    finish()
    room = ok_data(collov.empty_room_record(id=room_id))
    assert room["status"] == "SUCCESS"
    emptied = collov.fetch_image(room["emptyRoomUrl"])

    # 2. stage the emptied room
    uuid_ = collov.generate_ok(
        uploadUrl=original,
        emptyRoomUrl=room["emptyRoomUrl"],
        roomType="living room",
        style="scandinavian",
        renderingType="realistic",
        prompt="bright scandinavian living room with oak floors",
    )
    finish()
    assert collov.record_ok(uuid_)["status"] == "SUCCESS"

    # 3. regenerate twice (two active tasks: the concurrency limit allows both)
    for _ in range(2):
        assert ok_data(collov.regenerate(uuid_)) == {"uuid": uuid_}
    finish()
    design = collov.record_ok(uuid_)
    records = design["generateRecordList"]
    assert [r["status"] for r in records] == ["SUCCESS"] * 3
    assert design["aiGenerateRecord"] == records[-1]
    results = [r["generateUrl"] for r in records]
    assert len(set(results)) == 3
    staged = [collov.fetch_image(url) for url in results]
    assert {img.size for img in staged} == {emptied.size}
    assert len({img.tobytes() for img in staged}) == 3

    # 4. a 1080p landscape tour of the three results
    images = [{"imageUrl": url, "width": img.width, "height": img.height}
              for url, img in zip(results, staged, strict=True)]  # fmt: skip
    task = ok_data(
        collov.tour(
            {
                "images": images,
                "resolution": "1080p",
                "orientation": "Landscape",
                "font": "Playfair",
                "music": "Happy_Holiday",
                "intro": "Just listed: 12 Oak Street",
                "agentName": "Jane Agent",
                "phoneNumber": "+1 555 0100",
                "email": "jane@example.com",
            }
        )
    )
    assert collov.video_info_ok(task["taskId"])["status"] == "PENDING"
    finish()
    info = collov.video_info_ok(task["taskId"])
    assert info["status"] == "SUCCESS"

    video = collov.fetch_video(info["videoUrl"])
    assert video["codec"] == "h264" and video["pix_fmt"] == "yuv420p"
    assert video["size"] == (1920, 1080)
    assert video["frames"] == 90  # 3 photos x 2.5 s x 12 fps
    assert video["fps"] == pytest.approx(12)
    assert video["duration"] == pytest.approx(7.5, abs=0.1)
    assert video["audio"] == ["aac"]
    cover = collov.fetch_image(info["coverUrl"])
    assert cover.size == (1920, 1080)

    # fetched again: served from the store, byte for byte
    first = collov.http.get(info["videoUrl"])
    again = collov.http.get(info["videoUrl"], headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
