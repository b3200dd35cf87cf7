"""Every success answer, pending and finished, fits the answer models of the vendor's OpenAPI
document (`/collov/openapi.json`), so the document can be trusted by code generators."""

from __future__ import annotations

import pytest

from emulator.vendors.collov import answers as a

from .client import (
    FONTS,
    MUSIC,
    ORIENTATIONS,
    RESOLUTIONS,
    ROOM_TYPES,
    STYLES,
    CollovClient,
    photo_url,
    staging_body,
    tour_body,
)

pytestmark = pytest.mark.emulator_only


def test_answers_fit_the_documented_models(loaded: CollovClient, finish):
    design = a.UuidAnswer.model_validate(loaded.generate(staging_body()).json()).data.uuid
    room = a.EmptyRoomIdAnswer.model_validate(
        loaded.empty_room({"uploadUrl": photo_url()}).json()
    ).data.id
    edit = a.UuidAnswer.model_validate(
        loaded.edit({"uploadUrl": photo_url(), "prompt": "add a lamp"}).json()
    ).data.uuid
    tour = a.TaskIdAnswer.model_validate(loaded.tour(tour_body(photos=1)).json()).data.taskId
    failing = a.UuidAnswer.model_validate(
        loaded.generate(staging_body(uploadUrl=photo_url() + "?emulator-fail")).json()
    ).data.uuid
    for _ in range(2):  # pending, then finished
        a.DesignAnswer.model_validate(loaded.record(design).json())
        a.DesignAnswer.model_validate(loaded.record(failing).json())
        a.EmptyRoomOrEditAnswer.model_validate(loaded.empty_room_record(id=room).json())
        a.EmptyRoomOrEditAnswer.model_validate(loaded.empty_room_record(uuid=edit).json())
        a.EditAnswer.model_validate(loaded.edit_record(edit).json())
        a.TourAnswer.model_validate(loaded.video_info(tour).json())
        finish()
    a.UuidAnswer.model_validate(loaded.regenerate(design).json())


def test_the_document_lists_every_enum(collov: CollovClient):
    doc = collov.http.get(f"{collov.root}/openapi.json").json()
    schemas = doc["components"]["schemas"]
    design = schemas["GenerateImg"]["properties"]
    assert design["roomType"]["enum"] == ROOM_TYPES and design["style"]["enum"] == STYLES
    tour = schemas["VideoTask"]["properties"]
    assert tour["resolution"]["enum"] == RESOLUTIONS
    assert tour["orientation"]["enum"] == ORIENTATIONS
    assert tour["font"]["enum"] == FONTS and tour["music"]["enum"] == MUSIC
