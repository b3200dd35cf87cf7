"""Masks and photos within memory bounds: a `mask_image_url` or an input photo is read from its
header, refused past the pixel limits, and decoded inside the process-wide budget at the size it is
needed, so a real `staging-emulator serve` stays under 300 MB whatever the pictures declare."""

from __future__ import annotations

import concurrent.futures
import io

import httpx
import pytest
from PIL import Image

from tests import test_memory_bounds as bounds
from tests.test_memory_bounds import (
    bilevel_png,
    truncated_jpeg,
)

from ..support import data_url, rss_stays_bounded
from .client import assert_error

pytestmark = [
    pytest.mark.emulator_only,
    pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning"),
]
KEY = {"Authorization": "Bearer sk_test_decor8_memory"}
PHOTO = "https://example.com/room.jpg"


def remove_objects(http: httpx.Client, mask: str, photo: str = PHOTO) -> httpx.Response:
    body = {"input_image_url": photo, "mask_image_url": mask}
    return http.post("/decor8/remove_objects_from_room", json=body, headers=KEY)


def test_masks_and_photos_past_the_pixel_limits_are_refused_naming_the_field(
    serve: tuple[str, int],
) -> None:
    url, _ = serve
    with httpx.Client(base_url=url, trust_env=False, timeout=60) as http:
        mask = data_url(bilevel_png(), "image/png")  # 13000 x 13000, 1 bit: ~20 KB
        refused = remove_objects(http, mask)
        assert_error(refused, 400, "InvalidInput", "megapixels", starts_with="mask_image_url")
        mask = data_url(bilevel_png(7000, 7000), "image/png")  # 49 MP: past the 16 MP of a PNG
        refused = remove_objects(http, mask)
        assert_error(refused, 400, "InvalidInput", "megapixels", starts_with="mask_image_url")
        photo = data_url(truncated_jpeg())  # declares 13000 x 13000
        refused = remove_objects(http, data_url(bilevel_png(64, 64), "image/png"), photo)
        assert_error(refused, 400, "InvalidInput", "megapixels", starts_with="input_image_url")


def test_server_rss_stays_bounded_through_big_masks_and_photos(serve: tuple[str, int]) -> None:
    url, pid = serve
    big = data_url(bounds._big_gradient("JPEG", (8660, 5770)))  # 50 MP
    png_16mp = data_url(bilevel_png(4000, 4000), "image/png")
    with rss_stays_bounded(pid), httpx.Client(base_url=url, trust_env=False, timeout=120) as http:
        calls = [
            lambda: remove_objects(http, png_16mp),
            lambda: remove_objects(http, big),
            lambda: remove_objects(http, png_16mp, big),
            lambda: http.post(
                "/decor8/generate_designs_for_room",
                json={"input_image_url": big, "room_type": "BEDROOM", "design_style": "BOHO"},
                headers=KEY,
            ),
        ]
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda call: call(), calls * 2))
        results = []
        for answer in answers:
            assert answer.status_code == 200, answer.text[:300]
            info = answer.json()["info"]
            results += [info["image"]] if "image" in info else info["images"]
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            fetched = list(pool.map(lambda r: http.get(r["url"]), results))
        for result, image in zip(results, fetched, strict=True):
            assert image.status_code == 200
            with Image.open(io.BytesIO(image.content)) as img:
                assert img.size == (result["width"], result["height"])
