"""StagePro request bodies and query strings, checked against the capabilities.

Every body is validated whole: a 400 lists each wrong field by its path in `details`
(`input.style`), [PROPOSED] notes 2.2 "Error body". Unknown fields are ignored [EMULATOR].
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    model_validator,
)

from ...core.errors import ApiError, field_path, one_of
from ...core.http import QueryInt
from . import capabilities as caps

MAX_METADATA_BYTES = 4096  # [EMULATOR] metadata's JSON size
MAX_PROMPT = 2000  # [EMULATOR]
MAX_MESSAGE = 4000  # [EMULATOR]
MAX_LABEL = 200  # [EMULATOR]

Text = Annotated[StrictStr, Field(min_length=1, max_length=2048)]
Url = Annotated[
    StrictStr, Field(min_length=1, max_length=4096, json_schema_extra={"format": "uri"})
]


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


def examples(*bodies: dict[str, Any]) -> ConfigDict:
    """Example bodies for the OpenAPI document (docs.txt's own where it has them)."""
    return ConfigDict(json_schema_extra={"examples": list(bodies)})


def _tool(value: str) -> str:
    if value in caps.APP_ONLY_TOOLS:
        raise ValueError(
            f"{caps.APP_ONLY_TOOLS[value]} ('{value}') is app-only (interactive UI) and cannot be "
            "run through the API"
        )
    return one_of(value, caps.LISTING_TOOLS, "listing_tool")


def _metadata(value: dict[str, Any]) -> dict[str, Any]:
    if len(json.dumps(value)) > MAX_METADATA_BYTES:
        raise ValueError(f"at most {MAX_METADATA_BYTES} bytes of JSON")
    return value


def _enum(values: Iterable[str]) -> Any:
    """The allowed values, for the OpenAPI document (the validator names them in its 400)."""
    return Field(json_schema_extra={"enum": list(values)})


Style = Annotated[
    StrictStr, AfterValidator(lambda v: one_of(v, caps.STYLES, "style")), _enum(caps.STYLES)
]
RoomType = Annotated[
    StrictStr,
    AfterValidator(lambda v: one_of(v, caps.ROOM_TYPES, "room_type")),
    _enum(caps.ROOM_TYPES),
]
ListingTool = Annotated[StrictStr, AfterValidator(_tool), _enum(caps.LISTING_TOOLS)]
AspectRatio = Annotated[
    StrictStr,
    AfterValidator(lambda v: one_of(v, caps.ASPECT_RATIOS, "aspect_ratio")),
    _enum(caps.ASPECT_RATIOS),
]
Metadata = Annotated[dict[str, Any], AfterValidator(_metadata)]


class Options(_Body):
    creativity: Annotated[StrictInt, Field(ge=1, le=5)] = caps.CREATIVITY["default"]
    aspect_ratio: AspectRatio = "original"


class Design(_Body):
    """The fields a job's input, a batch's shared input and a workflow's defaults have in common."""

    style: Style | None = None
    room_type: RoomType | None = None
    options: Options | None = None
    prompt: Annotated[StrictStr, Field(min_length=1, max_length=MAX_PROMPT)] | None = None
    listing_tool: ListingTool | None = None
    empty_room_url: Url | None = None


class JobInput(Design):
    image_url: Url | None = None
    upload_id: Text | None = None


class CreateJob(_Body):
    """POST /jobs [DOC] fields; [PROPOSED] requirements per type."""

    model_config = examples(
        {
            "type": "virtual-stage",
            "input": {
                "image_url": "https://example.com/room.jpg",
                "style": "modern",
                "room_type": "living-room",
                "options": {"creativity": 3, "aspect_ratio": "16:9"},
            },
            "metadata": {"listing_id": "MLS-12345", "photo_index": 1},
            "idempotency_key": "listing-12345-photo-1-v1",
        },
        {
            "type": "listing-tool",
            "input": {
                "image_url": "https://example.com/exterior.jpg",
                "listing_tool": "virtual-twilight",
            },
        },
    )

    type: Literal["empty-room", "virtual-stage", "interior-design", "edit", "listing-tool"]
    input: JobInput
    metadata: Metadata | None = None
    idempotency_key: Annotated[StrictStr, Field(min_length=1, max_length=255)] | None = None
    webhook_endpoint_id: Text | None = None

    @model_validator(mode="after")
    def _complete(self) -> CreateJob:
        problems = requirements(self.type, self.input, "input")
        if self.input.image_url is None and self.input.upload_id is None:
            problems.append(("input.image_url", "input.image_url or input.upload_id is required"))
        elif self.input.image_url is not None and self.input.upload_id is not None:
            problems.append(
                ("input.upload_id", "send input.image_url or input.upload_id, not both")
            )
        if problems:
            raise FieldErrors(problems)
        return self


def requirements(job_type: str, design: Design, where: str) -> list[tuple[str, str]]:
    """[PROPOSED] what each job type needs beyond the image: (field, message) per gap."""
    needs = {
        "virtual-stage": ("style", "room_type"),
        "interior-design": ("style",),
        "edit": ("prompt",),
        "listing-tool": ("listing_tool",),
    }.get(job_type, ())
    return [
        (f"{where}.{name}", f"{where}.{name} is required for {job_type} jobs")
        for name in needs
        if getattr(design, name) is None
    ]


class FieldErrors(ValueError):
    """Several field problems found by a model check, kept apart for `details`."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(message for _, message in problems))
        self.problems = problems


class Regenerate(_Body):
    metadata: Metadata | None = None
    webhook_endpoint_id: Text | None = None


class Photo(_Body):
    image_url: Url | None = None
    upload_id: Text | None = None
    label: Annotated[StrictStr, Field(max_length=MAX_LABEL)] | None = None
    room_type: RoomType | None = None
    style: Style | None = None

    @model_validator(mode="after")
    def _one_image(self) -> Photo:
        if (self.image_url is None) == (self.upload_id is None):
            raise FieldErrors([("image_url", "image_url or upload_id is required (one of them)")])
        return self


Photos = Annotated[list[Photo], Field(min_length=1, max_length=caps.MAX_BATCH_PHOTOS)]


class CreateBatch(_Body):
    """POST /batches [DOC] example; [PROPOSED] per-photo room_type and style override `input`."""

    model_config = examples(
        {
            "type": "listing-tool",
            "input": {"listing_tool": "room-declutter"},
            "listing_id": "MLS-8842",
            "photos": [
                {"image_url": "https://example.com/kitchen.jpg", "label": "kitchen"},
                {"image_url": "https://example.com/living.jpg", "label": "living"},
            ],
        }
    )

    type: Literal["empty-room", "virtual-stage", "interior-design", "edit", "listing-tool"]
    input: Design = Field(default_factory=Design)
    listing_id: Annotated[StrictStr, Field(min_length=1, max_length=200)] | None = None
    photos: Photos
    metadata: Metadata | None = None
    webhook_endpoint_id: Text | None = None


class CreateWorkflow(_Body):
    """POST /workflows [DOC] example."""

    model_config = examples(
        {
            "template": "mls-virtual-stage",
            "listing_id": "MLS-8842",
            "defaults": {"style": "modern"},
            "photos": [
                {
                    "image_url": "https://example.com/living.jpg",
                    "label": "living",
                    "room_type": "living-room",
                }
            ],
        }
    )

    template: Annotated[
        StrictStr,
        AfterValidator(lambda v: one_of(v, caps.WORKFLOW_TEMPLATES, "template")),
        _enum(caps.WORKFLOW_TEMPLATES),
    ]
    listing_id: Annotated[StrictStr, Field(min_length=1, max_length=200)] | None = None
    defaults: Design = Field(default_factory=Design)
    photos: Photos
    metadata: Metadata | None = None
    webhook_endpoint_id: Text | None = None


class ListJobs(_Body):
    listing_id: StrictStr | None = None
    limit: Annotated[QueryInt, Field(ge=1, le=100)] = 20  # [PROPOSED]
    cursor: StrictStr | None = None


class CreateWebhook(_Body):
    model_config = examples(
        {"url": "https://example.com/hooks/stagepro", "events": ["job.completed", "job.failed"]}
    )

    url: Url
    events: (
        Annotated[
            list[Literal["job.completed", "job.failed", "batch.completed"]],
            Field(min_length=1, max_length=3),
        ]
        | None
    ) = None
    description: Annotated[StrictStr, Field(max_length=500)] | None = None


class CreateKey(_Body):
    name: Annotated[StrictStr, Field(min_length=1, max_length=100)] = "API key"
    mode: Literal["live", "test"] = "live"


class CreateSession(_Body):
    model_config = examples({"image_url": "https://example.com/room.jpg", "auto_render": False})

    image_url: Url | None = None
    upload_id: Text | None = None
    auto_render: StrictBool = False  # [DOC] defaults to false
    room_type: RoomType | None = None
    style: Style | None = None
    webhook_endpoint_id: Text | None = None

    @model_validator(mode="after")
    def _one_image(self) -> CreateSession:
        if (self.image_url is None) == (self.upload_id is None):
            raise FieldErrors([("image_url", "image_url or upload_id is required (one of them)")])
        return self


class SendMessage(_Body):
    model_config = examples({"message": "What would you improve in this living room?"})

    message: Annotated[StrictStr, Field(min_length=1, max_length=MAX_MESSAGE)]
    stream: StrictBool = False


class Render(_Body):
    model_config = examples({"job_type": "interior-design"})

    job_type: Literal["interior-design", "virtual-stage", "edit"] = "interior-design"  # [DOC] body
    options: Options | None = None
    metadata: Metadata | None = None
    webhook_endpoint_id: Text | None = None


# validation with every problem named


def parse(model: type[Any], data: Any, where: str = "") -> Any:
    """`data` validated as `model`, or a 400 `validation_error` whose `details` name every wrong
    field by its path (prefixed with `where`, e.g. `photos[2]`)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid(problems_of(exc, where)) from exc


def problems_of(exc: ValidationError, where: str = "") -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for error in exc.errors(include_url=False):
        loc = tuple(p for p in error["loc"] if not str(p).startswith("function-"))
        base = _join(where, field_path(loc))
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, FieldErrors):
            out += [(_join(base, f), _join(base, m) if base else m) for f, m in cause.problems]
            continue
        out.append((base or "body", _describe(base or "body", error)))
    return out


def _join(where: str, path: str) -> str:
    if not where:
        return path
    if not path:
        return where
    return f"{where}{path}" if path.startswith("[") else f"{where}.{path}"


def _describe(field: str, error: dict[str, Any]) -> str:
    kind, msg = error["type"], error["msg"]
    if kind == "missing":
        return f"{field} is required"
    if kind == "literal_error":
        expected = (error.get("ctx") or {}).get("expected", "")
        return f"{field}: unsupported value {error.get('input')!r}; expected one of {expected}"
    return f"{field}: {msg.removeprefix('Value error, ')}"


def invalid(problems: list[tuple[str, str]]) -> ApiError:
    """A 400 naming every problem; the message is the first one (and how many more)."""
    field, message = problems[0]
    if len(problems) > 1:
        message += f" (and {len(problems) - 1} more, see details)"
    details = [{"field": f, "message": m} for f, m in problems]
    return ApiError(400, message, field=field, code="validation_error", extra={"details": details})


def field_error(field: str, message: str) -> ApiError:
    return invalid([(field, f"{field}: {message}")])
