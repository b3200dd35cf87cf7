"""Results that show what was asked (issue 12) [EMULATOR]: a removal shows the room emptied, not
staged; day-to-dusk paints the sky its `sky_style` names."""

from __future__ import annotations

from typing import Any

import pytest
from PIL import Image, ImageStat

from ..support import jpeg_data_url
from .client import VsaiClient, items, removal_only, render_body, staging

pytestmark = pytest.mark.emulator_only
PHOTO = jpeg_data_url((1536, 1024), color=(150, 150, 150))


def _result(vsai: VsaiClient, finish, config: dict[str, Any]) -> Image.Image:
    render = vsai.create_ok(render_body(config, image_url=PHOTO))
    finish()
    [variation] = items(vsai.render_ok(render["id"]))
    assert variation["status"] == "done", variation
    return vsai.image_at(variation["result"]["url"])[1].convert("RGB")


def _sky(img: Image.Image) -> tuple[float, float, float]:
    """Mean colour of the top tenth of the picture, where a new sky is fully drawn."""
    r, g, b = ImageStat.Stat(img.crop((0, 0, img.width, img.height // 10))).mean
    return r, g, b


def test_a_removal_shows_the_room_emptied_not_staged(vsai: VsaiClient, finish):
    staged = _result(vsai, finish, staging("bed", "scandinavian"))
    emptied = _result(vsai, finish, removal_only())
    assert staged.size == emptied.size
    assert staged.tobytes() != emptied.tobytes()
    # emptied: the grey photo muted, no furniture colours: close to grey in the middle band
    middle = emptied.crop((0, emptied.height // 3, emptied.width, emptied.height * 2 // 3))
    r, g, b = ImageStat.Stat(middle).mean
    assert max(r, g, b) - min(r, g, b) < 12, (r, g, b)


def test_day_to_dusk_paints_the_sky_it_names(vsai: VsaiClient, finish):
    skies = {
        style: _sky(_result(vsai, finish, {"type": "daytodusk", "sky_style": style}))
        for style in ("dusk", "golden", "blue")
    }
    golden, blue = skies["golden"], skies["blue"]
    assert golden[0] > golden[2] + 60, skies  # warm: red well above blue
    assert blue[2] > blue[0] + 25 and sum(blue) < sum(golden), skies  # dark blue
    assert len({tuple(round(c) for c in sky) for sky in skies.values()}) == 3, skies
