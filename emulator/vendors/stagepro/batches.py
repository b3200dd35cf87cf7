"""Batches [DOC]: one job type over many listing photos; workflows [DOC]: a template expanded into
a batch. [PROPOSED] shapes, counts by state and the terminal statuses `completed`,
`partially_failed` and `failed` (notes 2.2).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from ...core.clock import iso8601
from ...core.errors import ApiError
from ...core.jobs import Job, JobState
from ...core.store import Collection, Store
from .jobs import STATUS_WORDS


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
        members = self.members(batch)
        words = [STATUS_WORDS[j.state(now)] for j in members]
        counts = {
            "total": len(members),
            **{w: words.count(w) for w in ("queued", "processing", "completed", "failed")},
        }
        finished = all(j.state(now).finished for j in members)
        return {
            "id": batch.id,
            "object": "batch",
            "status": batch_status(counts),
            "type": batch.type,
            "listing_id": batch.listing_id,
            "workflow_id": batch.workflow_id,
            "job_ids": batch.job_ids,
            "counts": counts,
            "metadata": batch.metadata,
            "webhook_endpoint_id": batch.webhook_endpoint_id,
            "created_at": iso8601(batch.created_at),
            "completed_at": iso8601(max(j.finished_at for j in members)) if finished else None,
        }

    def workflow_view(self, workflow: Workflow, now: float) -> dict[str, Any]:
        batch = self._batches.get(workflow.batch_id)
        assert batch is not None
        shown = self.view(batch, now)
        return {
            "workflow_id": workflow.id,
            "id": workflow.id,
            "object": "workflow",
            "template": workflow.template,
            "batch_id": batch.id,
            "listing_id": workflow.listing_id,
            "job_ids": batch.job_ids,
            "status": shown["status"],
            "counts": shown["counts"],
            "created_at": iso8601(workflow.created_at),
            "completed_at": shown["completed_at"],
        }


def batch_status(counts: dict[str, int]) -> str:
    total, done, failed = counts["total"], counts["completed"], counts["failed"]
    if done + failed < total:
        return "queued" if counts["queued"] == total else "processing"
    if failed == 0:
        return "completed"
    return "failed" if done == 0 else "partially_failed"


__all__ = ["Batch", "Batches", "JobState", "Workflow", "batch_status"]
