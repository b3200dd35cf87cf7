"""Request and response models of Virtual Staging AI, v2 and v1.

Tags as in notes.md: [D-EP] endpoints page, [D-WH] webhooks page, [D-V1] v1 page, [C-...] client
code; [INFERRED] where nothing public says (each one is listed in the README).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    field_validator,
    model_validator,
)

from ...core.errors import one_of
from ...core.http import QueryInt

# [D-EP] pattern of image_url on create-render and analyze
IMAGE_URL_PATTERN = r"^(https?:\/\/[^\s]+|data:image\/[a-zA-Z+]+;base64,[A-Za-z0-9+/=]+)$"
# [D-EP] pattern of webhook_secret
SECRET_PATTERN = r"^[a-zA-Z0-9_-]+$"

ROOM_TYPES = (
    "living",
    "bed",
    "kitchen",
    "dining",
    "bathroom",
    "home_office",
    "outdoor",
    "kids_room",
)
STYLES = (
    "standard",
    "modern",
    "scandinavian",
    "industrial",
    "midcentury",
    "luxury",
    "farmhouse",
    "coastal",
)
# [D-EP] deprecated, "mapped to other existing styles"; the mapping is [INFERRED] (placeholder only)
DEPRECATED_STYLES = {"hamptons": "coastal", "american": "standard", "southwestern": "farmhouse"}
STYLE_ALIASES = {"mid-century modern": "midcentury"}  # [C-ICON2] sends it; [INFERRED] alias
CONFIG_TYPE_ALIASES = {"day_to_dusk": "daytodusk", "day-to-dusk": "daytodusk"}  # [INFERRED]
MULTI_VIEW_ROOMS = ("bed", "living")  # [D-CC] multi-view works with bed and living only
SKY_STYLES = ("dusk", "golden", "blue")  # [C-LL], [D-CC]
REMOVAL_MODES = ("off", "on", "auto")  # [C-REPRO]

MAX_VARIATIONS_PER_RENDER = 20  # [INFERRED] C-REPRO starts a new render past 20
MAX_BULK_RENDERS = 50  # [INFERRED]

ImageUrl = Annotated[StrictStr, Field(pattern=IMAGE_URL_PATTERN)]
VariationCount = Annotated[StrictInt, Field(ge=1, le=MAX_VARIATIONS_PER_RENDER)]
Order = Literal["asc", "desc"]


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class AddFurniture(_Body):
    room_type: StrictStr = Field(json_schema_extra={"enum": list(ROOM_TYPES)})
    style: StrictStr = Field(
        json_schema_extra={"enum": [*STYLES, *DEPRECATED_STYLES, *STYLE_ALIASES]}
    )
    base_variation_id: StrictStr | None = None

    @field_validator("room_type")
    @classmethod
    def _room(cls, value: str) -> str:
        return one_of(value, ROOM_TYPES, "room_type")

    @field_validator("style")
    @classmethod
    def _style(cls, value: str) -> str:
        # deprecated styles stay accepted [D-EP]
        return one_of(value, STYLES + tuple(DEPRECATED_STYLES), "style", STYLE_ALIASES)


class RemoveFurniture(_Body):
    mode: Literal["off", "on", "auto"] = "off"
    mask_url: ImageUrl | None = None


def _resolution(value: Any) -> Any:
    # [C-REPRO] sends the integer 1536, [C-LL]/[C-ICON] the string "default".
    if value == "default" or (type(value) is int and value == 1536):
        return value
    raise ValueError('expected "default" or 1536')


class _ConfigCommon(_Body):
    add_virtually_staged_watermark: StrictBool = False
    output_resolution: Annotated[Any, Field(validate_default=False)] = "default"
    variation_count: VariationCount | None = None  # per config in the multi-config format

    @field_validator("output_resolution")
    @classmethod
    def _output_resolution(cls, value: Any) -> Any:
        return _resolution(value)


class StagingConfig(_ConfigCommon):
    type: Literal["staging"]
    add_furniture: AddFurniture | None = None
    remove_furniture: RemoveFurniture | None = None

    @model_validator(mode="after")
    def _does_something(self) -> StagingConfig:
        removing = self.remove_furniture is not None and self.remove_furniture.mode != "off"
        if self.add_furniture is None and not removing:
            raise ValueError(
                "a staging config needs add_furniture, or remove_furniture with mode on or auto"
            )
        return self


class DayToDuskConfig(_ConfigCommon):
    type: Literal["daytodusk"]
    sky_style: Literal["dusk", "golden", "blue"] = "dusk"


class EnhancementConfig(_ConfigCommon):
    type: Literal["enhancement"]  # [INFERRED] the exact string is not public


Config = Annotated[StagingConfig | DayToDuskConfig | EnhancementConfig, Field(discriminator="type")]


def _normalise_type(value: Any) -> Any:
    if isinstance(value, dict) and isinstance(value.get("type"), str):
        return value | {"type": CONFIG_TYPE_ALIASES.get(value["type"], value["type"])}
    return value


class _ConfigHolder(_Body):
    @field_validator("config", "configs", mode="before", check_fields=False)
    @classmethod
    def _aliases(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [_normalise_type(v) for v in value]
        return _normalise_type(value)


class CreateRender(_ConfigHolder):
    """POST /v2/renders: `config` (single) or `configs` (multi), exactly one [INFERRED]."""

    config: Config | None = None
    configs: (
        Annotated[list[Config], Field(min_length=1, max_length=MAX_VARIATIONS_PER_RENDER)] | None
    ) = None
    image_url: ImageUrl | None = None
    image_urls: Annotated[list[ImageUrl], Field(min_length=2, max_length=2)] | None = (
        None  # multi-view [INFERRED]
    )
    variation_count: VariationCount = 1
    wait_for_completion: StrictBool | None = False
    webhook_url: StrictStr | None = None

    @model_validator(mode="after")
    def _one_format(self) -> CreateRender:
        if (self.config is None) == (self.configs is None):
            raise ValueError("config: send exactly one of config or configs")
        if (self.image_url is None) == (self.image_urls is None):
            raise ValueError("image_url is required")
        return self

    def all_configs(self) -> list[StagingConfig | DayToDuskConfig | EnhancementConfig]:
        return [self.config] if self.config is not None else list(self.configs or [])


class CreateVariations(_ConfigHolder):
    """POST /v2/renders/{render_id}/variations [D-EP]"""

    config: Config
    variation_count: VariationCount
    wait_for_completion: StrictBool | None = False
    webhook_url: StrictStr | None = None


class BulkRenders(_Body):
    """POST /v2/renders/bulk [INFERRED shape]: `renders` holds POST /renders bodies."""

    renders: Annotated[list[dict[str, Any]], Field(min_length=1, max_length=MAX_BULK_RENDERS)]
    wait_for_completion: StrictBool | None = False
    webhook_url: StrictStr | None = None


class BulkVariations(_ConfigHolder):
    """POST /v2/renders/variations/bulk [INFERRED shape]."""

    render_id: StrictStr
    configs: Annotated[list[Config], Field(min_length=1, max_length=MAX_VARIATIONS_PER_RENDER)]
    variation_count: VariationCount = 1
    wait_for_completion: StrictBool | None = False
    webhook_url: StrictStr | None = None


class ListRendersQuery(_Body):
    limit: Annotated[QueryInt, Field(ge=1, le=100)] = 20
    cursor: str | None = None
    order: Order = "desc"


class GetRenderQuery(_Body):
    include_variations: bool = False
    variations_limit: Annotated[QueryInt, Field(ge=1, le=100)] = 20
    variations_cursor: str | None = None
    variations_order: Order = "asc"


class Analyze(_Body):
    image_url: ImageUrl
    webhook_url: StrictStr | None = None


class MultiViewCompatibility(_Body):
    image_urls: Annotated[list[ImageUrl], Field(min_length=2, max_length=2)]


class WebhookSecret(_Body):
    webhook_secret: Annotated[
        StrictStr, Field(min_length=1, max_length=256, pattern=SECRET_PATTERN)
    ]


# v1 [D-V1], [C-ICON], [C-RUUM], [C-WP]


class V1CreateRender(_Body):
    image_url: ImageUrl | None = None  # required unless a multipart `file` is sent
    room_type: StrictStr | None = None
    style: StrictStr | None = None
    declutter_mode: Literal["off", "on", "auto"] = "off"
    add_furniture: StrictBool = True
    wait_for_completion: StrictBool = False
    add_virtually_staged_watermark: StrictBool = False
    resolution: StrictStr | None = None
    webhook_url: StrictStr | None = None

    @model_validator(mode="after")
    def _staging_needs_room_and_style(self) -> V1CreateRender:
        if self.add_furniture:
            for name in ("room_type", "style"):
                if getattr(self, name) is None:
                    raise ValueError(f"{name} is required when add_furniture is true")
            AddFurniture(room_type=self.room_type or "", style=self.style or "")
        elif self.declutter_mode == "off":
            raise ValueError("nothing to do: add_furniture is false and declutter_mode is off")
        return self


class V1CreateVariation(_Body):
    # camelCase roomType, as four independent clients send it [C-ICON, C-ICON2, C-PHPV1, C-WP]
    style: StrictStr | None = None
    roomType: StrictStr | None = None
    room_type: StrictStr | None = None
    wait_for_completion: StrictBool = False
    add_virtually_staged_watermark: StrictBool | None = None
    switch_to_queued_immediately: StrictBool = False
