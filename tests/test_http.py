from __future__ import annotations

import asyncio
from typing import Annotated, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, RootModel, ValidationError, field_validator
from starlette.requests import Request

from emulator.core import http as core_http
from emulator.core.errors import ApiError, describe_validation_error, field_path
from emulator.core.http import (
    BodyStalled,
    BodyTooLarge,
    auth_token,
    media_type,
    parse_json,
    parse_json_object,
    parse_model,
    read_body,
)


def request(
    headers: dict[str, str] | None = None, chunks: list[bytes] | None = None
) -> tuple[Request, list[int]]:
    """A request whose body arrives in `chunks`; the list returned counts receive() calls."""
    pending = list(chunks or [])
    calls: list[int] = []

    async def receive() -> dict:
        calls.append(1)
        if not pending:
            return {"type": "http.request", "body": b"", "more_body": False}
        body = pending.pop(0)
        return {"type": "http.request", "body": body, "more_body": bool(pending)}

    raw = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    scope = {"type": "http", "method": "POST", "path": "/", "headers": raw, "query_string": b""}
    return Request(scope, receive), calls


async def test_read_body_returns_the_whole_body_under_the_limit() -> None:
    req, _ = request({"content-length": "9"}, [b"abc", b"def", b"ghi"])
    assert await read_body(req, limit=9) == b"abcdefghi"


async def test_read_body_refuses_by_content_length_before_reading() -> None:
    req, calls = request({"content-length": "1001"}, [b"x" * 1001])
    with pytest.raises(BodyTooLarge) as info:
        await read_body(req, limit=1000, message="Upload too large (max 10 MB)")
    assert calls == []  # not one byte was read
    assert info.value.status == 413 and info.value.message == "Upload too large (max 10 MB)"
    assert isinstance(info.value, ApiError) and info.value.limit == 1000


async def test_read_body_refuses_while_streaming_without_content_length() -> None:
    req, calls = request({}, [b"x" * 400] * 10)
    with pytest.raises(BodyTooLarge) as info:
        await read_body(req, limit=1000)
    assert len(calls) == 3  # stopped at the chunk that crossed the limit
    assert "1000" in info.value.message


async def test_read_body_does_not_trust_a_lying_content_length() -> None:
    req, _ = request({"content-length": "10"}, [b"x" * 600, b"x" * 600])
    with pytest.raises(BodyTooLarge):
        await read_body(req, limit=1000)


def slow_request(gaps: list[float]) -> Request:
    """A request whose body arrives one byte after each gap (seconds), then ends."""
    pending = list(gaps)

    async def receive() -> dict:
        if not pending:
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.sleep(pending.pop(0))
        return {"type": "http.request", "body": b"x", "more_body": True}

    scope = {"type": "http", "method": "POST", "path": "/", "headers": [], "query_string": b""}
    return Request(scope, receive)


async def test_read_body_limits_each_gap_between_chunks_not_the_whole_body(monkeypatch) -> None:
    monkeypatch.setattr(core_http, "BODY_IDLE_TIMEOUT", 0.25)
    assert await read_body(slow_request([0.05] * 8), limit=100) == b"x" * 8  # 0.4 s in all
    with pytest.raises(BodyStalled):
        await read_body(slow_request([0.05, 0.05, 0.6]), limit=100)  # stalls after two chunks


@pytest.mark.parametrize(
    ("headers", "scheme", "header", "token"),
    [
        ({"Authorization": "Bearer sk_123"}, "Bearer", "authorization", "sk_123"),
        ({"Authorization": "bearer sk_123"}, "Bearer", "authorization", "sk_123"),
        ({"Authorization": "BEARER   sk_123  "}, "Bearer", "authorization", "sk_123"),
        ({"Authorization": "Token sk_123"}, "Token", "authorization", "sk_123"),
        ({"Authorization": "Basic sk_123"}, "Bearer", "authorization", None),
        ({"Authorization": "Bearer"}, "Bearer", "authorization", None),
        ({"Authorization": "Bearer a b"}, "Bearer", "authorization", None),
        ({"Authorization": "Bearer " + "k" * 513}, "Bearer", "authorization", None),
        ({}, "Bearer", "authorization", None),
        ({"X-Api-Key": "sk_raw"}, "", "x-api-key", "sk_raw"),
        ({"X-Api-Key": "  sk_raw "}, "", "x-api-key", "sk_raw"),
        ({"Authorization": "Bearer sk_123"}, "", "x-api-key", None),
    ],
)
def test_auth_token(headers, scheme: str, header: str, token: str | None) -> None:
    req, _ = request(headers)
    assert auth_token(req, scheme, header) == token


def test_media_type_strips_parameters() -> None:
    req, _ = request({"Content-Type": "Multipart/Form-Data; boundary=x"})
    assert media_type(req) == "multipart/form-data"
    assert media_type(request()[0]) == ""


def test_parse_json_errors_name_the_body() -> None:
    assert parse_json(b"[1]") == [1]
    assert parse_json_object(b"  ", allow_empty=True) == {}
    for body in (b"", b"{not json", b"\xff\xfe", b"[1, 2]"):
        with pytest.raises(ApiError) as info:
            parse_json_object(body)
        assert info.value.status == 400 and info.value.field == "body"


class Furniture(BaseModel):
    style: Literal["modern", "scandinavian"]
    count: Annotated[int, Field(ge=1, le=4)] = 1


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid")
    add_furniture: Furniture | None = None
    room: str = "living"

    @field_validator("room")
    @classmethod
    def _room(cls, value: str) -> str:
        if value not in ("living", "bed"):
            raise ValueError("unsupported room; expected one of: living, bed")
        return value


class Job(BaseModel):
    configs: list[Config]
    size: int | str = 1


def problem(data: object, **kw) -> tuple[str, str]:
    with pytest.raises(ValidationError) as info:
        Job.model_validate(data)
    return describe_validation_error(info.value, **kw)


def test_validation_messages_name_the_field_path() -> None:
    field, message = problem({"configs": [{"add_furniture": {"style": "baroque"}}]})
    assert field == "configs[0].add_furniture.style"
    assert message.startswith("configs[0].add_furniture.style: ")
    assert "'modern' or 'scandinavian'" in message

    assert problem({"configs": [{}, {"add_furniture": {"style": "modern", "count": 9}}]})[0] == (
        "configs[1].add_furniture.count"
    )


def test_validation_messages_for_missing_extra_and_custom_errors() -> None:
    assert problem({}) == ("configs", "configs is required")
    assert problem({"configs": [{"add_furniture": {}}]}) == (
        "configs[0].add_furniture.style",
        "configs[0].add_furniture.style is required",
    )
    assert problem({"configs": [{"colour": "red"}]}) == (
        "configs[0].colour",
        "configs[0].colour is not a recognised field",
    )
    assert problem({"configs": [{"room": "garage"}]}) == (
        "configs[0].room",
        "configs[0].room: unsupported room; expected one of: living, bed",
    )


def test_validation_of_a_non_object_body_names_the_body() -> None:
    field, message = problem([1, 2])
    assert field == "body" and "valid dictionary" in message


def test_union_member_tags_can_be_skipped() -> None:
    assert problem({"configs": [], "size": [1]})[0] == "size.int"
    field, message = problem({"configs": [], "size": [1]}, skip=frozenset({"int", "str"}))
    assert field == "size" and message.startswith("size: ")


def test_parse_model_raises_the_clients_error() -> None:
    with pytest.raises(ApiError) as info:
        parse_model(Job, {"configs": [{"add_furniture": {"style": 1}}]}, status=422)
    assert info.value.status == 422
    assert info.value.field == "configs[0].add_furniture.style"
    assert parse_model(Job, {"configs": []}) == Job(configs=[])


def test_field_path() -> None:
    assert field_path(("configs", 0, "add_furniture", "style")) == "configs[0].add_furniture.style"
    assert field_path((0, "x")) == "[0].x"
    assert field_path(()) == ""


class Stage(BaseModel):
    kind: Literal["stage"]
    style: str


class Declutter(BaseModel):
    kind: Literal["declutter"]
    strength: int


class Task(BaseModel):
    task: Annotated[Stage | Declutter, Field(discriminator="kind")]


TAGS = frozenset({"stage", "declutter"})


def task_problem(data: object) -> tuple[str, str]:
    with pytest.raises(ValidationError) as info:
        Task.model_validate(data)
    return describe_validation_error(info.value, TAGS)


def test_discriminated_union_messages_name_the_discriminator_and_skip_tags() -> None:
    assert task_problem({"task": {}}) == ("task.kind", "task.kind is required")
    field, message = task_problem({"task": {"kind": "paint"}})
    assert field == "task.kind"
    assert message == "task.kind: unsupported value 'paint'; expected one of 'stage', 'declutter'"
    assert task_problem({"task": {"kind": "declutter"}}) == (
        "task.strength",
        "task.strength is required",
    )


class TaskBody(RootModel[Annotated[Stage | Declutter, Field(discriminator="kind")]]):
    pass


def test_top_level_discriminator_is_named_alone() -> None:
    with pytest.raises(ValidationError) as info:
        TaskBody.model_validate({})
    assert describe_validation_error(info.value, TAGS) == ("kind", "kind is required")
