"""Stored images, uploads and renders, served at stable URLs under the public base URL.

A render is planned with its recipe when its job is created and drawn the first time anyone fetches
it once the job has succeeded; the bytes are then kept, so later fetches and status polls never
render or re-encode.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import re
from collections.abc import Callable
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel

from . import images, renders, video
from .clock import Clock
from .errors import ApiError
from .ids import IdFactory
from .store import Collection, Store

MEDIA_PATH = "/_media/"
_MEDIA_URL = re.compile(r"^/_media/([0-9a-f]{32})\.[a-z]+$")
_DATA_URL = re.compile(r"^data:(image/[a-zA-Z0-9.+-]+)?(;[a-zA-Z0-9=.-]+)*;base64,(.*)$", re.DOTALL)

Derivation = Literal["optimized", "thumbnail"]


class Media(BaseModel):
    id: str
    account_id: str | None
    origin: Literal["upload", "render"]
    content_type: str
    ext: str
    created_at: float
    size: int | None = None
    etag: str | None = None
    width: int | None = None
    height: int | None = None
    # renders only: the job whose success releases it, what to draw and over which source
    job_id: str | None = None
    recipe: renders.RenderSpec | None = None
    source_media_id: str | None = None
    derived_from: str | None = None
    derivation: Derivation | None = None
    # slideshow videos (and their posters) only: what to encode, over which photos
    slideshow: video.SlideshowSpec | None = None

    @property
    def ready(self) -> bool:
        return self.etag is not None


class MediaNotReady(Exception):
    pass


def decode_data_url(url: str) -> tuple[str | None, bytes] | None:
    """(declared content type, bytes) of a base64 data URL, or None when it is not one."""
    match = _DATA_URL.match(url.strip())
    if not match:
        return None
    try:
        return match.group(1), base64.b64decode(match.group(3), validate=True)
    except (binascii.Error, ValueError):
        return None


class Base64RunLimit:
    """Fed a body chunk by chunk, refuses it (ApiError 413) as soon as one unbroken run of base64
    characters, a data URL's payload, exceeds what `max_bytes` of data encode to. JSON escapes
    (`\\/`) count as part of a run."""

    _RUN = re.compile(rb"[A-Za-z0-9+/=\\]+")

    def __init__(self, max_bytes: int, message: str) -> None:
        self.max_chars = (max_bytes + 2) // 3 * 4 * 33 // 32  # slack for escaped slashes
        self.message, self.run = message, 0

    def feed(self, chunk: bytes) -> None:
        if not chunk:
            return
        carried = self.run
        self.run = 0
        for match in self._RUN.finditer(chunk):
            run = match.end() - match.start() + (carried if match.start() == 0 else 0)
            if run > self.max_chars:
                raise ApiError(413, self.message)
            self.run = run if match.end() == len(chunk) else 0


def checked_image(data: bytes, field: str) -> images.ImageInfo:
    """The image's type and size, or a 400 naming `field` when it is not an image we accept."""
    try:
        return images.inspect_image(data)
    except images.ImageProblem as exc:
        raise ApiError(400, f"{field}: {exc}", field=field) from exc


class MediaLibrary:
    def __init__(self, store: Store, clock: Clock, ids: IdFactory, public_url: str) -> None:
        self._items = Collection(store, "media", Media)
        self.store, self.clock, self.ids = store, clock, ids
        self.public_url = public_url.rstrip("/")
        # vendor slug -> base of its media URLs (its own media host, with TLS on); else public_url
        self.vendor_bases: dict[str, str] = {}
        self._render_locks: dict[str, asyncio.Lock] = {}

    def url(self, media: Media) -> str:
        vendor = (media.account_id or "").partition(":")[0]  # account ids are "<vendor>:<hash>"
        base = self.vendor_bases.get(vendor, self.public_url)
        return f"{base}{MEDIA_PATH}{media.id}.{media.ext}"

    def get(self, id: str) -> Media | None:
        return self._items.get(id)

    def list(self, account_id: str | None = None) -> list[Media]:
        return self._items.list(account_id)

    def add_upload(
        self, account_id: str | None, data: bytes, content_type: str, *, field: str = "image"
    ) -> Media:
        """Keep a client's file. An image must decode as the type its bytes claim, within the
        pixel limits (see core/images.py), else the vendor's 400 naming `field`."""
        if content_type.startswith("image/"):
            content_type = checked_image(data, field).content_type
        media = Media(
            id=self.ids.hex(),
            account_id=account_id,
            origin="upload",
            content_type=content_type,
            ext=content_type.split("/")[1].replace("jpeg", "jpg"),
            created_at=self.clock.now(),
        )
        return self._store_bytes(media, data)

    def _store_bytes(self, media: Media, data: bytes) -> Media:
        with self.store.transaction():
            self.store.put_blob(media.id, data, media.account_id)
            media.size, media.etag = len(data), hashlib.sha256(data).hexdigest()[:32]
            if media.width is None:
                media.width, media.height = renders.image_size(data) or (None, None)
            self._items.save(media, media.account_id)
        return media

    def served(self, url: str) -> Media | None:
        """The media behind a URL this emulator handed out (any host: proxies rewrite it)."""
        try:
            path = urlsplit(url).path if url.startswith(("http:", "https:")) else ""
        except ValueError:  # e.g. "http://,]x": not a URL at all, so not one of ours
            return None
        match = _MEDIA_URL.match(path)
        return self.get(match.group(1)) if match else None

    def source_for(self, url: str, account_id: str | None) -> tuple[str | None, str]:
        """(media id, source key) of a render's source: a served URL, a data URL kept as an upload,
        or (None, url) for an outside URL, drawn as a synthetic room: the emulator never fetches.
        A data URL whose image does not decode within bounds is drawn like an outside URL (a
        vendor that refuses such images checks them first)."""
        media = self.served(url)
        if media is not None:
            return media.id, media.id
        decoded = decode_data_url(url)
        if decoded is not None:
            try:
                media = self.add_upload(account_id, decoded[1], decoded[0] or "image/unknown")
            except ApiError:
                return None, url
            return media.id, media.id
        return None, url

    def plan_render(
        self,
        account_id: str,
        job_id: str,
        spec: renders.RenderSpec,
        source_media_id: str | None,
    ) -> Media:
        media = Media(
            id=self.ids.hex(),
            account_id=account_id,
            origin="render",
            content_type=renders.CONTENT_TYPES[spec.format],
            ext=renders.EXTENSIONS[spec.format],
            created_at=self.clock.now(),
            job_id=job_id,
            recipe=spec,
            source_media_id=source_media_id,
        )
        return self._items.save(media, account_id)

    def plan_derivative(self, of: Media, derivation: Derivation) -> Media:
        """A WebP or thumbnail of a planned render, drawn from it on first fetch."""
        fmt = "WEBP" if derivation == "optimized" else "JPEG"
        media = Media(
            id=self.ids.hex(),
            account_id=of.account_id,
            origin="render",
            content_type=renders.CONTENT_TYPES[fmt],
            ext=renders.EXTENSIONS[fmt],
            created_at=self.clock.now(),
            job_id=of.job_id,
            derived_from=of.id,
            derivation=derivation,
        )
        return self._items.save(media, of.account_id)

    def plan_slideshow(self, account_id: str, job_id: str, spec: video.SlideshowSpec) -> Media:
        """A video (or, for a poster spec, its JPEG poster) encoded on first fetch once the job
        has succeeded, its photos fetched first like a render's source."""
        media = Media(
            id=self.ids.hex(),
            account_id=account_id,
            origin="render",
            content_type=video.POSTER_CONTENT_TYPE if spec.poster else video.CONTENT_TYPE,
            ext="jpg" if spec.poster else "mp4",
            created_at=self.clock.now(),
            width=spec.width,
            height=spec.height,
            job_id=job_id,
            slideshow=spec,
        )
        return self._items.save(media, account_id)

    def read(self, media: Media) -> bytes:
        data = self.store.get_blob(media.id)
        if data is None:
            raise MediaNotReady(media.id)
        return data

    async def content(self, media: Media) -> tuple[Media, bytes]:
        """The bytes of a media, drawing a planned render once (in a worker thread); what it is
        drawn from (its source or the render it derives from) is fetched the same way first."""
        if media.ready:
            return media, self.read(media)
        lock = self._render_locks.setdefault(media.id, asyncio.Lock())
        async with lock:
            current = self.get(media.id) or media
            if current.slideshow is not None and not current.ready:
                photos = await self._photos(current.slideshow.photo_media_ids)
                data = await asyncio.to_thread(video.render, current.slideshow, photos)
                current = self._store_bytes(current, data)
            if not current.ready:
                source = await self._source_bytes(current)
                data = await asyncio.to_thread(self._draw, current, source)
                current = self._store_bytes(current, data)
            self._render_locks.pop(media.id, None)
            return current, self.read(current)

    async def _source_bytes(self, media: Media) -> bytes | None:
        source_id = media.derived_from or media.source_media_id
        source = self.get(source_id) if source_id else None
        if source is None:
            if media.derived_from:
                raise MediaNotReady(media.id)
            return None
        return (await self.content(source))[1]

    async def _photos(self, ids: list[str | None]) -> Callable[[int], bytes | None]:
        """A slideshow's photos, each drawn first if it is a planned render, then read one at a
        time as the encoder reaches it (never all held at once)."""
        photos = [self.get(id) if id else None for id in ids]
        for photo in photos:
            if photo is not None and not photo.ready:
                await self.content(photo)

        def load(index: int) -> bytes | None:
            photo = photos[index]
            return None if photo is None else self.store.get_blob(photo.id)

        return load

    def _draw(self, media: Media, source: bytes | None) -> bytes:
        if media.derived_from is not None:
            assert source is not None
            return self._derive(source, media.derivation or "optimized")
        assert media.recipe is not None
        data, (media.width, media.height) = renders.render(media.recipe, source)
        return data

    def _derive(self, data: bytes, derivation: Derivation) -> bytes:
        if derivation == "thumbnail":
            return renders.thumbnail(data)
        return renders.reencode(data, "WEBP")
