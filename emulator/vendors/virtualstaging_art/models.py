"""Request and response models of Virtual Staging ART, field for field from its docs.txt.

Tags: [DOC] from docs.txt; [PROPOSED] from notes.md where the docs are silent (listed in the README).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, field_validator

from ...core.errors import one_of
from ...core.http import QueryInt

Tier = Literal["classic", "premium"]
Mode = Literal["stage", "cleanup_and_stage"]
EventType = Literal["render.succeeded", "render.failed"]
RenderStatus = Literal["rendering", "done", "error"]

ROOM_TYPES = (
    "living",
    "bed",
    "kitchen",
    "office",
    "dining",
    "studio",
    "ldk",
    "bathroom",
    "entrance",
)
PREMIUM_ROOM_TYPES = frozenset({"ldk", "bathroom", "entrance"})  # [DOC] "* premium only"
ROOM_ALIASES = {"home_office": "office"}  # [DOC] legacy alias
STYLES = (
    "modern",
    "scandinavian",
    "industrial",
    "coastal",
    "luxury",
    "mid-century modern",
    "farmhouse",
    "standard",
    "minimalist",
    "japandi",
    "bohemian",
    "traditional",
)
PREMIUM_STYLES = frozenset({"minimalist", "japandi", "bohemian", "traditional"})  # [DOC]

# [PROPOSED] notes 3.5: /v1/renders shows "living_room" for a "living" request.
ROOM_LONG_NAMES = {
    "living": "living_room",
    "bed": "bedroom",
    "office": "home_office",
    "dining": "dining_room",
}

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # [DOC] 10 MB
ACCEPTED_CONTENT_TYPES = ("image/jpeg", "image/png", "image/webp", "image/heic", "image/heif")
MAX_RENDERS_PER_REQUEST = 10  # [DOC]
CLASSIC_GROUP_CAP = 20  # [DOC] classic: up to 20 renders per upload group
PREMIUM_CHARGE_CAP = 8  # [DOC] premium: up to 8 renders per credit charge
MAX_AI_NOTES = 500  # [DOC]
CREDIT_COST = {"stage": 1, "cleanup_and_stage": 2, "declutter": 1}  # [DOC]

RenderCount = Annotated[StrictInt, Field(ge=1, le=MAX_RENDERS_PER_REQUEST)]
AiNotes = Annotated[StrictStr, Field(max_length=MAX_AI_NOTES)]


class _Body(BaseModel):
    # Surrounding whitespace in string fields is ignored [PROPOSED]; unknown fields too.
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class _RenderCommon(_Body):
    image_url: StrictStr = Field(min_length=1)
    number_of_renders: RenderCount = 1
    upload_id: StrictStr | None = Field(None, min_length=1, max_length=200)
    ai_notes: AiNotes | None = None
    callback_url: StrictStr | None = None
    tier: Tier = "classic"


class StagingRequest(_RenderCommon):
    """POST /api/image/render/request"""

    room_type: StrictStr = Field(json_schema_extra={"enum": [*ROOM_TYPES, *ROOM_ALIASES]})
    style: StrictStr = Field(json_schema_extra={"enum": list(STYLES)})
    mode: Mode = "stage"
    layout_type: Literal["studio"] | None = None  # [DOC] "studio is supported for compatibility"

    @field_validator("room_type")
    @classmethod
    def _known_room(cls, value: str) -> str:
        return one_of(value, ROOM_TYPES, "room_type", ROOM_ALIASES)

    @field_validator("style")
    @classmethod
    def _known_style(cls, value: str) -> str:
        return one_of(value, STYLES, "style")


class DeclutterRequest(_RenderCommon):
    """POST /api/image/render/declutter"""


class RenderAccepted(BaseModel):
    upload_id: str
    status: RenderStatus = "rendering"
    tier: Tier


class CheckStatusRequest(_Body):
    upload_id: StrictStr | None = None
    image_url: StrictStr | None = None


class RenderingAmountRequest(_Body):
    """camelCase per the docs, snake_case compatibility aliases accepted too."""

    uploadId: StrictStr | None = None
    sourceImage: StrictStr | None = None
    upload_id: StrictStr | None = None
    image_url: StrictStr | None = None


class RenderingAmount(BaseModel):
    renderCount: int
    limitExceeded: bool
    maxRenders: int


class Base64Upload(_Body):
    image_base64: StrictStr | None = None
    content_type: StrictStr | None = None
    data_url: StrictStr | None = None


class SubscriptionRequest(_Body):
    target_url: StrictStr = Field(min_length=1, max_length=2048)
    event_type: EventType


class Subscription(BaseModel):
    id: str
    target_url: str
    event_type: EventType
    created_at: str


class RenderRun(BaseModel):
    """A row of GET /v1/renders."""

    id: str
    upload_id: str
    status: RenderStatus
    tier: Tier
    flow: Literal["staging", "declutter"]
    room_type: str | None
    style: str | None
    source_image_url: str
    render_urls: list[str]
    error: str | None
    created_at: str
    completed_at: str | None


class ListRendersQuery(_Body):
    limit: Annotated[QueryInt, Field(ge=1, le=100)] = 25  # [DOC] 1-100, default 25
    status: RenderStatus | None = None


class Me(BaseModel):
    user_id: str
    email: str
    name: str
