"""A thin Decor8 AI client for the contract tests: one method per endpoint of notes section 2, each
able to send its body as JSON, x-www-form-urlencoded or multipart, raw `httpx.Response`s back, plus
the helpers the tests share (pictures, data URLs, the `{"error", "message"}` envelope, fetching).

Tags as in notes.md: [PY] Python SDK 0.34, [JS] npm SDK 2.0.1, [DOCS] the API reference, [REPO]
the SDK monorepo, [INFERRED] the emulator's reading where nothing public says.
"""

from __future__ import annotations

import io
import uuid
from functools import partial
from typing import Any

import httpx
from PIL import Image

from ..support import VendorClient, unique_image_url

SLUG = "decor8"
ENCODINGS = ("json", "form", "multipart")
# Every call's job ends within this many seconds of the manual clock (the slowest, a wall colour,
# is 32 s +20%); no test uses "emulator-slow" and then waits on the clock.
JOB_SECONDS = 60
BASE_EDGE = 768  # [notes 3.1, 8] the long edge at scale_factor 1

# The notes' enums (section 6), written out rather than imported from the emulator.
ROOM_TYPES = (
    "LIVINGROOM", "KITCHEN", "DININGROOM", "BEDROOM", "BATHROOM", "KIDSROOM", "FAMILYROOM",
    "READINGNOOK", "SUNROOM", "WALKINCLOSET", "MUDROOM", "TOYROOM", "OFFICE", "FOYER",
    "POWDERROOM", "LAUNDRYROOM", "GYM", "BASEMENT", "GARAGE", "BALCONY", "CAFE", "HOMEBAR",
    "STUDY_ROOM", "FRONT_PORCH", "BACK_PORCH", "BACK_PATIO", "OPENPLAN", "BOARDROOM",
    "MEETINGROOM", "OPENWORKSPACE", "PRIVATEOFFICE",
)  # fmt: skip
DESIGN_STYLES = (
    "MINIMALIST", "SCANDINAVIAN", "INDUSTRIAL", "BOHO", "TRADITIONAL", "ARTDECO",
    "MIDCENTURYMODERN", "COASTAL", "TROPICAL", "ECLECTIC", "CONTEMPORARY", "FRENCHCOUNTRY",
    "RUSTIC", "SHABBYCHIC", "VINTAGE", "COUNTRY", "MODERN", "ASIAN_ZEN", "HOLLYWOODREGENCY",
    "BAUHAUS", "MEDITERRANEAN", "FARMHOUSE", "VICTORIAN", "GOTHIC", "MOROCCAN", "SOUTHWESTERN",
    "TRANSITIONAL", "MAXIMALIST", "ARABIC", "JAPANDI", "RETROFUTURISM", "ARTNOUVEAU",
    "URBANMODERN", "WABI_SABI", "GRANDMILLENNIAL", "COASTALGRANDMOTHER", "NEWTRADITIONAL",
    "COTTAGECORE", "LUXEMODERN", "HIGH_TECH", "ORGANICMODERN", "TUSCAN", "CABIN",
    "DESERTMODERN", "GLOBAL", "INDUSTRIALCHIC", "MODERNFARMHOUSE", "EUROPEANCLASSIC",
    "NEOTRADITIONAL", "WARMMINIMALIST",
)  # fmt: skip
COLOR_SCHEMES = tuple(f"COLOR_SCHEME_{i}" for i in range(21))
SPECIALITY_DECORS = tuple(f"SPECIALITY_DECOR_{i}" for i in range(8))
SKY_TYPES = ("DAY", "DUSK", "NIGHT")
RENDER_TYPES = ("PERSPECTIVE", "ISOMETRIC")
YARD_TYPES = ("FRONT_YARD", "BACKYARD", "SIDE_YARD", "Front Yard", "front yard")
GARDEN_STYLES = ("JAPANESE_ZEN", "MEDITERRANEAN", "california style garden", "xeriscape")

FILE_ENDPOINTS = ("/generate_designs", "/prime_the_room_walls", "/upscale_image")


# source_url("kitchen"): an https image URL nobody else uses
source_url = partial(unique_image_url, "decor8-contract")


def encoded(img: Image.Image, fmt: str = "PNG") -> bytes:
    """The picture's bytes in `fmt` (a JPEG drops any alpha)."""
    buf = io.BytesIO()
    (img.convert("RGB") if fmt == "JPEG" else img).save(buf, fmt)
    return buf.getvalue()


def fitted(size: tuple[int, int], long_edge: int) -> tuple[int, int]:
    """The size of a picture of `size` with its long edge at `long_edge`, the aspect kept."""
    ratio = long_edge / max(size)
    return max(1, round(size[0] * ratio)), max(1, round(size[1] * ratio))


# The emulator draws no placeholder bigger than this (3072 x 2304 px); a bigger scale_factor's
# images keep their aspect ratio within it, and `width`/`height` say their real size.
RENDER_LIMIT = 3072 * 2304


def assert_scaled(image: dict[str, Any], source: tuple[int, int], long_edge: int) -> None:
    """`image` reports the size of `source` scaled to `long_edge`, or within the render limit."""
    exact = fitted(source, long_edge)
    got = (image["width"], image["height"])
    if exact[0] * exact[1] <= RENDER_LIMIT:
        assert got == exact, (got, exact)
    else:
        assert max(got) <= long_edge, got
        assert abs(got[0] / got[1] - source[0] / source[1]) < 0.01, (got, source)


def error_of(response: httpx.Response) -> dict[str, Any]:
    """The `{"error": code, "message": ...}` body [PY README], asserting JSON, a non-empty code and
    message, and no `info`."""
    content_type = response.headers.get("content-type", "")
    assert content_type.startswith("application/json"), f"not JSON: {response.text[:300]}"
    body = response.json()
    assert isinstance(body, dict), body
    assert isinstance(body.get("error"), str) and body["error"], body
    assert isinstance(body.get("message"), str) and body["message"].strip(), body
    assert "info" not in body, body
    return body


def assert_error(
    response: httpx.Response, status: int, code: str, *mentions: str, starts_with: str = ""
) -> dict[str, Any]:
    assert response.status_code == status, (
        f"expected {status}, got {response.status_code}: {response.text[:500]}"
    )
    body = error_of(response)
    assert body["error"] == code, body
    for word in mentions:
        assert word.lower() in body["message"].lower(), f"{body['message']!r} lacks {word!r}"
    assert body["message"].startswith(starts_with), body
    return body


def info_of(response: httpx.Response) -> dict[str, Any]:
    """The `info` of a success envelope (`error` empty) [notes 1, 3]."""
    assert response.status_code == 200, response.text[:500]
    body = response.json()
    assert body["error"] == "", body
    assert isinstance(body["message"], str) and body["message"], body
    return body["info"]


def as_text(value: Any) -> str:
    """How a form or multipart body carries a value (Python's str(), as requests does)."""
    return value if isinstance(value, str) else str(value)


class Decor8Client(VendorClient):
    """Paths are relative to the vendor root; the key goes as `Authorization: Bearer`."""

    def post(
        self,
        path: str,
        body: dict[str, Any] | None = None,
        encoding: str = "json",
        image: bytes | None = None,
        **kw: Any,
    ) -> httpx.Response:
        """POST `body` in `encoding`; `image` goes as the multipart file `input_image` (named
        input_image.jpg, as both SDKs send it) and forces multipart."""
        body = body or {}
        if image is not None or encoding == "multipart":
            files: dict[str, Any] = {k: (None, as_text(v)) for k, v in body.items()}
            if image is not None:
                files["input_image"] = ("input_image.jpg", image)
            if not files:
                files = {"_": (None, "")}
            return self.request("POST", path, files=files, **kw)
        if encoding == "form":
            data = {k: as_text(v) for k, v in body.items()}
            return self.request("POST", path, data=data, **kw)
        return self.request("POST", path, json=body, **kw)

    def speak_friend_and_enter(self, **kw: Any) -> httpx.Response:
        return self.request("GET", "/speak_friend_and_enter", **kw)

    def ok(self, path: str, body: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
        return info_of(self.post(path, body, **kw))

    def check_images(self, images: list[dict[str, Any]], size: tuple[int, int]) -> None:
        """Each image has a uuid, a served URL and the real size of the picture behind it."""
        uuids = set()
        for image in images:
            uuid.UUID(image["uuid"])
            uuids.add(image["uuid"])
            assert (image["width"], image["height"]) == size, image
            kind, img = self.image_at(image["url"])
            assert kind == "image/jpeg" and img.format == "JPEG"
            assert img.size == size
        assert len(uuids) == len(images)
