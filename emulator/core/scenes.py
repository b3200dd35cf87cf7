"""Placeholder furniture that shows what was asked: a scene per room type, a look per style.

Every vendor's room-type strings map to a small set of neutral scene kinds (a bed and nightstands
for a bedroom, an island and stools for a kitchen, a long table and a screen for a boardroom...),
whatever their case or separators: "LIVINGROOM", "living room", "living-room" and "living" are one
room. Every style word maps to a look: a palette (upholstery, wood, accent, metal) and a shape
language (corner roundness, legs, upholstery pattern, rug, plants, metal trim), so that industrial
(dark metal, sharp boxes, grid) and scandinavian (light oak, round, tapered legs) are told apart at
a glance. A style no table knows gets a look derived from a hash of its name, so two unknown
styles still differ. Variations of one request mirror and shift the layout and swap the wall art.

Drawing is plain Pillow on one RGBA overlay, a few dozen shapes, so it stays cheap at 1920x1080.
"""

from __future__ import annotations

import colorsys
import hashlib
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

from PIL import Image, ImageDraw, ImageFont

RGB = tuple[int, int, int]
Legs = Literal["none", "thin", "tapered", "block"]
Pattern = Literal["plain", "stripes", "dots", "check", "tufted", "grid", "zigzag", "floral"]
Rug = Literal["none", "rect", "round", "runner"]

SceneKind = Literal[
    "living",
    "openplan",
    "studio",
    "reading",
    "bedroom",
    "kids",
    "kitchen",
    "dining",
    "office",
    "bathroom",
    "outdoor",
    "gym",
    "laundry",
    "entry",
    "closet",
    "garage",
    "game",
    "bar",
    "boardroom",
    "cafe",
    "workspace",
]


def normalise(name: str | None) -> str:
    """`"Living-Room"`, `"living room"`, `"LIVING_ROOM"` -> `"livingroom"`."""
    return re.sub(r"[^a-z0-9]", "", (name or "").lower())


# Every room type of every vendor, normalised (ART, VSAI, Decor8, StagePro, Collov), and the long
# forms the vendors echo back. Anything else goes through the keywords below, then to "living".
_ROOMS: dict[str, SceneKind] = {
    # living rooms and their relatives
    "living": "living",
    "livingroom": "living",
    "familyroom": "living",
    "sunroom": "living",
    "standard": "living",
    "readingnook": "reading",
    "studyroom": "office",
    "studio": "studio",
    "ldk": "openplan",
    "openplan": "openplan",
    "openlivinganddiningroom": "openplan",
    "gameroom": "game",
    "homebar": "bar",
    # sleeping
    "bed": "bedroom",
    "bedroom": "bedroom",
    "kidsroom": "kids",
    "kids": "kids",
    "toyroom": "kids",
    "nursery": "kids",
    # cooking and eating
    "kitchen": "kitchen",
    "dining": "dining",
    "diningroom": "dining",
    # work
    "office": "office",
    "homeoffice": "office",
    "privateoffice": "office",
    "boardroom": "boardroom",
    "meetingroom": "boardroom",
    "conferenceroom": "boardroom",
    "openworkspace": "workspace",
    "cafe": "cafe",
    # wet rooms
    "bathroom": "bathroom",
    "powderroom": "bathroom",
    "sparoom": "bathroom",
    "laundryroom": "laundry",
    "mudroom": "laundry",
    # outside
    "outdoor": "outdoor",
    "patio": "outdoor",
    "backpatio": "outdoor",
    "frontporch": "outdoor",
    "backporch": "outdoor",
    "balcony": "outdoor",
    # the rest
    "homegym": "gym",
    "gym": "gym",
    "foyer": "entry",
    "entrance": "entry",
    "entryway": "entry",
    "walkincloset": "closet",
    "basement": "garage",
    "garage": "garage",
}

# For room names no vendor listed: the first keyword found decides.
_ROOM_WORDS: list[tuple[str, SceneKind]] = [
    ("kid", "kids"),
    ("toy", "kids"),
    ("nursery", "kids"),
    ("bed", "bedroom"),
    ("kitchen", "kitchen"),
    ("dining", "dining"),
    ("bath", "bathroom"),
    ("toilet", "bathroom"),
    ("spa", "bathroom"),
    ("laundry", "laundry"),
    ("board", "boardroom"),
    ("meeting", "boardroom"),
    ("conference", "boardroom"),
    ("workspace", "workspace"),
    ("cowork", "workspace"),
    ("office", "office"),
    ("study", "office"),
    ("patio", "outdoor"),
    ("porch", "outdoor"),
    ("garden", "outdoor"),
    ("yard", "outdoor"),
    ("terrace", "outdoor"),
    ("deck", "outdoor"),
    ("outdoor", "outdoor"),
    ("gym", "gym"),
    ("fitness", "gym"),
    ("closet", "closet"),
    ("wardrobe", "closet"),
    ("garage", "garage"),
    ("basement", "garage"),
    ("cellar", "garage"),
    ("foyer", "entry"),
    ("entr", "entry"),
    ("hall", "entry"),
    ("cafe", "cafe"),
    ("restaurant", "cafe"),
    ("bar", "bar"),
    ("game", "game"),
    ("reading", "reading"),
    ("library", "reading"),
]


def scene_kind(room_type: str | None) -> SceneKind:
    """The scene drawn for a vendor's room type; unknown or missing rooms are living rooms."""
    key = normalise(room_type)
    if key in _ROOMS:
        return _ROOMS[key]
    return next((kind for word, kind in _ROOM_WORDS if word in key), "living")


@dataclass(frozen=True)
class Look:
    """A style's palette and shape language."""

    body: RGB  # upholstery, bedding
    wood: RGB  # tables, frames, cabinets
    accent: RGB  # cushions, rug, art
    metal: RGB  # legs, handles, trim
    roundness: float = 0.15  # corner radius as a share of a piece's smaller side (0..0.5)
    legs: Legs = "tapered"
    pattern: Pattern = "plain"
    rug: Rug = "rect"
    plants: int = 1
    trim: bool = False  # metal outline on upholstery and tables (luxury, art deco...)


def _hex(value: str) -> RGB:
    value = value.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _look(body: str, wood: str, accent: str, metal: str, **shape: object) -> Look:
    return Look(_hex(body), _hex(wood), _hex(accent), _hex(metal), **shape)  # type: ignore[arg-type]


SHARP, SOFT, ROUND, PILL = 0.0, 0.15, 0.32, 0.5

# Normalised style names of every vendor. Each entry is told apart from the others of any one
# vendor's list by its palette and at least one shape trait (tests/test_scenes.py checks this).
STYLES: dict[str, Look] = {
    "modern": _look("#4a4f57", "#d9d4cc", "#e07a2f", "#1c1c1c", roundness=SOFT, legs="thin"),
    "contemporary": _look(
        "#9aa3ad", "#f2f0ec", "#2f6f9f", "#8a8a8a", roundness=ROUND, legs="none", rug="round"
    ),
    "standard": _look("#b59b7c", "#7a5535", "#6b8e9e", "#444444"),
    "scandinavian": _look(
        "#e8e4dc", "#d8b98a", "#9cb8c9", "#c9a26b", roundness=ROUND, rug="round", plants=2
    ),
    "industrial": _look(
        "#5a3e2b",
        "#3a2f28",
        "#b5652b",
        "#2b2b2b",
        roundness=SHARP,
        legs="thin",
        pattern="grid",
        plants=0,
        trim=True,
    ),
    "midcenturymodern": _look("#2f7d6d", "#a0522d", "#f2a93b", "#c9a36b", roundness=PILL),
    "luxury": _look(
        "#3a1f5c",
        "#1c1c1c",
        "#d4af37",
        "#d4af37",
        roundness=ROUND,
        legs="block",
        pattern="tufted",
        rug="round",
        plants=0,
        trim=True,
    ),
    "farmhouse": _look("#f1eadb", "#8b5a2b", "#6e8b5a", "#3b3b3b", legs="block", pattern="check"),
    "coastal": _look(
        "#e3eef5",
        "#cbb89a",
        "#2f6690",
        "#cbb89a",
        roundness=ROUND,
        legs="thin",
        pattern="stripes",
        rug="round",
    ),
    "boho": _look(
        "#c96f4a",
        "#b08850",
        "#e2b13c",
        "#7a4b2a",
        roundness=ROUND,
        legs="none",
        pattern="zigzag",
        rug="round",
        plants=3,
    ),
    "minimalist": _look(
        "#f0f0f0",
        "#dcdcdc",
        "#111111",
        "#111111",
        roundness=SHARP,
        legs="none",
        rug="none",
        plants=0,
    ),
    "japandi": _look(
        "#cfc4b2", "#5e4330", "#3b3b33", "#5e4330", legs="block", rug="none", plants=2
    ),
    "traditional": _look("#7b2d26", "#5c3a1e", "#c7a35a", "#8c6d46", pattern="floral", trim=True),
    "transitional": _look(
        "#a8a29a", "#6f6a64", "#4f6d7a", "#b0a999", roundness=ROUND, legs="block", rug="runner"
    ),
    "rustic": _look(
        "#8b6b4a",
        "#5b3a1e",
        "#9c3b2a",
        "#2b2b2b",
        roundness=SHARP,
        legs="block",
        pattern="check",
        rug="runner",
    ),
    "artdeco": _look(
        "#0f5c4a",
        "#111111",
        "#d4af37",
        "#d4af37",
        roundness=SHARP,
        legs="block",
        pattern="stripes",
        plants=0,
        trim=True,
    ),
    "tropical": _look(
        "#2e8b57", "#b08850", "#f07167", "#7a4b2a", roundness=ROUND, pattern="floral", plants=3
    ),
    "eclectic": _look("#d35f8d", "#3c6e71", "#f2c14e", "#222222", pattern="dots", rug="round"),
    "frenchcountry": _look(
        "#8fa9c4", "#e8dcc6", "#c7a35a", "#8c6d46", roundness=ROUND, pattern="floral", rug="runner"
    ),
    "shabbychic": _look(
        "#f3d9de", "#f5f2ea", "#a8c6b8", "#d9d2c5", roundness=PILL, pattern="floral", rug="round"
    ),
    "vintage": _look("#b5836b", "#7a5230", "#5f8b8b", "#8c6d46", roundness=ROUND, pattern="dots"),
    "country": _look("#c8b27d", "#8b5a2b", "#a23b2a", "#3b3b3b", pattern="check", rug="runner"),
    "asianzen": _look(
        "#e6dcc8",
        "#2b2119",
        "#8c2f25",
        "#2b2119",
        roundness=SHARP,
        legs="block",
        rug="none",
        plants=2,
    ),
    "hollywoodregency": _look(
        "#e7a1b0",
        "#f7f7f7",
        "#1b1b1b",
        "#d4af37",
        roundness=ROUND,
        legs="thin",
        pattern="tufted",
        trim=True,
    ),
    "bauhaus": _look(
        "#d32f2f",
        "#f5f5f5",
        "#1e4fa3",
        "#111111",
        roundness=SHARP,
        legs="thin",
        rug="round",
        plants=0,
    ),
    "mediterranean": _look(
        "#f1e3c8",
        "#8a4b2a",
        "#2a6f97",
        "#8a4b2a",
        roundness=ROUND,
        legs="block",
        pattern="grid",
        plants=2,
    ),
    "farmhousemodern": _look(
        "#f7f5f0", "#5b4636", "#222222", "#222222", roundness=SHARP, legs="thin"
    ),
    "victorian": _look(
        "#3b2350",
        "#3a2212",
        "#c7a35a",
        "#c7a35a",
        roundness=ROUND,
        pattern="floral",
        rug="runner",
        trim=True,
    ),
    "gothic": _look(
        "#1a1a1a",
        "#2b0f12",
        "#8b0e25",
        "#6b6b6b",
        roundness=SHARP,
        pattern="tufted",
        rug="runner",
        plants=0,
    ),
    "moroccan": _look(
        "#b83b2e",
        "#7a4b2a",
        "#1f6f8b",
        "#c9a36b",
        roundness=ROUND,
        legs="none",
        pattern="grid",
        rug="round",
    ),
    "southwestern": _look(
        "#c2703d",
        "#a0673a",
        "#2f8f8a",
        "#5b3a1e",
        roundness=SOFT,
        legs="block",
        pattern="zigzag",
        plants=2,
    ),
    "maximalist": _look(
        "#1f7a5a",
        "#5c2a6b",
        "#f25c54",
        "#d4af37",
        roundness=ROUND,
        pattern="dots",
        plants=3,
        trim=True,
    ),
    "arabic": _look(
        "#1e3a5f",
        "#6b3e26",
        "#d4af37",
        "#d4af37",
        roundness=SOFT,
        legs="none",
        pattern="grid",
        rug="runner",
        trim=True,
    ),
    "retrofuturism": _look(
        "#ff7f50",
        "#f5f5f5",
        "#00bcd4",
        "#c0c0c0",
        roundness=PILL,
        legs="thin",
        rug="round",
        plants=0,
    ),
    "artnouveau": _look(
        "#6b8e4e",
        "#6b4226",
        "#d9a441",
        "#d9a441",
        roundness=PILL,
        legs="thin",
        pattern="floral",
        trim=True,
    ),
    "urbanmodern": _look(
        "#3d3d3d",
        "#9e9890",
        "#c0392b",
        "#111111",
        roundness=SHARP,
        legs="thin",
        pattern="stripes",
    ),
    "wabisabi": _look(
        "#d9cbb8", "#8c7a66", "#b5744a", "#8c7a66", roundness=PILL, legs="none", rug="none"
    ),
    "grandmillennial": _look(
        "#f2c6c2", "#7a5230", "#2f5d8a", "#c7a35a", pattern="floral", rug="runner", plants=2
    ),
    "coastalgrandmother": _look(
        "#f3efe6", "#d9c9a8", "#5a8fc0", "#d9c9a8", roundness=ROUND, pattern="check", plants=2
    ),
    "newtraditional": _look("#3e5c76", "#6b4a2f", "#d9c8a0", "#b8963e", pattern="stripes"),
    "neotraditional": _look(
        "#44603f", "#4a3322", "#c98b5b", "#b8963e", pattern="tufted", rug="runner"
    ),
    "cottagecore": _look(
        "#f5e6c8",
        "#a67c52",
        "#d98c9f",
        "#a67c52",
        roundness=PILL,
        legs="block",
        pattern="floral",
        rug="round",
        plants=3,
    ),
    "luxemodern": _look(
        "#1c1c1c", "#e8e3dc", "#c9a36b", "#c9a36b", roundness=SHARP, legs="block", trim=True
    ),
    "hightech": _look(
        "#d9dde3",
        "#ffffff",
        "#00a3ff",
        "#9aa4ad",
        roundness=SOFT,
        legs="none",
        pattern="grid",
        plants=0,
    ),
    "organicmodern": _look(
        "#e9e1d3",
        "#b08a5a",
        "#7a8b5a",
        "#b08a5a",
        roundness=ROUND,
        legs="block",
        rug="round",
        plants=3,
    ),
    "tuscan": _look(
        "#c68b59",
        "#6e3b1e",
        "#8a9a5b",
        "#3b2a1e",
        roundness=ROUND,
        legs="block",
        pattern="grid",
        rug="runner",
    ),
    "cabin": _look(
        "#7a4e2d",
        "#5a3720",
        "#2f5d3a",
        "#2b2b2b",
        roundness=SOFT,
        legs="block",
        pattern="check",
        plants=0,
    ),
    "desertmodern": _look(
        "#e3c9a8", "#c2703d", "#3f7f8c", "#3b3b3b", roundness=ROUND, legs="thin", plants=2
    ),
    "global": _look(
        "#2f5d62",
        "#8a5a3b",
        "#e09f3e",
        "#8a5a3b",
        roundness=ROUND,
        pattern="zigzag",
        rug="runner",
    ),
    "industrialchic": _look(
        "#8c5a3c",
        "#4a3b32",
        "#b08d57",
        "#222222",
        roundness=SOFT,
        legs="thin",
        pattern="tufted",
    ),
    "europeanclassic": _look(
        "#e6ddc8", "#f5f0e6", "#b8963e", "#b8963e", roundness=ROUND, pattern="tufted", trim=True
    ),
    "warmminimalist": _look(
        "#e8dccb", "#c4a484", "#8a6e4b", "#c4a484", roundness=SOFT, legs="none", plants=1
    ),
    "hamptons": _look("#ffffff", "#d9d2c5", "#1f3a5f", "#d9d2c5", pattern="stripes", rug="runner"),
    "american": _look("#8b2d2d", "#6b4226", "#1f3a5f", "#3b3b3b", legs="block", pattern="stripes"),
}

_STYLE_ALIASES = {
    "midcentury": "midcenturymodern",
    "midcenturymodernstyle": "midcenturymodern",
    "bohemian": "boho",
    "modernfarmhouse": "farmhousemodern",
    "asian": "asianzen",
    "zen": "asianzen",
    "highttech": "hightech",
    "luxe": "luxury",
    "glam": "hollywoodregency",
}

_PATTERNS: tuple[Pattern, ...] = (
    "plain",
    "stripes",
    "dots",
    "check",
    "tufted",
    "grid",
    "zigzag",
    "floral",
)
_LEGS: tuple[Legs, ...] = ("none", "thin", "tapered", "block")
_RUGS: tuple[Rug, ...] = ("none", "rect", "round", "runner")


def style_look(style: str | None) -> Look:
    """The look of a style: its own, the longest known style word inside it, or one derived from
    its name (stable, and different for different names)."""
    key = normalise(style)
    key = _STYLE_ALIASES.get(key, key)
    if key in STYLES:
        return STYLES[key]
    if not key:
        return STYLES["standard"]
    known = [name for name in (*STYLES, *_STYLE_ALIASES) if len(name) > 3 and name in key]
    derived = _hashed_look(key)
    if known:
        name = max(known, key=len)
        base = STYLES[_STYLE_ALIASES.get(name, name)]
        # the same family, told apart from the plain style by its accent and pattern
        return replace(base, accent=derived.accent, pattern=derived.pattern)
    return derived


def _hashed_look(key: str) -> Look:
    rng = random.Random(hashlib.sha256(key.encode()).digest())

    def colour(lightness: float) -> RGB:
        hue = rng.random()
        r, g, b = colorsys.hls_to_rgb(hue, lightness, rng.uniform(0.35, 0.75))
        return round(r * 255), round(g * 255), round(b * 255)

    return Look(
        body=colour(rng.uniform(0.3, 0.75)),
        wood=colour(rng.uniform(0.2, 0.55)),
        accent=colour(0.5),
        metal=colour(0.25),
        roundness=rng.choice((SHARP, SOFT, ROUND, PILL)),
        legs=rng.choice(_LEGS),
        pattern=rng.choice(_PATTERNS),
        rug=rng.choice(_RUGS),
        plants=rng.randint(0, 3),
        trim=rng.random() < 0.3,
    )


def _shade(colour: RGB, factor: float) -> RGB:
    if factor < 1:
        return tuple(round(c * factor) for c in colour)  # type: ignore[return-value]
    return tuple(round(c + (255 - c) * (factor - 1)) for c in colour)  # type: ignore[return-value]


def _mix(a: RGB, b: RGB, share: float) -> RGB:
    """`share` of colour a, the rest of b."""
    return tuple(round(x * share + y * (1 - share)) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def _rgba(colour: RGB, alpha: int = 255) -> tuple[int, int, int, int]:
    return colour[0], colour[1], colour[2], alpha


class _Draw:
    """ImageDraw with boxes given corner by corner in any order: a mirrored layout flips x."""

    def __init__(self, draw: ImageDraw.ImageDraw) -> None:
        self._draw = draw

    def __getattr__(self, name: str) -> object:
        return getattr(self._draw, name)

    @staticmethod
    def _box(xy: object) -> list[float]:
        flat = [c for point in xy for c in point] if isinstance(xy[0], tuple) else list(xy)  # type: ignore[index, union-attr, attr-defined]
        x0, y0, x1, y1 = flat
        return [min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)]

    def rectangle(self, xy: object, **kw: object) -> None:
        self._draw.rectangle(self._box(xy), **kw)  # type: ignore[arg-type]

    def ellipse(self, xy: object, **kw: object) -> None:
        self._draw.ellipse(self._box(xy), **kw)  # type: ignore[arg-type]

    def rounded_rectangle(self, xy: object, **kw: object) -> None:
        self._draw.rounded_rectangle(self._box(xy), **kw)  # type: ignore[arg-type]


class Painter:
    """Draws furniture pieces in pixels, placed by fractions of the picture and sized by `u` (the
    picture's shorter side), so a piece keeps its proportions in portrait and landscape."""

    def __init__(
        self,
        draw: ImageDraw.ImageDraw,
        size: tuple[int, int],
        look: Look,
        mirror: bool,
        scale: float,
    ) -> None:
        self.d, self.look, self.mirror = _Draw(draw), look, mirror
        self.w, self.h = size
        self.u = min(size) * scale
        self.line = max(1, round(min(size) / 300))

    def x(self, frac: float) -> float:
        return (1 - frac if self.mirror else frac) * self.w

    def y(self, frac: float) -> float:
        """Heights are laid out over the top 88 %: the caption band covers the rest."""
        return frac * self.h * 0.88

    # primitives: (cx, bottom) in pixels, sizes in units of u

    def box(
        self,
        cx: float,
        bottom: float,
        width: float,
        height: float,
        colour: RGB,
        *,
        round_k: float | None = None,
        pattern: Pattern = "plain",
        outline: RGB | None = None,
        alpha: int = 255,
    ) -> tuple[float, float, float, float]:
        w, h = width * self.u, height * self.u
        x0, y0, x1, y1 = cx - w / 2, bottom - h, cx + w / 2, bottom
        k = self.look.roundness if round_k is None else round_k
        radius = k * min(w, h)
        if outline is None and self.look.trim and pattern != "plain":
            outline = self.look.metal
        self.d.rounded_rectangle(
            [x0, y0, x1, y1],
            radius=radius,
            fill=_rgba(colour, alpha),
            outline=_rgba(outline) if outline else None,
            width=self.line * 2 if outline else 0,
        )
        if pattern != "plain":
            self._pattern((x0, y0, x1, y1), radius, pattern, colour)
        return x0, y0, x1, y1

    def _pattern(
        self, rect: tuple[float, float, float, float], radius: float, pattern: Pattern, base: RGB
    ) -> None:
        x0, y0, x1, y1 = rect
        pad = radius * 0.6 + self.line
        x0, y0, x1, y1 = x0 + pad, y0 + pad, x1 - pad, y1 - pad
        if x1 - x0 < 4 or y1 - y0 < 4:
            return
        # opaque: on the overlay a translucent ink would let the photo through the upholstery
        ink = _rgba(_mix(self.look.accent, base, 0.8))
        dark = _rgba(_shade(base, 0.7))
        step = max(6.0, self.u * 0.03)
        width = max(1, self.line)
        if pattern in ("stripes", "check", "grid"):
            colour = _rgba(_mix(self.look.metal, base, 0.85)) if pattern == "grid" else ink
            x = x0 + step / 2
            while x < x1:
                self.d.line([(x, y0), (x, y1)], fill=colour, width=width * 2)
                x += step * (1.0 if pattern != "grid" else 1.6)
            if pattern != "stripes":
                y = y0 + step / 2
                while y < y1:
                    self.d.line([(x0, y), (x1, y)], fill=colour, width=width * 2)
                    y += step * (1.0 if pattern != "grid" else 1.6)
        elif pattern in ("dots", "tufted", "floral"):
            r = step * (0.18 if pattern == "tufted" else 0.28)
            colour = dark if pattern == "tufted" else ink
            yy, row = y0 + step / 2, 0
            while yy < y1:
                xx = x0 + step / 2 + (step / 2 if row % 2 else 0)
                while xx < x1:
                    self.d.ellipse([xx - r, yy - r, xx + r, yy + r], fill=colour)
                    if pattern == "floral":
                        c = r * 0.45
                        self.d.ellipse([xx - c, yy - c, xx + c, yy + c], fill=_rgba(self.look.body))
                    xx += step
                yy += step
                row += 1
        elif pattern == "zigzag":
            yy = y0 + step / 2
            while yy < y1:
                points, xx, up = [], x0, True
                while xx <= x1:
                    points.append((xx, yy - (step / 4 if up else -step / 4)))
                    xx += step / 2
                    up = not up
                self.d.line(points, fill=ink, width=width * 2)
                yy += step

    def legs(
        self, x0: float, x1: float, top: float, height: float, colour: RGB | None = None
    ) -> None:
        """Two or four legs under a piece whose underside spans x0..x1 at `top`."""
        style = self.look.legs
        if style == "none":
            return
        colour = colour or (self.look.metal if style == "thin" else self.look.wood)
        bottom = top + height * self.u
        inset = (x1 - x0) * 0.06
        fill = _rgba(colour)
        for x in (x0 + inset, x1 - inset):
            if style == "thin":
                self.d.line([(x, top), (x, bottom)], fill=fill, width=self.line * 2)
            elif style == "block":
                t = self.u * 0.022
                self.d.rectangle([x - t, top, x + t, bottom], fill=fill)
            else:  # tapered and splayed outwards
                t = self.u * 0.012
                out = (-1 if x < (x0 + x1) / 2 else 1) * self.u * 0.012
                self.d.polygon(
                    [
                        (x - t, top),
                        (x + t, top),
                        (x + out + t / 3, bottom),
                        (x + out - t / 3, bottom),
                    ],
                    fill=fill,
                )

    def shadow(self, cx: float, bottom: float, width: float) -> None:
        w = width * self.u
        self.d.ellipse(
            [cx - w * 0.55, bottom - self.u * 0.025, cx + w * 0.55, bottom + self.u * 0.02],
            fill=(0, 0, 0, 55),
        )

    def leg_height(self, nominal: float) -> float:
        return 0.0 if self.look.legs == "none" else nominal


# pieces: (painter, cx in pixels, floor line in pixels, scale); each draws around its centre


def sofa(p: Painter, cx: float, floor: float, s: float = 1.0) -> None:
    look, u = p.look, p.u
    width = 0.62 * s
    lift = p.leg_height(0.04) * s
    p.shadow(cx, floor, width)
    seat_bottom = floor - lift * u
    x0, _, x1, _ = p.box(
        cx, seat_bottom - 0.09 * s * u, width * 0.96, 0.17 * s, _shade(look.body, 0.8)
    )
    p.box(cx, seat_bottom, width, 0.11 * s, look.body, pattern=look.pattern)
    for side in (-1, 1):  # arms
        p.box(
            cx + side * (width / 2 - 0.03 * s) * u,
            seat_bottom,
            0.07 * s,
            0.16 * s,
            _shade(look.body, 0.85),
        )
    for i in (-1, 1):  # cushions
        p.box(
            cx + i * width * 0.22 * u,
            seat_bottom - 0.1 * s * u,
            0.12 * s,
            0.09 * s,
            look.accent,
            round_k=0.3,
        )
    p.legs(x0, x1, seat_bottom, lift)


def armchair(p: Painter, cx: float, floor: float, s: float = 1.0) -> None:
    look, u = p.look, p.u
    lift = p.leg_height(0.04) * s
    p.shadow(cx, floor, 0.24 * s)
    bottom = floor - lift * u
    x0, _, x1, _ = p.box(cx, bottom - 0.08 * s * u, 0.2 * s, 0.16 * s, _shade(look.accent, 0.85))
    p.box(cx, bottom, 0.26 * s, 0.1 * s, look.accent, pattern=look.pattern)
    p.legs(x0, x1, bottom, lift)


def table(
    p: Painter, cx: float, floor: float, width: float, height: float, colour: RGB | None = None
) -> None:
    """A top on legs (or a plinth when the style has none)."""
    u, look = p.u, p.look
    colour = colour or look.wood
    p.shadow(cx, floor, width)
    top = floor - height * u
    thickness = 0.025
    if look.legs == "none":
        p.box(cx, floor, width * 0.5, height - thickness, _shade(colour, 0.8), round_k=0.1)
    else:
        p.legs(cx - width / 2 * u, cx + width / 2 * u, top + thickness * u, height - thickness)
    p.box(
        cx,
        top + thickness * u,
        width,
        thickness,
        colour,
        round_k=0.3,
        outline=look.metal if look.trim else None,
    )


def round_table(p: Painter, cx: float, floor: float, width: float, height: float) -> None:
    u, look = p.u, p.look
    p.shadow(cx, floor, width)
    top = floor - height * u
    p.d.line([(cx, top), (cx, floor)], fill=_rgba(look.metal), width=p.line * 4)
    p.d.ellipse(
        [cx - width * 0.3 * u, floor - 0.02 * u, cx + width * 0.3 * u, floor],
        fill=_rgba(look.metal),
    )
    p.d.ellipse(
        [cx - width / 2 * u, top - 0.03 * u, cx + width / 2 * u, top + 0.02 * u],
        fill=_rgba(look.wood),
    )


def chair(p: Painter, cx: float, floor: float, s: float = 1.0, colour: RGB | None = None) -> None:
    u, look = p.u, p.look
    colour = colour or look.body
    seat = floor - 0.12 * s * u
    p.box(cx, seat - 0.02 * s * u, 0.11 * s, 0.17 * s, _shade(colour, 0.85))
    x0, _, x1, _ = p.box(cx, seat + 0.02 * s * u, 0.13 * s, 0.04 * s, colour)
    p.legs(
        x0,
        x1,
        seat + 0.02 * s * u,
        0.1 * s,
        colour=look.metal if look.legs != "block" else look.wood,
    )
    if look.legs == "none":
        p.box(cx, floor, 0.05 * s, 0.1 * s, look.metal, round_k=0)


def stool(p: Painter, cx: float, floor: float, s: float = 1.0) -> None:
    u, look = p.u, p.look
    seat = floor - 0.2 * s * u
    p.d.line(
        [(cx - 0.03 * u * s, seat), (cx - 0.045 * u * s, floor)],
        fill=_rgba(look.metal),
        width=p.line * 2,
    )
    p.d.line(
        [(cx + 0.03 * u * s, seat), (cx + 0.045 * u * s, floor)],
        fill=_rgba(look.metal),
        width=p.line * 2,
    )
    p.box(cx, seat, 0.09 * s, 0.03 * s, look.body, round_k=0.5)


def lamp(p: Painter, cx: float, floor: float, s: float = 1.0, height: float = 0.45) -> None:
    u, look = p.u, p.look
    top = floor - height * s * u
    p.d.line([(cx, top), (cx, floor)], fill=_rgba(look.metal), width=p.line * 3)
    p.d.ellipse(
        [cx - 0.04 * u * s, floor - 0.012 * u, cx + 0.04 * u * s, floor + 0.004 * u],
        fill=_rgba(look.metal),
    )
    shade = 0.05 * s * u
    # the glow first: shapes on the overlay replace what is under them, they do not blend
    p.d.ellipse(
        [cx - shade * 2, top - shade * 1.5, cx + shade * 2, top + shade], fill=(255, 236, 170, 40)
    )
    if look.roundness >= ROUND:
        p.d.ellipse(
            [cx - shade, top - shade * 1.4, cx + shade, top + shade * 0.4],
            fill=_rgba(_shade(look.body, 1.3)),
        )
    else:
        p.d.polygon(
            [
                (cx - shade * 0.6, top - shade * 1.2),
                (cx + shade * 0.6, top - shade * 1.2),
                (cx + shade, top),
                (cx - shade, top),
            ],
            fill=_rgba(_shade(look.body, 1.3)),
        )


def plant(p: Painter, cx: float, floor: float, s: float = 1.0) -> None:
    u, look = p.u, p.look
    p.box(
        cx,
        floor,
        0.07 * s,
        0.08 * s,
        look.wood if look.legs == "block" else look.accent,
        round_k=0.2,
    )
    green = (79, 121, 66)
    for dx, dy, r in ((0, 0.17, 0.06), (-0.04, 0.12, 0.045), (0.04, 0.12, 0.045), (0, 0.24, 0.04)):
        x, y, rr = cx + dx * s * u, floor - dy * s * u, r * s * u
        p.d.ellipse([x - rr, y - rr, x + rr, y + rr], fill=(*_shade(green, 0.9 + dy), 240))


def wall_art(p: Painter, cx: float, mid: float, width: float, height: float, variant: int) -> None:
    """A frame whose picture differs by variant: stripes, a circle, blocks or a horizon."""
    u, look = p.u, p.look
    x0, y0 = cx - width / 2 * u, mid - height / 2 * u
    x1, y1 = cx + width / 2 * u, mid + height / 2 * u
    frame = look.metal if look.trim else _shade(look.wood, 0.7)
    p.d.rectangle([x0, y0, x1, y1], fill=_rgba(frame))
    m = u * 0.012
    x0, y0, x1, y1 = x0 + m, y0 + m, x1 - m, y1 - m
    p.d.rectangle([x0, y0, x1, y1], fill=_rgba(_shade(look.body, 1.4)))
    kind = variant % 4
    if kind == 0:
        r = min(x1 - x0, y1 - y0) * 0.3
        p.d.ellipse(
            [(x0 + x1) / 2 - r, (y0 + y1) / 2 - r, (x0 + x1) / 2 + r, (y0 + y1) / 2 + r],
            fill=_rgba(look.accent),
        )
    elif kind == 1:
        for i in range(3):
            xa = x0 + (x1 - x0) * (0.15 + i * 0.28)
            p.d.rectangle(
                [xa, y0 + (y1 - y0) * 0.2, xa + (x1 - x0) * 0.18, y1 - (y1 - y0) * 0.2],
                fill=_rgba(_shade(look.accent, 0.7 + i * 0.25)),
            )
    elif kind == 2:
        p.d.polygon(
            [(x0, y1), ((x0 + x1) / 2, y0 + (y1 - y0) * 0.25), (x1, y1)], fill=_rgba(look.accent)
        )
    else:
        p.d.rectangle([x0, (y0 + y1) / 2, x1, y1], fill=_rgba(_shade(look.accent, 0.8)))
        r = (y1 - y0) * 0.15
        p.d.ellipse([x1 - 3 * r, y0 + r, x1 - r, y0 + 3 * r], fill=(250, 210, 90, 255))


def rug(p: Painter, cx: float, floor: float, width: float) -> None:
    u, look = p.u, p.look
    w = width * u
    colour = _rgba(look.accent, 170)
    if look.rug == "none":
        return
    if look.rug == "round":
        p.d.ellipse([cx - w / 2, floor - 0.08 * u, cx + w / 2, floor + 0.08 * u], fill=colour)
    elif look.rug == "runner":
        _floor_trapezoid(p, cx, (w * 0.45, floor - 0.05 * u), (w * 0.55, floor + 0.08 * u), colour)
        p.d.line(
            [(cx - w * 0.5, floor + 0.015 * u), (cx + w * 0.5, floor + 0.015 * u)],
            fill=_rgba(look.body, 200),
            width=p.line * 3,
        )
    else:
        _floor_trapezoid(p, cx, (w * 0.42, floor - 0.07 * u), (w * 0.5, floor + 0.08 * u), colour)


def _floor_trapezoid(
    p: Painter,
    cx: float,
    far: tuple[float, float],
    near: tuple[float, float],
    fill: tuple[int, int, int, int],
) -> None:
    """A flat shape on the floor seen in perspective: (half width, y) of its far and near edges."""
    (far_half, far_y), (near_half, near_y) = far, near
    corners = [(cx - far_half, far_y), (cx + far_half, far_y)]
    p.d.polygon([*corners, (cx + near_half, near_y), (cx - near_half, near_y)], fill=fill)


def bed(p: Painter, cx: float, floor: float, s: float = 1.0) -> None:
    u, look = p.u, p.look
    width = 0.56 * s
    p.shadow(cx, floor, width)
    p.box(
        cx,
        floor - 0.1 * s * u,
        width * 0.95,
        0.24 * s,
        look.wood,
        pattern="tufted" if look.pattern == "tufted" else "plain",
        outline=look.metal if look.trim else None,
    )
    lift = p.leg_height(0.035) * s
    x0, _, x1, _ = p.box(
        cx,
        floor - lift * u,
        width,
        0.13 * s,
        _shade(look.body, 1.25),
        round_k=min(0.3, look.roundness),
    )
    p.box(cx, floor - lift * u, width * 1.02, 0.09 * s, look.body, pattern=look.pattern)
    for side in (-1, 1):
        p.box(
            cx + side * width * 0.23 * u,
            floor - (lift + 0.12 * s) * u,
            0.18 * s,
            0.07 * s,
            (245, 243, 238),
            round_k=0.4,
        )
    p.box(cx, floor - (lift + 0.02) * u, width * 1.02, 0.04 * s, look.accent, round_k=0.1)
    p.legs(x0, x1, floor - lift * u, lift)


def nightstand(p: Painter, cx: float, floor: float, s: float = 1.0) -> None:
    u, look = p.u, p.look
    p.shadow(cx, floor, 0.12 * s)
    p.box(cx, floor, 0.12 * s, 0.15 * s, look.wood, round_k=min(0.2, look.roundness))
    p.d.line(
        [(cx - 0.03 * u * s, floor - 0.1 * u * s), (cx + 0.03 * u * s, floor - 0.1 * u * s)],
        fill=_rgba(look.metal),
        width=p.line * 2,
    )
    lamp(p, cx, floor - 0.15 * s * u, s * 0.6, height=0.2)


def cabinets(
    p: Painter, x0f: float, x1f: float, floor: float, height: float, colour: RGB, doors: int
) -> None:
    """A run of cabinets with door lines and handles, from x0f to x1f (fractions)."""
    u, look = p.u, p.look
    xa, xb = sorted((p.x(x0f), p.x(x1f)))
    top = floor - height * u
    p.d.rectangle([xa, top, xb, floor], fill=_rgba(colour))
    step = (xb - xa) / doors
    for i in range(doors + 1):
        x = xa + i * step
        p.d.line([(x, top), (x, floor)], fill=_rgba(_shade(colour, 0.75)), width=p.line * 2)
    for i in range(doors):
        hx = xa + (i + 0.8) * step
        p.d.line(
            [(hx, top + (floor - top) * 0.3), (hx, top + (floor - top) * 0.55)],
            fill=_rgba(look.metal),
            width=p.line * 3,
        )


# scenes: each places pieces for one kind of room; `v` is the variation's layout seed


def _living(p: Painter, v: random.Random) -> None:
    floor = p.y(0.8)
    rug(p, p.x(0.5), p.y(0.88), 0.9)
    wall_art(p, p.x(0.45), p.y(0.3), 0.3, 0.2, v.randint(0, 3))
    sofa(p, p.x(0.45), floor)
    table(p, p.x(0.47), p.y(0.93), 0.3, 0.08)
    armchair(p, p.x(0.82), p.y(0.86), 0.9)
    lamp(p, p.x(0.12), floor)


def _openplan(p: Painter, v: random.Random) -> None:
    rug(p, p.x(0.3), p.y(0.9), 0.6)
    wall_art(p, p.x(0.3), p.y(0.3), 0.22, 0.16, v.randint(0, 3))
    sofa(p, p.x(0.3), p.y(0.82), 0.8)
    _dining_set(p, p.x(0.74), p.y(0.84), 0.75, lights=True)


def _studio(p: Painter, v: random.Random) -> None:
    wall_art(p, p.x(0.28), p.y(0.3), 0.2, 0.14, v.randint(0, 3))
    bed(p, p.x(0.28), p.y(0.83), 0.8)
    rug(p, p.x(0.72), p.y(0.9), 0.5)
    armchair(p, p.x(0.7), p.y(0.86), 0.8)
    table(p, p.x(0.86), p.y(0.88), 0.12, 0.12)
    lamp(p, p.x(0.55), p.y(0.8), 0.8)


def _reading(p: Painter, v: random.Random) -> None:
    _bookshelf(p, p.x(0.7), p.y(0.8), 0.9, v)
    rug(p, p.x(0.4), p.y(0.9), 0.6)
    armchair(p, p.x(0.38), p.y(0.86), 1.1)
    lamp(p, p.x(0.18), p.y(0.82))
    table(p, p.x(0.55), p.y(0.88), 0.1, 0.14)


def _bookshelf(p: Painter, cx: float, floor: float, s: float, v: random.Random) -> None:
    u, look = p.u, p.look
    x0, y0, x1, _ = p.box(cx, floor, 0.3 * s, 0.5 * s, look.wood, round_k=0)
    colours = (look.accent, look.body, _shade(look.accent, 0.6), _shade(look.body, 0.7), look.metal)
    for row in range(4):
        shelf = y0 + (row + 1) * 0.12 * s * u
        x = x0 + 0.015 * u
        while x < x1 - 0.03 * u:
            bw = v.uniform(0.012, 0.025) * u
            p.d.rectangle(
                [x, shelf - v.uniform(0.06, 0.09) * s * u, x + bw, shelf],
                fill=_rgba(v.choice(colours)),
            )
            x += bw + 0.003 * u
        p.d.line([(x0, shelf), (x1, shelf)], fill=_rgba(_shade(look.wood, 0.6)), width=p.line * 2)


def _bedroom(p: Painter, v: random.Random) -> None:
    floor = p.y(0.84)
    rug(p, p.x(0.5), p.y(0.92), 0.8)
    wall_art(p, p.x(0.5), p.y(0.27), 0.34, 0.16, v.randint(0, 3))
    nightstand(p, p.x(0.2), p.y(0.78))
    nightstand(p, p.x(0.8), p.y(0.78))
    bed(p, p.x(0.5), floor)


def _kids(p: Painter, v: random.Random) -> None:
    look = p.look
    wall_art(p, p.x(0.3), p.y(0.28), 0.18, 0.14, v.randint(0, 3))
    bed(p, p.x(0.3), p.y(0.84), 0.7)
    rug(p, p.x(0.7), p.y(0.92), 0.5)
    u = p.u
    toys = ((230, 80, 70), (250, 200, 60), (70, 150, 220), (90, 180, 100))
    base = p.y(0.9)
    for i, colour in enumerate(toys):  # stacked blocks
        cx = p.x(0.66) + (i % 2) * 0.08 * u
        p.box(cx, base - (i // 2) * 0.08 * u, 0.07, 0.07, colour, round_k=0.1)
    bear = p.x(0.84)  # a teddy bear: body, head, ears
    for dx, dy, r in ((0, 0.07, 0.06), (0, 0.16, 0.045), (-0.035, 0.2, 0.018), (0.035, 0.2, 0.018)):
        x, y = bear + dx * u, base - dy * u
        p.d.ellipse(
            [x - r * u, y - r * u, x + r * u, y + r * u], fill=_rgba(_shade(look.wood, 1.2))
        )
    for i, colour in enumerate(toys[:3]):  # balloons
        x, y = p.x(0.6 + i * 0.06), p.y(0.25 + (i % 2) * 0.05)
        p.d.line([(x, y + 0.04 * u), (x, y + 0.2 * u)], fill=(90, 90, 90, 255), width=p.line)
        p.d.ellipse([x - 0.03 * u, y - 0.04 * u, x + 0.03 * u, y + 0.04 * u], fill=_rgba(colour))


def _kitchen(p: Painter, v: random.Random) -> None:
    look, u = p.look, p.u
    # upper and lower cabinets along the back wall, then an island with stools
    cabinets(p, 0.08, 0.92, p.y(0.62), 0.2, look.wood, 6)
    p.d.rectangle(
        [
            p.x(0.08) if not p.mirror else p.x(0.92),
            p.y(0.62) - 0.2 * u - 0.02 * u,
            p.x(0.92) if not p.mirror else p.x(0.08),
            p.y(0.62) - 0.2 * u,
        ],
        fill=_rgba(_shade(look.body, 1.3)),
    )
    upper_top = p.y(0.12)
    cabinets(p, 0.1, 0.42, upper_top + 0.16 * u, 0.16, look.wood, 3)
    cabinets(p, 0.58, 0.9, upper_top + 0.16 * u, 0.16, look.wood, 3)
    for f in (0.35, 0.5, 0.65):  # pendant lights
        x = p.x(f)
        p.d.line([(x, 0), (x, p.y(0.4))], fill=_rgba(look.metal), width=p.line * 2)
        r = 0.035 * u
        if look.roundness >= ROUND:
            p.d.ellipse(
                [x - r, p.y(0.4) - r * 0.3, x + r, p.y(0.4) + r * 1.4], fill=_rgba(look.accent)
            )
        else:
            p.d.polygon(
                [
                    (x - r * 0.4, p.y(0.4)),
                    (x + r * 0.4, p.y(0.4)),
                    (x + r, p.y(0.4) + r),
                    (x - r, p.y(0.4) + r),
                ],
                fill=_rgba(look.accent),
            )
    island = p.y(0.86)
    p.shadow(p.x(0.5), island, 0.7)
    p.box(p.x(0.5), island, 0.7, 0.2, _shade(look.wood, 0.9), round_k=min(0.1, look.roundness))
    p.box(
        p.x(0.5),
        island - 0.2 * u,
        0.76,
        0.03,
        _shade(look.body, 1.35),
        round_k=0.2,
        outline=look.metal if look.trim else None,
    )
    for f in (0.36, 0.5, 0.64):
        stool(p, p.x(f), p.y(0.97), 1.0)


def _dining_set(p: Painter, cx: float, floor: float, s: float, lights: bool) -> None:
    u, look = p.u, p.look
    if lights:
        p.d.line([(cx, 0), (cx, floor - 0.55 * s * u)], fill=_rgba(look.metal), width=p.line * 2)
        r = 0.06 * s * u
        y = floor - 0.55 * s * u
        if look.roundness >= ROUND:
            p.d.ellipse([cx - r, y, cx + r, y + r * 1.2], fill=_rgba(look.accent))
        else:
            p.d.polygon(
                [
                    (cx - r * 0.3, y),
                    (cx + r * 0.3, y),
                    (cx + r * 1.2, y + r),
                    (cx - r * 1.2, y + r),
                ],
                fill=_rgba(look.accent),
            )
    for dx in (-0.2, 0.0, 0.2):  # chairs behind the table
        chair(p, cx + dx * s * u, floor - 0.04 * u, 0.85 * s)
    if look.roundness >= ROUND:
        round_table(p, cx, floor, 0.55 * s, 0.2 * s)
    else:
        table(p, cx, floor, 0.6 * s, 0.2 * s)
    for dx in (-0.28, 0.28):  # chairs at the ends, in front
        chair(p, cx + dx * s * u, floor + 0.05 * u, 0.95 * s)


def _dining(p: Painter, v: random.Random) -> None:
    look = p.look
    wall_art(p, p.x(0.5), p.y(0.26), 0.3, 0.14, v.randint(0, 3))
    p.box(p.x(0.85), p.y(0.72), 0.3, 0.16, look.wood, round_k=min(0.15, look.roundness))
    rug(p, p.x(0.48), p.y(0.9), 0.9)
    _dining_set(p, p.x(0.48), p.y(0.86), 1.1, lights=True)


def _office(p: Painter, v: random.Random) -> None:
    look, u = p.look, p.u
    _bookshelf(p, p.x(0.82), p.y(0.8), 0.9, v)
    wall_art(p, p.x(0.4), p.y(0.25), 0.22, 0.14, v.randint(0, 3))
    rug(p, p.x(0.42), p.y(0.92), 0.6)
    desk = p.y(0.84)
    x0, _, x1, _ = p.box(
        p.x(0.42),
        desk - 0.22 * u,
        0.55,
        0.03,
        look.wood,
        round_k=0.2,
        outline=look.metal if look.trim else None,
    )
    if look.legs == "none":
        p.box(p.x(0.42) - 0.2 * u, desk, 0.12, 0.22, _shade(look.wood, 0.8), round_k=0.05)
    else:
        p.legs(x0, x1, desk - 0.22 * u, 0.22)
    # monitor and keyboard
    p.box(p.x(0.42), desk - 0.33 * u, 0.22, 0.14, (30, 30, 34), round_k=0.05)
    p.box(p.x(0.42), desk - 0.34 * u, 0.2, 0.12, _shade(look.accent, 1.4), round_k=0.0)
    p.d.rectangle(
        [p.x(0.42) - 0.01 * u, desk - 0.26 * u, p.x(0.42) + 0.01 * u, desk - 0.25 * u],
        fill=(30, 30, 34, 255),
    )
    lamp(p, p.x(0.42) + 0.2 * u, desk - 0.25 * u, 0.5, height=0.25)
    # office chair, seen from behind: back, seat, gas lift, star base
    cx = p.x(0.42)
    p.box(cx, desk + 0.02 * u, 0.16, 0.2, look.body, round_k=0.3, pattern=look.pattern)
    p.d.line(
        [(cx, desk + 0.02 * u), (cx, desk + 0.1 * u)], fill=_rgba(look.metal), width=p.line * 4
    )
    p.d.line(
        [(cx - 0.08 * u, desk + 0.12 * u), (cx + 0.08 * u, desk + 0.12 * u)],
        fill=_rgba(look.metal),
        width=p.line * 4,
    )


def _bathroom(p: Painter, v: random.Random) -> None:
    look, u = p.look, p.u
    # bathtub on one side, vanity with a basin and a mirror on the other
    tub = p.y(0.88)
    p.shadow(p.x(0.3), tub, 0.5)
    p.box(
        p.x(0.3),
        tub,
        0.5,
        0.17,
        (246, 246, 244),
        round_k=0.45,
        outline=look.metal if look.trim else (200, 200, 200),
    )
    p.box(p.x(0.3), tub - 0.12 * u, 0.42, 0.03, _shade((170, 205, 225), 1.0), round_k=0.5)
    p.d.line(
        [(p.x(0.12), tub - 0.17 * u), (p.x(0.12), tub - 0.27 * u)],
        fill=_rgba(look.metal),
        width=p.line * 3,
    )
    vanity = p.y(0.84)
    p.box(p.x(0.72), vanity, 0.36, 0.22, look.wood, round_k=min(0.1, look.roundness))
    p.box(p.x(0.72), vanity - 0.22 * u, 0.4, 0.03, (235, 233, 228), round_k=0.2)
    p.d.ellipse(
        [p.x(0.72) - 0.08 * u, vanity - 0.265 * u, p.x(0.72) + 0.08 * u, vanity - 0.235 * u],
        fill=(255, 255, 255, 255),
        outline=(190, 190, 190, 255),
    )
    for i in (-1, 1):
        p.d.line(
            [
                (p.x(0.72) + i * 0.08 * u, vanity - 0.15 * u),
                (p.x(0.72) + i * 0.08 * u, vanity - 0.08 * u),
            ],
            fill=_rgba(look.metal),
            width=p.line * 3,
        )
    mirror_top, mirror_bottom = p.y(0.22), vanity - 0.3 * u
    mx = p.x(0.72)
    if look.roundness >= ROUND:
        p.d.ellipse(
            [mx - 0.12 * u, mirror_top, mx + 0.12 * u, mirror_bottom],
            fill=(205, 222, 232, 255),
            outline=_rgba(look.metal),
            width=p.line * 3,
        )
    else:
        p.d.rectangle(
            [mx - 0.14 * u, mirror_top, mx + 0.14 * u, mirror_bottom],
            fill=(205, 222, 232, 255),
            outline=_rgba(look.metal),
            width=p.line * 3,
        )
    # towel
    tx = p.x(0.93)
    p.d.line(
        [(tx - 0.05 * u, p.y(0.45)), (tx + 0.05 * u, p.y(0.45))],
        fill=_rgba(look.metal),
        width=p.line * 3,
    )
    p.box(tx, p.y(0.45) + 0.16 * u, 0.08, 0.16, look.accent, round_k=0.1, pattern=look.pattern)


def _outdoor(p: Painter, v: random.Random) -> None:
    look, u = p.look, p.u
    # decking, two loungers, a table under a parasol, planters
    p.d.polygon(
        [(0, p.y(0.74)), (p.w, p.y(0.74)), (p.w, p.h), (0, p.h)],
        fill=_rgba(_shade(look.wood, 1.1), 90),
    )
    for f in (0.18, 0.4):
        cx, floor = p.x(f), p.y(0.9)
        p.shadow(cx, floor, 0.3)
        x0, _, x1, _ = p.box(cx, floor - 0.05 * u, 0.3, 0.05, look.body, pattern=look.pattern)
        p.d.polygon(
            [
                (x0, floor - 0.1 * u),
                (x0 + 0.1 * u, floor - 0.1 * u),
                (x0 + 0.03 * u, floor - 0.24 * u),
            ],
            fill=_rgba(_shade(look.body, 0.85)),
        )
        p.legs(x0, x1, floor - 0.05 * u, 0.05)
    cx, floor = p.x(0.72), p.y(0.88)
    round_table(p, cx, floor, 0.24, 0.16)
    pole_top = floor - 0.6 * u
    p.d.line([(cx, pole_top), (cx, floor - 0.16 * u)], fill=_rgba(look.metal), width=p.line * 3)
    p.d.polygon(
        [
            (cx - 0.3 * u, pole_top + 0.1 * u),
            (cx, pole_top - 0.02 * u),
            (cx + 0.3 * u, pole_top + 0.1 * u),
        ],
        fill=_rgba(look.accent),
    )
    for dx in (-0.16, 0.16):
        chair(p, cx + dx * u, floor + 0.03 * u, 0.8, colour=look.body)
    for f in (0.05, 0.95):
        plant(p, p.x(f), p.y(0.84), 1.2)


def _gym(p: Painter, v: random.Random) -> None:
    look, u = p.look, p.u
    dark = (45, 45, 50)
    # treadmill: deck, console post, handle
    floor = p.y(0.86)
    cx = p.x(0.28)
    p.shadow(cx, floor, 0.45)
    p.box(cx, floor, 0.45, 0.05, dark, round_k=0.3)
    p.box(cx, floor - 0.05 * u, 0.4, 0.015, (90, 90, 95), round_k=0.0)
    post = cx - 0.2 * u if not p.mirror else cx + 0.2 * u
    p.d.line(
        [(post, floor - 0.05 * u), (post, floor - 0.32 * u)],
        fill=_rgba(look.metal),
        width=p.line * 5,
    )
    p.box(post, floor - 0.32 * u, 0.1, 0.06, look.accent, round_k=0.2)
    # weight bench and a dumbbell rack
    bx = p.x(0.62)
    table(p, bx, p.y(0.9), 0.3, 0.12, colour=look.body)
    rack = p.x(0.86)
    p.box(rack, p.y(0.82), 0.2, 0.22, look.metal, round_k=0.0)
    for row in range(3):
        y = p.y(0.82) - (0.05 + row * 0.065) * u
        for dx in (-0.05, 0.05):
            p.d.ellipse(
                [rack + dx * u - 0.025 * u, y - 0.02 * u, rack + dx * u + 0.025 * u, y + 0.02 * u],
                fill=_rgba(look.accent),
            )
    # yoga mat, mirror wall
    p.d.polygon(
        [
            (p.x(0.5), p.y(0.96)),
            (p.x(0.78), p.y(0.96)),
            (p.x(0.76), p.y(0.91)),
            (p.x(0.52), p.y(0.91)),
        ],
        fill=_rgba(look.accent, 220),
    )
    p.d.rectangle(
        [p.x(0.45), p.y(0.18), p.x(0.75), p.y(0.55)],
        fill=(210, 225, 235, 140),
        outline=_rgba(look.metal),
        width=p.line * 2,
    )


def _laundry(p: Painter, v: random.Random) -> None:
    look, u = p.look, p.u
    floor = p.y(0.84)
    for f in (0.32, 0.55):  # washer and dryer
        cx = p.x(f)
        p.shadow(cx, floor, 0.24)
        x0, y0, x1, _ = p.box(
            cx, floor, 0.24, 0.3, (242, 242, 240), round_k=0.08, outline=(180, 180, 180)
        )
        r = 0.08 * u
        cy = y0 + 0.17 * u
        p.d.ellipse(
            [cx - r, cy - r, cx + r, cy + r],
            fill=(60, 65, 75, 255),
            outline=_rgba(look.metal),
            width=p.line * 3,
        )
        p.d.rectangle(
            [x0 + 0.02 * u, y0 + 0.02 * u, x1 - 0.02 * u, y0 + 0.05 * u], fill=_rgba(look.accent)
        )
    p.box(p.x(0.435), floor - 0.3 * u, 0.5, 0.025, look.wood, round_k=0.1)  # counter
    shelf = p.y(0.3)  # shelf with baskets
    p.d.line([(p.x(0.2), shelf), (p.x(0.7), shelf)], fill=_rgba(look.wood), width=p.line * 5)
    for f in (0.27, 0.43, 0.59):
        p.box(
            p.x(f),
            shelf,
            0.12,
            0.09,
            _shade(look.wood, 1.2),
            round_k=0.15,
            pattern="check" if look.pattern == "plain" else look.pattern,
        )
    plant(p, p.x(0.82), p.y(0.86))


def _entry(p: Painter, v: random.Random) -> None:
    look, u = p.look, p.u
    cx = p.x(0.42)
    mirror_mid = p.y(0.35)
    if look.roundness >= ROUND:
        p.d.ellipse(
            [cx - 0.14 * u, mirror_mid - 0.14 * u, cx + 0.14 * u, mirror_mid + 0.14 * u],
            fill=(205, 222, 232, 255),
            outline=_rgba(look.metal),
            width=p.line * 4,
        )
    else:
        p.d.rectangle(
            [cx - 0.12 * u, mirror_mid - 0.16 * u, cx + 0.12 * u, mirror_mid + 0.16 * u],
            fill=(205, 222, 232, 255),
            outline=_rgba(look.metal),
            width=p.line * 4,
        )
    table(p, cx, p.y(0.8), 0.4, 0.26)
    lamp(p, cx - 0.12 * u, p.y(0.8) - 0.26 * u, 0.5, height=0.2)
    p.box(cx + 0.08 * u, p.y(0.8) - 0.26 * u, 0.06, 0.08, look.accent, round_k=0.4)
    bench = p.x(0.78)  # a bench with hooks above
    table(p, bench, p.y(0.88), 0.3, 0.14, colour=look.body)
    for i in range(4):
        hx = bench + (i - 1.5) * 0.06 * u
        p.d.ellipse(
            [hx - 0.01 * u, p.y(0.4) - 0.01 * u, hx + 0.01 * u, p.y(0.4) + 0.01 * u],
            fill=_rgba(look.metal),
        )
    p.box(bench - 0.04 * u, p.y(0.4) + 0.2 * u, 0.07, 0.19, look.accent, round_k=0.3)
    rug(p, p.x(0.5), p.y(0.93), 0.5)


def _closet(p: Painter, v: random.Random) -> None:
    look, u = p.look, p.u
    rail = p.y(0.25)
    p.d.rectangle(
        [p.x(0.05), p.y(0.12), p.x(0.95), p.y(0.9)], fill=_rgba(_shade(look.wood, 1.2), 120)
    ) if not p.mirror else p.d.rectangle(
        [p.x(0.95), p.y(0.12), p.x(0.05), p.y(0.9)], fill=_rgba(_shade(look.wood, 1.2), 120)
    )
    xa, xb = sorted((p.x(0.1), p.x(0.65)))
    p.d.line([(xa, rail), (xb, rail)], fill=_rgba(look.metal), width=p.line * 4)
    colours = (
        look.accent,
        look.body,
        _shade(look.accent, 0.6),
        (240, 240, 236),
        _shade(look.body, 0.6),
        (40, 45, 60),
    )
    x = xa + 0.02 * u
    while x < xb - 0.05 * u:
        cw = v.uniform(0.03, 0.05) * u
        p.d.polygon(
            [
                (x, rail + 0.02 * u),
                (x + cw, rail + 0.02 * u),
                (x + cw * 1.1, rail + v.uniform(0.2, 0.35) * u),
                (x - cw * 0.1, rail + v.uniform(0.2, 0.35) * u),
            ],
            fill=_rgba(v.choice(colours)),
        )
        x += cw + 0.006 * u
    sx = p.x(0.82)  # shelves with folded clothes, shoes below
    for row in range(4):
        y = p.y(0.3) + row * 0.12 * u
        p.d.line([(sx - 0.12 * u, y), (sx + 0.12 * u, y)], fill=_rgba(look.wood), width=p.line * 4)
        for dx in (-0.06, 0.06):
            p.box(sx + dx * u, y, 0.09, 0.04 + 0.01 * row, v.choice(colours), round_k=0.2)
    for i in range(5):
        shoe = xa + (i + 0.5) * (xb - xa) / 5
        p.box(shoe, p.y(0.9), 0.06, 0.025, (40, 35, 30) if i % 2 else look.accent, round_k=0.5)


def _garage(p: Painter, v: random.Random) -> None:
    look, u = p.look, p.u
    # shelving with boxes, a workbench with tools on a pegboard
    sx = p.x(0.24)
    p.box(sx, p.y(0.88), 0.34, 0.6, look.metal, round_k=0.0, alpha=90)
    for row in range(3):
        y = p.y(0.88) - (0.02 + row * 0.19) * u
        p.d.line([(sx - 0.17 * u, y), (sx + 0.17 * u, y)], fill=_rgba(look.metal), width=p.line * 4)
        for dx in (-0.09, 0.05):
            p.box(
                sx + dx * u,
                y,
                v.uniform(0.1, 0.13),
                v.uniform(0.08, 0.12),
                (196, 160, 110),
                round_k=0.0,
            )
    bx = p.x(0.66)
    p.d.rectangle(
        [bx - 0.24 * u, p.y(0.22), bx + 0.24 * u, p.y(0.5)], fill=_rgba(_shade(look.wood, 1.3))
    )
    for i in range(6):
        tx = bx + (i - 2.5) * 0.07 * u
        p.d.line(
            [(tx, p.y(0.27)), (tx, p.y(0.27) + v.uniform(0.08, 0.15) * u)],
            fill=_rgba(look.accent if i % 2 else look.metal),
            width=p.line * 4,
        )
    table(p, bx, p.y(0.86), 0.5, 0.26)
    p.box(bx + 0.12 * u, p.y(0.86) - 0.26 * u, 0.12, 0.06, look.accent, round_k=0.1)


def _game(p: Painter, v: random.Random) -> None:
    look, u = p.look, p.u
    p.d.rectangle(
        [p.x(0.35) - 0.18 * u, p.y(0.2), p.x(0.35) + 0.18 * u, p.y(0.2) + 0.2 * u],
        fill=(25, 25, 30, 255),
    )
    p.d.rectangle(
        [p.x(0.35) - 0.17 * u, p.y(0.2) + 0.01 * u, p.x(0.35) + 0.17 * u, p.y(0.2) + 0.19 * u],
        fill=_rgba(_shade(look.accent, 0.8)),
    )
    cx, floor = p.x(0.45), p.y(0.9)
    p.shadow(cx, floor, 0.7)
    table(p, cx, floor, 0.66, 0.2, colour=look.wood)
    p.box(cx, floor - 0.2 * u, 0.6, 0.03, (34, 120, 70), round_k=0.1)  # felt
    for i, colour in enumerate(((230, 60, 50), (250, 210, 60), (30, 30, 30), (250, 250, 250))):
        x = cx + (i - 1.5) * 0.06 * u
        p.d.ellipse(
            [x - 0.012 * u, floor - 0.235 * u, x + 0.012 * u, floor - 0.211 * u],
            fill=(*colour, 255),
        )
    stool(p, p.x(0.85), p.y(0.88))
    stool(p, p.x(0.93), p.y(0.9))


def _bar(p: Painter, v: random.Random) -> None:
    look, u = p.look, p.u
    for row in range(2):  # a shelf of bottles
        y = p.y(0.28) + row * 0.13 * u
        p.d.line([(p.x(0.2), y), (p.x(0.8), y)], fill=_rgba(look.wood), width=p.line * 5)
        for i in range(9):
            bx = p.x(0.23 + i * 0.065)
            colour = v.choice(
                ((120, 60, 30), (60, 110, 60), (180, 150, 60), (200, 220, 230), look.accent)
            )
            p.box(bx, y, 0.03, v.uniform(0.08, 0.11), colour, round_k=0.3)
    counter = p.y(0.84)
    p.shadow(p.x(0.5), counter, 0.8)
    p.box(
        p.x(0.5),
        counter,
        0.8,
        0.26,
        look.wood,
        round_k=min(0.1, look.roundness),
        pattern=look.pattern,
    )
    p.box(
        p.x(0.5),
        counter - 0.26 * u,
        0.84,
        0.03,
        look.metal if look.trim else _shade(look.body, 1.2),
        round_k=0.3,
    )
    for f in (0.3, 0.45, 0.6, 0.75):
        stool(p, p.x(f), p.y(0.97), 1.15)


def _boardroom(p: Painter, v: random.Random) -> None:
    look, u = p.look, p.u
    sx = p.x(0.5)  # a screen on the wall
    p.d.rectangle(
        [sx - 0.3 * u, p.y(0.14), sx + 0.3 * u, p.y(0.14) + 0.32 * u], fill=(25, 25, 30, 255)
    )
    p.d.rectangle(
        [sx - 0.28 * u, p.y(0.14) + 0.02 * u, sx + 0.28 * u, p.y(0.14) + 0.3 * u],
        fill=_rgba(_shade(look.accent, 1.3)),
    )
    for i in range(4):  # a bar chart on it
        bh = (0.06 + 0.045 * i) * u
        bx = sx - 0.2 * u + i * 0.11 * u
        p.d.rectangle(
            [bx, p.y(0.14) + 0.28 * u - bh, bx + 0.07 * u, p.y(0.14) + 0.28 * u],
            fill=_rgba(look.accent),
        )
    floor = p.y(0.88)
    for dx in (-0.45, -0.27, -0.09, 0.09, 0.27, 0.45):  # chairs behind
        chair(p, p.x(0.5) + dx * u, floor - 0.05 * u, 0.8)
    table(p, p.x(0.5), floor, 1.2, 0.2)
    for dx in (-0.36, 0.0, 0.36):  # chairs in front
        chair(p, p.x(0.5) + dx * u, floor + 0.08 * u, 1.0)


def _cafe(p: Painter, v: random.Random) -> None:
    look, u = p.look, p.u
    counter = p.y(0.66)
    p.box(p.x(0.78), counter, 0.4, 0.18, look.wood, round_k=0.05, pattern=look.pattern)
    p.box(p.x(0.78), counter - 0.18 * u, 0.44, 0.025, look.metal, round_k=0.2)
    p.box(p.x(0.7), counter - 0.205 * u, 0.08, 0.1, (60, 60, 64), round_k=0.1)  # espresso machine
    for f in (0.2, 0.45):
        x = p.x(f)
        p.d.line([(x, 0), (x, p.y(0.3))], fill=_rgba(look.metal), width=p.line * 2)
        p.d.ellipse(
            [x - 0.035 * u, p.y(0.3), x + 0.035 * u, p.y(0.3) + 0.05 * u], fill=(255, 226, 150, 255)
        )
    for f, y in ((0.2, 0.8), (0.45, 0.92)):
        cx, floor = p.x(f), p.y(y)
        chair(p, cx - 0.14 * u, floor, 0.85)
        chair(p, cx + 0.14 * u, floor, 0.85)
        round_table(p, cx, floor, 0.18, 0.2)
        p.d.ellipse(
            [cx - 0.015 * u, floor - 0.24 * u, cx + 0.015 * u, floor - 0.2 * u],
            fill=(250, 250, 250, 255),
        )
    plant(p, p.x(0.95), p.y(0.9))


def _workspace(p: Painter, v: random.Random) -> None:
    look, u = p.look, p.u
    for row, (y, s) in enumerate(((0.74, 0.75), (0.9, 1.0))):
        floor = p.y(y)
        for f in (0.22, 0.5, 0.78):
            cx = p.x(f) + (0.04 * u if row else 0)
            table(p, cx, floor, 0.26 * s, 0.2 * s)
            p.box(cx, floor - 0.22 * s * u, 0.13 * s, 0.09 * s, (30, 30, 34), round_k=0.05)
            p.box(
                cx, floor - 0.225 * s * u, 0.11 * s, 0.07 * s, _shade(look.accent, 1.4), round_k=0.0
            )
            p.box(cx, floor + 0.02 * u, 0.1 * s, 0.12 * s, look.body, round_k=0.3)
    plant(p, p.x(0.04), p.y(0.9), 1.3)
    plant(p, p.x(0.96), p.y(0.9), 1.3)


SCENES: dict[SceneKind, Callable[[Painter, random.Random], None]] = {
    "living": _living,
    "openplan": _openplan,
    "studio": _studio,
    "reading": _reading,
    "bedroom": _bedroom,
    "kids": _kids,
    "kitchen": _kitchen,
    "dining": _dining,
    "office": _office,
    "bathroom": _bathroom,
    "outdoor": _outdoor,
    "gym": _gym,
    "laundry": _laundry,
    "entry": _entry,
    "closet": _closet,
    "garage": _garage,
    "game": _game,
    "bar": _bar,
    "boardroom": _boardroom,
    "cafe": _cafe,
    "workspace": _workspace,
}


def draw_scene(
    draw: ImageDraw.ImageDraw,
    size: tuple[int, int],
    room_type: str | None,
    style: str | None,
    rng: random.Random,
    variation: int = 1,
) -> SceneKind:
    """Draw the furniture of `room_type` in `style` onto an RGBA overlay; returns the scene kind.

    Odd and even variations mirror the layout; each variation also shifts the furniture's scale,
    picks other wall art and takes a slightly different accent colour, all from `rng`."""
    kind = scene_kind(room_type)
    look = style_look(style)
    if variation > 1:
        look = replace(look, accent=_shift_hue(look.accent, 0.09 * (variation - 1)))
    painter = Painter(draw, size, look, mirror=variation % 2 == 0, scale=rng.uniform(0.92, 1.06))
    plants = look.plants
    SCENES[kind](painter, rng)
    for i in range(plants if kind not in ("outdoor", "laundry", "workspace", "cafe") else 0):
        plant(
            painter,
            painter.x((0.04, 0.95, 0.62)[i]),
            painter.y((0.86, 0.84, 0.74)[i]),
            1.1 - 0.2 * i,
        )
    return kind


def _shift_hue(colour: RGB, amount: float) -> RGB:
    hue, light, sat = colorsys.rgb_to_hls(*(c / 255 for c in colour))
    r, g, b = colorsys.hls_to_rgb((hue + amount) % 1.0, light, max(sat, 0.25))
    return round(r * 255), round(g * 255), round(b * 255)


def palette(style: str | None) -> list[RGB]:
    """The four colours of a style, for a swatch in the caption."""
    look = style_look(style)
    return [look.body, look.wood, look.accent, look.metal]


# Operation looks: how each kind of edit shows on the picture, beyond the furniture.

SKIES: dict[str, tuple[RGB, RGB, float]] = {
    # sky kind: (top colour, horizon colour, brightness of the scene below)
    "day": ((64, 136, 228), (186, 220, 248), 1.05),
    "sunny": ((64, 136, 228), (186, 220, 248), 1.05),
    "clear": ((64, 136, 228), (186, 220, 248), 1.05),
    "golden": ((236, 150, 70), (255, 222, 150), 0.92),
    "dusk": ((58, 48, 120), (250, 140, 80), 0.62),
    "sunset": ((90, 50, 110), (252, 120, 60), 0.7),
    "blue": ((16, 36, 104), (84, 124, 196), 0.5),
    "twilight": ((36, 26, 86), (226, 104, 122), 0.5),
    "night": ((6, 10, 34), (34, 44, 86), 0.32),
}
_SKY_WORDS = ("twilight", "golden", "sunset", "dusk", "night", "blue", "sunny", "clear", "day")


def sky_kind(*texts: str | None, default: str = "dusk") -> str:
    """The sky a request asks for, read from its words (`"sky: golden"`, `"virtual-twilight"`,
    `"DAY"`...); `default` when none is named."""
    joined = " ".join(t.lower() for t in texts if t)
    return next((word for word in _SKY_WORDS if word in joined), default)


def paint_sky(img: Image.Image, kind: str, rng: random.Random) -> Image.Image:
    """A new sky over the top of the picture, the scene lit to match; sun, moon and stars by the
    kind, their places from `rng` (so variations differ)."""
    w, h = img.size
    top, horizon, light = SKIES.get(kind, SKIES["dusk"])
    lit = adjust(img, light=light) if light != 1 else img.copy()
    band = max(1, round(h * 0.46))
    gradient = Image.linear_gradient("L").resize((w, band))  # 0 at the top, 255 at the horizon
    sky = Image.composite(
        Image.new("RGB", (w, band), horizon), Image.new("RGB", (w, band), top), gradient
    )
    # fully sky at the top, fading into the picture by the horizon
    fade = gradient.point(lambda v: 235 - v * 235 // 255)
    lit.paste(Image.composite(sky, lit.crop((0, 0, w, band)), fade), (0, 0))
    d = ImageDraw.Draw(lit, "RGBA")
    u = min(w, h)
    if kind in ("day", "sunny", "clear", "golden", "dusk", "sunset"):
        low = kind not in ("day", "sunny", "clear")
        cx, cy = rng.uniform(0.15, 0.85) * w, (0.33 if low else 0.1) * h
        r = u * (0.07 if low else 0.05)
        sun = (255, 200, 110) if low else (255, 250, 220)
        d.ellipse([cx - r * 2, cy - r * 2, cx + r * 2, cy + r * 2], fill=(*sun, 50))
        d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(*sun, 235))
    if kind in ("day", "sunny", "clear", "golden"):
        for _ in range(4):  # clouds
            cx, cy, r = rng.uniform(0, w), rng.uniform(0.05, 0.25) * h, u * rng.uniform(0.04, 0.07)
            for dx in (-1.2, 0, 1.2):
                d.ellipse(
                    [cx + dx * r - r, cy - r * 0.6, cx + dx * r + r, cy + r * 0.6],
                    fill=(255, 255, 255, 170),
                )
    if kind in ("blue", "twilight", "night"):
        stars = {"blue": 12, "twilight": 24, "night": 60}[kind]
        for _ in range(stars):
            x, y, r = rng.uniform(0, w), rng.uniform(0, 0.32) * h, max(1.0, u / 400)
            d.ellipse([x - r, y - r, x + r, y + r], fill=(255, 250, 225, 230))
        mx, my, r = rng.uniform(0.6, 0.9) * w, 0.1 * h, u * 0.04
        d.ellipse([mx - r, my - r, mx + r, my + r], fill=(250, 246, 220, 240))
        d.ellipse([mx - r * 0.4, my - r * 1.1, mx + r * 1.4, my + r * 0.7], fill=(*top, 255))
    if light < 0.8:  # lights on inside: warm glows along the middle of the picture
        for i in range(3):
            cx, cy, r = (0.2 + i * 0.3 + rng.uniform(-0.05, 0.05)) * w, 0.6 * h, u * 0.16
            for k, alpha in ((1.0, 18), (0.6, 22), (0.3, 30)):
                d.ellipse(
                    [cx - r * k, cy - r * k, cx + r * k, cy + r * k], fill=(255, 190, 100, alpha)
                )
    return lit


def soften(img: Image.Image, factor: int = 6) -> Image.Image:
    """A cheap blur: down and up again (a Gaussian blur of a 1920x1080 photo costs ~60 ms)."""
    small = img.reduce(factor) if min(img.size) >= factor else img
    return small.resize(img.size, Image.Resampling.BILINEAR)


def adjust(
    img: Image.Image,
    light: float = 1.0,
    saturation: float = 1.0,
    contrast: float = 1.0,
    lift: float = 0.0,
) -> Image.Image:
    """Brightness, saturation and contrast in one colour-matrix pass (ImageEnhance takes three
    passes of ~12 ms each at 1920x1080); `lift` adds that much light to every channel."""
    luma = (0.299, 0.587, 0.114)
    mean = 128.0
    if contrast != 1.0:
        small = img.reduce(max(1, min(img.size) // 64)).convert("L")
        mean = sum(i * n for i, n in enumerate(small.histogram())) / (small.width * small.height)
    matrix: list[float] = []
    for channel in range(3):
        row = [
            light * contrast * (saturation * (c == channel) + (1 - saturation) * luma[c])
            for c in range(3)
        ]
        matrix += [*row, light * (1 - contrast) * mean + lift]
    return img.convert("RGB", tuple(matrix))


def emptied(img: Image.Image) -> Image.Image:
    """The room emptied: furniture gone means fewer details, muted colours, more light."""
    return adjust(soften(img), light=1.08, saturation=0.45, lift=12)


def decluttered(img: Image.Image, rng: random.Random) -> Image.Image:
    """Clutter gone, furniture kept: a little smoother and brighter, with a few sparkles."""
    out = adjust(Image.blend(img, soften(img, 4), 0.35), light=1.06)
    d = ImageDraw.Draw(out)
    w, h = out.size
    u = min(w, h)
    for _ in range(6):
        x, y = rng.uniform(0.1, 0.9) * w, rng.uniform(0.5, 0.9) * h
        r = u * rng.uniform(0.012, 0.022)
        d.polygon(
            [(x, y - r), (x + r / 4, y - r / 4), (x + r, y), (x + r / 4, y + r / 4),
             (x, y + r), (x - r / 4, y + r / 4), (x - r, y), (x - r / 4, y - r / 4)],
            fill=(255, 255, 255),
        )  # fmt: skip
    return out


def enhanced(img: Image.Image, sharpen: bool = False) -> Image.Image:
    """Richer colour and contrast; with `sharpen` (an upscale) the colours stay as they were and
    the edges get crisper instead, by unsharp masking: extrapolating away from a blurred copy
    (ImageFilter.SHARPEN costs ~30 ms at 1920x1080)."""
    if sharpen:
        return Image.blend(img, soften(img, 4), -0.6)
    return adjust(img, saturation=1.3, contrast=1.15)


def floor_tiles(draw: ImageDraw.ImageDraw, size: tuple[int, int], style: str | None) -> None:
    """A new floor in the style's colours (remodels): tiles or boards in perspective."""
    w, h = size
    look = style_look(style)
    top = h * 0.7
    draw.polygon([(0, top), (w, top), (w, h), (0, h)], fill=_rgba(_shade(look.wood, 1.15), 215))
    line = _rgba(_shade(look.wood, 0.75), 230)
    width = max(1, min(size) // 400)
    for i in range(-6, 17):
        x = w * i / 10
        draw.line([(w / 2 + (x - w / 2) * 0.6, top), (x, h)], fill=line, width=width)
    if look.pattern in ("grid", "check", "tufted", "floral") or look.roundness == SHARP:
        y, step = top, h * 0.03
        while y < h:
            draw.line([(0, y), (w, y)], fill=line, width=width)
            step *= 1.35
            y += step


def cabinet_fronts(draw: ImageDraw.ImageDraw, size: tuple[int, int], colour: RGB) -> None:
    """Kitchen cabinets, upper and lower, painted `colour` (a cabinet recolour)."""
    look = replace(STYLES["modern"], wood=colour, legs="none")
    p = Painter(draw, size, look, mirror=False, scale=1.0)
    cabinets(p, 0.05, 0.95, p.y(0.8), 0.26, colour, 7)
    p.d.rectangle(
        [0.05 * p.w, p.y(0.8) - 0.28 * p.u, 0.95 * p.w, p.y(0.8) - 0.26 * p.u],
        fill=(236, 234, 228, 255),
    )
    cabinets(p, 0.08, 0.42, p.y(0.1) + 0.2 * p.u, 0.2, colour, 3)
    cabinets(p, 0.58, 0.92, p.y(0.1) + 0.2 * p.u, 0.2, colour, 3)


def prompt_box(
    draw: ImageDraw.ImageDraw,
    size: tuple[int, int],
    prompt: str,
    font: ImageFont.ImageFont | ImageFont.FreeTypeFont,
    at: tuple[int, int],
) -> None:
    """The prompt of an edit, quoted in a box at `at` (wrapped, at most three lines)."""
    w, _ = size
    line_height = int(getattr(font, "size", 12) * 1.35)
    max_width = w * 0.6
    words, lines, line = prompt.split(), [], ""
    for word in words:
        trial = f"{line} {word}".strip()
        if draw.textlength(trial, font=font) > max_width and line:
            lines.append(line)
            line = word
        else:
            line = trial
    lines.append(line)
    if len(lines) > 3:
        lines = [*lines[:2], lines[2][: max(0, len(lines[2]) - 1)] + "…"]
    lines[0] = "“" + lines[0]
    lines[-1] += "”"
    pad = line_height // 2
    box_w = max(draw.textlength(x, font=font) for x in lines) + 2 * pad
    x, y = at
    draw.rounded_rectangle(
        [x, y, x + box_w, y + line_height * len(lines) + pad * 2],
        radius=pad,
        fill=(255, 255, 255, 225),
        outline=(40, 40, 40, 255),
        width=max(1, line_height // 12),
    )
    for i, text in enumerate(lines):
        draw.text((x + pad, y + pad + i * line_height), text, fill=(20, 20, 20, 255), font=font)


# The operation's badge in the top-left corner: its name and a colour of its own.
BADGES: dict[str, tuple[str, RGB]] = {
    "stage": ("STAGED", (46, 125, 50)),
    "remodel": ("REMODELED", (121, 85, 72)),
    "edit": ("EDITED", (94, 53, 177)),
    "empty": ("EMPTIED", (96, 125, 139)),
    "declutter": ("DECLUTTERED", (0, 137, 123)),
    "erase": ("OBJECTS REMOVED", (0, 121, 107)),
    "dusk": ("DAY TO DUSK", (230, 81, 0)),
    "twilight": ("TWILIGHT", (106, 27, 154)),
    "sky": ("NEW SKY", (2, 119, 189)),
    "sky_color": ("NEW SKY", (2, 119, 189)),
    "enhance": ("ENHANCED", (249, 168, 37)),
    "upscale": ("UPSCALED", (55, 71, 79)),
    "recolor": ("REPAINTED", (216, 27, 96)),
    "landscape": ("LANDSCAPED", (56, 142, 60)),
    "sketch": ("SKETCH TO RENDER", (69, 90, 100)),
    "mask": ("MASK", (0, 0, 0)),
}


def badge(
    draw: ImageDraw.ImageDraw,
    text: str,
    colour: RGB,
    font: ImageFont.ImageFont | ImageFont.FreeTypeFont,
    size: int,
) -> int:
    """A coloured pill in the top-left corner; returns its bottom edge."""
    width = draw.textlength(text, font=font)
    x0, y0 = size // 2, size // 2
    x1, y1 = x0 + width + size, y0 + size * 1.6
    draw.rounded_rectangle([x0, y0, x1, y1], radius=size * 0.8, fill=(*colour, 235))
    draw.text((x0 + size / 2, y0 + size * 0.3), text, fill=(255, 255, 255, 255), font=font)
    return int(y1)


def swatch(draw: ImageDraw.ImageDraw, colours: list[RGB], right: int, top: int, cell: int) -> None:
    """A row of colour squares ending at `right` (the style's palette, in the caption band)."""
    x = right - cell * len(colours) - (len(colours) - 1) * cell // 4
    for colour in colours:
        draw.rectangle(
            [x, top, x + cell, top + cell],
            fill=(*colour, 255),
            outline=(255, 255, 255, 255),
            width=max(1, cell // 12),
        )
        x += cell + cell // 4
