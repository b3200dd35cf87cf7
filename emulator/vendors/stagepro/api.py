"""StagePro API, one handler per endpoint of docs.txt's table, plus the notes' DELETE
/webhooks/{id} and POST /webhooks/{id}/verify (and DELETE /keys/{id}, see keys.py).

Base `https://www.stageproai.com/api/v1` [DOC]; `Authorization: Bearer sk_live_...|sk_test_...`
[DOC]; errors `{"error": {"code", "message", "status", "details"?}}` [PROPOSED] notes 2.2.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from ...core.accounts import Account
from ...core.errors import ApiError
from ...core.faults import FaultRule, magic_input, magic_key
from ...core.http import auth_token, json_response, read_json_object
from ...core.jobs import Job, JobState
from ...core.openapi import operation
from ...core.ratelimit import RateLimiter, retry_after_header
from ...core.store import Collection
from ...core.vendor import VendorApi, routes_from
from . import agent
from . import answers as a
from . import capabilities as caps
from . import models as m
from .agent import AgentEndpoints
from .batches import BatchEndpoints, Batches
from .jobs import (
    STATUS_WORDS,
    IdempotencyRecord,
    JobDesk,
    JobRequest,
    PlannedJob,
    fingerprint,
    is_stagepro_job,
)
from .keys import LIVE, TEST, Keys, mode_of
from .uploads import Uploads
from .webhooks import Webhooks

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


class StagePro(AgentEndpoints, BatchEndpoints, VendorApi):
    """StagePro API v1: virtual staging, interior design, edits and 23 listing-photo tools as
    asynchronous jobs (202, then poll or a signed webhook), batches and workflow templates over
    many photos, uploads (24 h), and the AI design agent (chat as JSON or server-sent events).
    `Authorization: Bearer sk_live_...` (charged) or `sk_test_...` (free, jobs of about 2 s).
    Errors: `{"error": {"code", "message", "status", "details"?}}`, `details` naming each wrong
    field of a 400."""

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
        self._idempotency = Collection(engine.store, "stagepro.idempotency", IdempotencyRecord)
        self.stream_delay = float(self.options.get("agent_stream_delay", 0.02))
        self.rates = RateLimiter()
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
        headers = None
        if error.status == 429:
            headers = {"Retry-After": retry_after_header(error.extra.get("retry_after", 60.0))}
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
        self.count_request(token, account)
        if operation is not None:
            self.refuse_if_faulted(operation)
        return Caller(account, mode_of(token) == "live")

    def rate_limit(self, account: Account) -> int | None:
        """Requests per minute per API key [PROPOSED] 120: the account's `rate_limit_per_minute`
        meter, else the vendor option of that name; null or 0 turns it off [EMULATOR]."""
        default = _per_minute(
            self.options.get("rate_limit_per_minute", caps.RATE_LIMIT_PER_MINUTE),
            caps.RATE_LIMIT_PER_MINUTE,
        )
        if "rate_limit_per_minute" in account.meters:
            return _per_minute(account.meters["rate_limit_per_minute"], default)
        return default

    def count_request(self, token: str, account: Account) -> None:
        """[EMULATOR] a sliding minute per key on the machine's clock (a client's own pace, whatever
        the emulator's clock): past the limit, 429 `rate_limited` with Retry-After; a refused
        request is not counted."""
        limit = self.rate_limit(account)
        if limit is None:
            return
        wait = self.rates.hit(token, limit, per=60.0)
        if wait is not None:
            raise ApiError(
                429,
                f"Rate limit exceeded: at most {limit} requests per minute per API key; "
                f"retry in {retry_after_header(wait)} s",
                code="rate_limited",
                extra={"retry_after": wait},
            )

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

    def storage_limit(self, account: Account) -> int:
        limit = account.meters.get("storage_limit_bytes")
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

    @operation(response=a.Capabilities, errors=a.ANY_CALL)
    async def get_capabilities(self, request: Request) -> Response:
        """Job types, listing tools, workflow templates, styles, room types and options."""
        self.caller(request, "get_capabilities")
        return json_response(a.Capabilities.model_validate(caps.capabilities()).model_dump())

    @operation(response=a.Usage, errors=a.ANY_CALL)
    async def get_usage(self, request: Request) -> Response:
        """Plan, credits, storage and limits of the key's account."""
        me = self.caller(request, "get_usage")
        account = me.account  # read by caller() in this request, nothing awaited since
        used = int(account.meters.get("credits_used", 0))
        now = self.engine.now()
        usage = a.Usage(
            livemode=me.livemode,
            plan=a.PlanInfo(
                name=self.plan_name(account), status="active", concurrency=self.concurrency(account)
            ),
            credits=a.CreditMeter(
                remaining=account.credits,
                used=used,
                included=account.credits + used,
                period_end=_period_end(now),
            ),
            storage=a.StorageMeter(
                used_bytes=self.uploads.used_bytes(account.id),
                limit_bytes=self.storage_limit(account),
            ),
            limits=a.Limits(
                max_batch_photos=caps.MAX_BATCH_PHOTOS,
                rate_limit_per_minute=self.rate_limit(account),
                max_upload_bytes=caps.MAX_UPLOAD_BYTES,
                concurrency=self.concurrency(account),
            ),
            jobs=a.ActiveJobs(active=len(self._active_jobs(account.id))),
        )
        return json_response(usage.model_dump())

    def _active_jobs(self, account_id: str) -> list[Job]:
        return [j for j in self.engine.jobs.active(self.slug, account_id) if is_stagepro_job(j)]

    # jobs

    @operation(
        body=m.CreateJob,
        responses={202: a.Job, 200: a.Job},
        errors=a.CHARGED | {409: "idempotency_conflict: the key was used with another body"},
    )
    async def create_job(self, request: Request) -> Response:
        """Start a job (202); the same idempotency_key and body again answers the job (200)."""
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
                    IdempotencyRecord(id=idem, job_id=job.id, fingerprint=print_), account.id
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

    @operation(query=m.ListJobs, response=a.JobPage, errors=a.ANY_CALL)
    async def list_jobs(self, request: Request) -> Response:
        """The account's jobs, newest first, a page at a time."""
        me = self.caller(request, "list_jobs")
        query = m.parse(m.ListJobs, dict(request.query_params))
        jobs = self.desk.listed(me.account.id, query.listing_id)
        return json_response(self.desk.page(jobs, query.cursor, query.limit))

    @operation(response=a.Job, errors=a.ANY_CALL)
    async def get_job(self, request: Request) -> Response:
        """One job: its status and, once completed, its output."""
        me = self.caller(request, "get_job")
        return json_response(
            self.desk.view(self.desk.get(me.account.id, request.path_params["job_id"]))
        )

    @operation(
        body=m.Regenerate,
        body_required=False,  # an empty body takes the parent's metadata and endpoint
        response=a.Job,
        status=202,
        errors=a.CHARGED | {409: "job_not_completed"},
    )
    async def regenerate_job(self, request: Request) -> Response:
        """A new variation of a completed job (the body may be empty)."""
        me = self.caller(request, "regenerate_job")
        body = m.parse(m.Regenerate, await read_json_object(request, allow_empty=True))
        parent = self.desk.get(me.account.id, request.path_params["job_id"])
        state = parent.state(self.engine.now())
        if state != JobState.SUCCEEDED:
            raise ApiError(
                409,
                f"Job {parent.id} is {STATUS_WORDS[state]}: only a completed job "
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
        planned = await self.desk.plan(
            me.account, job_request, source=self.desk.source_of_job(parent)
        )
        with self.engine.store.transaction():
            job = self._start(me, planned)
        self.engine.wake()
        return json_response(self.desk.view(job), 202)

    def _still_active(self, account_id: str, endpoint_id: str | None) -> str | None:
        try:
            return self.webhooks.active(account_id, endpoint_id, "webhook_endpoint_id")
        except ApiError:
            return None

    # uploads

    @operation(
        body=a.UploadForm,
        encodings=("multipart",),
        files=("file",),
        response=a.Upload,
        status=201,
        errors=a.WITH_BODY | {403: "storage_limit_exceeded", 413: "file_too_large"},
    )
    async def create_upload(self, request: Request) -> Response:
        """Upload a photo (multipart field `file`) for a job's input.upload_id."""
        me = self.caller(request, "create_upload")
        data = await self.uploads.read_file(request)
        upload = self.uploads.add(me.account, data)
        return json_response(self.uploads.view(upload), 201)

    # keys (console)

    @operation(response=a.ApiKeyList, errors=a.ANY_CALL)
    async def list_keys(self, request: Request) -> Response:
        """The account's API keys (secrets not shown)."""
        me = self.caller(request, "list_keys")
        keys = self.keys.listed(me.account)
        return json_response(
            a.ApiKeyList.model_validate({"data": [self.keys.view(k) for k in keys]}).model_dump()
        )

    @operation(
        body=m.CreateKey,
        body_required=False,
        response=a.CreatedApiKey,
        status=201,
        errors=a.WITH_BODY,
    )
    async def create_key(self, request: Request) -> Response:
        """A new API key; its secret is shown in this answer only (the body may be empty)."""
        me = self.caller(request, "create_key")
        body = m.parse(m.CreateKey, await read_json_object(request, allow_empty=True))
        key, secret = self.keys.create(me.account, body.name, body.mode, self.engine.now())
        return json_response(self.keys.view(key, secret), 201)

    @operation(response=a.ApiKey, errors=a.ANY_CALL)
    async def revoke_key(self, request: Request) -> Response:
        """Revoke a key: calls with it are then 401."""
        me = self.caller(request, "revoke_key")
        key = self.keys.revoke(me.account, request.path_params["key_id"], self.engine.now())
        return json_response(self.keys.view(key))

    # webhooks (console)

    @operation(response=a.WebhookEndpointList, errors=a.ANY_CALL)
    async def list_webhooks(self, request: Request) -> Response:
        """The account's webhook endpoints."""
        me = self.caller(request, "list_webhooks")
        endpoints = [self.webhooks.view(e) for e in self.webhooks.list(me.account.id)]
        return json_response(a.WebhookEndpointList.model_validate({"data": endpoints}).model_dump())

    @operation(body=m.CreateWebhook, response=a.WebhookEndpoint, status=201, errors=a.WITH_BODY)
    async def create_webhook(self, request: Request) -> Response:
        """Register an endpoint; it is sent a signed challenge and is active once it echoes it."""
        me = self.caller(request, "create_webhook")
        body = m.parse(m.CreateWebhook, await read_json_object(request))
        endpoint = self.webhooks.create(me.account.id, body.url, body.events, body.description)
        return json_response(self.webhooks.view(endpoint), 201)

    @operation(response=a.Deleted, errors=a.ANY_CALL)
    async def delete_webhook(self, request: Request) -> Response:
        """Delete an endpoint."""
        me = self.caller(request, "delete_webhook")
        endpoint_id = request.path_params["endpoint_id"]
        self.webhooks.delete(me.account.id, endpoint_id)
        return json_response(a.Deleted(id=endpoint_id).model_dump())

    @operation(response=a.WebhookEndpoint, status=202, errors=a.ANY_CALL)
    async def verify_webhook(self, request: Request) -> Response:
        """Send the verification challenge again."""
        me = self.caller(request, "verify_webhook")
        endpoint = self.webhooks.get(me.account.id, request.path_params["endpoint_id"])
        self.webhooks.challenge(endpoint)
        return json_response(self.webhooks.view(endpoint), 202)

    # events

    async def on_job_finished(self, job: Job) -> None:
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


def _per_minute(value: Any, otherwise: int | None) -> int | None:
    """A whole number from 1 to MAX_RATE_LIMIT_PER_MINUTE sets the limit, null/0/false turns it
    off; anything else keeps `otherwise` (a bad meter never breaks the vendor)."""
    if value is None or value is False or value == 0:
        return None
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return min(value, caps.MAX_RATE_LIMIT_PER_MINUTE)
    return otherwise
