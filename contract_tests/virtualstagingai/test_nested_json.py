"""Deeply nested JSON (issue 9, item 4): a body nested 10000 levels deep, whole or inside a field,
is the vendor's 400 `{"message": ...}` on every JSON endpoint, never a 500."""

from __future__ import annotations

import pytest

from ..support import deeply_nested_bodies, post_json_bytes
from .client import VsaiClient, assert_message


@pytest.mark.parametrize(
    "path",
    [
        "/renders",
        "/renders/bulk",
        "/renders/variations/bulk",
        "/analyze",
        "/multi-view-compatibility",
        "/user/webhook-secret",
    ],
)
@deeply_nested_bodies(b'{"image_url": "https://example.com/a.jpg", "config": %s}')
def test_deeply_nested_json_is_a_400(vsai: VsaiClient, path: str, body: bytes):
    assert_message(post_json_bytes(vsai, path, body), 400, "nested deeper than")
