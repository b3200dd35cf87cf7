"""Authentication ([D-EP] `Authorization: Api-Key KEY`, 401 AuthError `{"message"}`), the
unauthenticated status check, the three path prefixes, and the `{"message"}` envelope of unknown
paths, wrong methods and malformed bodies (never HTML)."""

from __future__ import annotations

import pytest

from .client import LONG_RUNNING, V1, V2, VsaiClient, assert_message, render_body

# (method, path, JSON body): every authenticated v2 endpoint [D-EP]
V2_ENDPOINTS = [
    ("GET", "/user", None),
    ("GET", "/renders", None),
    ("POST", "/renders", render_body()),
    ("GET", "/renders/rnd_x", None),
    ("GET", "/renders/rnd_x/variations/var_x", None),
    (
        "POST",
        "/renders/rnd_x/variations",
        {"config": {"type": "enhancement"}, "variation_count": 1},
    ),
    ("POST", "/renders/bulk", {"renders": [render_body()]}),
    (
        "POST",
        "/renders/variations/bulk",
        {"render_id": "rnd_x", "configs": [{"type": "enhancement"}]},
    ),
    ("POST", "/analyze", {"image_url": "https://example.com/a.jpg"}),
    ("POST", "/multi-view-compatibility", {"image_urls": ["https://a/1.jpg", "https://a/2.jpg"]}),
    ("POST", "/user/webhook-secret", {"webhook_secret": "abc"}),
    ("DELETE", "/user/webhook-secret", None),
]
# [D-V1]
V1_ENDPOINTS = [
    ("GET", "/ping", None),
    ("GET", "/options", None),
    (
        "POST",
        "/render/create",
        {"image_url": "https://a/1.jpg", "room_type": "bed", "style": "modern"},
    ),
    ("GET", "/render?render_id=rnd_x", None),
    ("POST", "/render/create-variation?render_id=rnd_x", {"style": "modern", "roomType": "bed"}),
    ("POST", "/furniture/analyze", {"image_url": "https://a/1.jpg"}),
]
ALL = [(V2, *e) for e in V2_ENDPOINTS] + [(LONG_RUNNING, *e) for e in V2_ENDPOINTS]
ALL += [(V1, *e) for e in V1_ENDPOINTS]
ALL_IDS = [f"{m} {b}{p}" for b, m, p, _ in ALL]

BAD_AUTH = {
    "missing": None,
    "empty": "",
    "scheme-only": "Api-Key",
    "bearer": "Bearer {key}",
    "token": "Token {key}",
    "raw-key": "{key}",
    "basic": "Basic dXNlcjpwYXNz",
    "two-words": "Api-Key {key} extra",
}


def _call(vsai: VsaiClient, base: str, method: str, path: str, body, auth: str | None):
    headers = {} if auth is None else {"Authorization": auth.format(key=vsai.api_key)}
    return vsai.with_key(None).request(method, path, base=base, json=body, headers=headers)


@pytest.mark.parametrize("auth", list(BAD_AUTH.values()), ids=list(BAD_AUTH))
@pytest.mark.parametrize(("base", "method", "path", "body"), ALL, ids=ALL_IDS)
def test_missing_or_malformed_auth_is_401(vsai: VsaiClient, base, method, path, body, auth):
    assert_message(_call(vsai, base, method, path, body, auth), 401)


@pytest.mark.emulator_only
@pytest.mark.parametrize(("base", "method", "path", "body"), ALL, ids=ALL_IDS)
def test_invalid_key_401_and_blocked_key_403(vsai_as, base, method, path, body):
    invalid = vsai_as("invalid")
    assert_message(_call(invalid, base, method, path, body, "Api-Key {key}"), 401)
    blocked = vsai_as("blocked")
    assert_message(_call(blocked, base, method, path, body, "Api-Key {key}"), 403)


@pytest.mark.parametrize("scheme", ["Api-Key", "Api-key", "api-key", "API-KEY"])
@pytest.mark.parametrize("base", [V2, LONG_RUNNING])
def test_scheme_matches_case_insensitively(vsai: VsaiClient, scheme, base):
    """[D-EP] says "case sensitive", but real clients send `Api-key` [C-ICON] and work."""
    response = vsai.with_base(base).request(
        "GET", "/user", headers={"Authorization": f"{scheme} {vsai.api_key}"}
    )
    assert response.status_code == 200, response.text
    v1 = vsai.v1("GET", "/ping", headers={"Authorization": f"{scheme} {vsai.api_key}"})
    assert v1.status_code == 200, v1.text


@pytest.mark.parametrize("auth", [None, "Bearer nope", "Api-Key {key}"])
@pytest.mark.parametrize("base", [V2, LONG_RUNNING])
def test_status_needs_no_auth_and_has_no_content(vsai: VsaiClient, base, auth):
    """[D-EP] GET /status: 200 "API is operational", No content; [C-LL] calls it without a key."""
    headers = {} if auth is None else {"Authorization": auth.format(key=vsai.api_key)}
    response = vsai.with_key(None).request("GET", "/status", base=base, headers=headers)
    assert response.status_code == 200
    assert response.content == b""


@pytest.mark.parametrize("base", [V2, LONG_RUNNING])
def test_same_account_under_every_prefix(vsai: VsaiClient, base):
    """One key, one account, whichever base URL [D-EP servers] (and v1 [D-V1])."""
    before = vsai.photos_used()
    assert vsai.with_base(base).create(render_body()).status_code == 200
    assert vsai.photos_used() == before + 1
    ping = vsai.v1("GET", "/ping").json()
    assert ping["photosUsedThisPeriod"] == before + 1


@pytest.mark.parametrize(
    "path",
    [
        "/v2/nope",
        "/v2/renders/rnd_x/nope",
        "/v2/renders/rnd_x/variations/var_x/more",
        "/v2/user/nope",
        "/apiV2/nope",
        "/v1/nope",
        "/v1/render/nope",
        "/v3/renders",
        "/nope",
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_unknown_path_is_404_message(vsai: VsaiClient, path, method):
    response = vsai.http.request(method, vsai.root + path, headers=vsai.headers, json={})
    assert_message(response, 404)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v2/status"),
        ("POST", "/v2/user"),
        ("DELETE", "/v2/renders"),
        ("PUT", "/v2/renders/rnd_x"),
        ("DELETE", "/v2/renders/rnd_x"),
        ("GET", "/v2/analyze"),
        ("GET", "/v2/multi-view-compatibility"),
        ("GET", "/v2/user/webhook-secret"),
        ("PATCH", "/apiV2/renders"),
        ("POST", "/v1/ping"),
        ("GET", "/v1/render/create"),
        ("DELETE", "/v1/render"),
    ],
)
def test_wrong_method_is_405_message(vsai: VsaiClient, method, path):
    response = vsai.http.request(method, vsai.root + path, headers=vsai.headers)
    assert_message(response, 405)


@pytest.mark.parametrize(
    "path",
    [
        "/v2/renders",
        "/v2/renders/bulk",
        "/v2/renders/variations/bulk",
        "/v2/analyze",
        "/v2/multi-view-compatibility",
        "/v2/user/webhook-secret",
        "/apiV2/renders",
        "/v1/render/create",
        "/v1/furniture/analyze",
    ],
)
@pytest.mark.parametrize(
    "raw",
    [b"{bad json", b"", b"[1, 2]", b'"text"', b"\xff\xfe"],
    ids=["broken", "empty", "array", "string", "binary"],
)
def test_malformed_json_is_400(vsai: VsaiClient, path, raw):
    response = vsai.http.post(
        vsai.root + path, headers=vsai.headers | {"Content-Type": "application/json"}, content=raw
    )
    assert_message(response, 400)


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("POST", "/v2/status", {"GET"}),
        ("DELETE", "/v2/analyze", {"POST"}),
        ("PUT", "/v2/renders", {"GET", "POST"}),
        ("GET", "/v2/user/webhook-secret", {"POST", "DELETE"}),
    ],
)
def test_405_allow_header_lists_every_method(vsai: VsaiClient, method, path, allowed):
    """RFC 9110 15.5.6: a 405 carries an Allow header with the target's supported methods."""
    response = vsai.http.request(method, vsai.root + path, headers=vsai.headers)
    assert_message(response, 405)
    listed = {m.strip() for m in response.headers.get("allow", "").split(",") if m.strip()}
    assert allowed <= listed, response.headers.get("allow")


@pytest.mark.emulator_only
@pytest.mark.parametrize(
    ("host", "base"),
    [
        ("api.virtualstagingai.app", V2),
        ("us-central1-furniture-ai.cloudfunctions.net", LONG_RUNNING),
    ],
)
def test_real_hosts_reach_the_real_paths(vsai: VsaiClient, emulator, host, base):
    """DESIGN "Host routing": a request whose Host is the vendor's reaches its real paths."""
    headers = vsai.headers | {"Host": host}
    response = vsai.http.get(f"{emulator.url}{base}/user", headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["user"] == vsai.user_ok()["user"]
    assert_message(vsai.http.get(f"{emulator.url}{base}/nope", headers=headers), 404)
