"""Deeply nested JSON (issue 9, item 4): a body nested 10000 levels deep, whole or inside a field,
is the vendor's 400 `{"error": ...}` on every JSON endpoint, never a 500."""

from __future__ import annotations

import pytest

from ..support import assert_error, deeply_nested_bodies, post_json_bytes
from .client import ArtClient


@pytest.mark.parametrize(
    "path",
    [
        "/image/upload",
        "/image/render/request",
        "/image/render/declutter",
        "/image/check-status",
        "/image/check-rendering-amount",
    ],
)
@deeply_nested_bodies(b'{"image_url": "https://example.com/a.jpg", "room_type": %s}')
def test_deeply_nested_json_is_a_400(art: ArtClient, path: str, body: bytes):
    assert_error(post_json_bytes(art, path, body), 400, "nested deeper than")
