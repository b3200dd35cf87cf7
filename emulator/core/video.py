"""Slideshow videos: an MP4 (H.264, yuv420p, so browsers play it) of photos, a few seconds each.

Each photo fills the frame and pans slowly, fading into the next; a title is drawn over the first
photo and a band of detail lines over every frame; a named tune, when given, becomes a short
generated melody in an AAC track. A poster (the first frame as a JPEG) comes from the same spec.

Work is bounded by the output alone: the frame size, frame rate and seconds per photo come from the
spec (limited here), never from anything a photo declares; a photo within the pixel limits is
decoded at the size its frames need (reduced on decode where the format allows) inside its share of
the process-wide image budget, and one that cannot be is drawn as a synthetic room instead. Frames
are encoded as they are drawn, so memory holds a few frames at most; one slideshow is encoded at a
time, and its encoder holds a share of the same budget (about 130 MB at 1080p), so parallel first
fetches and renders wait rather than add up. Encoding uses PyAV, whose wheels carry libx264.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import tempfile
import threading
from array import array
from collections.abc import Callable, Iterator, Sequence
from typing import Self

import av
from PIL import Image, ImageDraw, ImageFont, ImageOps
from pydantic import BaseModel, Field, model_validator

from . import images
from .renders import synthetic_room

CONTENT_TYPE = "video/mp4"
POSTER_CONTENT_TYPE = "image/jpeg"
MAX_PHOTOS = 30
MAX_SECONDS = 120.0  # of video, whatever the spec asks
PAN = 1.08  # photos are drawn this much larger than the frame, then panned across
SAMPLE_RATE = 22_050
_ENCODING = threading.Lock()
# Bytes per frame pixel an encode holds at its peak (x264 veryfast/zerolatency with 2 threads, the
# frames and fades): measured 130 MB at 1920x1080, 56 MB at 1280x720. A poster draws one frame.
ENCODER_BYTES_PER_PIXEL = 64
POSTER_BYTES_PER_PIXEL = 16


class SlideshowSpec(BaseModel):
    """Everything that decides a slideshow's frames and sound; the same spec gives the same video."""

    width: int = Field(ge=16, le=3840, multiple_of=2)
    height: int = Field(ge=16, le=3840, multiple_of=2)
    fps: int = Field(12, ge=1, le=30)
    seconds_per_photo: float = Field(2.5, gt=0, le=10)
    fade: float = Field(0.5, ge=0, le=2, description="seconds of cross-fade into the next photo")
    # the photos: media ids to fetch (None: nothing stored) and names for synthetic rooms
    photo_media_ids: list[str | None] = Field(min_length=1, max_length=MAX_PHOTOS)
    photo_keys: list[str] = Field(min_length=1, max_length=MAX_PHOTOS)
    title: str | None = Field(None, max_length=500)
    details: list[str] = Field(default_factory=list, max_length=6)
    tag: str | None = Field(None, max_length=60, description="a small label in the top corner")
    music: str | None = Field(None, max_length=60, description="names a generated tune")
    poster: bool = False  # the first frame as a JPEG instead of the video

    @model_validator(mode="after")
    def _bounded(self) -> Self:
        if len(self.photo_keys) != len(self.photo_media_ids):
            raise ValueError("one key per photo")
        if self.duration > MAX_SECONDS:
            raise ValueError(f"a slideshow lasts at most {MAX_SECONDS:g} seconds")
        return self

    @property
    def frames_per_photo(self) -> int:
        return max(1, round(self.seconds_per_photo * self.fps))

    @property
    def frame_count(self) -> int:
        return self.frames_per_photo * len(self.photo_keys)

    @property
    def duration(self) -> float:
        return self.frame_count / self.fps


Photos = Sequence[bytes | None] | Callable[[int], bytes | None]


def render(spec: SlideshowSpec, photos: Photos) -> bytes:
    """The MP4 (or, for a poster spec, the JPEG) of `spec` over `photos`: image bytes or None per
    photo, or a function giving photo n's (so a long slideshow never holds every photo at once).

    Each photo is first brought to the size its frames need, one at a time, each decode within its
    share of the process-wide image budget, and kept as a small JPEG; only then does the encoder
    start, holding its own share for the whole encode. So the big decodes and the encoder's
    buffers never add up, and renders running beside it wait rather than add to them."""
    if not callable(photos) and len(photos) != len(spec.photo_keys):
        raise ValueError("one photo (or None) per key of the spec")
    load = photos if callable(photos) else photos.__getitem__
    slots = 1 if spec.poster else len(spec.photo_keys)
    per_pixel = POSTER_BYTES_PER_PIXEL if spec.poster else ENCODER_BYTES_PER_PIXEL
    with _ENCODING:
        fitted = [_fitted(load(slot), _photo_size(spec)) for slot in range(slots)]
        kept = sum(len(photo) for photo in fitted if photo)
        with images.budget.hold(spec.width * spec.height * per_pixel + kept):
            slides = _Slides(spec, fitted)
        if spec.poster:
            buf = io.BytesIO()
            slides.frame(0).save(buf, "JPEG", quality=85)
            return buf.getvalue()
        return _encode(spec, slides)


def _encode(spec: SlideshowSpec, slides: _Slides) -> bytes:
    # `movflags=faststart` puts the index first, so a browser plays while downloading; the muxer
    # rewrites the file to move it, which needs a real file rather than a memory buffer.
    with tempfile.TemporaryDirectory(prefix="slideshow-") as folder:
        path = os.path.join(folder, "out.mp4")
        with av.open(path, mode="w", format="mp4", options={"movflags": "faststart"}) as out:
            video = out.add_stream("libx264", rate=spec.fps)
            video.width, video.height, video.pix_fmt = spec.width, spec.height, "yuv420p"
            # zerolatency: no lookahead or B-frames, so the encoder holds a frame or two rather
            # than dozens (about 100 MB less at 1080p)
            video.options = {
                "preset": "veryfast",
                "tune": "zerolatency",
                "crf": "27",
                "g": str(spec.fps * 2),
                "threads": "2",
            }
            audio = out.add_stream("aac", rate=SAMPLE_RATE) if spec.music else None
            if audio is not None:
                audio.layout = "mono"
            for index in range(spec.frame_count):
                frame = av.VideoFrame.from_image(slides.frame(index))
                frame.pts = index
                out.mux(video.encode(frame))
            out.mux(video.encode(None))
            if audio is not None and spec.music:
                for frame in _melody(spec.music, spec.duration):
                    out.mux(audio.encode(frame))
                out.mux(audio.encode(None))
        with open(path, "rb") as file:
            return file.read()


class _Slides:
    """Draws frame n of a slideshow: the photo of its slot, panned, faded, with the overlays."""

    def __init__(self, spec: SlideshowSpec, fitted: list[bytes | None]) -> None:
        self.spec = spec
        self.size = (spec.width, spec.height)
        self._fitted = fitted  # per photo: a JPEG at the photo size (see `_fitted`), or None
        self._count = len(spec.photo_keys)
        self._cache: dict[int, Image.Image] = {}  # the photos in use: two at most
        self._band = _band(spec, self.size)
        self._title = _title(spec, self.size) if spec.title else None

    def frame(self, index: int) -> Image.Image:
        per = self.spec.frames_per_photo
        slot, step = divmod(index, per)
        img = self._panned(slot, step / max(1, per - 1))
        fade_frames = round(self.spec.fade * self.spec.fps)
        last = slot == self._count - 1
        if fade_frames and not last and step >= per - fade_frames:
            share = (step - (per - fade_frames) + 1) / (fade_frames + 1)
            img = Image.blend(img, self._panned(slot + 1, 0.0), share)
        if slot == 0 and self._title is not None:
            _paste(img, self._title)
        _paste(img, self._band)
        return img

    def _panned(self, slot: int, progress: float) -> Image.Image:
        photo = self._photo(slot)
        w, h = self.size
        room_x, room_y = photo.width - w, photo.height - h
        forward = slot % 2 == 0  # alternate the direction, as tours do
        t = progress if forward else 1 - progress
        x, y = round(room_x * t), round(room_y * (0.5 + (t - 0.5) * 0.6))
        return photo.crop((x, y, x + w, y + h))

    def _photo(self, slot: int) -> Image.Image:
        if slot not in self._cache:
            for old in [k for k in self._cache if k < slot - 1]:
                del self._cache[old]
            target = _photo_size(self.spec)
            fitted = self._fitted[slot]
            if fitted is not None:
                with Image.open(io.BytesIO(fitted), formats=["JPEG"]) as img:
                    base = img.convert("RGB")
            else:
                base = synthetic_room(self.spec.photo_keys[slot], _even(target))
            self._cache[slot] = ImageOps.fit(base, target, Image.Resampling.BILINEAR)
        return self._cache[slot]


def _photo_size(spec: SlideshowSpec) -> tuple[int, int]:
    """The size a photo is drawn at: larger than the frame, to pan across."""
    return math.ceil(spec.width * PAN), math.ceil(spec.height * PAN)


def _fitted(data: bytes | None, target: tuple[int, int]) -> bytes | None:
    """The photo cropped to fill `target`, as a JPEG (about 1 MB at 1080p), decoded within the
    pixel limits and its share of the budget (see `images.decode_fitted`); None when it cannot."""

    def covering(info: images.ImageInfo) -> tuple[int, int]:
        """The photo's size scaled (aspect kept) to just cover `target`."""
        scale = max(target[0] / info.width, target[1] / info.height)
        return max(1, math.ceil(info.width * scale)), max(1, math.ceil(info.height * scale))

    decoded = images.decode_fitted(data, covering) if data else None
    if decoded is None:
        return None
    buf = io.BytesIO()
    ImageOps.fit(decoded, target, Image.Resampling.BILINEAR).save(buf, "JPEG", quality=92)
    return buf.getvalue()


def _even(size: tuple[int, int]) -> tuple[int, int]:
    return size[0] + size[0] % 2, size[1] + size[1] % 2


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except Exception:
        return ImageFont.load_default()


class _Overlay:
    """A drawn overlay cut to what it covers, so pasting it on each frame stays cheap."""

    def __init__(self, layer: Image.Image) -> None:
        box = layer.getbbox() or (0, 0, 1, 1)
        self.at = box[:2]
        self.image = layer.crop(box)


def _paste(img: Image.Image, overlay: _Overlay) -> None:
    img.paste(overlay.image, overlay.at, overlay.image)


def _band(spec: SlideshowSpec, size: tuple[int, int]) -> _Overlay:
    """The lower band of detail lines and the corner tag, over every frame."""
    w, h = size
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    unit = min(w, h)
    text = max(12, unit // 30)
    font = _font(text)
    if spec.details:
        lines = spec.details[:6]
        band = round(text * 1.45 * len(lines) + text)
        d.rectangle([0, h - band, w, h], fill=(0, 0, 0, 140))
        left = text
        if lines:
            initials = "".join(word[0] for word in lines[0].split()[:2]).upper() or "?"
            r = band // 2 - text // 3
            cx, cy = text + r, h - band // 2
            d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(230, 230, 230, 255))
            initial_font = _font(max(10, r))
            d.text((cx, cy), initials, fill=(40, 40, 40, 255), font=initial_font, anchor="mm")
            left = cx + r + text
        for i, line in enumerate(lines):
            y = h - band + text // 2 + round(i * text * 1.45)
            d.text((left, y), _fit(d, line, font, w - left - text), fill="white", font=font)
    if spec.tag:
        tag_w = round(d.textlength(spec.tag, font=font)) + text
        d.rectangle([w - tag_w - text // 2, 0, w, text * 2], fill=(0, 0, 0, 140))
        d.text((w - tag_w, text // 2), spec.tag, fill=(255, 255, 255, 230), font=font)
    return _Overlay(layer)


def _title(spec: SlideshowSpec, size: tuple[int, int]) -> _Overlay:
    """The intro text, large and centred over the first photo."""
    w, h = size
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    text = max(16, min(w, h) // 14)
    font = _font(text)
    lines = _wrap(d, spec.title or "", font, int(w * 0.8))[:3]
    step = round(text * 1.3)
    top = h // 3 - step * len(lines) // 2
    d.rectangle([0, top - text // 2, w, top + step * len(lines) + text // 2], fill=(0, 0, 0, 110))
    for i, line in enumerate(lines):
        d.text((w // 2, top + i * step), line, fill="white", font=font, anchor="mt")
    return _Overlay(layer)


def _wrap(
    d: ImageDraw.ImageDraw,
    text: str,
    font: ImageFont.ImageFont | ImageFont.FreeTypeFont,
    width: int,
) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and d.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(_fit(d, word, font, width))
    return lines


def _fit(
    d: ImageDraw.ImageDraw,
    text: str,
    font: ImageFont.ImageFont | ImageFont.FreeTypeFont,
    width: int,
) -> str:
    """`text` cut short (with an ellipsis) to fit `width` pixels."""
    if d.textlength(text, font=font) <= width:
        return text
    while text and d.textlength(text + "...", font=font) > width:
        text = text[:-1]
    return text + "..."


def _melody(name: str, seconds: float) -> Iterator[av.AudioFrame]:
    """A soft tune of half-second notes from a pentatonic scale, picked by `name`, as AAC-sized
    frames of mono float samples."""
    digest = hashlib.sha256(name.encode()).digest()
    root = 220.0 * 2 ** ((digest[0] % 12) / 12)
    scale = [0, 2, 4, 7, 9, 12, 14, 16]
    note_len = SAMPLE_RATE // 2
    tones = {}
    for step in scale:
        w = 2 * math.pi * root * 2 ** (step / 12) / SAMPLE_RATE
        tones[step] = array(
            "f", (0.12 * math.exp(-3.0 * k / note_len) * math.sin(w * k) for k in range(note_len))
        )
    total = round(seconds * SAMPLE_RATE)
    samples = array("f")
    for i in range(math.ceil(total / note_len)):
        samples.extend(tones[scale[digest[1 + i % 16] % len(scale)]])
    per = 1024
    for pts in range(0, total, per):
        chunk = samples[pts : min(pts + per, total)]
        chunk.extend([0.0] * (per - len(chunk)))
        frame = av.AudioFrame(format="flt", layout="mono", samples=per)
        frame.planes[0].update(chunk.tobytes())
        frame.sample_rate, frame.pts = SAMPLE_RATE, pts
        yield frame
