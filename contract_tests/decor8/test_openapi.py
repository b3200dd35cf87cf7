"""The OpenAPI document of Decor8 AI (`/decor8/openapi.json`): every call described from the models
that read its requests and build its answers."""

from __future__ import annotations

import httpx
import pytest

from emulator.vendors.decor8 import models as m

from .client import Decor8Client

pytestmark = pytest.mark.emulator_only


@pytest.fixture
def doc(decor8: Decor8Client, http: httpx.Client) -> dict:
    answer = http.get(decor8.root + "/openapi.json")
    assert answer.status_code == 200
    return answer.json()


def test_every_call_is_described_with_its_answer_and_errors(doc: dict):
    assert len(doc["paths"]) == 16
    for path, methods in doc["paths"].items():
        for op in methods.values():
            assert "Not described" not in op.get("description", ""), path
            assert "application/json" in op["responses"]["200"]["content"], path
            if path != "/speak_friend_and_enter":
                assert {"400", "401", "413"} <= set(op["responses"]), path
    welcome = doc["components"]["schemas"]["Welcome"]
    assert welcome["properties"]["Status"]["const"] == 1
    room = doc["paths"]["/generate_designs_for_room"]["post"]["responses"]
    error = room["402"]["content"]["application/json"]["schema"]
    assert error["required"] == ["error", "message"] and "500" in room


def test_bodies_by_encoding_with_files_where_files_are_taken(doc: dict):
    upload = doc["paths"]["/upscale_image"]["post"]["requestBody"]["content"]
    assert upload["multipart/form-data"]["schema"]["required"] == ["input_image"]
    assert upload["application/json"]["schema"]["required"] == ["input_image"]
    by_url = doc["paths"]["/change_wall_color"]["post"]["requestBody"]["content"]
    assert set(by_url) == {
        "application/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    }
    wall = doc["components"]["schemas"]["ChangeWallColor"]
    assert wall["required"] == ["input_image_url", "wall_color_hex_code"]
    assert wall["examples"]


def test_every_enum_is_listed(doc: dict):
    designs = doc["components"]["schemas"]["GenerateDesignsForRoom"]["properties"]
    assert designs["room_type"]["enum"] == list(m.ROOM_TYPES)
    assert designs["design_style"]["enum"] == list(m.DESIGN_STYLES)
    assert designs["color_scheme"]["enum"] == list(m.COLOR_SCHEMES)
    assert designs["num_images"]["maximum"] == m.MAX_IMAGES
    sky = doc["components"]["schemas"]["ReplaceSky"]["properties"]["sky_type"]
    assert sky["enum"] == list(m.SKY_TYPES)
