"""Reading images clients send, within bounds: what an image really is, and how big.

No input may make the emulator allocate memory in proportion to what an image *declares*: sizes
come from headers (HEIC/HEIF from a parsed `ispe` box, never decoded), images past a pixel limit
are refused, JPEGs are decoded at a reduced scale, and every decode or drawing holds a share of one
process-wide budget of pixel-buffer bytes, so parallel requests wait rather than add up.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import io
import math
import struct
import threading
import warnings
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from PIL import Image, ImageOps

MEGAPIXEL = 1_000_000
# [PROPOSED] pixel limits: no vendor documents one. JPEG is decoded at a reduced scale and
# HEIC/HEIF (no decoder here) never, so they may be larger than PNG and WebP, which Pillow decodes
# whole (WebP through two intermediate copies).
PIXEL_LIMITS: dict[str, int] = {
    "image/jpeg": 50 * MEGAPIXEL,
    "image/heic": 50 * MEGAPIXEL,
    "image/heif": 50 * MEGAPIXEL,
    "image/png": 16 * MEGAPIXEL,
    "image/webp": 16 * MEGAPIXEL,
}
FORMAT_NAMES = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WebP",
    "image/heic": "HEIC",
    "image/heif": "HEIF",
}
ACCEPTED = "a JPEG, PNG, WebP or HEIC/HEIF image"
_PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
_HEIF_BRANDS = {
    b"heic": "image/heic",
    b"heix": "image/heic",
    b"hevc": "image/heic",
    b"hevx": "image/heic",
    b"heim": "image/heic",
    b"heis": "image/heic",
    b"hevm": "image/heic",
    b"hevs": "image/heic",
    b"mif1": "image/heif",
    b"msf1": "image/heif",
}
# Bytes per pixel a full decode holds: Pillow keeps RGB as 4 bytes; WebP passes through the
# decoder's canvas and a bytes copy before the image itself.
# Peak bytes per decoded pixel: Pillow keeps RGB(A) at 4 bytes a pixel, and a rotation or a mode
# conversion holds a second buffer beside the first until it is done.
_DECODE_BYTES_PER_PIXEL = {"image/jpeg": 8, "image/png": 8, "image/webp": 12}

# Pillow's own bomb check warns at 89 MP, above our limits: the refusal below says it in words.
warnings.simplefilter("ignore", Image.DecompressionBombWarning)


class ImageProblem(ValueError):
    """Why bytes are not an image the emulator accepts, in words for the client."""


@dataclass(frozen=True)
class ImageInfo:
    content_type: str
    width: int  # as displayed: EXIF rotation applied
    height: int

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height

    @property
    def pixels(self) -> int:
        return self.width * self.height


def sniff_image(data: bytes) -> str | None:
    """The content type of image bytes by their signature: JPEG, PNG, WebP, HEIC or HEIF."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if len(data) >= 12 and data[4:8] == b"ftyp":
        return _HEIF_BRANDS.get(data[8:12])
    return None


def read_header(data: bytes) -> ImageInfo:
    """Type and displayed size from the image's header alone (nothing decoded)."""
    kind = sniff_image(data)
    if kind is None:
        raise ImageProblem(f"not {ACCEPTED}")
    if kind not in _PILLOW_FORMATS:
        width, height = heif_size(data)
        return ImageInfo(kind, width, height)
    try:
        with open_image(data, kind) as img:
            width, height = img.size
            if _rotated(img):
                width, height = height, width
    except ImageProblem:
        raise
    except Exception as exc:  # Pillow raises many kinds for bytes it cannot parse
        raise _undecodable(kind) from exc
    if width < 1 or height < 1:
        raise _undecodable(kind)
    return ImageInfo(kind, width, height)


def image_size(data: bytes) -> tuple[int, int] | None:
    """Displayed width and height read from the header, or None when it is not an image."""
    try:
        return read_header(data).size
    except ImageProblem:
        return None


def inspect_image(data: bytes) -> ImageInfo:
    """What an uploaded image really is: its header read, its size within PIXEL_LIMITS, and its
    data checked to be the type its first bytes claim: a PNG's chunks and pixel stream verified
    without holding its pixels, a JPEG decoded at 1/8 scale (at most ~3 MB), a WebP decoded
    within the shared budget. HEIC/HEIF, which the emulator cannot decode, must be a well-formed
    container declaring its size. Uploads are checked on the event loop, so the small checks take
    no share of the budget: they would wait behind renders and hold up every request."""
    info = read_header(data)
    check_pixels(info)
    kind = info.content_type
    try:
        if kind == "image/png":
            _verify_png(data)
        elif kind == "image/jpeg":
            with open_image(data, kind) as img:
                img.draft(None, (max(1, img.width // 8), max(1, img.height // 8)))
                img.load()
        elif kind == "image/webp":
            with budget.hold(decode_cost(info, info.size)), open_image(data, kind) as img:
                img.load()
    except ImageProblem:
        raise
    except Exception as exc:  # Pillow and zlib raise many kinds for broken data
        raise _undecodable(kind) from exc
    return info


_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # by colour type
# Adam7 passes: first column and row, column and row steps
_ADAM7 = (
    (0, 0, 8, 8),
    (4, 0, 8, 8),
    (0, 4, 4, 8),
    (2, 0, 4, 4),
    (0, 2, 2, 4),
    (1, 0, 2, 2),
    (0, 1, 1, 2),
)
_INFLATE_STEP = 1 << 20


def _verify_png(data: bytes) -> None:
    """Every chunk whole with a matching CRC, from IHDR to IEND, and the IDAT stream inflating to
    exactly the bytes IHDR implies, inflated 1 MB at a time and dropped."""
    inflater = zlib.decompressobj()
    expected, produced, at = -1, 0, 8
    while True:
        if at + 12 > len(data):
            raise ValueError("the PNG ends before its IEND chunk")
        length = int.from_bytes(data[at : at + 4], "big")
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        crc = data[at + 8 + length : at + 12 + length]
        if len(crc) < 4 or zlib.crc32(kind + body) != int.from_bytes(crc, "big"):
            raise ValueError(f"PNG chunk {kind!r} is cut short or corrupt")
        if kind == b"IHDR":
            expected = _png_raw_size(body)
        elif kind == b"IDAT":
            if expected < 0:
                raise ValueError("PNG pixel data before its header")
            pending = body
            while True:
                out = inflater.decompress(pending, _INFLATE_STEP)
                produced += len(out)
                if produced > expected:
                    raise ValueError("PNG pixel data longer than its size")
                pending = inflater.unconsumed_tail
                if not pending and len(out) < _INFLATE_STEP:
                    break
        elif kind == b"IEND":
            break
        at += 12 + length
    if produced != expected or not inflater.eof:
        raise ValueError("PNG pixel data shorter than its size")


def _png_raw_size(ihdr: bytes) -> int:
    """Bytes of filtered scanlines a PNG of this header inflates to (each row: a filter byte)."""
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", ihdr[:13])
    bits = depth * _PNG_CHANNELS[color]

    def rows(w: int, h: int) -> int:
        return h * (1 + (w * bits + 7) // 8) if w > 0 and h > 0 else 0

    if not interlace:
        return rows(width, height)
    return sum(
        rows((width - x0 + dx - 1) // dx, (height - y0 + dy - 1) // dy) for x0, y0, dx, dy in _ADAM7
    )


def check_pixels(info: ImageInfo) -> None:
    limit = PIXEL_LIMITS[info.content_type]
    if info.pixels > limit:
        raise ImageProblem(
            f"image is {info.width}x{info.height} pixels; {FORMAT_NAMES[info.content_type]} "
            f"images may have at most {limit // MEGAPIXEL} megapixels"
        )


def open_image(data: bytes, kind: str) -> Image.Image:
    """Open lazily, with only the plugin of the claimed format (no other parser sees the bytes)."""
    try:
        return Image.open(io.BytesIO(data), formats=[_PILLOW_FORMATS[kind]])
    except Image.DecompressionBombError as exc:
        raise ImageProblem(
            f"image is larger than {PIXEL_LIMITS[kind] // MEGAPIXEL} megapixels"
        ) from exc


def decode_at(data: bytes, size: tuple[int, int]) -> Image.Image | None:
    """The image as RGB at exactly `size` (displayed orientation), decoded within bounds: JPEG
    drafted to the nearest scale at or above `size`; None when it cannot be decoded in bounds."""
    try:
        info = read_header(data)
        check_pixels(info)
    except ImageProblem:
        return None
    if info.content_type not in _PILLOW_FORMATS:
        return None
    try:
        # Not `with`: closing the image would destroy the pixels returned when no copy is needed.
        img = open_image(data, info.content_type)
        if info.content_type == "image/jpeg":
            rotated = _rotated(img)
            img.draft("RGB", (size[1], size[0]) if rotated else size)
        img.load()
        # In place: without an orientation Pillow's default returns a full copy of the pixels.
        ImageOps.exif_transpose(img, in_place=True)
        if img.mode != "RGB":
            img = img.convert("RGB")  # the decoded pixels are dropped as `img` moves on
        if img.size != size:
            img = img.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
        return img
    except Exception:
        return None


def decode_fitted(
    data: bytes, size_for: Callable[[ImageInfo], tuple[int, int]]
) -> Image.Image | None:
    """The image as RGB at `size_for(its header)`, refused past the pixel limits and decoded while
    holding its share of the budget (see `decode_at`); None when it cannot be. For work that needs
    a picture at a small size: the share is given back once it is decoded."""
    try:
        info = read_header(data)
        check_pixels(info)
    except ImageProblem:
        return None
    size = size_for(info)
    with budget.hold(decode_cost(info, size)):
        return decode_at(data, size)


def decode_cost(info: ImageInfo, size: tuple[int, int]) -> int:
    """Bytes a decode of `info` for output `size` holds at its peak (see `decode_at`)."""
    if info.content_type not in _DECODE_BYTES_PER_PIXEL:
        return 0
    pixels = info.pixels
    if info.content_type == "image/jpeg":  # drafted: under 4x the target, at least 1/64
        pixels = min(pixels, max(4 * size[0] * size[1], pixels // 64))
    return pixels * _DECODE_BYTES_PER_PIXEL[info.content_type] + size[0] * size[1] * 4


def _rotated(img: Image.Image) -> bool:
    """EXIF orientation 5-8: the image is displayed with width and height swapped. Read from the
    header's EXIF only: Pillow's PNG `getexif` decodes the whole image to look for a late eXIf."""
    raw = img.info.get("exif")
    if not raw:
        return False
    try:
        exif = Image.Exif()
        exif.load(raw)
        return exif.get(0x0112, 1) in (5, 6, 7, 8)
    except Exception:
        return False


def _undecodable(kind: str) -> ImageProblem:
    return ImageProblem(f"the data does not decode as the {FORMAT_NAMES[kind]} image it claims")


# HEIC/HEIF: an ISO-BMFF container (ISO/IEC 14496-12, 23008-12). Its size comes from the `ispe`
# (image spatial extents) properties under meta/iprp/ipco; the largest is the full image (tiles
# and thumbnails declare smaller ones).
_CONTAINERS = {b"meta": 4, b"iprp": 0, b"ipco": 0}  # header bytes before children (meta: full box)
_MAX_DEPTH = 4


def heif_size(data: bytes) -> tuple[int, int]:
    """Declared size of a HEIC/HEIF after checking its box structure is well formed: boxes that
    exactly tile the file, `ftyp` first, one `meta` box holding at least one `ispe`."""
    boxes = list(_boxes(data, 0, len(data)))
    if not boxes or boxes[0][0] != b"ftyp":
        raise _malformed("it does not start with an ftyp box")
    metas = [box for box in boxes if box[0] == b"meta"]
    if len(metas) != 1:
        raise _malformed("it needs exactly one meta box")
    extents: list[tuple[int, int]] = []
    _collect_extents(data, metas[0], extents, 0)
    if not extents:
        raise _malformed("its meta box declares no image size (ispe)")
    return max(extents, key=lambda wh: wh[0] * wh[1])


def _boxes(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, box end) of each box from `start` to exactly `end`."""
    at = start
    while at < end:
        if end - at < 8:
            raise _malformed("a box header is cut short")
        size = int.from_bytes(data[at : at + 4], "big")
        kind = data[at + 4 : at + 8]
        header = 8
        if size == 1:
            if end - at < 16:
                raise _malformed("a box header is cut short")
            size, header = int.from_bytes(data[at + 8 : at + 16], "big"), 16
        elif size == 0:  # the last box runs to the end
            size = end - at
        if size < header or at + size > end:
            raise _malformed(f"box {kind!r} declares {size} bytes where {end - at} remain")
        yield kind, at + header, at + size
        at += size


def _collect_extents(
    data: bytes, box: tuple[bytes, int, int], out: list[tuple[int, int]], depth: int
) -> None:
    kind, start, end = box
    if kind == b"ispe":
        if end - start < 12:
            raise _malformed("an ispe box is cut short")
        width = int.from_bytes(data[start + 4 : start + 8], "big")
        height = int.from_bytes(data[start + 8 : start + 12], "big")
        if width < 1 or height < 1:
            raise _malformed("an ispe box declares an empty image")
        out.append((width, height))
    elif kind in _CONTAINERS and depth < _MAX_DEPTH:
        skip = _CONTAINERS[kind]
        if end - start < skip:
            raise _malformed(f"box {kind!r} is cut short")
        for child in _boxes(data, start + skip, end):
            _collect_extents(data, child, out, depth + 1)


def _malformed(why: str) -> ImageProblem:
    return ImageProblem(f"not a well-formed HEIC/HEIF file: {why}")


# One budget for all pixel buffers in the process.

WORK_BUDGET = 160 << 20  # bytes; with the server's own ~80 MB, well under 300 MB in all
_TRIM_ABOVE = 16 << 20


class WorkBudget:
    """Bytes of pixel buffers image work may hold at once across threads. A piece of work asking
    for more than the whole budget runs alone; big work hands its freed memory back to the OS."""

    def __init__(self, total: int) -> None:
        self.total, self.used = total, 0
        self._changed = threading.Condition()

    @contextmanager
    def hold(self, nbytes: int) -> Iterator[None]:
        share = max(0, min(nbytes, self.total))
        with self._changed:
            self._changed.wait_for(lambda: self.used + share <= self.total)
            self.used += share
        try:
            yield
        finally:
            with self._changed:
                self.used -= share
                self._changed.notify_all()
            if share >= _TRIM_ABOVE:
                _return_free_memory()


budget = WorkBudget(WORK_BUDGET)


def _load_malloc_trim() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


_malloc_trim = _load_malloc_trim()


def _return_free_memory() -> None:
    """glibc keeps freed pixel buffers in its arenas, so a process's RSS would stay at its peak
    and grow with each thread that drew a large image; trimming gives them back (glibc only)."""
    if _malloc_trim is not None:
        _malloc_trim(0)


def fit_size(size: tuple[int, int], max_pixels: int) -> tuple[int, int]:
    """`size` scaled down (aspect kept) to at most `max_pixels`, each edge at least 1."""
    width, height = size
    if width * height <= max_pixels:
        return width, height
    ratio = math.sqrt(max_pixels / (width * height))
    width, height = max(1, int(width * ratio)), max(1, int(height * ratio))
    if width * height > max_pixels:  # an edge held at 1: shorten the other
        if width >= height:
            width = max(1, max_pixels // height)
        else:
            height = max(1, max_pixels // width)
    return width, height
