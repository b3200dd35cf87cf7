"""The request journal: bodies with secrets masked and images summarised, filters, bounds."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx
import pytest

from emulator.testing import EmulatorServer

from .helpers import image_bytes

ART, VSAI = "virtualstaging-art", "virtualstagingai"
TOKEN = "journal-secret-token-1234"


@pytest.fixture
def emu() -> Iterator[EmulatorServer]:
    with EmulatorServer(journal_size=5, journal_body_limit=256) as server:
        yield server


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(trust_env=False, timeout=30) as client:
        yield client


def test_entry_keeps_masked_headers_bodies_operation_and_account(
    emu: EmulatorServer, http: httpx.Client
) -> None:
    base = emu.base_url(ART)
    answer = http.post(
        f"{base}/image/check-status?apiKey=leak&x=1",
        json={"upload_id": "nope", "apiKey": "also-secret"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert answer.status_code == 404
    [entry] = emu.requests()
    assert entry.vendor == ART and entry.operation == "check_status"
    assert entry.account_id == emu.client.set_account(ART, TOKEN).id
    assert entry.request.headers["authorization"] == "Bearer ***1234"
    assert TOKEN not in str(entry.model_dump())
    assert entry.query == "apiKey=***&x=1"
    assert entry.request.body == '{"upload_id":"nope","apiKey":"***"}'
    assert entry.status == 404 and entry.response.body == answer.text
    assert entry.response.headers["content-type"] == "application/json"


def test_images_are_summarised_by_type_size_and_dimensions(
    emu: EmulatorServer, http: httpx.Client
) -> None:
    photo = image_bytes(320, 240)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    base = emu.base_url(ART)
    http.post(
        f"{base}/image/upload",
        files={"file": ("room.jpg", photo, "image/jpeg")},
        data={"note": "hello", "apiKey": "secret"},
        headers=headers,
    )
    data_url = "data:image/jpeg;base64," + base64.b64encode(photo).decode()
    http.post(f"{base}/image/upload", json={"data_url": data_url}, headers=headers)
    multipart, json_upload = emu.requests(ART)
    assert multipart.request.body.splitlines() == [
        "part 'note': hello",
        "part 'apiKey': ***",
        f"part 'file' (file 'room.jpg'): <image/jpeg, {len(photo)} bytes, 320x240>",
    ]
    assert json_upload.request.body == (
        f'{{"data_url":"<image/jpeg data URL, {len(photo)} bytes>"}}'
    )
    assert json_upload.request.body_size > 256  # the whole body was counted, not kept


def test_long_bodies_are_capped(emu: EmulatorServer, http: httpx.Client) -> None:
    http.post(
        f"{emu.base_url(ART)}/image/check-status",
        json={"upload_id": "x" * 1000},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    [entry] = emu.requests()
    assert entry.request.truncated and len(entry.request.body) == 256
    assert entry.request.body_size == len('{"upload_id":""}') + 1000


def test_filters_count_clear_and_off(emu: EmulatorServer, http: httpx.Client) -> None:
    client = emu.client
    http.get(f"{emu.base_url(VSAI)}/status")
    http.get(f"{emu.base_url(VSAI)}/user", headers={"Authorization": "Api-Key k1"})
    http.get(f"{emu.base_url(VSAI)}/user")
    http.get(f"{emu.base_url(ART)}/me", headers={"Authorization": "Bearer k1"})
    assert client.count_requests() == 4
    assert client.count_requests(VSAI) == 3
    assert client.count_requests(status="4xx") == 1
    assert client.count_requests(status=200, vendor=VSAI) == 2
    assert [e.path for e in client.requests(operation="get_user")] == [
        "/virtualstagingai/v2/user",
        "/virtualstagingai/v2/user",
    ]
    assert client.count_requests(vendor=VSAI, api_key="k1") == 1
    assert client.count_requests(method="get") == 4
    assert [e.id for e in client.requests(limit=2)] == [3, 4]
    with pytest.raises(Exception, match="status"):
        client.requests(status="abc")

    client.journal(enabled=False)
    http.get(f"{emu.base_url(VSAI)}/status")
    assert client.count_requests() == 4
    settings = client.journal(enabled=True)
    assert settings.count == 4 and settings.size == 5 and settings.body_limit == 256
    client.clear_requests()
    assert client.requests() == []


def test_memory_is_bounded_by_size(emu: EmulatorServer, http: httpx.Client) -> None:
    for _ in range(12):
        http.get(f"{emu.base_url(VSAI)}/status")
    entries = emu.requests(limit=100)
    assert len(entries) == 5 and [e.id for e in entries] == [8, 9, 10, 11, 12]


def test_control_and_media_requests_are_not_journaled(
    emu: EmulatorServer, http: httpx.Client
) -> None:
    http.get(f"{emu.url}/_emulator/health")
    http.get(f"{emu.url}/_media/0123.jpg")
    assert emu.requests() == []


def test_resolver_names_the_handler_of_each_method_and_path_every_time() -> None:
    from types import SimpleNamespace

    from emulator.control.journal import CACHED_PATH, vendor_resolver
    from emulator.core.routing import routes_from

    async def get_render(request):
        return None

    async def delete_render(request):
        return None

    table = [("/renders/{id}", get_render, ["GET"]), ("/renders/{id}", delete_render, ["DELETE"])]
    vendor = SimpleNamespace(
        slug="v",
        hosts=("api.v.test",),
        routes=lambda: routes_from(table),
        auth_header="Authorization",
        auth_scheme="Bearer",
    )
    resolve = vendor_resolver([vendor])  # type: ignore[list-item]
    headers = {"host": "api.v.test"}
    long_id = "x" * CACHED_PATH
    for _ in range(2):
        assert resolve("GET", "/renders/a", headers)[1] == "get_render"
        assert resolve("HEAD", "/renders/a", headers)[1] == "get_render"
        assert resolve("DELETE", "/renders/a", headers)[1] == "delete_render"
        assert resolve("POST", "/renders/a", headers)[1] is None
        assert resolve("GET", f"/renders/{long_id}", headers)[1] == "get_render"
        assert resolve("GET", "/v/renders/b", {})[1] == "get_render"


def test_entries_are_kept_out_of_the_garbage_collectors_way_and_read_back_whole() -> None:
    import gc

    from emulator.control.journal import Journal
    from emulator.control.models import JournalEntry, JournalMessage
    from emulator.core.clock import ManualClock

    journal = Journal(ManualClock(), lambda method, path, headers: (None, None, None))
    entry = JournalEntry(
        id=1,
        at=1_700_000_000.125,
        method="POST",
        path="/v/x",
        query="",
        host="h",
        vendor="v",
        operation="op",
        account_id="v:1",
        status=201,
        duration_ms=1.25,
        request=JournalMessage(headers={"authorization": "Bearer ***"}, body="{}", body_size=2),
    )
    journal._keep(entry)
    assert not any(gc.is_tracked(value) for value in journal._kept[0])  # one object, no tree
    assert journal.select() == [entry]
    assert journal.select(vendor="v", operation="op", status="2xx", method="post") == [entry]
    assert journal.select(status="4xx") == []
