"""Property tests of the Decor8 bodies, built from the notes' fields (2.1) and enums (6): valid
bodies in any encoding, enums in any case and numbers in any of the shapes the SDKs send give 200
with the asked number of images at the asked size; a body with one wrong field gives a 400 whose
`error` is `InvalidInput` (the image) or `InvalidParameter` and whose message starts with the
field; nothing ever gives a 500."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ..support import contract_settings
from .client import (
    BASE_EDGE,
    COLOR_SCHEMES,
    DESIGN_STYLES,
    ENCODINGS,
    RENDER_TYPES,
    ROOM_TYPES,
    SKY_TYPES,
    SPECIALITY_DECORS,
    Decor8Client,
    assert_scaled,
    error_of,
    source_url,
)

pytestmark = pytest.mark.emulator_only

ROOM = "/generate_designs_for_room"
cases = st.sampled_from([str.upper, str.lower, str.title, lambda s: s])


def enum(values) -> st.SearchStrategy[str]:
    return st.builds(lambda v, case: case(v), st.sampled_from(values), cases)


def whole(low: int, high: int) -> st.SearchStrategy[Any]:
    """An integer as the SDKs send it: a number, its text, or an integral float."""
    return st.integers(low, high).flatmap(
        lambda n: st.sampled_from([n, str(n), float(n), f"{n}.0"])
    )


def number(low: float, high: float) -> st.SearchStrategy[Any]:
    return st.floats(low, high, allow_nan=False).flatmap(lambda x: st.sampled_from([x, repr(x)]))


OPTIONAL = {
    "color_scheme": enum(COLOR_SCHEMES),
    "speciality_decor": enum(SPECIALITY_DECORS),
    "prompt": st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=40),
    "seed": whole(0, 2**31),
    "guidance_scale": number(1, 20),
    "num_inference_steps": whole(1, 75),
    "design_style_image_strength": number(0, 1),
    "design_creativity": number(0, 1),
    "keep_original_floor": st.sampled_from([True, False, "True", "false"]),
    "decor_items": st.just('[{"name": "sofa"}]'),
}


@st.composite
def valid_room_bodies(draw) -> tuple[dict[str, Any], int, int]:
    body: dict[str, Any] = {
        "input_image_url": source_url(),
        "room_type": draw(enum(ROOM_TYPES)),
        "design_style": draw(enum(DESIGN_STYLES)),
    }
    images = draw(st.integers(1, 4))
    body["num_images"] = draw(st.sampled_from([images, str(images), float(images)]))
    scale = draw(st.none() | st.integers(1, 8))
    if scale is not None:
        body["scale_factor"] = draw(st.sampled_from([scale, str(scale)]))
    for key in draw(st.sets(st.sampled_from(sorted(OPTIONAL)))):
        value = draw(OPTIONAL[key])
        if value != "":
            body[key] = value
    return body, images, scale or 1


@contract_settings(max_examples=40)
@given(case=valid_room_bodies(), encoding=st.sampled_from(ENCODINGS))
def test_valid_room_bodies(decor8: Decor8Client, case, encoding):
    body, images, scale = case
    response = decor8.post(ROOM, body, encoding=encoding)
    assert response.status_code == 200, response.text
    info = response.json()["info"]
    assert len(info["images"]) == images
    for image in info["images"]:  # an outside URL: a 3:2 synthetic room
        assert_scaled(image, (3, 2), BASE_EDGE * scale)


# one wrong field

safe_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=20)


def not_in(values) -> st.SearchStrategy[Any]:
    upper = {v.upper() for v in values}
    return (
        safe_text.filter(lambda s: s != "" and s.strip().upper() not in upper)
        | st.integers()
        | st.booleans()
        | st.lists(st.just("a"), max_size=2)
    )


def bad_whole(low: int, high: int) -> st.SearchStrategy[Any]:
    return (
        st.integers(max_value=low - 1)
        | st.integers(min_value=high + 1)
        | st.sampled_from(["abc", "1.5", 2.5, True, [], {}, "1e400"])
    )


def bad_number(low: float, high: float) -> st.SearchStrategy[Any]:
    return (
        st.floats(max_value=low, exclude_max=True, allow_nan=False, allow_infinity=False)
        | st.floats(min_value=high, exclude_min=True, allow_nan=False, allow_infinity=False)
        | st.sampled_from(["x", "nan", "inf", True, [1]])
    )


BAD_ROOM_FIELDS = {
    "input_image_url": st.sampled_from(
        ["", "nope", "ftp://a/b.jpg", "http://127.0.0.1/a.jpg", "data:image/png;base64,????", 7]
    ),
    "room_type": not_in(ROOM_TYPES),
    "design_style": not_in(DESIGN_STYLES),
    "num_images": bad_whole(1, 4),
    "scale_factor": bad_whole(1, 8),
    "color_scheme": not_in(COLOR_SCHEMES),
    "speciality_decor": not_in(SPECIALITY_DECORS),
    "seed": st.integers(max_value=-1) | st.sampled_from(["x", 1.5]),
    "guidance_scale": bad_number(1, 20),
    "num_inference_steps": bad_whole(1, 75),
    "design_style_image_strength": bad_number(0, 1),
    "design_creativity": bad_number(0, 1),
    "keep_original_floor": st.sampled_from(["maybe", 2, [True]]),
    "mask_info": st.sampled_from(["unknown", "d8mask_000000000000000000000000"]),
}


@contract_settings(max_examples=80)
@given(field=st.sampled_from(sorted(BAD_ROOM_FIELDS)), data=st.data())
def test_one_wrong_field_is_named(decor8: Decor8Client, field, data):
    value = data.draw(BAD_ROOM_FIELDS[field])
    body = {"input_image_url": source_url(), "room_type": "bedroom", "design_style": "modern"}
    body[field] = value
    response = decor8.post(ROOM, body)
    assert response.status_code == 400, response.text
    error = error_of(response)
    expected = "InvalidInput" if field == "input_image_url" else "InvalidParameter"
    assert error["error"] == expected, error
    assert error["message"].startswith(field), error


# the other calls' enums, numbers and colours


OTHER_CALLS = {
    "/remodel_kitchen": {
        "design_style": (enum(DESIGN_STYLES), not_in(DESIGN_STYLES)),
        "num_images": (whole(1, 4), bad_whole(1, 4)),
        "scale_factor": (whole(1, 4), bad_whole(1, 4)),
    },
    "/sketch_to_3d_render": {
        "design_style": (enum(DESIGN_STYLES), not_in(DESIGN_STYLES)),
        "render_type": (enum(RENDER_TYPES), not_in(RENDER_TYPES)),
        "scale_factor": (whole(1, 8), bad_whole(1, 8)),
    },
    "/replace_sky_behind_house": {"sky_type": (enum(SKY_TYPES), not_in(SKY_TYPES))},
    "/change_wall_color": {
        "wall_color_hex_code": (
            st.from_regex(r"\A#[0-9A-Fa-f]{6}\Z"),
            safe_text.filter(lambda s: s != "" and not _is_hex(s)) | st.integers(),
        )
    },
    "/generate_image_captions": {
        "room_type": (enum(ROOM_TYPES), not_in(ROOM_TYPES)),
        "design_style": (enum(DESIGN_STYLES), not_in(DESIGN_STYLES)),
        "num_captions": (whole(1, 4), bad_whole(1, 4)),
    },
}
REQUIRED = {
    "/remodel_kitchen": {"design_style": "modern"},
    "/sketch_to_3d_render": {"design_style": "modern"},
    "/replace_sky_behind_house": {"sky_type": "day"},
    "/change_wall_color": {"wall_color_hex_code": "#ABCDEF"},
    "/generate_image_captions": {"room_type": "office", "design_style": "modern"},
}


def _is_hex(s: str) -> bool:
    s = s.strip()
    return len(s) == 7 and s[0] == "#" and all(c in "0123456789abcdefABCDEF" for c in s[1:])


@contract_settings(max_examples=60)
@given(path=st.sampled_from(sorted(OTHER_CALLS)), valid=st.booleans(), data=st.data())
def test_other_calls(decor8: Decor8Client, path, valid, data):
    body: dict[str, Any] = dict(REQUIRED[path])
    if path != "/generate_image_captions":
        body["input_image_url"] = source_url()
    fields = OTHER_CALLS[path]
    field = data.draw(st.sampled_from(sorted(fields)))
    good, bad = fields[field]
    body[field] = data.draw(good if valid else bad)
    encoding = data.draw(st.sampled_from(ENCODINGS if valid else ("json",)))
    response = decor8.post(path, body, encoding=encoding)
    if valid:
        assert response.status_code == 200, response.text
        assert response.json()["error"] == ""
        return
    assert response.status_code == 400, response.text
    error = error_of(response)
    assert error["error"] == "InvalidParameter" and error["message"].startswith(field), error
