"""POST /uploads [DOC]: multipart `file`, `upload_id` usable in jobs, 24 h expiry; [PROPOSED]
formats, size limit and storage accounting."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image

from ..support import (
    EmulatorControl,
    assert_iso_timestamp,
    heic_bytes,
    make_image,
    raw_http,
)
from .client import BASE, StageProClient, assert_error, job_body

MAX_UPLOAD = 20 * 1024 * 1024


@pytest.mark.parametrize(
    "fmt, kind", [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")]
)
def test_upload_is_served_and_usable_in_a_job(
    sp: StageProClient, finish: Callable[[], Any], fmt: str, kind: str
):
    data = make_image(fmt, (640, 480))
    upload = sp.ok(sp.upload(data, f"room.{fmt.lower()}", kind), 201)
    assert upload["upload_id"].startswith("upl_")
    assert (upload["content_type"], upload["size_bytes"]) == (kind, len(data))
    assert (upload["width"], upload["height"]) == (640, 480)
    created = assert_iso_timestamp(upload["created_at"])
    assert (assert_iso_timestamp(upload["expires_at"]) - created).total_seconds() == 24 * 3600
    served = sp.http.get(upload["url"])
    assert served.status_code == 200 and served.content == data

    job = sp.create_job_ok(job_body(image_url=None, upload_id=upload["upload_id"]))
    assert job["input"]["upload_id"] == upload["upload_id"]
    finish()
    [image] = sp.job(job["id"])["output"]["images"]
    assert (image["width"], image["height"]) == (1536, 1152)  # the 4:3 photo at 1536 px
    assert sp.usage()["storage"]["used_bytes"] == len(data)


def test_wrong_uploads_are_400(sp: StageProClient):
    assert_error(sp.upload(b"hello", "a.txt", "text/plain"), 400, "validation_error", "file")
    assert_error(sp.upload(heic_bytes(), "a.heic", "image/heic"), 400, "validation_error", "file")
    assert_error(
        sp.upload(make_image("GIF"), "a.gif", "image/gif"), 400, "validation_error", "file"
    )
    no_file = sp.request("POST", "/uploads", files={"other": ("a.jpg", make_image(), "image/jpeg")})
    assert_error(no_file, 400, "validation_error", "file")
    as_json = sp.request("POST", "/uploads", json={"file": "x"})
    assert_error(as_json, 400, "validation_error", "file")


def test_unknown_or_foreign_upload_id_is_400(
    sp: StageProClient, sp_as: Callable[..., StageProClient]
):
    upload = sp.ok(sp.upload(make_image()), 201)
    body = job_body(image_url=None, upload_id=upload["upload_id"])
    assert_error(sp_as().create_job(body), 400, "validation_error", "input.upload_id")
    body = job_body(image_url=None, upload_id="upl_nope")
    assert_error(sp.create_job(body), 400, "validation_error", "input.upload_id")
    both = job_body(upload_id=upload["upload_id"])
    assert_error(sp.create_job(both), 400, "validation_error", "input.upload_id")


@pytest.mark.emulator_only
def test_an_upload_older_than_24_hours_is_refused(sp: StageProClient, emulator: EmulatorControl):
    upload = sp.ok(sp.upload(make_image()), 201)
    emulator.advance(24 * 3600 - 1)
    sp.create_job_ok(job_body(image_url=None, upload_id=upload["upload_id"]))
    emulator.advance(1)
    error = assert_error(
        sp.create_job(job_body(image_url=None, upload_id=upload["upload_id"])),
        400,
        "validation_error",
        "input.upload_id",
    )
    assert "expired" in error["message"]
    assert sp.usage()["storage"]["used_bytes"] == 0  # expired uploads no longer count


@pytest.mark.emulator_only
def test_too_large_is_refused_from_content_length_before_reading(sp: StageProClient, sp_root: str):
    head = (
        f"POST /{sp_root.rsplit('/', 1)[1]}{BASE}/uploads HTTP/1.1\r\n"
        f"Host: 127.0.0.1\r\nAuthorization: Bearer {sp.api_key}\r\n"
        "Content-Type: multipart/form-data; boundary=x\r\n"
        f"Content-Length: {MAX_UPLOAD * 2}\r\n"
    ).encode()
    response = raw_http(sp_root, head, b"--x\r\n")  # the body never comes
    assert response.status == 413
    error = response.json()["error"]
    assert error["code"] == "file_too_large" and "20 MB" in error["message"]


@pytest.mark.emulator_only
def test_too_large_is_refused_while_streaming(sp: StageProClient):
    def chunks():
        yield b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n\r\n'
        for _ in range(22):
            yield b"\0" * (1024 * 1024)

    response = sp.request(
        "POST",
        "/uploads",
        content=chunks(),
        headers={"Content-Type": "multipart/form-data; boundary=x"},
    )
    assert_error(response, 413, "file_too_large")


@pytest.mark.emulator_only
def test_storage_limit_from_a_key_word_and_the_control_api(
    sp_as: Callable[..., StageProClient], sp: StageProClient, emulator: EmulatorControl
):
    low = sp_as("low-storage")  # 256 KiB
    assert low.usage()["storage"]["limit_bytes"] == 256 * 1024
    small = make_image("PNG", (64, 64))
    low.ok(low.upload(small), 201)
    big = make_image("PNG", (400, 400), color=(1, 2, 3)) + b"\0" * (300 * 1024)
    error = assert_error(low.upload(big), 403, "storage_limit_exceeded")
    assert "Storage limit" in error["message"]
    assert_error(sp_as("no-storage").upload(small), 403, "storage_limit_exceeded")

    emulator.set_account("stagepro", sp.api_key, meters={"storage_limit_bytes": len(small)})
    sp.ok(sp.upload(small), 201)
    assert_error(sp.upload(small), 403, "storage_limit_exceeded")
    assert sp.usage()["storage"] == {"used_bytes": len(small), "limit_bytes": len(small)}


def test_an_image_over_50_megapixels_is_refused(sp: StageProClient):
    """[EMULATOR] a small file may declare a huge picture: refused by its size, not decoded."""
    buf = io.BytesIO()
    Image.new("L", (8000, 7000), 0).save(buf, "PNG", optimize=True)
    error = assert_error(
        sp.upload(buf.getvalue(), "big.png", "image/png"), 400, "validation_error", "file"
    )
    assert "megapixels" in error["message"]
    assert sp.usage()["storage"]["used_bytes"] == 0
