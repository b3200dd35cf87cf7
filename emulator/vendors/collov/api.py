"""Collov enterprise API, one handler per endpoint of docs.txt (plus `/edit/getRecord`, which every
real client polls [CLIENT]).

Paths under `/flair/enterpriseApi` [DOC]. Auth: header `apiKey: KEY` [DOC]. Every answer is the
envelope `{"code", "success", "message", "data"}`, errors included (notes 1.2, see `proposed.py`).
Bodies are multipart/form-data [DOC]; url-encoded forms and JSON are accepted too. Every request of
a key counts against its rate limit (real time), every task against its concurrency limit (the
emulator's clock) [DOC].
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from ...core.accounts import Account
from ...core.engine import Engine
from ...core.errors import ApiError
from ...core.http import (
    json_response,
    media_type,
    parse_form,
    parse_json_object,
    parse_model,
    read_body,
)
from ...core.jobs import Job
from ...core.openapi import operation
from ...core.ratelimit import RateLimiter, retry_after_header
from ...core.renders import RenderSpec
from ...core.vendor import JobPlan, VendorApi, routes_from
from ...core.video import SlideshowSpec
from . import answers as a
from . import models as m
from . import proposed
from .limits import Limits
from .tasks import Kind, Task, Tasks

BODY_LIMIT = 1 << 20  # forms and JSON carry URLs and short texts only
TITLE = "Collov"
FORMS = ("multipart", "form", "json")
POLL_ERRORS = {429: "rate limit: 10 requests per second per key"}
TASK_ERRORS = {
    402: "not enough credits (answered with HTTP 200, success false)",
    429: "rate limit (10 requests per second) or concurrency limit (2 active tasks)",
}
# plans the results of generation `number` of a task under job `job_id`: their media ids
Results = Callable[[Task, str, int], list[str]]


class Collov(VendorApi):
    slug = "collov"
    title = TITLE
    hosts = ("api.collov.ai",)
    docs_base = "/flair/enterpriseApi"
    media_host = "d17axom7zrjq3q.cloudfront.net"  # [DOC] the vgs sample's image host
    auth_header = "apikey"
    auth_scheme = ""  # the whole header value is the key
    unauthorized_message = proposed.UNAUTHORIZED
    blocked_message = proposed.BLOCKED
    unavailable_message = proposed.UNAVAILABLE
    failure_message = proposed.FAILURE

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.tasks = Tasks(engine, self.slug)
        self.rates = RateLimiter()

    def routes(self) -> list[BaseRoute]:
        table = [
            ("/vst/generateImgOnCommon", self.generate_img_on_common, ["POST"]),
            ("/vst/reGenerateImgOnCommon", self.regenerate_img_on_common, ["POST"]),
            ("/vst/getRecord", self.get_record, ["GET"]),
            ("/vst/generateEmptyRoom", self.generate_empty_room, ["POST"]),
            ("/vst/getEmptyRoomRecord", self.get_empty_room_record, ["GET"]),
            ("/edit/generate", self.edit_generate, ["POST"]),
            ("/edit/getRecord", self.edit_get_record, ["GET"]),
            ("/vgs/task", self.vgs_task, ["POST"]),
            ("/vgs/loadVideoInfo", self.load_video_info, ["GET"]),
        ]
        return routes_from(table, (self.docs_base,))

    def error_response(self, error: ApiError) -> Response:
        status = 200 if error.status in proposed.BUSINESS_STATUSES else error.status
        headers = None
        if error.status == 429:
            headers = {"Retry-After": retry_after_header(error.extra.get("retry_after", 1.0))}
        body = {"code": error.status, "success": False, "message": error.message, "data": None}
        return json_response(body, status, headers)

    # Virtual staging

    @operation(body=m.GenerateImg, response=a.UuidAnswer, encodings=FORMS, errors=TASK_ERRORS)
    async def generate_img_on_common(self, request: Request) -> Response:
        account = self._admit_request(request)
        body = parse_model(m.GenerateImg, await self._fields(request))
        self._check_urls(uploadUrl=body.uploadUrl, emptyRoomUrl=body.emptyRoomUrl)
        inputs = (body.uploadUrl, body.emptyRoomUrl, body.prompt)
        self.refuse_if_faulted("generate_img_on_common", *inputs)
        fields = {
            "uploadUrl": body.uploadUrl,
            "emptyRoomUrl": body.emptyRoomUrl,
            "roomType": body.roomType,
            "style": body.style,
            "prompt": body.prompt or proposed.default_prompt(body.roomType, body.style),
        }
        plan = partial(self.plan_job, "generate_img_on_common", *inputs)
        task = self._start(account.id, "design", fields, plan, self._design_results)
        return _ok({"uuid": task.id})

    @operation(body=m.Regenerate, response=a.UuidAnswer, encodings=FORMS, errors=TASK_ERRORS)
    async def regenerate_img_on_common(self, request: Request) -> Response:
        account = self._admit_request(request)
        body = parse_model(m.Regenerate, await self._fields(request))
        found = self.tasks.find(account.id, body.uuid, ("design",))
        fields = found.fields if found else {}
        inputs = (fields.get("uploadUrl"), fields.get("emptyRoomUrl"), fields.get("prompt"))
        self.refuse_if_faulted("regenerate_img_on_common", *inputs)
        if found is None:
            raise self.tasks.not_found(("design",), "uuid")
        plan = partial(self.plan_job, "regenerate_img_on_common", *inputs)
        with self.engine.store.transaction():
            generations = len(self.tasks.generations(found))
            if generations - 1 >= proposed.MAX_REGENERATIONS:
                limit = proposed.MAX_REGENERATIONS
                raise ApiError(400, proposed.REGENERATION_CAP.format(limit=limit), field="uuid")
            current = self.engine.accounts.get(account.id)  # as it is now, in the transaction
            assert current is not None
            concurrency = self._check_concurrency(current)
            self._create_job(found, generations + 1, plan, self._design_results, concurrency)
        self.engine.wake()
        return _ok({"uuid": found.id})  # the same uuid; the new record is appended (notes 1.3)

    @operation(query=m.ByUuid, response=a.DesignAnswer, errors=POLL_ERRORS)
    async def get_record(self, request: Request) -> Response:
        task = await self._polled(request, "get_record", m.ByUuid, "design")
        return _ok(self.tasks.design_view(task))

    def _design_results(self, task: Task, job_id: str, number: int) -> list[str]:
        """Generation `number` of a design: staged over the emptied room when one was given, else
        over the photo emptied first (the service replaces what furniture there is [DOC])."""
        fields = task.fields
        return self._image(
            task,
            job_id,
            fields["emptyRoomUrl"] or fields["uploadUrl"],
            operation="stage",
            room_type=fields["roomType"],
            style=fields["style"],
            variation=number,
            variations=1 + proposed.MAX_REGENERATIONS,
            emptied=not fields["emptyRoomUrl"],
        )

    # Room clearing

    @operation(body=m.EmptyRoom, response=a.EmptyRoomIdAnswer, encodings=FORMS, errors=TASK_ERRORS)
    async def generate_empty_room(self, request: Request) -> Response:
        account = self._admit_request(request)
        body = parse_model(m.EmptyRoom, await self._fields(request))
        self._check_urls(uploadUrl=body.uploadUrl)
        self.refuse_if_faulted("generate_empty_room", body.uploadUrl)
        plan = partial(self.plan_job, "generate_empty_room", body.uploadUrl)
        fields = {"uploadUrl": body.uploadUrl}
        task = self._start(account.id, "empty_room", fields, plan, self._empty_room_results)
        return _ok({"id": int(task.id)})

    @operation(query=m.EmptyRoomQuery, response=a.EmptyRoomOrEditAnswer, errors=POLL_ERRORS)
    async def get_empty_room_record(self, request: Request) -> Response:
        """`?id=` of an empty-room task [DOC]; `?uuid=` of a photo edit, where the docs point its
        result (notes 1.3)."""
        account = self._admit_request(request)
        query = parse_model(m.EmptyRoomQuery, await self._query(request))
        self.refuse_if_faulted("get_empty_room_record")
        if query.id is not None:
            task = self.tasks.get(account.id, str(query.id), ("empty_room",), "id")
            return _ok(self.tasks.empty_room_view(task))
        if query.uuid is not None:
            task = self.tasks.get(account.id, query.uuid, ("edit",), "uuid")
            return _ok(self.tasks.edit_view(task))
        raise ApiError(400, "id is required (or uuid, for a photo edit)", field="id")

    def _empty_room_results(self, task: Task, job_id: str, number: int) -> list[str]:
        return self._image(task, job_id, task.fields["uploadUrl"], operation="declutter")

    # Photo chat editing

    @operation(body=m.Edit, response=a.UuidAnswer, encodings=FORMS, errors=TASK_ERRORS)
    async def edit_generate(self, request: Request) -> Response:
        account = self._admit_request(request)
        body = parse_model(m.Edit, await self._fields(request))
        self._check_urls(uploadUrl=body.uploadUrl)
        self.refuse_if_faulted("edit_generate", body.uploadUrl, body.prompt)
        plan = partial(self.plan_job, "edit_generate", body.uploadUrl, body.prompt)
        fields = {"uploadUrl": body.uploadUrl, "prompt": body.prompt}
        task = self._start(account.id, "edit", fields, plan, self._edit_results)
        return _ok({"uuid": task.id})

    @operation(query=m.ByUuid, response=a.EditAnswer, errors=POLL_ERRORS)
    async def edit_get_record(self, request: Request) -> Response:
        task = await self._polled(request, "edit_get_record", m.ByUuid, "edit")
        return _ok(self.tasks.edit_view(task))

    def _edit_results(self, task: Task, job_id: str, number: int) -> list[str]:
        """The edited photo shows the prompt it was asked for."""
        prompt = task.fields["prompt"]
        note = f"edit: {prompt[:120]}{'...' if len(prompt) > 120 else ''}"
        return self._image(task, job_id, task.fields["uploadUrl"], operation="edit", note=note)

    def _image(self, task: Task, job_id: str, source_url: str, **spec: Any) -> list[str]:
        """A result image planned over `source_url`, drawn when first fetched."""
        source_id, source_key = self.engine.media.source_for(source_url, task.account_id)
        render = RenderSpec(
            vendor=TITLE, source_key=source_key, max_long_edge=proposed.MAX_LONG_EDGE, **spec
        )
        return [self.engine.media.plan_render(task.account_id, job_id, render, source_id).id]

    # AI virtual tour

    @operation(body=m.VideoTask, response=a.TaskIdAnswer, encodings=FORMS, errors=TASK_ERRORS)
    async def vgs_task(self, request: Request) -> Response:
        account = self._admit_request(request)
        body = parse_model(m.VideoTask, await self._fields(request))
        urls = {f"images[{i}].imageUrl": image.imageUrl for i, image in enumerate(body.images)}
        self._check_urls(**urls, profileUrl=body.profileUrl, logoUrl=body.logoUrl)
        inputs = (*urls.values(), body.intro)
        self.refuse_if_faulted("vgs_task", *inputs)
        plan = partial(self.plan_job, "vgs_task", *inputs)
        photos = [self.engine.media.source_for(url, account.id) for url in urls.values()]
        width, height = proposed.TOUR_SIZES[(body.resolution, body.orientation)]
        slideshow = SlideshowSpec(
            width=width,
            height=height,
            fps=proposed.TOUR_FPS,
            seconds_per_photo=proposed.TOUR_SECONDS_PER_PHOTO,
            photo_media_ids=[media_id for media_id, _ in photos],
            photo_keys=[key for _, key in photos],
            title=body.intro,
            details=[x for x in (body.agentName, body.phoneNumber, body.email) if x],
            tag=proposed.TOUR_TAG,
            music=body.music,
        )
        fields = {
            "resolution": body.resolution,
            "orientation": body.orientation,
            "font": body.font,
            "music": body.music,
            "intro": body.intro,
            "videoDuration": round(slideshow.duration, 2),
        }
        task = self._start(account.id, "tour", fields, plan, self._tour_results, slideshow)
        return _ok({"taskId": task.id})

    def _tour_results(self, task: Task, job_id: str, number: int) -> list[str]:
        """The video and its cover (the first frame), encoded when first fetched."""
        assert task.slideshow is not None
        poster = task.slideshow.model_copy(update={"poster": True})
        return [
            self.engine.media.plan_slideshow(task.account_id, job_id, spec).id
            for spec in (task.slideshow, poster)
        ]

    @operation(query=m.ByTaskId, response=a.TourAnswer, errors=POLL_ERRORS)
    async def load_video_info(self, request: Request) -> Response:
        task = await self._polled(request, "load_video_info", m.ByTaskId, "tour")
        return _ok(self.tasks.tour_view(task))

    # shared steps

    async def _polled(
        self, request: Request, operation: str, query_model: type[m.ByUuid | m.ByTaskId], kind: Kind
    ) -> Task:
        """The caller's task of `kind` that a poll names by its one query parameter."""
        account = self._admit_request(request)
        query = parse_model(query_model, await self._query(request))
        self.refuse_if_faulted(operation)
        [(field, task_id)] = query.model_dump().items()
        return self.tasks.get(account.id, task_id, (kind,), field)

    def _admit_request(self, request: Request) -> Account:
        """The caller's account, past the rate limit: requests per second in real time [DOC]."""
        account = self.authenticate(request)
        limit = Limits.of(account, self.options).rate
        if limit is not None:
            wait = self.rates.hit(account.id, limit)
            if wait is not None:
                message = proposed.RATE_LIMITED.format(limit=limit, wait=retry_after_header(wait))
                raise ApiError(429, message, extra={"retry_after": wait})
        return account

    def _start(
        self,
        account_id: str,
        kind: Kind,
        fields: dict[str, Any],
        plan: Callable[[], JobPlan],
        results: Results,
        slideshow: SlideshowSpec | None = None,
    ) -> Task:
        """Create a task and its first job: credits, the concurrency limit and the writes in one
        store transaction, after the body has been read."""
        with self.engine.store.transaction():
            charged = self.engine.accounts.charge(account_id, proposed.TASK_CREDITS)
            if charged is None:
                balance = getattr(self.engine.accounts.get(account_id), "credits", 0)
                cost = proposed.TASK_CREDITS
                raise ApiError(402, proposed.NO_CREDITS.format(cost=cost, balance=balance))
            concurrency = self._check_concurrency(charged)
            task = self.tasks.new(account_id, kind, fields, slideshow)
            self._create_job(task, 1, plan, results, concurrency)
        self.engine.wake()
        return task

    def _check_concurrency(self, account: Account) -> int | None:
        """Refuse a task past the limit of `account` (as read inside the transaction) on active
        tasks (429), or, in queue mode, give the limit for the job to wait for a free slot."""
        limits = Limits.of(account, self.options)
        if limits.concurrency is None:
            return None
        if limits.mode == "queue":
            return limits.concurrency
        active = self.engine.jobs.active(self.slug, account.id)
        if len(active) >= limits.concurrency:
            wait = min(j.finished_at for j in active) - self.engine.now()
            message = proposed.TOO_MANY_TASKS.format(limit=limits.concurrency, active=len(active))
            raise ApiError(429, message, extra={"retry_after": wait})
        return None

    def _create_job(
        self,
        task: Task,
        number: int,
        plan: Callable[[], JobPlan],
        results: Results,
        concurrency: int | None,
    ) -> Job:
        """Generation `number` of `task`: its job and its planned result (an image, or the tour's
        video and cover). `plan` takes a `fail_job` rule only now, past every check, so a refused
        request never uses one up."""
        outcome = plan()
        job_id = self.engine.ids.uuid()
        outputs = results(task, job_id, number)
        return self.engine.jobs.create(
            id=job_id,
            vendor=self.slug,
            account_id=task.account_id,
            operation=task.kind,
            timing=proposed.timing(task.kind, self.options),
            group=task.id,
            outputs=outputs,
            fails=outcome.fails,
            error=outcome.error,
            slow=outcome.slow,
            concurrency=concurrency,
        )

    def _check_urls(self, **urls: str | None) -> None:
        for field, url in urls.items():
            if url is not None:
                self.check_source_url(url, field)

    async def _fields(self, request: Request) -> dict[str, Any]:
        """The body's fields: multipart/form-data [DOC], url-encoded or JSON [PROPOSED]."""
        body = await read_body(request, BODY_LIMIT)
        kind = media_type(request)
        if kind in ("multipart/form-data", "application/x-www-form-urlencoded"):
            return _form_fields(await parse_form(request, body))
        if kind == "application/json" or (kind == "" and body.strip()[:1] == b"{"):
            return parse_json_object(body)
        if not body.strip():
            return {}
        raise ApiError(
            400,
            f"Unsupported Content-Type '{kind}': send multipart/form-data, "
            "application/x-www-form-urlencoded or application/json",
            field="body",
        )

    async def _query(self, request: Request) -> dict[str, Any]:
        """A poll's parameters: the query string [DOC], or a form body for clients that follow
        the docs' "multipart/form-data for get result" literally [PROPOSED]."""
        query = dict(request.query_params)
        if query:
            return query
        return await self._fields(request)


def _form_fields(form: FormData) -> dict[str, Any]:
    """Form fields as a dict: one value as itself, a repeated field as a list; files refused."""
    fields: dict[str, Any] = {}
    for key in form:
        values = form.getlist(key)
        for value in values:
            if isinstance(value, UploadFile):
                raise ApiError(400, f"{key}: expected a text field, not a file", field=key)
        fields[key] = values[0] if len(values) == 1 else values
    return fields


def _ok(data: Any) -> Response:
    return json_response(
        {"code": 200, "success": True, "message": proposed.SUCCESS_MESSAGE, "data": data}
    )
