"""Property tests of the send-task endpoints with generated FORM (and JSON) bodies: valid bodies
start a task whose poll echoes them; a body with one wrong field is a business error (HTTP 200,
`success: false`, code 400) whose message starts with that field's name; nothing is ever a 500."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ..support import OMIT, contract_settings, without_omitted
from .client import (
    FONTS,
    MUSIC,
    ORIENTATIONS,
    RESOLUTIONS,
    ROOM_TYPES,
    STYLES,
    CollovClient,
    envelope,
    ok_data,
    photo_url,
)

pytestmark = pytest.mark.emulator_only

ENCODINGS = st.sampled_from(["multipart", "form", "json"])
text = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=40)
padded = st.sampled_from(["", " ", "  \t"])
urls = st.sampled_from(
    [
        "https://images.example.com/a/room.jpg",
        "http://cdn.example.org/p.png?x=1&y=2",
        "https://d17axom7zrjq3q.cloudfront.net/20250901/d535b795.png",
    ]
)
URL_LIKE = re.compile(r"^\s*https?://[^\s/?#]+")


def business_error(response, field: str) -> str:
    assert response.status_code == 200, f"{response.status_code}: {response.text[:300]}"
    body = envelope(response)
    assert body["success"] is False and body["code"] == 400 and body["data"] is None, body
    assert body["message"].startswith(field), f"{body['message']!r} does not name {field}"
    return body["message"]


# generateImgOnCommon


@st.composite
def valid_designs(draw) -> dict[str, Any]:
    body: dict[str, Any] = {
        "uploadUrl": draw(urls),
        "roomType": draw(padded) + draw(st.sampled_from(ROOM_TYPES)) + draw(padded),
        "style": draw(st.sampled_from(STYLES)) + draw(padded),
    }
    if draw(st.booleans()):
        body["emptyRoomUrl"] = draw(urls | st.just(""))
    if draw(st.booleans()):
        body["prompt"] = draw(text)
    if draw(st.booleans()):
        body["renderingType"] = draw(st.sampled_from(["realistic", "artistic", ""]))
    if draw(st.booleans()):
        body[draw(st.sampled_from(["mode", "requestId", "seed"]))] = draw(text)  # ignored
    return body


@contract_settings(max_examples=40)
@given(body=valid_designs(), encoding=ENCODINGS)
def test_valid_designs_start_a_task(loaded: CollovClient, body, encoding):
    record = loaded.record_ok(ok_data(loaded.generate(body, encoding=encoding))["uuid"])
    assert record["status"] == "PENDING"
    assert record["roomType"] == body["roomType"].strip()
    assert record["style"] == body["style"].strip()
    assert record["emptyRoomUrl"] == (body.get("emptyRoomUrl") or None)
    if (body.get("prompt") or "").strip():
        assert record["prompt"].strip() == body["prompt"].strip()  # Python strips more than \s


def _not_one_of(allowed: list[str]) -> st.SearchStrategy[str]:
    return text.filter(lambda v: v.strip() not in allowed and v.strip().lower() not in allowed) | (
        st.sampled_from(allowed).map(str.title).filter(lambda v: v not in allowed)
    )


@st.composite
def one_wrong_design_field(draw) -> tuple[dict[str, Any], str, str]:
    encoding = draw(ENCODINGS)
    body = {"uploadUrl": photo_url(), "roomType": "living room", "style": "modern"}
    field = draw(st.sampled_from(["uploadUrl", "roomType", "style", "emptyRoomUrl", "prompt"]))
    bad: Any
    if field in ("roomType", "style"):
        bad = draw(_not_one_of(ROOM_TYPES if field == "roomType" else STYLES) | st.just(OMIT))
    elif field == "prompt":
        bad = "x" * draw(st.integers(2001, 2100))
    else:
        bad = draw(
            text.filter(lambda v: v.strip() and not URL_LIKE.match(v))
            | st.sampled_from(["http://localhost/a.jpg", "https://10.1.2.3/a.jpg", "ftp://a/b"])
        )
        if field == "uploadUrl" and draw(st.booleans()):
            bad = OMIT
    if encoding == "json" and field in ("uploadUrl", "roomType", "style") and draw(st.booleans()):
        bad = draw(st.integers() | st.booleans() | st.lists(st.just("x"), max_size=2))
    body[field] = bad
    return without_omitted(body), field, encoding


@contract_settings(max_examples=60)
@given(case=one_wrong_design_field())
def test_one_wrong_design_field_is_named(loaded: CollovClient, case):
    body, field, encoding = case
    business_error(loaded.generate(body, encoding=encoding), field)


# generateEmptyRoom and edit/generate


@contract_settings(max_examples=30)
@given(
    upload=urls | text.filter(lambda v: v.strip() and not URL_LIKE.match(v)),
    prompt=text,
    encoding=ENCODINGS,
)
def test_empty_room_and_edit_bodies(loaded: CollovClient, upload, prompt, encoding):
    url_ok = bool(URL_LIKE.match(upload))
    response = loaded.empty_room({"uploadUrl": upload}, encoding=encoding)
    if url_ok:
        assert isinstance(envelope(response)["data"]["id"], int)
    else:
        business_error(response, "uploadUrl")
    response = loaded.edit({"uploadUrl": upload, "prompt": prompt}, encoding=encoding)
    if url_ok and prompt.strip():
        assert envelope(response)["success"] is True
    else:  # the body's fields are checked before the URL is
        business_error(response, "prompt" if not prompt.strip() else "uploadUrl")


# vgs/task


@st.composite
def valid_tours(draw) -> dict[str, Any]:
    images = []
    for _ in range(draw(st.integers(1, 4))):
        image: dict[str, Any] = {"imageUrl": draw(urls)}
        if draw(st.booleans()):
            image |= {"width": draw(st.integers(1, 9000)), "height": draw(st.integers(1, 9000))}
        images.append(image)
    body: dict[str, Any] = {
        "images": images,
        "resolution": draw(st.sampled_from(RESOLUTIONS)),
        "orientation": draw(st.sampled_from(ORIENTATIONS)),
    }
    for name, strategy in (
        ("font", st.sampled_from(FONTS)),
        ("music", st.sampled_from(MUSIC)),
        ("intro", text),
        ("agentName", text),
        ("phoneNumber", st.text("+0123456789 -", max_size=20)),
        ("email", st.emails()),
    ):
        if draw(st.booleans()):
            body[name] = draw(strategy)
    return body


@contract_settings(max_examples=30)
@given(body=valid_tours(), encoding=ENCODINGS)
def test_valid_tours_start_a_task(loaded: CollovClient, body, encoding):
    info = loaded.video_info_ok(ok_data(loaded.tour(body, encoding=encoding))["taskId"])
    assert info["status"] == "PENDING"
    assert (info["resolution"], info["orientation"]) == (body["resolution"], body["orientation"])
    assert info["font"] == body.get("font") and info["music"] == body.get("music")


@st.composite
def one_wrong_tour_field(draw) -> tuple[dict[str, Any], str, str]:
    body: dict[str, Any] = {
        "images": [{"imageUrl": photo_url()}],
        "resolution": "1080p",
        "orientation": "Square",
    }
    field = draw(st.sampled_from(["images", "resolution", "orientation", "font", "music"]))
    choices = {
        "resolution": RESOLUTIONS,
        "orientation": ORIENTATIONS,
        "font": FONTS,
        "music": MUSIC,
    }
    if field == "images":
        bad: Any = draw(
            st.sampled_from(["[]", "{}", "[1]", '[{"imageUrl": 5}]', "nope", '[{"url": "x"}]'])
            | st.just(OMIT)
        )
    else:
        allowed = list(choices[field])
        bad = draw(text.filter(lambda v: v.strip() and v.strip() not in allowed))
        if field in ("resolution", "orientation") and draw(st.booleans()):
            bad = OMIT
    body[field] = bad
    return without_omitted(body), field, draw(ENCODINGS)


@contract_settings(max_examples=50)
@given(case=one_wrong_tour_field())
def test_one_wrong_tour_field_is_named(loaded: CollovClient, case):
    body, field, encoding = case
    business_error(loaded.tour(body, encoding=encoding), field)
