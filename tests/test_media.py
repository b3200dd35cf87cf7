from __future__ import annotations

import asyncio
import hashlib
import threading

import pytest

from emulator.core import renders
from emulator.core.engine import Engine
from emulator.core.media import Media, MediaNotReady, decode_data_url
from emulator.core.renders import RenderSpec, image_size, sniff_image

from .helpers import data_url, image_bytes


def test_upload_is_stored_with_size_etag_and_dimensions(engine: Engine) -> None:
    data = image_bytes(64, 48)
    media = engine.media.add_upload("acc", data, "image/jpeg")
    assert media.origin == "upload" and media.ready
    assert media.size == len(data)
    assert media.etag == hashlib.sha256(data).hexdigest()[:32]
    assert (media.width, media.height) == (64, 48)
    assert (media.content_type, media.ext) == ("image/jpeg", "jpg")
    assert engine.media.read(media) == data
    assert engine.media.get(media.id) == media
    assert engine.media.url(media) == f"http://127.0.0.1:8080/_media/{media.id}.jpg"
    assert engine.media.list("acc") == [media]


def test_served_recognises_emulator_urls_on_any_host(engine: Engine) -> None:
    media = engine.media.add_upload("acc", image_bytes(), "image/jpeg")
    path = f"/_media/{media.id}.jpg"
    for base in ("http://127.0.0.1:8080", "https://demo.example.com", "http://localhost:1"):
        assert engine.media.served(base + path) == media
    assert engine.media.served("https://x.example.com/_media/" + "0" * 32 + ".jpg") is None
    assert engine.media.served("https://example.com/room.jpg") is None
    assert engine.media.served(path) is None  # not a URL
    assert engine.media.served(f"ftp://host{path}") is None


def test_source_for_a_data_url_creates_an_upload(engine: Engine) -> None:
    data = image_bytes(30, 20, "PNG")
    media_id, key = engine.media.source_for(data_url(data, "image/png"), "acc")
    assert media_id is not None and key == media_id
    media = engine.media.get(media_id)
    assert media.origin == "upload" and media.content_type == "image/png"
    assert engine.media.read(media) == data and (media.width, media.height) == (30, 20)


def test_source_for_a_served_url_uses_that_media(engine: Engine) -> None:
    media = engine.media.add_upload("acc", image_bytes(), "image/jpeg")
    assert engine.media.source_for(engine.media.url(media), "acc") == (media.id, media.id)
    assert len(engine.media.list()) == 1


def test_source_for_an_outside_url_is_a_synthetic_key(engine: Engine) -> None:
    url = "https://cdn.example.com/listing/42.jpg"
    assert engine.media.source_for(url, "acc") == (None, url)
    junk = data_url(b"not an image", "image/jpeg")
    assert engine.media.source_for(junk, "acc") == (None, junk)
    assert engine.media.list() == []  # nothing stored, nothing fetched


def test_decode_data_url() -> None:
    assert decode_data_url("data:image/png;base64,aGk=") == ("image/png", b"hi")
    assert decode_data_url("data:;base64,aGk=") == (None, b"hi")
    assert decode_data_url("data:image/png;base64,***") is None
    assert decode_data_url("https://example.com/x.png") is None


@pytest.fixture
def render_calls(monkeypatch: pytest.MonkeyPatch) -> list[RenderSpec]:
    calls: list[RenderSpec] = []
    real = renders.render

    def counting(spec, source):
        calls.append(spec)
        return real(spec, source)

    monkeypatch.setattr(renders, "render", counting)
    return calls


def plan(engine: Engine, source: Media | None, key: str = "k") -> Media:
    spec = RenderSpec(vendor="T", source_key=source.id if source else key)
    return engine.media.plan_render("acc", "job-1", spec, source.id if source else None)


async def test_planned_render_is_drawn_once_on_first_fetch(engine: Engine, render_calls) -> None:
    source = engine.media.add_upload("acc", image_bytes(120, 90), "image/jpeg")
    planned = plan(engine, source)
    assert not planned.ready and render_calls == []
    with pytest.raises(MediaNotReady):
        engine.media.read(planned)

    drawn, data = await engine.media.content(planned)
    assert len(render_calls) == 1
    assert drawn.ready and drawn.size == len(data) and sniff_image(data) == "image/jpeg"
    assert (drawn.width, drawn.height) == (120, 90) == image_size(data)

    # later fetches, with the stale planned object or a fresh one, never draw again
    for media in (planned, engine.media.get(planned.id), drawn):
        again, same = await engine.media.content(media)
        assert same == data and again.etag == drawn.etag
    assert len(render_calls) == 1


async def test_outside_source_renders_a_synthetic_room(engine: Engine, render_calls) -> None:
    planned = plan(engine, None, key="https://example.com/room.jpg")
    media, _ = await engine.media.content(planned)
    assert (media.width, media.height) == renders.DEFAULT_SIZE
    assert render_calls[0].source_key == "https://example.com/room.jpg"


async def test_derivatives_webp_and_thumbnail(engine: Engine, render_calls) -> None:
    source = engine.media.add_upload("acc", image_bytes(800, 600), "image/jpeg")
    parent = plan(engine, source)
    optimized = engine.media.plan_derivative(parent, "optimized")
    thumb = engine.media.plan_derivative(parent, "thumbnail")
    assert (optimized.ext, optimized.content_type) == ("webp", "image/webp")
    assert (thumb.ext, thumb.content_type) == ("jpg", "image/jpeg")
    assert optimized.job_id == thumb.job_id == parent.job_id

    webp_media, webp = await engine.media.content(optimized)
    assert sniff_image(webp) == "image/webp" and (webp_media.width, webp_media.height) == (800, 600)
    thumb_media, jpeg = await engine.media.content(thumb)
    assert sniff_image(jpeg) == "image/jpeg" and max(thumb_media.width, thumb_media.height) <= 400
    assert image_size(jpeg) == (400, 300)

    # the parent was drawn once for both and is kept
    parent_media, _ = await engine.media.content(engine.media.get(parent.id))
    assert parent_media.ready and len(render_calls) == 1


async def test_parent_and_derivative_fetched_together_draw_the_parent_once(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[RenderSpec] = []
    second_call = threading.Event()
    real = renders.render

    def slow_first_render(spec, source):
        calls.append(spec)
        if len(calls) == 1:
            second_call.wait(timeout=0.5)  # hold the first drawing while the other request runs
        else:
            second_call.set()
        return real(spec, source)

    monkeypatch.setattr(renders, "render", slow_first_render)
    source = engine.media.add_upload("acc", image_bytes(120, 90), "image/jpeg")
    parent = plan(engine, source)
    optimized = engine.media.plan_derivative(parent, "optimized")
    await asyncio.gather(engine.media.content(parent), engine.media.content(optimized))
    assert len(calls) == 1


def test_a_data_url_source_can_be_kept_inside_a_transaction(engine: Engine) -> None:
    with engine.store.transaction():
        media_id, _ = engine.media.source_for(data_url(image_bytes()), "acc")
    assert media_id is not None and engine.media.get(media_id).ready
