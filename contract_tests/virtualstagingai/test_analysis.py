"""POST /v2/analyze (furniture mask) and POST /v2/multi-view-compatibility (and the [D-CC]
spelling /multi-view-compatability) [D-EP]; v1 POST /furniture/analyze [C-ANALYZE]."""

from __future__ import annotations

from typing import Any

import pytest

from ..support import WebhookReceiver, jpeg_data_url
from .client import V1, VsaiClient, assert_message, items, render_body, source_url, staging


def _assert_analysis(body: dict[str, Any]) -> None:
    assert isinstance(body["id"], str) and body["id"]
    assert isinstance(body["created_at"], int) and body["created_at"] > 1_000_000_000_000
    assert body["status"] in ("queued", "done", "error")


def _white_share(img) -> float:
    gray = img.convert("L")
    histogram = gray.histogram()
    return 100 * sum(histogram[128:]) / (gray.width * gray.height)


@pytest.mark.emulator_only
@pytest.mark.parametrize("base", ["/v2", "/apiV2", V1])
def test_analyze_is_synchronous_with_a_mask(vsai: VsaiClient, base):
    size = (900, 600)
    path = "/furniture/analyze" if base == V1 else "/analyze"
    response = vsai.request("POST", path, base=base, json={"image_url": jpeg_data_url(size)})
    assert response.status_code == 200, response.text
    body = response.json()
    _assert_analysis(body)
    assert body["status"] == "done"
    assert isinstance(body["percentage_masked"], (int, float))
    assert 0 <= body["percentage_masked"] <= 100
    kind, mask = vsai.image_at(body["result_url"])
    assert kind == "image/png" and mask.format == "PNG"
    assert mask.size == size  # the source's size
    histogram = mask.convert("L").histogram()
    assert sum(histogram[1:255]) == 0  # black and white only
    assert abs(_white_share(mask) - body["percentage_masked"]) <= 0.1


def test_analyze_outside_url(vsai: VsaiClient):
    response = vsai.analyze({"image_url": source_url()})
    assert response.status_code == 200, response.text
    body = response.json()
    _assert_analysis(body)
    assert body["result_url"].startswith("http")


@pytest.mark.parametrize(
    ("body", "start"),
    [
        ({}, "image_url"),
        ({"image_url": "ftp://example.com/a.jpg"}, "image_url"),
        ({"image_url": "data:text/plain;base64,aGk="}, "image_url"),
        ({"image_url": 5}, "image_url"),
        ({"image_url": "https://example.com/a.jpg", "webhook_url": "mailto:x@y.z"}, "webhook_url"),
    ],
)
def test_analyze_errors(vsai: VsaiClient, body, start):
    assert_message(vsai.analyze(body), 400, starts_with=start)


@pytest.mark.emulator_only
def test_analyze_with_webhook_answers_early_then_calls_back(
    vsai: VsaiClient, finish, webhook_receiver: WebhookReceiver
):
    hook = webhook_receiver.url_for("analysis")
    response = vsai.analyze({"image_url": jpeg_data_url((640, 480)), "webhook_url": hook})
    assert response.status_code == 200, response.text
    early = response.json()
    _assert_analysis(early)
    assert early["status"] == "queued"
    assert webhook_receiver.payloads("/analysis") == []
    finish()
    [payload] = webhook_receiver.payloads("/analysis")
    assert payload["event_type"] == "analysis_completion"
    assert payload["id"] == early["id"]
    assert isinstance(payload["timestamp"], int)
    _, mask = vsai.image_at(payload["result_url"])
    assert mask.size == (640, 480)
    assert abs(_white_share(mask) - payload["percentage_masked"]) <= 0.1


@pytest.mark.emulator_only
def test_analyze_failure(vsai: VsaiClient, finish, webhook_receiver: WebhookReceiver):
    url = "https://images.example.com/emulator-fail/room.jpg"
    sync = vsai.analyze({"image_url": url})
    assert sync.status_code == 200, sync.text
    assert sync.json()["status"] == "error"  # [C-REPRO] fails when status == "error"
    hook = webhook_receiver.url_for("analysis")
    early = vsai.analyze({"image_url": url, "webhook_url": hook}).json()
    finish()
    [payload] = webhook_receiver.payloads("/analysis")
    assert payload["event_type"] == "analysis_error"
    assert payload["id"] == early["id"]
    assert isinstance(payload["error_message"], str) and payload["error_message"]
    unavailable = vsai.analyze(
        {"image_url": "https://images.example.com/emulator-unavailable/a.jpg"}
    )
    assert_message(unavailable, 503)


# multi-view compatibility


def _result_urls(vsai: VsaiClient, finish, *sources: str, **config) -> list[str]:
    renders = [vsai.create_ok(render_body(staging(**config), image_url=s)) for s in sources]
    finish()
    urls = []
    for render in renders:
        [variation] = items(vsai.render_ok(render["id"]))
        url = variation["result"]["url"]
        vsai.image_at(url)
        urls.append(url)
    return urls


@pytest.mark.emulator_only
@pytest.mark.parametrize("spelling", ["compatibility", "compatability"])
def test_same_size_images_are_compatible(vsai: VsaiClient, finish, spelling):
    urls = _result_urls(
        vsai, finish, jpeg_data_url((1600, 1200)), jpeg_data_url((1600, 1200), color=(10, 20, 30))
    )
    response = vsai.compatibility({"image_urls": urls}, spelling)
    assert response.status_code == 200, response.text
    assert response.json() == {"compatible": True, "hard_rejected": False, "rejection_reason": None}


@pytest.mark.emulator_only
@pytest.mark.parametrize("spelling", ["compatibility", "compatability"])
def test_different_sizes_are_hard_rejected(vsai: VsaiClient, finish, spelling):
    urls = _result_urls(vsai, finish, jpeg_data_url((1600, 1200)), jpeg_data_url((1600, 900)))
    response = vsai.compatibility({"image_urls": urls}, spelling)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["compatible"] is False and body["hard_rejected"] is True
    assert isinstance(body["rejection_reason"], str) and body["rejection_reason"]


def test_different_size_data_urls_are_hard_rejected(vsai: VsaiClient):
    urls = [jpeg_data_url((640, 480)), jpeg_data_url((480, 640))]
    body = vsai.compatibility({"image_urls": urls}).json()
    assert body["hard_rejected"] is True


@pytest.mark.parametrize(
    "urls",
    [
        None,
        [],
        ["https://a/1.jpg"],
        ["https://a/1.jpg", "https://a/2.jpg", "https://a/3.jpg"],
        "https://a/1.jpg",
    ],
)
@pytest.mark.parametrize("spelling", ["compatibility", "compatability"])
def test_compatibility_needs_two_urls(vsai: VsaiClient, urls, spelling):
    body = {} if urls is None else {"image_urls": urls}
    assert_message(vsai.compatibility(body, spelling), 400, starts_with="image_urls")
