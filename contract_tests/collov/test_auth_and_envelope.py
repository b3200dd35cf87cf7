"""The `apiKey` header, the envelope on every answer, routing, and the body encodings."""

from __future__ import annotations

import httpx
import pytest

from ..support import EmulatorControl
from .client import BASE, HOST, CollovClient, envelope, ok_data, photo_url, refusal, staging_body


def test_success_envelope(collov: CollovClient):
    response = collov.generate(staging_body())
    assert response.headers["content-type"].startswith("application/json")
    body = envelope(response)
    assert body["code"] == 200 and body["success"] is True and body["message"] == "success"
    assert set(body["data"]) == {"uuid"}


@pytest.mark.parametrize("headers", [{}, {"apiKey": ""}, {"Authorization": "Bearer some-key"}])
def test_missing_key_is_401_in_the_envelope(collov: CollovClient, headers):
    anonymous = collov.with_key(None)
    response = anonymous.request("GET", "/vst/getRecord", params={"uuid": "x"}, headers=headers)
    refusal(response, 401, "apikey")


@pytest.mark.emulator_only
def test_refused_and_blocked_keys(collov_as):
    refusal(collov_as("invalid").generate(staging_body()), 401, "apikey")
    refusal(collov_as("blocked").generate(staging_body()), 403)


def test_header_name_is_case_insensitive(collov: CollovClient):
    response = collov.with_key(None).generate(
        staging_body(), headers={"APIKEY": collov.api_key or ""}
    )
    ok_data(response)


def test_unknown_path_and_wrong_method_answer_in_the_envelope(collov: CollovClient):
    refusal(collov.request("GET", "/vst/nothingHere"), 404, http=404)
    refusal(collov.request("GET", "/user/credit"), 404, http=404)  # probed by a client [CLIENT]
    response = collov.request("POST", "/vst/getRecord")
    refusal(response, 405, http=405)
    assert "GET" in response.headers["allow"]
    refusal(collov.request("GET", "/vst/generateImgOnCommon"), 405, http=405)
    refusal(collov.request("GET", "/vst/getRecord/", params={"uuid": "x"}), 404, http=404)


@pytest.mark.parametrize("encoding", ["multipart", "form", "json"])
def test_every_body_encoding_is_accepted(collov: CollovClient, encoding):
    uuid_ = ok_data(collov.generate(staging_body(style="coastal"), encoding=encoding))["uuid"]
    assert collov.record_ok(uuid_)["style"] == "coastal"


def test_unsupported_content_type_and_malformed_bodies_name_the_problem(collov: CollovClient):
    response = collov.request(
        "POST", "/vst/generateImgOnCommon", content=b"<xml/>", headers={"content-type": "text/xml"}
    )
    refusal(response, 400, "content-type", "multipart/form-data")
    response = collov.request(
        "POST",
        "/vst/generateImgOnCommon",
        content=b'{"uploadUrl": ',
        headers={"content-type": "application/json"},
    )
    refusal(response, 400, "json")
    response = collov.request(
        "POST",
        "/vst/generateImgOnCommon",
        content=b"--x\r\nbroken",
        headers={"content-type": "multipart/form-data; boundary=x"},
    )
    refusal(response, 400)
    refusal(collov.request("POST", "/vst/generateImgOnCommon"), 400, "uploadUrl is required")


def test_a_file_where_a_url_belongs_is_refused(collov: CollovClient):
    response = collov.request(
        "POST",
        "/vst/generateEmptyRoom",
        files={"uploadUrl": ("room.jpg", b"\xff\xd8\xff", "image/jpeg")},
    )
    refusal(response, 400, "uploadUrl", "file")


@pytest.mark.emulator_only
def test_an_oversized_body_is_413_in_the_envelope(collov: CollovClient):
    response = collov.request(
        "POST",
        "/vst/generateEmptyRoom",
        data={"uploadUrl": photo_url(), "padding": "x" * (1 << 20)},
    )
    refusal(response, 413, http=413)


def test_poll_parameters_may_travel_as_a_form(collov: CollovClient):
    """The docs say "multipart/form-data for both send task and get result"."""
    uuid_ = collov.generate_ok()
    response = collov.request("GET", "/vst/getRecord", files={"uuid": (None, uuid_)})
    assert ok_data(response)["uuid"] == uuid_


@pytest.mark.emulator_only
def test_real_host_routes_to_the_real_paths(emulator: EmulatorControl, api_key: str):
    emulator.set_account("collov", api_key, meters={"rateLimit": None})
    with httpx.Client(base_url=emulator.url, headers={"Host": HOST, "apiKey": api_key}) as http:
        created = http.post(f"{BASE}/vst/generateEmptyRoom", data={"uploadUrl": photo_url()})
        task_id = ok_data(created)["id"]
        polled = http.get(f"{BASE}/vst/getEmptyRoomRecord", params={"id": task_id})
        assert ok_data(polled)["id"] == task_id


@pytest.mark.emulator_only
def test_one_key_never_sees_another_keys_tasks(collov: CollovClient, collov_as):
    uuid_ = collov.generate_ok()
    other = collov_as()
    refusal(other.record(uuid_), 400, "uuid")
    refusal(other.regenerate(uuid_), 400, "uuid")
