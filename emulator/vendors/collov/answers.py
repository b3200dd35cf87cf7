"""Answer bodies of Collov, for its OpenAPI document (`@operation(response=...)`).

The handlers build these answers as dicts (`tasks.Tasks` views); the schemathesis suite checks
every answer against these models, so the two cannot drift apart unnoticed. Shapes from notes.md
(the docs' samples were lost): [CLIENT] where real clients read them, else [PROPOSED].
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["PENDING", "SUCCESS", "FAILED"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")  # every field the handlers answer is listed


class _Answer(_Strict):
    code: Literal[200] = 200
    success: Literal[True] = True
    message: str = "success"


class _Progress(_Strict):
    status: Status
    failReason: str | None = Field(description="why it failed; null unless FAILED")
    createTime: str = Field(description="UTC, YYYY-MM-DD HH:MM:SS")
    durationTime: int | None = Field(
        description="whole seconds from request to end; null while pending"
    )


class Uuid(_Strict):
    uuid: str = Field(description="32 lowercase hex characters")


class UuidAnswer(_Answer):
    data: Uuid


class EmptyRoomId(_Strict):
    id: int


class EmptyRoomIdAnswer(_Answer):
    data: EmptyRoomId


class TaskId(_Strict):
    taskId: str


class TaskIdAnswer(_Answer):
    data: TaskId


class GenerateRecord(_Progress):
    id: int = Field(description="counts from 1 within the design")
    generateUrl: str | None = Field(description="the result, once SUCCESS")


class DesignRecord(_Progress):
    uuid: str
    uploadUrl: str
    emptyRoomUrl: str | None
    roomType: str
    style: str
    prompt: str
    watermark: bool
    proMode: bool
    aiGenerateRecord: GenerateRecord = Field(description="the latest generation")
    generateRecordList: list[GenerateRecord] = Field(description="every generation, in order")


class DesignAnswer(_Answer):
    data: DesignRecord


class EmptyRoomRecord(_Progress):
    id: int
    uploadUrl: str
    emptyRoomUrl: str | None
    generateUrl: str | None = Field(description="the same as emptyRoomUrl")


class EditRecord(_Progress):
    uuid: str
    uploadUrl: str
    prompt: str
    generateUrl: str | None


class EmptyRoomOrEditAnswer(_Answer):
    data: EmptyRoomRecord | EditRecord = Field(
        description="an empty room by `id`, a photo edit by `uuid`"
    )


class EditAnswer(_Answer):
    data: EditRecord


class TourInfo(_Progress):
    taskId: str
    resolution: Literal["1080p", "720p"]
    orientation: Literal["Landscape", "Portrait", "Square"]
    font: str | None
    music: str | None
    intro: str | None
    videoDuration: float = Field(description="seconds of video")
    videoUrl: str | None = Field(description="MP4 (H.264), once SUCCESS")
    coverUrl: str | None = Field(description="its first frame, JPEG")


class TourAnswer(_Answer):
    data: TourInfo
