"""Property tests: render, declutter, subscription and lookup bodies generated from the enums and
limits of emulator/vendors/virtualstaging_art/models.py.

Valid bodies must be accepted with the documented response; a valid body with one field broken
(removed, given a wrong value from the documented limits, or any JSON value at all) must be either
accepted, when the value happens to be valid, or refused with 400 and an `{"error"}` naming that
field (or a field it makes invalid, e.g. a premium-only room once `tier` is no longer premium).
Nothing may ever answer 500. Every example uses a fresh account with plenty of credits.

The oracle (`problems`) reads the documented rules; where the docs are silent it follows the
models: strict JSON types, strings stripped of surrounding whitespace, enum values exact.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import assume, given, note
from hypothesis import strategies as st

from emulator.vendors.virtualstaging_art import models as m

from ..support import EmulatorControl, contract_settings, error_message
from .client import PREFIXES, SLUG, ArtClient

pytestmark = pytest.mark.emulator_only

SETTINGS = contract_settings(max_examples=60)

MISSING: Any = object()

# Generated text sticks to printable ASCII, tab and newline: Python's str.strip() and the server's
# whitespace stripping agree on those.
TEXT = st.characters(min_codepoint=0x20, max_codepoint=0x7E) | st.sampled_from("\t\n")
ALNUM = st.characters(categories=["Ll", "Lu", "Nd"], max_codepoint=0x7F)

PREMIUM_ROOMS = sorted(m.PREMIUM_ROOM_TYPES)
PREMIUM_STYLES = sorted(m.PREMIUM_STYLES)
CLASSIC_ROOMS = [r for r in m.ROOM_TYPES if r not in m.PREMIUM_ROOM_TYPES] + list(m.ROOM_ALIASES)
CLASSIC_STYLES = [s for s in m.STYLES if s not in m.PREMIUM_STYLES]
TIERS = ("classic", "premium")
MODES = ("stage", "cleanup_and_stage")
EVENT_TYPES = ("render.succeeded", "render.failed")

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**40), max_value=2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(TEXT, max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(ALNUM, max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)

IMAGE_URLS = st.builds(
    lambda host, path: f"https://{host}/{path}.jpg",
    st.sampled_from(["images.example.com", "cdn.example.org", "photos.example.net:8443"]),
    st.text(ALNUM, min_size=1, max_size=24),
)
BAD_IMAGE_URLS = st.sampled_from(
    [
        "",
        "   ",
        "room.jpg",
        "http://images.example.com/a.jpg",
        "ftp://images.example.com/a.jpg",
        "https://",
        "https://localhost/a.jpg",
        "https://192.168.0.4/a.jpg",
        "https://a b.com/x.jpg",
    ]
)
BAD_CALLBACK_URLS = st.sampled_from(["", "  ", "callback", "ftp://hooks.example.com/x", "https://"])


def _length_limit(model: type, field: str, kind: str) -> int:
    """A field's min_length/max_length, read from the model."""
    for item in model.model_fields[field].metadata:
        if hasattr(item, kind):
            return getattr(item, kind)
    raise LookupError(f"{model.__name__}.{field} has no {kind}")


UPLOAD_ID_MAX = _length_limit(m.StagingRequest, "upload_id", "max_length")
TARGET_URL_MAX = _length_limit(m.SubscriptionRequest, "target_url", "max_length")
UPLOAD_IDS = st.text(ALNUM | st.sampled_from("-_"), min_size=1, max_size=UPLOAD_ID_MAX)
NOTES = st.text(TEXT, max_size=m.MAX_AI_NOTES)
LONG_NOTES = st.integers(1, 40).map(lambda extra: "n" * (m.MAX_AI_NOTES + extra))


# --------------------------------------------------------------------------------------------------
# the oracle


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) else None


def _https_url(value: str) -> bool:
    parts = urlsplit(value)
    host = (parts.hostname or "").lower()
    private = host in ("localhost", "127.0.0.1") or host.startswith(("10.", "192.168.", "172.16."))
    return parts.scheme == "https" and bool(host) and " " not in value and not private


def _http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in value


def _field_ok(field: str, value: Any) -> bool:
    """Whether `value` (MISSING when absent) is acceptable for `field` on its own."""
    text = _text(value)
    if field == "image_url":
        return text is not None and _https_url(text)
    if field == "room_type":
        return text is not None and m.ROOM_ALIASES.get(text, text) in m.ROOM_TYPES
    if field == "style":
        return text is not None and text in m.STYLES
    if field in ("mode", "tier", "layout_type"):
        allowed = {"mode": MODES, "tier": TIERS, "layout_type": ("studio",)}[field]
        return value is MISSING or value in allowed or (field == "layout_type" and value is None)
    if field == "number_of_renders":
        return value is MISSING or (type(value) is int and 1 <= value <= m.MAX_RENDERS_PER_REQUEST)
    if value is MISSING or value is None:  # the optional strings
        return True
    if field == "upload_id":
        return text is not None and 1 <= len(text) <= UPLOAD_ID_MAX
    if field == "ai_notes":
        return text is not None and len(text) <= m.MAX_AI_NOTES
    if field == "callback_url":
        return text is not None and _http_url(text)
    raise AssertionError(field)


# The request fields of the models (StagingRequest, DeclutterRequest), in their order.
STAGING_FIELDS = tuple(m.StagingRequest.model_fields)
DECLUTTER_FIELDS = tuple(m.DeclutterRequest.model_fields)


def problems(body: dict[str, Any], staging: bool) -> set[str]:
    """The fields an error may name for this body; empty when it must be accepted."""
    fields = STAGING_FIELDS if staging else DECLUTTER_FIELDS
    bad = {f for f in fields if not _field_ok(f, body.get(f, MISSING))}
    if bad:
        return bad
    premium = body.get("tier") == "premium"
    if premium:
        if body.get("number_of_renders", 1) > m.PREMIUM_CHARGE_CAP:
            bad.add("number_of_renders")
        return bad
    if staging and m.ROOM_ALIASES.get(body["room_type"].strip(), body["room_type"].strip()) in (
        m.PREMIUM_ROOM_TYPES
    ):
        bad.add("room_type")
    if staging and body["style"].strip() in m.PREMIUM_STYLES:
        bad.add("style")
    if body.get("ai_notes") is not None:
        bad.add("ai_notes")
    return bad


def names_one_of(message: str, fields: set[str]) -> bool:
    lowered = message.lower()
    for field in fields:
        if field in message:
            return True
        if field == "number_of_renders" and "render cap" in lowered:  # [DOC] "render cap exceeded"
            return True
        if field == "image_url" and "image url" in lowered:  # [DOC] "invalid image URL"
            return True
    return False


# --------------------------------------------------------------------------------------------------
# body strategies


def _optional(draw: st.DrawFn, body: dict[str, Any], field: str, values: st.SearchStrategy) -> None:
    if draw(st.booleans()):
        body[field] = draw(values)


@st.composite
def valid_bodies(draw: st.DrawFn, staging: bool, callback_url: str) -> dict[str, Any]:
    tier = draw(st.sampled_from([MISSING, *TIERS]))
    premium = tier == "premium"
    body: dict[str, Any] = {"image_url": draw(IMAGE_URLS)}
    if staging:
        rooms = [*CLASSIC_ROOMS, *PREMIUM_ROOMS] if premium else CLASSIC_ROOMS
        styles = [*CLASSIC_STYLES, *PREMIUM_STYLES] if premium else CLASSIC_STYLES
        body["room_type"] = draw(st.sampled_from(rooms))
        body["style"] = draw(st.sampled_from(styles))
        _optional(draw, body, "mode", st.sampled_from(MODES))
        _optional(draw, body, "layout_type", st.sampled_from(["studio", None]))
    cap = m.PREMIUM_CHARGE_CAP if premium else m.MAX_RENDERS_PER_REQUEST
    _optional(draw, body, "number_of_renders", st.integers(1, cap))
    _optional(draw, body, "upload_id", UPLOAD_IDS)
    _optional(draw, body, "callback_url", st.sampled_from([callback_url, None]))
    if premium:
        _optional(draw, body, "ai_notes", NOTES | st.none())
    if tier is not MISSING:
        body["tier"] = tier
    return body


def _bad_values(field: str, staging: bool) -> st.SearchStrategy:
    """Values the docs rule out for `field` (some only in combination with the tier)."""
    unknown = st.text(ALNUM, min_size=1, max_size=12)
    return {
        "image_url": BAD_IMAGE_URLS,
        "room_type": st.sampled_from([*PREMIUM_ROOMS, "living_room", "Living", "garage", ""])
        | unknown,
        "style": st.sampled_from([*PREMIUM_STYLES, "Modern", "mid_century_modern", "art deco"])
        | unknown,
        "mode": st.sampled_from(["declutter", "STAGE", " stage", ""]) | unknown,
        "tier": st.sampled_from(["classic", "premium", "free", "Premium", ""]) | unknown,
        "layout_type": st.sampled_from(["open", "Studio", "loft", ""]),
        "number_of_renders": st.sampled_from([0, -1, m.MAX_RENDERS_PER_REQUEST + 1, 1000])
        | st.integers(m.PREMIUM_CHARGE_CAP + 1, m.MAX_RENDERS_PER_REQUEST + 5),
        "upload_id": st.sampled_from(["", "   ", "u" * (UPLOAD_ID_MAX + 1)]),
        "ai_notes": LONG_NOTES | NOTES,
        "callback_url": BAD_CALLBACK_URLS,
    }[field]


@st.composite
def broken_bodies(draw: st.DrawFn, staging: bool, callback_url: str) -> dict[str, Any]:
    body = draw(valid_bodies(staging, callback_url))
    field = draw(st.sampled_from(STAGING_FIELDS if staging else DECLUTTER_FIELDS))
    how = draw(st.sampled_from(["remove", "documented", "any-json"]))
    if how == "remove":
        body.pop(field, None)
    elif how == "documented":
        body[field] = draw(_bad_values(field, staging))
    else:
        value = draw(JSON)
        if isinstance(value, str):  # keep clear of accidental valid URLs the oracle cannot judge
            assume(not value.strip().lower().startswith(("http://", "https://")))
        body[field] = value
    return body


# --------------------------------------------------------------------------------------------------
# fixtures


@pytest.fixture
def fresh_art(
    http, art_root: str, emulator: EmulatorControl, new_key: Callable[..., str]
) -> Callable[[str], ArtClient]:
    """A client on `prefix` for a brand-new account with plenty of credits, per example."""

    def make(prefix: str = "/api") -> ArtClient:
        key = new_key()
        emulator.set_account(SLUG, key, credits=1_000)
        return ArtClient(http, art_root, key, prefix)

    return make


@pytest.fixture
def any_art(http, art_root: str, api_key: str) -> Callable[[str], ArtClient]:
    """A client of this test's account on `prefix`."""
    return lambda prefix="/api": ArtClient(http, art_root, api_key, prefix)


PREFIX = st.sampled_from(PREFIXES)


@pytest.fixture(scope="module")
def callback_url(webhook_sink) -> str:
    return webhook_sink.url_for("property-callbacks")


def _check(client: ArtClient, body: dict[str, Any], staging: bool) -> None:
    note(f"body: {body!r}")
    response = client.render(body) if staging else client.declutter(body)
    note(f"response: {response.status_code} {response.text[:300]}")
    assert response.status_code < 500, response.text
    expected = problems(body, staging)
    if not expected:
        assert response.status_code == 200, response.text
        accepted = response.json()
        assert set(accepted) == {"upload_id", "status", "tier"}
        assert accepted["status"] == "rendering"
        assert accepted["tier"] == body.get("tier", "classic")
        if isinstance(body.get("upload_id"), str):
            assert accepted["upload_id"] == body["upload_id"].strip()
        [row] = client.render_rows()
        assert row["upload_id"] == accepted["upload_id"]
        assert row["tier"] == accepted["tier"]
        assert row["source_image_url"] == body["image_url"].strip()
        assert row["status"] == "rendering"
        if staging:
            assert row["style"] == body["style"].strip()
    else:
        assert response.status_code == 400, response.text
        message = error_message(response)
        assert names_one_of(message, expected), f"{message!r} names none of {sorted(expected)}"


# --------------------------------------------------------------------------------------------------
# properties

STAGING = pytest.mark.parametrize("staging", [True, False], ids=["render", "declutter"])


@STAGING
@SETTINGS
@given(data=st.data())
def test_valid_bodies_are_accepted(fresh_art, callback_url, staging, data):
    body = data.draw(valid_bodies(staging, callback_url), label="body")
    assert not problems(body, staging)
    _check(fresh_art(data.draw(PREFIX, label="prefix")), body, staging)


@STAGING
@SETTINGS
@given(data=st.data())
def test_broken_bodies_are_refused_naming_the_field(fresh_art, callback_url, staging, data):
    body = data.draw(broken_bodies(staging, callback_url), label="body")
    _check(fresh_art(data.draw(PREFIX, label="prefix")), body, staging)


@STAGING
@SETTINGS
@given(body=JSON, prefix=PREFIX)
def test_any_json_body_is_never_a_500(any_art, staging, body, prefix):
    art = any_art(prefix)
    response = art.render(body) if staging else art.declutter(body)
    assert response.status_code < 500, response.text
    if response.status_code != 200:
        assert response.status_code == 400
        error_message(response)


@SETTINGS
@given(
    target=st.sampled_from(["https://hooks.example.com/a", "http://hooks.example.com:8080/b"])
    | st.sampled_from(["", "hook", "ftp://hooks.example.com/", "https://"])
    | JSON,
    event=st.sampled_from(EVENT_TYPES) | st.sampled_from(["render.done", "", "*"]) | JSON,
)
def test_subscription_bodies(fresh_art, target, event):
    client = fresh_art()
    response = client.subscribe(target, event)
    note(f"response: {response.status_code} {response.text[:300]}")
    assert response.status_code < 500
    target_ok = (
        isinstance(target, str)
        and _http_url(target.strip())
        and len(target.strip()) <= TARGET_URL_MAX
    )
    event_ok = event in EVENT_TYPES
    if target_ok and event_ok:
        assert response.status_code == 201, response.text
        assert set(response.json()) == {"id", "target_url", "event_type", "created_at"}
    else:
        assert response.status_code == 400, response.text
        expected = ({"target_url"} if not target_ok else set()) | (
            {"event_type"} if not event_ok else set()
        )
        assert names_one_of(error_message(response), expected)


LOOKUP_KEYS = ["upload_id", "image_url", "uploadId", "sourceImage", "type", "x"]


@pytest.mark.parametrize(
    "path", ["/image/check-status", "/image/check-rendering-amount", "/image/upload"]
)
@SETTINGS
@given(
    body=st.dictionaries(st.sampled_from([*LOOKUP_KEYS, "data_url", "image_base64"]), JSON),
    prefix=PREFIX,
)
def test_lookup_and_upload_bodies_are_never_a_500(any_art, path, body, prefix):
    response = any_art(prefix).request("POST", path, json=body)
    assert response.status_code < 500, response.text
    assert response.status_code in (200, 400, 404, 413), response.text
    if response.status_code != 200:
        error_message(response)


@SETTINGS
@given(
    limit=st.integers(-5, 130).map(str) | st.text(st.characters(categories=["Ll"]), max_size=4),
    status=st.sampled_from(["done", "error", "rendering", "DONE", "finished", ""]),
)
def test_renders_query(any_art, limit, status):
    response = any_art().renders(limit=limit, status=status)
    limit_ok = limit.lstrip("-").isdigit() and 1 <= int(limit) <= 100
    status_ok = status in ("done", "error", "rendering")
    if limit_ok and status_ok:
        assert response.status_code == 200, response.text
        assert isinstance(response.json(), list)
    else:
        assert response.status_code == 400, response.text
        expected = ({"limit"} if not limit_ok else set()) | ({"status"} if not status_ok else set())
        assert names_one_of(error_message(response), expected)
