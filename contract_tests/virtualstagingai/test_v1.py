"""The v1 API [D-V1] with the same key: ping, options, render/create (JSON and multipart `file`),
render?render_id=, render/create-variation?render_id= (camelCase roomType [C-ICON, C-ICON2,
C-PHPV1, C-WP]), furniture/analyze; v1 renders read back through v2 as legacy_staging [D-EP]."""

from __future__ import annotations

import pytest

from ..support import EmulatorControl, jpeg_bytes
from .client import ROOM_TYPES, STYLES, VsaiClient, assert_message, by_type, items, source_url


def _create(vsai: VsaiClient, **fields) -> dict:
    body = {"image_url": source_url(), "room_type": "living", "style": "modern"} | fields
    response = vsai.v1("POST", "/render/create", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def _get(vsai: VsaiClient, render_id: str) -> dict:
    response = vsai.v1("GET", "/render", params={"render_id": render_id})
    assert response.status_code == 200, response.text
    return response.json()


def test_ping(vsai: VsaiClient):
    body = vsai.v1("GET", "/ping").json()
    assert set(body) == {"userObj", "photoLimit", "photosUsedThisPeriod"}
    assert set(body["userObj"]) == {"email", "uid"}
    assert isinstance(body["photoLimit"], int) and isinstance(body["photosUsedThisPeriod"], int)


def test_ping_and_user_are_the_same_user(vsai: VsaiClient):
    assert vsai.v1("GET", "/ping").json()["userObj"] == vsai.user_ok()["user"]


def test_ping_and_user_share_uid_and_meters(vsai: VsaiClient):
    ping = vsai.v1("GET", "/ping").json()
    user = vsai.user_ok()
    assert ping["userObj"]["uid"] == user["user"]["uid"]
    assert ping["photoLimit"] == user["photoLimit"]["staging"]
    assert ping["photosUsedThisPeriod"] == user["photosUsedThisPeriod"]["staging"]


def test_options(vsai: VsaiClient):
    body = vsai.v1("GET", "/options").json()
    assert set(body) == {"styles", "roomTypes"}
    assert sorted(body["styles"]) == sorted(STYLES)
    assert sorted(body["roomTypes"]) == sorted(ROOM_TYPES)


@pytest.mark.emulator_only
def test_create_and_poll(vsai: VsaiClient, emulator: EmulatorControl, finish):
    created = _create(vsai, room_type="bed", style="scandinavian")
    assert set(created) == {"render_id"}  # no result without wait_for_completion
    assert vsai.photos_used() == 1
    polled = _get(vsai, created["render_id"])  # "available right after a render is created"
    assert set(polled) == {
        "render_id",
        "status",
        "created_at",
        "outputs",
        "progress",
        "outputs_room_types",
        "outputs_styles",
    }
    assert polled["render_id"] == created["render_id"]
    assert polled["status"] == "rendering"
    assert polled["outputs"] == []
    assert isinstance(polled["created_at"], int) and polled["created_at"] == round(
        emulator.now() * 1000
    )
    assert polled["progress"] == 0
    emulator.advance(8)
    midway = _get(vsai, created["render_id"])
    assert midway["status"] == "rendering" and 0 < midway["progress"] < 1
    finish()
    done = _get(vsai, created["render_id"])
    assert done["status"] == "done"
    assert done["progress"] == 1
    assert len(done["outputs"]) == 1
    assert done["outputs_room_types"] == ["bed"] and done["outputs_styles"] == ["scandinavian"]
    _, img = vsai.image_at(done["outputs"][0])
    assert max(img.size) >= 1536


@pytest.mark.emulator_only
def test_declutter_only(vsai: VsaiClient):
    """[D-V1] declutter only: declutter_mode on, add_furniture false (no room_type/style needed)."""
    body = {
        "image_url": source_url(),
        "declutter_mode": "on",
        "add_furniture": False,
        "wait_for_completion": True,
    }
    response = vsai.v1("POST", "/render/create", json=body)
    assert response.status_code == 200, response.text
    created = response.json()
    assert set(created) == {"render_id", "result_image_url"}
    _, img = vsai.image_at(created["result_image_url"])
    assert max(img.size) >= 1536
    v2 = vsai.render_ok(created["render_id"])
    assert [v["type"] for v in items(v2)] == ["removal"]
    assert _get(vsai, created["render_id"])["outputs"] == [created["result_image_url"]]


@pytest.mark.emulator_only
@pytest.mark.parametrize("mode", ["on", "auto"])
def test_declutter_and_stage(vsai: VsaiClient, mode):
    """[D-V1] declutter + stage gives two images: result_image_url and removal_output."""
    created = _create(vsai, declutter_mode=mode, add_furniture=True, wait_for_completion=True)
    assert set(created) == {"render_id", "result_image_url", "removal_output"}
    assert created["result_image_url"] != created["removal_output"]
    for url in (created["result_image_url"], created["removal_output"]):
        kind, _ = vsai.image_at(url)
        assert kind == "image/jpeg"
    v2 = vsai.render_ok(created["render_id"])
    [removal] = by_type(v2, "removal")
    [staged] = by_type(v2, "staging")
    assert staged["base_variation_id"] == removal["id"]
    assert staged["result"]["url"] == created["result_image_url"]
    assert removal["result"]["url"] == created["removal_output"]


@pytest.mark.emulator_only
def test_staging_only_wait(vsai: VsaiClient):
    created = _create(vsai, wait_for_completion=True)
    assert set(created) == {"render_id", "result_image_url"}


@pytest.mark.emulator_only
def test_multipart_file_upload(vsai: VsaiClient):
    """[D-V1] form data with `file` instead of image_url; form booleans arrive as text."""
    data = jpeg_bytes((1280, 720))
    response = vsai.v1(
        "POST",
        "/render/create",
        data={
            "room_type": "kitchen",
            "style": "industrial",
            "wait_for_completion": "true",
            "add_virtually_staged_watermark": "false",
            "declutter_mode": "off",
        },
        files={"file": ("room.jpg", data, "image/jpeg")},
    )
    assert response.status_code == 200, response.text
    created = response.json()
    _, img = vsai.image_at(created["result_image_url"])
    assert max(img.size) >= 1536
    assert img.size == (1536, 864)  # the uploaded 16:9 photo, scaled to the 1536 floor
    polled = _get(vsai, created["render_id"])
    assert polled["status"] == "done" and polled["outputs_room_types"] == ["kitchen"]


def test_multipart_without_file_or_url_is_400(vsai: VsaiClient):
    response = vsai.v1(
        "POST",
        "/render/create",
        data={"room_type": "bed", "style": "modern"},
        files={"other": ("x.txt", b"hi", "text/plain")},
    )
    assert_message(response, 400, "image_url")


def test_multipart_file_must_be_an_image(vsai: VsaiClient):
    response = vsai.v1(
        "POST",
        "/render/create",
        data={"room_type": "bed", "style": "modern"},
        files={"file": ("x.txt", b"not an image", "text/plain")},
    )
    assert_message(response, 400, starts_with="file")


@pytest.mark.parametrize(
    ("body", "mention"),
    [
        ({"image_url": "https://a/b.jpg", "style": "modern"}, "room_type"),
        ({"image_url": "https://a/b.jpg", "room_type": "bed"}, "style"),
        ({"image_url": "https://a/b.jpg", "room_type": "garage", "style": "modern"}, "room_type"),
        ({"image_url": "https://a/b.jpg", "room_type": "bed", "style": "gothic"}, "style"),
        ({"image_url": "https://a/b.jpg", "add_furniture": False}, "add_furniture"),
        (
            {
                "image_url": "https://a/b.jpg",
                "room_type": "bed",
                "style": "modern",
                "declutter_mode": "maybe",
            },
            "declutter_mode",
        ),
        ({"image_url": "ftp://a/b.jpg", "room_type": "bed", "style": "modern"}, "image_url"),
        ({"room_type": "bed", "style": "modern"}, "image_url"),
        (
            {
                "image_url": "https://a/b.jpg",
                "room_type": "bed",
                "style": "modern",
                "wait_for_completion": "yes",
            },
            "wait_for_completion",
        ),
    ],
    ids=[
        "no-room",
        "no-style",
        "bad-room",
        "bad-style",
        "nothing-to-do",
        "bad-mode",
        "ftp",
        "no-image",
        "bad-bool",
    ],
)
def test_create_validation(vsai: VsaiClient, body, mention):
    """room_type and style are required when add_furniture is true (the default) [D-V1]."""
    before = vsai.render_count()
    assert_message(vsai.v1("POST", "/render/create", json=body), 400, mention)
    assert vsai.render_count() == before


@pytest.mark.emulator_only
def test_get_render_errors(vsai: VsaiClient, vsai_as):
    assert_message(vsai.v1("GET", "/render"), 400, "render_id")
    assert_message(vsai.v1("GET", "/render", params={"render_id": "rnd_unknown"}), 404)
    created = _create(vsai)
    assert_message(vsai_as().v1("GET", "/render", params={"render_id": created["render_id"]}), 404)


@pytest.mark.emulator_only
def test_create_variation_with_camel_case_room_type(vsai: VsaiClient, finish):
    created = _create(vsai, room_type="living", style="modern")
    finish()
    response = vsai.v1(
        "POST",
        "/render/create-variation",
        params={"render_id": created["render_id"]},
        json={"style": "coastal", "roomType": "bed", "wait_for_completion": True},
    )
    assert response.status_code == 200, response.text
    variation = response.json()
    assert variation["render_id"] == created["render_id"]
    assert variation["result_image_url"].startswith("http")
    polled = _get(vsai, created["render_id"])
    assert polled["status"] == "done"
    assert len(polled["outputs"]) == 2
    assert polled["outputs_room_types"] == ["living", "bed"]
    assert polled["outputs_styles"] == ["modern", "coastal"]
    assert variation["result_image_url"] in polled["outputs"]
    assert vsai.photos_used() == 1  # variations are free


@pytest.mark.emulator_only
def test_create_variation_inherits_settings(vsai: VsaiClient, finish):
    """[D-V1] "All the same settings (room_type, etc.) from the original render"."""
    created = _create(vsai, room_type="dining", style="farmhouse", declutter_mode="on")
    response = vsai.v1(
        "POST", "/render/create-variation", params={"render_id": created["render_id"]}, json={}
    )
    assert response.status_code == 200, response.text
    finish()
    polled = _get(vsai, created["render_id"])
    assert polled["outputs_room_types"] == ["dining", "dining"]
    assert polled["outputs_styles"] == ["farmhouse", "farmhouse"]
    v2 = vsai.render_ok(created["render_id"])
    [removal] = by_type(v2, "removal")
    assert all(v["base_variation_id"] == removal["id"] for v in by_type(v2, "staging"))


def test_create_variation_errors(vsai: VsaiClient):
    assert_message(
        vsai.v1("POST", "/render/create-variation", json={"style": "modern", "roomType": "bed"}),
        400,
        "render_id",
    )
    response = vsai.v1(
        "POST",
        "/render/create-variation",
        params={"render_id": "rnd_unknown"},
        json={"style": "modern", "roomType": "bed"},
    )
    assert_message(response, 404)
    created = _create(vsai)
    response = vsai.v1(
        "POST",
        "/render/create-variation",
        params={"render_id": created["render_id"]},
        json={"style": "gothic", "roomType": "bed"},
    )
    assert_message(response, 400, "style")


def test_v1_render_is_visible_through_v2(vsai: VsaiClient):
    created = _create(vsai, room_type="home_office", style="luxury")
    v2 = vsai.render_ok(created["render_id"])
    [variation] = items(v2)
    assert variation["config"] == {
        "type": "legacy_staging",
        "room_type": "home_office",
        "style": "luxury",
    }
    assert vsai.renders().json()["items"][0]["id"] == created["render_id"]  # newest first
    v2_render = vsai.create_ok({"config": {"type": "enhancement"}, "image_url": source_url()})
    assert_message(vsai.v1("GET", "/render", params={"render_id": "nope"}), 404)
    assert _get(vsai, v2_render["id"])["render_id"] == v2_render["id"]


@pytest.mark.emulator_only
def test_v1_failure_and_unavailable(vsai: VsaiClient, finish):
    created = _create(vsai, image_url="https://images.example.com/emulator-fail/a.jpg")
    finish()
    polled = _get(vsai, created["render_id"])
    assert polled["status"] == "error" and polled["outputs"] == []
    response = vsai.v1(
        "POST",
        "/render/create",
        json={
            "image_url": "https://images.example.com/emulator-unavailable/a.jpg",
            "room_type": "bed",
            "style": "modern",
        },
    )
    assert_message(response, 503)
