"""Renders and their variations: what POST /renders plans, and how GET shows it.

A render is a stored document; each variation is an engine job grouped under the render. Furniture
removal plus staging plans one `removal` base variation and `variation_count` staging variations
that start when it ends and point to it with `base_variation_id` [D-CC, D-WH, C-REPRO].
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from ...core.clock import epoch_ms
from ...core.engine import Engine
from ...core.errors import ApiError
from ...core.jobs import Job, JobState, Timing
from ...core.pagination import page_after
from ...core.renders import RenderSpec
from ...core.store import Collection
from ...core.vendor import JobPlan
from . import models as m

VENDOR_TITLE = "Virtual Staging AI"

STATUS_WORDS = {
    JobState.QUEUED: "queued",
    JobState.PROCESSING: "rendering",
    JobState.SUCCEEDED: "done",
    JobState.FAILED: "error",
}
# Nominal seconds per variation type on a real clock at speed 1.
TIMINGS = {
    "removal": Timing(queue=1.0, run=10.0),
    "staging": Timing(queue=1.0, run=15.0),
    "daytodusk": Timing(queue=1.0, run=8.0),
    "enhancement": Timing(queue=1.0, run=6.0),
    "analysis": Timing(queue=0.5, run=3.0),
}
OPERATIONS = {
    "removal": "empty",  # [EMULATOR] furniture removed: the room shown empty
    "staging": "stage",
    "daytodusk": "dusk",
    "enhancement": "enhance",
}
BASE_FAILED = "Failed to process image: the base removal variation failed"

AnyConfig = m.StagingConfig | m.DayToDuskConfig | m.EnhancementConfig


class Render(BaseModel):
    id: str
    account_id: str
    created_at: float
    image_urls: list[str]
    source_media_ids: list[str | None]
    source_keys: list[str]
    webhook_url: str | None = None
    multi_view: bool = False
    # v1 renders keep what their variations inherit [D-V1]
    legacy: dict[str, Any] | None = None


class Results(BaseModel):
    """Media ids of one result image and its derivatives."""

    url: str
    optimized_url: str
    thumbnail_url: str


class VariationPlan(BaseModel):
    type: Literal["staging", "removal", "daytodusk", "enhancement"]
    config: dict[str, Any]
    base: Job | None = None
    room_type: str | None = None
    style: str | None = None
    resolution: Any = "default"
    note: str | None = None
    sky: str | None = None  # daytodusk: the config's sky_style
    is_base: bool = False  # a removal the next staging plans of its config build on
    on_new_base: bool = False  # builds on the nearest `is_base` removal planned before it


class Studio:
    def __init__(self, engine: Engine, vendor: str) -> None:
        self.engine, self.vendor = engine, vendor
        self._renders = Collection(engine.store, "vsai.render", Render)

    # renders

    def new_render(
        self,
        account_id: str,
        image_urls: list[str],
        webhook_url: str | None,
        legacy: dict[str, Any] | None = None,
        save: bool = True,
    ) -> Render:
        sources = [self.engine.media.source_for(url, account_id) for url in image_urls]
        render = Render(
            id=self.engine.ids.prefixed("rnd_", 20),
            account_id=account_id,
            created_at=self.engine.now(),
            image_urls=image_urls,
            source_media_ids=[s[0] for s in sources],
            source_keys=[s[1] for s in sources],
            webhook_url=webhook_url,
            multi_view=len(image_urls) > 1,
            legacy=legacy,
        )
        return self.save_render(render) if save else render

    def save_render(self, render: Render) -> Render:
        return self._renders.save(render, render.account_id)

    def render_of(self, job: Job) -> Render:
        render = self._renders.get(job.group or "")
        assert render is not None, f"variation {job.id} has no render"
        return render

    def get_render(self, account_id: str, render_id: str) -> Render:
        render = self._renders.get(render_id)
        if render is None or render.account_id != account_id:
            raise ApiError(404, f"Render {render_id} not found", field="render_id")
        return render

    def renders(self, account_id: str) -> list[Render]:
        return self._renders.list(account_id)

    def variations(self, render: Render) -> list[Job]:
        return self.engine.jobs.list(render.account_id, group=render.id)

    def get_variation(self, render: Render, variation_id: str) -> Job:
        job = self.engine.jobs.get(variation_id)
        if job is None or job.group != render.id:
            raise ApiError(404, f"Variation {variation_id} not found", field="variation_id")
        return job

    # planning variations

    def plans_for(self, render: Render, config: AnyConfig, count: int) -> list[VariationPlan]:
        """What `count` variations of `config` add to `render`, removal base included."""
        echo = config.model_dump(exclude={"variation_count"}, exclude_none=True)
        resolution = config.output_resolution
        if isinstance(config, m.DayToDuskConfig):
            kind = VariationPlan(
                type="daytodusk",
                config=echo,
                resolution=resolution,
                note=f"sky: {config.sky_style}",
                sky=config.sky_style,
            )
            return [kind] * count
        if isinstance(config, m.EnhancementConfig):
            return [VariationPlan(type="enhancement", config=echo, resolution=resolution)] * count
        add, remove = config.add_furniture, config.remove_furniture
        removing = remove is not None and remove.mode != "off"
        if add is None:
            return [VariationPlan(type="removal", config=echo, resolution=resolution)] * count
        if render.multi_view and (removing or add.room_type not in m.MULTI_VIEW_ROOMS):
            raise ApiError(
                400,
                "config.add_furniture.room_type: multi-view staging supports bed and living only, "
                "without remove_furniture",
                field="config.add_furniture.room_type",
            )
        base = (
            self._base_variation(render, add.base_variation_id) if add.base_variation_id else None
        )
        style = m.DEPRECATED_STYLES.get(add.style, add.style)
        staging = VariationPlan(
            type="staging",
            config=echo,
            base=base,
            room_type=add.room_type,
            style=style,
            resolution=resolution,
            on_new_base=removing and base is None,
        )
        plans = [staging] * count
        if removing and base is None:
            removal_echo = {"type": "staging", "remove_furniture": echo["remove_furniture"]}
            removal = VariationPlan(
                type="removal", config=removal_echo, resolution=resolution, is_base=True
            )
            plans.insert(0, removal)
        return plans

    def _base_variation(self, render: Render, variation_id: str) -> Job:
        job = self.engine.jobs.get(variation_id)
        if job is None or job.group != render.id or job.params.get("type") != "removal":
            raise ApiError(
                400,
                f"config.add_furniture.base_variation_id: {variation_id} is not a removal variation "
                "of this render",
                field="config.add_furniture.base_variation_id",
            )
        return job

    def plans_for_all(
        self, render: Render, configs: list[AnyConfig], default_count: int
    ) -> list[VariationPlan]:
        """Plans of several configs, each with its own `variation_count` or the request's."""
        return [
            plan
            for config in configs
            for plan in self.plans_for(render, config, config.variation_count or default_count)
        ]

    def check_room(self, render: Render, planned: int) -> None:
        existing = len(self.variations(render))
        if existing + planned > m.MAX_VARIATIONS_PER_RENDER:
            raise ApiError(
                400,
                f"variation_count: a render holds at most {m.MAX_VARIATIONS_PER_RENDER} variations "
                f"({existing} exist, {planned} requested)",
                field="variation_count",
            )

    def create(
        self, render: Render, plans: list[VariationPlan], outcome: JobPlan, webhook_url: str | None
    ) -> list[Job]:
        """Create the planned variations, each staging plan on the removal it builds on."""
        jobs: list[Job] = []
        new_base: Job | None = None
        for index, plan in enumerate(plans):
            base = new_base if plan.on_new_base else plan.base
            job = self._create_one(render, plan, base, index, len(plans), outcome, webhook_url)
            if plan.is_base:
                new_base = job
            jobs.append(job)
        return jobs

    def _create_one(
        self,
        render: Render,
        plan: VariationPlan,
        base: Job | None,
        index: int,
        total: int,
        outcome: JobPlan,
        webhook_url: str | None,
    ) -> Job:
        job_id = self.engine.ids.prefixed("var_", 20)
        base_failed = base is not None and base.fails
        fails = outcome.fails or base_failed
        results = [
            self._plan_results(render, plan, job_id, source, base, index, total)
            for source in range(len(render.image_urls))
        ]
        return self.engine.jobs.create(
            id=job_id,
            vendor=self.vendor,
            account_id=render.account_id,
            operation=plan.type,
            timing=TIMINGS[plan.type],
            group=render.id,
            params={
                "type": plan.type,
                "config": plan.config,
                "base_variation_id": base.id if base else None,
                "results": [r.model_dump() for r in results],
                "webhook_url": webhook_url,
            },
            outputs=[r.url for r in results],
            fails=fails,
            error=(BASE_FAILED if base_failed else outcome.error) if fails else None,
            slow=outcome.slow,
            not_before=base.finished_at if base else None,
        )

    def _plan_results(
        self,
        render: Render,
        plan: VariationPlan,
        job_id: str,
        source: int,
        base: Job | None,
        index: int,
        total: int,
    ) -> Results:
        # [C-LL] "default >=1536px, up to 3072px long edge"; 1536 asks for exactly 1536.
        exact = plan.resolution == 1536
        spec = RenderSpec(
            vendor=VENDOR_TITLE,
            operation=OPERATIONS[plan.type],  # type: ignore[arg-type]
            room_type=plan.room_type,
            style=plan.style,
            variation=index + 1,
            variations=total,
            source_key=render.source_keys[source],
            min_long_edge=1536,
            max_long_edge=1536 if exact else 3072,
            note=plan.note,
            sky=plan.sky,
            emptied=base is not None,  # staged over the removal base: the same room, emptied
        )
        source_id = render.source_media_ids[source]
        media = self.engine.media
        main = media.plan_render(render.account_id, job_id, spec, source_id)
        return Results(
            url=main.id,
            optimized_url=media.plan_derivative(main, "optimized").id,
            thumbnail_url=media.plan_derivative(main, "thumbnail").id,
        )

    # views (snake_case, epoch milliseconds)

    def result_urls(self, job: Job) -> list[dict[str, str]]:
        library = self.engine.media
        out = []
        for ids in job.params["results"]:
            found = {key: library.get(media_id) for key, media_id in ids.items()}
            out.append({key: library.url(media) for key, media in found.items() if media})
        return out

    def result_view(self, render: Render, job: Job) -> Any:
        """One result object, or an array of them for multi-view [D-WH]."""
        results = self.result_urls(job)
        return results if render.multi_view else results[0]

    def variation_view(self, render: Render, job: Job, now: float) -> dict[str, Any]:
        state = job.state(now)
        view: dict[str, Any] = {
            "id": job.id,
            "type": job.params["type"],
            "render_id": render.id,
            "created_at": epoch_ms(job.created_at),
            "status": STATUS_WORDS[state],
        }
        if state == JobState.SUCCEEDED:
            view["result"] = self.result_view(render, job)
        if job.params.get("base_variation_id"):
            view["base_variation_id"] = job.params["base_variation_id"]
        view["eta"] = None if state.finished else epoch_ms(job.finished_at)
        view["config"] = job.params["config"]
        if state == JobState.FAILED:
            view["error_message"] = job.error
        return view

    def render_view(
        self,
        render: Render,
        *,
        include_variations: bool = True,
        limit: int = m.MAX_VARIATIONS_PER_RENDER,
        cursor: str | None = None,
        order: str = "asc",
    ) -> dict[str, Any]:
        now = self.engine.now()
        jobs = self.variations(render)
        pending = [j.finished_at for j in jobs if not j.state(now).finished]
        view: dict[str, Any] = {
            "id": render.id,
            "created_at": epoch_ms(render.created_at),
            "queued_at": epoch_ms(render.created_at),
            "eta": epoch_ms(min(pending)) if pending else None,
        }
        if include_variations:
            ordered = jobs if order == "asc" else list(reversed(jobs))
            page, next_cursor = page_after(
                ordered, cursor=cursor, limit=limit, key=lambda j: j.id, field="variations_cursor"
            )
            view["variations"] = {
                "total_count": len(jobs),
                "next_cursor": next_cursor,
                "items": [self.variation_view(render, j, now) for j in page],
            }
        return view

    def finished_at(self, jobs: list[Job]) -> float:
        return max((j.finished_at for j in jobs), default=self.engine.now())
