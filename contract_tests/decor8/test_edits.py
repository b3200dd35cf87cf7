"""The edit calls (notes 2, #4-#14): walls primed or painted, cabinets, remodels, sky, landscaping,
objects removed under a mask, upscaling and sketches; each in every encoding, each placeholder
showing what was asked."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from PIL import Image, ImageChops, ImageStat

from ..support import data_url, decode_image, jpeg_bytes, jpeg_data_url
from .client import (
    BASE_EDGE,
    ENCODINGS,
    Decor8Client,
    assert_error,
    assert_scaled,
    encoded,
    info_of,
    source_url,
)

PHOTO = (640, 480)
PHOTO_OUT = (768, 576)


def photo() -> str:
    return jpeg_data_url(PHOTO)


def one_image(decor8: Decor8Client, path: str, body: dict[str, Any], **kw: Any) -> Image.Image:
    info = decor8.ok(path, body, **kw)
    [image] = info["images"]
    decor8.check_images([image], PHOTO_OUT)
    return decor8.image_at(image["url"])[1]


# 4-5. priming


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_prime_walls_for_room(decor8: Decor8Client, encoding):
    one_image(decor8, "/prime_walls_for_room", {"input_image_url": photo()}, encoding=encoding)


def test_prime_the_room_walls_answers_base64(decor8: Decor8Client):
    info = decor8.ok("/prime_the_room_walls", image=jpeg_bytes(PHOTO))
    [image] = info["images"]
    img = decode_image(base64.b64decode(image["data"]))
    assert img.size == PHOTO_OUT == (image["width"], image["height"])
    assert decor8.image_at(image["url"])[1].size == PHOTO_OUT


def test_prime_the_room_walls_needs_the_file(decor8: Decor8Client):
    response = decor8.post("/prime_the_room_walls", {}, encoding="multipart")
    assert_error(response, 400, "InvalidInput", starts_with="input_image")


# 6-7. colours: the requested colour is painted in, a swatch shows it exactly


def share_of(img: Image.Image, color: str, tolerance: int = 16) -> float:
    """The share of the picture's pixels within `tolerance` of `color` (per channel)."""
    rgb = tuple(int(color[i : i + 2], 16) for i in (1, 3, 5))
    bands = img.convert("RGB").split()
    near = [
        band.point(lambda v, c=c: 255 if abs(v - c) <= tolerance else 0)
        for band, c in zip(bands, rgb, strict=True)
    ]
    both = ImageChops.multiply(ImageChops.multiply(near[0], near[1]), near[2])
    return ImageStat.Stat(both).mean[0] / 255


@pytest.mark.emulator_only  # the placeholder's own drawing
@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("color", ["#FF5733", "#1a7f3c"])
def test_change_wall_color(decor8: Decor8Client, encoding, color):
    body = {"input_image_url": photo(), "wall_color_hex_code": color}
    img = one_image(decor8, "/change_wall_color", body, encoding=encoding)
    assert share_of(img, color) > 0.005  # the requested paint shows


@pytest.mark.emulator_only  # the placeholder's own drawing
def test_change_kitchen_cabinets_color(decor8: Decor8Client):
    body = {"input_image_url": photo(), "cabinet_color_hex_code": "#2e8b57"}
    img = one_image(decor8, "/change_kitchen_cabinets_color", body)
    assert share_of(img, "#2E8B57") > 0.005
    assert share_of(img, "#FF00FF") < 0.001  # a colour nobody asked for


@pytest.mark.parametrize(
    ("path", "field"),
    [("/change_wall_color", "wall_color_hex_code"),
     ("/change_kitchen_cabinets_color", "cabinet_color_hex_code")],
)  # fmt: skip
@pytest.mark.parametrize("value", [None, "FF5733", "#FFF", "#GGGGGG", "red", 16777215])
def test_bad_colours_are_refused(decor8: Decor8Client, path, field, value):
    response = decor8.post(path, {"input_image_url": photo(), field: value})
    assert_error(response, 400, "InvalidParameter", starts_with=field)


# 8-9. remodels


@pytest.mark.parametrize("path", ["/remodel_kitchen", "/remodel_bathroom"])
@pytest.mark.parametrize("encoding", ENCODINGS)
def test_remodel(decor8: Decor8Client, path, encoding):
    body = {"input_image_url": photo(), "design_style": "farmhouse", "num_images": 2,
            "scale_factor": 2}  # fmt: skip
    info = decor8.ok(path, body, encoding=encoding)
    assert len(info["images"]) == 2
    assert {(i["width"], i["height"]) for i in info["images"]} == {(1536, 1152)}
    decor8.check_images(info["images"][:1], (1536, 1152))


@pytest.mark.parametrize(
    ("field", "value"),
    [("design_style", None), ("design_style", "spaceship"), ("num_images", 5),
     ("num_images", 0), ("scale_factor", 5), ("scale_factor", "1.5")],
)  # fmt: skip
def test_remodel_refusals(decor8: Decor8Client, field, value):
    body = {"input_image_url": photo(), "design_style": "modern", field: value}
    response = decor8.post("/remodel_kitchen", body)
    assert_error(response, 400, "InvalidParameter", starts_with=field)


# 10. sky: day, dusk and night look different


@pytest.mark.emulator_only  # the placeholder's own drawing
def test_replace_sky_behind_house(decor8: Decor8Client):
    means = {}
    for sky in ("day", "DUSK", "Night"):
        body = {"input_image_url": photo(), "sky_type": sky}
        img = one_image(decor8, "/replace_sky_behind_house", body)
        top = img.convert("RGB").crop((0, 0, img.width, img.height // 5))
        means[sky.lower()] = ImageStat.Stat(top).mean
    day, dusk, night = means["day"], means["dusk"], means["night"]
    assert day[2] > day[0]  # a blue sky
    assert dusk[0] > dusk[2]  # an orange one
    assert sum(night) < sum(day) / 2  # a dark one


@pytest.mark.parametrize("sky", [None, "sunset", "", 1])
def test_bad_sky_is_refused(decor8: Decor8Client, sky):
    response = decor8.post(
        "/replace_sky_behind_house", {"input_image_url": photo(), "sky_type": sky}
    )
    assert_error(response, 400, "InvalidParameter", starts_with="sky_type")


# 11. landscaping: yard type and garden style are loose text [REPO live tests]


@pytest.mark.parametrize(
    ("yard", "garden"),
    [("FRONT_YARD", "JAPANESE_ZEN"), ("front yard", "california style garden"),
     ("Backyard", "xeriscape"), ("side_yard", "Four_Season")],
)  # fmt: skip
def test_generate_landscaping_designs(decor8: Decor8Client, yard, garden):
    body = {"input_image_url": photo(), "yard_type": yard, "garden_style": garden}
    one_image(decor8, "/generate_landscaping_designs", body)


def test_landscaping_numbers_and_refusals(decor8: Decor8Client):
    body = {"input_image_url": photo(), "yard_type": "BACKYARD", "garden_style": "DESERT",
            "num_images": "3"}  # fmt: skip
    assert len(decor8.ok("/generate_landscaping_designs", body, encoding="form")["images"]) == 3
    for field in ("yard_type", "garden_style"):
        response = decor8.post("/generate_landscaping_designs", body | {field: "  "})
        assert_error(response, 400, "InvalidParameter", starts_with=field)


# 12. remove objects: one `image`, the mask honoured [notes 3.3]


def saturation(img: Image.Image, box: tuple[int, int, int, int]) -> float:
    return ImageStat.Stat(img.convert("HSV").crop(box)).mean[1]


def test_remove_objects_from_room(decor8: Decor8Client):
    response = decor8.post("/remove_objects_from_room", {"input_image_url": photo()})
    info = info_of(response)
    assert response.json()["message"] == "Successfully removed objects from room."
    assert set(info) == {"image"}
    decor8.check_images([info["image"]], PHOTO_OUT)


@pytest.mark.emulator_only  # the placeholder's own drawing
@pytest.mark.parametrize("encoding", ENCODINGS)
def test_remove_objects_under_the_mask_only(decor8: Decor8Client, encoding):
    red = jpeg_data_url(PHOTO, color=(220, 30, 30))
    mask = Image.new("L", PHOTO, 0)
    mask.paste(255, (0, 0, PHOTO[0] // 2, PHOTO[1]))  # the left half
    body = {"input_image_url": red, "mask_image_url": data_url(encoded(mask), "image/png")}
    info = decor8.ok("/remove_objects_from_room", body, encoding=encoding)
    img = decor8.image_at(info["image"]["url"])[1]
    w, h = img.size
    assert img.size == PHOTO_OUT
    removed = saturation(img, (w // 16, h // 8, w * 6 // 16, h // 3))
    kept = saturation(img, (w * 10 // 16, h // 8, w * 15 // 16, h // 3))
    assert kept > removed + 60, (kept, removed)


def test_remove_objects_with_a_served_mask(decor8: Decor8Client):
    """A mask this emulator served (here the result of an earlier call) is read as a mask."""
    mask_url = decor8.ok("/prime_walls_for_room", {"input_image_url": photo()})["images"][0]["url"]
    body = {"input_image_url": photo(), "mask_image_url": mask_url}
    decor8.check_images([decor8.ok("/remove_objects_from_room", body)["image"]], PHOTO_OUT)


@pytest.mark.emulator_only  # an outside URL the emulator never fetches
def test_remove_objects_with_an_outside_mask(decor8: Decor8Client):
    body = {"input_image_url": photo(), "mask_image_url": source_url("mask")}
    decor8.check_images([decor8.ok("/remove_objects_from_room", body)["image"]], PHOTO_OUT)
    body["mask_image_url"] = "data:image/png;base64,bm90IGFuIGltYWdl"
    response = decor8.post("/remove_objects_from_room", body)
    assert_error(response, 400, "InvalidInput", starts_with="mask_image_url")


# 13. upscale: base64 of the upload really scaled [notes 3.4]


@pytest.mark.parametrize(("size", "factor"), [((400, 300), 3), ((333, 500), 2), ((768, 576), 4)])
def test_upscale_image(decor8: Decor8Client, size, factor):
    info = decor8.ok("/upscale_image", {"scale_factor": factor}, image=jpeg_bytes(size))
    assert set(info) == {"upscaled_image"}
    img = decode_image(base64.b64decode(info["upscaled_image"], validate=True))
    assert img.format == "JPEG"
    assert img.size == (size[0] * factor, size[1] * factor)


def test_upscale_default_factor_is_2_and_json_works(decor8: Decor8Client):
    info = decor8.ok("/upscale_image", image=jpeg_bytes((300, 200)))
    assert decode_image(base64.b64decode(info["upscaled_image"])).size == (600, 400)
    body = {"input_image": jpeg_data_url((300, 200)), "scale_factor": "1"}
    info = decor8.ok("/upscale_image", body)
    assert decode_image(base64.b64decode(info["upscaled_image"])).size == (300, 200)


def test_upscale_limits(decor8: Decor8Client):
    response = decor8.post("/upscale_image", {"scale_factor": 9}, image=jpeg_bytes((100, 100)))
    assert_error(response, 400, "InvalidParameter", starts_with="scale_factor")
    response = decor8.post("/upscale_image", {"scale_factor": 2}, image=jpeg_bytes((1100, 800)))
    assert_error(response, 400, "InvalidInput", "1024", starts_with="input_image")
    response = decor8.post("/upscale_image", {"scale_factor": 8}, image=jpeg_bytes((1000, 500)))
    assert_error(response, 400, "InvalidParameter", "4096", starts_with="scale_factor")
    big = jpeg_bytes((64, 64)) + b"\0" * (4 << 20)
    response = decor8.post("/upscale_image", {"scale_factor": 2}, image=big)
    assert_error(response, 413, "InvalidInput", "4 MB", starts_with="input_image")


@pytest.mark.emulator_only  # the emulator's own render limit
def test_upscale_past_the_render_limit(decor8: Decor8Client):
    response = decor8.post("/upscale_image", {"scale_factor": 4}, image=jpeg_bytes((1000, 750)))
    assert_error(response, 400, "InvalidParameter", "megapixels", starts_with="scale_factor")


# 14. sketch to 3D render


@pytest.mark.parametrize("render_type", [None, "perspective", "ISOMETRIC"])
def test_sketch_to_3d_render(decor8: Decor8Client, render_type):
    body = {"input_image_url": jpeg_data_url((900, 600), color=(250, 250, 250)),
            "design_style": "contemporary", "render_type": render_type}  # fmt: skip
    info = decor8.ok("/sketch_to_3d_render", body)
    decor8.check_images(info["images"], (768, 512))


def sketch_body(**fields: Any) -> dict[str, Any]:
    sketch = jpeg_data_url((900, 600), color=(250, 250, 250))  # 3:2
    return {"input_image_url": sketch, "design_style": "modern", "num_images": 4} | fields


def test_sketch_scale_factor_and_refusals(decor8: Decor8Client):
    body = sketch_body(scale_factor=3)
    info = decor8.ok("/sketch_to_3d_render", body, encoding="multipart")
    assert [(i["width"], i["height"]) for i in info["images"]] == [(BASE_EDGE * 3, 1536)] * 4
    decor8.check_images(info["images"][:1], (2304, 1536))
    for field, value in (("scale_factor", 9), ("render_type", "orthographic"),
                         ("design_style", None)):  # fmt: skip
        response = decor8.post("/sketch_to_3d_render", body | {field: value})
        assert_error(response, 400, "InvalidParameter", starts_with=field)


@pytest.mark.emulator_only  # the emulator's own render limit
def test_sketch_scale_factor_past_the_render_limit_keeps_the_aspect(decor8: Decor8Client):
    info = decor8.ok("/sketch_to_3d_render", sketch_body(scale_factor=8))
    for image in info["images"]:
        assert_scaled(image, (3, 2), BASE_EDGE * 8)


@pytest.mark.parametrize(
    "path",
    ["/prime_walls_for_room", "/change_wall_color", "/change_kitchen_cabinets_color",
     "/remodel_kitchen", "/remodel_bathroom", "/replace_sky_behind_house",
     "/generate_landscaping_designs", "/remove_objects_from_room", "/sketch_to_3d_render"],
)  # fmt: skip
def test_every_url_call_needs_its_image(decor8: Decor8Client, path):
    response = decor8.post(path, {})
    assert_error(response, 400, "InvalidInput", starts_with="input_image_url")


def test_multipart_image_on_a_url_endpoint(decor8: Decor8Client):
    """[REPO ComfyUI node] posts the file `input_image` to URL endpoints: taken as the photo."""
    body = {"wall_color_hex_code": "#00FF00"}
    info = decor8.ok("/change_wall_color", body, image=jpeg_bytes(PHOTO))
    decor8.check_images(info["images"], PHOTO_OUT)
