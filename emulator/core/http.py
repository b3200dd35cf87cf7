"""Request plumbing shared by every vendor: bounded bodies, JSON and forms, auth headers, models."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ValidationError
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope

from .errors import ApiError, validation_error

M = TypeVar("M", bound=BaseModel)

JSON_BODY_LIMIT = 1 << 20  # 1 MiB for plain JSON requests
JSON_MAX_DEPTH = 64  # arrays and objects nested deeper are refused (no vendor nests past ~5)
BODY_IDLE_TIMEOUT = 10.0  # seconds a request body may stall before it is refused with 408


def _digits_only(value: Any) -> Any:
    if isinstance(value, str) and not value.isdigit():
        raise ValueError("expected a whole number")
    return value


# A query-string integer: plain digits only (pydantic alone would take "5.0", "1_0" or "+5").
QueryInt = Annotated[int, BeforeValidator(_digits_only)]


# Refusing a body before it has all arrived ends the connection: what is left of it is not read.
CLOSE = {"Connection": "close"}


class BodyTooLarge(ApiError):
    headers = CLOSE

    def __init__(self, limit: int, message: str | None = None) -> None:
        super().__init__(413, message or f"Request body too large (max {limit} bytes)")
        self.limit = limit


class BodyStalled(ApiError):
    headers = CLOSE

    def __init__(self) -> None:
        super().__init__(
            408, f"Request body timed out: nothing received for {BODY_IDLE_TIMEOUT:g} s"
        )


async def read_body(request: Request, limit: int, message: str | None = None) -> bytes:
    """The body, refused with 413 as soon as it is known to exceed `limit`: from Content-Length
    before reading anything, else while streaming, never holding more than limit bytes; refused
    with 408 when it stops arriving for `BODY_IDLE_TIMEOUT` seconds."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit, message)
    chunks, size = [], 0
    loop = asyncio.get_running_loop()
    try:
        # One timeout for the whole body, pushed back as each chunk arrives: an idle limit per
        # chunk without a timer per chunk.
        async with asyncio.timeout(loop.time() + BODY_IDLE_TIMEOUT) as idle:
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise BodyTooLarge(limit, message)
                chunks.append(chunk)
                idle.reschedule(loop.time() + BODY_IDLE_TIMEOUT)
    except TimeoutError as exc:
        raise BodyStalled() from exc
    return b"".join(chunks)


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def parse_json(body: bytes, *, allow_empty: bool = False) -> Any:
    if not body.strip():
        if allow_empty:
            return {}
        raise ApiError(400, "Invalid request body: expected a JSON object", field="body")
    try:
        return load_json(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"Invalid request body: malformed JSON ({exc})", field="body") from exc


class JsonTooDeep(ValueError):
    def __init__(self) -> None:
        super().__init__(f"arrays and objects nested deeper than {JSON_MAX_DEPTH} levels")


def load_json(text: str | bytes) -> Any:
    """`json.loads` for anything a client sent (a body, or JSON inside a form field): nesting past
    `JSON_MAX_DEPTH` is a ValueError like any other malformed JSON, never a RecursionError, and
    nothing that deep reaches the store."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise JsonTooDeep() from None
    if _deeper_than(data, JSON_MAX_DEPTH):
        raise JsonTooDeep()
    return data


def _deeper_than(data: Any, limit: int) -> bool:
    """Whether arrays and objects nest more than `limit` levels (without recursing)."""
    stack = [(data, 1)] if isinstance(data, dict | list) else []
    while stack:
        value, depth = stack.pop()
        children = value.values() if isinstance(value, dict) else value
        if depth > limit:
            return True
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return False


async def read_json_object(
    request: Request, limit: int = JSON_BODY_LIMIT, *, allow_empty: bool = False
) -> dict[str, Any]:
    """The body as a JSON object, read within `limit` (413 past it, 400 when not an object)."""
    return parse_json_object(await read_body(request, limit), allow_empty=allow_empty)


def parse_json_object(body: bytes, *, allow_empty: bool = False) -> dict[str, Any]:
    data = parse_json(body, allow_empty=allow_empty)
    if not isinstance(data, dict):
        raise ApiError(400, "Invalid request body: expected a JSON object", field="body")
    return data


async def parse_form(request: Request, body: bytes) -> FormData:
    """Parse a form from a body already read (and size-checked) by `read_body`."""

    async def replay() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        return await Request(request.scope, replay).form(max_files=10, max_fields=200)
    except Exception as exc:  # python-multipart and starlette raise several kinds
        raise ApiError(
            400, f"Invalid request body: malformed form data ({exc})", field="body"
        ) from exc


def parse_model(
    model: type[M], data: Any, status: int = 400, skip: frozenset[str] = frozenset()
) -> M:
    """Validate `data`, or raise the client's error naming the first wrong field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc, status, skip) from exc


def auth_token(request: Request, scheme: str, header: str = "authorization") -> str | None:
    """The credential after `scheme` in `header` (scheme matched case-insensitively), or None.
    With an empty scheme the whole header value is the credential."""
    return credential(request.headers.get(header), scheme)


def credential(value: str | None, scheme: str) -> str | None:
    """The well-formed credential after `scheme` in an authorization header's value, or None."""
    if value is None:
        return None
    value = value.strip()
    if scheme:
        prefix, _, token = value.partition(" ")
        if prefix.lower() != scheme.lower():
            return None
        value = token.strip()
    return value if is_well_formed_key(value) else None


def is_well_formed_key(token: str) -> bool:
    return 0 < len(token) <= 512 and token.isprintable() and not any(c.isspace() for c in token)


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(data, status_code=status, headers=headers)


# Where the server's request cycle (and through it the socket) is kept in a request's scope.
_CONNECTION = "staging_emulator.connection"


def remember_connection(scope: Scope, receive: Receive) -> None:
    """Keep uvicorn's request cycle, which the server's own `receive` is bound to, before any
    middleware wraps `receive`, so a fault rule can drop the connection later."""
    cycle = getattr(receive, "__self__", None)
    if getattr(cycle, "transport", None) is not None:
        scope[_CONNECTION] = cycle


async def drop_connection(scope: Scope) -> bool:
    """Close the client's connection without an answer (a fault rule's `drop`); False when there
    is no socket to close (an in-process test transport)."""
    cycle = scope.get(_CONNECTION)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        return False
    transport.abort()  # a reset, as a crashed or overloaded upstream would
    for _ in range(100):  # until the server has seen it go, so it sends nothing after us
        if getattr(cycle, "disconnected", True):
            break
        await asyncio.sleep(0.001)
    return True
