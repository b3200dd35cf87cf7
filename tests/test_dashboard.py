"""The dashboard's pages over real HTTP: jobs with sources, results and filters, a job's timeline,
request and webhooks, deliveries, accounts, faults, links that lead somewhere, and live events."""

from __future__ import annotations

import io
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

import httpx
import pytest

from emulator.core.renders import synthetic_room
from emulator.testing import EmulatorServer

from .helpers import Receiver, data_url

VSAI, ART = "virtualstagingai", "virtualstaging-art"
KEY = "demo-key"


@dataclass
class Demo:
    emu: EmulatorServer
    receiver: Receiver
    staged: str = ""  # a VSAI render that succeeds, with a signed webhook
    failed: str = ""  # a VSAI render whose image URL asks it to fail
    art_job: str = ""  # a Virtual Staging ART job, over an uploaded photo
    queued: str = ""  # a VSAI render still queued (created after the clock moved)
    job_ids: dict[str, str] = field(default_factory=dict)


def photo_bytes(width: int = 600, height: int = 400) -> bytes:
    buf = io.BytesIO()
    synthetic_room("dashboard demo", (width, height)).save(buf, "JPEG", quality=85)
    return buf.getvalue()


def play_demo(emu: EmulatorServer, receiver: Receiver) -> Demo:
    """A little of everything: renders that succeed, fail and wait; two vendors; a signed webhook."""
    demo = Demo(emu, receiver)
    auth = {"Authorization": f"Api-Key {KEY}"}
    with httpx.Client(base_url=emu.base_url(VSAI), headers=auth, timeout=10) as vsai:
        vsai.post("/user/webhook-secret", json={"webhook_secret": "s3cret"}).raise_for_status()
        render = {
            "config": {
                "type": "staging",
                "add_furniture": {"room_type": "bed", "style": "scandinavian"},
            },
            "image_url": data_url(photo_bytes()),
            "webhook_url": receiver.url,
            "variation_count": 2,
        }
        demo.staged = vsai.post("/renders", json=render).json()["id"]
        living = {"type": "staging", "add_furniture": {"room_type": "living", "style": "luxury"}}
        vsai.post("/renders", json=render | {"config": living, "variation_count": 1})
        failing = render | {"image_url": "https://example.com/room.jpg?emulator-fail"}
        demo.failed = vsai.post("/renders", json=failing | {"variation_count": 1}).json()["id"]
    art = httpx.Client(
        base_url=emu.base_url(ART), headers={"Authorization": "Bearer art-token"}, timeout=10
    )
    with art:
        upload = art.post(
            "/image/upload", files={"file": ("room.jpg", photo_bytes(), "image/jpeg")}
        )
        upload.raise_for_status()
        asked = {"image_url": upload.json()["url"], "room_type": "kitchen", "style": "industrial"}
        art.post("/image/render/request", json=asked).raise_for_status()
        dining = asked | {"room_type": "dining", "style": "farmhouse"}
        art.post("/image/render/request", json=dining).raise_for_status()
    emu.advance(120)
    with httpx.Client(base_url=emu.base_url(VSAI), headers=auth, timeout=10) as vsai:
        later = {"config": {"type": "daytodusk", "sky_style": "golden"}}
        later |= {"image_url": data_url(photo_bytes(300, 200))}
        demo.queued = vsai.post("/renders", json=later).json()["id"]
    jobs = emu.jobs()
    demo.art_job = next(j.id for j in jobs if j.vendor == ART)
    return demo


@pytest.fixture(scope="module")
def demo() -> Iterator[Demo]:
    with Receiver() as receiver, EmulatorServer() as emu:
        yield play_demo(emu, receiver)


@pytest.fixture(scope="module")
def web(demo: Demo) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=demo.emu.url, timeout=10) as client:
        yield client


def jobs_of_render(demo: Demo, render_id: str) -> list:
    return [j for j in demo.emu.jobs(VSAI) if render_id in (j.group or "", j.id)]


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.images: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.hrefs.append(values["href"] or "")
        if tag == "img" and values.get("src"):
            self.images.append(values["src"] or "")


def links(page: str) -> Links:
    parser = Links()
    parser.feed(page)
    return parser


def test_jobs_page_shows_every_vendor_with_source_and_results(
    demo: Demo, web: httpx.Client
) -> None:
    page = web.get("/_emulator/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "Virtual Staging AI" in html and "Virtual Staging ART" in html
    assert html.count('class="card"') == len(demo.emu.jobs())
    assert "succeeded" in html and "failed" in html and "queued" in html
    assert "room_type bed" in html and "style scandinavian" in html
    assert "outside URL, never fetched" in html  # the failing render's source was never fetched
    found = links(html)
    sources = [src for src in found.images if src.endswith(".jpeg") or src.endswith(".jpg")]
    assert len(sources) >= 4
    for src in set(found.images):
        image = web.get(src)
        assert image.status_code == 200 and image.headers["content-type"].startswith("image/")
    assert html.count('class="ba"') >= 3  # the slider over each staged result
    assert 'type="range"' in html


@pytest.mark.parametrize(
    ("query", "present", "absent"),
    [
        ({"vendor": ART}, ["Virtual Staging ART"], ["daytodusk"]),
        ({"vendor": VSAI}, ["daytodusk"], ["room_type kitchen"]),
        ({"state": "failed"}, ["failed"], ["state s-succeeded", "state s-queued"]),
        ({"state": "queued"}, ["sky_style golden"], ["state s-failed"]),
    ],
)
def test_jobs_page_filters(web: httpx.Client, query, present, absent) -> None:
    html = web.get("/_emulator/", params=query).text
    for text in present:
        assert text in html, text
    for text in absent:
        assert text not in html.split("</form>", 1)[1], text


def test_jobs_page_filters_by_account(demo: Demo, web: httpx.Client) -> None:
    art_account = next(a for a in demo.emu.client.accounts() if a.vendor == ART)
    html = web.get("/_emulator/", params={"account": art_account.id}).text
    cards = html.split("</form>", 1)[1]
    assert cards.count('class="card"') == len([j for j in demo.emu.jobs() if j.vendor == ART])
    assert "Virtual Staging AI<" not in cards


def test_job_page_has_timeline_request_and_webhooks(demo: Demo, web: httpx.Client) -> None:
    job = jobs_of_render(demo, demo.staged)[0]
    page = web.get(f"/_emulator/ui/jobs/{job.id}")
    assert page.status_code == 200
    html = page.text
    assert 'class="timeline"' in html
    for step in ("queued", "started", "succeeded"):
        assert f"<td>{step}</td>" in html
    assert "2026-01-01 00:00:" in html  # on the emulator's manual clock
    # the request that created it, from the journal, with the body the client sent
    assert "POST /virtualstagingai/v2/renders" in html
    assert "scandinavian" in html.split("<h2>Request</h2>", 1)[1]
    # the webhook it caused, linked
    webhooks = html.split("<h2>Webhooks</h2>", 1)[1]
    assert "/_emulator/ui/webhooks/" in webhooks and "delivered" in webhooks


def test_failed_job_page_shows_its_error(demo: Demo, web: httpx.Client) -> None:
    job = jobs_of_render(demo, demo.failed)[0]
    html = web.get(f"/_emulator/ui/jobs/{job.id}").text
    assert 'class="error"' in html and "<td>failed</td>" in html


def test_unknown_pages_are_404_pages(web: httpx.Client) -> None:
    for path in ("/_emulator/ui/jobs/nope", "/_emulator/ui/webhooks/nope"):
        page = web.get(path)
        assert page.status_code == 404 and "not found" in page.text


def test_webhook_pages_show_payload_headers_signature_and_resend(
    demo: Demo, web: httpx.Client
) -> None:
    listing = web.get("/_emulator/ui/webhooks").text
    delivery = demo.emu.deliveries(VSAI)[0]
    assert f"/_emulator/ui/webhooks/{delivery.id}" in listing
    html = web.get(f"/_emulator/ui/webhooks/{delivery.id}").text
    assert delivery.event in html and delivery.url in html
    assert "X-Signature" in html  # the account set a secret: every attempt is signed
    assert html.count("<tr><td>1</td>") == 1  # one attempt, delivered
    assert f'data-action="resend" data-id="{delivery.id}"' in html
    # what the button does
    before = len(demo.receiver.requests)
    resent = web.post(f"/_emulator/webhooks/deliveries/{delivery.id}/resend")
    assert resent.status_code == 200 and len(resent.json()["attempts"]) == 2
    assert len(demo.receiver.requests) == before + 1
    assert "<tr><td>2</td>" in web.get(f"/_emulator/ui/webhooks/{delivery.id}").text


def test_accounts_and_faults_pages(demo: Demo, web: httpx.Client) -> None:
    html = web.get("/_emulator/ui/accounts").text
    assert KEY in html and "art-token" in html and 'name="credits"' in html
    rule = web.post("/_emulator/faults", json={"vendor": ART, "operation": "me", "times": 2})
    assert rule.status_code == 201
    html = web.get("/_emulator/ui/faults").text
    assert f'data-action="delete-fault" data-id="{rule.json()["id"]}"' in html
    assert 'value="request_render"' in html  # operations offered by name
    web.delete(f"/_emulator/faults/{rule.json()['id']}")
    assert "No fault rules" in web.get("/_emulator/ui/faults").text


def test_requests_page_shows_the_journal(demo: Demo, web: httpx.Client) -> None:
    html = web.get("/_emulator/ui/requests").text
    assert "POST /virtualstagingai/v2/renders" in html
    assert "POST /virtualstaging-art/api/image/upload" in html
    assert "create_render" in html and "Api-Key ***" in html  # the key masked
    only_art = web.get("/_emulator/ui/requests", params={"vendor": ART}).text
    assert "/virtualstagingai/v2/renders" not in only_art
    assert "/virtualstaging-art/api/image/render/request" in only_art
    errors = web.get("/_emulator/ui/requests", params={"status": "4xx"}).text
    assert "No vendor requests recorded" in errors  # the demo made no mistakes


def test_every_link_on_every_page_leads_somewhere(demo: Demo, web: httpx.Client) -> None:
    job = demo.emu.jobs()[0]
    delivery = demo.emu.deliveries()[0]
    pages = [
        "/_emulator/",
        f"/_emulator/ui/jobs/{job.id}",
        "/_emulator/ui/webhooks",
        f"/_emulator/ui/webhooks/{delivery.id}",
        "/_emulator/ui/accounts",
        "/_emulator/ui/faults",
        "/_emulator/ui/requests",
    ]
    checked: set[str] = set()
    for page in pages:
        html = web.get(page).text
        vendor_links = re.findall(r'href="(/_emulator/docs/[^"]+)"', html)
        assert len(vendor_links) == len(demo.emu.app.vendors), page
        for href in links(html).hrefs:
            if href in checked:
                continue
            checked.add(href)
            answer = web.get(href)
            assert answer.status_code == 200, (page, href)


def test_partial_answers_only_the_main_part(web: httpx.Client) -> None:
    full = web.get("/_emulator/ui/webhooks").text
    part = web.get("/_emulator/ui/webhooks", headers={"X-Dashboard-Partial": "1"}).text
    assert "<html" in full and "<html" not in part
    assert part.startswith("<h1>Webhook deliveries")


def test_events_stream_the_clock_and_changes() -> None:
    """The page's live updates: a clock event at once, a change event when something moves."""
    with EmulatorServer() as emu, httpx.Client(base_url=emu.url, timeout=10) as web:
        seen: list[tuple[str, dict]] = []
        done = threading.Event()

        def listen() -> None:
            with web.stream("GET", "/_emulator/ui/events") as stream:
                assert stream.headers["content-type"].startswith("text/event-stream")
                event = None
                for line in stream.iter_lines():
                    if line.startswith("event:"):
                        event = line.split(":", 1)[1].strip()
                    elif line.startswith("data:") and event:
                        seen.append((event, json.loads(line.split(":", 1)[1])))
                        moved = any(
                            e == "clock" and d["now_iso"].startswith("2026-01-01T00:00:05")
                            for e, d in seen
                        )
                        if moved and any(e == "change" for e, _ in seen):
                            done.set()
                            return

        listener = threading.Thread(target=listen, daemon=True)
        listener.start()
        for _ in range(100):
            if seen:
                break
            done.wait(0.05)
        assert seen and seen[0][0] == "clock"
        assert seen[0][1]["now_iso"].startswith("2026-01-01T00:00:00")
        emu.client.accounts()  # reading changes nothing
        httpx.post(f"{emu.url}/_emulator/accounts", json={"vendor": ART, "api_key": "k"})
        emu.advance(5)
        assert done.wait(5), seen
        listener.join(timeout=5)


class PublicFace:
    """A store that answers only its public methods: the dashboard must not need more."""

    def __init__(self, store: object) -> None:
        self._store = store

    def __getattr__(self, name: str) -> object:
        if name.startswith("_"):
            raise AttributeError(f"the dashboard reached into the store: {name}")
        return getattr(self._store, name)


def test_live_fingerprint_uses_the_stores_public_face(monkeypatch: pytest.MonkeyPatch) -> None:
    from emulator.control.dashboard import Dashboard

    with EmulatorServer() as emu:
        engine = emu.app.engine
        monkeypatch.setattr(engine, "store", PublicFace(engine.store))
        board = Dashboard(emu.app)
        before = board.fingerprint()
        assert board.fingerprint() == before  # nothing moved
        auth = {"Authorization": f"Api-Key {KEY}"}
        render = {
            "config": {"type": "staging", "add_furniture": {"room_type": "bed", "style": "modern"}},
            "image_url": data_url(photo_bytes(300, 200)),
        }
        answer = httpx.post(f"{emu.base_url(VSAI)}/renders", json=render, headers=auth)
        assert answer.status_code in (200, 201), answer.text
        created = board.fingerprint()
        assert created != before
        emu.advance(600)  # the job finishes with the clock alone
        assert board.fingerprint() != created
