"""Byte ranges on /_media (RFC 9110 §14), over real HTTP: what a video player (Safari) asks."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from emulator.core.ranges import RangeNotSatisfiable, byte_range
from emulator.testing import EmulatorServer

from .helpers import data_url, image_bytes

ART = "virtualstaging-art"


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[httpx.Client, str, bytes]]:
    """A real server, a client, the URL of an uploaded file and its bytes."""
    data = image_bytes(320, 240)
    with EmulatorServer() as emu, httpx.Client(timeout=10, trust_env=False) as http:
        upload = http.post(
            f"{emu.base_url(ART)}/image/upload",
            json={"data_url": data_url(data)},
            headers={"Authorization": "Bearer sk_ranges"},
        )
        assert upload.status_code == 200, upload.text
        yield http, upload.json()["url"], data


def test_whole_answers_say_ranges_are_accepted(served) -> None:
    http, url, data = served
    for answer in (http.get(url), http.head(url)):
        assert answer.status_code == 200 and answer.headers["accept-ranges"] == "bytes"
        assert answer.headers["content-length"] == str(len(data))
    assert http.get(url).content == data


@pytest.mark.parametrize(
    ("asked", "first", "last"),
    [
        ("bytes=0-9", 0, 9),
        ("bytes=10-", 10, None),
        ("bytes=-100", -100, None),
        ("bytes=0-0", 0, 0),
        ("bytes=5-999999999", 5, None),  # past the end: up to the end
        ("bytes=-999999999", 0, None),  # a suffix longer than the file: all of it
        ("BYTES = 3 - 7", 3, 7),
    ],
)
def test_one_range_is_answered_with_206(served, asked: str, first: int, last: int | None) -> None:
    http, url, data = served
    size = len(data)
    start = first % size if first < 0 else first
    stop = size if last is None else last + 1
    answer = http.get(url, headers={"Range": asked})
    assert answer.status_code == 206, asked
    assert answer.content == data[start:stop]
    assert answer.headers["content-range"] == f"bytes {start}-{stop - 1}/{size}"
    assert answer.headers["content-length"] == str(stop - start)
    assert answer.headers["content-type"] == "image/jpeg"
    head = http.head(url, headers={"Range": asked})
    assert head.status_code == 206 and head.content == b""
    assert head.headers["content-range"] == answer.headers["content-range"]
    assert head.headers["content-length"] == str(stop - start)


@pytest.mark.parametrize("asked", ["bytes=999999-", "bytes=-0", f"bytes={'9' * 40}-"])
def test_an_unsatisfiable_range_is_416_with_the_length(served, asked: str) -> None:
    http, url, data = served
    answer = http.get(url, headers={"Range": asked})
    assert answer.status_code == 416, asked
    assert answer.headers["content-range"] == f"bytes */{len(data)}"
    assert "Range not satisfiable" in answer.json()["error"]


@pytest.mark.parametrize(
    "asked", ["bytes=0-1,5-9", "items=0-9", "bytes=9-2", "bytes=abc", "bytes=-", ""]
)
def test_several_invalid_or_foreign_ranges_get_the_whole_file(served, asked: str) -> None:
    http, url, data = served
    answer = http.get(url, headers={"Range": asked})
    assert answer.status_code == 200 and answer.content == data, asked


def test_if_range_sends_the_range_only_while_the_etag_matches(served) -> None:
    http, url, data = served
    etag = http.head(url).headers["etag"]
    same = http.get(url, headers={"Range": "bytes=0-3", "If-Range": etag})
    assert same.status_code == 206 and same.content == data[:4]
    for other in ('"other"', f"W/{etag}", "Mon, 30 Nov 2026 10:00:00 GMT"):
        changed = http.get(url, headers={"Range": "bytes=0-3", "If-Range": other})
        assert changed.status_code == 200 and changed.content == data, other


@given(size=st.integers(0, 500), start=st.integers(0, 600), length=st.integers(1, 600))
def test_a_range_is_the_slice_it_names(size: int, start: int, length: int) -> None:
    try:
        span = byte_range(f"bytes={start}-{start + length - 1}", size)
    except RangeNotSatisfiable:
        assert start >= size
        return
    assert span is not None and start < size
    assert list(span) == list(range(size))[start : start + length]
