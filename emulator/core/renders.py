"""Placeholder renders drawn with Pillow: plausible at a glance, deterministic for the same inputs.

A staged render is the source photo with furniture-like shapes and a label; a declutter render is
the photo emptied and muted; dusk, enhance and mask have looks of their own. When the source cannot
be decoded (an outside URL, which the emulator never fetches, or HEIC without a decoder) a synthetic
room is drawn from a hash of the source's name.
"""

from __future__ import annotations

import base64
import hashlib
import io
import random
from typing import Literal

from PIL import Image, ImageColor, ImageDraw, ImageEnhance, ImageFont, ImageOps
from pydantic import BaseModel

from . import images, scenes
from .images import image_size as image_size  # re-exported: vendors read sizes from here
from .images import sniff_image as sniff_image

Operation = Literal[
    "stage", "declutter", "dusk", "enhance", "mask", "sky", "upscale", "edit",
    "recolor", "sky_color", "landscape", "sketch", "erase", "empty", "twilight", "remodel",
]  # fmt: skip
OutputFormat = Literal["JPEG", "PNG", "WEBP"]

CONTENT_TYPES: dict[str, str] = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXTENSIONS: dict[str, str] = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}

DEFAULT_SIZE = (1536, 1024)
# [PROPOSED] A render is drawn at most this big (3072 px long edge at 4:3), whatever its source
# declares: drawing holds about DRAW_BYTES per pixel at its peak (measured, day-to-dusk).
MAX_OUTPUT_PIXELS = 3072 * 2304
DRAW_BYTES = 26


class RenderSpec(BaseModel):
    """Everything that decides a render's pixels; the same spec gives the same bytes."""

    vendor: str
    operation: Operation = "stage"
    room_type: str | None = None
    style: str | None = None
    variation: int = 1
    variations: int = 1
    source_key: str = ""  # names the source for synthetic rooms and the layout seed
    min_long_edge: int | None = None
    max_long_edge: int | None = None
    format: OutputFormat = "JPEG"
    note: str | None = None
    emptied: bool = False  # stage over the room emptied first (removal, cleanup and stage)
    color: str | None = None  # "#RRGGBB": the paint of `recolor`, the sky of `sky_color`
    mask: str | None = None  # `erase`: base64 PNG, white where objects go (scaled to the image)
    prompt: str | None = None  # an edit's instruction, quoted on the render
    sky: str | None = None  # dusk, golden, blue, twilight, night, day (default: from the note)
    target: str | None = None  # what `recolor` paints: "walls" (default) or "cabinets"

    def seed(self) -> int:
        digest = hashlib.sha256(self.model_dump_json().encode()).digest()
        return int.from_bytes(digest[:8], "big")


def synthetic_room(key: str, size: tuple[int, int] = DEFAULT_SIZE) -> Image.Image:
    """An empty room in perspective, its colours and window drawn from `key`."""
    rng = random.Random(hashlib.sha256(key.encode()).digest())
    w, h = size
    wall = tuple(rng.randint(200, 240) for _ in range(3))
    side = tuple(max(0, c - 25) for c in wall)
    floor = (rng.randint(120, 170), rng.randint(90, 120), rng.randint(60, 90))
    img = Image.new("RGB", size, wall)
    d = ImageDraw.Draw(img)
    bx0, by0, bx1, by1 = int(w * 0.2), int(h * 0.15), int(w * 0.8), int(h * 0.65)
    d.polygon([(0, 0), (bx0, by0), (bx0, by1), (0, h)], fill=side)
    d.polygon([(w, 0), (bx1, by0), (bx1, by1), (w, h)], fill=side)
    d.polygon([(0, h), (bx0, by1), (bx1, by1), (w, h)], fill=floor)
    d.polygon([(0, 0), (w, 0), (bx1, by0), (bx0, by0)], fill=tuple(min(255, c + 12) for c in wall))
    for i in range(1, 8):  # floorboards
        x = bx0 + (bx1 - bx0) * i / 8
        d.line(
            [(x, by1), (w * i / 8, h)], fill=tuple(c - 18 for c in floor), width=max(1, w // 600)
        )
    wx0 = bx0 + int((bx1 - bx0) * rng.uniform(0.1, 0.45))
    ww = int((bx1 - bx0) * 0.35)
    d.rectangle(
        [wx0, by0 + (by1 - by0) * 0.15, wx0 + ww, by0 + (by1 - by0) * 0.7], fill=(176, 214, 240)
    )
    d.rectangle(
        [wx0, by0 + (by1 - by0) * 0.15, wx0 + ww, by0 + (by1 - by0) * 0.7],
        outline=(250, 250, 250),
        width=max(2, w // 250),
    )
    return img


def output_size(source: tuple[int, int], spec: RenderSpec) -> tuple[int, int]:
    """The render's size: the source's, its long edge brought within the spec's bounds, then at
    most MAX_OUTPUT_PIXELS whatever the source declares."""
    long_edge = max(source)
    target = long_edge
    if spec.min_long_edge and long_edge < spec.min_long_edge:
        target = spec.min_long_edge
    if spec.max_long_edge and long_edge > spec.max_long_edge:
        target = spec.max_long_edge
    size = source
    if target != long_edge:
        ratio = target / long_edge
        size = (max(1, round(source[0] * ratio)), max(1, round(source[1] * ratio)))
    return images.fit_size(size, MAX_OUTPUT_PIXELS)


def _furniture(img: Image.Image, spec: RenderSpec, rng: random.Random) -> None:
    """The room type's furniture in the style's look, over an RGBA image (see scenes)."""
    overlay = Image.new("RGBA", img.size, (0, 0, 0, 0))
    scenes.draw_scene(
        ImageDraw.Draw(overlay), img.size, spec.room_type, spec.style, rng, spec.variation
    )
    img.alpha_composite(overlay)


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except Exception:
        return ImageFont.load_default()


def _label(d: ImageDraw.ImageDraw, size: tuple[int, int], spec: RenderSpec) -> None:
    """Caption band (vendor, operation, room, style, variation, note, the style's palette), the
    operation's badge and, for edits, the prompt."""
    w, h = size
    first = f"{spec.vendor} - {spec.operation}"
    details = [x for x in (spec.room_type, spec.style) if x]
    second = " / ".join(details)
    second += f"{'  ' if second else ''}variation {spec.variation} of {spec.variations}"
    lines = [first, second] + ([spec.note] if spec.note else [])
    size_px = max(10, min(w, h) // 28)
    font = _font(size_px)
    band = int(size_px * 1.4 * len(lines) + size_px)
    d.rectangle([0, h - band, w, h], fill=(0, 0, 0, 150))
    for i, line in enumerate(lines):
        d.text(
            (size_px, h - band + size_px // 2 + i * size_px * 1.4),
            line,
            fill=(255, 255, 255, 255),
            font=font,
        )
    if spec.style:
        scenes.swatch(d, scenes.palette(spec.style), w - size_px, h - band + size_px // 2, size_px)
    tag_width = int(d.textlength("EMULATOR", font=font)) + size_px
    d.rectangle([w - tag_width - size_px // 2, 0, w, size_px * 2], fill=(0, 0, 0, 150))
    d.text((w - tag_width, size_px // 2), "EMULATOR", fill=(255, 255, 255, 230), font=font)
    text, colour = scenes.BADGES.get(spec.operation, (spec.operation.upper(), (60, 60, 60)))
    if spec.operation in ("dusk", "twilight", "sky") and _sky(spec) not in ("dusk", "twilight"):
        text = f"{text}: {_sky(spec).upper()}"
    if spec.operation == "upscale":
        text = f"{text} {w}x{h}"
    bottom = scenes.badge(d, text, colour, font, size_px)
    prompt = spec.prompt or _quoted(spec.note)
    if prompt:
        scenes.prompt_box(d, size, prompt, font, (size_px // 2, bottom + size_px // 2))


def _quoted(note: str | None) -> str | None:
    """A prompt that a vendor put in its note between double quotes."""
    if note and note.count('"') >= 2:
        return note.split('"')[1] or None
    return None


def _sky(spec: RenderSpec) -> str:
    default = {"twilight": "twilight", "sky": "day"}.get(spec.operation, "dusk")
    return spec.sky or scenes.sky_kind(spec.note, default=default)


def mask_for(size: tuple[int, int], seed_key: str) -> Image.Image:
    """A black-and-white furniture mask: white where furniture would be."""
    w, h = size
    rng = random.Random(hashlib.sha256(seed_key.encode()).digest())
    img = Image.new("L", size, 0)
    d = ImageDraw.Draw(img)
    for _ in range(rng.randint(2, 5)):
        x0, y0 = rng.uniform(0.05, 0.6) * w, rng.uniform(0.45, 0.75) * h
        d.rounded_rectangle(
            [x0, y0, x0 + rng.uniform(0.12, 0.35) * w, y0 + rng.uniform(0.08, 0.2) * h],
            radius=min(w, h) * 0.01,
            fill=255,
        )
    return img


def mask_coverage(mask: Image.Image) -> float:
    """Percentage (0-100) of white pixels, to one decimal place."""
    histogram = mask.convert("L").histogram()
    white = sum(histogram[128:])
    return round(100 * white / (mask.width * mask.height), 1)


def render(spec: RenderSpec, source: bytes | None) -> tuple[bytes, tuple[int, int]]:
    """Draw the placeholder for `spec` over `source` (image bytes) and encode it."""
    header = _header(source)
    size = output_size(header.size if header else DEFAULT_SIZE, spec)
    cost = (images.decode_cost(header, size) if header else 0) + size[0] * size[1] * DRAW_BYTES
    with images.budget.hold(cost):
        img = _decode(source, size) if source else None
        if img is None:
            img = synthetic_room(spec.source_key or "room", size)
        rng = random.Random(spec.seed())
        if spec.operation == "mask":
            out: Image.Image = mask_for(img.size, spec.source_key)
        else:
            out = _apply(img, spec, rng)
        del img
        return encode(out, spec.format), out.size


def _header(data: bytes | None) -> images.ImageInfo | None:
    try:
        return images.read_header(data) if data else None
    except images.ImageProblem:
        return None


def _apply(img: Image.Image, spec: RenderSpec, rng: random.Random) -> Image.Image:
    op = spec.operation
    if op == "empty" or spec.emptied:
        img = scenes.emptied(img)
    if op == "declutter":
        img = scenes.decluttered(img, rng)
    if op in ("dusk", "twilight", "sky"):
        img = scenes.paint_sky(img, _sky(spec), rng)
    elif op in ("enhance", "upscale"):
        img = scenes.enhanced(img, sharpen=op == "upscale")
    elif op in _LOOKS and not _cabinets(spec):
        img = _LOOKS[op](img, spec)
    overlay = Image.new("RGBA", img.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(overlay)
    if op == "remodel":
        scenes.floor_tiles(d, img.size, spec.style)
    if _cabinets(spec):
        scenes.cabinet_fronts(d, img.size, _rgb(spec.color, (240, 236, 228)))
    if op in ("stage", "edit", "remodel"):
        scenes.draw_scene(d, img.size, spec.room_type, spec.style, rng, spec.variation)
    _label(d, img.size, spec)
    img = img if img.mode == "RGB" else img.convert("RGB")
    img.paste(overlay, (0, 0), overlay)
    return img


def _cabinets(spec: RenderSpec) -> bool:
    """A recolour of the kitchen cabinets rather than the walls."""
    return spec.operation == "recolor" and "cabinet" in f"{spec.target} {spec.note}".lower()


def _decode(data: bytes, size: tuple[int, int] | None = None) -> Image.Image | None:
    """RGB pixels of image bytes at `size` (default: its own, within MAX_OUTPUT_PIXELS), decoded
    within bounds (see `images.decode_at`), or None when they cannot be."""
    header = _header(data)
    if header is None:
        return None
    return images.decode_at(data, size or images.fit_size(header.size, MAX_OUTPUT_PIXELS))


def encode(img: Image.Image, fmt: OutputFormat) -> bytes:
    buf = io.BytesIO()
    if fmt == "JPEG":
        img.convert("RGB").save(buf, "JPEG", quality=85)
    elif fmt == "WEBP":
        img.save(buf, "WEBP", quality=80, method=0)
    else:
        img.save(buf, "PNG", compress_level=3)
    return buf.getvalue()


def thumbnail(data: bytes, max_edge: int = 400) -> bytes:
    header = _header(data)
    source = header.size if header else DEFAULT_SIZE
    ratio = min(1.0, max_edge / max(source))
    size = (max(1, round(source[0] * ratio)), max(1, round(source[1] * ratio)))
    cost = (images.decode_cost(header, size) if header else 0) + size[0] * size[1] * DRAW_BYTES
    with images.budget.hold(cost):
        return encode(_decode(data, size) or synthetic_room("thumb", size), "JPEG")


def reencode(data: bytes, fmt: OutputFormat) -> bytes:
    """Image bytes in another format, decoded within bounds (an undecodable image: a room)."""
    header = _header(data)
    size = images.fit_size(header.size if header else DEFAULT_SIZE, MAX_OUTPUT_PIXELS)
    cost = (images.decode_cost(header, size) if header else 0) + size[0] * size[1] * DRAW_BYTES
    with images.budget.hold(cost):
        return encode(_decode(data, size) or synthetic_room("image", size), fmt)


# Looks of the edit operations: recolor (walls or cabinets painted), sky_color (a new sky of that
# colour, the scene lit to match), landscape (lawn and planting), sketch (a furnished room drawn
# in place of the sketch, the sketch inset), erase (the areas under `mask` emptied).


def _rgb(color: str | None, default: tuple[int, int, int]) -> tuple[int, int, int]:
    try:
        return ImageColor.getrgb(color) if color else default  # type: ignore[return-value]
    except ValueError:
        return default


def _recolor(img: Image.Image, spec: RenderSpec) -> Image.Image:
    w, h = img.size
    paint = Image.new("RGB", img.size, _rgb(spec.color, (240, 236, 228)))
    walls = Image.linear_gradient("L").resize((w, h)).point(lambda v: 170 - v * 2 // 3)
    out = Image.composite(paint, img, walls)
    swatch = max(8, min(w, h) // 8)
    ImageDraw.Draw(out).rectangle(
        [swatch // 2, swatch // 2, swatch * 3 // 2, swatch * 3 // 2],
        fill=paint.getpixel((0, 0)),
        outline=(255, 255, 255),
        width=max(1, swatch // 16),
    )
    return out


def _sky_color(img: Image.Image, spec: RenderSpec) -> Image.Image:
    w, h = img.size
    sky = _rgb(spec.color, (126, 200, 240))
    light = 0.3 + 0.7 * (0.299 * sky[0] + 0.587 * sky[1] + 0.114 * sky[2]) / 255
    lit = ImageEnhance.Brightness(img).enhance(light)
    top = Image.linear_gradient("L").resize((w, h)).point(lambda v: max(0, 230 - v * 3))
    out = Image.composite(Image.new("RGB", img.size, sky), lit, top)
    if light < 0.5:  # night: a few stars
        rng = random.Random(spec.seed())
        d = ImageDraw.Draw(out)
        for _ in range(40):
            x, y, r = rng.uniform(0, w), rng.uniform(0, h * 0.3), max(1, min(w, h) // 300)
            d.ellipse([x - r, y - r, x + r, y + r], fill=(255, 250, 220))
    return out


def _landscape(img: Image.Image, spec: RenderSpec) -> Image.Image:
    w, h = img.size
    out = img.copy()
    d = ImageDraw.Draw(out)
    rng = random.Random(spec.seed())
    d.rectangle([0, h * 0.68, w, h], fill=(92, 150, 70))
    d.polygon(
        [(w * 0.42, h), (w * 0.58, h), (w * 0.53, h * 0.68), (w * 0.47, h * 0.68)],
        fill=(200, 190, 170),
    )
    for _ in range(9):
        x, y, r = rng.uniform(0, w), rng.uniform(h * 0.6, h * 0.8), rng.uniform(0.03, 0.07) * w
        d.ellipse([x - r, y - r * 0.8, x + r, y + r * 0.8], fill=(46, 100 + rng.randint(0, 50), 50))
        if rng.random() < 0.5:
            d.ellipse([x - r / 4, y - r / 2, x, y - r / 4], fill=(220, 90, 140))
    return out


def _sketch(img: Image.Image, spec: RenderSpec) -> Image.Image:
    room = synthetic_room(spec.source_key or "sketch", img.size).convert("RGBA")
    _furniture(room, spec, random.Random(spec.seed()))
    inset = ImageOps.grayscale(img).convert("RGB")
    inset.thumbnail((max(1, img.width // 4), max(1, img.height // 4)))
    room.paste(inset.convert("RGBA"), (max(4, img.width // 60), max(4, img.height // 60)))
    return room.convert("RGB")


def _erase(img: Image.Image, spec: RenderSpec) -> Image.Image:
    mask = _decode(base64.b64decode(spec.mask), img.size) if spec.mask else None
    if mask is None:
        return scenes.emptied(img)
    return Image.composite(scenes.emptied(img), img, mask.convert("L"))


_LOOKS = {
    "recolor": _recolor,
    "sky_color": _sky_color,
    "landscape": _landscape,
    "sketch": _sketch,
    "erase": _erase,
}
