"""Virtual Staging AI v2 API, one handler per endpoint of docs.txt; v1 lives in `v1.py`.

Paths: `/v2/...`, also under the long-running-operations prefix `/apiV2/...` [D-EP servers]; v1 at
`/v1/...`. Auth `Authorization: Api-Key KEY`, the prefix matched case-insensitively (real clients
send `Api-key` [C-ICON]); `/v2/status` needs none [C-LL]. Errors are `{"message": "..."}` [D-EP].
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import Message

from ...core.accounts import Account
from ...core.clock import epoch_ms
from ...core.engine import Engine
from ...core.errors import ApiError
from ...core.faults import magic_key
from ...core.http import json_response, parse_model, read_json_object
from ...core.images import ImageProblem, inspect_image
from ...core.jobs import Job, JobState
from ...core.media import Base64RunLimit, decode_data_url
from ...core.openapi import operation
from ...core.pagination import page_after
from ...core.renders import DEFAULT_SIZE, RenderSpec, image_size, mask_coverage, mask_for
from ...core.urls import is_http_url
from ...core.vendor import JobPlan, VendorApi, routes_from
from . import answers as a
from . import deliveries
from . import models as m
from .studio import STATUS_WORDS, TIMINGS, Render, Studio, VariationPlan
from .users import user_email, user_id
from .v1 import V1Endpoints

# Union tags pydantic puts in error locations; the field paths leave them out.
CONFIG_TAGS = frozenset({"staging", "daytodusk", "enhancement"})
JSON_LIMIT = 64 << 20  # data URLs of 3072 px photos travel inside the JSON body [C-REPRO]
UNLIMITED = "UNLIMITED"
# [PROPOSED] one image in a data URL: at most 15 MiB (a 3072 px PNG photo fits), refused with 413
# while the body streams in; the docs give no number.
DATA_URL_IMAGE_LIMIT = 15 << 20
DATA_URL_TOO_LARGE = (
    f"Payload too large: an image in a data URL may be at most {DATA_URL_IMAGE_LIMIT >> 20} MB"
)
METERS = ("staging", "imageEditing")


class VirtualStagingAi(V1Endpoints, VendorApi):
    slug = "virtualstagingai"
    title = "Virtual Staging AI"
    hosts = ("api.virtualstagingai.app", "us-central1-furniture-ai.cloudfunctions.net")
    docs_base = "/v2"
    media_host = "furniture-ai.storage.googleapis.com"  # [INFERRED] bucket of its GCP project
    auth_scheme = "Api-Key"
    unauthorized_message = "Unauthorized: missing or invalid API key (Authorization: Api-Key <key>)"
    blocked_message = "Forbidden: your plan does not include API access"
    unavailable_message = "Service temporarily unavailable, please try again later"
    failure_message = "Failed to process image"  # [D-WH] error payload example

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.studio = Studio(engine, self.slug)
        engine.outbox.signers[self.slug] = self._sign

    def routes(self) -> list[BaseRoute]:
        v2 = [
            ("/status", self.get_status, ["GET"]),
            ("/user", self.get_user, ["GET"]),
            ("/renders", self.list_renders, ["GET"]),
            ("/renders", self.create_render, ["POST"]),
            ("/renders/bulk", self.create_renders_bulk, ["POST"]),
            ("/renders/variations/bulk", self.create_variations_bulk, ["POST"]),
            ("/renders/{render_id}", self.get_render, ["GET"]),
            ("/renders/{render_id}/variations", self.create_variations, ["POST"]),
            ("/renders/{render_id}/variations/{variation_id}", self.get_variation, ["GET"]),
            ("/analyze", self.analyze, ["POST"]),
            ("/multi-view-compatibility", self.multi_view_compatibility, ["POST"]),
            (
                "/multi-view-compatability",
                self.multi_view_compatibility,
                ["POST"],
            ),  # [D-CC] spelling
            ("/user/webhook-secret", self.set_webhook_secret, ["POST"]),
            ("/user/webhook-secret", self.delete_webhook_secret, ["DELETE"]),
        ]
        return routes_from(v2, ("/v2", "/apiV2")) + routes_from(self.v1_table(), ("/v1",))

    def error_response(self, error: ApiError) -> Response:
        return json_response({"message": error.message}, error.status)

    # accounts and their photo limit

    def initial_meters(self, api_key: str) -> dict[str, Any]:
        magic = magic_key(api_key)
        limit: int | str = (
            self.engine.config.default_credits if magic.credits is None else magic.credits
        )
        if "unlimited" in api_key.lower():
            limit = UNLIMITED
        return {
            "photoLimit": {"staging": limit, "imageEditing": limit},
            "photosUsedThisPeriod": {"staging": 0, "imageEditing": 0},
        }

    def _meter(self, account: Account, name: str) -> tuple[int | str, int]:
        defaults = self.initial_meters(account.api_key)
        limit = account.meters.get("photoLimit", {}).get(name, defaults["photoLimit"][name])
        used = account.meters.get("photosUsedThisPeriod", {}).get(name, 0)
        return limit, used

    def _check_photo_limit(self, account: Account, name: str, photos: int = 1) -> None:
        limit, used = self._meter(account, name)
        if limit != UNLIMITED and used + photos > int(limit):
            raise ApiError(
                403,
                f"Forbidden: photo limit reached ({used} of {limit} {name} photos used this period)",
            )

    def _use_photos(self, account_id: str, photos: dict[str, int]) -> None:
        """Check the photo limit and count `photos` (per meter) in one store transaction, on the
        account as it is now: parallel requests can never use more than the limit."""

        def use(account: Account) -> None:
            for name, count in photos.items():
                self._check_photo_limit(account, name, count)
            used = dict(account.meters.get("photosUsedThisPeriod", {}))
            for name, count in photos.items():
                used[name] = used.get(name, 0) + count
            account.meters["photosUsedThisPeriod"] = used

        self.engine.accounts.update(account_id, use)

    # GET /status, GET /user

    @operation(response=None, auth=False)
    async def get_status(self, request: Request) -> Response:
        return Response(status_code=200)

    @operation(response=a.User)
    async def get_user(self, request: Request) -> Response:
        account = self.authenticate(request)
        limits = {name: self._meter(account, name) for name in ("staging", "imageEditing")}
        return json_response(
            {
                "user": {"email": user_email(account), "uid": user_id(account)},
                "photoLimit": {name: limit for name, (limit, _) in limits.items()},
                "photosUsedThisPeriod": {name: used for name, (_, used) in limits.items()},
            }
        )

    # renders

    @operation(query=m.ListRendersQuery, response=a.RenderPage)
    async def list_renders(self, request: Request) -> Response:
        account = self.authenticate(request)
        query = parse_model(m.ListRendersQuery, dict(request.query_params))
        renders = self.studio.renders(account.id)
        if query.order == "desc":
            renders.reverse()
        page, next_cursor = page_after(
            renders, cursor=query.cursor, limit=query.limit, key=lambda r: r.id, field="cursor"
        )
        return json_response(
            {
                "total_count": len(renders),
                "next_cursor": next_cursor,
                "items": [self.studio.render_view(r) for r in page],
            }
        )

    @operation(body=m.CreateRender, response=a.RenderView)
    async def create_render(self, request: Request) -> Response:
        account = self.authenticate(request)
        body = parse_model(m.CreateRender, await self._json(request), skip=CONFIG_TAGS)
        with self.engine.store.transaction():
            planned = self._plan_render(account, body, body.webhook_url)
            self._use_photos(account.id, {planned.meter: 1})
            jobs = self._commit_render(planned)
        self.engine.wake()
        if body.wait_for_completion:
            await self._wait(jobs)
        return json_response(self.studio.render_view(planned.render))

    @operation(body=m.BulkRenders, response=a.BulkRendersAnswer)
    async def create_renders_bulk(self, request: Request) -> Response:
        """All or nothing: every render is planned and checked before any is created."""
        account = self.authenticate(request)
        bulk = parse_model(m.BulkRenders, await self._json(request))
        with self.engine.store.transaction():
            planned = []
            for index, item in enumerate(bulk.renders):
                with _located(f"renders[{index}]"):
                    body = parse_model(m.CreateRender, item, skip=CONFIG_TAGS)
                    planned.append(
                        self._plan_render(account, body, body.webhook_url or bulk.webhook_url)
                    )
            photos = {meter: sum(p.meter == meter for p in planned) for meter in METERS}
            self._use_photos(account.id, {name: n for name, n in photos.items() if n})
            jobs = [job for p in planned for job in self._commit_render(p)]
        self.engine.wake()
        if bulk.wait_for_completion:
            await self._wait(jobs)
        return json_response({"renders": [self.studio.render_view(p.render) for p in planned]})

    def _plan_render(
        self, account: Account, body: m.CreateRender, webhook_url: str | None
    ) -> PlannedRender:
        """Check a render request and plan its variations; nothing is created yet."""
        urls = body.image_urls or [body.image_url or ""]
        self._check_webhook_url(webhook_url)
        self._check_image_urls(body)
        configs = body.all_configs()
        self.refuse_if_faulted("create_render", *urls)
        render = self.studio.new_render(account.id, urls, webhook_url, save=False)
        plans = self.studio.plans_for_all(render, configs, body.variation_count)
        self.studio.check_room(render, len(plans))
        return PlannedRender(
            render=render,
            plans=plans,
            outcome=self.plan_job("create_render", *urls),
            meter="staging" if configs[0].type == "staging" else "imageEditing",
            webhook_url=webhook_url,
        )

    def _commit_render(self, planned: PlannedRender) -> list[Job]:
        """Create a planned render and its variations (its photo is counted by `_use_photos`)."""
        self.studio.save_render(planned.render)
        return self.studio.create(
            planned.render, planned.plans, planned.outcome, planned.webhook_url
        )

    @operation(query=m.GetRenderQuery, response=a.RenderView)
    async def get_render(self, request: Request) -> Response:
        account = self.authenticate(request)
        query = parse_model(m.GetRenderQuery, dict(request.query_params))
        render = self.studio.get_render(account.id, request.path_params["render_id"])
        view = self.studio.render_view(
            render,
            include_variations=query.include_variations,
            limit=query.variations_limit,
            cursor=query.variations_cursor,
            order=query.variations_order,
        )
        return json_response(view)

    @operation(response=a.Variation)
    async def get_variation(self, request: Request) -> Response:
        account = self.authenticate(request)
        render = self.studio.get_render(account.id, request.path_params["render_id"])
        job = self.studio.get_variation(render, request.path_params["variation_id"])
        return json_response(self.studio.variation_view(render, job, self.engine.now()))

    @operation(body=m.CreateVariations, response=a.RenderView)
    async def create_variations(self, request: Request) -> Response:
        account = self.authenticate(request)
        body = parse_model(m.CreateVariations, await self._json(request), skip=CONFIG_TAGS)
        self._check_image_urls(body)
        render = self.studio.get_render(account.id, request.path_params["render_id"])
        plans = self.studio.plans_for(render, body.config, body.variation_count)
        jobs = self._add_variations(render, plans, body.webhook_url, "create_variations")
        if body.wait_for_completion:
            await self._wait(jobs)
        return json_response(self.studio.render_view(render))

    @operation(body=m.BulkVariations, response=a.RenderView)
    async def create_variations_bulk(self, request: Request) -> Response:
        account = self.authenticate(request)
        body = parse_model(m.BulkVariations, await self._json(request), skip=CONFIG_TAGS)
        self._check_image_urls(body)
        render = self.studio.get_render(account.id, body.render_id)
        plans = self.studio.plans_for_all(render, body.configs, body.variation_count)
        jobs = self._add_variations(render, plans, body.webhook_url, "create_variations_bulk")
        if body.wait_for_completion:
            await self._wait(jobs)
        return json_response(self.studio.render_view(render))

    def _add_variations(
        self, render: Render, plans: list[VariationPlan], webhook_url: str | None, operation: str
    ) -> list[Job]:
        """New variations of an existing render: not charged [C-LL], same webhook unless given."""
        self._check_webhook_url(webhook_url)
        self.studio.check_room(render, len(plans))
        self.refuse_if_faulted(operation, *render.image_urls)
        outcome = self.plan_job(operation, *render.image_urls)
        with self.engine.store.transaction():
            jobs = self.studio.create(render, plans, outcome, webhook_url or render.webhook_url)
        self.engine.wake()
        return jobs

    async def _wait(self, jobs: list[Job]) -> None:
        """`wait_for_completion`: block until the variations end (see Engine.wait_until)."""
        await self.engine.wait_until(self.studio.finished_at(jobs))

    # analysis

    @operation(body=m.Analyze, response=a.Analysis)
    async def analyze(self, request: Request) -> Response:
        account = self.authenticate(request)
        body = parse_model(m.Analyze, await self._json(request))
        return await self.run_analysis(account, body)

    async def run_analysis(self, account: Account, body: m.Analyze) -> Response:
        """Synchronous without webhook_url; with it, an early answer and a webhook [INFERRED]."""
        self._check_webhook_url(body.webhook_url)
        self._check_image_urls(body)
        self.refuse_if_faulted("analyze", body.image_url)
        outcome = self.plan_job("analyze", body.image_url)
        job_id = self.engine.ids.prefixed("ana_", 20)
        source_id, source_key = self.engine.media.source_for(body.image_url, account.id)
        spec = RenderSpec(vendor=self.title, operation="mask", source_key=source_key, format="PNG")
        with self.engine.store.transaction():
            mask = self.engine.media.plan_render(account.id, job_id, spec, source_id)
            job = self.engine.jobs.create(
                id=job_id,
                vendor=self.slug,
                account_id=account.id,
                operation="analysis",
                timing=TIMINGS["analysis"],
                params={
                    "webhook_url": body.webhook_url,
                    "mask": mask.id,
                    "percentage_masked": self._coverage(source_id, source_key),
                },
                outputs=[mask.id],
                fails=outcome.fails,
                error="Failed to analyze image" if outcome.fails else None,
                slow=outcome.slow,
            )
        self.engine.wake()
        if body.webhook_url is None:
            await self.engine.wait_until(job.finished_at)
        return json_response(self._analysis_view(job))

    def _coverage(self, source_id: str | None, source_key: str) -> float:
        """The share of the mask that will be drawn, computed from the same mask."""
        media = self.engine.media.get(source_id) if source_id else None
        size = (
            (media.width, media.height) if media and media.width and media.height else DEFAULT_SIZE
        )
        return mask_coverage(mask_for(size, source_key))

    def _analysis_view(self, job: Job) -> dict[str, Any]:
        state = job.state(self.engine.now())
        mask = self.engine.media.get(job.params["mask"])
        view: dict[str, Any] = {
            "id": job.id,
            "created_at": epoch_ms(job.created_at),
            "result_url": self.engine.media.url(mask) if mask and not job.fails else None,
            "percentage_masked": job.params["percentage_masked"]
            if state == JobState.SUCCEEDED
            else None,
            "status": STATUS_WORDS[state] if state.finished else "queued",
        }
        if state == JobState.FAILED:
            view["error_message"] = job.error
        return view

    @operation(body=m.MultiViewCompatibility, response=a.Compatibility)
    async def multi_view_compatibility(self, request: Request) -> Response:
        self.authenticate(request)
        body = parse_model(m.MultiViewCompatibility, await self._json(request))
        self._check_image_urls(body)
        sizes = [self._size_of(url) for url in body.image_urls]
        if None not in sizes and sizes[0] != sizes[1]:
            return json_response(
                {
                    "compatible": False,
                    "hard_rejected": True,
                    "rejection_reason": "Images must have the same dimensions for multi-view staging",
                }
            )
        return json_response({"compatible": True, "hard_rejected": False, "rejection_reason": None})

    def _size_of(self, url: str) -> tuple[int, int] | None:
        """Size of an image the emulator holds or a data URL carries; None for outside URLs."""
        media = self.engine.media.served(url)
        if media is not None:
            return (media.width, media.height) if media.width and media.height else None
        decoded = decode_data_url(url)
        return image_size(decoded[1]) if decoded else None

    # webhook secret

    @operation(body=m.WebhookSecret, response=a.Message)
    async def set_webhook_secret(self, request: Request) -> Response:
        account = self.authenticate(request)
        body = parse_model(m.WebhookSecret, await self._json(request))
        self.engine.accounts.update(
            account.id, lambda fresh: fresh.data.update(webhook_secret=body.webhook_secret)
        )
        return json_response({"message": "Webhook secret updated successfully"})

    @operation(response=a.Message)
    async def delete_webhook_secret(self, request: Request) -> Response:
        account = self.authenticate(request)
        self.engine.accounts.update(
            account.id, lambda fresh: fresh.data.pop("webhook_secret", None)
        )
        return json_response({"message": "Webhook secret removed successfully"})

    # webhooks

    async def on_job_finished(self, job: Job) -> None:
        url = job.params.get("webhook_url")
        if not url:
            return
        at = job.finished_at
        if job.operation == "analysis":
            view = self._analysis_view(job)
            payload = (
                deliveries.analysis_error(job.id, job.error or "", at)
                if job.fails
                else deliveries.analysis_done(
                    job.id, view["result_url"], view["percentage_masked"], at
                )
            )
        else:
            render = self.studio.render_of(job)
            variation = {
                "id": job.id,
                "type": job.params["type"],
                "base_variation_id": job.params.get("base_variation_id"),
            }
            payload = (
                deliveries.variation_error(render.id, variation, job.error or "", at)
                if job.fails
                else deliveries.variation_done(
                    render.id, variation, self.studio.result_view(render, job), at
                )
            )
        self.engine.outbox.enqueue(
            vendor=self.slug,
            account_id=job.account_id,
            url=url,
            event=payload["event_type"],
            payload=payload,
            policy=deliveries.POLICY,
        )

    def _sign(self, account_id: str, body: bytes, now: float) -> dict[str, str]:
        """Signs each delivery attempt with the account's secret of that moment."""
        account = self.engine.accounts.get(account_id)
        secret = account.data.get("webhook_secret") if account else None
        return deliveries.signature_headers(secret, body, now, self.options)

    # helpers

    def _check_webhook_url(self, url: str | None) -> None:
        if url is not None and not is_http_url(url):
            raise ApiError(400, "webhook_url: expected an http(s) URL", field="webhook_url")

    def _check_image_urls(self, body: BaseModel) -> None:
        """[PROPOSED] Every image URL the service could never fetch is refused (loopback,
        private, link-local, metadata-service and user:pass@ URLs: core/urls.py). [EMULATOR] A
        data URL may carry at most DATA_URL_IMAGE_LIMIT, and must hold a JPEG, PNG, WebP or HEIC
        image that decodes as its bytes claim, within the pixel limits (core/images.py): the
        service could not stage anything else (issue 9), so it is refused rather than drawn as a
        synthetic room. An https URL of any shape is still accepted: it is never fetched."""
        for field, url in _image_fields(body):
            decoded = decode_data_url(url)
            if decoded is None:
                self.check_source_url(url, field)
                continue
            if len(decoded[1]) > DATA_URL_IMAGE_LIMIT:
                raise ApiError(413, f"{field}: {DATA_URL_TOO_LARGE}", field=field)
            try:
                inspect_image(decoded[1])
            except ImageProblem as exc:
                raise ApiError(400, f"{field}: {exc}", field=field) from exc

    async def _json(self, request: Request) -> dict[str, Any]:
        """The JSON body, refused while it streams once past JSON_LIMIT or once one data URL in
        it carries more than DATA_URL_IMAGE_LIMIT."""
        guard = Base64RunLimit(DATA_URL_IMAGE_LIMIT, DATA_URL_TOO_LARGE)

        async def receive() -> Message:
            message = await request.receive()
            guard.feed(message.get("body", b""))
            return message

        return await read_json_object(Request(request.scope, receive), JSON_LIMIT)


def _image_fields(body: BaseModel) -> Iterator[tuple[str, str]]:
    """(field path, URL) of each image URL in a request: sources and furniture-removal masks."""
    for name in ("image_url", "image_urls"):
        value = getattr(body, name, None)
        if isinstance(value, str):
            yield name, value
        elif isinstance(value, list):
            yield from ((f"{name}[{i}]", url) for i, url in enumerate(value))
    configs = getattr(body, "configs", None) or []
    located = [(f"configs[{i}]", c) for i, c in enumerate(configs)]
    if getattr(body, "config", None) is not None:
        located.append(("config", body.config))  # type: ignore[attr-defined]
    for where, config in located:
        removal = getattr(config, "remove_furniture", None)
        if removal is not None and removal.mask_url is not None:
            yield f"{where}.remove_furniture.mask_url", removal.mask_url


@contextmanager
def _located(where: str) -> Iterator[None]:
    """Errors raised inside name their field from `where` (an item of a bulk request)."""
    try:
        yield
    except ApiError as exc:
        if exc.field in (None, "body"):
            raise ApiError(exc.status, f"{where}: {exc.message}", field=where) from exc
        raise ApiError(exc.status, f"{where}.{exc.message}", field=f"{where}.{exc.field}") from exc


@dataclass
class PlannedRender:
    render: Render
    plans: list[VariationPlan]
    outcome: JobPlan
    meter: str
    webhook_url: str | None
