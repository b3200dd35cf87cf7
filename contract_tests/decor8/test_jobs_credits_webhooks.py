"""The emulator side of a synchronous vendor: every call is a job (listed, timed on the clock,
reached by fault rules and magic inputs), images are counted against credits, and `webhooks_data`
naming a URL gets the answer POSTed to it [INFERRED, notes 4]."""

from __future__ import annotations

import json

import pytest

from ..support import DEEP_JSON, EmulatorControl, WebhookReceiver, jpeg_bytes
from .client import SLUG, Decor8Client, assert_error, info_of, source_url

pytestmark = pytest.mark.emulator_only

ROOM = "/generate_designs_for_room"


def room_body(**fields):
    return {
        "input_image_url": source_url(),
        "room_type": "bedroom",
        "design_style": "boho",
    } | fields


def test_each_call_is_a_finished_job_and_time_moved(decor8: Decor8Client, emulator):
    before = emulator.now()
    info = decor8.ok(ROOM, room_body(num_images=2))
    after = emulator.now()
    assert after - before >= 12  # 15 s of generation, +-20%: the call waited it out
    [job] = emulator.jobs(SLUG, decor8.api_key)
    assert job["operation"] == "generate_designs_for_room"
    assert job["state"] == "succeeded"
    assert len(job["outputs"]) == 2
    assert job["output_urls"] == [i["url"] for i in info["images"]]


@pytest.mark.parametrize(
    ("path", "body", "image"),
    [
        ("/generate_image_captions", {"room_type": "cafe", "design_style": "global"}, None),
        ("/upscale_image", {"scale_factor": 2}, jpeg_bytes((200, 100))),
        ("/remove_objects_from_room", {"input_image_url": source_url()}, None),
    ],
)
def test_other_calls_are_jobs_too(decor8: Decor8Client, emulator, path, body, image):
    assert decor8.post(path, body, image=image).status_code == 200
    [job] = emulator.jobs(SLUG, decor8.api_key)
    assert job["operation"] == path.strip("/")
    assert job["state"] == "succeeded"


def test_magic_fail_answers_the_error_body_and_costs_nothing(decor8: Decor8Client, account):
    body = room_body(input_image_url=source_url("room-emulator-fail"), num_images=3)
    response = decor8.post(ROOM, body)
    assert_error(response, 500, "GenerationFailed")
    assert account()["credits"] == 10_000
    assert account()["meters"].get("images_generated", 0) == 0


def test_magic_fail_in_a_prompt(decor8: Decor8Client):
    body = {"room_type": "bedroom", "design_style": "boho", "prompt": "emulator-fail please"}
    assert_error(decor8.post("/generate_inspirational_designs", body), 500, "GenerationFailed")


def test_magic_unavailable_is_503(decor8: Decor8Client, emulator):
    body = room_body(input_image_url=source_url("x") + "?emulator-unavailable")
    assert_error(decor8.post(ROOM, body), 503, "ServiceUnavailable")
    assert emulator.jobs(SLUG, decor8.api_key) == []


def test_magic_slow_takes_ten_times_as_long(decor8: Decor8Client, emulator):
    before = emulator.now()
    decor8.ok("/remove_objects_from_room", {"input_image_url": source_url("emulator-slow")})
    assert emulator.now() - before >= 10  # 1.7 s x 10, +-20%


def test_fault_rules_reach_every_handler(decor8: Decor8Client, emulator: EmulatorControl):
    with emulator.fault(
        vendor=SLUG, operation="change_wall_color", action="error", status=429, message="Slow down"
    ):
        body = {"input_image_url": source_url(), "wall_color_hex_code": "#123456"}
        assert_error(decor8.post("/change_wall_color", body), 429, "RateLimited", "Slow down")
    with emulator.fault(
        vendor=SLUG, operation="upscale_image", action="fail_job", message="GPU on fire", times=1
    ):
        response = decor8.post("/upscale_image", image=jpeg_bytes((100, 100)))
        assert_error(response, 500, "GenerationFailed", "GPU on fire")
        assert decor8.post("/upscale_image", image=jpeg_bytes((100, 100))).status_code == 200
    with emulator.fault(vendor=SLUG, operation="speak_friend_and_enter", status=503, times=1):
        assert_error(decor8.speak_friend_and_enter(), 503, "ServiceUnavailable")
    states = sorted(j["state"] for j in emulator.jobs(SLUG, decor8.api_key))
    assert states == ["failed", "succeeded"]


# credits and meters [INFERRED: Decor8's metering is not public]


def test_images_are_counted_and_charged(decor8: Decor8Client, account):
    decor8.ok(ROOM, room_body(num_images=3))
    decor8.ok("/generate_designs", {"room_type": "gym", "design_style": "modern", "num_images": 2,
                                    "num_captions": 1}, image=jpeg_bytes())  # fmt: skip
    decor8.ok("/generate_image_captions", {"room_type": "gym", "design_style": "modern",
                                           "num_captions": 3})  # fmt: skip
    state = account()
    assert state["credits"] == 10_000 - 5
    assert state["meters"]["images_generated"] == 5
    assert state["meters"]["captions_generated"] == 3


def test_no_credits_key_is_refused(decor8_as, emulator):
    client = decor8_as("no-credits")
    response = client.post(ROOM, room_body())
    assert_error(response, 402, "InsufficientCredits", "credit")
    assert emulator.jobs(SLUG, client.api_key) == []


def test_control_api_exhausts_the_account(decor8: Decor8Client, emulator: EmulatorControl):
    decor8.ok(ROOM, room_body())
    emulator.set_account(SLUG, decor8.api_key, credits=1)
    assert_error(decor8.post(ROOM, room_body(num_images=2)), 402, "InsufficientCredits", "2")
    decor8.ok(ROOM, room_body(num_images=1))
    assert_error(decor8.post(ROOM, room_body()), 402, "InsufficientCredits", "0")
    assert emulator.credits(SLUG, decor8.api_key) == 0


def test_low_credits_key(decor8_as):
    client = decor8_as("low-credits")
    info_of(client.post(ROOM, room_body(num_images=2)))
    assert_error(client.post(ROOM, room_body()), 402, "InsufficientCredits")


# webhooks_data


@pytest.mark.parametrize("shape", ["url", "json-object", "json-string"])
def test_webhooks_data_url_gets_the_answer(
    decor8: Decor8Client, emulator, webhook_receiver: WebhookReceiver, shape
):
    url = webhook_receiver.url_for("decor8/hook")
    webhooks_data = {
        "url": url,
        "json-object": json.dumps({"url": url, "meta": {"order": 7}}),
        "json-string": json.dumps(url),
    }[shape]
    response = decor8.post(ROOM, room_body(webhooks_data=webhooks_data, num_images=2))
    answer = response.json()
    assert answer["error"] == ""
    emulator.advance(0)  # deliveries due on the way go out right after the answer
    [received] = webhook_receiver.received("/decor8/hook")
    assert received.json == answer
    assert received.headers["content-type"] == "application/json"
    [delivery] = emulator.deliveries(SLUG, decor8.api_key)
    assert delivery["state"] == "delivered"


def test_webhooks_data_on_a_failed_job_gets_the_error(
    decor8: Decor8Client, emulator, webhook_receiver: WebhookReceiver
):
    url = webhook_receiver.url_for("hook")
    body = room_body(input_image_url=source_url("emulator-fail"), webhooks_data=url)
    error = decor8.post(ROOM, body).json()
    emulator.advance(0)
    [received] = webhook_receiver.received("/hook")
    assert received.json == error and error["error"] == "GenerationFailed"


@pytest.mark.parametrize("value", ["just text", '{"event": "done"}', "ftp://x/y", '["a"]'])
def test_webhooks_data_without_a_url_is_accepted_and_ignored(decor8: Decor8Client, emulator, value):
    decor8.ok(ROOM, room_body(webhooks_data=value))
    emulator.advance(0)
    assert emulator.deliveries(SLUG, decor8.api_key) == []


@pytest.mark.parametrize("encoding", ["json", "form", "multipart"])
def test_webhooks_data_nested_too_deep_is_refused_naming_it(decor8: Decor8Client, encoding):
    response = decor8.post(ROOM, room_body(webhooks_data=DEEP_JSON), encoding=encoding)
    assert_error(response, 400, "InvalidParameter", "nested deeper", starts_with="webhooks_data")
