"""One error type for the whole emulator; each vendor renders it in its own envelope."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError


class ApiError(Exception):
    """A client-visible failure: HTTP status, a message naming what is wrong, and extras.

    `field` names the offending request field; `code` is a vendor error code where the vendor has
    them; `extra` carries anything else a vendor's envelope wants; `headers` go with the answer
    whatever envelope it takes (e.g. `Connection: close`).
    """

    headers: Mapping[str, str] = {}

    def __init__(
        self,
        status: int,
        message: str,
        *,
        field: str | None = None,
        code: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.field, self.code = status, message, field, code
        self.extra = extra or {}


def field_path(loc: tuple[int | str, ...]) -> str:
    """`('configs', 0, 'add_furniture', 'style')` -> `configs[0].add_furniture.style`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def describe_validation_error(
    exc: ValidationError, skip: frozenset[str] = frozenset()
) -> tuple[str, str]:
    """The first problem of a pydantic error as (field, message), message starting with the field.

    `skip` names location parts that are not fields (the tags of a discriminated union)."""
    first = exc.errors(include_url=False)[0]
    loc = tuple(
        p
        for p in first["loc"]
        if not (isinstance(p, str) and (p.startswith("function-") or p in skip))
    )
    field = field_path(loc) or "body"
    kind, msg, ctx = first["type"], first["msg"], first.get("ctx", {})
    if kind == "missing":
        return field, f"{field} is required"
    if kind == "extra_forbidden":
        return field, f"{field} is not a recognised field"
    if kind in ("string_too_short", "too_short") and ctx.get("min_length") == 1:
        return field, f"{field} must not be empty"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        discriminator = str(ctx.get("discriminator", "type")).strip("'")
        field = f"{field}.{discriminator}" if loc else discriminator
        if kind == "union_tag_not_found":
            return field, f"{field} is required"
        return (
            field,
            f"{field}: unsupported value {ctx.get('tag')!r}; expected one of {ctx.get('expected_tags')}",
        )
    msg = msg.removeprefix("Value error, ")
    return (field, msg) if not loc else (field, f"{field}: {msg}")


def validation_error(
    exc: ValidationError, status: int = 400, skip: frozenset[str] = frozenset()
) -> ApiError:
    field, message = describe_validation_error(exc, skip)
    return ApiError(status, message, field=field)


def one_of(
    value: str, allowed: Iterable[str], what: str, aliases: Mapping[str, str] | None = None
) -> str:
    """`value` (or what its alias stands for) if allowed, else a ValueError for a pydantic validator
    listing the allowed values."""
    value = (aliases or {}).get(value, value)
    allowed = tuple(allowed)
    if value not in allowed:
        raise ValueError(f"unsupported {what}; expected one of: {', '.join(allowed)}")
    return value
