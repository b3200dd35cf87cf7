"""Virtual Staging AI v1, as the notes recover it [D-V1, C-ICON, C-RUUM, C-WP, C-PROXY].

v1 renders are ordinary renders whose variations echo `{"type": "legacy_staging", ...}` configs, so
they are visible through v2 as the docs say [D-EP].
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from ...core.errors import ApiError
from ...core.http import (
    json_response,
    media_type,
    parse_form,
    parse_model,
    read_body,
    read_json_object,
)
from ...core.jobs import Job, JobState
from ...core.openapi import operation
from ...core.renders import sniff_image
from . import answers as a
from . import models as m
from .users import user_email, user_id

if TYPE_CHECKING:
    from .api import VirtualStagingAi

UPLOAD_LIMIT = 32 << 20  # [INFERRED] the v1 docs give no size limit for `file`


class V1Endpoints:
    """Mixed into the vendor class: v1 handlers on top of the same studio and accounts."""

    def v1_table(self: VirtualStagingAi) -> list[tuple[str, Any, list[str]]]:
        return [
            ("/ping", self.v1_ping, ["GET"]),
            ("/options", self.v1_options, ["GET"]),
            ("/render/create", self.v1_create_render, ["POST"]),
            ("/render", self.v1_get_render, ["GET"]),
            ("/render/create-variation", self.v1_create_variation, ["POST"]),
            ("/furniture/analyze", self.v1_analyze, ["POST"]),
        ]

    @operation(response=a.V1Ping)
    async def v1_ping(self: VirtualStagingAi, request: Request) -> Response:
        account = self.authenticate(request)
        limit, used = self._meter(account, "staging")
        return json_response(
            {
                "userObj": {"email": user_email(account), "uid": user_id(account)},
                "photoLimit": limit,
                "photosUsedThisPeriod": used,
            }
        )

    @operation(response=a.V1Options)
    async def v1_options(self: VirtualStagingAi, request: Request) -> Response:
        self.authenticate(request)
        return json_response({"styles": list(m.STYLES), "roomTypes": list(m.ROOM_TYPES)})

    @operation(
        body={"json": m.V1CreateRender, "multipart": a.V1Upload, "form": a.V1Upload},
        files=("file",),
        response=a.V1RenderCreated,
    )
    async def v1_create_render(self: VirtualStagingAi, request: Request) -> Response:
        account = self.authenticate(request)
        fields, upload = await self._v1_body(request)
        body = parse_model(m.V1CreateRender, fields)
        if upload is None and body.image_url is None:
            raise ApiError(
                400,
                "image_url is required (or send the image as multipart field 'file')",
                field="image_url",
            )
        self._check_webhook_url(body.webhook_url)
        self._check_image_urls(body)
        self._check_photo_limit(account, "staging")
        image_url = body.image_url or ""
        self.refuse_if_faulted("v1_create_render", image_url)
        if upload is not None:
            kind = sniff_image(upload)
            if kind is None:
                raise ApiError(400, "file: not a JPEG, PNG, WebP or HEIC image", field="file")
            image_url = self.engine.media.url(
                self.engine.media.add_upload(account.id, upload, kind, field="file")
            )
        legacy = {
            "room_type": body.room_type,
            "style": body.style,
            "declutter_mode": body.declutter_mode,
        }
        render = self.studio.new_render(
            account.id, [image_url], body.webhook_url, legacy=legacy, save=False
        )
        plans = self._v1_plans(
            render, body.room_type, body.style, body.declutter_mode, body.add_furniture
        )
        outcome = self.plan_job("v1_create_render", image_url)
        with self.engine.store.transaction():
            self._use_photos(account.id, {"staging": 1})
            self.studio.save_render(render)
            jobs = self.studio.create(render, plans, outcome, body.webhook_url)
        self.engine.wake()
        return await self._v1_answer(render.id, jobs, body.wait_for_completion)

    def _v1_plans(
        self: VirtualStagingAi,
        render: Any,
        room: str | None,
        style: str | None,
        declutter: str,
        add: bool,
    ) -> list[Any]:
        config = m.StagingConfig(
            type="staging",
            add_furniture=m.AddFurniture(room_type=room, style=style)
            if add and room and style
            else None,
            remove_furniture=m.RemoveFurniture(mode=declutter),  # type: ignore[arg-type]
        )
        plans = self.studio.plans_for(render, config, 1)
        legacy = {"type": "legacy_staging", "room_type": room, "style": style}
        return [plan.model_copy(update={"config": legacy}) for plan in plans]

    async def _v1_answer(
        self: VirtualStagingAi, render_id: str, jobs: list[Job], wait: bool
    ) -> Response:
        answer: dict[str, Any] = {"render_id": render_id}
        if wait:
            await self._wait(jobs)
            urls = {job.params["type"]: self._v1_url(job) for job in jobs}
            final = urls.get("staging") or urls.get("removal")
            if final:
                answer["result_image_url"] = final
            if "staging" in urls and urls.get("removal"):
                answer["removal_output"] = urls["removal"]
        return json_response(answer)

    def _v1_url(self: VirtualStagingAi, job: Job) -> str | None:
        if job.state(self.engine.now()) != JobState.SUCCEEDED:
            return None
        return self.studio.result_urls(job)[0]["url"]

    @operation(query=a.V1RenderQuery, response=a.V1Render)
    async def v1_get_render(self: VirtualStagingAi, request: Request) -> Response:
        account = self.authenticate(request)
        render_id = request.query_params.get("render_id")
        if not render_id:
            raise ApiError(400, "render_id is required", field="render_id")
        render = self.studio.get_render(account.id, render_id)
        now = self.engine.now()
        jobs = self.studio.variations(render)
        states = [job.state(now) for job in jobs]
        staged = [job for job in jobs if job.params["type"] != "removal"] or jobs
        done = [job for job in staged if job.state(now) == JobState.SUCCEEDED]
        if any(not s.finished for s in states):
            status = "rendering"
        else:
            status = "error" if all(s == JobState.FAILED for s in states) else "done"
        configs = [job.params["config"] for job in done]
        return json_response(
            {
                "render_id": render.id,
                "status": status,
                "created_at": round(render.created_at * 1000),
                "outputs": [self._v1_url(job) for job in done],
                "progress": round(sum(job.progress(now) for job in jobs) / max(1, len(jobs)), 2),
                "outputs_room_types": [c.get("room_type") for c in configs],
                "outputs_styles": [c.get("style") for c in configs],
            }
        )

    @operation(query=a.V1CreateVariationQuery, body=m.V1CreateVariation, response=a.V1RenderCreated)
    async def v1_create_variation(self: VirtualStagingAi, request: Request) -> Response:
        account = self.authenticate(request)
        render_id = request.query_params.get("render_id")
        if not render_id:
            raise ApiError(400, "render_id is required", field="render_id")
        body = parse_model(
            m.V1CreateVariation,
            await read_json_object(request, allow_empty=True),
        )
        render = self.studio.get_render(account.id, render_id)
        legacy = render.legacy or {}
        # "All the same settings (room_type, etc.) from the original render" unless given [D-V1]
        room = body.roomType or body.room_type or legacy.get("room_type")
        style = body.style or legacy.get("style")
        if not room or not style:
            raise ApiError(400, "roomType and style are required for this render", field="roomType")
        parse_model(m.AddFurniture, {"room_type": room, "style": style})
        removal = next(
            (j for j in self.studio.variations(render) if j.params["type"] == "removal"), None
        )
        config = m.StagingConfig(
            type="staging",
            add_furniture=m.AddFurniture(
                room_type=room, style=style, base_variation_id=removal.id if removal else None
            ),
        )
        plans = self.studio.plans_for(render, config, 1)
        legacy_echo = {"type": "legacy_staging", "room_type": room, "style": style}
        plans = [plan.model_copy(update={"config": legacy_echo}) for plan in plans]
        jobs = self._add_variations(render, plans, None, "v1_create_variation")
        return await self._v1_answer(render.id, jobs, body.wait_for_completion)

    @operation(body=m.Analyze, response=a.Analysis)
    async def v1_analyze(self: VirtualStagingAi, request: Request) -> Response:
        account = self.authenticate(request)
        body = parse_model(m.Analyze, await self._json(request))
        return await self.run_analysis(account, body)

    async def _v1_body(
        self: VirtualStagingAi, request: Request
    ) -> tuple[dict[str, Any], bytes | None]:
        """JSON, or a form whose `file` replaces image_url [D-V1]; form booleans arrive as text."""
        if media_type(request) not in ("multipart/form-data", "application/x-www-form-urlencoded"):
            return await self._json(request), None
        form = await parse_form(request, await read_body(request, UPLOAD_LIMIT))
        fields: dict[str, Any] = {}
        upload = None
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                if key == "file":
                    upload = await value.read()
            else:
                fields[key] = {"true": True, "false": False}.get(value.lower(), value)
        return fields, upload
