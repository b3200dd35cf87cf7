"""Auth [notes 1: `Authorization: Bearer KEY`], the auth check `GET /speak_friend_and_enter`
[DOCS], paths at the root on the real hosts, and errors that are always the JSON envelope
`{"error": code, "message": ...}` [PY README], never HTML."""

from __future__ import annotations

import httpx
import pytest

from ..support import EmulatorControl, raw_http
from .client import SLUG, Decor8Client, assert_error, source_url

POSTS = (
    "/generate_designs_for_room",
    "/generate_inspirational_designs",
    "/generate_designs",
    "/prime_walls_for_room",
    "/prime_the_room_walls",
    "/change_wall_color",
    "/change_kitchen_cabinets_color",
    "/remodel_kitchen",
    "/remodel_bathroom",
    "/replace_sky_behind_house",
    "/generate_landscaping_designs",
    "/remove_objects_from_room",
    "/upscale_image",
    "/sketch_to_3d_render",
    "/generate_image_captions",
)


def test_speak_friend_and_enter(decor8: Decor8Client):
    response = decor8.speak_friend_and_enter()
    assert response.status_code == 200
    assert response.json() == {
        "error": "",
        "message": "The doors of Durin open for you. Welcome, friend of Moria.",
        "Status": 1,
    }


@pytest.mark.parametrize(
    "authorization",
    [None, b"Bearer ", b"Bearer", b"Bearer    ", b"Token k", b""],
    ids=["missing", "empty", "no-token", "spaces", "wrong-scheme", "blank"],
)
def test_missing_or_empty_key_is_401(decor8: Decor8Client, authorization):
    url = httpx.URL(decor8.root)
    head = f"GET {url.path}/speak_friend_and_enter HTTP/1.1\r\nHost: {url.netloc.decode()}\r\n"
    head_bytes = head.encode() + (
        b"Authorization: " + authorization + b"\r\n" if authorization is not None else b""
    )
    response = raw_http(decor8.root, head_bytes)
    assert response.status == 401
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["error"] == "Unauthorized" and "Bearer" in body["message"]
    assert "info" not in body


def test_scheme_is_case_insensitive(decor8: Decor8Client):
    response = decor8.with_key(None).speak_friend_and_enter(
        headers={"Authorization": f"bearer {decor8.api_key}"}
    )
    assert response.status_code == 200


@pytest.mark.parametrize("path", POSTS)
def test_every_endpoint_needs_the_key(decor8: Decor8Client, path):
    response = decor8.with_key(None).post(path, {"input_image_url": source_url()})
    assert_error(response, 401, "Unauthorized")


@pytest.mark.emulator_only
def test_magic_invalid_key_is_401(decor8_as):
    assert_error(decor8_as("invalid").speak_friend_and_enter(), 401, "Unauthorized")


@pytest.mark.emulator_only
def test_blocked_key_is_403(decor8_as):
    client = decor8_as("blocked")
    assert_error(client.speak_friend_and_enter(), 403, "Forbidden", "blocked")
    response = client.post(
        "/generate_designs_for_room",
        {"input_image_url": source_url(), "room_type": "bedroom", "design_style": "boho"},
    )
    assert_error(response, 403, "Forbidden")


@pytest.mark.emulator_only
@pytest.mark.parametrize("host", ["api.decor8.ai", "prod-app.decor8.ai", "API.Decor8.ai:8000"])
def test_real_hosts_reach_the_real_paths(
    emulator: EmulatorControl, http: httpx.Client, api_key: str, host
):
    headers = {"Host": host, "Authorization": f"Bearer {api_key}"}
    response = http.get(f"{emulator.url}/speak_friend_and_enter", headers=headers)
    assert response.status_code == 200 and response.json()["Status"] == 1
    response = http.post(
        f"{emulator.url}/generate_inspirational_designs",
        json={"room_type": "kitchen", "design_style": "modern"},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    assert len(response.json()["info"]["images"]) == 1


@pytest.mark.emulator_only
def test_base_url_is_advertised(emulator: EmulatorControl):
    assert emulator.base_url(SLUG) == f"{emulator.url}/{SLUG}"


def test_unknown_path_is_404_json(decor8: Decor8Client):
    response = decor8.post("/generate_something_else", {})
    assert_error(response, 404, "NotFound")
    assert_error(decor8.post("/generate_designs_for_room/", {}), 404, "NotFound")


def test_wrong_method_is_405_json(decor8: Decor8Client):
    response = decor8.http.get(f"{decor8.root}/generate_designs_for_room", headers=decor8.headers)
    assert_error(response, 405, "MethodNotAllowed")
    assert response.headers["allow"] == "POST"
    response = decor8.post("/speak_friend_and_enter", {})
    assert_error(response, 405, "MethodNotAllowed")


@pytest.mark.parametrize("content", [b"{", b"[1, 2]", b'"text"', b"\xff\xfe", b"null"], ids=repr)
def test_malformed_json_is_400(decor8: Decor8Client, content):
    response = decor8.http.post(
        f"{decor8.root}/generate_designs_for_room",
        content=content,
        headers=decor8.headers | {"Content-Type": "application/json"},
    )
    assert_error(response, 400, "InvalidRequest", "body")


def test_malformed_multipart_is_400(decor8: Decor8Client):
    response = decor8.http.post(
        f"{decor8.root}/generate_designs",
        content=b"--x\r\nnot a part",
        headers=decor8.headers | {"Content-Type": "multipart/form-data; boundary=x"},
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"] in ("InvalidRequest", "InvalidInput")


def test_declared_oversized_body_is_413_before_reading(decor8: Decor8Client):
    head = (
        f"POST {httpx.URL(decor8.root).path}/generate_designs_for_room HTTP/1.1\r\n"
        f"Host: {httpx.URL(decor8.root).netloc.decode()}\r\n"
        f"Authorization: Bearer {decor8.api_key}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {64 << 20}\r\n"
    ).encode()
    response = raw_http(decor8.root, head, b"{}")
    assert response.status == 413
    assert response.json()["error"] == "PayloadTooLarge"
