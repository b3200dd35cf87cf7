"""StagePro answer bodies: the handlers build their answers from these models (`model_dump`), and
the OpenAPI document describes them from the same models (`@operation(response=...)`), so the two
cannot drift apart. Shapes [PROPOSED] notes 2.2 unless tagged otherwise.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
)

from . import capabilities as caps

JobType = Literal[caps.JOB_TYPES]  # type: ignore[valid-type]
Style = Literal[caps.STYLES]  # type: ignore[valid-type]
RoomType = Literal[caps.ROOM_TYPES]  # type: ignore[valid-type]
ListingTool = Literal[tuple(caps.LISTING_TOOLS)]  # type: ignore[valid-type]
AspectRatio = Literal[tuple(caps.ASPECT_RATIOS)]  # type: ignore[valid-type]
Template = Literal[tuple(caps.WORKFLOW_TEMPLATES)]  # type: ignore[valid-type]
Plan = Literal[tuple(caps.PLANS)]  # type: ignore[valid-type]
JobStatus = Literal["queued", "processing", "completed", "failed"]  # [DOC] + [PROPOSED]
BatchStatus = Literal["queued", "processing", "completed", "partially_failed", "failed"]
Event = Literal["job.completed", "job.failed", "batch.completed"]  # [DOC]
Timestamp = Annotated[str, Field(json_schema_extra={"format": "date-time"})]


def _absent_not_null(schema: dict[str, Any]) -> None:
    """Optional fields of a model that leaves them out rather than sending null: documented as
    their type alone, with no default."""
    required = set(schema.get("required", []))
    for name, prop in schema.get("properties", {}).items():
        if name in required:
            continue
        options = prop.pop("anyOf", None)
        if options:
            prop.update(next(o for o in options if o.get("type") != "null"))
        prop.pop("default", None)


# Errors an operation lists beyond those core.openapi adds to every one (401, 403, 404, 405, 503;
# 400 and 413 with a body)
ANY_CALL = {429: "rate_limited: past the per-key rate limit, or an API key word (Retry-After)"}
WITH_BODY = ANY_CALL | {408: "the body stopped arriving"}
CHARGED = WITH_BODY | {402: "insufficient_credits (live keys)"}


class Answer(BaseModel):
    """Every field is in the answer, defaults too: the document says they are required."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)


# GET /capabilities


class ListingToolInfo(Answer):
    slug: ListingTool
    name: str
    credits: int


class TemplateInfo(Answer):
    template: Template
    job_type: JobType
    listing_tool: ListingTool | None


class CreativityRange(Answer):
    min: int
    max: int
    default: int


class OptionChoices(Answer):
    creativity: CreativityRange
    aspect_ratio: list[AspectRatio]


class Capabilities(Answer):
    job_types: list[JobType]
    listing_tools: list[ListingToolInfo]
    workflow_templates: list[TemplateInfo]
    styles: list[Style]
    room_types: list[RoomType]
    options: OptionChoices
    credits: dict[str, int] = Field(description="credits per job type (listing tools: their own)")
    app_only: list[str] = Field(description="tools of the app that the API cannot run")


# GET /usage


class PlanInfo(Answer):
    name: Plan
    status: Literal["active"]
    concurrency: int = Field(description="parallel jobs")


class CreditMeter(Answer):
    remaining: int
    used: int
    included: int
    period_end: Timestamp


class StorageMeter(Answer):
    used_bytes: int
    limit_bytes: int


class Limits(Answer):
    max_batch_photos: int
    rate_limit_per_minute: int | None  # per API key; null: off [EMULATOR]
    max_upload_bytes: int
    concurrency: int


class ActiveJobs(Answer):
    active: int


class Usage(Answer):
    object: Literal["usage"] = "usage"
    livemode: bool
    plan: PlanInfo
    credits: CreditMeter
    storage: StorageMeter
    limits: Limits
    jobs: ActiveJobs


# jobs


class OptionsGiven(Answer):
    creativity: int
    aspect_ratio: AspectRatio


class GivenInput(Answer):
    """The job's input as it was sent: fields not sent are absent, not null."""

    model_config = ConfigDict(
        json_schema_serialization_defaults_required=False, json_schema_extra=_absent_not_null
    )

    image_url: str | None = None
    upload_id: str | None = None
    empty_room_url: str | None = None
    style: Style | None = None
    room_type: RoomType | None = None
    options: OptionsGiven | None = None
    prompt: str | None = None
    listing_tool: ListingTool | None = None

    @model_serializer(mode="wrap")
    def _as_sent(self, dump: SerializerFunctionWrapHandler):  # unannotated: keeps the schema
        return {k: v for k, v in dump(self).items() if v is not None}


class OutputImage(Answer):
    url: str
    width: int
    height: int


class JobOutput(Answer):
    image_url: str
    images: list[OutputImage]


class JobError(Answer):
    code: Literal["generation_failed"]
    message: str | None


class Job(Answer):
    id: str
    object: Literal["job"] = "job"
    type: JobType
    status: JobStatus
    input: GivenInput
    output: JobOutput | None = Field(description="once completed")
    error: JobError | None = Field(description="once failed")
    metadata: dict[str, Any]
    batch_id: str | None
    parent_job_id: str | None = Field(description="the job this one regenerates")
    idempotency_key: str | None
    webhook_endpoint_id: str | None
    credits_charged: int = Field(description="0 with a sk_test_ key")
    livemode: bool
    created_at: Timestamp
    updated_at: Timestamp
    completed_at: Timestamp | None


class JobPage(Answer):
    object: Literal["list"] = "list"
    data: list[Job]
    has_more: bool
    next_cursor: str | None


# batches and workflows


class Counts(Answer):
    total: int
    queued: int
    processing: int
    completed: int
    failed: int


class BatchCreated(Answer):
    batch_id: str
    object: Literal["batch"] = "batch"
    status: Literal["queued"] = "queued"
    job_ids: list[str]
    total: int


class Batch(Answer):
    id: str
    object: Literal["batch"] = "batch"
    status: BatchStatus
    type: JobType
    listing_id: str | None
    workflow_id: str | None
    job_ids: list[str]
    counts: Counts
    metadata: dict[str, Any]
    webhook_endpoint_id: str | None
    created_at: Timestamp
    completed_at: Timestamp | None


class Workflow(Answer):
    workflow_id: str
    id: str
    object: Literal["workflow"] = "workflow"
    template: Template
    batch_id: str
    listing_id: str | None
    job_ids: list[str]
    status: BatchStatus
    counts: Counts
    created_at: Timestamp
    completed_at: Timestamp | None


# uploads


class Upload(Answer):
    upload_id: str = Field(description="for a job's input.upload_id")
    object: Literal["upload"] = "upload"
    url: str
    content_type: Literal["image/jpeg", "image/png", "image/webp"]
    size_bytes: int
    width: int | None
    height: int | None
    created_at: Timestamp
    expires_at: Timestamp = Field(description="[DOC] 24 hours after the upload")


class UploadForm(BaseModel):
    """multipart/form-data with the image (JPEG, PNG or WebP) in the field `file`."""


# keys


class ApiKey(Answer):
    id: str
    object: Literal["api_key"] = "api_key"
    name: str
    prefix: str = Field(description="the key's first 12 characters")
    mode: Literal["live", "test"]
    created_at: Timestamp
    revoked_at: Timestamp | None


class CreatedApiKey(ApiKey):
    key: str = Field(description="the secret, shown only in this answer")


class ApiKeyList(Answer):
    object: Literal["list"] = "list"
    data: list[ApiKey]


# webhook endpoints


class Challenge(Answer):
    sent_at: Timestamp
    response_status: int | None
    echoed: bool
    error: str | None


class WebhookEndpoint(Answer):
    id: str
    object: Literal["webhook_endpoint"] = "webhook_endpoint"
    url: str
    events: list[Event]
    description: str | None
    status: Literal["pending_verification", "active"]
    secret: str = Field(description="whsec_...: the HMAC key of X-StagePro-Signature")
    created_at: Timestamp
    verified_at: Timestamp | None
    last_challenge: Challenge | None


class WebhookEndpointList(Answer):
    object: Literal["list"] = "list"
    data: list[WebhookEndpoint]


class Deleted(Answer):
    id: str
    object: Literal["webhook_endpoint"] = "webhook_endpoint"
    deleted: Literal[True] = True


# the agent


class ChatLine(Answer):
    role: Literal["user", "assistant"]
    content: str


class AgentSession(Answer):
    id: str
    object: Literal["agent_session"] = "agent_session"
    status: Literal["active"] = "active"
    image_url: str
    upload_id: str | None
    room_type: RoomType | None
    style: Style | None
    auto_render: bool
    readyToRender: bool  # [DOC] camelCase as written
    job_ids: list[str]
    livemode: bool
    created_at: Timestamp
    expires_at: Timestamp
    messages: list[ChatLine]


class AssistantLine(Answer):
    role: Literal["assistant"] = "assistant"
    content: str


class RenderRefused(Answer):
    code: str | None
    message: str


class AgentReply(Answer):
    model_config = ConfigDict(
        json_schema_serialization_defaults_required=False, json_schema_extra=_absent_not_null
    )

    session_id: str
    message: AssistantLine
    readyToRender: bool
    job_id: str | None = Field(description="the render auto_render queued")
    render_error: RenderRefused | None = Field(
        None, description="only when auto_render's job was refused (the chat itself is free)"
    )


class AgentDelta(Answer):
    delta: str = Field(description="the next words of the reply")


def _data(schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": "string", "contentMediaType": "application/json", "contentSchema": schema}


# One event of the answer with `stream: true` [PROPOSED] notes 2.2 (the schema of each event of a
# text/event-stream answer, as OpenAPI 3.2 and schemathesis read it).
AGENT_EVENTS: dict[str, Any] = {
    "description": "server-sent events: `message.delta` several times, then `message.completed` "
    "(data: the JSON answer of `stream: false`), then `done`",
    "type": "object",
    "required": ["event", "data"],
    "oneOf": [
        {
            "properties": {
                "event": {"const": "message.delta"},
                "data": _data(AgentDelta.model_json_schema(mode="serialization")),
            }
        },
        {
            "properties": {
                "event": {"const": "message.completed"},
                "data": _data({"$ref": "#/components/schemas/AgentReply"}),
            }
        },
        {"properties": {"event": {"const": "done"}, "data": {"const": "{}"}}},
    ],
}
