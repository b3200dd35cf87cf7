"""End to end, as an integration would run it over real HTTP: a photo as a data URL, objects removed,
the emptied room staged at scale factor 2 with its answer also POSTed to a webhook receiver, the
walls primed through the legacy file call and that result upscaled; every image fetched or decoded
and checked for its size."""

from __future__ import annotations

import base64

import pytest

from ..support import EmulatorControl, WebhookReceiver, decode_image, jpeg_data_url
from .client import Decor8Client, encoded, fitted

pytestmark = pytest.mark.emulator_only


def test_remove_stage_prime_upscale(
    decor8: Decor8Client, emulator: EmulatorControl, webhook_receiver: WebhookReceiver, account
):
    assert decor8.speak_friend_and_enter().json()["Status"] == 1
    photo = jpeg_data_url((1200, 900), color=(90, 120, 160))

    emptied = decor8.ok("/remove_objects_from_room", {"input_image_url": photo})["image"]
    decor8.check_images([emptied], (768, 576))

    hook = webhook_receiver.url_for("d8/done")
    staged = decor8.ok(
        "/generate_designs_for_room",
        {
            "input_image_url": emptied["url"],
            "room_type": "LIVINGROOM",
            "design_style": "SCANDINAVIAN",
            "num_images": 2,
            "scale_factor": 2,
            "color_scheme": "COLOR_SCHEME_8",
            "webhooks_data": hook,
        },
    )
    decor8.check_images(staged["images"], fitted((768, 576), 1536))
    again = decor8.ok(
        "/generate_designs_for_room",
        {"input_image_url": emptied["url"], "room_type": "livingroom",
         "design_style": "scandinavian", "mask_info": staged["mask_info"]},
    )  # fmt: skip
    decor8.check_images(again["images"], (768, 576))
    emulator.advance(0)
    [delivery] = webhook_receiver.received("/d8/done")
    assert delivery.json["info"] == staged

    _, first = decor8.image_at(staged["images"][0]["url"])
    primed = decor8.ok("/prime_the_room_walls", image=encoded(first.resize((640, 480)), "JPEG"))
    [image] = primed["images"]
    primed_bytes = base64.b64decode(image["data"])
    assert decode_image(primed_bytes).size == (768, 576)

    upscaled = decor8.ok("/upscale_image", {"scale_factor": 2}, image=primed_bytes)
    assert decode_image(base64.b64decode(upscaled["upscaled_image"])).size == (1536, 1152)

    meters = account()["meters"]
    assert meters["images_generated"] == 1 + 2 + 1 + 1 + 1
