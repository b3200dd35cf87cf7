"""POST /v2/renders/{id}/variations [D-EP], POST /v2/renders/bulk and
POST /v2/renders/variations/bulk (shapes [INFERRED]: `{"renders": [...]}` -> `{"renders": [...]}`
and `{"render_id", "configs"}` -> Render), and wait_for_completion on each."""

from __future__ import annotations

import pytest

from ..support import EmulatorControl, WebhookReceiver
from .client import (
    VsaiClient,
    assert_message,
    by_type,
    items,
    removal_and_staging,
    render_body,
    source_url,
    staging,
)


def test_add_variations_returns_the_render(vsai: VsaiClient):
    render = vsai.create_ok(render_body())
    response = vsai.add_variations(
        render["id"], {"config": staging("bed", "coastal"), "variation_count": 2}
    )
    assert response.status_code == 200, response.text
    after = response.json()
    assert after["id"] == render["id"]
    assert after["variations"]["total_count"] == 3
    assert [v["config"]["add_furniture"]["style"] for v in items(after)] == [
        "modern",
        "coastal",
        "coastal",
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"config": staging()}, "variation_count"),  # [D-EP] required
        ({"config": staging(), "variation_count": 0}, "variation_count"),
        ({"variation_count": 1}, "config"),
        ({"config": {"type": "nope"}, "variation_count": 1}, "config.type"),
        (
            {"config": staging(), "variation_count": 1, "wait_for_completion": "no"},
            "wait_for_completion",
        ),
    ],
)
def test_add_variations_errors(vsai: VsaiClient, body, field):
    render = vsai.create_ok(render_body())
    assert_message(vsai.add_variations(render["id"], body), 400, starts_with=field)


def test_bulk_renders(vsai: VsaiClient):
    bodies = [
        render_body(),
        render_body(variation_count=2),
        {"configs": [staging(), staging("bed")], "image_url": source_url()},
    ]
    response = vsai.bulk_renders({"renders": bodies})
    assert response.status_code == 200, response.text
    renders = response.json()["renders"]
    assert [r["variations"]["total_count"] for r in renders] == [1, 2, 2]
    assert len({r["id"] for r in renders}) == 3
    listed = {r["id"] for r in vsai.renders(limit=3).json()["items"]}
    assert listed == {r["id"] for r in renders}


@pytest.mark.parametrize(
    ("body", "start"),
    [
        (
            {"renders": [render_body(), render_body(variation_count=0)]},
            "renders[1].variation_count",
        ),
        (
            {"renders": [render_body(staging(style="gothic"))]},
            "renders[0].config.add_furniture.style",
        ),
        (
            {"renders": [render_body(), render_body(image_url="ftp://x/y.jpg")]},
            "renders[1].image_url",
        ),
        ({"renders": [{"image_url": source_url()}]}, "renders[0]"),
        ({"renders": [render_body(), "nope"]}, "renders[1]"),
        ({"renders": []}, "renders"),
        ({}, "renders"),
        ({"renders": render_body()}, "renders"),
    ],
)
def test_bulk_render_errors_are_located(vsai: VsaiClient, body, start):
    before = vsai.render_count()
    assert_message(vsai.bulk_renders(body), 400, starts_with=start)
    assert vsai.render_count() == before


@pytest.mark.parametrize(
    ("bad", "start"),
    [
        (
            {
                "configs": [staging(variation_count=11), staging(variation_count=10)],
                "image_url": source_url(),
            },
            "renders[1].variation_count",
        ),
        (render_body(webhook_url="ftp://example.com/hook"), "renders[1].webhook_url"),
    ],
    ids=["21-variations", "bad-webhook-url"],
)
def test_bulk_renders_is_all_or_nothing(vsai: VsaiClient, bad, start):
    before = vsai.photos_used(), vsai.render_count()
    response = vsai.bulk_renders({"renders": [render_body(), bad]})
    assert (vsai.photos_used(), vsai.render_count()) == before
    assert_message(response, 400, starts_with=start)


def test_bulk_variations(vsai: VsaiClient):
    render = vsai.create_ok(render_body())
    body = {
        "render_id": render["id"],
        "configs": [staging("bed", "luxury", variation_count=2), staging("dining")],
        "variation_count": 3,
    }
    response = vsai.bulk_variations(body)
    assert response.status_code == 200, response.text
    after = response.json()
    assert after["id"] == render["id"]
    assert after["variations"]["total_count"] == 1 + 2 + 3


@pytest.mark.parametrize(
    ("body", "start"),
    [
        ({"configs": [staging()]}, "render_id"),
        ({"render_id": "{id}"}, "configs"),
        ({"render_id": "{id}", "configs": []}, "configs"),
        ({"render_id": "{id}", "configs": [staging(), {"type": "x"}]}, "configs[1].type"),
        (
            {"render_id": "{id}", "configs": [staging(variation_count=21)]},
            "configs[0].variation_count",
        ),
        (
            {
                "render_id": "{id}",
                "configs": [staging(variation_count=10), staging(variation_count=10)],
            },
            "variation_count",
        ),
    ],
)
def test_bulk_variations_errors(vsai: VsaiClient, body, start):
    render = vsai.create_ok(render_body())
    body = {k: (render["id"] if v == "{id}" else v) for k, v in body.items()}
    assert_message(vsai.bulk_variations(body), 400, starts_with=start)
    assert vsai.render_ok(render["id"])["variations"]["total_count"] == 1


@pytest.mark.emulator_only
def test_wait_for_completion_everywhere(vsai: VsaiClient):
    render = vsai.create_ok(render_body(wait_for_completion=True))
    assert items(render)[0]["status"] == "done"
    added = vsai.add_variations(
        render["id"], {"config": staging("bed"), "variation_count": 2, "wait_for_completion": True}
    )
    assert added.status_code == 200, added.text
    assert {v["status"] for v in items(added.json())} == {"done"}
    bulk = vsai.bulk_variations(
        {
            "render_id": render["id"],
            "configs": [{"type": "daytodusk"}, {"type": "enhancement"}],
            "wait_for_completion": True,
        }
    )
    assert bulk.status_code == 200, bulk.text
    assert {v["status"] for v in items(bulk.json())} == {"done"}
    assert bulk.json()["eta"] is None
    many = vsai.bulk_renders(
        {
            "renders": [render_body(removal_and_staging()), render_body()],
            "wait_for_completion": True,
        }
    )
    assert many.status_code == 200, many.text
    for each in many.json()["renders"]:
        assert {v["status"] for v in items(each)} == {"done"}
        assert all(v["result"]["url"] for v in items(each))


@pytest.mark.emulator_only
def test_wait_for_completion_webhooks_follow(
    vsai: VsaiClient, emulator: EmulatorControl, webhook_receiver: WebhookReceiver
):
    hook = webhook_receiver.url_for("vsai")
    render = vsai.create_ok(
        render_body(
            removal_and_staging(), variation_count=2, webhook_url=hook, wait_for_completion=True
        )
    )
    assert {v["status"] for v in items(render)} == {"done"}
    emulator.advance(0)
    payloads = webhook_receiver.payloads("/vsai")
    assert sorted(p["variation_id"] for p in payloads) == sorted(v["id"] for v in items(render))
    assert {p["event_type"] for p in payloads} == {"done"}


@pytest.mark.emulator_only
def test_bulk_webhook_url_applies_to_each_render(
    vsai: VsaiClient, finish, webhook_receiver: WebhookReceiver
):
    own = webhook_receiver.url_for("own")
    shared = webhook_receiver.url_for("shared")
    response = vsai.bulk_renders(
        {"renders": [render_body(), render_body(webhook_url=own)], "webhook_url": shared}
    )
    assert response.status_code == 200, response.text
    first, second = response.json()["renders"]
    finish()
    assert [p["render_id"] for p in webhook_receiver.payloads("/shared")] == [first["id"]]
    assert [p["render_id"] for p in webhook_receiver.payloads("/own")] == [second["id"]]


@pytest.mark.emulator_only
def test_added_variations_use_the_renders_webhook(
    vsai: VsaiClient, finish, webhook_receiver: WebhookReceiver
):
    """[D-EP] "Status updates will be sent to the webhook_url specified in the render"."""
    render = vsai.create_ok(render_body(webhook_url=webhook_receiver.url_for("render")))
    finish()
    response = vsai.add_variations(render["id"], {"config": staging("bed"), "variation_count": 2})
    added = [v["id"] for v in items(response.json())][1:]
    bulk = vsai.bulk_variations({"render_id": render["id"], "configs": [{"type": "enhancement"}]})
    added.append(items(bulk.json())[-1]["id"])
    finish()
    ids = [p["variation_id"] for p in webhook_receiver.payloads("/render")]
    assert sorted(ids) == sorted([items(render)[0]["id"], *added])
    assert by_type(vsai.render_ok(render["id"]), "enhancement")[0]["status"] == "done"
