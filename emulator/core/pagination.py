"""Cursor pagination shared by vendors: the cursor is the id of the item to start after."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from .errors import ApiError

T = TypeVar("T")


def page_after(
    items: Sequence[T], *, cursor: str | None, limit: int, key: Callable[[T], str], field: str
) -> tuple[list[T], str | None]:
    """Up to `limit` items after the one whose key is `cursor`, and the next cursor (None at the
    end). An unknown cursor is the client's error, reported against `field`."""
    start = 0
    if cursor:
        for index, item in enumerate(items):
            if key(item) == cursor:
                start = index + 1
                break
        else:
            raise ApiError(400, f"{field}: unknown cursor '{cursor}'", field=field)
    page = list(items[start : start + limit])
    more = start + limit < len(items)
    return page, key(page[-1]) if page and more else None
