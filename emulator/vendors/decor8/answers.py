"""Decor8 AI answer bodies: the handlers build their answers from these models, and the OpenAPI
document describes them from the same models (`@operation(response=...)`), so the two cannot drift.

Every success is the envelope `{"error": "", "message": ..., "info": {...}}` [PY README, notes 3];
`/speak_friend_and_enter` answers `Status` (capital S) instead of `info` [DOCS].
"""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

I = TypeVar("I", bound=BaseModel)  # noqa: E741


class _Strict(BaseModel):
    # every field the handlers answer is listed, and sent even when it has a default
    model_config = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=True)


def _absent_unless_sent(schema: dict[str, Any]) -> None:
    """`captions` is left out, not null, when no captions were asked for."""
    schema["required"] = [name for name in schema["required"] if name != "captions"]
    schema["properties"]["captions"].pop("default", None)


class Image(_Strict):
    """A generated image, stored at `url` [notes 3.1]."""

    uuid: str = Field(description="the image's UUID")
    url: str = Field(description="JPEG")
    width: int
    height: int


class InlineImage(Image):
    """An image of a legacy multipart call: also its bytes as base64 `data` [notes 3.2]."""

    model_config = ConfigDict(json_schema_extra=_absent_unless_sent)

    data: str = Field(description="the JPEG, base64")
    captions: list[str] = Field(
        None,  # type: ignore[assignment]
        description="only when num_captions was sent",
    )


class Images(_Strict):
    images: list[Image]


class RoomDesigns(Images):
    mask_info: str = Field(description="send back as mask_info to redesign the same room")


class InlineImages(_Strict):
    images: list[InlineImage]


class RemovedObjects(_Strict):
    image: Image = Field(description="one image, not a list [notes 3.3]")


class Upscaled(_Strict):
    upscaled_image: str = Field(description="the upscaled JPEG, plain base64 [notes 3.4]")


class Captions(_Strict):
    captions: list[str]


class Answer(_Strict, Generic[I]):
    error: Literal[""] = ""
    message: str
    info: I


class Welcome(_Strict):
    error: Literal[""] = ""
    message: str
    Status: Literal[1] = 1  # capital S [DOCS]


def answer(message: str, info: BaseModel) -> dict[str, Any]:
    """The success envelope around `info`, as sent."""
    envelope = Answer[type(info)](message=message, info=info)  # type: ignore[misc]
    return envelope.model_dump(mode="json", exclude_none=True)
