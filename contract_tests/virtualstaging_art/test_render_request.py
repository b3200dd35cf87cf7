"""3. Submit a staging render and 4. submit a declutter render: fields, enums, tiers, limits,
credits and the documented error statuses."""

from __future__ import annotations

import pytest

from emulator.vendors.virtualstaging_art import models as m

from ..support import OMIT, assert_error
from .client import ArtClient, declutter_body, source_url, staging_body

CLASSIC_ROOMS = [r for r in m.ROOM_TYPES if r not in m.PREMIUM_ROOM_TYPES]
CLASSIC_STYLES = [s for s in m.STYLES if s not in m.PREMIUM_STYLES]


def _accepted(response, tier: str = "classic") -> dict:
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"upload_id", "status", "tier"}, body  # [DOC] response
    assert isinstance(body["upload_id"], str) and body["upload_id"]
    assert body["status"] == "rendering"
    assert body["tier"] == tier
    return body


# response and required fields


def test_minimal_request_defaults_to_classic(art: ArtClient):
    _accepted(art.render(staging_body()), "classic")


def test_full_documented_request(art: ArtClient, webhook_sink):
    body = staging_body(
        room_type="living",
        style="modern",
        mode="stage",
        number_of_renders=1,
        upload_id=f"grouping-{art.api_key}",
        layout_type="studio",
        ai_notes="Keep the room bright and add a premium contemporary feel.",
        callback_url=webhook_sink.url_for("callback"),
        tier="premium",
    )
    assert _accepted(art.render(body), "premium")["upload_id"] == body["upload_id"]


@pytest.mark.parametrize("field", ["image_url", "room_type", "style"])
@pytest.mark.parametrize("value", [OMIT, None], ids=["missing", "null"])
def test_staging_required_fields(art: ArtClient, field, value):
    assert_error(art.render(staging_body(**{field: value})), 400, field)


@pytest.mark.parametrize("value", [OMIT, None, ""], ids=["missing", "null", "empty"])
def test_declutter_requires_image_url(art: ArtClient, value):
    assert_error(art.declutter(declutter_body(image_url=value)), 400, "image_url")


def test_declutter_minimal_request(art: ArtClient):
    _accepted(art.declutter(declutter_body()), "classic")


def test_declutter_full_documented_request(art: ArtClient, webhook_sink):
    body = declutter_body(
        number_of_renders=1,
        upload_id=f"declutter-{art.api_key}",
        ai_notes="Remove clutter while preserving the natural lighting.",
        callback_url=webhook_sink.url_for("callback"),
        tier="premium",
    )
    _accepted(art.declutter(body), "premium")


@pytest.mark.parametrize("raw", [b"", b"{", b"[]", b'"living"', b"null", b"1"])
@pytest.mark.parametrize("path", ["/image/render/request", "/image/render/declutter"])
def test_body_must_be_a_json_object(art: ArtClient, path, raw):
    response = art.request("POST", path, content=raw, headers={"Content-Type": "application/json"})
    assert_error(response, 400)


# room types and styles


@pytest.mark.parametrize("room", CLASSIC_ROOMS)
def test_every_classic_room_type(art: ArtClient, room):
    _accepted(art.render(staging_body(room_type=room)))
    _accepted(art.render(staging_body(room_type=room, tier="premium")), "premium")


@pytest.mark.parametrize("style", CLASSIC_STYLES)
def test_every_classic_style(art: ArtClient, style):
    _accepted(art.render(staging_body(style=style)))
    _accepted(art.render(staging_body(style=style, tier="premium")), "premium")


@pytest.mark.parametrize("room", sorted(m.PREMIUM_ROOM_TYPES))
def test_premium_only_room_types(art: ArtClient, room):
    _accepted(art.render(staging_body(room_type=room, tier="premium")), "premium")
    assert_error(art.render(staging_body(room_type=room, tier="classic")), 400, "room_type")
    assert_error(art.render(staging_body(room_type=room)), 400, "room_type")  # classic by default


@pytest.mark.parametrize("style", sorted(m.PREMIUM_STYLES))
def test_premium_only_styles(art: ArtClient, style):
    _accepted(art.render(staging_body(style=style, tier="premium")), "premium")
    assert_error(art.render(staging_body(style=style, tier="classic")), 400, "style")
    assert_error(art.render(staging_body(style=style)), 400, "style")


def test_home_office_is_an_alias_for_office(art: ArtClient):
    _accepted(art.render(staging_body(room_type="home_office")))


@pytest.mark.parametrize(
    "room", ["living_room", "bedroom", "garage", "Living", "LIVING", "", 3, ["living"]]
)
def test_unknown_room_type_is_400(art: ArtClient, room):
    assert_error(art.render(staging_body(room_type=room)), 400, "room_type")


@pytest.mark.parametrize("style", ["Modern", "midcentury", "mid_century_modern", "", "art deco", 1])
def test_unknown_style_is_400(art: ArtClient, style):
    assert_error(art.render(staging_body(style=style)), 400, "style")


# tier, mode, layout_type


@pytest.mark.parametrize("tier", ["gold", "Premium", "", 1, None])
def test_unknown_tier_is_400(art: ArtClient, tier):
    assert_error(art.render(staging_body(tier=tier)), 400, "tier")
    assert_error(art.declutter(declutter_body(tier=tier)), 400, "tier")


@pytest.mark.parametrize("mode", ["stage", "cleanup_and_stage"])
def test_modes(art: ArtClient, mode):
    _accepted(art.render(staging_body(mode=mode)))


@pytest.mark.parametrize("mode", ["declutter", "cleanup", "STAGE", "", None, 2])
def test_unknown_mode_is_400(art: ArtClient, mode):
    assert_error(art.render(staging_body(mode=mode)), 400, "mode")


def test_layout_type_studio(art: ArtClient):
    _accepted(art.render(staging_body(layout_type="studio")))
    _accepted(art.render(staging_body(room_type="studio", layout_type="studio")))


# ai_notes (premium only, max 500 characters)


def test_ai_notes_needs_premium(art: ArtClient):
    assert_error(art.render(staging_body(ai_notes="brighter")), 400, "ai_notes")
    assert_error(art.render(staging_body(ai_notes="brighter", tier="classic")), 400, "ai_notes")
    assert_error(art.declutter(declutter_body(ai_notes="tidy")), 400, "ai_notes")
    _accepted(art.render(staging_body(ai_notes="brighter", tier="premium")), "premium")
    _accepted(art.declutter(declutter_body(ai_notes="tidy", tier="premium")), "premium")


def test_ai_notes_max_500_characters(art: ArtClient):
    _accepted(art.render(staging_body(ai_notes="n" * 500, tier="premium")), "premium")
    _accepted(art.declutter(declutter_body(ai_notes="é" * 500, tier="premium")), "premium")
    assert_error(art.render(staging_body(ai_notes="n" * 501, tier="premium")), 400, "ai_notes")
    assert_error(art.declutter(declutter_body(ai_notes="n" * 501, tier="premium")), 400, "ai_notes")


# number_of_renders and the caps


def names_renders(response) -> None:
    """A count or cap error: the docs call the latter "render cap exceeded"."""
    message = assert_error(response, 400)["error"].lower()
    assert "number_of_renders" in message or "render cap" in message, message


@pytest.mark.parametrize("n", [1, 5, 10])
def test_number_of_renders_up_to_10(art: ArtClient, n):
    _accepted(art.render(staging_body(number_of_renders=n)))
    _accepted(art.declutter(declutter_body(number_of_renders=n)))


@pytest.mark.parametrize("n", [0, -1, 11, 100, "2", 1.5, True, None])
def test_number_of_renders_out_of_range_is_400(art: ArtClient, n):
    assert_error(art.render(staging_body(number_of_renders=n)), 400, "number_of_renders")
    assert_error(art.declutter(declutter_body(number_of_renders=n)), 400, "number_of_renders")


def test_premium_caps_renders_per_charge_at_8(art: ArtClient):
    _accepted(art.render(staging_body(tier="premium", number_of_renders=8)), "premium")
    _accepted(art.declutter(declutter_body(tier="premium", number_of_renders=8)), "premium")
    for n in (9, 10):
        names_renders(art.render(staging_body(tier="premium", number_of_renders=n)))
        names_renders(art.declutter(declutter_body(tier="premium", number_of_renders=n)))


@pytest.mark.emulator_only  # needs a fresh account: upload groups are per account
def test_classic_upload_group_cap_is_20(art: ArtClient):
    first = _accepted(art.render(staging_body(number_of_renders=10)))
    group = first["upload_id"]
    again = art.render(staging_body(upload_id=group, number_of_renders=10))
    assert _accepted(again)["upload_id"] == group
    names_renders(art.render(staging_body(upload_id=group, number_of_renders=1)))
    names_renders(art.declutter(declutter_body(upload_id=group, number_of_renders=1)))
    # another group is not affected
    _accepted(art.render(staging_body(number_of_renders=10)))


@pytest.mark.emulator_only
def test_classic_group_cap_by_exact_image_url(art: ArtClient):
    url = source_url()
    for n in (7, 7, 6):
        _accepted(art.render(staging_body(image_url=url, number_of_renders=n)))
    names_renders(art.render(staging_body(image_url=url)))
    _accepted(art.render(staging_body(image_url=url + "?copy=1")))  # a different string


@pytest.mark.emulator_only
def test_refused_request_does_not_use_the_group(art: ArtClient):
    group = _accepted(art.render(staging_body(number_of_renders=10)))["upload_id"]
    names_renders(art.render(staging_body(upload_id=group, number_of_renders=11)))
    names_renders(art.render(staging_body(upload_id=group, tier="premium", number_of_renders=9)))
    _accepted(art.render(staging_body(upload_id=group, number_of_renders=10)))


# image_url and callback_url


@pytest.mark.parametrize(
    "url",
    ["not a url", "ftp://example.com/a.jpg", "http://example.com/a.jpg", "https://", "/a.jpg", 12],
)
def test_invalid_image_url_is_400(art: ArtClient, url):
    assert_error(art.render(staging_body(image_url=url)), 400, "image")
    assert_error(art.declutter(declutter_body(image_url=url)), 400, "image")


@pytest.mark.emulator_only  # the vendor may accept these and fail the job when it cannot fetch
@pytest.mark.parametrize(
    "url",
    [
        "https://localhost/a.jpg",
        "https://127.0.0.1/a.jpg",
        "https://10.0.0.5/a.jpg",
        "https://192.168.1.20/a.jpg",
        "https://printer.local/a.jpg",
    ],
)
def test_private_network_image_url_is_400(art: ArtClient, url):
    assert_error(art.render(staging_body(image_url=url)), 400, "image")


@pytest.mark.parametrize("url", ["not a url", "ftp://example.com/hook", "", 42])
def test_invalid_callback_url_is_400(art: ArtClient, url):
    assert_error(art.render(staging_body(callback_url=url)), 400, "callback_url")
    assert_error(art.declutter(declutter_body(callback_url=url)), 400, "callback_url")


@pytest.mark.parametrize("upload_id", ["", 7, ["a"]])
def test_invalid_upload_id_is_400(art: ArtClient, upload_id):
    assert_error(art.render(staging_body(upload_id=upload_id)), 400, "upload_id")


# credits (402) and temporary failures (503)


@pytest.mark.emulator_only
@pytest.mark.parametrize(
    ("call", "cost"),
    [
        (lambda a: a.render(staging_body()), 1),
        (lambda a: a.render(staging_body(mode="stage", tier="premium")), 1),
        (lambda a: a.render(staging_body(mode="cleanup_and_stage")), 2),
        (lambda a: a.render(staging_body(mode="cleanup_and_stage", tier="premium")), 2),
        (lambda a: a.declutter(declutter_body()), 1),
        (lambda a: a.declutter(declutter_body(tier="premium")), 1),
    ],
    ids=["stage", "stage-premium", "cleanup", "cleanup-premium", "declutter", "declutter-premium"],
)
def test_credit_cost(art: ArtClient, credits, call, cost):
    before = credits()
    assert call(art).status_code == 200
    assert credits() == before - cost


@pytest.mark.emulator_only
def test_refused_requests_cost_nothing(art: ArtClient, credits):
    before = credits()
    art.render(staging_body(room_type="garage"))
    art.render(staging_body(tier="premium", number_of_renders=9))
    art.render(staging_body(image_url=source_url("emulator-unavailable")))
    art.declutter(declutter_body(image_url=source_url("emulator-unavailable")))
    assert credits() == before


@pytest.mark.emulator_only
def test_no_credits_is_402(art_as, credits):
    broke = art_as("no-credits")
    assert_error(broke.render(staging_body()), 402, "credit")
    assert_error(broke.declutter(declutter_body()), 402, "credit")
    assert credits(broke) == 0


@pytest.mark.emulator_only
def test_running_out_of_credits_is_402(art_as, credits):
    low = art_as("low-credits")
    assert credits(low) == 2
    _accepted(low.render(staging_body(mode="cleanup_and_stage")))  # 2 credits
    assert credits(low) == 0
    assert_error(low.render(staging_body()), 402, "credit")
    assert_error(low.declutter(declutter_body()), 402, "credit")


@pytest.mark.emulator_only
def test_cleanup_and_stage_needs_two_credits(art_as, credits):
    low = art_as("low-credits")
    _accepted(low.render(staging_body()))  # 1 left
    assert_error(low.render(staging_body(mode="cleanup_and_stage")), 402, "credit")
    _accepted(low.declutter(declutter_body()))
    assert credits(low) == 0


@pytest.mark.emulator_only
def test_temporary_failure_is_503(art: ArtClient):
    url = source_url("emulator-unavailable")
    assert_error(art.render(staging_body(image_url=url)), 503)
    assert_error(art.declutter(declutter_body(image_url=url)), 503)
