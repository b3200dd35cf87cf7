"""Request models of Decor8 AI: every field of notes 2.1, the enums of notes 6.

Tags as in notes.md: [PY] Python SDK 0.34, [PY028] 0.28, [JS] npm SDK 2.0.1, [REPO] the SDK
monorepo, [DOCS] the API reference, [3P] third-party callers; [INFERRED] where nothing says (each
one is listed in the README).

Values arrive as the SDKs send them: JSON numbers and strings, or form and multipart text (`"2"`,
`"15.0"`, `"True"`) [PY028, PY multipart]. Enums are compared case-insensitively (SDK constants are
UPPERCASE, the docs and live tests lowercase) [notes 6]. An empty string or a JSON null is a field
not sent (the module-level Python SDK sends `null` for omitted room_type/design_style) [PY].
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, WithJsonSchema, model_validator

from ...core.errors import ApiError

ROOM_TYPES = (
    "LIVINGROOM", "KITCHEN", "DININGROOM", "BEDROOM", "BATHROOM", "KIDSROOM", "FAMILYROOM",
    "READINGNOOK", "SUNROOM", "WALKINCLOSET", "MUDROOM", "TOYROOM", "OFFICE", "FOYER",
    "POWDERROOM", "LAUNDRYROOM", "GYM", "BASEMENT", "GARAGE", "BALCONY", "CAFE", "HOMEBAR",
    "STUDY_ROOM", "FRONT_PORCH", "BACK_PORCH", "BACK_PATIO", "OPENPLAN", "BOARDROOM",
    "MEETINGROOM", "OPENWORKSPACE", "PRIVATEOFFICE",
)  # fmt: skip
DESIGN_STYLES = (
    "MINIMALIST", "SCANDINAVIAN", "INDUSTRIAL", "BOHO", "TRADITIONAL", "ARTDECO",
    "MIDCENTURYMODERN", "COASTAL", "TROPICAL", "ECLECTIC", "CONTEMPORARY", "FRENCHCOUNTRY",
    "RUSTIC", "SHABBYCHIC", "VINTAGE", "COUNTRY", "MODERN", "ASIAN_ZEN", "HOLLYWOODREGENCY",
    "BAUHAUS", "MEDITERRANEAN", "FARMHOUSE", "VICTORIAN", "GOTHIC", "MOROCCAN", "SOUTHWESTERN",
    "TRANSITIONAL", "MAXIMALIST", "ARABIC", "JAPANDI", "RETROFUTURISM", "ARTNOUVEAU",
    "URBANMODERN", "WABI_SABI", "GRANDMILLENNIAL", "COASTALGRANDMOTHER", "NEWTRADITIONAL",
    "COTTAGECORE", "LUXEMODERN", "HIGH_TECH", "ORGANICMODERN", "TUSCAN", "CABIN",
    "DESERTMODERN", "GLOBAL", "INDUSTRIALCHIC", "MODERNFARMHOUSE", "EUROPEANCLASSIC",
    "NEOTRADITIONAL", "WARMMINIMALIST",
)  # fmt: skip
COLOR_SCHEMES = {
    f"COLOR_SCHEME_{i}": name
    for i, name in enumerate(
        [
            "Default", "Moss Green, Tan, White", "Gray, Sand, Blue", "Hunter Green, Red",
            "White, Pops of Color", "Blue, Neon", "Light Blue, Emerald", "Blue, Grass Green",
            "Blue, Beige", "Gray, Brown", "Black, Red", "Gray-Green, White, Black",
            "Blue, Gray, Taupe", "Black, Navy", "Emerald, Tan", "Forest Green, Light Gray",
            "Yellow, Gray", "Pink, Green", "Blush Pink, Black", "Black, White", "Blue, White",
        ]
    )
}  # fmt: skip
SPECIALITY_DECORS = {
    f"SPECIALITY_DECOR_{i}": name
    for i, name in enumerate(
        [
            "None", "Halloween", "Christmas", "Thanksgiving/Fall", "Fall Season",
            "Spring Season", "Summer Season", "Winter Season",
        ]
    )
}  # fmt: skip
SKY_TYPES = ("DAY", "DUSK", "NIGHT")
RENDER_TYPES = ("PERSPECTIVE", "ISOMETRIC")
# [PY] constants; [REPO] live tests send "front yard" and "california style garden", so both are
# free text [INFERRED]: any non-empty string, the SDK values shown as such.
YARD_TYPES = ("FRONT_YARD", "BACKYARD", "SIDE_YARD")
GARDEN_STYLES = (
    "JAPANESE_ZEN", "MEDITERRANEAN", "ENGLISH_COTTAGE", "TROPICAL", "DESERT", "MODERN_MINIMALIST",
    "FRENCH_FORMAL", "COASTAL", "WOODLAND", "PRAIRIE", "ROCK_GARDEN", "WATER_GARDEN",
    "HERB_GARDEN", "CUTTING_GARDEN", "POLLINATOR", "XERISCAPE", "EDIBLE_LANDSCAPE", "MOON_GARDEN",
    "RAIN_GARDEN", "SENSORY", "NATIVE_PLANT", "COTTAGE_STYLE", "FORMAL_PARTERRE", "NATURALISTIC",
    "CONTEMPORARY", "ASIAN_FUSION", "RUSTIC_FARMHOUSE", "URBAN_MODERN", "SUSTAINABLE",
    "WILDLIFE_HABITAT", "FOUR_SEASON",
)  # fmt: skip

MAX_IMAGES = 4  # num_images 1-4 [PY, JS docstrings]
MAX_CAPTIONS = 4  # [INFERRED]: the old README says "Choose 1 or 2"; the SDKs give no bound
MAX_TEXT = 4000  # [INFERRED] prompts and other free text
HEX_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")  # "#FF5733" [PY docstring]

# Fields naming the picture worked on: their errors are `InvalidInput` [PY README, REPO tests].
IMAGE_FIELDS = frozenset(
    {"input_image_url", "input_image", "mask_image_url", "design_style_image_url"}
)


# value readers (pydantic before-validators)


def whole(low: int, high: int) -> Callable[[Any], Any]:
    """An integer from low to high: a JSON integer, an integral float, or its text ("2", "2.0")."""

    def read(value: Any) -> Any:
        if value is None:
            return None
        number: float | int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        elif isinstance(value, str):
            try:
                number = int(value.strip())
            except ValueError:
                try:
                    parsed = float(value.strip())
                    number = int(parsed) if parsed.is_integer() else None
                except (ValueError, OverflowError):
                    number = None
        if number is None:
            raise ValueError(f"expected a whole number from {low} to {high}")
        if not low <= number <= high:
            raise ValueError(f"must be from {low} to {high}, got {number}")
        return number

    return read


def decimal(low: float, high: float) -> Callable[[Any], Any]:
    """A number from low to high: a JSON number or its text ("15.0")."""

    def read(value: Any) -> Any:
        if value is None:
            return None
        number: float | None = None
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
        elif isinstance(value, str):
            try:
                number = float(value.strip())
            except ValueError:
                number = None
        if number is None or not math.isfinite(number):
            raise ValueError(f"expected a number from {low:g} to {high:g}")
        if not low <= number <= high:
            raise ValueError(f"must be from {low:g} to {high:g}, got {number:g}")
        return number

    return read


def flag(value: Any) -> Any:
    """A boolean: JSON true/false, or text true/false/1/0/yes/no in any case ("True" [PY])."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "1", "yes", "false", "0", "no"):
        return value.strip().lower() in ("true", "1", "yes")
    raise ValueError("expected true or false")


def text(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("expected a string")
    if len(value) > MAX_TEXT:
        raise ValueError(f"at most {MAX_TEXT} characters")
    return value


def url_text(value: Any) -> Any:
    """An image URL: http(s) or a data URL, bounded only by the body limit (data URLs are big)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("expected a URL (a string)")
    return value


def choice(allowed: Iterable[str], what: str) -> Callable[[Any], Any]:
    """One of `allowed`, compared case-insensitively, given back in the SDK's UPPERCASE."""
    values = tuple(allowed)

    def read(value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, str):
            raise ValueError(f"expected a {what} (a string)")
        canonical = value.strip().upper()
        if canonical not in values:
            raise ValueError(
                f"unsupported {what} {value!r}; expected one of (any case): {', '.join(values)}"
            )
        return canonical

    return read


def free_choice(value: Any) -> Any:
    """Loosely matched text (yard type, garden style) [INFERRED]: any non-empty string."""
    value = text(value)
    if value is not None and not value.strip():
        raise ValueError("expected a non-empty string")
    return value.strip() if value is not None else None


def hex_color(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, str) or not HEX_COLOR.match(value.strip()):
        raise ValueError(f"expected a hex colour like #FF5733, got {value!r}")
    return value.strip().upper()


def opaque(value: Any) -> Any:
    """A JSON string whose format is not documented (webhooks_data, decor_items); objects and
    arrays are taken too [INFERRED]."""
    if value is None or isinstance(value, str | dict | list):
        return value
    raise ValueError("expected a JSON string")


def documented(schema: dict[str, Any]) -> WithJsonSchema:
    """What the OpenAPI document says a field takes (the readers above are looser: any case,
    numbers as text, null as absent)."""
    return WithJsonSchema(schema, mode="validation")


def _enum(values: Iterable[str], what: str) -> tuple[BeforeValidator, WithJsonSchema]:
    return BeforeValidator(choice(values, what)), documented(
        {"type": "string", "enum": list(values), "description": f"{what}, in any case"}
    )


def _whole(low: int, high: int) -> tuple[BeforeValidator, WithJsonSchema]:
    schema = {"type": "integer", "minimum": low, "maximum": high}
    return BeforeValidator(whole(low, high)), documented(schema)


def _decimal(low: float, high: float) -> tuple[BeforeValidator, WithJsonSchema]:
    schema = {"type": "number", "minimum": low, "maximum": high}
    return BeforeValidator(decimal(low, high)), documented(schema)


URL_SCHEMA = {
    "type": "string",
    "format": "uri",
    "description": "an http(s) URL of a JPEG, PNG or WebP, or a data URL (base64)",
}
Text = Annotated[
    str | None, BeforeValidator(text), documented({"type": "string", "maxLength": MAX_TEXT})
]
Url = Annotated[str | None, BeforeValidator(url_text), documented(URL_SCHEMA)]
Flag = Annotated[bool | None, BeforeValidator(flag), documented({"type": "boolean"})]
Room = Annotated[str | None, *_enum(ROOM_TYPES, "room type")]
Style = Annotated[str | None, *_enum(DESIGN_STYLES, "design style")]
ColorScheme = Annotated[str | None, *_enum(COLOR_SCHEMES, "color scheme")]
Decor = Annotated[str | None, *_enum(SPECIALITY_DECORS, "speciality decor")]
SkyType = Annotated[str | None, *_enum(SKY_TYPES, "sky type")]
RenderType = Annotated[str | None, *_enum(RENDER_TYPES, "render type")]
Loose = Annotated[
    str | None,
    BeforeValidator(free_choice),
    documented(
        {
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_TEXT,
            "description": "free text, e.g. the SDK's constants",
        }
    ),
]
Hex = Annotated[
    str | None,
    BeforeValidator(hex_color),
    documented({"type": "string", "pattern": HEX_COLOR.pattern, "examples": ["#FF5733"]}),
]
NumImages = Annotated[int | None, *_whole(1, MAX_IMAGES)]
NumCaptions = Annotated[int | None, *_whole(1, MAX_CAPTIONS)]
Seed = Annotated[int | None, *_whole(0, 2**63 - 1)]
Guidance = Annotated[float | None, *_decimal(1, 20)]
Steps = Annotated[int | None, *_whole(1, 75)]
Fraction = Annotated[float | None, *_decimal(0, 1)]
ScaleFactor = Annotated[int | None, *_whole(1, 8)]
Opaque = Annotated[
    Any,
    BeforeValidator(opaque),
    documented({"type": ["string", "object", "array"], "description": "format undocumented"}),
]


PHOTO = "https://example.com/room.jpg"  # an outside URL: the emulator draws a room for it


def _describe(schema: dict[str, Any], cls: type[_Body]) -> None:
    """The document's view of a body: its `required` fields and an example that succeeds."""
    for prop in schema.get("properties", {}).values():
        prop.pop("default", None)  # absent, never null
    if cls.required:
        schema["required"] = list(cls.required)
    if cls.example:
        schema["examples"] = [cls.example]


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore", json_schema_extra=_describe)  # type: ignore[typeddict-item]
    required: ClassVar[tuple[str, ...]] = ()  # refused when absent, in this order
    example: ClassVar[dict[str, Any]] = {}

    @model_validator(mode="before")
    @classmethod
    def _blank_is_absent(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v is not None and v != ""}
        return data

    def require(self, *names: str) -> None:
        """Refuse, naming the field, when a required field was not sent (default: `required`)."""
        for name in names or self.required:
            if getattr(self, name) is None:
                raise ApiError(400, f"{name} is required", field=name)


class _DesignOptions(_Body):
    """What every design generator takes [PY generate_designs_for_room, notes 2.1 #1-#3]."""

    room_type: Room = None
    design_style: Style = None
    num_images: NumImages = None
    color_scheme: ColorScheme = None
    speciality_decor: Decor = None
    prompt: Text = None
    seed: Seed = None
    guidance_scale: Guidance = None  # default 15
    num_inference_steps: Steps = None
    # accepted and ignored [PY028, 3P]
    prompt_prefix: Text = None
    prompt_suffix: Text = None
    negative_prompt: Text = None
    keep_original_floor: Flag = None

    def require_room_and_style(self) -> None:
        """Either a prompt, or both room_type and design_style [PY README "Example 2"; REPO
        ComfyUI "Either prompt or both room_type and design_style"]."""
        if self.prompt is None:
            for name in ("room_type", "design_style"):
                if getattr(self, name) is None:
                    raise ApiError(400, f"{name} is required (or send a prompt)", field=name)

    @property
    def images(self) -> int:
        return self.num_images or 1


ROOM_AND_STYLE = {"room_type": "LIVINGROOM", "design_style": "MODERN"}


class GenerateDesignsForRoom(_DesignOptions):  # #1
    required = ("input_image_url",)
    example = {"input_image_url": PHOTO, **ROOM_AND_STYLE, "num_images": 1}
    input_image_url: Url = None
    scale_factor: ScaleFactor = None
    mask_info: Text = None
    design_style_image_url: Url = None
    design_style_image_strength: Fraction = None  # default 0.82
    design_creativity: Fraction = None  # default 0.39
    webhooks_data: Opaque = None
    decor_items: Opaque = None
    keep_original_dimensions: Flag = None  # accepted and ignored [3P]


class GenerateInspirationalDesigns(_DesignOptions):  # #2
    example = {**ROOM_AND_STYLE, "seed": 7}


class GenerateDesigns(_DesignOptions):  # #3, multipart: the file is `input_image`
    num_captions: NumCaptions = None
    keep_original_dimensions: Flag = None


class FileOnly(_Body):  # #5 prime_the_room_walls, multipart: the file `input_image` alone
    pass


class ImageUrlOnly(_Body):  # #4 prime_walls_for_room
    required: ClassVar[tuple[str, ...]] = ("input_image_url",)
    example: ClassVar[dict[str, Any]] = {"input_image_url": PHOTO}
    input_image_url: Url = None


class ChangeWallColor(ImageUrlOnly):  # #6
    required = ("input_image_url", "wall_color_hex_code")
    example = {"input_image_url": PHOTO, "wall_color_hex_code": "#5B8C5A"}
    wall_color_hex_code: Hex = None


class ChangeKitchenCabinetsColor(ImageUrlOnly):  # #7
    required = ("input_image_url", "cabinet_color_hex_code")
    example = {"input_image_url": PHOTO, "cabinet_color_hex_code": "#1F3A5F"}
    cabinet_color_hex_code: Hex = None


class Remodel(ImageUrlOnly):  # #8, #9
    required = ("input_image_url", "design_style")
    example = {"input_image_url": PHOTO, "design_style": "MODERN"}
    design_style: Style = None
    num_images: NumImages = None
    scale_factor: Annotated[int | None, *_whole(1, 4)] = None  # docstring 1-4


class ReplaceSky(ImageUrlOnly):  # #10
    required = ("input_image_url", "sky_type")
    example = {"input_image_url": PHOTO, "sky_type": "DUSK"}
    sky_type: SkyType = None


class Landscaping(ImageUrlOnly):  # #11 (Beta)
    required = ("input_image_url", "yard_type", "garden_style")
    example = {"input_image_url": PHOTO, "yard_type": "FRONT_YARD", "garden_style": "COASTAL"}
    yard_type: Loose = None
    garden_style: Loose = None
    num_images: NumImages = None


class RemoveObjects(ImageUrlOnly):  # #12
    mask_image_url: Url = None


class Upscale(_Body):  # #13, multipart: the file is `input_image`
    scale_factor: ScaleFactor = None  # SDK default 2


class SketchTo3dRender(ImageUrlOnly):  # #14
    required = ("input_image_url", "design_style")
    example = {"input_image_url": PHOTO, "design_style": "MODERN", "render_type": "ISOMETRIC"}
    design_style: Style = None
    num_images: NumImages = None
    scale_factor: ScaleFactor = None
    render_type: RenderType = None


class GenerateImageCaptions(_Body):  # #15
    required = ("room_type", "design_style")
    example = {**ROOM_AND_STYLE, "num_captions": 2}
    room_type: Room = None
    design_style: Style = None
    num_captions: NumCaptions = None
