"""GET /v2/renders (limit 1-100 default 20, cursor = the id to start after, order desc by
default), GET /v2/renders/{id} (include_variations, variations_limit/cursor/order, asc by default),
GET /v2/renders/{id}/variations/{id}, 404 `{"message"}` and isolation between accounts [D-EP]."""

from __future__ import annotations

import pytest

from .client import VsaiClient, assert_message, items, render_body, staging


def _make_renders(vsai: VsaiClient, count: int) -> list[str]:
    response = vsai.bulk_renders({"renders": [render_body() for _ in range(count)]})
    assert response.status_code == 200, response.text
    return [r["id"] for r in response.json()["renders"]]


def _walk(vsai: VsaiClient, **params) -> tuple[list[str], list[int]]:
    ids: list[str] = []
    sizes: list[int] = []
    cursor = None
    for _ in range(100):
        query = dict(params) | ({"cursor": cursor} if cursor else {})
        response = vsai.renders(**query)
        assert response.status_code == 200, response.text
        page = response.json()
        assert set(page) >= {"total_count", "next_cursor", "items"}
        ids += [r["id"] for r in page["items"]]
        sizes.append(len(page["items"]))
        cursor = page["next_cursor"]
        if cursor is None:
            return ids, sizes
        assert cursor == page["items"][-1]["id"]
    raise AssertionError("pagination does not end")


@pytest.mark.emulator_only
def test_empty_list(vsai: VsaiClient):
    page = vsai.renders().json()
    assert page["items"] == [] and page["next_cursor"] is None


@pytest.mark.emulator_only
def test_default_limit_20_and_desc_order(vsai: VsaiClient):
    created = _make_renders(vsai, 23)
    page = vsai.renders().json()
    assert page["total_count"] == 23
    assert len(page["items"]) == 20
    assert [r["id"] for r in page["items"]] == list(reversed(created))[:20]
    assert page["next_cursor"] == page["items"][-1]["id"]
    rest = vsai.renders(cursor=page["next_cursor"]).json()
    assert [r["id"] for r in rest["items"]] == list(reversed(created))[20:]
    assert rest["next_cursor"] is None


@pytest.mark.emulator_only
@pytest.mark.parametrize(("limit", "sizes"), [(1, [1] * 5), (2, [2, 2, 1]), (5, [5]), (100, [5])])
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_cursor_walk(vsai: VsaiClient, limit, sizes, order):
    created = _make_renders(vsai, 5)
    ids, got = _walk(vsai, limit=limit, order=order)
    assert ids == (created if order == "asc" else list(reversed(created)))
    assert got == sizes


@pytest.mark.emulator_only
def test_list_items_are_renders(vsai: VsaiClient):
    created = vsai.create_ok(render_body(variation_count=2))
    [listed] = vsai.renders().json()["items"]
    assert listed["id"] == created["id"]
    assert listed["created_at"] == created["created_at"]
    assert [v["id"] for v in items(listed)] == [v["id"] for v in items(created)]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": -5}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"order": "up"}, "order"),
        ({"cursor": "rnd_does_not_exist"}, "cursor"),
    ],
)
def test_list_parameter_errors(vsai: VsaiClient, params, field):
    vsai.create_ok(render_body())
    assert_message(vsai.renders(**params), 400, starts_with=field)


def test_get_render_without_variations_by_default(vsai: VsaiClient):
    created = vsai.create_ok(render_body())
    response = vsai.render(created["id"])
    assert response.status_code == 200, response.text
    render = response.json()
    assert render["id"] == created["id"]
    assert {"id", "created_at", "queued_at", "eta"} <= set(render)
    assert "variations" not in render
    assert "variations" not in vsai.render(created["id"], include_variations="false").json()
    assert "variations" in vsai.render(created["id"], include_variations="true").json()


@pytest.mark.emulator_only
@pytest.mark.parametrize("limit", [1, 2, 3, 7])
@pytest.mark.parametrize("order", [None, "asc", "desc"])
def test_variation_pages(vsai: VsaiClient, limit, order):
    created = vsai.create_ok(
        {
            "configs": [staging(variation_count=3), staging("bed", variation_count=3)],
            "image_url": render_body()["image_url"],
        }
    )
    expected = [v["id"] for v in items(created)]  # creation order
    if order == "desc":
        expected.reverse()
    seen: list[str] = []
    cursor = None
    while True:
        params = {"variations_limit": limit} | ({"variations_order": order} if order else {})
        if cursor:
            params["variations_cursor"] = cursor
        page = vsai.render_ok(created["id"], **params)["variations"]
        assert page["total_count"] == 6
        assert len(page["items"]) <= limit
        seen += [v["id"] for v in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
        assert cursor == page["items"][-1]["id"]
    assert seen == expected


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"variations_limit": 0}, "variations_limit"),
        ({"variations_limit": 101}, "variations_limit"),
        ({"variations_order": "random"}, "variations_order"),
        ({"variations_cursor": "var_unknown"}, "variations_cursor"),
        ({"include_variations": "perhaps"}, "include_variations"),
    ],
)
def test_get_render_parameter_errors(vsai: VsaiClient, params, field):
    created = vsai.create_ok(render_body())
    query = {"include_variations": "true"} | params
    assert_message(vsai.render(created["id"], **query), 400, starts_with=field)


def test_get_variation(vsai: VsaiClient):
    created = vsai.create_ok(render_body(variation_count=2))
    for variation in items(created):
        assert vsai.variation_ok(created["id"], variation["id"]) == variation


def test_unknown_render_and_variation_are_404(vsai: VsaiClient):
    created = vsai.create_ok(render_body())
    [variation] = items(created)
    other = vsai.create_ok(render_body())
    assert_message(vsai.render("rnd_unknown"), 404)
    assert_message(vsai.render("rnd_unknown", include_variations="true"), 404)
    assert_message(vsai.variation("rnd_unknown", variation["id"]), 404)
    assert_message(vsai.variation(created["id"], "var_unknown"), 404)
    assert_message(vsai.variation(other["id"], variation["id"]), 404)  # not that render's
    add = {"config": staging(), "variation_count": 1}
    assert_message(vsai.add_variations("rnd_unknown", add), 404)
    assert_message(vsai.bulk_variations({"render_id": "rnd_unknown", "configs": [staging()]}), 404)


@pytest.mark.emulator_only
def test_accounts_are_isolated(vsai: VsaiClient, vsai_as):
    mine = vsai.create_ok(render_body())
    [variation] = items(mine)
    stranger = vsai_as()
    assert_message(stranger.render(mine["id"]), 404)
    assert_message(stranger.variation(mine["id"], variation["id"]), 404)
    add = {"config": staging(), "variation_count": 1}
    assert_message(stranger.add_variations(mine["id"], add), 404)
    assert_message(stranger.bulk_variations({"render_id": mine["id"], "configs": [staging()]}), 404)
    assert stranger.renders().json()["items"] == []
    assert_message(stranger.renders(cursor=mine["id"]), 400, starts_with="cursor")
    assert len(vsai.render_ok(mine["id"])["variations"]["items"]) == 1  # untouched
