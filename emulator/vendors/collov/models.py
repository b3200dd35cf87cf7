"""Request models of the Collov enterprise API, field for field from docs.txt.

Tags: [DOC] docs.txt; [CLIENT] real client code (notes.md); [PROPOSED] the emulator's choice where
both are silent (every one of them is listed in `proposed.py` or marked here, and in the README).
Field names are the vendor's camelCase. Bodies arrive as forms (every value a string) or as JSON.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    WithJsonSchema,
    model_validator,
)

from ...core.errors import one_of
from ...core.http import JsonTooDeep, QueryInt, load_json

# [DOC] "must be lower case"
ROOM_TYPES = (
    "game room",
    "kitchen",
    "living room",
    "outdoor",
    "bedroom",
    "studio",
    "conference room",
    "home office",
    "home gym",
    "dining room",
    "laundry room",
    "bathroom",
    "spa room",
    "kids room",
    "open living and dining room",
)
STYLES = (
    "scandinavian",
    "luxury",
    "industrial",
    "coastal",
    "transitional",
    "farmhouse",
    "mid-century",
    "modern",
)
RESOLUTIONS = ("1080p", "720p")  # [DOC]
ORIENTATIONS = ("Landscape", "Portrait", "Square")  # [DOC]
FONTS = ("Oswald", "Amatic", "GreatVibes", "OpenSans", "Montserrat", "Playfair")  # [DOC]
MUSIC = ("Embrace", "Future_Design", "Waterfall", "Happy_Holiday", "Summer_Ukulele")  # [DOC]

# [PROPOSED] sizes the docs leave open
MAX_URL = 2048
MAX_PROMPT = 2000
MAX_TOUR_IMAGES = 20
MAX_INTRO = 200


def _blank_is_none(value: Any) -> Any:
    """An empty form field is an absent one ([PROPOSED]: `curl -F emptyRoomUrl=` sends "")."""
    return None if isinstance(value, str) and not value.strip() else value


def _lower_case_one_of(value: str, allowed: tuple[str, ...], what: str) -> str:
    """[DOC] "must be lower case": a value right but for its case is refused, saying so."""
    if value not in allowed and value.lower() in allowed:
        expected = ", ".join(allowed)
        raise ValueError(f"must be lower case ({value.lower()!r}); expected one of: {expected}")
    return one_of(value, allowed, what)


def _choice(
    allowed: tuple[str, ...], what: str, *, lower_case: bool = False
) -> tuple[AfterValidator, WithJsonSchema]:
    """One of `allowed` (absent stays absent), listed as the field's enum in the OpenAPI document."""
    check = _lower_case_one_of if lower_case else one_of

    def read(value: str | None) -> str | None:
        return None if value is None else check(value, allowed, what)

    schema = {"type": "string", "enum": list(allowed)}
    return AfterValidator(read), WithJsonSchema(schema, mode="validation")


Blankable = Annotated[StrictStr | None, BeforeValidator(_blank_is_none)]
Url = Annotated[StrictStr, Field(min_length=1, max_length=MAX_URL)]
OptionalUrl = Annotated[Url | None, BeforeValidator(_blank_is_none)]
Text = Annotated[StrictStr, Field(max_length=200)]
OptionalText = Annotated[Text | None, BeforeValidator(_blank_is_none)]


class _Body(BaseModel):
    # [PROPOSED] unknown fields are ignored (notes 1.3); surrounding whitespace too
    model_config = ConfigDict(extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _strip(cls, data: Any) -> Any:
        """Strip with Python's notion of whitespace, the one `_blank_is_none` uses: pydantic's own
        `str_strip_whitespace` keeps U+001C..U+001F, so a prompt of "\x1f" was both blank (as an
        optional field) and given (as a required one)."""
        if isinstance(data, dict):
            return {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
        return data


class GenerateImg(_Body):
    """POST /vst/generateImgOnCommon [DOC], with the fields real clients add [CLIENT]."""

    uploadUrl: Url
    roomType: Annotated[StrictStr, *_choice(ROOM_TYPES, "roomType", lower_case=True)]
    style: Annotated[StrictStr, *_choice(STYLES, "style", lower_case=True)]
    emptyRoomUrl: OptionalUrl = None
    # [CLIENT] undocumented, sent by real clients: `renderingType=realistic` and a prompt
    renderingType: Blankable = Field(None, max_length=50)
    prompt: Blankable = Field(None, max_length=MAX_PROMPT)


class Regenerate(_Body):
    """POST /vst/reGenerateImgOnCommon [DOC]."""

    uuid: Annotated[StrictStr, Field(min_length=1, max_length=64)]


class EmptyRoom(_Body):
    """POST /vst/generateEmptyRoom [DOC]."""

    uploadUrl: Url


class Edit(_Body):
    """POST /edit/generate [DOC]."""

    uploadUrl: Url
    prompt: Annotated[StrictStr, Field(min_length=1, max_length=MAX_PROMPT)]


class ByUuid(_Body):
    """GET /vst/getRecord, GET /edit/getRecord: `?uuid=` [DOC]."""

    uuid: Annotated[StrictStr, Field(min_length=1, max_length=64)]


class EmptyRoomQuery(_Body):
    """GET /vst/getEmptyRoomRecord: `?id=` (an integer) [DOC], or `?uuid=` of a photo edit (where
    the docs point its result [DOC], notes 1.3)."""

    id: Annotated[QueryInt | None, BeforeValidator(_blank_is_none)] = Field(None, ge=0, le=2**53)
    uuid: Blankable = Field(None, max_length=64)


class ByTaskId(_Body):
    """GET /vgs/loadVideoInfo: `?taskId=` [DOC]."""

    taskId: Annotated[StrictStr, Field(min_length=1, max_length=64)]


class TourImage(_Body):
    """One listing photo: `{"imageUrl", "width", "height"}` [DOC]. The sizes are what the client
    says; the emulator never sizes anything from them."""

    imageUrl: Url
    width: StrictInt | None = Field(None, ge=1, le=100_000)
    height: StrictInt | None = Field(None, ge=1, le=100_000)


def _json_array(value: Any) -> Any:
    """`images` as a JSON array in one form field [PROPOSED], as repeated form fields each holding
    one JSON object, or as a real array in a JSON body."""
    if isinstance(value, str):
        return _loads(value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [_loads(v) for v in value]
    return value


def _loads(text: str) -> Any:
    try:
        return load_json(text)
    except JsonTooDeep as exc:
        raise ValueError(f"expected a JSON array of photos, not {exc}") from None
    except ValueError:
        raise ValueError(
            'expected a JSON array of {"imageUrl", "width", "height"} objects'
        ) from None


class VideoTask(_Body):
    """POST /vgs/task [DOC]: a virtual tour video of listing photos."""

    images: Annotated[
        list[TourImage],
        BeforeValidator(_json_array),
        Field(min_length=1, max_length=MAX_TOUR_IMAGES),
    ]
    resolution: Annotated[StrictStr, *_choice(RESOLUTIONS, "resolution")]
    orientation: Annotated[StrictStr, *_choice(ORIENTATIONS, "orientation")]
    font: Annotated[Blankable, *_choice(FONTS, "font")] = None
    music: Annotated[Blankable, *_choice(MUSIC, "music")] = None
    intro: Blankable = Field(None, max_length=MAX_INTRO)
    profileUrl: OptionalUrl = None
    logoUrl: OptionalUrl = None
    agentName: OptionalText = None
    phoneNumber: Blankable = Field(None, max_length=40)
    email: OptionalText = None  # the docs' table lost this row's name; notes 1.3 reads `email`
