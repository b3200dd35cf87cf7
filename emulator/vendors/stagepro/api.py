"""StagePro API, one handler per endpoint of docs.txt's table, plus the notes' DELETE
/webhooks/{id} and POST /webhooks/{id}/verify (and DELETE /keys/{id}, see keys.py).

Base `https://www.stageproai.com/api/v1` [DOC]; `Authorization: Bearer sk_live_...|sk_test_...`
[DOC]; errors `{"error": {"code", "message", "status", "details"?}}` [PROPOSED] notes 2.2.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from ...core.accounts import Account
from ...core.errors import ApiError
from ...core.faults import FaultRule, magic_input, magic_key
from ...core.http import auth_token, json_response, read_json_object
from ...core.jobs import Job, JobState
from ...core.store import Collection
from ...core.vendor import VendorApi, routes_from
from . import agent
from . import capabilities as caps
from . import models as m
from .batches import Batch, Batches, Workflow
from .jobs import JobDesk, JobRequest, PlannedJob, Source, fingerprint, is_stagepro_job
from .keys import LIVE, TEST, Keys, mode_of
from .uploads import Uploads
from .webhooks import CHALLENGE_OPERATION, Webhooks

# [PROPOSED] notes 2.2 codes by status; [EMULATOR] those the notes leave out (405, 413, 5xx)
DEFAULT_CODES = {
    400: "validation_error",
    401: "invalid_api_key",
    402: "insufficient_credits",
    403: "storage_limit_exceeded",  # [DOC] "403 - storage limit exceeded"
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "session_expired",
    413: "file_too_large",
    429: "rate_limited",
    500: "internal_error",
    503: "service_unavailable",
}
# What a fault rule's 409 on an operation stands for, and each code's words [EMULATOR]
FAULT_CONFLICTS = {
    "create_job": "idempotency_conflict",
    "regenerate_job": "job_not_completed",
    "render_agent_session": "not_ready_to_render",
}
FAULT_MESSAGES = {
    "insufficient_credits": "Not enough credits to run this job.",
    "storage_limit_exceeded": "Storage limit exceeded.",
    "idempotency_conflict": "idempotency_key was already used with a different request body",
    "job_not_completed": "Only a completed job can be regenerated",
    "not_ready_to_render": "The agent is not ready to render yet",
    "session_expired": "The agent session has expired",
    "rate_limited": "Too many requests: slow down and retry",
}
RATE_LIMITED_WORDS = ("rate-limited", "rate_limited")  # [EMULATOR] API key word: every call 429
STORAGE_WORDS = {"no-storage": 0, "no_storage": 0, "low-storage": caps.LOW_STORAGE_BYTES}


@dataclass
class Caller:
    account: Account
    livemode: bool


class Idempotency(m._Body):
    id: str  # "<account id>|<key>"
    job_id: str
    fingerprint: str


class StagePro(VendorApi):
    slug = "stagepro"
    title = "StagePro"
    hosts = ("www.stageproai.com", "stageproai.com")
    docs_base = "/api/v1"
    media_host = "cdn.stageproai.com"  # [EMULATOR] invented CDN host for result URLs
    auth_scheme = "Bearer"
    unauthorized_message = (
        "Invalid or revoked API key: send Authorization: Bearer sk_live_... or sk_test_..."
    )
    blocked_message = "An active paid subscription is required to use the API"
    unavailable_message = "StagePro is temporarily unavailable, please retry shortly"
    rate_limited_message = "Too many requests: slow down and retry"
    failure_message = "Image generation failed"

    def __init__(self, engine: Any) -> None:
        super().__init__(engine)
        self.keys = Keys(engine.store, engine.ids)
        self.uploads = Uploads(self)
        self.webhooks = Webhooks(self)
        self.desk = JobDesk(self)
        self.batches = Batches(engine.store, engine.jobs)
        self.sessions = agent.Sessions(engine.store)
        self._idempotency = Collection(engine.store, "stagepro.idempotency", Idempotency)
        self.stream_delay = float(self.options.get("agent_stream_delay", 0.02))
        engine.outbox.signers[self.slug] = self.webhooks.sign_delivery

    def routes(self) -> list[BaseRoute]:
        table = [
            ("/capabilities", self.get_capabilities, ["GET"]),
            ("/usage", self.get_usage, ["GET"]),
            ("/jobs", self.create_job, ["POST"]),
            ("/jobs", self.list_jobs, ["GET"]),
            ("/jobs/{job_id}", self.get_job, ["GET"]),
            ("/jobs/{job_id}/regenerate", self.regenerate_job, ["POST"]),
            ("/batches", self.create_batch, ["POST"]),
            ("/batches/{batch_id}", self.get_batch, ["GET"]),
            ("/workflows", self.create_workflow, ["POST"]),
            ("/workflows/{workflow_id}", self.get_workflow, ["GET"]),
            ("/uploads", self.create_upload, ["POST"]),
            ("/keys", self.list_keys, ["GET"]),
            ("/keys", self.create_key, ["POST"]),
            ("/keys/{key_id}", self.revoke_key, ["DELETE"]),
            ("/webhooks", self.list_webhooks, ["GET"]),
            ("/webhooks", self.create_webhook, ["POST"]),
            ("/webhooks/{endpoint_id}", self.delete_webhook, ["DELETE"]),
            ("/webhooks/{endpoint_id}/verify", self.verify_webhook, ["POST"]),
            ("/agent/sessions", self.create_agent_session, ["POST"]),
            ("/agent/sessions/{session_id}/messages", self.send_agent_message, ["POST"]),
            ("/agent/sessions/{session_id}/render", self.render_agent_session, ["POST"]),
        ]
        return routes_from(table, (self.docs_base,))

    def error_response(self, error: ApiError) -> Response:
        body: dict[str, Any] = {
            "code": error.code or DEFAULT_CODES.get(error.status, "error"),
            "message": error.message,
            "status": error.status,
        }
        if "details" in error.extra:
            body["details"] = error.extra["details"]
        elif error.status == 400 and error.field:
            body["details"] = [{"field": error.field, "message": error.message}]
        headers = {"Retry-After": "60"} if error.status == 429 else None
        return json_response({"error": body}, error.status, headers)

    def fault_response(self, rule: FaultRule) -> Response:
        """A fault rule's answer with the code that status means for its operation."""
        code = DEFAULT_CODES.get(rule.status, "error")
        if rule.status == 409:
            code = FAULT_CONFLICTS.get(rule.operation, code)
        message = rule.message or FAULT_MESSAGES.get(code, self.unavailable_message)
        response = self.error_response(ApiError(rule.status, message, code=code))
        if rule.retry_after is not None:
            response.headers["Retry-After"] = str(rule.retry_after)
        return response

    # accounts: keys, plan, credits, storage

    def initial_meters(self, api_key: str) -> dict[str, Any]:
        lower = api_key.lower()
        storage = next(
            (v for word, v in STORAGE_WORDS.items() if word in lower), caps.STORAGE_LIMIT_BYTES
        )
        plan = next((p for p in caps.PLANS if f"plan-{p}" in lower), caps.DEFAULT_PLAN)
        return {"plan": plan, "credits_used": 0, "storage_limit_bytes": storage}

    def authenticate(self, request: Request) -> Account:
        return self.caller(request).account

    def caller(self, request: Request, operation: str | None = None) -> Caller:
        """Who calls: a `sk_live_`/`sk_test_` key [DOC], its account, and live or test mode."""
        token = auth_token(request, self.auth_scheme)
        if token is None or not token.startswith((LIVE, TEST)) or magic_key(token).invalid:
            raise ApiError(401, self.unauthorized_message, code="invalid_api_key")
        key = self.keys.find(token)
        if key is not None and key.revoked_at is not None:
            raise ApiError(401, "This API key has been revoked", code="invalid_api_key")
        if any(word in token.lower() for word in RATE_LIMITED_WORDS):
            raise ApiError(429, "Too many requests: slow down and retry", code="rate_limited")
        if key is not None:
            account = self.engine.accounts.get(key.account_id)
            if account is None:  # its account was reset
                raise ApiError(401, self.unauthorized_message, code="invalid_api_key")
        else:
            account = self.engine.accounts.open(self.slug, token, self.initial_meters(token))
        if account.blocked:
            raise ApiError(403, self.blocked_message, code="subscription_required")
        if operation is not None:
            self.refuse_if_faulted(operation)
        return Caller(account, mode_of(token) == "live")

    def refuse_unavailable(self, *inputs: str | None) -> None:
        if magic_input(*inputs).unavailable:
            raise ApiError(503, self.unavailable_message)

    def plan_name(self, account: Account) -> str:
        plan = account.meters.get("plan", caps.DEFAULT_PLAN)
        return plan if plan in caps.PLANS else caps.DEFAULT_PLAN

    def concurrency(self, account: Account) -> int:
        """Parallel jobs of the account: its `concurrency` meter, else its plan's [DOC 2-20]."""
        value = account.meters.get("concurrency")
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            return min(value, caps.MAX_CONCURRENCY)
        return caps.PLANS[self.plan_name(account)]

    def storage_limit(self, account_id: str) -> int:
        account = self.engine.accounts.get(account_id)
        limit = account.meters.get("storage_limit_bytes") if account else None
        return int(limit) if isinstance(limit, int) else caps.STORAGE_LIMIT_BYTES

    def charge(self, account_id: str, credits: int) -> None:
        """Take credits and count them as used, in one store transaction; 402 when short."""

        def take(account: Account) -> None:
            if account.credits < credits:
                raise ApiError(
                    402,
                    f"Not enough credits to run this job: {credits} needed, "
                    f"{account.credits} remaining",
                    code="insufficient_credits",
                )
            account.credits -= credits
            account.meters["credits_used"] = int(account.meters.get("credits_used", 0)) + credits

        if credits:
            self.engine.accounts.update(account_id, take)

    # GET /capabilities, GET /usage

    async def get_capabilities(self, request: Request) -> Response:
        self.caller(request, "get_capabilities")
        return json_response(caps.capabilities())

    async def get_usage(self, request: Request) -> Response:
        me = self.caller(request, "get_usage")
        account = self.engine.accounts.get(me.account.id) or me.account
        used = int(account.meters.get("credits_used", 0))
        now = self.engine.now()
        return json_response(
            {
                "object": "usage",
                "livemode": me.livemode,
                "plan": {
                    "name": self.plan_name(account),
                    "status": "active",
                    "concurrency": self.concurrency(account),
                },
                "credits": {
                    "remaining": account.credits,
                    "used": used,
                    "included": account.credits + used,
                    "period_end": _period_end(now),
                },
                "storage": {
                    "used_bytes": self.uploads.used_bytes(account.id),
                    "limit_bytes": self.storage_limit(account.id),
                },
                "limits": {
                    "max_batch_photos": caps.MAX_BATCH_PHOTOS,
                    "rate_limit_per_minute": caps.RATE_LIMIT_PER_MINUTE,
                    "max_upload_bytes": caps.MAX_UPLOAD_BYTES,
                    "concurrency": self.concurrency(account),
                },
                "jobs": {"active": len(self._active_jobs(account.id))},
            }
        )

    def _active_jobs(self, account_id: str) -> list[Job]:
        return [j for j in self.engine.jobs.active(self.slug, account_id) if is_stagepro_job(j)]

    # jobs

    async def create_job(self, request: Request) -> Response:
        me = self.caller(request, "create_job")
        raw = await read_json_object(request)
        body = m.parse(m.CreateJob, raw)
        account = me.account
        endpoint = self.webhooks.active(account.id, body.webhook_endpoint_id, "webhook_endpoint_id")
        idem = f"{account.id}|{body.idempotency_key}" if body.idempotency_key else None
        print_ = fingerprint(raw)
        if idem and (replayed := self._replay(idem, print_)) is not None:
            return json_response(self.desk.view(replayed), 200)
        job_request = JobRequest(
            type=body.type,
            input=body.input.model_dump(exclude_none=True),
            metadata=body.metadata or {},
            idempotency_key=body.idempotency_key,
            webhook_endpoint_id=endpoint,
        )
        planned = await self.desk.plan(account, job_request)
        with self.engine.store.transaction():
            if idem and (replayed := self._replay(idem, print_)) is not None:
                return json_response(self.desk.view(replayed), 200)
            job = self._start(me, planned)
            if idem:
                self._idempotency.save(
                    Idempotency(id=idem, job_id=job.id, fingerprint=print_), account.id
                )
        self.engine.wake()
        return json_response(self.desk.view(job), 202)

    def _replay(self, idem: str, print_: str) -> Job | None:
        """[PROPOSED] the same key and body give the original job; another body a 409."""
        record = self._idempotency.get(idem)
        if record is None:
            return None
        if record.fingerprint != print_:
            key = idem.split("|", 1)[1]
            raise ApiError(
                409,
                f"idempotency_key '{key}' was already used with a different request body",
                field="idempotency_key",
                code="idempotency_conflict",
            )
        return self.engine.jobs.get(record.job_id)

    def _start(self, me: Caller, planned: PlannedJob) -> Job:
        """Charge (live keys) and create, inside the caller's store transaction."""
        self.charge(me.account.id, planned.credits if me.livemode else 0)
        return self.desk.create(me.account, planned, me.livemode)

    async def list_jobs(self, request: Request) -> Response:
        me = self.caller(request, "list_jobs")
        query = m.parse(m.ListJobs, dict(request.query_params))
        jobs = self.desk.listed(me.account.id, query.listing_id)
        return json_response(self.desk.page(jobs, query.cursor, query.limit))

    async def get_job(self, request: Request) -> Response:
        me = self.caller(request, "get_job")
        return json_response(
            self.desk.view(self.desk.get(me.account.id, request.path_params["job_id"]))
        )

    async def regenerate_job(self, request: Request) -> Response:
        me = self.caller(request, "regenerate_job")
        body = m.parse(m.Regenerate, await read_json_object(request, allow_empty=True))
        parent = self.desk.get(me.account.id, request.path_params["job_id"])
        if parent.state(self.engine.now()) != JobState.SUCCEEDED:
            raise ApiError(
                409,
                f"Job {parent.id} is {self.desk.view(parent)['status']}: only a completed job "
                "can be regenerated",
                code="job_not_completed",
            )
        endpoint = self.webhooks.active(
            me.account.id, body.webhook_endpoint_id, "webhook_endpoint_id"
        )
        if body.webhook_endpoint_id is None:
            endpoint = self._still_active(me.account.id, parent.params["webhook_endpoint_id"])
        siblings = [
            j
            for j in self.desk.listed(me.account.id, None)
            if j.params["parent_job_id"] == parent.id
        ]
        job_request = JobRequest(
            type=parent.operation,
            input=parent.params["input"],
            metadata=parent.params["metadata"] if body.metadata is None else body.metadata,
            webhook_endpoint_id=endpoint,
            parent_job_id=parent.id,
            variation=parent.params["variation"] + len(siblings) + 1,
            operation="regenerate_job",
        )
        planned = await self.desk.plan(me.account, job_request, source=self._source_of(parent))
        with self.engine.store.transaction():
            job = self._start(me, planned)
        self.engine.wake()
        return json_response(self.desk.view(job), 202)

    def _source_of(self, job: Job) -> Source:
        """What a job was drawn over, for its regenerations."""
        media = self.engine.media.get(job.params["output"]["media_id"])
        assert media is not None and media.recipe is not None
        source = self.engine.media.get(media.source_media_id or "")
        size = (source.width, source.height) if source and source.width and source.height else None
        return Source(media.source_media_id, media.recipe.source_key, size)

    def _still_active(self, account_id: str, endpoint_id: str | None) -> str | None:
        try:
            return self.webhooks.active(account_id, endpoint_id, "webhook_endpoint_id")
        except ApiError:
            return None

    # batches and workflows

    async def create_batch(self, request: Request) -> Response:
        me = self.caller(request, "create_batch")
        body = m.parse(m.CreateBatch, await read_json_object(request))
        batch, jobs = await self._run_batch(
            me, body.type, body.input, body, shared_name="input", operation="create_batch"
        )
        return json_response(
            {
                "batch_id": batch.id,
                "object": "batch",
                "status": "queued",
                "job_ids": batch.job_ids,
                "total": len(jobs),
            },
            202,
        )

    async def get_batch(self, request: Request) -> Response:
        me = self.caller(request, "get_batch")
        batch = self.batches.get(me.account.id, request.path_params["batch_id"])
        return json_response(self.batches.view(batch, self.engine.now()))

    async def create_workflow(self, request: Request) -> Response:
        me = self.caller(request, "create_workflow")
        body = m.parse(m.CreateWorkflow, await read_json_object(request))
        job_type, tool = caps.WORKFLOW_TEMPLATES[body.template]
        shared = body.defaults.model_copy(update={"listing_tool": tool} if tool else {})
        workflow_id = self.engine.ids.prefixed("wf_", 24)
        await self._run_batch(
            me,
            job_type,
            shared,
            body,
            shared_name="defaults",
            operation="create_workflow",
            workflow=(workflow_id, body.template),
        )
        workflow = self.batches.get_workflow(me.account.id, workflow_id)
        view = self.batches.workflow_view(workflow, self.engine.now())
        return json_response(view | {"status": "queued"}, 202)

    async def get_workflow(self, request: Request) -> Response:
        me = self.caller(request, "get_workflow")
        workflow = self.batches.get_workflow(me.account.id, request.path_params["workflow_id"])
        return json_response(self.batches.workflow_view(workflow, self.engine.now()))

    async def _run_batch(
        self,
        me: Caller,
        job_type: str,
        shared: m.Design,
        body: m.CreateBatch | m.CreateWorkflow,
        *,
        shared_name: str,
        operation: str,
        workflow: tuple[str, str] | None = None,
    ) -> tuple[Batch, list[Job]]:
        """Plan every photo's job, then charge for all and create them at once (all or nothing)."""
        account = me.account
        endpoint = self.webhooks.active(account.id, body.webhook_endpoint_id, "webhook_endpoint_id")
        batch_id = self.engine.ids.prefixed("bat_", 24)
        base = shared.model_dump(exclude_none=True)
        problems: list[tuple[str, str]] = []
        requests = []
        for index, photo in enumerate(body.photos):
            given = base | photo.model_dump(exclude_none=True, exclude={"label"})
            design = m.Design.model_validate(given)
            for field, _ in m.requirements(job_type, design, shared_name):
                name = field.split(".", 1)[1]
                at = f"photos[{index}].{name}" if name == "room_type" else field
                problems.append((at, f"{at} is required for {job_type} jobs"))
            metadata = dict(body.metadata or {})
            metadata |= {"listing_id": body.listing_id} if body.listing_id else {}
            metadata |= {"label": photo.label} if photo.label is not None else {}
            metadata["photo_index"] = index
            requests.append(
                JobRequest(
                    type=job_type,
                    input=given,
                    metadata=metadata,
                    webhook_endpoint_id=endpoint,
                    batch_id=batch_id,
                    operation=operation,
                )
            )
        if problems:
            raise m.invalid(list(dict.fromkeys(problems)))
        planned = [
            await self.desk.plan(account, r, at=f"photos[{i}]") for i, r in enumerate(requests)
        ]
        now = self.engine.now()
        with self.engine.store.transaction():
            self.charge(account.id, sum(p.credits for p in planned) if me.livemode else 0)
            jobs = [self.desk.create(account, p, me.livemode) for p in planned]
            batch = self.batches.save(
                Batch(
                    id=batch_id,
                    account_id=account.id,
                    type=job_type,
                    listing_id=body.listing_id,
                    job_ids=[j.id for j in jobs],
                    webhook_endpoint_id=endpoint,
                    workflow_id=workflow[0] if workflow else None,
                    metadata=body.metadata or {},
                    created_at=now,
                )
            )
            if workflow:
                self.batches.save_workflow(
                    Workflow(
                        id=workflow[0],
                        account_id=account.id,
                        template=workflow[1],
                        batch_id=batch_id,
                        listing_id=body.listing_id,
                        created_at=now,
                    )
                )
        self.engine.wake()
        return batch, jobs

    # uploads

    async def create_upload(self, request: Request) -> Response:
        me = self.caller(request, "create_upload")
        data = await self.uploads.read_file(request)
        upload = self.uploads.add(me.account, data)
        return json_response(self.uploads.view(upload), 201)

    # keys (console)

    async def list_keys(self, request: Request) -> Response:
        me = self.caller(request, "list_keys")
        keys = self.keys.listed(me.account)
        return json_response({"object": "list", "data": [self.keys.view(k) for k in keys]})

    async def create_key(self, request: Request) -> Response:
        me = self.caller(request, "create_key")
        body = m.parse(m.CreateKey, await read_json_object(request, allow_empty=True))
        key, secret = self.keys.create(me.account, body.name, body.mode, self.engine.now())
        return json_response(self.keys.view(key, secret), 201)

    async def revoke_key(self, request: Request) -> Response:
        me = self.caller(request, "revoke_key")
        key = self.keys.revoke(me.account, request.path_params["key_id"], self.engine.now())
        return json_response(self.keys.view(key))

    # webhooks (console)

    async def list_webhooks(self, request: Request) -> Response:
        me = self.caller(request, "list_webhooks")
        endpoints = self.webhooks.list(me.account.id)
        return json_response({"object": "list", "data": [self.webhooks.view(e) for e in endpoints]})

    async def create_webhook(self, request: Request) -> Response:
        me = self.caller(request, "create_webhook")
        body = m.parse(m.CreateWebhook, await read_json_object(request))
        endpoint = self.webhooks.create(me.account.id, body.url, body.events, body.description)
        return json_response(self.webhooks.view(endpoint), 201)

    async def delete_webhook(self, request: Request) -> Response:
        me = self.caller(request, "delete_webhook")
        endpoint_id = request.path_params["endpoint_id"]
        self.webhooks.delete(me.account.id, endpoint_id)
        return json_response({"id": endpoint_id, "object": "webhook_endpoint", "deleted": True})

    async def verify_webhook(self, request: Request) -> Response:
        me = self.caller(request, "verify_webhook")
        endpoint = self.webhooks.get(me.account.id, request.path_params["endpoint_id"])
        self.webhooks.challenge(endpoint)
        return json_response(self.webhooks.view(endpoint), 202)

    # the design agent

    async def create_agent_session(self, request: Request) -> Response:
        me = self.caller(request, "create_agent_session")
        body = m.parse(m.CreateSession, await read_json_object(request))
        if body.upload_id is not None:
            upload = self.uploads.usable(me.account.id, body.upload_id, "upload_id")
            media = self.engine.media.get(upload.media_id)
            assert media is not None
            image_url = self.engine.media.url(media)
        else:
            assert body.image_url is not None
            self.desk.source_of_url(body.image_url, "image_url")
            image_url = body.image_url
        self.refuse_unavailable(image_url)
        endpoint = self.webhooks.active(
            me.account.id, body.webhook_endpoint_id, "webhook_endpoint_id"
        )
        now = self.engine.now()
        session = agent.Session(
            id=self.engine.ids.prefixed("ses_", 24),
            account_id=me.account.id,
            image_url=image_url,
            upload_id=body.upload_id,
            livemode=me.livemode,
            auto_render=body.auto_render,
            room_type=body.room_type or agent.guess_room(image_url),
            style=body.style,
            webhook_endpoint_id=endpoint,
            created_at=now,
            expires_at=now + caps.SESSION_TTL,
        )
        self.sessions.save(session)
        return json_response(agent.view(session), 201)

    async def send_agent_message(self, request: Request) -> Response:
        me = self.caller(request, "send_agent_message")
        body = m.parse(m.SendMessage, await read_json_object(request))
        session_id = request.path_params["session_id"]
        session = self.sessions.get(me.account.id, session_id, self.engine.now())
        planned = None
        if agent.answer(session.model_copy(deep=True), body.message).render:
            # the auto-render's picture is prepared before the transaction
            provisional = self._render_request(
                session, "interior-design", None, {}, None, "send_agent_message"
            )
            planned = await self.desk.plan(me.account, provisional)
        job: Job | None = None
        render_error: dict[str, Any] | None = None
        with self.engine.store.transaction():
            session = self.sessions.get(me.account.id, session_id, self.engine.now())
            reply = agent.answer(session, body.message)
            now = self.engine.now()
            session.messages += [
                agent.Message(role="user", content=body.message, created_at=now),
                agent.Message(role="assistant", content=reply.content, created_at=now),
            ]
            if reply.render and planned is not None:
                planned.request = self._render_request(
                    session, "interior-design", None, {}, None, "send_agent_message"
                )
                try:
                    with self.engine.store.transaction():
                        job = self._start(me, planned)
                    session.job_ids.append(job.id)
                except ApiError as exc:  # the chat is free; the render alone is refused
                    render_error = {"code": exc.code, "message": exc.message}
            self.sessions.save(session)
        if job is not None:
            self.engine.wake()
        result = {
            "session_id": session.id,
            "message": {"role": "assistant", "content": reply.content},
            "readyToRender": session.ready,
            "job_id": job.id if job else None,
        }
        if render_error is not None:
            result["render_error"] = render_error
        if not body.stream:
            return json_response(result)
        return EventSourceResponse(
            self._stream(reply.content, result),
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    async def _stream(self, content: str, completed: dict[str, Any]):
        """[PROPOSED] the reply in several `message.delta` events, then `message.completed` and
        `done`; each event is flushed as it is produced."""
        for piece in agent.chunks(content):
            yield ServerSentEvent(data=json.dumps({"delta": piece}), event="message.delta")
            await asyncio.sleep(self.stream_delay)
        yield ServerSentEvent(data=json.dumps(completed), event="message.completed")
        yield ServerSentEvent(data="{}", event="done")

    async def render_agent_session(self, request: Request) -> Response:
        me = self.caller(request, "render_agent_session")
        body = m.parse(m.Render, await read_json_object(request, allow_empty=True))
        session_id = request.path_params["session_id"]
        session = self.sessions.get(me.account.id, session_id, self.engine.now())
        if not session.ready:
            raise ApiError(
                409,
                "The agent is not ready to render yet: name a style or ask for the render first",
                code="not_ready_to_render",
            )
        endpoint = self.webhooks.active(
            me.account.id, body.webhook_endpoint_id, "webhook_endpoint_id"
        ) or self._still_active(me.account.id, session.webhook_endpoint_id)
        options = body.options.model_dump() if body.options else None
        job_request = self._render_request(
            session, body.job_type, options, body.metadata or {}, endpoint
        )
        planned = await self.desk.plan(me.account, job_request)
        with self.engine.store.transaction():
            job = self._start(me, planned)
            fresh = self.sessions.get(me.account.id, session_id, self.engine.now())
            fresh.job_ids.append(job.id)
            self.sessions.save(fresh)
        self.engine.wake()
        return json_response(self.desk.view(job), 202)

    def _render_request(
        self,
        session: agent.Session,
        job_type: str,
        options: dict[str, Any] | None,
        metadata: dict[str, Any],
        endpoint: str | None,
        operation: str = "render_agent_session",
    ) -> JobRequest:
        given: dict[str, Any] = {
            "image_url": session.image_url,
            "style": session.style or agent.DEFAULT_STYLE,
            "room_type": session.room_type or "living-room",
        }
        if job_type == "edit":
            asked = [msg.content for msg in session.messages if msg.role == "user"]
            given["prompt"] = (asked[-1] if asked else "Redesign this room")[: m.MAX_PROMPT]
        if options:
            given["options"] = options
        return JobRequest(
            type=job_type,
            input=given,
            metadata=metadata | {"agent_session_id": session.id},
            webhook_endpoint_id=endpoint or session.webhook_endpoint_id,
            operation=operation,
        )

    # events

    async def on_job_finished(self, job: Job) -> None:
        if job.operation == CHALLENGE_OPERATION:
            await self.webhooks.send_challenge(job)
            return
        if not is_stagepro_job(job):
            return
        now = self.engine.now()
        event = "job.failed" if job.fails else "job.completed"
        self.webhooks.send(
            job.account_id,
            job.params["webhook_endpoint_id"],
            event,
            {"job": self.desk.view(job, now)},
        )
        batch = self.batches.find(job.params["batch_id"]) if job.params["batch_id"] else None
        if batch is not None and self.batches.is_last(batch, job):
            self.webhooks.send(
                job.account_id,
                batch.webhook_endpoint_id,
                "batch.completed",
                {"batch": self.batches.view(batch, now)},
            )


def _period_end(now: float) -> str:
    """[EMULATOR] the billing period ends at the start of the next calendar month (UTC)."""
    today = datetime.fromtimestamp(now, UTC)
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return datetime(year, month, 1, tzinfo=UTC).isoformat(timespec="seconds")
