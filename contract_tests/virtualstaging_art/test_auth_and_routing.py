"""Authentication ([DOC] "Authorization: Bearer YOUR_API_TOKEN"; 401 missing or invalid token,
403 account blocked) and the error envelope of unknown paths and wrong methods."""

from __future__ import annotations

import pytest

from ..support import assert_error
from .client import SLUG, ArtClient, staging_body

# (method, path under the prefix, JSON body): every documented endpoint
IMAGE_ENDPOINTS = [
    ("POST", "/image/upload", {"image_base64": "AAAA", "content_type": "image/png"}),
    ("POST", "/image/render/request", staging_body()),
    ("POST", "/image/render/declutter", {"image_url": "https://example.com/a.jpg"}),
    ("POST", "/image/check-status", {"upload_id": "x"}),
    ("POST", "/image/check-rendering-amount", {"uploadId": "x"}),
]
V1_ENDPOINTS = [
    ("POST", "/webhooks", {"target_url": "https://example.com/h", "event_type": "render.failed"}),
    ("GET", "/webhooks", None),
    ("DELETE", "/webhooks/00000000-0000-4000-8000-000000000000", None),
    ("GET", "/renders", None),
    ("GET", "/me", None),
]
MALFORMED_AUTH = {
    "missing": None,
    "empty": "",
    "bearer-no-token": "Bearer",
    "bearer-two-tokens": "Bearer abc def",
    "wrong-scheme": "Token abc123",
    "basic": "Basic dXNlcjpwYXNz",
    "raw-token": "abc123",
}


def _ids(endpoints) -> list[str]:
    return [f"{method} {path}" for method, path, _ in endpoints]


def _call(client: ArtClient, method: str, path: str, body, auth: str | None):
    headers = {} if auth is None else {"Authorization": auth}
    return client.with_key(None).request(method, path, json=body, headers=headers)


def _assert_refused_without_a_valid_token(client: ArtClient, method, path, body, auth):
    assert_error(_call(client, method, path, body, auth), 401)


def _assert_magic_keys(art_as, method, path, body, prefix):
    invalid = art_as("invalid").with_base(prefix)
    assert_error(_call(invalid, method, path, body, f"Bearer {invalid.api_key}"), 401)
    blocked = art_as("blocked").with_base(prefix)
    assert_error(_call(blocked, method, path, body, f"Bearer {blocked.api_key}"), 403)


@pytest.mark.parametrize("auth", list(MALFORMED_AUTH.values()), ids=list(MALFORMED_AUTH))
@pytest.mark.parametrize(("method", "path", "body"), IMAGE_ENDPOINTS, ids=_ids(IMAGE_ENDPOINTS))
def test_image_endpoints_need_a_bearer_token(art: ArtClient, method, path, body, auth):
    _assert_refused_without_a_valid_token(art, method, path, body, auth)


@pytest.mark.parametrize("auth", list(MALFORMED_AUTH.values()), ids=list(MALFORMED_AUTH))
@pytest.mark.parametrize(("method", "path", "body"), V1_ENDPOINTS, ids=_ids(V1_ENDPOINTS))
def test_v1_endpoints_need_a_bearer_token(art_v1: ArtClient, method, path, body, auth):
    _assert_refused_without_a_valid_token(art_v1, method, path, body, auth)


@pytest.mark.emulator_only
@pytest.mark.parametrize(("method", "path", "body"), IMAGE_ENDPOINTS, ids=_ids(IMAGE_ENDPOINTS))
def test_image_endpoints_invalid_and_blocked_keys(art: ArtClient, art_as, method, path, body):
    _assert_magic_keys(art_as, method, path, body, art.base)


@pytest.mark.emulator_only
@pytest.mark.parametrize(("method", "path", "body"), V1_ENDPOINTS, ids=_ids(V1_ENDPOINTS))
def test_v1_endpoints_invalid_and_blocked_keys(art_v1: ArtClient, art_as, method, path, body):
    _assert_magic_keys(art_as, method, path, body, "/v1")


def test_scheme_is_case_insensitive_bearer(art_v1: ArtClient):
    art = art_v1
    response = art.request("GET", "/me", headers={"Authorization": f"bearer {art.api_key}"})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "path", ["/nope", "/image", "/image/render", "/image/upload/extra", "/webhooks/a/b"]
)
def test_unknown_path_is_404_json(art: ArtClient, path):
    assert_error(art.request("GET", path), 404)
    assert_error(art.request("POST", path, json={}), 404)


def test_unknown_path_without_token_is_404_json(art: ArtClient):
    assert_error(art.with_key(None).request("GET", "/definitely/not/here"), 404)


def _assert_405(response, allowed: set[str]) -> None:
    assert_error(response, 405)
    assert "<html" not in response.text.lower()
    allow = {m.strip() for m in response.headers.get("allow", "").split(",") if m.strip()}
    assert allowed <= allow, f"Allow: {response.headers.get('allow')!r}"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/image/upload"),
        ("PUT", "/image/upload"),
        ("GET", "/image/render/request"),
        ("DELETE", "/image/render/request"),
        ("GET", "/image/render/declutter"),
        ("GET", "/image/check-status"),
        ("PATCH", "/image/check-rendering-amount"),
    ],
)
def test_wrong_method_on_image_endpoints_is_405_json(art: ArtClient, method, path):
    _assert_405(art.request(method, path, json={}), {"POST"})


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/webhooks", {"GET", "POST"}),
        ("PUT", "/webhooks", {"GET", "POST"}),
        ("GET", "/webhooks/some-id", {"DELETE"}),
        ("POST", "/renders", {"GET"}),
        ("POST", "/me", {"GET"}),
    ],
)
def test_wrong_method_on_v1_endpoints_is_405_json(art_v1: ArtClient, method, path, allowed):
    _assert_405(art_v1.request(method, path, json={}), allowed)


@pytest.mark.emulator_only
def test_documented_base_url_and_real_host_routing(art: ArtClient, emulator, http):
    """The emulator advertises the docs' base (`/api`) and answers the real host at real paths."""
    assert emulator.base_url(SLUG) == f"{emulator.vendor_root(SLUG)}/api"
    for host in ("www.virtualstaging.art", "virtualstaging.art"):
        headers = {"Host": host, "Authorization": f"Bearer {art.api_key}"}
        response = http.get(f"{emulator.url}/v1/me", headers=headers)
        assert response.status_code == 200, response.text
        response = http.post(
            f"{emulator.url}{art.base}/image/check-status",
            headers=headers,
            json={"upload_id": "nope"},
        )
        assert_error(response, 404)
