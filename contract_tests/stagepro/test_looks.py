"""Results that show what was asked (issue 12) [EMULATOR]: an empty-room job shows the room
emptied, not staged; twilight tools paint a dark sky, night-to-day and sky-enhancement a daylight
one; every listing tool has a look of its own kind."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image, ImageStat

from emulator.vendors.stagepro import capabilities as caps

from .client import LISTING_TOOLS, StageProClient, job_body, photo_url

pytestmark = pytest.mark.emulator_only


def _result(sp: StageProClient, finish: Callable[[], Any], body: dict[str, Any]) -> Image.Image:
    job = sp.create_job_ok(body)
    finish()
    done = sp.job(job["id"])
    assert done["status"] == "completed", done
    return sp.fetch(done["output"]["image_url"]).convert("RGB")


def _sky(img: Image.Image) -> tuple[float, float, float]:
    """Mean colour of the top tenth of the picture, where a new sky is fully drawn."""
    r, g, b = ImageStat.Stat(img.crop((0, 0, img.width, img.height // 10))).mean
    return r, g, b


def test_an_empty_room_differs_from_a_staged_one(sp: StageProClient, finish: Callable[[], Any]):
    photo = photo_url()
    staged = _result(sp, finish, job_body(image_url=photo))
    emptied = _result(sp, finish, job_body("empty-room", image_url=photo))
    again = _result(sp, finish, job_body("empty-room", image_url=photo))
    assert staged.size == emptied.size
    assert staged.tobytes() != emptied.tobytes()
    assert emptied.tobytes() == again.tobytes()  # deterministic: the same request, the same room


def test_twilight_skies_are_dark_and_day_skies_bright(
    sp: StageProClient, finish: Callable[[], Any]
):
    photo = photo_url()
    skies = {
        tool: _sky(
            _result(sp, finish, job_body("listing-tool", image_url=photo, listing_tool=tool))
        )
        for tool in ("virtual-twilight", "natural-twilight", "night-to-day", "sky-enhancement")
    }
    for tool in ("virtual-twilight", "natural-twilight"):
        assert sum(skies[tool]) < 3 * 110, skies
    for tool in ("night-to-day", "sky-enhancement"):
        r, _, b = skies[tool]
        assert b > r + 60 and sum(skies[tool]) > sum(skies["virtual-twilight"]) + 150, skies


def test_every_listing_tool_has_a_look_fitting_its_name():
    looks = {tool: caps.TOOL_LOOKS[tool] for tool in LISTING_TOOLS}
    kinds = {tool: look.operation for tool, look in looks.items()}
    assert kinds["furniture-eraser"] == "empty"
    assert {kinds[t] for t in ("natural-twilight", "virtual-twilight")} == {"twilight"}
    assert {kinds[t] for t in ("night-to-day", "sky-enhancement", "rain-to-shine")} == {"sky"}
    assert looks["night-to-day"].sky == "day"
    for tool in ("driveway-car-removal", "driveway-leaf-removal", "room-declutter"):
        assert kinds[tool] == "declutter"
    # tools drawn with the enhance look say on the picture what they did
    assert all(look.prompt for look in looks.values() if look.operation == "enhance")


def test_an_edit_quotes_its_prompt_on_the_picture(sp: StageProClient, finish: Callable[[], Any]):
    photo = photo_url()
    sage = _result(sp, finish, job_body("edit", image_url=photo, prompt="Paint the walls sage"))
    blue = _result(sp, finish, job_body("edit", image_url=photo, prompt="Add a blue rug"))
    assert sage.tobytes() != blue.tobytes()
