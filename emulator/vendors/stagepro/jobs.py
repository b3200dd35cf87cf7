"""Jobs: what POST /jobs, regenerate, batches, workflows and the agent's renders create, and how
GET /jobs shows them.

A job is an engine job whose params carry the StagePro fields (input, metadata, batch, parent,
webhook endpoint, credits, livemode) and its planned output image. Status words [DOC]:
queued -> processing [PROPOSED] -> completed | failed.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from ...core import images
from ...core.accounts import Account
from ...core.clock import iso8601
from ...core.errors import ApiError
from ...core.jobs import Job, JobState
from ...core.media import Media
from ...core.pagination import page_after
from ...core.renders import DEFAULT_SIZE, RenderSpec, encode, synthetic_room
from ...core.vendor import JobPlan
from . import answers as a
from . import capabilities as caps
from .models import field_error

if TYPE_CHECKING:
    from .api import StagePro

STATUS_WORDS = {
    JobState.QUEUED: "queued",
    JobState.PROCESSING: "processing",
    JobState.SUCCEEDED: "completed",
    JobState.FAILED: "failed",
}
FAILURE_CODE = "generation_failed"  # [PROPOSED]


class IdempotencyRecord(BaseModel):
    """[PROPOSED] an idempotency key of an account and the job it made."""

    id: str  # "<account id>|<key>"
    job_id: str
    fingerprint: str


@dataclass
class Source:
    """The picture a job draws over: a stored media, or an outside URL drawn as a synthetic room."""

    media_id: str | None
    key: str
    size: tuple[int, int] | None


@dataclass
class JobRequest:
    """Everything a new job is made of, whichever endpoint asks for it."""

    type: str
    input: dict[str, Any]
    metadata: dict[str, Any] = field(default_factory=dict)
    idempotency_key: str | None = None
    webhook_endpoint_id: str | None = None
    batch_id: str | None = None
    parent_job_id: str | None = None
    variation: int = 1
    operation: str = "create_job"  # the handler, for fault rules


@dataclass
class PlannedJob:
    id: str
    request: JobRequest
    source: Source
    output_size: tuple[int, int]
    outcome: JobPlan
    credits: int


class JobDesk:
    def __init__(self, vendor: StagePro) -> None:
        self.vendor, self.engine = vendor, vendor.engine

    # sources

    def resolve(self, account: Account, image_url: str | None, upload_id: str | None, at: str):
        """The Source of `image_url` or `upload_id`, `at` naming the field for errors."""
        if upload_id is not None:
            upload = self.vendor.uploads.usable(
                account.id, upload_id, f"{at}.upload_id".lstrip(".")
            )
            media = self.engine.media.get(upload.media_id)
            assert media is not None
            return Source(media.id, media.id, _size(media))
        assert image_url is not None
        return self.source_of_url(image_url, f"{at}.image_url".lstrip("."))

    def source_of_url(self, url: str, field_name: str) -> Source:
        self.vendor.check_source_url(url, field_name)
        media = self.engine.media.served(url)
        if media is None:
            return Source(None, url, None)
        if media.job_id is not None:
            job = self.engine.jobs.get(media.job_id)
            if job is None or job.state(self.engine.now()) != JobState.SUCCEEDED:
                raise field_error(
                    field_name, "that image is not available yet (its job is not done)"
                )
            return Source(media.id, media.id, _size(media) or self._planned_size(media))
        return Source(media.id, media.id, _size(media))

    def source_of_job(self, job: Job) -> Source:
        """What a job was drawn over, for its regenerations."""
        media = self.engine.media.get(job.params["output"]["media_id"])
        assert media is not None and media.recipe is not None
        source = self.engine.media.get(media.source_media_id or "")
        return Source(
            media.source_media_id, media.recipe.source_key, _size(source) if source else None
        )

    def _planned_size(self, media: Media) -> tuple[int, int] | None:
        job = self.engine.jobs.get(media.job_id or "")
        image = (job.params.get("output") or {}) if job else {}
        return (image["width"], image["height"]) if image.get("media_id") == media.id else None

    async def shaped(self, account: Account, source: Source, aspect: str, field: str) -> Source:
        """The source cropped to `aspect` (centre crop), kept as a media of the account; a
        synthetic room is drawn at that shape. "original" keeps the source as it is."""
        ratio = caps.ASPECT_RATIOS[aspect]
        if ratio is None:
            return source
        if source.media_id is None:
            size = _fit(ratio, caps.OUTPUT_LONG_EDGE)
            data = await asyncio.to_thread(lambda: encode(synthetic_room(source.key, size), "JPEG"))
        else:
            media = self.engine.media.get(source.media_id)
            assert media is not None
            if (media.width or 0) * (media.height or 0) > caps.MAX_PIXELS:
                raise field_error(
                    field, f"the image is larger than {caps.MAX_PIXELS // 1_000_000} megapixels"
                )
            _, original = await self.engine.media.content(media)
            try:
                data = await asyncio.to_thread(_crop, original, ratio, source.key)
            except images.ImageProblem as exc:
                raise field_error(field, str(exc)) from exc
        shaped = self.engine.media.add_upload(account.id, data, "image/jpeg")
        return Source(shaped.id, f"{source.key}#{aspect}", _size(shaped))

    # planning and creating

    async def plan(
        self, account: Account, request: JobRequest, at: str = "input", source: Source | None = None
    ) -> PlannedJob:
        """Check a request and prepare its picture; nothing is charged or created yet. A given
        `source` (a regeneration's) is drawn over as it is."""
        given = request.input
        draw_over = given.get("empty_room_url")  # [DOC] staged over the cleared room
        if source is None:
            source = self.resolve(account, given.get("image_url"), given.get("upload_id"), at)
            if draw_over is not None:
                source = self.source_of_url(draw_over, f"{at}.empty_room_url")
            aspect = (given.get("options") or {}).get("aspect_ratio", "original")
            named = (
                "empty_room_url" if draw_over else "upload_id" if given.get("upload_id") else None
            )
            field = f"{at}.{named or 'image_url'}"
            source = await self.shaped(account, source, aspect, field)
        inputs = [given.get("image_url"), draw_over, given.get("prompt")]
        self.vendor.refuse_unavailable(*inputs)
        return PlannedJob(
            id=self.engine.ids.prefixed("job_", 24),
            request=request,
            source=source,
            output_size=_scaled(source.size or DEFAULT_SIZE, caps.OUTPUT_LONG_EDGE),
            outcome=self.vendor.plan_job(request.operation, *inputs),
            credits=caps.job_credits(request.type, given.get("listing_tool")),
        )

    def create(self, account: Account, planned: PlannedJob, livemode: bool) -> Job:
        """Create a planned job (inside the caller's transaction, after the charge)."""
        request, given = planned.request, planned.request.input
        tool = given.get("listing_tool")
        look = caps.TOOL_LOOKS[tool] if tool else caps.JOB_LOOKS[request.type]
        spec = RenderSpec(
            vendor="StagePro",
            operation=look.operation,  # type: ignore[arg-type]
            sky=look.sky,
            prompt=given.get("prompt") or look.prompt,
            room_type=given.get("room_type"),
            style=given.get("style"),
            variation=request.variation,
            variations=request.variation,
            source_key=planned.source.key,
            min_long_edge=caps.OUTPUT_LONG_EDGE,
            max_long_edge=caps.OUTPUT_LONG_EDGE,
            note=_note(request.type, given, livemode),
        )
        media = self.engine.media.plan_render(account.id, planned.id, spec, planned.source.media_id)
        width, height = planned.output_size
        return self.engine.jobs.create(
            id=planned.id,
            vendor=self.vendor.slug,
            account_id=account.id,
            operation=request.type,
            timing=caps.TIMINGS[request.type] if livemode else caps.TEST_TIMING,
            group=request.batch_id,
            params={
                "input": given,
                "metadata": request.metadata,
                "idempotency_key": request.idempotency_key,
                "webhook_endpoint_id": request.webhook_endpoint_id,
                "batch_id": request.batch_id,
                "parent_job_id": request.parent_job_id,
                "variation": request.variation,
                "credits_charged": planned.credits if livemode else 0,
                "livemode": livemode,
                "output": {"media_id": media.id, "width": width, "height": height},
            },
            outputs=[media.id],
            fails=planned.outcome.fails,
            error=planned.outcome.error,
            slow=planned.outcome.slow,
            concurrency=self.vendor.concurrency(account),
        )

    # reading

    def get(self, account_id: str, job_id: str) -> Job:
        job = self.engine.jobs.get(job_id)
        if job is None or job.account_id != account_id or not is_stagepro_job(job):
            raise ApiError(404, f"Job {job_id} not found", field="id", code="not_found")
        return job

    def listed(self, account_id: str, listing_id: str | None) -> list[Job]:
        jobs = self.engine.jobs.list(account_id, newest_first=True)
        return [
            j
            for j in jobs
            if is_stagepro_job(j)
            and (listing_id is None or j.params["metadata"].get("listing_id") == listing_id)
        ]

    def page(self, jobs: list[Job], cursor: str | None, limit: int) -> dict[str, Any]:
        page, next_cursor = page_after(
            jobs, cursor=cursor, limit=limit, key=lambda j: j.id, field="cursor"
        )
        return a.JobPage(
            data=[self.answer(j) for j in page],
            has_more=next_cursor is not None,
            next_cursor=next_cursor,
        ).model_dump()

    def view(self, job: Job, now: float | None = None) -> dict[str, Any]:
        """The job object [PROPOSED] notes 2.2."""
        return self.answer(job, now).model_dump()

    def answer(self, job: Job, now: float | None = None) -> a.Job:
        now = self.engine.now() if now is None else now
        state = job.state(now)
        p = job.params
        updated = job.created_at
        if state != JobState.QUEUED:
            updated = job.finished_at if state.finished else job.started_at
        return a.Job(
            id=job.id,
            type=job.operation,
            status=STATUS_WORDS[state],
            input=a.GivenInput.model_validate(p["input"]),
            output=self._output(job) if state == JobState.SUCCEEDED else None,
            error=a.JobError(code=FAILURE_CODE, message=job.error)
            if state == JobState.FAILED
            else None,
            metadata=p["metadata"],
            batch_id=p["batch_id"],
            parent_job_id=p["parent_job_id"],
            idempotency_key=p["idempotency_key"],
            webhook_endpoint_id=p["webhook_endpoint_id"],
            credits_charged=p["credits_charged"],
            livemode=p["livemode"],
            created_at=iso8601(job.created_at),
            updated_at=iso8601(updated),
            completed_at=iso8601(job.finished_at) if state.finished else None,
        )

    def _output(self, job: Job) -> a.JobOutput:
        planned = job.params["output"]
        media = self.engine.media.get(planned["media_id"])
        assert media is not None
        url = self.engine.media.url(media)
        width, height = _size(media) or (planned["width"], planned["height"])
        return a.JobOutput(
            image_url=url, images=[a.OutputImage(url=url, width=width, height=height)]
        )


def is_stagepro_job(job: Job) -> bool:
    return job.operation in caps.JOB_TYPES


def fingerprint(body: dict[str, Any]) -> str:
    """What makes two requests with one idempotency key "the same body"."""
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _note(job_type: str, given: dict[str, Any], livemode: bool) -> str:
    parts = [given.get("listing_tool") or job_type]
    if given.get("prompt"):
        parts.append(f'"{given["prompt"][:60]}"')
    aspect = (given.get("options") or {}).get("aspect_ratio")
    if aspect and aspect != "original":
        parts.append(aspect)
    if not livemode:
        parts.append("test mode")
    return " - ".join(parts)


def _size(media: Media) -> tuple[int, int] | None:
    return (media.width, media.height) if media.width and media.height else None


def _fit(ratio: tuple[int, int], long_edge: int) -> tuple[int, int]:
    w, h = ratio
    return (
        (long_edge, round(long_edge * h / w)) if w >= h else (round(long_edge * w / h), long_edge)
    )


def _scaled(size: tuple[int, int], long_edge: int) -> tuple[int, int]:
    """The size core.renders gives a picture of `size` fitted to exactly `long_edge`."""
    current = max(size)
    if current == long_edge:
        return size
    r = long_edge / current
    return max(1, round(size[0] * r)), max(1, round(size[1] * r))


def _crop(data: bytes, ratio: tuple[int, int], key: str) -> bytes:
    """The centre crop of `ratio`, its long edge at most OUTPUT_LONG_EDGE (what the job draws
    at): decoded at that scale, never at the source's full size, within the shared image budget
    (a 50 MP JPEG would hold ~200 MB decoded whole). A source that cannot be decoded (HEIC) is
    a synthetic room of that shape."""
    info = images.read_header(data)
    images.check_pixels(info)
    box = _crop_box(info.size, ratio)
    crop = (box[2] - box[0], box[3] - box[1])
    scale = min(1.0, caps.OUTPUT_LONG_EDGE / max(crop))
    decoded = (max(1, round(info.width * scale)), max(1, round(info.height * scale)))
    out = (max(1, round(crop[0] * scale)), max(1, round(crop[1] * scale)))
    cost = images.decode_cost(info, decoded) + 2 * out[0] * out[1] * 4
    with images.budget.hold(cost):
        img = images.decode_at(data, decoded)
        if img is None:
            return encode(synthetic_room(key, out), "JPEG")
        x, y = round(box[0] * scale), round(box[1] * scale)
        return encode(img.crop((x, y, x + out[0], y + out[1])), "JPEG")


def _crop_box(size: tuple[int, int], ratio: tuple[int, int]) -> tuple[int, int, int, int]:
    w, h = size
    rw, rh = ratio
    if w * rh > h * rw:  # too wide
        new_w = max(1, round(h * rw / rh))
        return (w - new_w) // 2, 0, (w - new_w) // 2 + new_w, h
    new_h = max(1, round(w * rh / rw))
    return 0, (h - new_h) // 2, w, (h - new_h) // 2 + new_h
