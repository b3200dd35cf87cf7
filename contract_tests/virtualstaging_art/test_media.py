"""Render URLs ("Use the returned render URLs in your app"): real images of the source's size,
fetched over HTTP with proper headers, and not there before the job is done."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from ..support import (
    PIL_CONTENT_TYPES,
    EmulatorControl,
    assert_error,
    decode_image,
    heic_bytes,
    make_image,
)
from .client import SLUG, ArtClient, declutter_body, source_url, staging_body

pytestmark = pytest.mark.emulator_only


def _render_urls(art: ArtClient, upload_id: str) -> list[str]:
    """The render URLs of every run of the upload group, oldest run first."""
    rows = [r for r in art.render_rows(limit=100) if r["upload_id"] == upload_id]
    assert rows and all(r["status"] == "done" for r in rows), rows
    return [url for row in reversed(rows) for url in row["render_urls"]]


def _assert_image(art: ArtClient, url: str, size: tuple[int, int]) -> bytes:
    response = art.http.get(url)
    assert response.status_code == 200, response.text
    img = decode_image(response.content)
    assert img.size == size
    assert response.headers["content-type"].split(";")[0] == PIL_CONTENT_TYPES[img.format]
    assert int(response.headers["content-length"]) == len(response.content)
    etag = response.headers.get("etag")
    assert etag and etag.startswith('"') and etag.endswith('"')
    again = art.http.get(url)
    assert again.content == response.content and again.headers["etag"] == etag
    conditional = art.http.get(url, headers={"If-None-Match": etag})
    assert conditional.status_code == 304
    return response.content


@pytest.mark.parametrize(
    ("fmt", "size"), [("JPEG", (320, 240)), ("PNG", (200, 300)), ("WEBP", (256, 144))]
)
def test_staging_renders_match_the_uploaded_size(art: ArtClient, finish_jobs, fmt, size):
    url = art.upload(make_image(fmt, size), PIL_CONTENT_TYPES[fmt])
    upload_id = art.render_ok(staging_body(image_url=url, number_of_renders=2))["upload_id"]
    finish_jobs()
    urls = _render_urls(art, upload_id)
    assert len(urls) == 2
    first, second = (_assert_image(art, u, size) for u in urls)
    assert first != second  # two variations, not one image twice


def test_cleanup_declutter_and_heic_renders(art: ArtClient, finish_jobs):
    jpeg = art.upload(make_image("JPEG", (240, 160)))
    heic = art.upload(heic_bytes(300, 200), "image/heic")
    cleanup = art.render_ok(staging_body(image_url=jpeg, mode="cleanup_and_stage"))["upload_id"]
    declutter = art.declutter_ok(declutter_body(image_url=jpeg, upload_id="d-" + art.api_key))
    from_heic = art.render_ok(staging_body(image_url=heic))["upload_id"]
    finish_jobs()
    [url] = _render_urls(art, cleanup)
    _assert_image(art, url, (240, 160))
    [url] = _render_urls(art, declutter["upload_id"])
    _assert_image(art, url, (240, 160))
    [url] = _render_urls(art, from_heic)
    _assert_image(art, url, (300, 200))


def test_outside_image_url_still_gets_a_real_render(art: ArtClient, finish_jobs):
    upload_id = art.render_ok(staging_body(image_url=source_url()))["upload_id"]
    finish_jobs()
    [url] = _render_urls(art, upload_id)
    response = art.http.get(url)
    assert response.status_code == 200
    decode_image(response.content)


def _planned_render_paths(emulator: EmulatorControl, art: ArtClient) -> list[str]:
    """Paths of the render images of `art`'s newest job, known before it finishes."""
    job = emulator.jobs(SLUG, art.api_key)[0]
    if "output_urls" in job:
        return [urlsplit(url).path for url in job["output_urls"]]
    return [f"/_media/{media_id}.jpg" for media_id in job["outputs"]]


def test_render_url_is_404_until_the_job_is_done(art: ArtClient, emulator, finish_jobs):
    url = art.upload(make_image("JPEG", (160, 120)))
    upload_id = art.render_ok(staging_body(image_url=url, number_of_renders=2))["upload_id"]
    paths = _planned_render_paths(emulator, art)
    for path in paths:
        assert_error(art.http.get(emulator.url + path), 404)
    finish_jobs()
    urls = _render_urls(art, upload_id)
    assert [urlsplit(u).path for u in urls] == paths
    for path in paths:
        assert art.http.get(emulator.url + path).status_code == 200


def test_render_url_of_a_failed_job_stays_404(art: ArtClient, emulator, finish_jobs):
    art.render_ok(staging_body(image_url=source_url("emulator-fail")))
    paths = _planned_render_paths(emulator, art)
    finish_jobs()
    for path in paths:
        assert_error(art.http.get(emulator.url + path), 404)


def test_unknown_media_is_404_json(art: ArtClient, emulator):
    assert_error(art.http.get(f"{emulator.url}/_media/{'0' * 32}.jpg"), 404)


def test_uploaded_url_is_stable_and_reusable(art: ArtClient, finish_jobs):
    """[DOC] "not a short-lived signed download URL, so you can reuse the same image_url"."""
    data = make_image("PNG", (120, 90))
    url = art.upload(data, "image/png")
    first = art.render_ok(staging_body(image_url=url))["upload_id"]
    finish_jobs()
    finish_jobs()
    assert art.http.get(url).content == data
    assert art.render_ok(staging_body(image_url=url, style="luxury"))["upload_id"] == first
    finish_jobs()
    urls = _render_urls(art, first)
    assert len(urls) == 2
    for render_url in urls:
        _assert_image(art, render_url, (120, 90))
