"""GET /v2/user and the photo limit: [D-EP] user shape; [C-LL] "one 'photo' per render REQUEST
regardless of variation_count", adding variations free; [C-REPRO] 403 when the limit is used up and
`photoLimit.staging` may be "UNLIMITED"."""

from __future__ import annotations

import pytest

from ..support import OMIT, EmulatorControl
from .client import SLUG, VsaiClient, assert_message, render_body, staging


def test_user_shape(vsai: VsaiClient):
    body = vsai.user_ok()
    assert set(body) == {"user", "photoLimit", "photosUsedThisPeriod"}
    assert set(body["user"]) == {"email", "uid"}
    assert all(isinstance(v, str) and v for v in body["user"].values())
    assert "@" in body["user"]["email"]
    for meter in ("photoLimit", "photosUsedThisPeriod"):
        assert set(body[meter]) == {"staging", "imageEditing"}
    for value in body["photosUsedThisPeriod"].values():
        assert isinstance(value, int) and not isinstance(value, bool)
    for value in body["photoLimit"].values():
        assert value == "UNLIMITED" or (isinstance(value, int) and value >= 0)


@pytest.mark.emulator_only
def test_user_is_stable_per_key_and_distinct_across_keys(vsai: VsaiClient, vsai_as):
    first, again = vsai.user_ok()["user"], vsai.user_ok()["user"]
    assert first == again
    other = vsai_as().user_ok()["user"]
    assert other["uid"] != first["uid"]


@pytest.mark.emulator_only
def test_fresh_account_starts_unused(vsai: VsaiClient):
    assert vsai.user_ok()["photosUsedThisPeriod"] == {"staging": 0, "imageEditing": 0}


@pytest.mark.emulator_only
def test_one_photo_per_create_regardless_of_variations(vsai: VsaiClient):
    assert vsai.photos_used() == 0
    render = vsai.create_ok(render_body(variation_count=5))
    assert vsai.photos_used() == 1
    multi = {"configs": [staging(variation_count=3), staging("bed", "luxury", variation_count=2)]}
    vsai.create_ok(render_body(config=OMIT, **multi))
    assert vsai.photos_used() == 2
    # adding variations is free [C-LL]
    response = vsai.add_variations(
        render["id"], {"config": staging("kitchen"), "variation_count": 3}
    )
    assert response.status_code == 200, response.text
    response = vsai.bulk_variations(
        {"render_id": render["id"], "configs": [staging("dining"), staging("bed")]}
    )
    assert response.status_code == 200, response.text
    assert vsai.photos_used() == 2
    # bulk: one photo per render
    response = vsai.bulk_renders({"renders": [render_body(), render_body(variation_count=4)]})
    assert response.status_code == 200, response.text
    assert vsai.photos_used() == 4
    assert vsai.v1("GET", "/ping").json()["photosUsedThisPeriod"] == 4


@pytest.mark.emulator_only
def test_no_credits_key_gets_403_message_and_is_not_charged(vsai_as):
    broke = vsai_as("no-credits")
    user = broke.user_ok()
    assert user["photoLimit"]["staging"] == 0
    assert_message(broke.create(render_body()), 403)
    assert_message(broke.bulk_renders({"renders": [render_body()]}), 403)
    assert_message(
        broke.v1(
            "POST",
            "/render/create",
            json={"image_url": render_body()["image_url"], "room_type": "bed", "style": "modern"},
        ),
        403,
    )
    assert broke.photos_used() == 0
    assert broke.renders().json()["items"] == []


@pytest.mark.emulator_only
def test_limit_used_up_then_403_but_variations_stay_free(vsai_as):
    low = vsai_as("low-credits")
    assert low.user_ok()["photoLimit"]["staging"] == 2
    first = low.create_ok(render_body())
    low.create_ok(render_body(variation_count=3))
    assert low.photos_used() == 2
    assert_message(low.create(render_body()), 403)
    assert low.photos_used() == 2
    # a bulk that would go past the limit creates nothing
    fresh = vsai_as("low-credits")
    assert_message(fresh.bulk_renders({"renders": [render_body()] * 3}), 403)
    assert fresh.photos_used() == 0
    assert fresh.renders().json()["total_count"] == 0
    # existing renders can still grow
    response = low.add_variations(first["id"], {"config": staging("bed"), "variation_count": 2})
    assert response.status_code == 200, response.text


@pytest.mark.emulator_only
def test_unlimited_through_control_api(emulator: EmulatorControl, vsai_as):
    broke = vsai_as("no-credits")
    assert_message(broke.create(render_body()), 403)
    emulator.set_account(SLUG, broke.api_key, meters={"photoLimit": {"staging": "UNLIMITED"}})
    assert broke.user_ok()["photoLimit"]["staging"] == "UNLIMITED"
    for _ in range(3):
        broke.create_ok(render_body())
    assert broke.photos_used() == 3


@pytest.mark.emulator_only
def test_unlimited_magic_key(vsai_as):
    client = vsai_as("unlimited")
    assert client.user_ok()["photoLimit"]["staging"] == "UNLIMITED"
    client.create_ok(render_body())
    assert client.photos_used() == 1
