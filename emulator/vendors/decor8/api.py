"""Decor8 AI: the sixteen endpoints of notes section 2, one handler each, answered synchronously.

Paths at the root of `https://api.decor8.ai` (and the legacy `prod-app.decor8.ai`) [PY, JS, DOCS];
auth `Authorization: Bearer KEY` [PY `_get_headers`, DOCS]. Answers are the envelope
`{"error": "", "message": ..., "info": {...}}`, errors `{"error": "<code>", "message": ...}` with no
`info` [PY README, REPO tests]. Every generating call is an engine job; the handler waits for it
(`Engine.wait_until`: at once on a manual clock, its duration / speed on a real one).

Vendor options (STAGING_EMULATOR_VENDOR_OPTIONS, key "decor8"), for the statuses nobody has seen:
`error_statuses` ({code: status}), `errors_as_200` (every error answered 200, the body unchanged),
`api_keys` (only these keys are accepted).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import uuid
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from ...core import images
from ...core.accounts import Account
from ...core.engine import Engine
from ...core.errors import ApiError
from ...core.http import JsonTooDeep, json_response, load_json, parse_model
from ...core.jobs import Job
from ...core.media import Media, MediaNotReady, decode_data_url
from ...core.openapi import REF, operation
from ...core.renders import DEFAULT_SIZE, RenderSpec
from ...core.store import Collection
from ...core.urls import is_http_url
from ...core.vendor import VendorApi, routes_from
from . import answers as a
from . import designs as d
from . import models as m
from .intake import Fields, Picture, picture, read_fields, uploaded_picture

# Error codes: `InvalidInput` is the one the live API is seen sending [notes 4]; the others are
# [INFERRED], each with its default status (401 auth and 400 validation [notes 4], 429 [3P]).
STATUS_CODES = {
    400: "InvalidParameter",
    401: "Unauthorized",
    402: "InsufficientCredits",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    413: "PayloadTooLarge",
    429: "RateLimited",
    500: "InternalError",
    503: "ServiceUnavailable",
}
GENERATION_FAILED = "GenerationFailed"
MASK_INFO_PREFIX = "d8mask_"
MASK_EDGE = 128  # a mask travels inside the render recipe at most this big

# the OpenAPI document: what each call takes and may refuse beyond bad input
GENERATION_ERRORS = {
    402: "not enough credits: one per image (InsufficientCredits)",
    500: "the generation failed (GenerationFailed)",
}
FILE_TEXT = {
    "type": "string",
    "description": "the image as a data URL or plain base64 [INFERRED]",
}
SMALL_PNG = (  # 48x32, for the document's examples
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAADAAAAAgCAIAAADbtmxLAAAANElEQVR42u3OMQ0AMA"
    "gAMJh/JYjgRtZsENIqaE5XbPJiGSEhISEhISEhISEhISEhIaHboQ/6RQJwqCbUWAAAAABJRU5ErkJggg=="
)


def url_body(model: type[m._Body]) -> dict[str, Any]:
    """JSON [PY, JS], a url-encoded form [PY028] or multipart, where the file part `input_image`
    may stand in for input_image_url [REPO ComfyUI node]."""
    ref = {"$ref": REF.format(model=model.__name__)}
    upload = {"type": "string", "contentMediaType": "application/octet-stream"}
    multipart = {"allOf": [ref], "properties": {"input_image": upload}}
    return {"json": model, "form": model, "multipart": multipart}


def file_body(model: type[m._Body], example: dict[str, Any]) -> dict[str, Any]:
    """Multipart with the file part `input_image` [PY, JS]; JSON or a form with `input_image` as
    text (see `intake`)."""
    ref = {"$ref": REF.format(model=model.__name__)}
    text = {
        "allOf": [ref],
        "properties": {"input_image": FILE_TEXT},
        "required": ["input_image"],
        "examples": [{"input_image": SMALL_PNG, **example}],
    }
    return {"multipart": model, "json": text, "form": text}


def generates(body: type[m._Body], response: Any, *, upload: dict[str, Any] | None = None) -> Any:
    """`@operation` of a generating call: `body` by URL, or with an uploaded file when `upload`
    (the text fields of an example) is given."""
    if upload is None:
        return operation(body=url_body(body), response=response, errors=GENERATION_ERRORS)
    return operation(
        body=file_body(body, upload),
        response=response,
        files=("input_image",),
        errors=GENERATION_ERRORS,
    )


class Decor8(VendorApi):
    slug = "decor8"
    title = d.TITLE
    hosts = ("api.decor8.ai", "prod-app.decor8.ai")  # [PY DEFAULT_BASE_URL; PY011 legacy]
    media_host = "prod-files.decor8.ai"  # [notes 3.1] result URLs
    unauthorized_message = "Invalid or missing API key: send Authorization: Bearer <API_KEY>"
    blocked_message = "This API key's account is blocked"
    unavailable_message = "Service temporarily unavailable. Please try again later."
    failure_message = "Failed to generate designs. Please try again later."

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self._masks = Collection(engine.store, "decor8.mask_info", _MaskRecord)

    def routes(self) -> list[BaseRoute]:
        table = [
            ("/speak_friend_and_enter", self.speak_friend_and_enter, ["GET"]),
            ("/generate_designs_for_room", self.generate_designs_for_room, ["POST"]),
            ("/generate_inspirational_designs", self.generate_inspirational_designs, ["POST"]),
            ("/generate_designs", self.generate_designs, ["POST"]),
            ("/prime_walls_for_room", self.prime_walls_for_room, ["POST"]),
            ("/prime_the_room_walls", self.prime_the_room_walls, ["POST"]),
            ("/change_wall_color", self.change_wall_color, ["POST"]),
            ("/change_kitchen_cabinets_color", self.change_kitchen_cabinets_color, ["POST"]),
            ("/remodel_kitchen", self.remodel_kitchen, ["POST"]),
            ("/remodel_bathroom", self.remodel_bathroom, ["POST"]),
            ("/replace_sky_behind_house", self.replace_sky_behind_house, ["POST"]),
            ("/generate_landscaping_designs", self.generate_landscaping_designs, ["POST"]),
            ("/remove_objects_from_room", self.remove_objects_from_room, ["POST"]),
            ("/upscale_image", self.upscale_image, ["POST"]),
            ("/sketch_to_3d_render", self.sketch_to_3d_render, ["POST"]),
            ("/generate_image_captions", self.generate_image_captions, ["POST"]),
        ]
        return routes_from(table)

    def error_response(self, error: ApiError) -> Response:
        code = error.code or self._code_for(error)
        statuses = self.options.get("error_statuses") or {}
        status = 200 if self.options.get("errors_as_200") else statuses.get(code, error.status)
        return json_response({"error": code, "message": error.message}, int(status))

    @staticmethod
    def _code_for(error: ApiError) -> str:
        if error.field in m.IMAGE_FIELDS and error.status in (400, 413):
            return "InvalidInput"
        if error.field == "body" and error.status == 400:
            return "InvalidRequest"
        return STATUS_CODES.get(error.status, "InternalError" if error.status >= 500 else "Error")

    def authenticate(self, request: Request) -> Account:
        account = super().authenticate(request)
        allowed = self.options.get("api_keys")
        if allowed and account.api_key not in allowed:
            raise ApiError(401, self.unauthorized_message)
        return account

    # 0. GET /speak_friend_and_enter [DOCS]

    @operation(response=a.Welcome)
    async def speak_friend_and_enter(self, request: Request) -> Response:
        """Check the API key."""
        self.authenticate(request)
        self.refuse_if_faulted("speak_friend_and_enter")
        message = "The doors of Durin open for you. Welcome, friend of Moria."
        return json_response(a.Welcome(message=message).model_dump())

    # 1-3. designs

    @generates(m.GenerateDesignsForRoom, a.Answer[a.RoomDesigns])
    async def generate_designs_for_room(self, request: Request) -> Response:
        account = self.authenticate(request)
        fields = await self._fields(request, account)
        body = parse_model(m.GenerateDesignsForRoom, fields.values)
        body.require()
        body.require_room_and_style()
        assert body.input_image_url is not None
        source = await self._source(account, body.input_image_url, "input_image_url")
        mask = self._known_mask(account, body.mask_info)
        if body.design_style_image_url is not None:
            self._check_image_url(body.design_style_image_url, "design_style_image_url")
        extras = (
            "style reference image" if body.design_style_image_url else None,
            f"mask_info of job {mask.job_id[:8]}" if mask else None,
        )
        order = d.Order(
            operation="generate_designs_for_room",
            spec=d.staged(body, *extras),
            source=source,
            images=body.images,
            long_edge=d.BASE_EDGE * (body.scale_factor or 1),
            inputs=(_scanned(body.input_image_url), body.prompt),
            info=lambda images, mask_info: a.RoomDesigns(images=images, mask_info=mask_info),
            webhook_url=_webhook_target(body.webhooks_data),
            mask_info=True,
        )
        return await self._answer(account, order)

    @generates(m.GenerateInspirationalDesigns, a.Answer[a.Images])
    async def generate_inspirational_designs(self, request: Request) -> Response:
        account = self.authenticate(request)
        fields = await self._fields(request, account)
        body = parse_model(m.GenerateInspirationalDesigns, fields.values)
        body.require_room_and_style()
        # the same seed draws the same room [PY "seed: random seed for reproducibility"]
        nonce = self.engine.ids.hex(12) if body.seed is None else f"seed{body.seed}"
        key = f"inspiration:{body.room_type}:{body.design_style}:{nonce}"
        order = d.Order(
            operation="generate_inspirational_designs",
            spec=d.staged(body, "inspiration (no photo)"),
            source=d.Source(None, key, DEFAULT_SIZE),  # a synthetic room
            images=body.images,
            long_edge=d.BASE_EDGE,
            inputs=(body.prompt,),
        )
        return await self._answer(account, order)

    @generates(m.GenerateDesigns, a.Answer[a.InlineImages], upload=m.ROOM_AND_STYLE)
    async def generate_designs(self, request: Request) -> Response:
        """Legacy multipart call: images come back as base64 `data` (and a `url`) [notes 3.2]."""
        account = self.authenticate(request)
        fields = await self._fields(request, account, file_endpoint=True)
        body = parse_model(m.GenerateDesigns, fields.values)
        body.require_room_and_style()
        source = self._upload(account, uploaded_picture(fields))
        long_edge = d.BASE_EDGE
        if body.keep_original_dimensions:
            long_edge = min(source.long_edge, d.KEEP_DIMENSIONS_MAX_EDGE)
        order = d.Order(
            operation="generate_designs",
            spec=d.staged(body),
            source=source,
            images=body.images,
            long_edge=long_edge,
            inputs=(body.prompt, *fields.filenames),
            captions=body.num_captions or 0,
            info=inline_images,
            caption_subject=(body.room_type, body.design_style),
        )
        return await self._answer(account, order, inline=True)

    # 4-7. walls and cabinets

    @generates(m.ImageUrlOnly, a.Answer[a.Images])
    async def prime_walls_for_room(self, request: Request) -> Response:
        account, body, source = await self._image_call(request, m.ImageUrlOnly)
        look = d.spec("recolor", color=d.PRIMER, note="walls primed")
        order = self._edit("prime_walls_for_room", source, body.input_image_url, look)
        return await self._answer(account, order)

    @generates(m.FileOnly, a.Answer[a.InlineImages], upload={})
    async def prime_the_room_walls(self, request: Request) -> Response:
        """Legacy multipart call, base64 answer [notes 3.2]."""
        account = self.authenticate(request)
        fields = await self._fields(request, account, file_endpoint=True)
        source = self._upload(account, uploaded_picture(fields))
        order = d.Order(
            operation="prime_the_room_walls",
            spec=d.spec("recolor", color=d.PRIMER, note="walls primed"),
            source=source,
            images=1,
            long_edge=d.BASE_EDGE,
            inputs=tuple(fields.filenames),
            info=inline_images,
        )
        return await self._answer(account, order, inline=True)

    @generates(m.ChangeWallColor, a.Answer[a.Images])
    async def change_wall_color(self, request: Request) -> Response:
        account, body, source = await self._image_call(request, m.ChangeWallColor)
        color = body.wall_color_hex_code
        look = d.spec("recolor", color=color, note=f"walls painted {color}")
        order = self._edit("change_wall_color", source, body.input_image_url, look)
        return await self._answer(account, order)

    @generates(m.ChangeKitchenCabinetsColor, a.Answer[a.Images])
    async def change_kitchen_cabinets_color(self, request: Request) -> Response:
        account, body, source = await self._image_call(request, m.ChangeKitchenCabinetsColor)
        color = body.cabinet_color_hex_code
        look = d.spec("recolor", room_type="KITCHEN", color=color, note=f"cabinets painted {color}")
        order = self._edit("change_kitchen_cabinets_color", source, body.input_image_url, look)
        return await self._answer(account, order)

    # 8-9. remodels

    @generates(m.Remodel, a.Answer[a.Images])
    async def remodel_kitchen(self, request: Request) -> Response:
        return await self._remodel(request, "remodel_kitchen", "KITCHEN")

    @generates(m.Remodel, a.Answer[a.Images])
    async def remodel_bathroom(self, request: Request) -> Response:
        return await self._remodel(request, "remodel_bathroom", "BATHROOM")

    async def _remodel(self, request: Request, operation: str, room_type: str) -> Response:
        account, body, source = await self._image_call(request, m.Remodel)
        look = d.spec(
            "edit",
            room_type=room_type,
            style=body.design_style,
            note=f"{room_type.lower()} remodelled",
        )
        order = self._edit(
            operation, source, body.input_image_url, look, body.num_images, body.scale_factor
        )
        return await self._answer(account, order)

    # 10-11. exteriors

    @generates(m.ReplaceSky, a.Answer[a.Images])
    async def replace_sky_behind_house(self, request: Request) -> Response:
        account, body, source = await self._image_call(request, m.ReplaceSky)
        assert body.sky_type is not None
        look = d.spec("sky_color", color=d.SKY_COLORS[body.sky_type], note=f"sky: {body.sky_type}")
        order = self._edit("replace_sky_behind_house", source, body.input_image_url, look)
        return await self._answer(account, order)

    @generates(m.Landscaping, a.Answer[a.Images])
    async def generate_landscaping_designs(self, request: Request) -> Response:
        account, body, source = await self._image_call(request, m.Landscaping)
        look = d.spec(
            "landscape", room_type=body.yard_type, style=body.garden_style, note="landscaping"
        )
        order = self._edit(
            "generate_landscaping_designs", source, body.input_image_url, look, body.num_images
        )
        return await self._answer(account, order)

    # 12-14. image processing and rendering

    @generates(m.RemoveObjects, a.Answer[a.RemovedObjects])
    async def remove_objects_from_room(self, request: Request) -> Response:
        """One `info.image`, not a list [notes 3.3]; the areas under `mask_image_url` emptied when
        the mask can be read (a URL this emulator served, or a data URL), else the whole room."""
        account, body, source = await self._image_call(request, m.RemoveObjects)
        mask = None
        if body.mask_image_url is not None:
            mask = await self._mask_png(body.mask_image_url)
        if mask is not None:
            look = d.spec("erase", mask=mask, note="objects removed under the mask")
        else:
            note = "objects removed" + (" (mask not fetched)" if body.mask_image_url else "")
            look = d.spec("declutter", note=note)
        order = self._edit("remove_objects_from_room", source, body.input_image_url, look)
        order.info = lambda images, _: a.RemovedObjects(image=images[0])
        return await self._answer(account, order)

    @generates(m.Upscale, a.Answer[a.Upscaled], upload={"scale_factor": 2})
    async def upscale_image(self, request: Request) -> Response:
        """`info.upscaled_image`: plain base64 of the upload scaled by `scale_factor` [notes 3.4]."""
        account = self.authenticate(request)
        fields = await self._fields(request, account, file_endpoint=True)
        body = parse_model(m.Upscale, fields.values)
        pic = uploaded_picture(fields, limit=d.UPSCALE_FILE_LIMIT)
        factor = body.scale_factor or 2  # SDK default [PY, JS]
        if pic.long_edge > d.UPSCALE_INPUT_MAX_EDGE:
            raise ApiError(
                400,
                f"input_image: {pic.width}x{pic.height} px; upscaling takes images up to "
                f"{d.UPSCALE_INPUT_MAX_EDGE} px wide or tall",
                field="input_image",
            )
        problem = d.upscale_limit_problem((pic.width, pic.height), factor)
        if problem is not None:
            raise ApiError(
                400,
                f"scale_factor: {factor} would make a {problem}",
                field="scale_factor",
            )
        order = d.Order(
            operation="upscale_image",
            spec=d.spec("upscale", note=f"upscaled x{factor}"),
            source=self._upload(account, pic),
            images=1,
            long_edge=pic.long_edge * factor,
            inputs=tuple(fields.filenames),
            info=lambda images, _: a.Upscaled(upscaled_image=images[0].data),
        )
        return await self._answer(account, order, inline=True)

    @generates(m.SketchTo3dRender, a.Answer[a.Images])
    async def sketch_to_3d_render(self, request: Request) -> Response:
        account, body, source = await self._image_call(request, m.SketchTo3dRender)
        render_type = body.render_type or "PERSPECTIVE"
        look = d.spec(
            "sketch", style=body.design_style, note=f"3D render of a sketch, {render_type}"
        )
        order = self._edit(
            "sketch_to_3d_render",
            source,
            body.input_image_url,
            look,
            body.num_images,
            body.scale_factor,
        )
        return await self._answer(account, order)

    # 15. captions [PY "(deprecated - verify API support)"]

    @operation(body=url_body(m.GenerateImageCaptions), response=a.Answer[a.Captions])
    async def generate_image_captions(self, request: Request) -> Response:
        account = self.authenticate(request)
        fields = await self._fields(request, account)
        body = parse_model(m.GenerateImageCaptions, fields.values)
        body.require()
        count = body.num_captions or 1
        key = f"{body.room_type}:{body.design_style}:{self.engine.ids.hex(12)}"
        lines = d.captions(body.room_type, body.design_style, count, key, quoted=True)
        self.refuse_if_faulted("generate_image_captions")
        plan = self.plan_job("generate_image_captions")
        with self.engine.store.transaction():
            self._charge(account.id, images=0, captions=count, fails=plan.fails)
            job = self.engine.jobs.create(
                vendor=self.slug,
                account_id=account.id,
                operation="generate_image_captions",
                timing=d.TIMINGS["generate_image_captions"],
                params={"captions": lines},
                fails=plan.fails,
                error=plan.error,
                slow=plan.slow,
            )
        await self._wait(job)
        return _success(d.MESSAGES["generate_image_captions"], a.Captions(captions=lines))

    # the synchronous job behind every image call

    async def _answer(self, account: Account, order: d.Order, inline: bool = False) -> Response:
        """Plan the job, charge it, wait for it, and answer with its images (drawn and inlined as
        base64 `data` when `inline`)."""
        self.refuse_if_faulted(order.operation, *order.inputs)
        plan = self.plan_job(order.operation, *order.inputs)
        job_id = self.engine.ids.uuid()
        assert order.source is not None
        size = d.fitted(order.source.size, order.long_edge)
        with self.engine.store.transaction():
            self._charge(account.id, images=order.images, captions=0, fails=plan.fails)
            medias = [self._plan_image(account, job_id, order, i) for i in range(order.images)]
            images = [self._image_view(media, size) for media in medias]
            mask_info = self._issue_mask(account, job_id) if order.mask_info else None
            params: dict[str, Any] = {"images": order.images, "source": order.source.key[:200]}
            if order.webhook_url is not None:
                params["webhook_url"] = order.webhook_url
                params["answer"] = a.answer(order.message, order.info(images, mask_info))
            job = self.engine.jobs.create(
                id=job_id,
                vendor=self.slug,
                account_id=account.id,
                operation=order.operation,
                timing=d.TIMINGS[order.operation],
                params=params,
                outputs=[media.id for media in medias],
                fails=plan.fails,
                error=plan.error,
                slow=plan.slow,
            )
        await self._wait(job)
        if inline:
            images = [await self._inline(media, order, i) for i, media in enumerate(medias)]
        return _success(order.message, order.info(images, mask_info))

    async def _wait(self, job: Job) -> None:
        self.engine.wake()
        await self.engine.wait_until(job.finished_at)
        if job.fails:
            raise ApiError(500, job.error or self.failure_message, code=GENERATION_FAILED)

    def _plan_image(self, account: Account, job_id: str, order: d.Order, index: int) -> Media:
        assert order.source is not None
        spec = order.spec.model_copy(
            update={
                "variation": index + 1,
                "variations": order.images,
                "source_key": order.source.key,
                "min_long_edge": order.long_edge,
                "max_long_edge": order.long_edge,
            }
        )
        return self.engine.media.plan_render(account.id, job_id, spec, order.source.media_id)

    def _image_view(self, media: Media, size: tuple[int, int]) -> a.Image:
        url = self.engine.media.url(media)
        return a.Image(uuid=str(uuid.UUID(media.id)), url=url, width=size[0], height=size[1])

    async def _inline(self, media: Media, order: d.Order, index: int) -> a.InlineImage:
        """An image of a legacy call: drawn now, its bytes as base64 `data`, plus its `url`
        [notes 3.2: both, for ComfyUI reading `url`]."""
        media, data = await self.engine.media.content(media)
        view = self._image_view(media, (media.width or 0, media.height or 0))
        extra: dict[str, Any] = {"data": base64.b64encode(data).decode()}
        if order.captions:
            room, style = order.caption_subject
            extra["captions"] = d.captions(room, style, order.captions, media.id, quoted=False)
        return a.InlineImage(**view.model_dump(), **extra)

    def _charge(self, account_id: str, images: int, captions: int, fails: bool) -> None:
        """One credit per image, taken with the meters in one transaction; a job planned to fail
        generates nothing and costs nothing [INFERRED: Decor8's metering is not public]."""

        def change(account: Account) -> None:
            if account.credits < images:
                raise ApiError(
                    402,
                    f"Insufficient credits: this request generates {images} image(s) and the "
                    f"account has {account.credits} credit(s) left",
                    code="InsufficientCredits",
                )
            if fails:
                return
            account.credits -= images
            meters = account.meters
            meters["images_generated"] = int(meters.get("images_generated", 0)) + images
            if captions:
                meters["captions_generated"] = int(meters.get("captions_generated", 0)) + captions

        self.engine.accounts.update(account_id, change)

    # mask_info [notes 3.1: "info.mask_info ... sent back later as mask_info"]

    def _issue_mask(self, account: Account, job_id: str) -> str:
        token = MASK_INFO_PREFIX + self.engine.ids.hex(24)
        self._masks.save(_MaskRecord(id=token, account_id=account.id, job_id=job_id), account.id)
        return token

    def _known_mask(self, account: Account, mask_info: str | None) -> _MaskRecord | None:
        if mask_info is None:
            return None
        record = self._masks.get(mask_info.strip())
        if record is None or record.account_id != account.id:
            raise ApiError(
                400,
                "mask_info: not a mask_info this API returned to this account "
                "(send the info.mask_info of an earlier generate_designs_for_room answer)",
                field="mask_info",
            )
        return record

    async def _mask_png(self, url: str) -> str | None:
        """The mask as a small base64 PNG for the render recipe, or None when it cannot be read
        (an outside URL: the emulator never fetches)."""
        served = self.engine.media.served(url)
        if served is not None:
            try:
                data = (await self.engine.media.content(served))[1]
            except MediaNotReady:
                return None
        else:
            pic = self._check_image_url(url, "mask_image_url")
            if pic is None:  # an outside URL
                return None
            data = pic.data
        return await asyncio.to_thread(_small_mask, data)

    # request plumbing

    async def _fields(
        self, request: Request, account: Account, *, file_endpoint: bool = False
    ) -> Fields:
        """The body's fields. A URL endpoint (not `file_endpoint`) also takes the multipart
        `input_image` the [REPO ComfyUI node] posts: kept as an upload and read as its URL."""
        fields = await read_fields(request)
        if file_endpoint or "input_image" not in fields.files:
            return fields
        if not fields.values.get("input_image_url"):
            pic = uploaded_picture(fields)
            media = self.engine.media.add_upload(account.id, pic.data, pic.content_type)
            fields.values["input_image_url"] = self.engine.media.url(media)
        return fields

    async def _image_call(
        self, request: Request, model: type[m.ImageUrlOnly]
    ) -> tuple[Account, Any, d.Source]:
        """Authenticate, read the body as `model`, and resolve its `input_image_url`."""
        account = self.authenticate(request)
        fields = await self._fields(request, account)
        body = parse_model(model, fields.values)
        body.require()
        source = await self._source(account, body.input_image_url or "", "input_image_url")
        return account, body, source

    def _edit(
        self,
        operation: str,
        source: d.Source,
        url: str | None,
        look: RenderSpec,
        images: int | None = None,
        scale_factor: int | None = None,
    ) -> d.Order:
        """An order over one photo: `images` of `look` (default 1), long edge 768 x scale_factor."""
        return d.Order(
            operation=operation,
            spec=look,
            source=source,
            images=images or 1,
            long_edge=d.BASE_EDGE * (scale_factor or 1),
            inputs=(_scanned(url),),
        )

    async def _source(self, account: Account, url: str, field: str) -> d.Source:
        """A picture named by URL: a data URL (checked, kept as an upload), a URL this emulator
        served, or an outside http(s) URL (never fetched: a synthetic room stands in)."""
        pic = self._check_image_url(url, field)
        if pic is not None:
            return self._upload(account, pic)
        media_id, key = self.engine.media.source_for(url.strip(), account.id)
        return d.Source(media_id, key, await self._size_of(media_id))

    def _check_image_url(self, url: str, field: str) -> Picture | None:
        """Refuse, naming `field`, a URL no call could read: the picture of a data URL, checked,
        or None for an http(s) URL the vendor could fetch."""
        if not _is_data_url(url):
            self.check_source_url(url.strip(), field)
            return None
        decoded = decode_data_url(url)
        if decoded is None:
            raise ApiError(400, f"{field}: malformed data URL (expected base64)", field=field)
        return picture(decoded[1], field)

    async def _size_of(self, media_id: str | None) -> tuple[int, int]:
        media = self.engine.media.get(media_id) if media_id else None
        if media is not None and media.width is None and media.origin == "render":
            with contextlib.suppress(MediaNotReady):  # a render as a source: drawn to size it
                media, _ = await self.engine.media.content(media)
        if media is not None and media.width and media.height:
            return media.width, media.height
        return DEFAULT_SIZE

    def _upload(self, account: Account, pic: Picture) -> d.Source:
        media = self.engine.media.add_upload(account.id, pic.data, pic.content_type)
        return d.Source(media.id, media.id, (pic.width, pic.height))

    # webhooks_data

    async def on_job_finished(self, job: Job) -> None:
        url = job.params.get("webhook_url")
        if not url:
            return
        payload = (
            {"error": GENERATION_FAILED, "message": job.error or self.failure_message}
            if job.fails
            else job.params["answer"]
        )
        self.engine.outbox.enqueue(
            vendor=self.slug,
            account_id=job.account_id,
            url=url,
            event=f"{job.operation}.{'failed' if job.fails else 'succeeded'}",
            payload=payload,
            policy=d.WEBHOOK_POLICY,
        )


class _MaskRecord(BaseModel):
    """What an issued `mask_info` stands for."""

    id: str
    account_id: str
    job_id: str


def inline_images(images: list[a.InlineImage], mask_info: str | None) -> a.InlineImages:
    return a.InlineImages(images=images)


def _success(message: str, info: BaseModel) -> Response:
    return json_response(a.answer(message, info))


def _scanned(url: str | None) -> str | None:
    """An image URL as scanned for magic words: a data URL's bytes are not text."""
    return None if url is None or _is_data_url(url) else url


def _is_data_url(url: str) -> bool:
    return url.lstrip()[:5].lower() == "data:"


def _webhook_target(webhooks_data: Any) -> str | None:
    """The URL `webhooks_data` names, if any [INFERRED: its format is not documented]: the string
    itself, or the `url` / `webhook_url` / `callback_url` of the JSON object it holds."""
    data = webhooks_data
    if isinstance(data, str):
        if is_http_url(data.strip()):
            return data.strip()
        try:
            data = load_json(data)
        except JsonTooDeep as exc:
            raise ApiError(400, f"webhooks_data: {exc}", field="webhooks_data") from exc
        except ValueError:
            return None
    if isinstance(data, str) and is_http_url(data.strip()):
        return data.strip()
    if isinstance(data, dict):
        for key in ("url", "webhook_url", "callback_url", "webhook"):
            value = data.get(key)
            if isinstance(value, str) and is_http_url(value.strip()):
                return value.strip()
    return None


def _small_mask(data: bytes) -> str | None:
    """A black-and-white PNG of at most MASK_EDGE px, base64, white where objects go; decoded
    within the pixel limits and the process-wide budget (see `images.decode_at`)."""

    def small(info: images.ImageInfo) -> tuple[int, int]:
        scale = min(1.0, MASK_EDGE / max(info.size))
        return max(1, round(info.width * scale)), max(1, round(info.height * scale))

    decoded = images.decode_fitted(data, small)
    if decoded is None:
        return None
    mask = decoded.convert("L").point(lambda v: 255 if v >= 128 else 0)
    out = io.BytesIO()
    mask.save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode()
