"""Request bodies in every encoding the SDKs ever used, and the pictures inside them.

JSON [PY, JS, DOCS], `application/x-www-form-urlencoded` [PY028 `requests.post(data=...)`] and
multipart with the file part `input_image` [PY, JS] are read alike on every POST: text fields into
one dict, file parts kept apart. A file endpoint also takes `input_image` as a data URL or plain
base64 text, so a JSON body can carry it [INFERRED].
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request

from ...core import images
from ...core.errors import ApiError
from ...core.http import media_type, parse_form, parse_json_object, read_body
from ...core.media import decode_data_url

BODY_LIMIT = 16 << 20  # [INFERRED] room for a 10 MB photo as a data URL inside JSON
IMAGE_LIMIT = 10 << 20  # [INFERRED] docs.txt: "keeping file sizes under 10MB"
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


@dataclass
class Fields:
    values: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    filenames: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Picture:
    """Image bytes a request carried, checked: their content type and size."""

    data: bytes
    content_type: str
    width: int
    height: int

    @property
    def long_edge(self) -> int:
        return max(self.width, self.height)


async def read_fields(request: Request) -> Fields:
    body = await read_body(request, BODY_LIMIT)
    if media_type(request) not in FORM_TYPES:
        return Fields(parse_json_object(body, allow_empty=True))
    form = await parse_form(request, body)
    fields = Fields({})
    try:
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                fields.files[key] = await value.read()
                fields.filenames.append(value.filename or "")
            else:
                fields.values[key] = value
    finally:
        await form.close()
    return fields


def picture(data: bytes, field: str, limit: int = IMAGE_LIMIT) -> Picture:
    """The bytes as a checked picture, or the `InvalidInput` refusal naming `field`."""
    if not data:
        raise ApiError(400, f"{field}: the image is empty", field=field)
    if len(data) > limit:
        raise ApiError(
            413,
            f"{field}: the image is {len(data) / 1e6:.1f} MB; at most {limit >> 20} MB",
            field=field,
        )
    try:
        info = images.read_header(data)
    except images.ImageProblem as exc:
        raise ApiError(
            400,
            f"{field}: Invalid input image. Send a PNG, JPEG, WebP or HEIF/HEIC image.",
            field=field,
        ) from exc
    try:
        images.check_pixels(info)  # before anything decodes it
    except images.ImageProblem as exc:
        raise ApiError(400, f"{field}: {exc}", field=field) from exc
    return Picture(data, info.content_type, info.width, info.height)


def picture_from_text(value: Any, field: str, limit: int = IMAGE_LIMIT) -> Picture:
    """`input_image` sent as text: a data URL or plain base64 [INFERRED]."""
    if not isinstance(value, str):
        raise ApiError(400, f"{field}: expected an image file, a data URL or base64", field=field)
    decoded = decode_data_url(value)
    if decoded is not None:
        return picture(decoded[1], field, limit)
    try:
        return picture(base64.b64decode(value.strip(), validate=True), field, limit)
    except (binascii.Error, ValueError) as exc:
        raise ApiError(
            400, f"{field}: expected an image file, a data URL or base64", field=field
        ) from exc


def uploaded_picture(fields: Fields, field: str = "input_image", limit: int = IMAGE_LIMIT):
    """The picture of a file endpoint: the multipart part `field`, else the text field."""
    if field in fields.files:
        return picture(fields.files[field], field, limit)
    if field in fields.values:
        return picture_from_text(fields.values[field], field, limit)
    raise ApiError(
        400, f"{field} is required: send the image as the multipart file part {field}", field=field
    )
