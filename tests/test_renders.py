from __future__ import annotations

import io

import pytest
from PIL import Image, ImageStat

from emulator.core import renders
from emulator.core.renders import RenderSpec, image_size, mask_coverage, render, sniff_image

from .helpers import heic_bytes, image_bytes


def spec(**kw) -> RenderSpec:
    return RenderSpec(vendor="Test Vendor", room_type="living", style="modern", **kw)


def decoded(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def test_same_spec_and_source_give_the_same_bytes() -> None:
    source = image_bytes(160, 120)
    first, size = render(spec(source_key="s"), source)
    second, _ = render(spec(source_key="s"), source)
    assert first == second
    assert size == (160, 120)
    assert render(spec(source_key="s", variation=2, variations=2), source)[0] != first


def test_output_size_equals_source_size() -> None:
    for width, height in ((320, 200), (90, 160)):
        data, size = render(spec(), image_bytes(width, height, "PNG"))
        assert size == (width, height)
        assert image_size(data) == (width, height)
        assert sniff_image(data) == "image/jpeg"


@pytest.mark.parametrize(("fmt", "kind"), [("PNG", "image/png"), ("WEBP", "image/webp")])
def test_output_format(fmt: str, kind: str) -> None:
    data, _ = render(spec(format=fmt), image_bytes(80, 60))
    assert sniff_image(data) == kind


def test_min_long_edge_upscales_keeping_aspect() -> None:
    data, size = render(spec(min_long_edge=600), image_bytes(300, 200))
    assert size == (600, 400) and image_size(data) == (600, 400)
    _, tall = render(spec(min_long_edge=600), image_bytes(150, 300))
    assert tall == (300, 600)
    _, untouched = render(spec(min_long_edge=100), image_bytes(300, 200))
    assert untouched == (300, 200)


def test_max_long_edge_downscales_keeping_aspect() -> None:
    _, size = render(spec(max_long_edge=200), image_bytes(400, 300))
    assert size == (200, 150)


def test_heic_size_comes_from_its_ispe_box() -> None:
    data = heic_bytes(4032, 3024)
    assert image_size(data) == (4032, 3024)
    # no HEIC decoder: the render is a synthetic room of the photo's size
    _, size = render(spec(source_key="photo.heic"), heic_bytes(400, 300))
    assert size == (400, 300)


def test_image_size_of_common_formats_and_garbage() -> None:
    assert image_size(image_bytes(33, 21, "JPEG")) == (33, 21)
    assert image_size(image_bytes(33, 21, "PNG")) == (33, 21)
    assert image_size(image_bytes(33, 21, "WEBP")) == (33, 21)
    assert image_size(b"not an image") is None
    assert image_size(b"") is None


def test_image_size_honours_exif_rotation() -> None:
    img = Image.new("RGB", (40, 20))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90 degrees: displayed 20 x 40
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif)
    assert image_size(buf.getvalue()) == (20, 40)


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (image_bytes(8, 8, "JPEG"), "image/jpeg"),
        (image_bytes(8, 8, "PNG"), "image/png"),
        (image_bytes(8, 8, "WEBP"), "image/webp"),
        (heic_bytes(8, 8, b"heic"), "image/heic"),
        (heic_bytes(8, 8, b"heix"), "image/heic"),
        (heic_bytes(8, 8, b"mif1"), "image/heif"),
        (b"\x00\x00\x00\x18ftypisom\x00\x00\x00\x00", None),  # an MP4
        (b"RIFF\x00\x00\x00\x00WAVE", None),
        (b"GIF89a....", None),
        (b"<html></html>", None),
        (b"", None),
    ],
)
def test_sniff_image(data: bytes, kind: str | None) -> None:
    assert sniff_image(data) == kind


def test_mask_coverage_counts_white_pixels() -> None:
    mask = Image.new("L", (100, 100), 0)
    mask.paste(255, (0, 0, 25, 100))
    assert mask_coverage(mask) == 25.0
    assert mask_coverage(Image.new("L", (10, 10), 0)) == 0.0
    assert mask_coverage(Image.new("RGB", (10, 10), (255, 255, 255))) == 100.0


def test_mask_render_matches_its_mask() -> None:
    data, size = render(spec(operation="mask", source_key="k", format="PNG"), image_bytes(200, 150))
    out = decoded(data)
    assert size == (200, 150) and out.mode == "L"
    expected = renders.mask_for((200, 150), "k")
    assert out.tobytes() == expected.tobytes()
    assert mask_coverage(out) == mask_coverage(expected)
    assert 0 < mask_coverage(out) < 100
    histogram = out.histogram()
    assert sum(histogram) == histogram[0] + histogram[255]  # pure black and white


def test_declutter_differs_from_stage_and_is_muted() -> None:
    source = image_bytes(200, 150, color=(200, 60, 40))
    staged, _ = render(spec(source_key="s"), source)
    decluttered, size = render(spec(source_key="s", operation="declutter"), source)
    assert staged != decluttered and size == (200, 150)

    def saturation(data: bytes) -> float:
        return ImageStat.Stat(decoded(data).convert("HSV").crop((0, 0, 200, 40))).mean[1]

    assert saturation(decluttered) < saturation(source)


def test_every_operation_renders() -> None:
    source = image_bytes(96, 64)
    outputs = {op: render(spec(operation=op), source)[0] for op in renders.Operation.__args__}
    assert len(set(outputs.values())) == len(outputs)


def test_synthetic_room_for_an_outside_url_is_deterministic_per_url() -> None:
    a1, size = render(spec(source_key="https://example.com/a.jpg"), None)
    a2, _ = render(spec(source_key="https://example.com/a.jpg"), None)
    assert a1 == a2 and size == renders.DEFAULT_SIZE
    room_a = renders.synthetic_room("https://example.com/a.jpg", (160, 120))
    room_b = renders.synthetic_room("https://example.com/b.jpg", (160, 120))
    assert (
        room_a.tobytes()
        == renders.synthetic_room("https://example.com/a.jpg", (160, 120)).tobytes()
    )
    assert room_a.tobytes() != room_b.tobytes()


def test_undecodable_source_falls_back_to_a_synthetic_room() -> None:
    data, size = render(spec(source_key="junk"), b"definitely not an image")
    assert size == renders.DEFAULT_SIZE and sniff_image(data) == "image/jpeg"


def test_thumbnail_fits_in_400() -> None:
    thumb = renders.thumbnail(image_bytes(1000, 500))
    assert sniff_image(thumb) == "image/jpeg"
    assert image_size(thumb) == (400, 200)
