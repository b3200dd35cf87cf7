"""POST /v2/renders [D-EP]: single `config` and multi `configs`, every room type, style and config
type, furniture removal and its base variation, output resolution, the image_url pattern, limits,
and a variation's life on the emulator's manual clock (queued -> rendering -> done | error)."""

from __future__ import annotations

from typing import Any

import pytest

from ..support import OMIT, EmulatorControl, jpeg_data_url, without_omitted
from .client import (
    LONG_RUNNING,
    ROOM_TYPES,
    STYLES,
    VsaiClient,
    assert_message,
    by_type,
    items,
    removal_and_staging,
    removal_only,
    render_body,
    source_url,
    staging,
)

DEPRECATED_STYLES = ["hamptons", "american", "southwestern"]  # [D-EP] "mapped to other styles"
VARIATION_FIELDS = {"id", "type", "render_id", "created_at", "status", "eta", "config"}


def _is_ms(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 1_000_000_000_000


def assert_render(render: dict[str, Any], total: int | None = None) -> None:
    """[D-EP] Render: id, created_at (epoch ms), queued_at (nullable), eta (nullable),
    variations {total_count, next_cursor, items}."""
    assert isinstance(render["id"], str) and render["id"]
    assert _is_ms(render["created_at"])
    assert render["queued_at"] is None or _is_ms(render["queued_at"])
    assert render["eta"] is None or _is_ms(render["eta"])
    variations = render["variations"]
    assert set(variations) == {"total_count", "next_cursor", "items"}
    if total is not None:
        assert variations["total_count"] == total
        assert len(variations["items"]) == total
    for variation in variations["items"]:
        assert set(variation) >= VARIATION_FIELDS, variation
        assert variation["render_id"] == render["id"]
        assert variation["status"] in ("queued", "rendering", "done", "error")
        assert _is_ms(variation["created_at"])
        assert ("result" in variation) == (variation["status"] == "done")
        if variation["status"] in ("done", "error"):
            assert variation["eta"] is None
        else:
            assert _is_ms(variation["eta"]) and variation["eta"] >= variation["created_at"]


# the create response


@pytest.mark.emulator_only
def test_single_config_render(vsai: VsaiClient, emulator: EmulatorControl):
    now_ms = round(emulator.now() * 1000)
    render = vsai.create_ok(render_body(variation_count=3))
    assert_render(render, total=3)
    assert render["created_at"] == now_ms
    assert render["eta"] is not None and render["eta"] > now_ms
    assert render["eta"] == min(v["eta"] for v in items(render))
    for variation in items(render):
        assert variation["type"] == "staging"
        assert variation["status"] == "queued"
        assert "base_variation_id" not in variation
        assert variation["config"]["type"] == "staging"
        assert variation["config"]["add_furniture"] == {"room_type": "living", "style": "modern"}
    assert len({v["id"] for v in items(render)}) == 3


def test_variation_count_defaults_to_one(vsai: VsaiClient):
    render = vsai.create_ok(render_body())
    assert_render(render, total=1)


def test_multi_config_per_config_variation_count(vsai: VsaiClient):
    body = {
        "configs": [
            staging("living", "modern", variation_count=2),
            staging("living", "scandinavian", variation_count=1),
            staging("bed", "coastal"),  # no count: the top-level variation_count
        ],
        "image_url": source_url(),
        "variation_count": 3,
    }
    render = vsai.create_ok(body)
    assert_render(render, total=6)
    styles = [v["config"]["add_furniture"]["style"] for v in items(render)]
    assert sorted(styles) == sorted(["modern"] * 2 + ["scandinavian"] + ["coastal"] * 3)


def test_multi_config_mixed_types(vsai: VsaiClient):
    body = {
        "configs": [
            staging(),
            {"type": "daytodusk", "sky_style": "golden"},
            {"type": "enhancement"},
        ],
        "image_url": source_url(),
    }
    render = vsai.create_ok(body)
    assert_render(render, total=3)
    assert sorted(v["type"] for v in items(render)) == ["daytodusk", "enhancement", "staging"]


@pytest.mark.parametrize("room_type", ROOM_TYPES)
def test_every_room_type(vsai: VsaiClient, room_type):
    render = vsai.create_ok(render_body(staging(room_type, "modern")))
    assert items(render)[0]["config"]["add_furniture"]["room_type"] == room_type


@pytest.mark.parametrize("style", STYLES + DEPRECATED_STYLES)
def test_every_style_and_deprecated_styles(vsai: VsaiClient, style):
    render = vsai.create_ok(render_body(staging("living", style)))
    assert items(render)[0]["config"]["add_furniture"]["style"] == style


def test_mid_century_modern_alias(vsai: VsaiClient):
    """[C-ICON2] sends "mid-century modern"; [INFERRED] an alias of midcentury."""
    render = vsai.create_ok(render_body(staging("living", "mid-century modern")))
    assert items(render)[0]["config"]["add_furniture"]["style"] in (
        "midcentury",
        "mid-century modern",
    )


@pytest.mark.parametrize("type_", ["daytodusk", "day_to_dusk", "day-to-dusk"])
@pytest.mark.parametrize("sky_style", [OMIT, "dusk", "golden", "blue"])
def test_day_to_dusk_and_sky_styles(vsai: VsaiClient, type_, sky_style):
    config = {"type": type_, "sky_style": sky_style}
    config = without_omitted(config)
    render = vsai.create_ok(render_body(config, variation_count=2))
    assert_render(render, total=2)
    for variation in items(render):
        assert variation["type"] == "daytodusk"
        assert variation["config"]["type"] == "daytodusk"
        assert variation["config"].get("sky_style", "dusk") == (
            "dusk" if sky_style is OMIT else sky_style
        )


def test_enhancement(vsai: VsaiClient):
    render = vsai.create_ok(render_body({"type": "enhancement"}))
    assert [v["type"] for v in items(render)] == ["enhancement"]


@pytest.mark.parametrize("watermark", [True, False])
def test_watermark_flag_is_kept(vsai: VsaiClient, watermark):
    config = staging(add_virtually_staged_watermark=watermark)
    render = vsai.create_ok(render_body(config))
    assert items(render)[0]["config"]["add_virtually_staged_watermark"] is watermark


# furniture removal [D-CC, D-WH, C-REPRO]


def test_remove_furniture_off_stages_only(vsai: VsaiClient):
    render = vsai.create_ok(render_body(removal_and_staging("off"), variation_count=2))
    assert_render(render, total=2)
    assert [v["type"] for v in items(render)] == ["staging", "staging"]
    assert all("base_variation_id" not in v for v in items(render))


@pytest.mark.parametrize("mode", ["on", "auto"])
@pytest.mark.parametrize("count", [1, 3])
def test_removal_plus_staging_builds_on_a_base(vsai: VsaiClient, mode, count):
    render = vsai.create_ok(render_body(removal_and_staging(mode), variation_count=count))
    assert_render(render, total=count + 1)
    [removal] = by_type(render, "removal")
    staged = by_type(render, "staging")
    assert len(staged) == count
    assert "base_variation_id" not in removal
    assert all(v["base_variation_id"] == removal["id"] for v in staged)


def _links(render: dict[str, Any]) -> list[tuple[str, str | None]]:
    """(type, index of the base variation) per variation, in order."""
    ids = [v["id"] for v in items(render)]
    return [
        (v["type"], ids.index(v["base_variation_id"]) if "base_variation_id" in v else None)
        for v in items(render)
    ]


@pytest.mark.parametrize(
    ("configs", "expected"),
    [
        (
            [staging(), removal_and_staging()],
            [("staging", None), ("removal", None), ("staging", 1)],
        ),
        (
            [removal_and_staging(), staging("bed")],
            [("removal", None), ("staging", 0), ("staging", None)],
        ),
        (
            [removal_and_staging(), removal_and_staging("auto", room_type="bed")],
            [("removal", None), ("staging", 0), ("removal", None), ("staging", 2)],
        ),
        (
            [removal_only(), staging("bed")],
            [("removal", None), ("staging", None)],
        ),
    ],
    ids=["removal-second", "plain-after-removal", "two-removals", "removal-only-then-staging"],
)
def test_multi_config_staging_links_to_its_own_removal(vsai: VsaiClient, configs, expected):
    render = vsai.create_ok({"configs": configs, "image_url": source_url()})
    assert _links(render) == expected


@pytest.mark.parametrize("mode", ["on", "auto"])
def test_removal_only(vsai: VsaiClient, mode):
    """[C-LL] declutter: remove_furniture on and no add_furniture."""
    render = vsai.create_ok(render_body(removal_only(mode)))
    assert_render(render, total=1)
    assert items(render)[0]["type"] == "removal"


def test_remove_furniture_off_without_add_furniture_is_400(vsai: VsaiClient):
    assert_message(vsai.create(render_body(removal_only("off"))), 400, starts_with="config")


@pytest.mark.emulator_only
def test_base_variation_reused_by_later_variations(vsai: VsaiClient, finish):
    render = vsai.create_ok(render_body(removal_and_staging(), variation_count=1))
    [removal] = by_type(render, "removal")
    finish()
    config = staging("bed", "luxury")
    config["add_furniture"]["base_variation_id"] = removal["id"]
    response = vsai.add_variations(render["id"], {"config": config, "variation_count": 2})
    assert response.status_code == 200, response.text
    after = response.json()
    assert_render(after, total=4)
    assert len(by_type(after, "removal")) == 1  # no second removal
    new = [
        v for v in by_type(after, "staging") if v["config"]["add_furniture"]["style"] == "luxury"
    ]
    assert len(new) == 2
    assert all(v["base_variation_id"] == removal["id"] for v in new)
    finish()
    done = vsai.render_ok(render["id"])
    assert all(v["status"] == "done" for v in items(done))


def test_base_variation_must_be_a_removal_of_this_render(vsai: VsaiClient):
    render = vsai.create_ok(render_body(removal_and_staging(), variation_count=1))
    [removal] = by_type(render, "removal")
    [staged] = by_type(render, "staging")
    other = vsai.create_ok(render_body())
    for bad in (staged["id"], "var_unknown"):
        config = staging()
        config["add_furniture"]["base_variation_id"] = bad
        response = vsai.add_variations(render["id"], {"config": config, "variation_count": 1})
        assert_message(response, 400, starts_with="config.add_furniture.base_variation_id")
    config = staging()
    config["add_furniture"]["base_variation_id"] = removal["id"]
    response = vsai.add_variations(other["id"], {"config": config, "variation_count": 1})
    assert_message(response, 400, starts_with="config.add_furniture.base_variation_id")


# image_url [D-EP] pattern; a data URL must hold an image that decodes [EMULATOR] (issue 9)

UNDECODABLE_DATA_URLS = [
    "data:image/jpeg;base64,/9j/4AAQSkZJRg==",  # a bare JPEG header
    "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=",  # an SVG
    "data:image/png;base64,aGVsbG8=",  # text claiming to be a PNG
]


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/room.jpg",
        "http://example.com/room.jpg?x=1&y=2",
        "https://example.com/not-even-an-image",  # never fetched: any shape goes
        jpeg_data_url((64, 48)),
    ],
)
def test_image_url_pattern_accepts(vsai: VsaiClient, url):
    vsai.create_ok(render_body(image_url=url))


@pytest.mark.emulator_only
@pytest.mark.parametrize("url", UNDECODABLE_DATA_URLS)
def test_a_data_url_that_does_not_decode_is_refused(vsai: VsaiClient, url):
    message = assert_message(vsai.create(render_body(image_url=url)), 400, starts_with="image_url:")
    assert "JPEG" in message, message  # says what it expected, in words


@pytest.mark.emulator_only
def test_undecodable_data_urls_are_refused_in_every_image_field(vsai: VsaiClient):
    bad = UNDECODABLE_DATA_URLS[0]
    good = jpeg_data_url((64, 48))
    body = render_body(config=removal_only(), image_url=good)
    body["config"]["remove_furniture"]["mask_url"] = bad
    response = vsai.create(body)
    assert_message(response, 400, starts_with="config.remove_furniture.mask_url:")
    response = vsai.compatibility({"image_urls": [good, bad]})
    assert_message(response, 400, starts_with="image_urls[1]:")


@pytest.mark.parametrize(
    "url",
    [
        OMIT,
        None,
        "",
        "ftp://example.com/room.jpg",
        "example.com/room.jpg",
        "https://",
        "https://example.com/a room.jpg",
        "data:text/plain;base64,aGVsbG8=",
        "data:image/jpeg,notbase64",
        "data:image/jpeg;base64,not base64!",
        12,
        ["https://example.com/room.jpg"],
    ],
)
def test_image_url_pattern_refuses(vsai: VsaiClient, url):
    assert_message(vsai.create(render_body(image_url=url)), 400, starts_with="image_url")


# exactly one of config / configs, and the variation limits


def test_config_and_configs_together_is_400(vsai: VsaiClient):
    response = vsai.create(render_body(configs=[staging()]))
    assert_message(response, 400, "config")


def test_neither_config_nor_configs_is_400(vsai: VsaiClient):
    assert_message(vsai.create(render_body(config=OMIT)), 400, "config")


@pytest.mark.parametrize(
    "fields",
    [{"config": OMIT}, {"config": None}, {"configs": [staging()]}],
    ids=["neither", "config-null", "both"],
)
def test_config_or_configs_error_starts_with_the_field(vsai: VsaiClient, fields):
    body = render_body() | fields
    body = without_omitted(body)
    assert_message(vsai.create(body), 400, starts_with="config")


@pytest.mark.parametrize("count", [0, -1, 21, 100, "2", 2.5, True, None])
def test_variation_count_out_of_range_is_400(vsai: VsaiClient, count):
    assert_message(
        vsai.create(render_body(variation_count=count)), 400, starts_with="variation_count"
    )


@pytest.mark.parametrize("count", [0, 21, "1"])
def test_per_config_variation_count_out_of_range_is_400(vsai: VsaiClient, count):
    body = {"configs": [staging(), staging(variation_count=count)], "image_url": source_url()}
    assert_message(vsai.create(body), 400, starts_with="configs[1].variation_count")


@pytest.mark.parametrize(
    "body",
    [
        {"configs": [staging(variation_count=11), staging(variation_count=10)]},
        {"configs": [staging()] * 21},
        {"config": removal_and_staging(), "variation_count": 20},
    ],
    ids=["11+10", "21-configs", "removal+20"],
)
def test_more_than_20_variations_in_a_render_is_400(vsai: VsaiClient, body):
    """[INFERRED] at most 20 variations per render, the removal base included [C-REPRO]."""
    before = vsai.photos_used(), vsai.render_count()
    assert_message(vsai.create(body | {"image_url": source_url()}), 400, "20")
    assert (vsai.photos_used(), vsai.render_count()) == before


def test_exactly_20_variations_is_fine(vsai: VsaiClient):
    render = vsai.create_ok(render_body(variation_count=20))
    assert_render(render, total=20)
    response = vsai.add_variations(render["id"], {"config": staging(), "variation_count": 1})
    assert_message(response, 400, "20", starts_with="variation_count")


@pytest.mark.parametrize(
    ("config", "field"),
    [
        (
            {"type": "staging", "add_furniture": {"room_type": "garage", "style": "modern"}},
            "config.add_furniture.room_type",
        ),
        (
            {"type": "staging", "add_furniture": {"room_type": "living", "style": "gothic"}},
            "config.add_furniture.style",
        ),
        (
            {"type": "staging", "add_furniture": {"style": "modern"}},
            "config.add_furniture.room_type",
        ),
        ({"type": "staging", "add_furniture": "living"}, "config.add_furniture"),
        (
            {
                "type": "staging",
                "add_furniture": {"room_type": "living", "style": "modern"},
                "remove_furniture": {"mode": "maybe"},
            },
            "config.remove_furniture.mode",
        ),
        ({"type": "daytodusk", "sky_style": "night"}, "config.sky_style"),
        ({"type": "night"}, "config.type"),
        ({"add_furniture": {"room_type": "living", "style": "modern"}}, "config.type"),
        (staging(output_resolution=1024), "config.output_resolution"),
        (staging(output_resolution="4k"), "config.output_resolution"),
        (staging(add_virtually_staged_watermark="yes"), "config.add_virtually_staged_watermark"),
        ("staging", "config"),
    ],
)
def test_config_errors_name_the_field(vsai: VsaiClient, config, field):
    assert_message(vsai.create(render_body(config)), 400, starts_with=field)


def test_webhook_url_must_be_http(vsai: VsaiClient):
    response = vsai.create(render_body(webhook_url="ftp://example.com/hook"))
    assert_message(response, 400, starts_with="webhook_url")


# a variation's life on the manual clock


@pytest.mark.emulator_only
def test_states_follow_the_clock(vsai: VsaiClient, emulator: EmulatorControl, finish):
    render = vsai.create_ok(render_body(removal_and_staging(), variation_count=1))
    [removal] = by_type(render, "removal")
    [staged] = by_type(render, "staging")
    assert removal["status"] == staged["status"] == "queued"
    emulator.advance(1.5)  # past the ~1 s queue
    now = vsai.render_ok(render["id"])
    assert_render(now, total=2)
    status = {v["type"]: v["status"] for v in items(now)}
    assert status == {"removal": "rendering", "staging": "queued"}  # staging waits for its base
    emulator.advance(14)  # the removal (~10 s) is done, the staging (~15 s) runs
    status = {v["type"]: v["status"] for v in items(vsai.render_ok(render["id"]))}
    assert status == {"removal": "done", "staging": "rendering"}
    finish()
    done = vsai.render_ok(render["id"])
    assert_render(done, total=2)
    assert {v["status"] for v in items(done)} == {"done"}
    assert done["eta"] is None
    for variation in items(done):
        single = vsai.variation_ok(render["id"], variation["id"])
        assert single == variation


@pytest.mark.emulator_only
def test_eta_counts_down_to_the_end(vsai: VsaiClient, emulator: EmulatorControl):
    render = vsai.create_ok(render_body())
    [variation] = items(render)
    eta = variation["eta"]
    emulator.advance((eta / 1000 - emulator.now()) - 0.01)
    assert vsai.variation_ok(render["id"], variation["id"])["status"] == "rendering"
    emulator.advance(0.02)
    after = vsai.variation_ok(render["id"], variation["id"])
    assert after["status"] == "done"
    assert after["eta"] is None


@pytest.mark.emulator_only
def test_results_are_jpeg_webp_and_thumbnail(vsai: VsaiClient, finish):
    render = vsai.create_ok(render_body())
    finish()
    [variation] = items(vsai.render_ok(render["id"]))
    result = variation["result"]
    assert set(result) >= {"url", "optimized_url", "thumbnail_url"}
    kind, main = vsai.image_at(result["url"])
    assert kind == "image/jpeg" and main.format == "JPEG"
    assert 1536 <= max(main.size) <= 3072  # [C-LL] default >=1536, up to 3072 long edge
    kind, optimized = vsai.image_at(result["optimized_url"])
    assert kind == "image/webp" and optimized.format == "WEBP"
    assert optimized.size == main.size
    kind, thumb = vsai.image_at(result["thumbnail_url"])
    assert thumb.format in ("JPEG", "WEBP", "PNG") and kind.startswith("image/")
    assert max(thumb.size) < max(main.size)


@pytest.mark.emulator_only
@pytest.mark.parametrize(
    ("source", "resolution", "long_edge"),
    [
        ((2000, 1500), OMIT, 2000),  # inside 1536..3072: kept
        ((2000, 1500), "default", 2000),
        ((2000, 1500), 1536, 1536),
        ((800, 600), "default", 1536),  # small sources come back at least 1536
        ((800, 600), 1536, 1536),
        ((4000, 1000), "default", 3072),  # at most 3072
    ],
)
def test_output_resolution(vsai: VsaiClient, finish, source, resolution, long_edge):
    config = staging() if resolution is OMIT else staging(output_resolution=resolution)
    render = vsai.create_ok(render_body(config, image_url=jpeg_data_url(source)))
    finish()
    [variation] = items(vsai.render_ok(render["id"]))
    _, img = vsai.image_at(variation["result"]["url"])
    assert max(img.size) == long_edge
    w, h = source
    assert abs(img.size[0] / img.size[1] - w / h) < 0.01  # the aspect ratio is kept


@pytest.mark.emulator_only
def test_failing_image_ends_in_error(vsai: VsaiClient, finish):
    url = "https://images.example.com/emulator-fail/room.jpg"
    render = vsai.create_ok(render_body(removal_and_staging(), image_url=url, variation_count=2))
    finish()
    after = vsai.render_ok(render["id"])
    assert_render(after, total=3)
    assert {v["status"] for v in items(after)} == {"error"}
    assert after["eta"] is None
    assert all("result" not in v for v in items(after))


@pytest.mark.emulator_only
def test_unavailable_image_is_503(vsai: VsaiClient):
    url = "https://images.example.com/emulator-unavailable/room.jpg"
    before = vsai.photos_used()
    assert_message(vsai.create(render_body(image_url=url)), 503)
    assert vsai.photos_used() == before


# wait_for_completion [D-EP, C-ICON]


@pytest.mark.emulator_only
@pytest.mark.parametrize("base", ["/v2", LONG_RUNNING])
def test_wait_for_completion_returns_the_finished_render(vsai: VsaiClient, base):
    client = vsai.with_base(base)
    render = client.create_ok(
        render_body(removal_and_staging(), variation_count=2, wait_for_completion=True)
    )
    assert_render(render, total=3)
    assert render["eta"] is None
    assert {v["status"] for v in items(render)} == {"done"}
    for variation in items(render):
        assert variation["result"]["url"].startswith("http")
    _, img = vsai.image_at(by_type(render, "staging")[0]["result"]["url"])
    assert max(img.size) >= 1536
