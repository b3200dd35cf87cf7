"""Deeply nested JSON (issue 9, item 4): a body nested 10000 levels deep, whole or inside a field,
is the vendor's 400 `{"message": ...}` on every JSON endpoint, never a 500."""

from __future__ import annotations

import pytest

from .client import VsaiClient, assert_message

DEEP = b"[" * 10_000 + b"]" * 10_000
DEEP_IN_A_FIELD = b'{"image_url": "https://example.com/a.jpg", "config": ' + DEEP + b"}"


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
@pytest.mark.parametrize("body", [DEEP, DEEP_IN_A_FIELD], ids=["body", "field"])
def test_deeply_nested_json_is_a_400(vsai: VsaiClient, path: str, body: bytes):
    response = vsai.request(
        "POST", path, content=body, headers={"Content-Type": "application/json"}
    )
    assert_message(response, 400, "nested deeper than")
