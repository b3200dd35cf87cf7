"""Renders that show the request: furniture per room type, a look per style, a look per operation."""

from __future__ import annotations

import io
import itertools
import math
import random
from typing import get_args

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops, ImageStat

from emulator.core import scenes
from emulator.core.renders import Operation, RenderSpec, render
from emulator.core.scenes import Look, scene_kind, style_look

from .helpers import image_bytes

# Every vendor's room types and styles, as their docs and notes spell them.
ROOMS = {
    "virtualstaging-art": [
        "living", "bed", "kitchen", "office", "dining", "studio", "ldk", "bathroom", "entrance",
        "home_office", "living_room", "bedroom", "dining_room",
    ],
    "virtualstagingai": [
        "living", "bed", "kitchen", "dining", "bathroom", "home_office", "outdoor", "kids_room",
    ],
    "decor8": [
        "LIVINGROOM", "KITCHEN", "DININGROOM", "BEDROOM", "BATHROOM", "KIDSROOM", "FAMILYROOM",
        "READINGNOOK", "SUNROOM", "WALKINCLOSET", "MUDROOM", "TOYROOM", "OFFICE", "FOYER",
        "POWDERROOM", "LAUNDRYROOM", "GYM", "BASEMENT", "GARAGE", "BALCONY", "CAFE", "HOMEBAR",
        "STUDY_ROOM", "FRONT_PORCH", "BACK_PORCH", "BACK_PATIO", "OPENPLAN", "BOARDROOM",
        "MEETINGROOM", "OPENWORKSPACE", "PRIVATEOFFICE",
    ],
    "stagepro": [
        "living-room", "bedroom", "kitchen", "dining-room", "bathroom", "home-office", "kids-room",
        "nursery", "family-room", "basement", "entryway", "patio",
    ],
    "collov": [
        "game room", "kitchen", "living room", "outdoor", "bedroom", "studio", "conference room",
        "home office", "home gym", "dining room", "laundry room", "bathroom", "spa room",
        "kids room", "open living and dining room",
    ],
}  # fmt: skip

STYLES = {
    "virtualstaging-art": [
        "modern", "scandinavian", "industrial", "coastal", "luxury", "mid-century modern",
        "farmhouse", "standard", "minimalist", "japandi", "bohemian", "traditional",
    ],
    "virtualstagingai": [
        "standard", "modern", "scandinavian", "industrial", "midcentury", "luxury", "farmhouse",
        "coastal", "hamptons", "american", "southwestern",
    ],
    "decor8": [
        "MINIMALIST", "SCANDINAVIAN", "INDUSTRIAL", "BOHO", "TRADITIONAL", "ARTDECO",
        "MIDCENTURYMODERN", "COASTAL", "TROPICAL", "ECLECTIC", "CONTEMPORARY", "FRENCHCOUNTRY",
        "RUSTIC", "SHABBYCHIC", "VINTAGE", "COUNTRY", "MODERN", "ASIAN_ZEN", "HOLLYWOODREGENCY",
        "BAUHAUS", "MEDITERRANEAN", "FARMHOUSE", "VICTORIAN", "GOTHIC", "MOROCCAN",
        "SOUTHWESTERN", "TRANSITIONAL", "MAXIMALIST", "ARABIC", "JAPANDI", "RETROFUTURISM",
        "ARTNOUVEAU", "URBANMODERN", "WABI_SABI", "GRANDMILLENNIAL", "COASTALGRANDMOTHER",
        "NEWTRADITIONAL", "COTTAGECORE", "LUXEMODERN", "HIGH_TECH", "ORGANICMODERN", "TUSCAN",
        "CABIN", "DESERTMODERN", "GLOBAL", "INDUSTRIALCHIC", "MODERNFARMHOUSE", "EUROPEANCLASSIC",
        "NEOTRADITIONAL", "WARMMINIMALIST",
    ],
    "stagepro": [
        "modern", "contemporary", "scandinavian", "minimalist", "industrial", "mid-century-modern",
        "farmhouse", "coastal", "bohemian", "traditional", "transitional", "luxury", "japandi",
        "rustic",
    ],
    "collov": [
        "scandinavian", "luxury", "industrial", "coastal", "transitional", "farmhouse",
        "mid-century", "modern",
    ],
}  # fmt: skip

EXPECTED_KINDS = {
    "bed": "bedroom",
    "BEDROOM": "bedroom",
    "kitchen": "kitchen",
    "DININGROOM": "dining",
    "dining-room": "dining",
    "home_office": "office",
    "PRIVATEOFFICE": "office",
    "STUDY_ROOM": "office",
    "bathroom": "bathroom",
    "POWDERROOM": "bathroom",
    "spa room": "bathroom",
    "kids_room": "kids",
    "nursery": "kids",
    "TOYROOM": "kids",
    "outdoor": "outdoor",
    "patio": "outdoor",
    "BACK_PORCH": "outdoor",
    "BALCONY": "outdoor",
    "home gym": "gym",
    "GYM": "gym",
    "laundry room": "laundry",
    "MUDROOM": "laundry",
    "entrance": "entry",
    "FOYER": "entry",
    "entryway": "entry",
    "WALKINCLOSET": "closet",
    "GARAGE": "garage",
    "basement": "garage",
    "conference room": "boardroom",
    "MEETINGROOM": "boardroom",
    "CAFE": "cafe",
    "OPENWORKSPACE": "workspace",
    "HOMEBAR": "bar",
    "game room": "game",
    "READINGNOOK": "reading",
    "ldk": "openplan",
    "open living and dining room": "openplan",
    "OPENPLAN": "openplan",
    "studio": "studio",
    "living": "living",
    "FAMILYROOM": "living",
    "SUNROOM": "living",
}


def all_rooms() -> list[str]:
    return sorted({room for rooms in ROOMS.values() for room in rooms})


def test_every_vendor_room_type_has_its_expected_scene() -> None:
    for room in all_rooms():
        kind = scene_kind(room)
        assert kind in scenes.SCENES
        assert EXPECTED_KINDS.get(room, kind) == kind, room
    assert {scene_kind(room) for room in all_rooms()} == set(scenes.SCENES)


@pytest.mark.parametrize(
    "spellings",
    [
        ["LIVINGROOM", "living room", "living-room", "living_room", "Living Room", "living"],
        ["DININGROOM", "dining room", "dining-room", "dining"],
        ["KIDSROOM", "kids room", "kids-room", "kids_room"],
        ["home office", "home-office", "home_office", "HOMEOFFICE"],
    ],
)
def test_case_and_separators_do_not_matter(spellings: list[str]) -> None:
    assert len({scene_kind(s) for s in spellings}) == 1


def test_unlisted_rooms_go_by_their_words_then_to_living() -> None:
    assert scene_kind("Master Bedroom") == "bedroom"
    assert scene_kind("guest-bathroom") == "bathroom"
    assert scene_kind("roof terrace") == "outdoor"
    assert scene_kind("wine cellar") == "garage"
    assert scene_kind("ballroom") == "living"
    assert scene_kind(None) == "living"
    assert scene_kind("") == "living"


def _shape(look: Look) -> tuple[object, ...]:
    return look.roundness, look.legs, look.pattern, look.rug, look.trim


def told_apart(a: Look, b: Look) -> bool:
    """Different enough to see: shape traits (corners, legs, upholstery, rug, trim) and main
    colours (upholstery, wood, accent more than 60 apart in RGB) that differ, in sum."""
    shapes = sum(x != y for x, y in zip(_shape(a), _shape(b), strict=True))
    pairs = ((a.body, b.body), (a.wood, b.wood), (a.accent, b.accent))
    colours = sum(math.dist(x, y) > 60 for x, y in pairs)
    return (
        shapes >= 3
        or (shapes >= 2 and colours >= 1)
        or (shapes >= 1 and colours >= 2)
        or (colours == 3)
    )


@pytest.mark.parametrize("vendor", sorted(STYLES))
def test_every_style_of_a_vendor_is_known_and_told_apart_from_the_others(vendor: str) -> None:
    for style in STYLES[vendor]:
        key = scenes.normalise(style)
        assert scenes._STYLE_ALIASES.get(key, key) in scenes.STYLES, style
    for a, b in itertools.combinations(STYLES[vendor], 2):
        assert told_apart(style_look(a), style_look(b)), (a, b)


def test_style_names_normalise() -> None:
    assert (
        style_look("Mid-Century Modern")
        == style_look("midcentury")
        == style_look("MIDCENTURYMODERN")
    )
    assert style_look("bohemian") == style_look("BOHO")
    assert style_look("modern farmhouse") == style_look("MODERNFARMHOUSE")


def test_unknown_styles_are_stable_and_differ_from_each_other() -> None:
    assert style_look("vaporwave") == style_look("VAPORWAVE")
    unknown = ["vaporwave", "brutalist", "steampunk", "memphis", "nautical chic", "space age"]
    for a, b in itertools.combinations(unknown, 2):
        assert style_look(a) != style_look(b), (a, b)
    # a known style word inside an unknown name keeps its family, told apart by accent or pattern
    rustic_glam = style_look("rustic glam")
    assert rustic_glam.wood == style_look("rustic").wood
    assert rustic_glam != style_look("rustic")


def staged(room: str | None = "living", style: str | None = "modern", **fields) -> Image.Image:
    spec = RenderSpec(vendor="Test", room_type=room, style=style, source_key="room", **fields)
    data, _ = render(spec, image_bytes(480, 320))
    img = Image.open(io.BytesIO(data))
    img.load()
    return img.convert("RGB")


def difference(a: Image.Image, b: Image.Image, box: tuple[float, ...] = (0, 0.1, 1, 0.85)) -> float:
    """Mean absolute difference (0-255) over a box given as fractions of the picture."""
    w, h = a.size
    area = (round(box[0] * w), round(box[1] * h), round(box[2] * w), round(box[3] * h))
    diff = ImageChops.difference(a.crop(area), b.crop(area))
    return sum(ImageStat.Stat(diff).mean) / 3


def test_room_types_draw_different_furniture() -> None:
    kinds = ["living", "bedroom", "kitchen", "dining room", "home office", "bathroom", "patio"]
    pictures = {kind: staged(kind) for kind in kinds}
    for a, b in itertools.combinations(kinds, 2):
        assert difference(pictures[a], pictures[b]) > 6, (a, b)


def test_styles_draw_different_looks() -> None:
    styles = ["industrial", "scandinavian", "luxury", "farmhouse", "coastal", "minimalist"]
    pictures = {style: staged("living", style) for style in styles}
    for a, b in itertools.combinations(styles, 2):
        assert difference(pictures[a], pictures[b]) > 4, (a, b)


def test_variations_of_one_request_differ_visibly() -> None:
    first = staged(variation=1, variations=3)
    for n in (2, 3):
        assert difference(first, staged(variation=n, variations=3)) > 4


def test_the_same_request_draws_the_same_bytes() -> None:
    spec = RenderSpec(vendor="T", room_type="KITCHEN", style="BOHO", source_key="k")
    source = image_bytes(300, 200)
    assert render(spec, source) == render(spec, source)


def op_render(operation: str, size: tuple[int, int] = (480, 320), **fields) -> Image.Image:
    spec = RenderSpec(
        vendor="Test", operation=operation, room_type="living", style="modern", **fields
    )
    data, out_size = render(spec, image_bytes(*size))
    assert out_size == size
    img = Image.open(io.BytesIO(data))
    img.load()
    assert img.size == size
    return img.convert("RGB")


def test_every_operation_keeps_the_source_size_and_looks_its_own() -> None:
    looks = {op: op_render(op) for op in get_args(Operation)}
    for a, b in itertools.combinations(looks, 2):
        if {a, b} <= {"empty", "erase"}:  # erase without a mask empties the whole room
            continue
        # the whole picture differs, or at least the operation's badge in the corner does
        whole = difference(looks[a], looks[b], (0, 0, 1, 1))
        corner = difference(looks[a], looks[b], (0, 0, 0.5, 0.12))
        assert whole > 1.5 or corner > 10, (a, b)


def region_colour(img: Image.Image, box: tuple[float, float, float, float]) -> tuple[float, ...]:
    w, h = img.size
    crop = img.crop((round(box[0] * w), round(box[1] * h), round(box[2] * w), round(box[3] * h)))
    return tuple(ImageStat.Stat(crop).mean)


@pytest.mark.parametrize(
    ("sky", "check"),
    [
        ("day", lambda r, g, b: b > r + 30),
        ("golden", lambda r, g, b: r > b + 60),
        ("dusk", lambda r, g, b: b > g),
        ("night", lambda r, g, b: r + g + b < 150),
    ],
)
def test_skies_have_their_colours(sky: str, check) -> None:
    img = op_render("dusk", sky=sky)
    assert check(*region_colour(img, (0.3, 0.12, 0.7, 0.14))), region_colour(
        img, (0.3, 0.12, 0.7, 0.14)
    )


def test_sky_kind_is_read_from_the_vendors_words() -> None:
    assert scenes.sky_kind("sky: golden") == "golden"
    assert scenes.sky_kind("virtual-twilight") == "twilight"
    assert scenes.sky_kind("DAY") == "day"
    assert scenes.sky_kind(None) == "dusk"
    night = op_render("dusk", note="sky: night")
    assert sum(region_colour(night, (0.3, 0.12, 0.7, 0.14))) < 150


def test_cabinets_are_painted_in_the_requested_colour() -> None:
    img = op_render("recolor", color="#2e7d32", target="cabinets")
    # the middle of a lower cabinet door
    r, g, b = region_colour(img, (0.2, 0.58, 0.24, 0.62))
    assert abs(r - 0x2E) < 25 and abs(g - 0x7D) < 25 and abs(b - 0x32) < 25


def test_walls_are_painted_in_the_requested_colour() -> None:
    plain = op_render("stage", size=(480, 320))
    painted = op_render("recolor", color="#3366aa")
    r, _, b = region_colour(painted, (0.3, 0.3, 0.7, 0.35))
    r0, _, b0 = region_colour(plain, (0.3, 0.3, 0.7, 0.35))
    assert b - r > (b0 - r0) + 20  # bluer than before


def test_an_edit_shows_its_prompt() -> None:
    with_prompt = op_render("edit", prompt="add a green velvet sofa")
    without = op_render("edit")
    assert difference(with_prompt, without, (0, 0.08, 0.6, 0.3)) > 5
    quoted = op_render("edit", note='edit - "add a green velvet sofa"')
    assert difference(quoted, without, (0, 0.08, 0.6, 0.3)) > 5


def test_emptied_and_decluttered_differ_from_the_source_and_from_each_other() -> None:
    source = Image.open(io.BytesIO(image_bytes(480, 320))).convert("RGB")
    empty, declutter = op_render("empty"), op_render("declutter")
    middle = (0, 0.15, 1, 0.8)
    assert difference(empty, source, middle) > 5
    assert difference(declutter, empty, middle) > 3
    # emptied is muted: less colour than the source
    assert _saturation(empty, middle) < _saturation(source, middle)


def _saturation(img: Image.Image, box: tuple[float, ...]) -> float:
    w, h = img.size
    crop = img.crop((round(box[0] * w), round(box[1] * h), round(box[2] * w), round(box[3] * h)))
    return ImageStat.Stat(crop.convert("HSV")).mean[1]


@pytest.mark.parametrize("style", ["luxury", "minimalist", "boho", "industrial", "no such style"])
def test_every_scene_draws_mirrored_in_portrait_and_tiny_pictures(style: str) -> None:
    for size in ((90, 160), (16, 12), (200, 120)):
        for kind in scenes.SCENES:
            for variation in (1, 2):
                spec = RenderSpec(
                    vendor="T", room_type=kind, style=style, variation=variation, variations=2
                )
                _, out = render(spec, image_bytes(*size))
                assert out == size


def test_draw_scene_is_deterministic_for_an_rng() -> None:
    def draw(seed: int) -> bytes:
        img = Image.new("RGBA", (200, 120))
        from PIL import ImageDraw

        scenes.draw_scene(ImageDraw.Draw(img), img.size, "bedroom", "coastal", random.Random(seed))
        return img.tobytes()

    assert draw(1) == draw(1)
    assert draw(1) != draw(2)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    operation=st.sampled_from(get_args(Operation)),
    room=st.one_of(st.none(), st.sampled_from(all_rooms()), st.text(max_size=30)),
    style=st.one_of(st.none(), st.sampled_from(STYLES["decor8"]), st.text(max_size=30)),
    variation=st.integers(1, 20),
    size=st.tuples(st.integers(1, 120), st.integers(1, 120)),
    extra=st.fixed_dictionaries(
        {},
        optional={
            "prompt": st.text(max_size=200),
            "sky": st.text(max_size=12),
            "target": st.sampled_from(["walls", "cabinets", "floor"]),
            "color": st.sampled_from(["#112233", "red", "not a colour"]),
            "note": st.text(max_size=60),
        },
    ),
)
def test_any_request_draws_at_the_source_size(
    operation, room, style, variation, size, extra
) -> None:
    spec = RenderSpec(
        vendor="T",
        operation=operation,
        room_type=room,
        style=style,
        variation=variation,
        variations=20,
        **extra,
    )
    data, out = render(spec, image_bytes(*size))
    assert out == size
    assert Image.open(io.BytesIO(data)).size == size
