"""Collov tasks and how the polling endpoints show them.

A task is a stored document (what the client asked, echoed back); each generation of it is an
engine job grouped under the task, so a design's `generateRecordList` is its jobs in request order
and regenerating appends one [DOC]. Empty-room tasks have numeric ids [DOC]; the others 32-hex
uuids (notes 1.3).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from ...core.engine import Engine
from ...core.errors import ApiError
from ...core.jobs import Job, JobState
from ...core.store import Collection
from ...core.video import SlideshowSpec
from . import proposed

Kind = Literal["design", "empty_room", "edit", "tour"]

STATUS_WORDS = {
    JobState.QUEUED: proposed.PENDING,
    JobState.PROCESSING: proposed.PENDING,
    JobState.SUCCEEDED: proposed.SUCCESS,
    JobState.FAILED: proposed.FAILED,
}


class Task(BaseModel):
    id: str
    kind: Kind
    account_id: str
    created_at: float
    fields: dict[str, Any] = Field(default_factory=dict)  # the request, as the polls echo it
    slideshow: SlideshowSpec | None = None  # a tour's video, planned at once


class Tasks:
    def __init__(self, engine: Engine, vendor: str) -> None:
        self.engine, self.vendor = engine, vendor
        self._items = Collection(engine.store, "collov.task", Task)

    def new(
        self,
        account_id: str,
        kind: Kind,
        fields: dict[str, Any],
        slideshow: SlideshowSpec | None = None,
    ) -> Task:
        if kind == "empty_room":
            task_id = str(proposed.EMPTY_ROOM_ID_BASE + self.engine.store.next_counter("collov"))
        else:
            task_id = self.engine.ids.hex()
        task = Task(
            id=task_id,
            kind=kind,
            account_id=account_id,
            created_at=self.engine.now(),
            fields=fields,
            slideshow=slideshow,
        )
        return self._items.save(task, account_id)

    def find(self, account_id: str, task_id: str, kinds: tuple[Kind, ...]) -> Task | None:
        """The account's task of one of `kinds`, or None."""
        task = self._items.get(task_id)
        if task is None or task.account_id != account_id or task.kind not in kinds:
            return None
        return task

    def get(self, account_id: str, task_id: str, kinds: tuple[Kind, ...], field: str) -> Task:
        """The account's task of one of `kinds`, or the business error naming `field`."""
        task = self.find(account_id, task_id, kinds)
        if task is None:
            raise self.not_found(kinds, field)
        return task

    @staticmethod
    def not_found(kinds: tuple[Kind, ...], field: str) -> ApiError:
        """The business error for a task `field` names that the caller has none of."""
        what = {"design": "design task", "tour": "video task"}.get(kinds[0], "task")
        return ApiError(400, proposed.NOT_FOUND.format(field=field, what=what), field=field)

    def generations(self, task: Task) -> list[Job]:
        """The task's jobs in request order (one for all but a design, which appends)."""
        return [
            j
            for j in self.engine.jobs.list(task.account_id, group=task.id)
            if j.vendor == self.vendor
        ]

    # views

    def status(self, job: Job) -> str:
        return STATUS_WORDS[job.state(self.engine.now())]

    def result_url(self, job: Job, index: int = 0) -> str | None:
        """A result's URL once its job has succeeded (the media answers 404 before)."""
        if job.state(self.engine.now()) != JobState.SUCCEEDED or len(job.outputs) <= index:
            return None
        media = self.engine.media.get(job.outputs[index])
        return self.engine.media.url(media) if media else None

    def common(self, job: Job) -> dict[str, Any]:
        """`status`, `failReason`, `createTime` and `durationTime` of one generation."""
        state = job.state(self.engine.now())
        return {
            "status": STATUS_WORDS[state],
            "failReason": job.error if state == JobState.FAILED else None,
            "createTime": _time(job.created_at),
            "durationTime": round(job.finished_at - job.created_at) if state.finished else None,
        }

    def record(self, job: Job, number: int) -> dict[str, Any]:
        """One GenerateRecord of a design [DOC]; `id` counts from 1 within the task."""
        return {"id": number, **self.common(job), "generateUrl": self.result_url(job)}

    def design_view(self, task: Task) -> dict[str, Any]:
        """GET /vst/getRecord [DOC]: the top level follows the latest generation, which is also
        `aiGenerateRecord`; `generateRecordList` holds every generation in request order."""
        records = [self.record(job, n) for n, job in enumerate(self.generations(task), 1)]
        latest = records[-1]
        return {
            "uuid": task.id,
            **task.fields,
            "status": latest["status"],
            "durationTime": latest["durationTime"],
            "watermark": proposed.WATERMARK,
            "proMode": proposed.PRO_MODE,
            "failReason": latest["failReason"],
            "createTime": _time(task.created_at),
            "aiGenerateRecord": latest,
            "generateRecordList": records,
        }

    def empty_room_view(self, task: Task) -> dict[str, Any]:
        """GET /vst/getEmptyRoomRecord?id= [DOC]: both URL fields carry the result (notes 1.3)."""
        [job] = self.generations(task)
        url = self.result_url(job)
        return {
            "id": int(task.id),
            **task.fields,
            **self.common(job),
            "emptyRoomUrl": url,
            "generateUrl": url,
        }

    def edit_view(self, task: Task) -> dict[str, Any]:
        """GET /edit/getRecord?uuid= [CLIENT]: status and generateUrl flat on `data`."""
        [job] = self.generations(task)
        return {
            "uuid": task.id,
            **task.fields,
            **self.common(job),
            "generateUrl": self.result_url(job),
        }

    def tour_view(self, task: Task) -> dict[str, Any]:
        """GET /vgs/loadVideoInfo?taskId= (notes 1.3): the video and its cover once done."""
        [job] = self.generations(task)
        return {
            "taskId": task.id,
            **task.fields,
            **self.common(job),
            "videoUrl": self.result_url(job, 0),
            "coverUrl": self.result_url(job, 1),
        }


def _time(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime(proposed.TIME_FORMAT)
