"""What a Decor8 call produces: its job's timing, the look of each image, sizes and captions.

Every call is one engine job whose images are planned renders; the answer waits for the job
(notes 4: "every endpoint is synchronous"). Output size: the long edge is 768 x `scale_factor`
with the source's aspect ratio [notes 8: samples 768x512 and 768x576 without scale_factor; the
demo page "1 = max 768px, 2 = 1536px ..."].
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from ...core import renders
from ...core.jobs import Timing
from ...core.renders import RenderSpec
from ...core.webhooks import RetryPolicy
from . import answers as a
from . import models as m

TITLE = "Decor8 AI"
BASE_EDGE = 768  # [notes 3.1, 8]
KEEP_DIMENSIONS_MAX_EDGE = 4096  # [INFERRED] keep_original_dimensions, bounded
UPSCALE_INPUT_MAX_EDGE = 1024  # [REPO http/README] "inputs up to 1024px wide or tall"
UPSCALE_OUTPUT_MAX_EDGE = 4096  # [REPO http/README] output "upto 4x" of 1024 px
UPSCALE_FILE_LIMIT = 4 << 20  # [PY docstring] "max 4MB"

# Nominal seconds at speed 1, from the live test report [REPO js_test_report.json, notes 4]:
# 1.7 s removing objects, 9-17 s for most calls, 32.8 s changing a wall colour.
TIMINGS: dict[str, Timing] = {
    "generate_designs_for_room": Timing(queue=0.5, run=15.0),
    "generate_inspirational_designs": Timing(queue=0.5, run=12.0),
    "generate_designs": Timing(queue=0.5, run=15.0),
    "prime_walls_for_room": Timing(queue=0.5, run=10.0),
    "prime_the_room_walls": Timing(queue=0.5, run=10.0),
    "change_wall_color": Timing(queue=0.5, run=32.0),
    "change_kitchen_cabinets_color": Timing(queue=0.5, run=25.0),
    "remodel_kitchen": Timing(queue=0.5, run=17.0),
    "remodel_bathroom": Timing(queue=0.5, run=17.0),
    "replace_sky_behind_house": Timing(queue=0.5, run=12.0),
    "generate_landscaping_designs": Timing(queue=0.5, run=16.0),
    "remove_objects_from_room": Timing(queue=0.2, run=1.5),
    "upscale_image": Timing(queue=0.5, run=9.0),
    "sketch_to_3d_render": Timing(queue=0.5, run=15.0),
    "generate_image_captions": Timing(queue=0.2, run=3.0),
}
# [notes 3] the design sample's message; the prime and sky samples reuse it, so every image call
# but the two with their own sample does [INFERRED].
DESIGNS_MESSAGE = "Successfully generated designs."
MESSAGES = {
    "remove_objects_from_room": "Successfully removed objects from room.",  # [notes 3.3]
    "generate_image_captions": "Successfully generated image captions.",  # [notes 3.5]
    "upscale_image": "Successfully upscaled image.",  # [INFERRED]
}

PRIMER = "#F2EFE8"  # [INFERRED] the look of primed walls
SKY_COLORS = {"DAY": "#7EC8F0", "DUSK": "#F29A5C", "NIGHT": "#101C40"}

# webhooks_data [REPO http/README "Webhook URL for async notifications"; format undocumented]:
# unsigned, 3 attempts, 10 s then 20 s [INFERRED].
WEBHOOK_POLICY = RetryPolicy(max_attempts=3, first_delay=10.0, factor=2.0)


@dataclass(frozen=True)
class Source:
    """The picture a call works on: a stored media (upload or render), or an outside URL drawn as
    a synthetic room of the default size."""

    media_id: str | None
    key: str
    size: tuple[int, int]

    @property
    def long_edge(self) -> int:
        return max(self.size)


Info = Callable[[list[Any], str | None], BaseModel]  # the images and mask_info -> answers.*


@dataclass
class Order:
    """One call, checked: what to draw, how many, how big, and what shapes its answer."""

    operation: str  # the handler's name: job operation and fault-rule operation
    spec: RenderSpec  # every image's look (variation numbers are filled in)
    source: Source | None
    images: int
    long_edge: int
    inputs: tuple[str | None, ...] = ()  # texts scanned for magic words
    info: Info = field(default=lambda images, mask: a.Images(images=images))
    captions: int = 0  # generate_designs: captions per image
    caption_subject: tuple[str | None, str | None] = (None, None)
    webhook_url: str | None = None
    mask_info: bool = False  # answer with an `info.mask_info` (generate_designs_for_room)

    @property
    def message(self) -> str:
        return MESSAGES.get(self.operation, DESIGNS_MESSAGE)


def spec(operation: Any, **fields: Any) -> RenderSpec:
    return RenderSpec(vendor=TITLE, operation=operation, format="JPEG", **fields)


def fitted(size: tuple[int, int], long_edge: int) -> tuple[int, int]:
    """The size of a render of `size` with its long edge scaled to `long_edge`, as the engine draws
    it (within its render limit, `renders.MAX_OUTPUT_PIXELS`)."""
    spec = RenderSpec(vendor=TITLE, min_long_edge=long_edge, max_long_edge=long_edge)
    return renders.output_size(size, spec)


def upscale_limit_problem(size: tuple[int, int], factor: int) -> str | None:
    """Why the upscaled picture would be too big, or None: at most UPSCALE_OUTPUT_MAX_EDGE on its
    long edge, and no bigger than the engine draws any render."""
    w, h = size[0] * factor, size[1] * factor
    if max(w, h) > UPSCALE_OUTPUT_MAX_EDGE:
        return f"{w}x{h} px; at most {UPSCALE_OUTPUT_MAX_EDGE} px on the long edge"
    if w * h > renders.MAX_OUTPUT_PIXELS:
        return f"{w}x{h} px; at most {renders.MAX_OUTPUT_PIXELS / 1e6:.1f} megapixels"
    return None


def staged(body: m._DesignOptions, *extra: str | None) -> RenderSpec:
    """The look of a design: the room type and style asked for, noting what else shaped it."""
    note = design_note(body, *extra)
    return spec("stage", room_type=body.room_type, style=body.design_style, note=note)


def design_note(body: m._DesignOptions, *extra: str | None) -> str | None:
    """The label's third line: what shaped the design beyond room and style."""
    parts = [
        f"colours {m.COLOR_SCHEMES[body.color_scheme]}" if body.color_scheme else None,
        f"decor {m.SPECIALITY_DECORS[body.speciality_decor]}" if body.speciality_decor else None,
        f"seed {body.seed}" if body.seed is not None else None,
        *extra,
        f'prompt "{_shorten(body.prompt, 60)}"' if body.prompt else None,
    ]
    shown = [p for p in parts if p]
    return " | ".join(shown) if shown else None


def _shorten(value: str, limit: int) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "..."


# captions [PY README sample: quoted marketing lines naming the style and room]

_CAPTIONS = (
    "{Style} {Room} Retreat: {texture} textures, {material} accents and soft natural light",
    "Step into a {style} {room} - where {material} meets {texture} comfort",
    "Unveiling the art of {style} elegance: a {room} made for {moment}",
    "{Style} Living, Reimagined: this {room} pairs {material} with a {texture} calm",
    "Enchanting {Style} Charm: a {room} of {material}, light and {moment}",
)
_TEXTURES = ("layered", "airy", "velvet-soft", "warm", "tactile", "serene")
_MATERIALS = ("oak", "linen", "brass", "marble", "rattan", "walnut", "wool")
_MOMENTS = ("slow mornings", "long dinners", "quiet evenings", "weekend gatherings")


def words(name: str | None, fallback: str) -> str:
    """`LIVINGROOM` -> `living room`, `ASIAN_ZEN` -> `asian zen`."""
    if not name:
        return fallback
    spaced = name.lower().replace("_", " ")
    for tail in ("room", "nook", "closet", "office", "bar", "plan", "workspace", "modern"):
        if spaced.endswith(tail) and len(spaced) - len(tail) >= 4 and " " not in spaced:
            spaced = spaced[: -len(tail)] + " " + tail
    return spaced


def captions(
    room_type: str | None, style: str | None, count: int, key: str, quoted: bool
) -> list[str]:
    """`count` distinct captions for a room and style, the same for the same `key`."""
    rng = random.Random(hashlib.sha256(key.encode()).digest())
    room, styled = words(room_type, "room"), words(style, "timeless")
    picks = rng.sample(range(len(_CAPTIONS)), min(count, len(_CAPTIONS)))
    out = []
    for index in picks:
        line = _CAPTIONS[index].format(
            style=styled,
            Style=styled.title(),
            room=room,
            Room=room.title(),
            texture=rng.choice(_TEXTURES),
            material=rng.choice(_MATERIALS),
            moment=rng.choice(_MOMENTS),
        )
        out.append(f'"{line}"' if quoted else line)
    return out
