"""Deeply nested JSON (issue 9, item 4): a body nested 10000 levels deep, whole or inside a field,
is the vendor's 400 `{"error": ...}` on every JSON endpoint, never a 500."""

from __future__ import annotations

import pytest

from ..support import assert_error
from .client import ArtClient

DEEP = b"[" * 10_000 + b"]" * 10_000
DEEP_IN_A_FIELD = b'{"image_url": "https://example.com/a.jpg", "room_type": ' + DEEP + b"}"


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
@pytest.mark.parametrize("body", [DEEP, DEEP_IN_A_FIELD], ids=["body", "field"])
def test_deeply_nested_json_is_a_400(art: ArtClient, path: str, body: bytes):
    response = art.request("POST", path, content=body, headers={"Content-Type": "application/json"})
    assert_error(response, 400, "nested deeper than")
