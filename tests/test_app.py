"""The composed app in-process (httpx over ASGI): control API, routing, the media endpoint."""

from __future__ import annotations

import httpx
import pytest

from emulator.app import EmulatorApp
from emulator.core.clock import MANUAL_EPOCH
from emulator.core.renders import image_size
from emulator.settings import Settings

from .helpers import data_url, image_bytes

ART = "/virtualstaging-art"
KEY = {"Authorization": "Bearer sk_test_app"}


def make_app(**settings) -> EmulatorApp:
    return EmulatorApp(Settings(**({"store": "memory", "clock": "manual", "seed": 1} | settings)))


def client(app: EmulatorApp, base_url: str = "http://testserver") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)


@pytest.fixture
def app() -> EmulatorApp:
    return make_app()


async def upload(http: httpx.AsyncClient, data: bytes, headers=KEY) -> str:
    response = await http.post(
        f"{ART}/api/image/upload", json={"data_url": data_url(data)}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()["url"]


async def test_health(app: EmulatorApp) -> None:
    async with client(app) as http:
        response = await http.get("/_emulator/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["clock"]["mode"] == "manual" and body["clock"]["now"] == MANUAL_EPOCH
    assert body["vendors"]["virtualstaging-art"] == "http://127.0.0.1:8080/virtualstaging-art/api"


async def test_clock_and_advance(app: EmulatorApp) -> None:
    async with client(app) as http:
        clock = (await http.get("/_emulator/clock")).json()
        assert clock["now_iso"] == "2026-01-01T00:00:00+00:00" and clock["pending_timers"] == 0
        response = await http.post("/_emulator/clock/advance", json={"seconds": 90})
        assert response.status_code == 200
        assert response.json()["now"] == MANUAL_EPOCH + 90 and response.json()["ran"] == 0
        assert (await http.get("/_emulator/clock")).json()["now"] == MANUAL_EPOCH + 90
        bad = await http.post("/_emulator/clock/advance", json={"seconds": -1})
        assert bad.status_code == 400 and "seconds" in bad.json()["error"]


async def test_advance_is_refused_on_a_real_clock() -> None:
    async with client(make_app(clock="real")) as http:
        response = await http.post("/_emulator/clock/advance", json={"seconds": 5})
    assert response.status_code == 409
    assert "manual" in response.json()["error"]


async def test_reset_all_and_per_account(app: EmulatorApp) -> None:
    async with client(app) as http:
        for key in ("sk_one", "sk_two"):
            me = await http.get(f"{ART}/api/me", headers={"Authorization": f"Bearer {key}"})
            assert me.status_code == 200
        keys = lambda: {a.api_key for a in app.engine.accounts.list()}  # noqa: E731
        assert keys() == {"sk_one", "sk_two"}

        response = await http.post(
            "/_emulator/reset", json={"vendor": "virtualstaging-art", "api_key": "sk_one"}
        )
        assert response.status_code == 200 and response.json()["reset"] != "all"
        assert keys() == {"sk_two"}
        listed = (await http.get("/_emulator/accounts")).json()
        assert [a["api_key"] for a in listed] == ["sk_two"]

        bad = await http.post("/_emulator/reset", json={"api_key": "sk_two"})
        assert bad.status_code == 400 and keys() == {"sk_two"}

        await http.post("/_emulator/clock/advance", json={"seconds": 10})
        response = await http.post("/_emulator/reset")
        assert response.json() == {"reset": "all"}
        assert keys() == set()
        assert (await http.get("/_emulator/clock")).json()["now"] == MANUAL_EPOCH


async def test_unknown_paths_answer_json_never_html(app: EmulatorApp) -> None:
    async with client(app) as http:
        missing = await http.get(f"{ART}/api/does-not-exist", headers=KEY)
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("application/json")
        assert missing.json() == {"error": "Not found"}
        wrong_method = await http.get(f"{ART}/api/image/check-status", headers=KEY)
        assert wrong_method.status_code == 405 and "error" in wrong_method.json()
        top = await http.get("/no-such-thing")
        assert top.status_code == 404 and top.headers["content-type"].startswith("application/json")
        control = await http.get("/_emulator/nope")
        assert control.status_code == 404 and "<html" not in control.text.lower()


@pytest.mark.parametrize("host", ["www.virtualstaging.art", "virtualstaging.art:443"])
async def test_host_routing_reaches_the_vendor_at_its_real_paths(
    app: EmulatorApp, host: str
) -> None:
    async with client(app) as http:
        response = await http.get("/api/me", headers=KEY | {"Host": host})
        assert response.status_code == 200 and "user_id" in response.json()
        missing = await http.get("/nope", headers=KEY | {"Host": host})
        assert missing.status_code == 404 and missing.json() == {"error": "Not found"}
        # without the vendor's Host the real path is not a vendor route
        assert (await http.get("/api/me", headers=KEY)).status_code == 404


async def test_uploaded_media_is_served_with_etag_304_and_head(app: EmulatorApp) -> None:
    data = image_bytes(64, 48)
    async with client(app) as http:
        url = await upload(http, data)
        assert url.startswith("http://127.0.0.1:8080/_media/") and url.endswith(".jpg")
        path = httpx.URL(url).path

        response = await http.get(path)
        assert response.status_code == 200 and response.content == data
        assert response.headers["content-type"] == "image/jpeg"
        etag = response.headers["etag"]
        assert etag.startswith('"') and etag.endswith('"')

        cached = await http.get(path, headers={"If-None-Match": etag})
        assert (
            cached.status_code == 304 and cached.content == b"" and cached.headers["etag"] == etag
        )
        assert (await http.get(path, headers={"If-None-Match": '"other"'})).status_code == 200

        head = await http.head(path)
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-length"] == str(len(data)) and head.headers["etag"] == etag

        assert (await http.get(path.replace(".jpg", ".png"))).status_code == 404
        assert (await http.get("/_media/" + "0" * 32 + ".jpg")).status_code == 404


async def test_a_render_is_not_served_until_its_job_is_done(app: EmulatorApp) -> None:
    async with client(app) as http:
        source = await upload(http, image_bytes(320, 240))
        response = await http.post(
            f"{ART}/api/image/render/request",
            json={"image_url": source, "room_type": "living", "style": "modern"},
            headers=KEY,
        )
        assert response.status_code == 200, response.text
        upload_id = response.json()["upload_id"]
        [job] = app.engine.jobs.list()
        [render] = [app.engine.media.get(m) for m in job.outputs]
        path = httpx.URL(app.engine.media.url(render)).path
        status = lambda: http.post(  # noqa: E731
            f"{ART}/api/image/check-status", json={"upload_id": upload_id}, headers=KEY
        )

        assert (await status()).json() == {"status": "rendering"}
        not_yet = await http.get(path)
        assert not_yet.status_code == 404 and not_yet.json() == {"error": "Not found"}
        assert (await http.head(path)).status_code == 404

        advanced = await http.post("/_emulator/clock/advance", json={"seconds": 120})
        assert advanced.json()["ran"] >= 1
        assert (await status()).json() == {"status": "done"}
        done = await http.get(path)
        assert done.status_code == 200 and done.headers["content-type"] == "image/jpeg"
        assert image_size(done.content) == (320, 240)
        assert (
            await http.get(path, headers={"If-None-Match": done.headers["etag"]})
        ).status_code == 304


async def test_if_none_match_lists_weak_tags_and_star(app: EmulatorApp) -> None:
    async with client(app) as http:
        path = httpx.URL(await upload(http, image_bytes())).path
        etag = (await http.get(path)).headers["etag"]
        for header in (f'"other", {etag}', f"W/{etag}", "*"):
            response = await http.get(path, headers={"If-None-Match": header})
            assert response.status_code == 304, header
