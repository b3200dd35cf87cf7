"""Batches [DOC]: one job type over many listing photos; workflows [DOC]: a template expanded into
a batch. [PROPOSED] shapes, counts by state and the terminal statuses `completed`,
`partially_failed` and `failed` (notes 2.2).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import Response

from ...core.clock import iso8601
from ...core.errors import ApiError
from ...core.http import json_response, read_json_object
from ...core.jobs import Job
from ...core.openapi import operation
from ...core.store import Collection, Store
from . import answers as a
from . import capabilities as caps
from . import models as m
from .jobs import STATUS_WORDS, JobRequest

if TYPE_CHECKING:
    from .api import Caller


class Batch(BaseModel):
    id: str
    account_id: str
    type: str
    listing_id: str | None = None
    job_ids: list[str]
    webhook_endpoint_id: str | None = None
    workflow_id: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    created_at: float


class Workflow(BaseModel):
    id: str
    account_id: str
    template: str
    batch_id: str
    listing_id: str | None = None
    created_at: float


class Batches:
    def __init__(self, store: Store, jobs: Any) -> None:
        self._batches = Collection(store, "stagepro.batch", Batch)
        self._workflows = Collection(store, "stagepro.workflow", Workflow)
        self.jobs = jobs  # engine Jobs

    def save(self, batch: Batch) -> Batch:
        return self._batches.save(batch, batch.account_id)

    def save_workflow(self, workflow: Workflow) -> Workflow:
        return self._workflows.save(workflow, workflow.account_id)

    def get(self, account_id: str, batch_id: str) -> Batch:
        batch = self._batches.get(batch_id)
        if batch is None or batch.account_id != account_id:
            raise ApiError(404, f"Batch {batch_id} not found", code="not_found")
        return batch

    def find(self, batch_id: str) -> Batch | None:
        return self._batches.get(batch_id)

    def get_workflow(self, account_id: str, workflow_id: str) -> Workflow:
        workflow = self._workflows.get(workflow_id)
        if workflow is None or workflow.account_id != account_id:
            raise ApiError(404, f"Workflow {workflow_id} not found", code="not_found")
        return workflow

    def members(self, batch: Batch) -> list[Job]:
        return [j for j in (self.jobs.get(i) for i in batch.job_ids) if j is not None]

    def is_last(self, batch: Batch, job: Job) -> bool:
        """Whether `job` is the member that ends the batch (ties broken by id)."""
        last = max(self.members(batch), key=lambda j: (j.finished_at, j.id))
        return last.id == job.id

    def view(self, batch: Batch, now: float) -> dict[str, Any]:
        return self.answer(batch, now).model_dump()

    def answer(self, batch: Batch, now: float) -> a.Batch:
        members = self.members(batch)
        words = [STATUS_WORDS[j.state(now)] for j in members]
        counts = a.Counts(
            total=len(members),
            **{w: words.count(w) for w in ("queued", "processing", "completed", "failed")},
        )
        finished = all(j.state(now).finished for j in members)
        return a.Batch(
            id=batch.id,
            status=batch_status(counts),
            type=batch.type,
            listing_id=batch.listing_id,
            workflow_id=batch.workflow_id,
            job_ids=batch.job_ids,
            counts=counts,
            metadata=batch.metadata,
            webhook_endpoint_id=batch.webhook_endpoint_id,
            created_at=iso8601(batch.created_at),
            completed_at=iso8601(max(j.finished_at for j in members)) if finished else None,
        )

    def workflow_view(self, workflow: Workflow, now: float) -> dict[str, Any]:
        return self.workflow_answer(workflow, now).model_dump()

    def workflow_answer(self, workflow: Workflow, now: float) -> a.Workflow:
        batch = self._batches.get(workflow.batch_id)
        assert batch is not None
        shown = self.answer(batch, now)
        return a.Workflow(
            workflow_id=workflow.id,
            id=workflow.id,
            template=workflow.template,
            batch_id=batch.id,
            listing_id=workflow.listing_id,
            job_ids=batch.job_ids,
            status=shown.status,
            counts=shown.counts,
            created_at=iso8601(workflow.created_at),
            completed_at=shown.completed_at,
        )


def batch_status(counts: a.Counts) -> str:
    total, done, failed = counts.total, counts.completed, counts.failed
    if done + failed < total:
        return "queued" if counts.queued == total else "processing"
    if failed == 0:
        return "completed"
    return "failed" if done == 0 else "partially_failed"


class BatchEndpoints:
    """POST/GET /batches and /workflows, mixed into the StagePro vendor."""

    @operation(body=m.CreateBatch, response=a.BatchCreated, status=202, errors=a.CHARGED)
    async def create_batch(self, request: Request) -> Response:
        """One job type over many listing photos (all or nothing)."""
        me = self.caller(request, "create_batch")
        body = m.parse(m.CreateBatch, await read_json_object(request))
        batch, jobs = await self._run_batch(
            me, body.type, body.input, body, shared_name="input", operation="create_batch"
        )
        created = a.BatchCreated(batch_id=batch.id, job_ids=batch.job_ids, total=len(jobs))
        return json_response(created.model_dump(), 202)

    @operation(response=a.Batch, errors=a.ANY_CALL)
    async def get_batch(self, request: Request) -> Response:
        """A batch: its jobs counted by status."""
        me = self.caller(request, "get_batch")
        batch = self.batches.get(me.account.id, request.path_params["batch_id"])
        return json_response(self.batches.view(batch, self.engine.now()))

    @operation(body=m.CreateWorkflow, response=a.Workflow, status=202, errors=a.CHARGED)
    async def create_workflow(self, request: Request) -> Response:
        """A workflow template run over listing photos (a batch of its job type)."""
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
        answer = self.batches.workflow_answer(workflow, self.engine.now())
        return json_response(answer.model_copy(update={"status": "queued"}).model_dump(), 202)

    @operation(response=a.Workflow, errors=a.ANY_CALL)
    async def get_workflow(self, request: Request) -> Response:
        """A workflow: its batch's progress."""
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
