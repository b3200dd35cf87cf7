"""Slideshow videos: real MP4/H.264 a decoder opens, sized and timed by the spec alone, and kept in
the media library like renders (encoded once, on first fetch)."""

from __future__ import annotations

import asyncio
import io
from concurrent.futures import ThreadPoolExecutor

import av
import pytest
from PIL import Image, ImageChops
from pydantic import ValidationError

from emulator.core import video
from emulator.core.clock import ManualClock
from emulator.core.ids import IdFactory
from emulator.core.media import MediaLibrary
from emulator.core.store import Store


def jpeg(size: tuple[int, int], color: tuple[int, int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "JPEG")
    return buf.getvalue()


def spec(n: int = 2, **fields) -> video.SlideshowSpec:
    values = {
        "width": 320,
        "height": 180,
        "fps": 12,
        "seconds_per_photo": 1.0,
        "photo_media_ids": [None] * n,
        "photo_keys": [f"room-{i}" for i in range(n)],
    }
    return video.SlideshowSpec(**(values | fields))


def probe(data: bytes) -> dict:
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        frames = list(container.decode(video=0))
        return {
            "codec": stream.codec_context.name,
            "pix_fmt": stream.codec_context.pix_fmt,
            "size": (stream.width, stream.height),
            "frames": len(frames),
            "duration": container.duration / 1e6,
            "streams": sorted(s.type for s in container.streams),
            "first": frames[0].to_image(),
            "last": frames[-1].to_image(),
        }


def test_an_h264_mp4_of_the_asked_size_frames_and_duration():
    photos = [jpeg((640, 480), (220, 40, 40)), jpeg((480, 640), (40, 40, 220))]
    data = video.render(spec(2), photos)
    assert data[4:8] == b"ftyp"
    assert data.find(b"moov") < data.find(b"mdat")  # index first: plays while downloading
    info = probe(data)
    assert info["codec"] == "h264" and info["pix_fmt"] == "yuv420p"
    assert info["size"] == (320, 180)
    assert info["frames"] == 24
    assert info["duration"] == pytest.approx(2.0, abs=0.1)
    assert info["streams"] == ["video"]
    red, blue = info["first"].getpixel((160, 60)), info["last"].getpixel((160, 60))
    assert red[0] > 150 and red[2] < 100  # the first photo, then the second
    assert blue[2] > 150 and blue[0] < 100


@pytest.mark.parametrize(("width", "height"), [(180, 320), (240, 240)])
def test_portrait_and_square_frames_are_filled(width, height):
    info = probe(video.render(spec(1, width=width, height=height), [None]))
    assert info["size"] == (width, height)
    assert info["frames"] == 12


def test_music_adds_an_aac_track_as_long_as_the_video():
    data = video.render(spec(2, music="Waterfall"), [None, None])
    with av.open(io.BytesIO(data)) as container:
        [audio] = container.streams.audio
        assert audio.codec_context.name == "aac"
        seconds = sum(f.samples for f in container.decode(audio=0)) / audio.codec_context.rate
    assert seconds == pytest.approx(2.0, abs=0.1)


def test_title_and_details_are_drawn():
    plain = probe(video.render(spec(1), [None]))["first"]
    titled = probe(
        video.render(
            spec(1, title="Welcome home", details=["Jane Agent", "+1 555 0100"], tag="tour"),
            [None],
        )
    )["first"]
    changed = ImageChops.difference(plain, titled).convert("L").point(lambda v: 255 if v else 0)
    assert changed.histogram()[255] > 320 * 180 // 20


def test_poster_is_the_first_frame_as_jpeg():
    data = video.render(spec(2, poster=True, title="Hello"), [None, None])
    with Image.open(io.BytesIO(data)) as img:
        assert img.format == "JPEG" and img.size == (320, 180)


def test_undecodable_or_huge_photos_become_synthetic_rooms_at_the_output_size():
    # a PNG header declaring 60000 x 60000 pixels, and bytes that are no image at all
    bomb = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + (60000).to_bytes(4, "big") * 2
    bomb += b"\x08\x02\x00\x00\x00" + b"\x00" * 4
    info = probe(video.render(spec(2), [bomb, b"not an image"]))
    assert info["size"] == (320, 180) and info["frames"] == 24


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_photos_are_decoded_within_the_shared_budget_at_the_size_the_frames_need(monkeypatch):
    from emulator.core import images

    from .test_memory_bounds import bilevel_png

    held: list[int] = []
    real_hold = images.budget.hold

    def hold(nbytes: int):
        held.append(nbytes)
        return real_hold(nbytes)

    monkeypatch.setattr(images.budget, "hold", hold)
    buf = io.BytesIO()
    Image.linear_gradient("L").resize((4000, 3000)).save(buf, "PNG")
    attack = bilevel_png()  # 13000 x 13000: past the PNG pixel limit, never decoded
    info = probe(video.render(spec(2), [buf.getvalue(), attack]))
    assert info["size"] == (320, 180)
    # the 12 MP PNG decoded whole (its peak, 8 bytes a pixel: the decoded pixels and their RGB
    # conversion) to 346x260; the attack never decoded; then the encoder's share for the whole
    # encode, with the photo kept as a small JPEG meanwhile
    [decode, encode] = held
    assert decode == 4000 * 3000 * 8 + 346 * 260 * 4
    assert 0 < encode - 320 * 180 * video.ENCODER_BYTES_PER_PIXEL < 30_000


def test_the_spec_bounds_the_work():
    with pytest.raises(ValidationError):
        spec(1, width=321)  # yuv420p needs even sizes
    with pytest.raises(ValidationError):
        spec(1, width=8000)
    with pytest.raises(ValidationError):
        spec(video.MAX_PHOTOS + 1)
    with pytest.raises(ValidationError):
        spec(30, seconds_per_photo=10, fps=30)  # 300 s of video
    with pytest.raises(ValidationError):
        video.SlideshowSpec(width=320, height=180, photo_media_ids=[None], photo_keys=["a", "b"])
    with pytest.raises(ValueError):
        video.render(spec(2), [None])


def test_the_media_library_encodes_a_slideshow_once_from_stored_photos(monkeypatch):
    store = Store(":memory:")
    library = MediaLibrary(store, ManualClock(), IdFactory(store, 1), "http://emu.test")
    upload = library.add_upload("acct", jpeg((400, 300), (30, 200, 30)), "image/jpeg")
    tour = library.plan_slideshow(
        "acct", "job-1", spec(2).model_copy(update={"photo_media_ids": [upload.id, None]})
    )
    poster = library.plan_slideshow("acct", "job-1", spec(2, poster=True))
    assert library.url(tour).endswith(".mp4") and tour.content_type == "video/mp4"
    assert poster.content_type == "image/jpeg" and poster.ext == "jpg"

    calls = []
    encode = video.render
    monkeypatch.setattr(video, "render", lambda *a: calls.append(1) or encode(*a))

    async def fetch_twice() -> tuple[bytes, bytes]:
        first = await asyncio.gather(*(library.content(tour) for _ in range(3)))
        again = await library.content(library.get(tour.id))
        return first[0][1], again[1]

    first, again = asyncio.run(fetch_twice())
    assert first == again and calls == [1]
    stored = library.get(tour.id)
    assert stored.ready and (stored.width, stored.height) == (320, 180)
    assert stored.size == len(first)
    green = probe(first)["first"].getpixel((160, 60))
    assert green[1] > 150 and green[0] < 100  # the stored upload, not a synthetic room


def test_one_slideshow_is_encoded_at_a_time(monkeypatch):
    active, most = [0], [0]
    real_encode = video._encode

    def counting(spec, slides):
        active[0] += 1
        most[0] = max(most[0], active[0])
        try:
            return real_encode(spec, slides)
        finally:
            active[0] -= 1

    monkeypatch.setattr(video, "_encode", counting)
    with ThreadPoolExecutor(4) as pool:
        outputs = list(pool.map(lambda _: video.render(spec(1), [None]), range(4)))
    assert most[0] == 1 and len(set(outputs)) == 1  # and the same spec gives the same bytes


def test_photos_can_be_loaded_one_at_a_time_as_the_encoder_reaches_them():
    calls = []

    def load(index: int) -> bytes | None:
        calls.append(index)
        return jpeg((64, 48), (200, 200, 40)) if index == 1 else None

    info = probe(video.render(spec(3), load))
    assert calls == [0, 1, 2]  # each once, in order
    assert info["frames"] == 36
