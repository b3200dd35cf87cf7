"""1. Upload an image: multipart `file`, JSON `image_base64` + `content_type`, JSON `data_url`;
JPEG, PNG, WebP, HEIC/HEIF; max 10 MB; the legacy Vercel Blob handshake refused clearly."""

from __future__ import annotations

import pytest

from ..support import (
    PIL_CONTENT_TYPES,
    assert_error,
    decode_image,
    heic_bytes,
    make_image,
    raw_http,
)
from .client import ArtClient

TEN_MB = 10 * 1024 * 1024  # the larger reading of "10 MB": anything above is too large either way
FORMATS = ["JPEG", "PNG", "WEBP"]


def _assert_uploaded(response, art: ArtClient) -> str:
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"url"}, body  # [DOC] {"url": "https://..."}
    assert body["url"].startswith(("http://", "https://"))
    return body["url"]


def _fetch(art: ArtClient, url: str):
    response = art.http.get(url)  # [DOC] a stable public URL: no token needed
    assert response.status_code == 200, response.text
    return response


@pytest.mark.parametrize("fmt", FORMATS)
def test_multipart_upload_of_each_format_is_served_back(art: ArtClient, fmt):
    data = make_image(fmt, (80, 60))
    content_type = PIL_CONTENT_TYPES[fmt]
    url = _assert_uploaded(art.upload_file(data, f"room.{fmt.lower()}", content_type), art)
    served = _fetch(art, url)
    assert served.content == data
    assert served.headers["content-type"].startswith(content_type)
    assert decode_image(served.content).size == (80, 60)
    # stable, not a short-lived signed URL: the same bytes every time
    assert _fetch(art, url).content == data


@pytest.mark.parametrize("fmt", FORMATS)
def test_base64_json_upload(art: ArtClient, fmt):
    data = make_image(fmt, (50, 40))
    url = _assert_uploaded(art.upload_base64(data, PIL_CONTENT_TYPES[fmt]), art)
    assert _fetch(art, url).content == data


@pytest.mark.parametrize("fmt", FORMATS)
def test_data_url_json_upload(art: ArtClient, fmt):
    data = make_image(fmt, (50, 40))
    url = _assert_uploaded(art.upload_data_url(data, PIL_CONTENT_TYPES[fmt]), art)
    assert _fetch(art, url).content == data


@pytest.mark.parametrize(
    ("brand", "content_type"),
    [(b"heic", "image/heic"), (b"heix", "image/heic"), (b"mif1", "image/heif")],
)
def test_heic_and_heif_are_accepted_by_content(art: ArtClient, brand, content_type):
    data = heic_bytes(640, 480, brand)
    # the declared multipart type is generic: the format is recognised from the bytes
    url = _assert_uploaded(art.upload_file(data, "photo.bin", "application/octet-stream"), art)
    served = _fetch(art, url)
    assert served.content == data
    assert served.headers["content-type"].startswith(("image/heic", "image/heif"))
    _assert_uploaded(art.upload_base64(data, content_type), art)
    _assert_uploaded(art.upload_data_url(data, content_type), art)


@pytest.mark.parametrize(
    "data",
    [
        b"this is not an image at all",
        b"\x00" * 512,
        make_image("GIF"),
        make_image("BMP"),
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
        b"<html><body>not an image</body></html>",
    ],
    ids=["text", "zeros", "gif", "bmp", "pdf", "html"],
)
def test_unrecognised_bytes_are_400_invalid_format(art: ArtClient, data):
    assert_error(art.upload_file(data, "room.jpg", "image/jpeg"), 400, "format")
    assert_error(art.upload_base64(data, "image/jpeg"), 400, "format")
    assert_error(art.upload_data_url(data, "image/png"), 400, "format")


def test_empty_file_is_400(art: ArtClient):
    assert_error(art.upload_file(b"", "room.jpg", "image/jpeg"), 400)


@pytest.mark.parametrize("declared", ["image/gif", "image/bmp", "application/pdf", "text/plain"])
def test_unsupported_declared_content_type_is_400(art: ArtClient, declared):
    data = make_image("JPEG")
    assert_error(art.upload_base64(data, declared), 400, "content")
    assert_error(art.upload_data_url(data, declared), 400)


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/octet-stream", "image/jpeg", "application/xml"]
)
def test_unsupported_request_content_type_is_400(art: ArtClient, content_type):
    response = art.request(
        "POST", "/image/upload", content=make_image(), headers={"Content-Type": content_type}
    )
    assert_error(response, 400, "multipart")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"content_type": "image/jpeg"},
        {"image_base64": "!!!not-base64!!!", "content_type": "image/jpeg"},
        {"image_base64": 12345, "content_type": "image/jpeg"},
        {"data_url": "https://example.com/a.jpg"},
        {"data_url": "data:image/png;base64,@@@"},
        {"data_url": None},
    ],
    ids=["empty", "no-data", "bad-base64", "number", "not-data-url", "bad-data-url", "null"],
)
def test_malformed_json_uploads_are_400(art: ArtClient, body):
    assert_error(art.request("POST", "/image/upload", json=body), 400)


@pytest.mark.parametrize("raw", [b"{not json", b"[]", b'"text"', b"null", b"42"])
def test_upload_body_that_is_not_a_json_object_is_400(art: ArtClient, raw):
    response = art.request(
        "POST", "/image/upload", content=raw, headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400)


def test_multipart_without_file_field_is_400(art: ArtClient):
    response = art.request("POST", "/image/upload", files={"image": ("a.jpg", make_image())})
    assert_error(response, 400, "file")
    response = art.request("POST", "/image/upload", data={"file": "not a file"}, files={"x": b"1"})
    assert_error(response, 400, "file")


def test_vercel_blob_handshake_gets_a_clear_400(art: ArtClient):
    handshake = {
        "type": "blob.generate-client-token",
        "payload": {
            "pathname": "room.jpg",
            "callbackUrl": "https://example.com/api/image/upload",
            "clientPayload": None,
            "multipart": False,
        },
    }
    message = assert_error(art.request("POST", "/image/upload", json=handshake), 400)["error"]
    # "a clear error telling you to switch to multipart or base64 upload"
    assert "multipart" in message.lower()
    assert "base64" in message.lower()


def test_upload_just_under_the_limit_is_accepted(art: ArtClient):
    data = make_image("JPEG", (32, 32))
    data += b"\x00" * (9_900_000 - len(data))  # trailing bytes after the JPEG end marker
    _assert_uploaded(art.upload_file(data, "big.jpg", "image/jpeg"), art)


def test_multipart_over_10_mb_is_413(art: ArtClient):
    data = make_image("JPEG", (32, 32))
    data += b"\x00" * (TEN_MB + 1 - len(data))
    assert_error(art.upload_file(data, "huge.jpg", "image/jpeg"), 413)


def test_base64_json_over_10_mb_is_413(art: ArtClient):
    data = make_image("JPEG", (32, 32))
    data += b"\x00" * (TEN_MB + 1 - len(data))
    assert_error(art.upload_base64(data, "image/jpeg"), 413)
    assert_error(art.upload_data_url(data, "image/jpeg"), 413)


@pytest.mark.parametrize(
    ("content_type", "declared"),
    [
        ("multipart/form-data; boundary=contract", 11 * 1024 * 1024),
        ("application/json", 64 * 1024 * 1024),
    ],
    ids=["multipart", "json"],
)
def test_content_length_alone_over_the_limit_is_413(art: ArtClient, content_type, declared):
    """Refused from the header, before any body is sent (none is)."""
    path = art.url("/image/upload").split("://", 1)[1].split("/", 1)[1]
    host = art.root.split("://", 1)[1].split("/", 1)[0]
    head = (
        f"POST /{path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {art.api_key}\r\n"
        f"Content-Type: {content_type}\r\nContent-Length: {declared}\r\n"
    ).encode()
    assert_error(raw_http(art.root, head), 413)
