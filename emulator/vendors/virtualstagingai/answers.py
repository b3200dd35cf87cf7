"""Answer bodies of Virtual Staging AI, for its OpenAPI document (`@operation(response=...)`).

The handlers build these answers as dicts (studio.render_view and friends); the schemathesis
suite checks every answer against these models, so the two cannot drift apart unnoticed.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from . import models as m

VariationStatus = Literal["queued", "rendering", "done", "error"]
Limit = int | Literal["UNLIMITED"]


class Result(BaseModel):
    url: str = Field(description="JPEG")
    optimized_url: str = Field(description="WebP")
    thumbnail_url: str = Field(description="400 px JPEG")


class Variation(BaseModel):
    id: str
    type: Literal["staging", "removal", "daytodusk", "enhancement"]
    render_id: str
    created_at: int = Field(description="epoch ms")
    status: VariationStatus
    result: Result | list[Result] | None = Field(
        None, description="when done; an array of two for multi-view"
    )
    base_variation_id: str | None = None
    eta: int | None = Field(description="epoch ms at which it ends; null once finished")
    config: dict[str, Any] = Field(description="the config it was made from, as sent")
    error_message: str | None = None


class VariationPage(BaseModel):
    total_count: int
    next_cursor: str | None
    items: list[Variation]


class RenderView(BaseModel):
    id: str
    created_at: int = Field(description="epoch ms")
    queued_at: int = Field(description="epoch ms")
    eta: int | None
    variations: VariationPage | None = Field(
        None, description="on GET /renders/{id} only with include_variations=true"
    )


class RenderPage(BaseModel):
    total_count: int
    next_cursor: str | None
    items: list[RenderView]


class BulkRendersAnswer(BaseModel):
    renders: list[RenderView]


class UserIdentity(BaseModel):
    email: str
    uid: str


class Meters(BaseModel):
    staging: Limit
    imageEditing: Limit


class User(BaseModel):
    user: UserIdentity
    photoLimit: Meters
    photosUsedThisPeriod: Meters


class Analysis(BaseModel):
    id: str
    created_at: int
    result_url: str | None
    percentage_masked: float | None
    status: Literal["queued", "rendering", "done", "error"]
    error_message: str | None = None


class Compatibility(BaseModel):
    compatible: bool
    hard_rejected: bool
    rejection_reason: str | None


class Message(BaseModel):
    message: str


# v1


class V1Ping(BaseModel):
    userObj: UserIdentity
    photoLimit: Limit
    photosUsedThisPeriod: int


class V1Options(BaseModel):
    styles: list[Literal[m.STYLES]]  # type: ignore[valid-type]
    roomTypes: list[Literal[m.ROOM_TYPES]]  # type: ignore[valid-type]


class V1RenderCreated(BaseModel):
    render_id: str
    result_image_url: str | None = Field(None, description="with wait_for_completion")
    removal_output: str | None = Field(None, description="with wait_for_completion and declutter")


class V1Render(BaseModel):
    render_id: str
    status: Literal["rendering", "done", "error"]
    created_at: int
    outputs: list[str | None]
    progress: float
    outputs_room_types: list[str | None]
    outputs_styles: list[str | None]


class V1RenderQuery(BaseModel):
    render_id: str


class V1CreateVariationQuery(BaseModel):
    render_id: str


class V1Upload(BaseModel):
    """The multipart form of POST /v1/render/create: the image in `file`, fields as text."""

    image_url: str | None = Field(None, description="instead of file")
    room_type: str | None = None
    style: str | None = None
    declutter_mode: Literal["off", "on", "auto"] = "off"
    add_furniture: Literal["true", "false"] = "true"
    wait_for_completion: Literal["true", "false"] = "false"
    add_virtually_staged_watermark: Literal["true", "false"] = "false"
    webhook_url: str | None = None
