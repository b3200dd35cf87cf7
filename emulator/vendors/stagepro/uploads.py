"""Uploads [DOC]: multipart field `file`, returned `upload_id` usable in a job's input, expiring
after 24 hours on the emulator's clock; [PROPOSED] JPEG, PNG or WebP up to 20 MB, counted against
the account's storage (403 `storage_limit_exceeded` past its limit).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from starlette.datastructures import UploadFile
from starlette.requests import Request

from ...core.accounts import Account
from ...core.clock import iso8601
from ...core.errors import ApiError
from ...core.http import media_type, parse_form, read_body
from ...core.renders import sniff_image
from ...core.store import Collection
from . import answers as a
from . import capabilities as caps
from .models import field_error

if TYPE_CHECKING:
    from .api import StagePro

ACCEPTED = ("image/jpeg", "image/png", "image/webp")
MULTIPART_LIMIT = caps.MAX_UPLOAD_BYTES + 64 * 1024  # the form's framing on top of the file
TOO_LARGE = f"file: the upload is larger than {caps.MAX_UPLOAD_BYTES // (1024 * 1024)} MB"


class Upload(BaseModel):
    id: str
    account_id: str
    media_id: str
    content_type: str
    size_bytes: int
    width: int | None = None
    height: int | None = None
    created_at: float
    expires_at: float


class Uploads:
    def __init__(self, vendor: StagePro) -> None:
        self.vendor, self.engine = vendor, vendor.engine
        self._items = Collection(vendor.engine.store, "stagepro.upload", Upload)

    async def read_file(self, request: Request) -> bytes:
        """The `file` field's bytes; 413 as soon as the body is known to pass the limit (from
        Content-Length before reading, else while streaming)."""
        if media_type(request) != "multipart/form-data":
            raise field_error("file", "send multipart/form-data with the image in the field 'file'")
        try:
            body = await read_body(request, MULTIPART_LIMIT, TOO_LARGE)
        except ApiError as exc:
            raise ApiError(413, TOO_LARGE, field="file", code="file_too_large") from exc
        form = await parse_form(request, body)
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise field_error("file", "is required: send the image in the multipart field 'file'")
        data = await upload.read()
        if len(data) > caps.MAX_UPLOAD_BYTES:
            raise ApiError(413, TOO_LARGE, field="file", code="file_too_large")
        return data

    def add(self, account: Account, data: bytes) -> Upload:
        """Store an upload if the account's storage has room: checked and written in one store
        transaction."""
        kind = sniff_image(data)
        if kind not in ACCEPTED:
            raise field_error("file", "unsupported image format; expected JPEG, PNG or WebP")
        with self.engine.store.transaction():
            limit = self.vendor.storage_limit(self.engine.accounts.get(account.id) or account)
            used = self.used_bytes(account.id)
            if used + len(data) > limit:
                raise ApiError(
                    403,
                    f"Storage limit exceeded: {used} of {limit} bytes used, this file needs "
                    f"{len(data)} more",
                    code="storage_limit_exceeded",
                )
            try:
                media = self.engine.media.add_upload(account.id, data, kind)
            except ApiError as exc:  # the engine's own image checks, named after our field
                prefix = f"{exc.field}: " if exc.field else ""
                raise field_error("file", exc.message.removeprefix(prefix)) from exc
            if (media.width or 0) * (media.height or 0) > caps.MAX_PIXELS:
                raise field_error(
                    "file", f"the image is larger than {caps.MAX_PIXELS // 1_000_000} megapixels"
                )
            now = self.engine.now()
            upload = Upload(
                id=self.engine.ids.prefixed("upl_", 24),
                account_id=account.id,
                media_id=media.id,
                content_type=kind,
                size_bytes=len(data),
                width=media.width,
                height=media.height,
                created_at=now,
                expires_at=now + caps.UPLOAD_TTL,
            )
            return self._items.save(upload, account.id)

    def used_bytes(self, account_id: str) -> int:
        """[EMULATOR] storage counts the uploads that have not expired."""
        now = self.engine.now()
        return sum(u.size_bytes for u in self._items.list(account_id) if u.expires_at > now)

    def usable(self, account_id: str, upload_id: str, field: str) -> Upload:
        upload = self._items.get(upload_id)
        if upload is None or upload.account_id != account_id:
            raise field_error(field, f"unknown upload '{upload_id}'")
        if upload.expires_at <= self.engine.now():
            raise field_error(
                field, f"upload '{upload_id}' expired at {iso8601(upload.expires_at)}; upload again"
            )
        return upload

    def view(self, upload: Upload) -> dict[str, Any]:
        media = self.engine.media.get(upload.media_id)
        assert media is not None
        return a.Upload(
            upload_id=upload.id,
            url=self.engine.media.url(media),
            content_type=upload.content_type,
            size_bytes=upload.size_bytes,
            width=upload.width,
            height=upload.height,
            created_at=iso8601(upload.created_at),
            expires_at=iso8601(upload.expires_at),
        ).model_dump()
