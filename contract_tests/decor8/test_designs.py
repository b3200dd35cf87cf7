"""The design generators (notes 2, #1-#3, #15): every body encoding, values as the SDKs send them,
enums in any case, the answer shapes of notes 3 (served URLs with their real size, base64 `data`
for the legacy file call, captions, `mask_info`)."""

from __future__ import annotations

import base64

import pytest

from ..support import data_url, decode_image, jpeg_bytes, jpeg_data_url, make_image
from .client import BASE_EDGE, ENCODINGS, Decor8Client, assert_error, fitted, info_of

# A real 3:2 photo (as a data URL [3P, PY docstring]), so that these tests hold against the real
# API too; outside URLs the emulator would draw as synthetic rooms instead.
PHOTO = (960, 640)
PHOTO_OUT = (BASE_EDGE, BASE_EDGE * 2 // 3)  # 768x512
ROOM = "/generate_designs_for_room"


def room_body(**fields):
    return {
        "input_image_url": jpeg_data_url(PHOTO),
        "room_type": "livingroom",
        "design_style": "modern",
    } | fields


# 1. /generate_designs_for_room


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_generate_designs_for_room_in_every_encoding(decor8: Decor8Client, encoding):
    body = room_body(num_images=2, color_scheme="COLOR_SCHEME_5", guidance_scale=15.0)
    response = decor8.post(ROOM, body, encoding=encoding)
    info = info_of(response)
    assert response.json()["message"] == "Successfully generated designs."
    assert len(info["images"]) == 2
    decor8.check_images(info["images"], PHOTO_OUT)
    assert isinstance(info["mask_info"], str) and info["mask_info"]


@pytest.mark.parametrize(
    ("num_images", "scale_factor", "guidance", "steps"),
    [("1", "1", "15.0", "50"), ("4", "2", "1", "1"), ("3.0", 1.0, 20, "75.0"), (2, "3", "7.5", 35)],
)
def test_numbers_as_strings_or_floats(decor8, num_images, scale_factor, guidance, steps):
    body = room_body(
        num_images=num_images,
        scale_factor=scale_factor,
        guidance_scale=guidance,
        num_inference_steps=steps,
    )
    info = decor8.ok(ROOM, body)
    assert len(info["images"]) == int(float(num_images))
    edge = BASE_EDGE * int(float(scale_factor))
    assert {(i["width"], i["height"]) for i in info["images"]} == {(edge, edge * 2 // 3)}


@pytest.mark.parametrize(
    ("room_type", "design_style"),
    [("LIVINGROOM", "MODERN"), ("livingroom", "modern"), ("LivingRoom", "Asian_Zen"),
     ("study_room", "wabi_sabi"), ("PRIVATEOFFICE", "warmminimalist")],
)  # fmt: skip
def test_enums_in_any_case(decor8: Decor8Client, room_type, design_style):
    info = decor8.ok(ROOM, room_body(room_type=room_type, design_style=design_style))
    assert len(info["images"]) == 1


@pytest.mark.parametrize("scale_factor", [1, 2, 3])
def test_long_edge_is_768_times_scale_factor_with_the_photos_aspect(decor8, scale_factor):
    photo = jpeg_data_url((1280, 720))
    info = decor8.ok(ROOM, room_body(input_image_url=photo, scale_factor=scale_factor))
    decor8.check_images(info["images"], fitted((1280, 720), BASE_EDGE * scale_factor))


def test_portrait_photo_keeps_its_aspect(decor8: Decor8Client):
    info = decor8.ok(ROOM, room_body(input_image_url=jpeg_data_url((600, 900))))
    decor8.check_images(info["images"], (512, 768))


def test_a_served_result_can_be_the_next_source(decor8: Decor8Client):
    first = decor8.ok(ROOM, room_body(input_image_url=jpeg_data_url((800, 600))))["images"][0]
    info = decor8.ok(ROOM, room_body(input_image_url=first["url"], scale_factor=2))
    decor8.check_images(info["images"], (1536, 1152))


def test_every_optional_field(decor8: Decor8Client):
    body = room_body(
        num_images=1,
        scale_factor=1,
        color_scheme="color_scheme_20",
        speciality_decor="SPECIALITY_DECOR_2",
        prompt="a cozy reading corner",
        seed=0,
        guidance_scale=1,
        num_inference_steps=75,
        design_style_image_url=jpeg_data_url((300, 300), color=(40, 90, 60)),
        design_style_image_strength=0.82,
        design_creativity="0.39",
        webhooks_data='{"note": "no url here"}',
        decor_items='[{"item": "sofa", "color": "green"}]',
        # accepted and ignored [PY028, 3P]
        keep_original_floor=True,
        prompt_prefix="photo of",
        prompt_suffix="high detail",
        negative_prompt="clutter",
        keep_original_dimensions="false",
        some_future_field="ignored",
    )
    for encoding in ENCODINGS:
        info = decor8.ok(ROOM, body, encoding=encoding)
        assert len(info["images"]) == 1


def test_prompt_only_generation(decor8: Decor8Client):
    """[PY README "Example 2"; REPO ComfyUI]: a prompt instead of room_type and design_style;
    module-level Python sends them as null."""
    body = {"input_image_url": jpeg_data_url(PHOTO), "room_type": None, "design_style": None,
            "num_images": 1, "prompt": "scandinavian bedroom", "seed": 0}  # fmt: skip
    assert len(decor8.ok(ROOM, body)["images"]) == 1
    body = {"input_image_url": jpeg_data_url(PHOTO), "prompt": "boho", "room_type": "bedroom"}
    assert len(decor8.ok(ROOM, body)["images"]) == 1


@pytest.mark.parametrize("missing", ["room_type", "design_style"])
def test_room_and_style_needed_without_prompt(decor8: Decor8Client, missing):
    body = room_body()
    body[missing] = None
    assert_error(decor8.post(ROOM, body), 400, "InvalidParameter", "prompt", starts_with=missing)


@pytest.mark.parametrize("url", [None, "", "not a url", "ftp://x/y.jpg", "http://localhost/a.jpg",
                                 "http://10.0.0.1/a.jpg", "data:image/png;base64,AAAA",
                                 "data:text/plain;base64,aGVsbG8=", "data:image/jpeg,raw", 5])  # fmt: skip
def test_missing_or_unusable_image_is_invalid_input(decor8: Decor8Client, url):
    body = room_body(input_image_url=url)
    assert_error(decor8.post(ROOM, body), 400, "InvalidInput", starts_with="input_image_url")


@pytest.mark.parametrize("url", ["ftp://x/y.jpg", "http://10.0.0.1/a.jpg",
                                 "data:image/png;base64,AAAA", "data:image/jpeg,raw"])  # fmt: skip
def test_unusable_style_image_is_invalid_input(decor8: Decor8Client, url):
    body = room_body(design_style_image_url=url)
    response = decor8.post(ROOM, body)
    assert_error(response, 400, "InvalidInput", starts_with="design_style_image_url")


@pytest.mark.emulator_only  # a second account
def test_mask_info_goes_back_as_mask_info(decor8: Decor8Client, decor8_as):
    mask_info = decor8.ok(ROOM, room_body())["mask_info"]
    info = decor8.ok(ROOM, room_body(mask_info=mask_info))
    assert info["mask_info"] != mask_info
    response = decor8_as().post(ROOM, room_body(mask_info=mask_info))
    assert_error(response, 400, "InvalidParameter", starts_with="mask_info")
    response = decor8.post(ROOM, room_body(mask_info="made-up"))
    assert_error(response, 400, "InvalidParameter", starts_with="mask_info")


# 2. /generate_inspirational_designs: no photo


@pytest.mark.emulator_only  # the size of a design without a photo is the emulator's [INFERRED]
@pytest.mark.parametrize("encoding", ENCODINGS)
def test_inspirational_designs(decor8: Decor8Client, encoding):
    body = {"room_type": "bedroom", "design_style": "japandi", "num_images": "2",
            "speciality_decor": "speciality_decor_7", "num_inference_steps": 35}  # fmt: skip
    info = decor8.ok("/generate_inspirational_designs", body, encoding=encoding)
    assert len(info["images"]) == 2
    decor8.check_images(info["images"], PHOTO_OUT)  # a 3:2 room, as for a 3:2 photo
    assert "mask_info" not in info


def test_inspirational_needs_room_and_style_or_prompt(decor8: Decor8Client):
    response = decor8.post("/generate_inspirational_designs", {"design_style": "modern"})
    assert_error(response, 400, "InvalidParameter", starts_with="room_type")
    info = decor8.ok("/generate_inspirational_designs", {"prompt": "a sunny kitchen"})
    assert len(info["images"]) == 1


# 3. /generate_designs: multipart file, base64 answer [notes 3.2]


def test_generate_designs_answers_base64_and_url(decor8: Decor8Client):
    body = {"room_type": "LIVINGROOM", "design_style": "MODERN", "num_images": 2}
    info = decor8.ok("/generate_designs", body, image=jpeg_bytes((1024, 768)))
    assert len(info["images"]) == 2
    for image in info["images"]:
        img = decode_image(base64.b64decode(image["data"], validate=True))
        assert img.format == "JPEG" and img.size == (768, 576)
        assert (image["width"], image["height"]) == img.size
        assert "captions" not in image
        _, served = decor8.image_at(image["url"])
        assert served.size == img.size


def test_generate_designs_captions(decor8: Decor8Client):
    body = {"room_type": "bedroom", "design_style": "rustic", "num_captions": "2"}
    info = decor8.ok("/generate_designs", body, image=jpeg_bytes())
    [image] = info["images"]
    assert len(image["captions"]) == 2
    assert all(isinstance(c, str) and c for c in image["captions"])


def test_generate_designs_keep_original_dimensions(decor8: Decor8Client):
    """Python sends "True" only when true [PY]; curl sends false [REPO http/README]."""
    body = {"room_type": "kitchen", "design_style": "modern", "keep_original_dimensions": "True"}
    [image] = decor8.ok("/generate_designs", body, image=jpeg_bytes((500, 400)))["images"]
    assert (image["width"], image["height"]) == (500, 400)
    body["keep_original_dimensions"] = "false"
    [image] = decor8.ok("/generate_designs", body, image=jpeg_bytes((500, 400)))["images"]
    assert (image["width"], image["height"]) == (768, 614)


@pytest.mark.parametrize("encoding", ["json", "form"])
def test_generate_designs_takes_the_image_as_text(decor8: Decor8Client, encoding):
    for value in (jpeg_data_url((400, 300)), base64.b64encode(jpeg_bytes((400, 300))).decode()):
        body = {"room_type": "kitchen", "design_style": "modern", "input_image": value}
        [image] = decor8.ok("/generate_designs", body, encoding=encoding)["images"]
        assert (image["width"], image["height"]) == (768, 576)


def test_generate_designs_refuses_a_missing_or_bad_file(decor8: Decor8Client):
    body = {"room_type": "kitchen", "design_style": "modern"}
    response = decor8.post("/generate_designs", body, encoding="multipart")
    assert_error(response, 400, "InvalidInput", starts_with="input_image")
    response = decor8.post("/generate_designs", body, image=b"GIF89a not a photo")
    assert_error(response, 400, "InvalidInput", starts_with="input_image")
    response = decor8.post("/generate_designs", body, image=b"")
    assert_error(response, 400, "InvalidInput", starts_with="input_image")
    big = jpeg_bytes((64, 64)) + b"\0" * (10 << 20)
    response = decor8.post("/generate_designs", body, image=big)
    assert_error(response, 413, "InvalidInput", "MB", starts_with="input_image")


# 15. /generate_image_captions [PY README sample]


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_generate_image_captions(decor8: Decor8Client, encoding):
    body = {"room_type": "livingroom", "design_style": "frenchcountry", "num_captions": 2}
    response = decor8.post("/generate_image_captions", body, encoding=encoding)
    info = info_of(response)
    assert response.json()["message"] == "Successfully generated image captions."
    assert len(info["captions"]) == 2
    assert all(isinstance(c, str) and len(c) > 10 for c in info["captions"])


@pytest.mark.parametrize(
    ("field", "value"),
    [("room_type", None), ("design_style", "bauhaus-ish"), ("num_captions", 0),
     ("num_captions", "many")],
)  # fmt: skip
def test_generate_image_captions_refusals(decor8: Decor8Client, field, value):
    body = {"room_type": "livingroom", "design_style": "modern", "num_captions": 1, field: value}
    response = decor8.post("/generate_image_captions", body)
    assert_error(response, 400, "InvalidParameter", starts_with=field)


def test_data_url_of_another_type_is_taken(decor8: Decor8Client):
    url = data_url(make_image("PNG", (300, 200), (9, 9, 9)), "image/png")
    info = decor8.ok(ROOM, room_body(input_image_url=url))
    decor8.check_images(info["images"], (768, 512))
