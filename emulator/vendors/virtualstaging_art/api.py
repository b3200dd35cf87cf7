"""Virtual Staging ART developer API, one handler per endpoint of docs.txt.

Every `/api/...` path is also served at `/v1/...` and the reverse ([PROPOSED] notes 3.4: a straight
prefix swap). Errors are `{"error": "..."}` ([PROPOSED] notes 3.3). Webhooks are unsigned ([PROPOSED]
notes 3.2: the docs mention no signature).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import uuid
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from ...core.accounts import Account
from ...core.clock import iso8601
from ...core.errors import ApiError
from ...core.http import (
    json_response,
    media_type,
    parse_form,
    parse_json_object,
    parse_model,
    read_body,
    read_json_object,
)
from ...core.jobs import Job, JobState, Timing
from ...core.media import decode_data_url
from ...core.openapi import operation
from ...core.renders import RenderSpec, sniff_image
from ...core.urls import is_http_url
from ...core.vendor import JobPlan, VendorApi, routes_from
from ...core.webhooks import RetryPolicy
from . import answers as a
from . import models as m
from .state import ArtState

TOO_LARGE = "Upload too large (max 10 MB)"
INVALID_FORMAT = "Invalid image format: expected JPEG, PNG, WebP or HEIC/HEIF"
VERCEL_BLOB_GONE = (
    "The Vercel Blob upload flow is no longer supported. Use multipart/form-data (field 'file') "
    "or JSON with image_base64 or data_url."
)
# Multipart framing and base64 inflation on top of the 10 MB image itself.
MULTIPART_LIMIT = m.MAX_UPLOAD_BYTES + 256 * 1024
JSON_UPLOAD_LIMIT = m.MAX_UPLOAD_BYTES * 4 // 3 + 256 * 1024

# Nominal seconds per operation on a real clock at speed 1 (the vendor takes tens of seconds).
TIMINGS = {
    "stage": Timing(queue=1.0, run=12.0),
    "cleanup_and_stage": Timing(queue=1.0, run=18.0),
    "declutter": Timing(queue=1.0, run=10.0),
}
# [PROPOSED] delivery policy: the docs say nothing of retries.
WEBHOOK_POLICY = RetryPolicy(max_attempts=5, first_delay=10.0, factor=2.0)
STATUS_WORDS = {
    JobState.QUEUED: "rendering",
    JobState.PROCESSING: "rendering",
    JobState.SUCCEEDED: "done",
    JobState.FAILED: "error",
}


class VirtualStagingArt(VendorApi):
    slug = "virtualstaging-art"
    title = "Virtual Staging ART"
    hosts = ("www.virtualstaging.art", "virtualstaging.art")
    docs_base = "/api"
    media_host = "vsart.public.blob.vercel-storage.com"  # [INFERRED] its old Vercel Blob uploads
    auth_scheme = "Bearer"
    unauthorized_message = "Missing or invalid API token"
    blocked_message = "Account blocked or restricted"
    unavailable_message = "Temporary service or queueing failure. Please try again later."
    failure_message = "Internal server error. Please try again later."  # [DOC] webhook example

    def __init__(self, engine: Any) -> None:
        super().__init__(engine)
        self.state = ArtState(engine.store)

    def routes(self) -> list[BaseRoute]:
        table = [
            ("/image/upload", self.upload_image, ["POST"]),
            ("/image/render/request", self.request_render, ["POST"]),
            ("/image/render/declutter", self.request_declutter, ["POST"]),
            ("/image/check-status", self.check_status, ["POST"]),
            ("/image/check-rendering-amount", self.check_rendering_amount, ["POST"]),
            ("/webhooks", self.list_subscriptions, ["GET"]),
            ("/webhooks", self.create_subscription, ["POST"]),
            ("/webhooks/{subscription_id}", self.delete_subscription, ["DELETE"]),
            ("/renders", self.list_renders, ["GET"]),
            ("/me", self.me, ["GET"]),
        ]
        return routes_from(table, ("/api", "/v1"))

    def error_response(self, error: ApiError) -> Response:
        return json_response({"error": error.message}, error.status)

    # 1. Upload an image

    @operation(
        body={"multipart": a.FileUpload, "json": m.Base64Upload},
        files=("file",),
        response=a.Uploaded,
    )
    async def upload_image(self, request: Request) -> Response:
        account = self.authenticate(request)
        kind = media_type(request)
        if kind == "multipart/form-data":
            data = await self._multipart_image(request)
        elif kind in ("application/json", ""):
            data = self._json_image(await read_body(request, JSON_UPLOAD_LIMIT, TOO_LARGE))
        else:
            raise ApiError(
                400,
                f"Unsupported content type '{kind}': use multipart/form-data (field 'file') "
                "or JSON with image_base64 or data_url",
            )
        content_type = sniff_image(data)
        if content_type is None:
            raise ApiError(400, INVALID_FORMAT, field="file")
        media = self.engine.media.add_upload(account.id, data, content_type, field="file")
        return json_response({"url": self.engine.media.url(media)})

    async def _multipart_image(self, request: Request) -> bytes:
        body = await read_body(request, MULTIPART_LIMIT, TOO_LARGE)
        form = await parse_form(request, body)
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ApiError(400, "file is required: send the image in the multipart field 'file'")
        if upload.size is not None and upload.size > m.MAX_UPLOAD_BYTES:
            raise ApiError(413, TOO_LARGE)
        data = await upload.read()
        if len(data) > m.MAX_UPLOAD_BYTES:
            raise ApiError(413, TOO_LARGE)
        return data

    def _json_image(self, body: bytes) -> bytes:
        raw = parse_json_object(body)
        if str(raw.get("type", "")).startswith("blob."):  # @vercel/blob client handshake
            raise ApiError(400, VERCEL_BLOB_GONE)
        upload = parse_model(m.Base64Upload, raw)
        if upload.data_url is not None:
            decoded = decode_data_url(upload.data_url)
            if decoded is None:
                raise ApiError(
                    400, "data_url: expected data:image/...;base64,...", field="data_url"
                )
            declared, data = decoded
            self._check_declared_type(declared, "data_url")
        elif upload.image_base64 is not None:
            self._check_declared_type(upload.content_type, "content_type")
            data = _b64decode(upload.image_base64)
        else:
            raise ApiError(400, "image_base64 (with content_type) or data_url is required")
        if len(data) > m.MAX_UPLOAD_BYTES:
            raise ApiError(413, TOO_LARGE)
        return data

    @staticmethod
    def _check_declared_type(declared: str | None, field: str) -> None:
        if declared is None:
            raise ApiError(400, f"{field}: content type is required", field=field)
        if declared.lower() not in m.ACCEPTED_CONTENT_TYPES:
            raise ApiError(
                400,
                f"{field}: unsupported content type '{declared}'; "
                f"expected one of {', '.join(m.ACCEPTED_CONTENT_TYPES)}",
                field=field,
            )

    # 3. Submit a staging render / 4. Submit a declutter render

    @operation(body=m.StagingRequest, response=m.RenderAccepted, errors={402: "not enough credits"})
    async def request_render(self, request: Request) -> Response:
        account = self.authenticate(request)
        body = parse_model(m.StagingRequest, await self._json(request))
        self._check_premium_options(body)
        return await self._submit(account, body, body.mode, "request_render")

    @operation(
        body=m.DeclutterRequest, response=m.RenderAccepted, errors={402: "not enough credits"}
    )
    async def request_declutter(self, request: Request) -> Response:
        account = self.authenticate(request)
        body = parse_model(m.DeclutterRequest, await self._json(request))
        self._check_premium_options(body)
        return await self._submit(account, body, "declutter", "request_declutter")

    def _check_premium_options(self, body: m.StagingRequest | m.DeclutterRequest) -> None:
        self._check_image_url(body.image_url)
        if body.callback_url is not None and not is_http_url(body.callback_url):
            raise ApiError(400, "callback_url: expected an http(s) URL", field="callback_url")
        if body.tier == "premium":
            return
        premium = "requires tier 'premium'"
        if isinstance(body, m.StagingRequest):
            if body.room_type in m.PREMIUM_ROOM_TYPES:
                raise ApiError(400, f"room_type '{body.room_type}' {premium}", field="room_type")
            if body.style in m.PREMIUM_STYLES:
                raise ApiError(400, f"style '{body.style}' {premium}", field="style")
        if body.ai_notes is not None:
            raise ApiError(400, f"ai_notes {premium}", field="ai_notes")

    def _check_image_url(self, url: str) -> None:
        """[DOC] "https://", "publicly reachable", never "localhost or private-network URLs"."""
        try:
            self.check_source_url(url, "image_url", https_only=True)
        except ApiError as exc:
            raise ApiError(400, f"Invalid image URL: {exc.message}", field="image_url") from exc

    async def _submit(
        self,
        account: Account,
        body: m.StagingRequest | m.DeclutterRequest,
        operation: str,
        name: str,
    ) -> Response:
        group = self.state.find_or_new(
            account.id, body.upload_id, body.image_url, self.engine.ids.uuid
        )
        cost = m.CREDIT_COST[operation]
        self.refuse_if_faulted(name, body.image_url)
        outcome = self.plan_job(name, body.image_url)
        with self.engine.store.transaction():  # caps and credits checked and spent together
            used = self._renders_in_group(account.id, group.upload_id)
            self._check_caps(body.tier, used, body.number_of_renders)
            if self.engine.accounts.charge(account.id, cost) is None:
                balance = self.engine.accounts.get(account.id).credits  # type: ignore[union-attr]
                raise ApiError(
                    402, f"Insufficient credits: {operation} costs {cost}, balance is {balance}"
                )
            self.state.save(account.id, group)
            self._create_run(account, body, operation, group.upload_id, outcome)
        self.engine.wake()
        return json_response(
            m.RenderAccepted(upload_id=group.upload_id, tier=body.tier).model_dump()
        )

    def _check_caps(self, tier: str, used: int, requested: int) -> None:
        if tier == "premium" and requested > m.PREMIUM_CHARGE_CAP:
            raise ApiError(
                400,
                f"Render cap exceeded: premium supports up to {m.PREMIUM_CHARGE_CAP} renders per "
                f"credit charge ({requested} requested)",
                field="number_of_renders",
            )
        if tier == "classic" and used + requested > m.CLASSIC_GROUP_CAP:
            raise ApiError(
                400,
                f"Render cap exceeded: classic supports up to {m.CLASSIC_GROUP_CAP} renders per "
                f"upload group ({used} used, {requested} requested)",
                field="number_of_renders",
            )

    def _create_run(
        self,
        account: Account,
        body: m.StagingRequest | m.DeclutterRequest,
        operation: str,
        upload_id: str,
        plan: JobPlan,
    ) -> Job:
        staging = isinstance(body, m.StagingRequest)
        job_id = self.engine.ids.uuid()
        source_id, source_key = self.engine.media.source_for(body.image_url, account.id)
        room = m.ROOM_LONG_NAMES.get(body.room_type, body.room_type) if staging else None
        style = body.style if staging else None
        outputs = []
        for n in range(1, body.number_of_renders + 1):
            spec = RenderSpec(
                vendor=self.title,
                operation="stage" if staging else "declutter",
                room_type=room,
                style=style,
                variation=n,
                variations=body.number_of_renders,
                source_key=source_key,
                note="cleanup and stage" if operation == "cleanup_and_stage" else None,
                emptied=operation == "cleanup_and_stage",
            )
            outputs.append(self.engine.media.plan_render(account.id, job_id, spec, source_id).id)
        params = body.model_dump(exclude_none=True) | {
            "operation": operation,
            "flow": "staging" if staging else "declutter",
            "upload_id": upload_id,
            "room_type_long": room,
        }
        return self.engine.jobs.create(
            id=job_id,
            vendor=self.slug,
            account_id=account.id,
            operation=operation,
            timing=TIMINGS[operation],
            group=_group_ref(account.id, upload_id),
            params=params,
            outputs=outputs,
            fails=plan.fails,
            error=plan.error,
            slow=plan.slow,
        )

    def _renders_in_group(self, account_id: str, upload_id: str) -> int:
        now = self.engine.now()
        jobs = self.engine.jobs.list(account_id, group=_group_ref(account_id, upload_id))
        return sum(j.params["number_of_renders"] for j in jobs if j.state(now) != JobState.FAILED)

    # 5. Check render status

    @operation(body=m.CheckStatusRequest, response=a.Status)
    async def check_status(self, request: Request) -> Response:
        account = self.authenticate(request)
        body = parse_model(m.CheckStatusRequest, await self._json(request))
        group = self._lookup_group(account, body.upload_id, body.image_url)
        if group is None:
            raise ApiError(404, "Upload not found", field="upload_id")
        jobs = self.engine.jobs.list(account.id, group=_group_ref(account.id, group.upload_id))
        return json_response({"status": self._group_status(jobs)})

    def _group_status(self, jobs: list[Job]) -> str:
        """[PROPOSED] rendering while any run of the group renders, else the latest run's end."""
        if not jobs:
            return "rendering"
        now = self.engine.now()
        states = [j.state(now) for j in jobs]
        if any(not s.finished for s in states):
            return "rendering"
        return STATUS_WORDS[states[-1]]

    def _lookup_group(self, account: Account, upload_id: str | None, image_url: str | None):
        if upload_id:
            return self.state.get(account.id, upload_id)
        if image_url:
            return self.state.by_image_url(account.id, image_url)
        raise ApiError(400, "upload_id or image_url is required", field="upload_id")

    # 6. Check how many renders have been used for an upload

    @operation(body=m.RenderingAmountRequest, response=m.RenderingAmount)
    async def check_rendering_amount(self, request: Request) -> Response:
        account = self.authenticate(request)
        body = parse_model(m.RenderingAmountRequest, await self._json(request))
        upload_id = body.uploadId or body.upload_id
        image_url = body.sourceImage or body.image_url
        group = self._lookup_group(account, upload_id, image_url)
        count = self._renders_in_group(account.id, group.upload_id) if group else 0
        amount = m.RenderingAmount(
            renderCount=count,
            limitExceeded=count >= m.CLASSIC_GROUP_CAP,
            maxRenders=m.CLASSIC_GROUP_CAP,
        )
        return json_response(amount.model_dump())

    # 7. Webhook callbacks and 8. subscriptions fire on the same completion

    async def on_job_finished(self, job: Job) -> None:
        succeeded = not job.fails
        urls = self._render_urls(job) if succeeded else []
        callback_url = job.params.get("callback_url")
        if callback_url:
            payload: dict[str, Any] = (
                {"status": "done", "render_urls": urls}
                if succeeded
                else {"status": "error", "error": job.error}
            )
            self._deliver(job, callback_url, f"callback.{payload['status']}", payload)
        event = "render.succeeded" if succeeded else "render.failed"
        for subscription in self.state.subscriptions(job.account_id):
            if subscription.event_type == event:
                self._deliver(
                    job, subscription.target_url, event, self._event_payload(job, event, urls)
                )

    def _event_payload(self, job: Job, event: str, urls: list[str]) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "event": event,
            "render_run_id": job.id,
            "upload_id": job.params["upload_id"],
            "tier": job.params["tier"],
            "flow": job.params["flow"],
        }
        if event == "render.succeeded":
            payload["render_urls"] = urls
        else:
            payload["error"] = job.error
        payload["completed_at"] = iso8601(job.finished_at)
        return payload

    def _deliver(self, job: Job, url: str, event: str, payload: dict[str, Any]) -> None:
        self.engine.outbox.enqueue(
            vendor=self.slug,
            account_id=job.account_id,
            url=url,
            event=event,
            payload=payload,
            policy=WEBHOOK_POLICY,
        )

    def _render_urls(self, job: Job) -> list[str]:
        return [
            self.engine.media.url(media)
            for media in map(self.engine.media.get, job.outputs)
            if media
        ]

    @operation(body=m.SubscriptionRequest, responses={200: m.Subscription, 201: m.Subscription})
    async def create_subscription(self, request: Request) -> Response:
        account = self.authenticate(request)
        body = parse_model(m.SubscriptionRequest, await self._json(request))
        if not is_http_url(body.target_url):
            raise ApiError(400, "target_url: expected an http(s) URL", field="target_url")
        existing = self.state.find_subscription(account.id, body.target_url, body.event_type)
        if existing is not None:
            return json_response(existing.model_dump(exclude={"account_id"}))
        subscription = m.Subscription(
            id=self.engine.ids.uuid(),
            target_url=body.target_url,
            event_type=body.event_type,
            created_at=iso8601(self.engine.now()) or "",
        )
        self.state.add_subscription(account.id, subscription)
        return json_response(subscription.model_dump(), 201)

    @operation(response=list[m.Subscription])
    async def list_subscriptions(self, request: Request) -> Response:
        account = self.authenticate(request)
        subs = self.state.subscriptions(account.id)
        return json_response([s.model_dump(exclude={"account_id"}) for s in subs])

    @operation(response=None, status=204)
    async def delete_subscription(self, request: Request) -> Response:
        account = self.authenticate(request)
        if not self.state.delete_subscription(account.id, request.path_params["subscription_id"]):
            raise ApiError(404, "Subscription not found", field="subscription_id")
        return Response(status_code=204)

    # 9. List recent renders

    @operation(query=m.ListRendersQuery, response=list[m.RenderRun])
    async def list_renders(self, request: Request) -> Response:
        account = self.authenticate(request)
        query = parse_model(m.ListRendersQuery, dict(request.query_params))
        now = self.engine.now()
        rows = []
        for job in self.engine.jobs.list(account.id, newest_first=True):
            run = self._render_run(job, now)
            if query.status is None or run.status == query.status:
                rows.append(run.model_dump())
            if len(rows) == query.limit:
                break
        return json_response(rows)

    def _render_run(self, job: Job, now: float) -> m.RenderRun:
        state = job.state(now)
        p = job.params
        return m.RenderRun(
            id=job.id,
            upload_id=p["upload_id"],
            status=STATUS_WORDS[state],  # type: ignore[arg-type]
            tier=p["tier"],
            flow=p["flow"],
            room_type=p.get("room_type_long"),
            style=p.get("style"),
            source_image_url=p["image_url"],
            render_urls=self._render_urls(job) if state == JobState.SUCCEEDED else [],
            error=job.error if state == JobState.FAILED else None,
            created_at=iso8601(job.created_at) or "",
            completed_at=iso8601(job.finished_at) if state.finished else None,
        )

    # 10. Identity check

    @operation(response=m.Me)
    async def me(self, request: Request) -> Response:
        account = self.authenticate(request)
        digest = hashlib.sha256(account.api_key.encode()).digest()
        user_id = str(uuid.UUID(bytes=digest[:16], version=4))
        profile = account.data.get("profile", {})
        me = m.Me(
            user_id=profile.get("user_id", user_id),
            email=profile.get("email", f"developer+{digest.hex()[:8]}@example.com"),
            name=profile.get("name", "Sandbox Developer"),
        )
        return json_response(me.model_dump())

    async def _json(self, request: Request) -> dict[str, Any]:
        return await read_json_object(request)


def _group_ref(account_id: str, upload_id: str) -> str:
    return f"{account_id}/{upload_id}"


def _b64decode(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ApiError(400, "image_base64: not valid base64", field="image_base64") from exc
